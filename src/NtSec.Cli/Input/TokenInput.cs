using NtSec.Import;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Cli.Input;

/// <summary>Loads the token files <c>--token</c> names.</summary>
internal static class TokenInput
{
    /// <summary>
    /// Reads a token file: JSON (see <see cref="TokenJson"/>), or a saved <c>whoami /all</c> output in any of its
    /// layouts (see <see cref="WhoamiParser"/>), told apart by <see cref="WindowsOutput.Detect"/>; <c>-</c> reads
    /// standard input. The error names the file and the field or line: <c>alice.json: groups[2].attributes[0]:
    /// unknown group attribute 'Enabeld' ...</c>, <c>me.txt: line 17, column 108: unknown group attribute ...</c>.
    /// </summary>
    /// <param name="terminal">Where standard input comes from.</param>
    /// <param name="path">The file, or <c>-</c>.</param>
    /// <param name="context">The domains domain-relative aliases resolve against.</param>
    /// <param name="token">The token read.</param>
    /// <param name="error">Why it could not be read.</param>
    /// <param name="names">When given, receives the names a whoami file printed, so output names SIDs as whoami did.</param>
    public static bool TryLoad(Terminal terminal, string path, SidContext context, out Token? token, out string? error, SidNameResolver? names = null)
    {
        token = null;
        if (!FileInput.TryReadAll(terminal, path, out string text, out error)) return false;
        string name = path == "-" ? "stdin" : path;
        if (WindowsOutput.Detect(text) == WindowsOutputKind.Whoami)
        {
            if (WhoamiParser.TryParse(text, out var result, out var importError))
            {
                token = result!.Token;
                if (names is not null) result.GiveNamesTo(names);
                return true;
            }
            error = $"{name}: {importError}";
            return false;
        }
        if (TokenJson.TryRead(text, context, out token, out var jsonError)) return true;
        error = $"{name}: {Describe(jsonError!)}";
        return false;
    }

    /// <summary>The error as <c>field: reason</c>, with the command-line hint for a domain-relative alias.</summary>
    public static string Describe(ParseError error) => error.ToString() + InputHints.Domain(error);
}
