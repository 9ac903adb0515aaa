using System.Buffers.Text;
using System.Text;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>One attribute value of an LDIF record, with the line it started on.</summary>
/// <param name="Name">The attribute type without options (<c>member</c> for <c>member;range=0-1499</c>).</param>
/// <param name="Options">The options after the type (<c>range=0-1499</c>), or empty.</param>
/// <param name="Value">The value's bytes: UTF-8 for a <c>:</c> value, the decoded bytes for a <c>::</c> value.</param>
/// <param name="Line">The 1-based line the value's first physical line is on.</param>
public sealed record LdifValue(string Name, string Options, byte[] Value, long Line)
{
    /// <summary>The value as UTF-8 text (what LDAP strings are).</summary>
    public string Text => Encoding.UTF8.GetString(Value);
}

/// <summary>An LDIF content record: a DN and its attribute values in file order.</summary>
/// <param name="Dn">The distinguished name (decoded if it was given as <c>dn::</c>).</param>
/// <param name="Line">The line of the <c>dn</c>.</param>
/// <param name="Values">The attribute values.</param>
public sealed record LdifRecord(string Dn, long Line, IReadOnlyList<LdifValue> Values);

/// <summary>Why an LDIF file could not be read, with the line.</summary>
/// <param name="Line">The 1-based physical line.</param>
/// <param name="Reason">What is wrong.</param>
public sealed record LdifError(long Line, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"line {Line}: {Reason}";
}

/// <summary>
/// Streams the content records of an LDIF file (RFC 2849) as <c>ldapsearch</c>, <c>ldifde</c> and <c>ldbsearch</c>
/// write them: folded lines (a line starting with one space continues the previous one, wherever the fold falls,
/// inside an attribute name too), <c>::</c> base64 values, <c>#</c> comments (folded comments too), <c>dn::</c>,
/// <c>version: 1</c> at the start of any block (so concatenated files read as one), and the result blocks
/// <c>ldapsearch</c> prints after each page (<c>search:</c>/<c>result:</c>/<c>control:</c>, no <c>dn</c>), which are
/// skipped. A change record other than <c>changetype: add</c> is an error: an export holds content only.
/// Memory is bounded by one record; a record or a line larger than the limits is an error, never a huge buffer.
/// </summary>
public sealed class LdifReader : IDisposable
{
    /// <summary>The largest logical (unfolded) line accepted, in characters.</summary>
    public const int MaxLineChars = 16 * 1024 * 1024;

    /// <summary>The largest record accepted, in characters of its lines.</summary>
    public const long MaxRecordChars = 64L * 1024 * 1024;

    private readonly TextReader _reader;
    private readonly bool _ownsReader;
    private long _physicalLine;
    private string? _pending;          // a physical line read ahead (the one after a logical line)
    private long _pendingLine;
    private readonly StringBuilder _logical = new();

    /// <summary>Reads from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text; UTF-8 as LDIF is.</param>
    /// <param name="ownsReader">Whether disposing this reader disposes <paramref name="reader"/>.</param>
    public LdifReader(TextReader reader, bool ownsReader = false)
    {
        _reader = reader;
        _ownsReader = ownsReader;
    }

