using System.Text;

namespace NtSec.Import;

/// <summary>One object of an <c>icacls DIR /save FILE /t</c> file: its path and its descriptor as SDDL.</summary>
/// <param name="Path">The path as icacls wrote it: relative to the parent of the directory saved.</param>
/// <param name="Sddl">The SDDL line (usually <c>D:...</c>, with <c>S:</c> for a label); not parsed here, so that a caller can deduplicate the text first.</param>
/// <param name="Line">The one-based line of the path.</param>
public readonly record struct IcaclsSaveEntry(string Path, string Sddl, long Line);

/// <summary>
/// Streams the file <c>icacls DIR /save FILE /t</c> writes: pairs of lines, a path and then the SDDL of its
/// descriptor. icacls writes UTF-16LE without a byte order mark; files converted by other tools may carry one, or be
/// UTF-8: <see cref="OpenText"/> tells them apart by content.
/// </summary>
/// <remarks>
/// The SDDL line is recognised by its start: a component letter and a colon (<c>D:</c>, <c>S:</c>, <c>O:</c>,
/// <c>G:</c>). A path line that would look like SDDL is impossible, because a saved path has no drive letter.
/// Blank lines between entries are skipped.
/// </remarks>
public sealed class IcaclsSaveReader
{
    private readonly TextReader _reader;
    private long _line;

    /// <summary>Reads entries from text (see <see cref="OpenText"/> for a file).</summary>
    public IcaclsSaveReader(TextReader reader) => _reader = reader ?? throw new ArgumentNullException(nameof(reader));

    /// <summary>
    /// A reader over a stream in the encoding its first bytes show: a UTF-16LE or UTF-8 byte order mark, else
    /// UTF-16LE when the second byte is zero and the first is not (an ASCII character in UTF-16LE), else UTF-8.
    /// The stream must be seekable or its first two bytes are consumed by the look.
    /// </summary>
    public static TextReader OpenText(Stream stream, int bufferSize = 1 << 16)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[2];
        int n = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        if (stream.CanSeek) stream.Position = 0;
        bool utf16 = n == 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] != 0 && head[1] == 0));
        return new StreamReader(stream, utf16 ? Encoding.Unicode : new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize);
    }

    /// <summary>True when a line is an SDDL line of a save file rather than a path.</summary>
    public static bool IsSddlLine(ReadOnlySpan<char> line)
        => line.Length >= 2 && line[1] == ':' && line[0] is 'D' or 'S' or 'O' or 'G';

    /// <summary>Reads the next entry.</summary>
    /// <param name="entry">The entry read.</param>
    /// <param name="error">Why the text is not a save file, with the line; null at the end of the text.</param>
    /// <returns>True when an entry was read; false at the end or on an error.</returns>
    public bool TryReadNext(out IcaclsSaveEntry entry, out ParseError? error)
    {
        entry = default;
        error = null;
        string? path;
        do
        {
            path = _reader.ReadLine();
            _line++;
            if (path is null) return false;
            if (_line == 1 && path.Length > 0 && path[0] == '\uFEFF') path = path[1..];
        }
        while (path.AsSpan().IsWhiteSpace());
        if (IsSddlLine(path))
        {
            error = new ParseError(ParseErrorKind.Syntax, ParseLocation.AtLine(checked((int)Math.Min(_line, int.MaxValue)), 1), "an SDDL line where a path was expected (icacls /save writes a path line, then its SDDL line)");
            return false;
        }
        long pathLine = _line;
        string? sddl = _reader.ReadLine();
        _line++;
        if (sddl is null || !IsSddlLine(sddl.AsSpan().TrimStart('\uFEFF')))
        {
            error = new ParseError(sddl is null ? ParseErrorKind.Missing : ParseErrorKind.Syntax, ParseLocation.AtLine((int)Math.Min(_line, int.MaxValue), 1), sddl is null
                ? $"the path '{path}' has no SDDL line after it"
                : "expected the SDDL line (D:... or S:...) of the path above");
            return false;
        }
        entry = new IcaclsSaveEntry(path, sddl.TrimEnd(), pathLine);
        return true;
    }

    /// <summary>True when text starts like a save file: a line that is not SDDL followed by one that is.</summary>
    public static bool LooksLikeSaveFile(string firstLine, string? secondLine)
        => firstLine is not null && !IsSddlLine(firstLine) && firstLine.Length > 0 && secondLine is not null && IsSddlLine(secondLine);
}
