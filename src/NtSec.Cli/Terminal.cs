using NtSec.Cli.Rendering;

namespace NtSec.Cli;

/// <summary>The streams a command reads and writes, and the style its text output uses.</summary>
/// <param name="In">Standard input (read by <c>--batch</c> and by the <c>-</c> argument).</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Style">Colours for text output; <see cref="Style.Plain"/> unless stdout is a terminal.</param>
internal sealed record Terminal(TextReader In, TextWriter Out, TextWriter Error, Style Style)
{
    /// <summary>
    /// The directory relative file names (<c>--token</c>, <c>--sd @file</c>, <c>--out</c>, batch files) resolve
    /// against; null for the process's current directory. In-process hosts set it instead of changing the
    /// process-wide current directory, which other threads share.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>True when standard error is a terminal: batch runs then show a progress line there.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>A path given on the command line, made absolute against <see cref="WorkingDirectory"/>.</summary>
    public string ResolvePath(string path) => WorkingDirectory is null ? Path.GetFullPath(path) : Path.GetFullPath(path, WorkingDirectory);
}

/// <summary>The process exit codes of <c>ntsec</c>.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked; for <c>ntsec check</c>, access was granted.</summary>
    public const int Success = 0;

    /// <summary><c>ntsec check</c>: the check ran and did not grant the access (denied, or a privilege not held).</summary>
    public const int Denied = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or conflicting arguments, bad option value.</summary>
    public const int Usage = 2;

    /// <summary>
    /// The input was rejected: SDDL, hex, base64, a SID, a token file or a right name that does not parse
    /// (<c>error: where: reason</c>), or an access check that refused its arguments.
    /// </summary>
    public const int BadInput = 3;

    /// <summary>An unexpected failure inside ntsec (a bug): EX_SOFTWARE from sysexits.h, since 1 means "denied".</summary>
    public const int InternalError = 70;
}
