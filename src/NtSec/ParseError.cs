using System.Globalization;

namespace NtSec;

/// <summary>What kind of problem a <see cref="ParseError"/> reports, so callers act on the kind, never on the words.</summary>
public enum ParseErrorKind
{
    /// <summary>The text does not follow the format's grammar (an expected character or token is not there).</summary>
    Syntax,

    /// <summary>A complete value is followed by more input that belongs to nothing.</summary>
    TrailingData,

    /// <summary>The input ends, or a buffer is too short, before a value is complete.</summary>
    Truncated,

    /// <summary>A number or count is beyond what its field can hold.</summary>
    OutOfRange,

    /// <summary>A name the format defines (an ACE type, flag or right, an attribute, a privilege, a field) is not one of its names.</summary>
    UnknownName,

    /// <summary>A two-letter SDDL SID alias that Windows does not define.</summary>
    UnknownSidAlias,

    /// <summary>A domain-relative SID alias or account name, and no domain SID was given to resolve it against.</summary>
    DomainSidNeeded,

    /// <summary>An account name that neither the well-known accounts nor the names given map to a SID (LookupAccountName's ERROR_NONE_MAPPED).</summary>
    UnmappedName,

    /// <summary>A structure's revision is not one Windows defines (ERROR_UNKNOWN_REVISION for a security descriptor).</summary>
    UnknownRevision,

    /// <summary>Binary sizes, offsets, counts or revisions that do not fit together.</summary>
    BadStructure,

    /// <summary>A well-formed element where the format does not allow it (an audit ACE in a DACL, a GUID on a non-object ACE).</summary>
    NotAllowedHere,

    /// <summary>An element given twice where it may appear once.</summary>
    Duplicate,

    /// <summary>A required element is absent.</summary>
    Missing,

    /// <summary>A value of the wrong type (a JSON number where a string is expected).</summary>
    WrongType,

    /// <summary>Text that is not text: a NUL character, a lone surrogate, bytes that are not in the expected encoding.</summary>
    BadEncoding,

    /// <summary>Well-formed input that the target form cannot represent (SDDL has no spelling for an ACE read from binary).</summary>
    Unsupported,

    /// <summary>A reference to something that is not there: a token, object, handle, thread or window a scenario does not declare, a file that does not exist, a YAML alias to no anchor.</summary>
    UndefinedReference,
}

/// <summary>
/// Where in the input a <see cref="ParseError"/> was found: a character index or byte <see cref="Offset"/>, a
/// <see cref="Line"/> and <see cref="Column"/>, a <see cref="Path"/> into a structured document
/// (<c>groups[2].attributes[0]</c>), or several of these at once (a JSON syntax error has an offset, a line and a
/// column).
/// </summary>
/// <param name="Offset">Zero-based character index (text) or byte offset (binary), when known.</param>
/// <param name="Line">One-based line, when known.</param>
/// <param name="Column">One-based column (UTF-16 code units) in <paramref name="Line"/>, when known.</param>
/// <param name="Path">The path of the offending value in a structured document; the empty string is the document as a whole.</param>
public readonly record struct ParseLocation(int? Offset, int? Line, int? Column, string? Path)
{
    /// <summary>No location (the input as a whole).</summary>
    public static ParseLocation None => default;

    /// <summary>A character index or byte offset.</summary>
    public static ParseLocation AtOffset(int offset) => new(offset, null, null, null);

    /// <summary>A line and a column.</summary>
    public static ParseLocation AtLine(int line, int column) => new(null, line, column, null);

    /// <summary>A path into a structured document (<c>""</c> for the document as a whole).</summary>
    public static ParseLocation AtPath(string path) => new(null, null, null, path);

    /// <summary>The same location with its offset moved by <paramref name="by"/> (for an input embedded in a larger one).</summary>
    public ParseLocation Shift(int by) => Offset is int o ? this with { Offset = o + by } : this;

    /// <summary>
    /// The location as error messages give it: the path; else <c>line L, column C</c> (<c>column C</c> for a location
    /// with an offset on line 1, a one-line text such as a batch line); else the offset; else nothing.
    /// </summary>
    public override string ToString()
    {
        if (Path is not null) return Path;
        if (Line is int line)
            return Offset is not null && line == 1
                ? string.Create(CultureInfo.InvariantCulture, $"column {Column}")
                : string.Create(CultureInfo.InvariantCulture, $"line {line}, column {Column}");
        return Offset is int offset ? offset.ToString(CultureInfo.InvariantCulture) : "";
    }
}

