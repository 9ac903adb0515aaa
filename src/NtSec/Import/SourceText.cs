using System.Text;

namespace NtSec.Import;

/// <summary>
/// The physical lines of a pasted text: split at LF, a CR before the LF dropped, a leading byte order mark removed.
/// Line numbers are one-based as editors show them.
/// </summary>
internal sealed class SourceText
{
    private readonly string[] _lines;

    public SourceText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var span = text.AsSpan();
        if (span.Length > 0 && span[0] == '\uFEFF') span = span[1..];
        var lines = new List<string>();
        while (true)
        {
            int nl = span.IndexOf('\n');
            var line = nl < 0 ? span : span[..nl];
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            lines.Add(line.ToString());
            if (nl < 0) break;
            span = span[(nl + 1)..];
        }
        // A final line break ends the last line; it does not start an empty one.
        if (lines.Count > 1 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        _lines = [.. lines];
    }

    /// <summary>The number of lines.</summary>
    public int Count => _lines.Length;

    /// <summary>Line <paramref name="index"/> (zero-based), without its line break.</summary>
    public string this[int index] => _lines[index];

    /// <summary>True when line <paramref name="index"/> holds only white space.</summary>
    public bool IsBlank(int index) => _lines[index].AsSpan().IsWhiteSpace();

    /// <summary>An error at a zero-based line index and zero-based column (reported one-based, as editors show them).</summary>
    public static ParseError At(ParseErrorKind kind, int index, int column, string reason, int win32Error = 0)
        => new(kind, ParseLocation.AtLine(index + 1, column + 1), reason, win32Error);
}

/// <summary>
/// One logical line made of pieces of physical lines: a row of a table that the console hard-wrapped, a CSV record
/// split over lines, or a Format-List value folded at the console width. Positions in the joined text map back to
/// the physical line and column they came from, so errors point into the text as pasted.
/// </summary>
internal sealed class LogicalLine
{
    private readonly int[] _starts;
    private readonly int[] _lines;
    private readonly int[] _columns;

    private LogicalLine(string text, int[] starts, int[] lines, int[] columns)
    {
        Text = text;
        _starts = starts;
        _lines = lines;
        _columns = columns;
    }

    /// <summary>The joined text.</summary>
    public string Text { get; }

    /// <summary>The zero-based physical line the logical line starts on.</summary>
    public int FirstLine => _lines[0];

    /// <summary>The error for a position in <see cref="Text"/>; a position at the end points just after the last piece.</summary>
    public ParseError At(ParseErrorKind kind, int index, string reason, int win32Error = 0)
    {
        int i = _starts.Length - 1;
        while (i > 0 && _starts[i] > index) i--;
        return SourceText.At(kind, _lines[i], _columns[i] + Math.Max(0, index - _starts[i]), reason, win32Error);
    }

    /// <summary>Builds a logical line piece by piece.</summary>
    public sealed class Builder
    {
        private readonly StringBuilder _text = new();
        private readonly List<int> _starts = [];
        private readonly List<int> _lines = [];
        private readonly List<int> _columns = [];

        /// <summary>The length joined so far.</summary>
        public int Length => _text.Length;

        /// <summary>Appends <paramref name="piece"/>, which starts at <paramref name="column"/> of physical line <paramref name="line"/>.</summary>
        public Builder Append(string piece, int line, int column = 0)
        {
            _starts.Add(_text.Length);
            _lines.Add(line);
            _columns.Add(column);
            _text.Append(piece);
            return this;
        }

        /// <summary>The logical line.</summary>
        public LogicalLine Build() => _starts.Count == 0
            ? throw new InvalidOperationException("A logical line needs at least one piece.")
            : new LogicalLine(_text.ToString(), [.. _starts], [.. _lines], [.. _columns]);
    }
}
