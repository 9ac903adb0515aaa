using System.Text;
using System.Text.Json;
using NtSec.Import;

namespace NtSec.Audit.Sources;

/// <summary>A source read from one file; progress is the share of its bytes read.</summary>
public abstract class FileSource : IEstateSource
{
    private readonly FileStream _stream;

    /// <summary>Opens the file.</summary>
    protected FileSource(string file)
    {
        File = file;
        _stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    /// <summary>The file read.</summary>
    public string File { get; }

    /// <summary>The open file.</summary>
    protected Stream Stream => _stream;

    /// <inheritdoc />
    public abstract EstateFormat Format { get; }

    /// <inheritdoc />
    public double? Progress => _stream.Length == 0 ? 1 : (double)_stream.Position / _stream.Length;

    /// <inheritdoc />
    public abstract IEnumerable<EstateEntry> Read(CancellationToken cancellation);

    /// <inheritdoc />
    public void Dispose()
    {
        _stream.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary><c>icacls DIR /save FILE /t</c> output, through the library's <see cref="IcaclsSaveReader"/>.</summary>
public sealed class IcaclsSaveSource(string file) : FileSource(file)
{
    /// <inheritdoc />
    public override EstateFormat Format => EstateFormat.IcaclsSave;

    /// <inheritdoc />
    public override IEnumerable<EstateEntry> Read(CancellationToken cancellation)
    {
        using var text = IcaclsSaveReader.OpenText(Stream);
        var reader = new IcaclsSaveReader(text);
        ParseError? error;
        while (reader.TryReadNext(out var entry, out error))
            yield return new EstateEntry(entry.Path, entry.Sddl, null, null, EntryStatus.Ok, null, null);
        if (error is not null) throw new EstateFormatException($"{File}: line {error.Line}", error.Reason);
    }
}

/// <summary>
/// JSON lines: one object per line with <c>path</c> and <c>sd</c> (SDDL, hexadecimal or base64 of the
/// self-relative form), and optionally <c>securityId</c> (a number) and <c>directory</c> (a boolean).
/// </summary>
public sealed class JsonLinesSource(string file) : FileSource(file)
{
    /// <inheritdoc />
    public override EstateFormat Format => EstateFormat.JsonLines;

    /// <inheritdoc />
    public override IEnumerable<EstateEntry> Read(CancellationToken cancellation)
    {
        using var text = new StreamReader(Stream, new UTF8Encoding(false), true, 1 << 16);
        long line = 0;
        while (text.ReadLine() is { } json)
        {
            line++;
            if (json.AsSpan().IsWhiteSpace()) continue;
            yield return ParseLine(json, line);
        }
    }

    private EstateEntry ParseLine(string json, long line)
    {
        string where = $"{File}: line {line}";
        if (!JsonText.TryParse(json, out var parsed, out var syntax)) throw new EstateFormatException(where, $"not valid JSON: {syntax}");
        using var doc = parsed!;
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("path", out var p) || p.ValueKind != JsonValueKind.String)
                throw new EstateFormatException(where, "expected {\"path\": \"...\", \"sd\": \"...\"}");
            string path = p.GetString()!;
            bool? dir = root.TryGetProperty("directory", out var d) && d.ValueKind is JsonValueKind.True or JsonValueKind.False ? d.GetBoolean() : null;
            uint? id = root.TryGetProperty("securityId", out var s) && s.TryGetUInt32(out uint v) ? v : null;
            if (!root.TryGetProperty("sd", out var sd) || sd.ValueKind != JsonValueKind.String)
                return new EstateEntry(path, null, null, id, EntryStatus.Missing, "no \"sd\" string", dir);
            return DescriptorText.Classify(path, sd.GetString()!, id, dir);
        }
    }
}

/// <summary>Recognises a descriptor given as text by its content: SDDL, hexadecimal, or base64 of the binary form.</summary>
internal static class DescriptorText
{
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    public static EstateEntry Classify(string path, string text, uint? securityId, bool? directory)
    {
        var t = text.Trim();
        if (t.Length >= 2 && t[1] == ':' && t[0] is 'O' or 'G' or 'D' or 'S')
            return new EstateEntry(path, t, null, securityId, EntryStatus.Ok, null, directory);
        if (TryHex(t, out var bytes) || TryBase64(t, out bytes))
            return new EstateEntry(path, null, bytes, securityId, EntryStatus.Ok, null, directory);
        return new EstateEntry(path, null, null, securityId, EntryStatus.Invalid, "the descriptor is neither SDDL, hexadecimal nor base64", directory);
    }

    private static bool TryHex(string t, out byte[] bytes)
    {
        bytes = [];
        var s = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? t[2..] : t;
        if (s.Length == 0 || s.Length % 2 != 0 || s.AsSpan().ContainsAnyExcept(HexDigits)) return false;
        bytes = Convert.FromHexString(s);
        return true;
    }

    private static bool TryBase64(string t, out byte[] bytes)
    {
        bytes = new byte[t.Length];
        if (!Convert.TryFromBase64String(t, bytes, out int n)) return false;
        bytes = bytes[..n];
        return true;
    }
}

/// <summary>
/// <c>Get-ChildItem -Recurse | Get-Acl | Export-Csv</c>: RFC 4180 CSV (fields quoted, quotes doubled, line breaks
/// inside quotes) with an optional <c>#TYPE</c> line, read by its <c>Path</c> and <c>Sddl</c> columns.
/// </summary>
public sealed class GetAclCsvSource(string file) : FileSource(file)
{
    // A field longer than this is not an ACL export: stop rather than buffer without bound.
    private const int MaxField = 1 << 22;