    /// <summary>Opens a file (UTF-8, a BOM honoured).</summary>
    public static LdifReader Open(string path) =>
        new(new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), ownsReader: true);

    /// <summary>The first error, once <see cref="TryRead"/> has returned false because of one.</summary>
    public LdifError? Error { get; private set; }

    /// <summary>How many content records have been returned.</summary>
    public long RecordCount { get; private set; }

    /// <summary>Reads the next content record.</summary>
    /// <param name="record">The record, when true is returned.</param>
    /// <returns>False at the end of the file, or at the first error (<see cref="Error"/> then says where and why).</returns>
    public bool TryRead(out LdifRecord? record)
    {
        record = null;
        if (Error is not null) return false;
        while (true)
        {
            // One block: logical lines up to a blank line or the end.
            var lines = new List<(string Text, long Line)>();
            long chars = 0;
            bool end;
            while (true)
            {
                if (!TryNextLogical(out var text, out long line, out end)) return false;
                if (end || text.Length == 0)
                {
                    if (lines.Count == 0 && !end) continue; // blank lines between records
                    break;
                }
                chars += text.Length;
                if (chars > MaxRecordChars) return Fail(line, $"record longer than {MaxRecordChars} characters");
                lines.Add((text, line));
            }
            if (lines.Count == 0) return false; // end of file
            int start = 0;
            if (lines[0].Text.StartsWith("version:", StringComparison.OrdinalIgnoreCase))
            {
                var v = lines[0].Text.AsSpan(8).Trim();
                if (!v.SequenceEqual("1")) return Fail(lines[0].Line, $"LDIF version '{v}' is not 1");
                start = 1;
                if (lines.Count == 1) continue;
            }
            var first = lines[start];
            if (!IsAttribute(first.Text, "dn"))
            {
                // ldapsearch's result block after each page of a paged search: nothing of the directory.
                if (IsAttribute(first.Text, "search") || IsAttribute(first.Text, "result")) continue;
                return Fail(first.Line, $"a record must start with 'dn:', found '{Clip(first.Text)}'");
            }
            if (!TryValue(first.Text, first.Line, out var dnValue)) return false;
            var values = new List<LdifValue>(lines.Count - start);
            for (int i = start + 1; i < lines.Count; i++)
            {
                var (text, line) = lines[i];
                if (!TryValue(text, line, out var value)) return false;
                if (i == start + 1 && value.Name.Equals("changetype", StringComparison.OrdinalIgnoreCase))
                {
                    if (!value.Text.Trim().Equals("add", StringComparison.OrdinalIgnoreCase))
                        return Fail(line, $"change record 'changetype: {value.Text.Trim()}': an export holds content records only");
                    continue;
                }
                if (value.Name.Equals("control", StringComparison.OrdinalIgnoreCase) && i == start + 1)
                    return Fail(line, "LDIF controls belong to change records; an export holds content records only");
                values.Add(value);
            }
            RecordCount++;
            record = new LdifRecord(dnValue.Text, first.Line, values);
            return true;
        }
    }

    /// <summary>Reads every record, throwing <see cref="LdifException"/> at the first error.</summary>
    public IEnumerable<LdifRecord> ReadAll()
    {
        while (TryRead(out var r)) yield return r!;
        if (Error is not null) throw new LdifException(Error);
    }

    private static bool IsAttribute(string line, string name) =>
        line.Length > name.Length && line.StartsWith(name, StringComparison.OrdinalIgnoreCase) && line[name.Length] == ':';

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "...";

    private bool Fail(long line, string reason)
    {
        Error = new LdifError(line, reason);
        return false;
    }

    // attrval-spec: AttributeDescription ":" [FILL] SAFE-STRING | "::" [FILL] BASE64-STRING | ":<" URL.
    private bool TryValue(string text, long line, out LdifValue value)
    {
        value = null!;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return Fail(line, colon == 0 ? "an attribute name is missing before ':'" : $"no ':' in '{Clip(text)}'");
        var description = text.AsSpan(0, colon);
        int semi = description.IndexOf(';');
        var name = semi < 0 ? description : description[..semi];
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
                return Fail(line, $"'{Clip(description.ToString())}' is not an attribute name");
        string options = semi < 0 ? "" : description[(semi + 1)..].ToString();
        int i = colon + 1;
        byte[] bytes;
        if (i < text.Length && text[i] == ':')
        {
            var b64 = text.AsSpan(i + 1).Trim(' ');
            bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(b64.Length)];
            if (!Convert.TryFromBase64Chars(b64, bytes, out int written))
                return Fail(line, $"the value of '{name}' is not valid base64");
            Array.Resize(ref bytes, written);
        }
        else if (i < text.Length && text[i] == '<')
        {
            return Fail(line, $"'{name}:<' takes its value from a URL, which an export does not use and ntsec does not fetch");
        }
        else
        {
            var safe = text.AsSpan(i).TrimStart(' ');
            bytes = Encoding.UTF8.GetBytes(safe.ToString());
        }
        value = new LdifValue(name.ToString(), options, bytes, line);
        return true;
    }

    // A logical line: a physical line plus the continuation lines (starting with one space) after it. Comments
    // (with their continuations) are dropped. end is true at the end of the file.
    private bool TryNextLogical(out string text, out long line, out bool end)
    {
        text = "";
        line = 0;
        end = false;
        while (true)
        {
            if (!NextPhysical(out var first, out line))
            {
                end = true;
                return !_tooLong || Fail(line, $"line longer than {MaxLineChars} characters");
            }
            if (_tooLong) return Fail(line, $"line longer than {MaxLineChars} characters");
            _logical.Clear();
            _logical.Append(first);
            while (PeekPhysical(out var next) && next.Length > 0 && next[0] == ' ')
            {
                if (_logical.Length + next.Length > MaxLineChars)
                    return Fail(line, $"line longer than {MaxLineChars} characters");
                _logical.Append(next, 1, next.Length - 1);
                _pending = null;
                if (_tooLong) return Fail(_pendingLine, $"line longer than {MaxLineChars} characters");
            }
            if (first.Length > 0 && first[0] == '#') continue;
            if (first.Length > 0 && first[0] == ' ') return Fail(line, "a continuation line (starting with a space) has no line to continue");
            text = _logical.ToString();
            return true;
        }
    }

    private bool NextPhysical(out string text, out long line)
    {
        if (_pending is not null)
        {
            text = _pending;
            line = _pendingLine;
            _pending = null;
            return true;
        }
        var l = ReadBoundedLine();
        line = ++_physicalLine;
        text = l ?? "";
        return l is not null;
    }

    private bool PeekPhysical(out string text)
    {
        if (_pending is null)
        {
            var l = ReadBoundedLine();
            if (l is null)
            {
                text = "";
                return false;
            }
            _pending = l;
            _pendingLine = ++_physicalLine;
        }
        text = _pending;
        return true;
    }

    private readonly char[] _buffer = new char[1 << 16];
    private int _bufferStart;
    private int _bufferEnd;
    private readonly StringBuilder _spill = new();
    private bool _tooLong;

    // ReadLine would buffer a line of any length; this one stops at MaxLineChars and reports it (as the caller's
    // next logical line: TryNextLogical sees _tooLong). CR LF, LF and a lone CR at the end of the file end a line.
    private string? ReadBoundedLine()
    {
        _spill.Clear();
        bool any = false;
        while (true)
        {
            if (_bufferStart == _bufferEnd)
            {
                _bufferEnd = _reader.Read(_buffer, 0, _buffer.Length);
                _bufferStart = 0;
                if (_bufferEnd == 0) return any ? TrimCr(_spill.ToString()) : null;
            }
            any = true;
            var span = _buffer.AsSpan(_bufferStart, _bufferEnd - _bufferStart);
            int nl = span.IndexOf('\n');
            if (nl >= 0 && _spill.Length + nl > MaxLineChars)
            {
                _tooLong = true;
                _bufferStart += nl + 1;
                return "";
            }
            if (nl >= 0)
            {
                string s;
                if (_spill.Length == 0) s = new string(span[..nl]);
                else
                {
                    _spill.Append(span[..nl]);
                    s = _spill.ToString();
                }
                _bufferStart += nl + 1;
                return TrimCr(s);
            }
            if (_spill.Length + span.Length > MaxLineChars)
            {
                _tooLong = true;
                // Skip to the end of the line without keeping it.
                _bufferStart = _bufferEnd;
                while (true)
                {
                    _bufferEnd = _reader.Read(_buffer, 0, _buffer.Length);
                    _bufferStart = 0;
                    if (_bufferEnd == 0) return "";
                    int k = _buffer.AsSpan(0, _bufferEnd).IndexOf('\n');
                    if (k >= 0)
                    {
                        _bufferStart = k + 1;
                        return "";
                    }
                }
            }
            _spill.Append(span);
            _bufferStart = _bufferEnd;
        }
    }

    private static string TrimCr(string s) => s.Length > 0 && s[^1] == '\r' ? s[..^1] : s;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsReader) _reader.Dispose();
    }
}

/// <summary>An LDIF file that could not be read.</summary>
public sealed class LdifException(LdifError error) : Exception(error.ToString())
{
    /// <summary>Where and why.</summary>
    public LdifError Error { get; } = error;
}
