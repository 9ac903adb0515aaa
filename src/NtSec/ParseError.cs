namespace NtSec;

/// <summary>
/// Why and where an input (SDDL text, a SID string or a binary structure) was rejected.
/// </summary>
/// <remarks>
/// Parsers in NtSec never throw for bad input on their <c>Try</c> paths: they return one of these, so a caller
/// processing thousands of untrusted descriptors can report each failure and go on.
/// </remarks>
/// <param name="Position">Zero-based character index (text) or byte offset (binary) where the problem was found.</param>
/// <param name="Reason">A short English explanation.</param>
/// <param name="Win32Error">The Win32 error Windows reports for the same input (for example 1336 ERROR_INVALID_ACL; the codes and names are <see cref="NtSec.Win32Error"/>).</param>
public sealed record ParseError(int Position, string Reason, int Win32Error)
{
    /// <inheritdoc />
    public override string ToString() => $"{Position}: {Reason}";
}

/// <summary>The exception thrown by the non-<c>Try</c> parse methods; it carries the <see cref="ParseError"/>.</summary>
public sealed class NtSecFormatException : FormatException
{
    /// <summary>Creates the exception for an error.</summary>
    public NtSecFormatException(ParseError error) : base($"at {error.Position}: {error.Reason}") => Error = error;

    /// <summary>The position and reason of the failure.</summary>
    public ParseError Error { get; }
}