/// <summary>
/// The one error type of NtSec's parsers, decoders and importers: why (<see cref="Kind"/>, <see cref="Reason"/>) and
/// where (<see cref="Location"/>) an input was rejected (SDDL text, a SID string, a binary structure, token JSON,
/// text pasted from a Windows tool), and the Win32 error Windows gives for the same input where it has one.
/// </summary>
/// <remarks>
/// Parsers in NtSec never throw for bad input on their <c>Try</c> paths: they return one of these, so a caller
/// processing thousands of untrusted descriptors can report each failure and go on. Code that reacts to an error
/// (a command-line hint, an HTTP status) keys off <see cref="Kind"/>; <see cref="Reason"/> is for people.
/// </remarks>
/// <param name="Kind">What kind of problem it is.</param>
/// <param name="Location">Where it was found.</param>
/// <param name="Reason">A short English explanation.</param>
/// <param name="Win32Error">The Win32 error Windows reports for the same input (for example 1336 ERROR_INVALID_ACL; the codes and names are <see cref="NtSec.Win32Error"/>), or 0 where the input has no Windows API counterpart (tool output, token JSON).</param>
public sealed record ParseError(ParseErrorKind Kind, ParseLocation Location, string Reason, int Win32Error = 0)
{
    /// <summary>An error at a character index or byte offset.</summary>
    public ParseError(ParseErrorKind kind, int position, string reason, int win32Error)
        : this(kind, ParseLocation.AtOffset(position), reason, win32Error)
    {
    }

    /// <summary>The character index or byte offset of <see cref="Location"/> (0 when the location has none).</summary>
    public int Position => Location.Offset ?? 0;

    /// <summary>The one-based line of <see cref="Location"/> (0 when the location has none).</summary>
    public int Line => Location.Line ?? 0;

    /// <summary>The one-based column of <see cref="Location"/> (0 when the location has none).</summary>
    public int Column => Location.Column ?? 0;

    /// <summary>The path of <see cref="Location"/> (<c>groups[2].attributes[0]</c>); empty when it has none.</summary>
    public string Field => Location.Path ?? "";

    /// <summary>The same error with its offset moved by <paramref name="by"/> and, when given, its reason prefixed (<c>ACE 2: ...</c>).</summary>
    public ParseError Within(int by, string? prefix = null, int? win32Error = null)
        => this with { Location = Location.Shift(by), Reason = prefix + Reason, Win32Error = win32Error ?? Win32Error };

    /// <summary><c>location: reason</c>, or the reason alone when there is no location (see <see cref="ParseLocation.ToString"/>).</summary>
    public override string ToString()
    {
        string at = Location.ToString();
        return at.Length == 0 ? Reason : $"{at}: {Reason}";
    }
}

/// <summary>The exception thrown by the non-<c>Try</c> parse and import methods; it carries the <see cref="ParseError"/>.</summary>
public sealed class NtSecFormatException : FormatException
{
    /// <summary>Creates the exception for an error.</summary>
    public NtSecFormatException(ParseError error)
        : base(MessageOf(error ?? throw new ArgumentNullException(nameof(error)))) => Error = error;

    /// <summary>The kind, location and reason of the failure.</summary>
    public ParseError Error { get; }

    private static string MessageOf(ParseError error)
        => error.Location is { Offset: int offset, Line: null, Path: null } ? $"at {offset}: {error.Reason}" : error.ToString();
}
