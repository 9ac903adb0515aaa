using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Cli.Input;

/// <summary>Loads the token files <c>--token</c> names.</summary>
internal static class TokenInput
{
    /// <summary>
    /// Reads a token file (JSON, see <see cref="TokenJson"/>); <c>-</c> reads standard input. The error names the
    /// file and the field: <c>alice.json: groups[2].attributes[0]: unknown group attribute 'Enabeld' ...</c>.
    /// </summary>
    public static bool TryLoad(Terminal terminal, string path, SidContext context, out Token? token, out string? error)
    {
        token = null;
        if (!FileInput.TryReadAll(terminal, path, out string json, out error)) return false;
        if (TokenJson.TryRead(json, context, out token, out var jsonError)) return true;
        error = $"{(path == "-" ? "stdin" : path)}: {Describe(jsonError!)}";
        return false;
    }

    /// <summary>The error as <c>field: reason</c>, with the command-line hint for a domain-relative alias.</summary>
    public static string Describe(TokenJsonError error)
        => error.ToString() + (error.Reason.Contains("no domain SID was given", StringComparison.Ordinal) ? " (give it with --domain)" : "");
}