    /// <inheritdoc />
    public override EstateFormat Format => EstateFormat.GetAclCsv;

    /// <inheritdoc />
    public override IEnumerable<EstateEntry> Read(CancellationToken cancellation)
    {
        using var text = IcaclsSaveReader.OpenText(Stream);
        long line = 1;
        var record = new List<string>();
        int pathColumn = -1, sddlColumn = -1;
        bool header = true;
        while (ReadRecord(text, record, ref line))
        {
            if (header)
            {
                if (record.Count == 1 && record[0].StartsWith("#TYPE", StringComparison.Ordinal)) continue;
                pathColumn = record.FindIndex(c => c.Equals("Path", StringComparison.OrdinalIgnoreCase) || c.Equals("PSPath", StringComparison.OrdinalIgnoreCase));
                int exact = record.FindIndex(c => c.Equals("Path", StringComparison.OrdinalIgnoreCase));
                if (exact >= 0) pathColumn = exact;
                sddlColumn = record.FindIndex(c => c.Equals("Sddl", StringComparison.OrdinalIgnoreCase));
                if (pathColumn < 0 || sddlColumn < 0)
                    throw new EstateFormatException($"{File}: line {line - 1}", "the CSV header has no Path and Sddl columns (export Get-Acl objects with Export-Csv)");
                header = false;
                continue;
            }
            if (record.Count == 1 && record[0].Length == 0) continue;
            if (record.Count <= Math.Max(pathColumn, sddlColumn))
                throw new EstateFormatException($"{File}: line {line - 1}", $"the record has {record.Count} fields; the header names {Math.Max(pathColumn, sddlColumn) + 1} or more");
            string path = GetAclParser.ItemPath(record[pathColumn]);
            string sddl = record[sddlColumn];
            yield return sddl.Length == 0
                ? new EstateEntry(path, null, null, null, EntryStatus.Missing, "the Sddl field is empty", null)
                : new EstateEntry(path, sddl, null, null, EntryStatus.Ok, null, null);
        }
        if (header) throw new EstateFormatException(File, "no CSV header");
    }

    private bool ReadRecord(TextReader text, List<string> record, ref long line)
    {
        record.Clear();
        var field = new StringBuilder();
        int c = text.Read();
        if (c < 0) return false;
        bool quoted = false, any = false;
        while (true)
        {
            if (c < 0)
            {
                if (quoted) throw new EstateFormatException($"{File}: line {line}", "a quoted field is not closed before the end of the file");
                record.Add(field.ToString());
                return true;
            }
            char ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (text.Peek() == '"')
                    {
                        text.Read();
                        field.Append('"');
                    }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
            }
            else if (ch == '"' && field.Length == 0 && !any) quoted = true;
            else if (ch == ',')
            {
                record.Add(field.ToString());
                field.Clear();
                any = false;
                c = text.Read();
                continue;
            }
            else if (ch == '\r' && text.Peek() == '\n') { }
            else if (ch == '\n')
            {
                line++;
                record.Add(field.ToString());
                return true;
            }
            else field.Append(ch);
            if (ch != '"') any = true;
            if (field.Length > MaxField) throw new EstateFormatException($"{File}: line {line}", $"a field longer than {MaxField} characters");
            c = text.Read();
        }
    }
}

/// <summary>
/// <c>Get-Acl | ConvertTo-Json</c>: an array of objects (or one object) with <c>Path</c> and <c>Sddl</c>; the array
/// is streamed element by element.
/// </summary>
public sealed class GetAclJsonSource(string file) : FileSource(file)
{
    /// <inheritdoc />
    public override EstateFormat Format => EstateFormat.GetAclJson;

    /// <inheritdoc />
    public override IEnumerable<EstateEntry> Read(CancellationToken cancellation)
    {
        int first;
        do first = Stream.ReadByte();
        while (first is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF);
        Stream.Position = 0;
        IEnumerable<JsonElement> elements;
        if (first == '[')
        {
            elements = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(Stream, cancellationToken: cancellation).ToBlockingEnumerable(cancellation);
        }
        else
        {
            JsonElement one;
            try
            {
                using var doc = JsonDocument.Parse(Stream);
                one = doc.RootElement.Clone();
            }
            catch (JsonException x)
            {
                throw new EstateFormatException(File, "not JSON: " + x.Message);
            }
            elements = [one];
        }
        long index = 0;
        using var e = Wrap(elements).GetEnumerator();
        while (e.MoveNext())
        {
            var element = e.Current;
            string where = $"{File}: element {index++}";
            if (element.ValueKind != JsonValueKind.Object) throw new EstateFormatException(where, "expected an object with Path and Sddl");
            string? path = Property(element, "Path") ?? Property(element, "PSPath");
            if (path is null) throw new EstateFormatException(where, "the object has no Path");
            path = GetAclParser.ItemPath(path);
            string? sddl = Property(element, "Sddl");
            yield return string.IsNullOrEmpty(sddl)
                ? new EstateEntry(path, null, null, null, EntryStatus.Missing, "no Sddl", null)
                : new EstateEntry(path, sddl, null, null, EntryStatus.Ok, null, null);
        }
    }

    private IEnumerable<JsonElement> Wrap(IEnumerable<JsonElement> elements)
    {
        using var e = elements.GetEnumerator();
        while (true)
        {
            try
            {
                if (!e.MoveNext()) yield break;
            }
            catch (JsonException x)
            {
                throw new EstateFormatException(File, "not JSON: " + x.Message);
            }
            yield return e.Current;
        }
    }

    private static string? Property(JsonElement element, string name)
    {
        foreach (var p in element.EnumerateObject())
            if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String) return p.Value.GetString();
        return null;
    }
}
