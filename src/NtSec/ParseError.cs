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
/// <param name="Win32Error">The Win32 error Windows reports for the same input (for example 1336 ERROR_INVALID_ACL).</param>
public sealed record ParseError(int Position, string Reason, int Win32Error)
{
    /// <summary>ERROR_INVALID_PARAMETER (87).</summary>
    public const int ErrorInvalidParameter = 87;
    /// <summary>ERROR_UNKNOWN_REVISION (1305).</summary>
    public const int ErrorUnknownRevision = 1305;
    /// <summary>ERROR_NONE_MAPPED (1332).</summary>
    public const int ErrorNoneMapped = 1332;
    /// <summary>ERROR_INVALID_ACL (1336).</summary>
    public const int ErrorInvalidAcl = 1336;
    /// <summary>ERROR_INVALID_SID (1337).</summary>
    public const int ErrorInvalidSid = 1337;
    /// <summary>ERROR_INVALID_SECURITY_DESCR (1338).</summary>
    public const int ErrorInvalidSecurityDescriptor = 1338;
    /// <summary>ERROR_INVALID_DATATYPE (1804).</summary>
    public const int ErrorInvalidDatatype = 1804;

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
