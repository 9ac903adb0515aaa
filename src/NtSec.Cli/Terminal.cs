using NtSec.Cli.Rendering;

namespace NtSec.Cli;

/// <summary>The streams a command reads and writes, and the style its text output uses.</summary>
/// <param name="In">Standard input (read by <c>--batch</c> and by the <c>-</c> argument).</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Style">Colours for text output; <see cref="Style.Plain"/> unless stdout is a terminal.</param>
public sealed record Terminal(TextReader In, TextWriter Out, TextWriter Error, Style Style);

/// <summary>The process exit codes of <c>ntsec</c>.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>An unexpected failure inside ntsec (a bug); System.CommandLine reports the exception.</summary>
    public const int InternalError = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or conflicting arguments, bad option value.</summary>
    public const int Usage = 2;

    /// <summary>The input was rejected: SDDL, hex, base64 or a SID that does not parse (<c>error: position: reason</c>).</summary>
    public const int BadInput = 3;
}
