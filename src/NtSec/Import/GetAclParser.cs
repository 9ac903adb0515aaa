using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Import;

/// <summary>One object of <c>Get-Acl | Format-List</c> output.</summary>
/// <param name="Path">The <c>Path</c> field as printed (<c>Microsoft.PowerShell.Core\FileSystem::C:\Shares\Finance</c>), or null when absent.</param>
/// <param name="Owner">The <c>Owner</c> field (an account name), or null.</param>
/// <param name="Group">The <c>Group</c> field, or null.</param>
/// <param name="Access">The <c>Access</c> field's lines (one rule each, as PowerShell wrote them).</param>
/// <param name="Sddl">The <c>Sddl</c> field, its folded lines joined.</param>
/// <param name="Descriptor">The descriptor the SDDL describes.</param>
/// <param name="Line">The one-based line the object starts on.</param>
public sealed record GetAclRecord(string? Path, string? Owner, string? Group, IReadOnlyList<string> Access, string Sddl, SecurityDescriptor Descriptor, int Line)
{
    /// <summary>The path without PowerShell's provider prefix (<c>C:\Shares\Finance</c>), or null.</summary>
    public string? ItemPath => Path is null ? null : GetAclParser.ItemPath(Path);
}

/// <summary>
/// Reads <c>Get-Acl ... | Format-List</c> output: one <c>Name : value</c> block per object, blocks separated by
/// blank lines. The <c>Sddl</c> value, which PowerShell folds at the console width onto continuation lines indented
/// to the value column, is joined with nothing in between and parsed with <see cref="SddlParser"/>.
/// </summary>
/// <remarks>
/// Every field but <c>Access</c> and <c>Audit</c> (one rule per line) is joined the same way. A fold that fell on a
/// space in the value cannot be told from one that did not; SDDL outside conditional expressions has no spaces.
/// </remarks>
public static class GetAclParser
{
    /// <summary>A Get-Acl path without PowerShell's provider prefix: <c>Microsoft.PowerShell.Core\FileSystem::C:\Shares</c> is <c>C:\Shares</c>.</summary>
    public static string ItemPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int i = path.IndexOf("::", StringComparison.Ordinal);
        return i >= 0 ? path[(i + 2)..] : path;
    }

    /// <summary>Parses Format-List output; see <see cref="TryParse"/>.</summary>
    /// <exception cref="NtSecFormatException">The text was rejected.</exception>
    public static IReadOnlyList<GetAclRecord> Parse(string text, SidContext? context = null)
        => TryParse(text, context, out var records, out var error) ? records! : throw new NtSecFormatException(error!);

    /// <summary>Parses every object in the text. Each needs an <c>Sddl</c> field that <see cref="SddlParser"/> accepts.</summary>
    /// <param name="text">The output as pasted.</param>
    /// <param name="context">The domains for domain-relative SDDL aliases; null for none.</param>
    /// <param name="records">The objects, in order.</param>
    /// <param name="error">Where and why the text was rejected; an SDDL error points at the character in the folded text.</param>
    public static bool TryParse(string text, SidContext? context, out IReadOnlyList<GetAclRecord>? records, out ParseError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        records = null;
        var source = new SourceText(text);
        var result = new List<GetAclRecord>();
        int i = 0;
        while (i < source.Count)
        {
            if (source.IsBlank(i))
            {
                i++;
                continue;
            }
            int first = i;
            while (i < source.Count && !source.IsBlank(i)) i++;
            if (!TryParseRecord(source, first, i, context, out var record, out error)) return false;
            result.Add(record!);
        }
        if (result.Count == 0)
        {
            error = SourceText.At(ParseErrorKind.Missing, 0, 0, "no Format-List output: expected 'Sddl   : ...' among 'Name : value' lines");
            return false;
        }
        records = result;
        error = null;
        return true;
    }

    private sealed class Field(string name, int line)
    {
        public string Name { get; } = name;
        public int Line { get; } = line;
        public List<(string Text, int Line, int Column)> Pieces { get; } = [];
    }

    private static bool TryParseRecord(SourceText source, int first, int end, SidContext? context, out GetAclRecord? record, out ParseError? error)
    {
        record = null;
        var fields = new List<Field>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int colon = -1;
        for (int i = first; i < end; i++)
        {
            string line = source[i].TrimEnd();
            if (line[0] != ' ')
            {
                int nameEnd = 0;
                while (nameEnd < line.Length && (char.IsAsciiLetterOrDigit(line[nameEnd]) || line[nameEnd] == '_')) nameEnd++;
                int c = nameEnd;
                while (c < line.Length && line[c] == ' ') c++;
                // Format-List writes "Name : value": a space before the ':' and one after it.
                if (nameEnd == 0 || c == nameEnd || c >= line.Length || line[c] != ':' || (c + 1 < line.Length && line[c + 1] != ' '))
                {
                    error = SourceText.At(ParseErrorKind.Syntax, i, nameEnd, "expected 'Name : value' (Format-List output)");
                    return false;
                }
                if (colon < 0) colon = c;
                else if (c != colon)
                {
                    error = SourceText.At(ParseErrorKind.Syntax, i, c, $"the ':' is in column {c + 1}, but the object's other fields have it in column {colon + 1}");
                    return false;
                }
                string name = line[..nameEnd];
                if (!seen.Add(name))
                {
                    error = SourceText.At(ParseErrorKind.Duplicate, i, 0, $"the field '{name}' appears twice in one object");
                    return false;
                }
                var field = new Field(name, i);
                int valueStart = Math.Min(line.Length, colon + 2);
                if (valueStart < line.Length) field.Pieces.Add((line[valueStart..], i, valueStart));
                fields.Add(field);
            }
            else
            {
                // Format-List indents continuation lines to the value column: the ':' column plus two.
                int indent = 0;
                while (indent < line.Length && line[indent] == ' ') indent++;
                if (fields.Count == 0 || indent < colon + 2)
                {
                    error = SourceText.At(ParseErrorKind.Syntax, i, indent, fields.Count == 0
                        ? "an indented line before the first 'Name : value' line"
                        : $"a continuation line indented by {indent}; the values start in column {colon + 3}");
                    return false;
                }
                fields[^1].Pieces.Add((line[(colon + 2)..], i, colon + 2));
            }
        }

        var sddlField = fields.Find(f => f.Name.Equals("Sddl", StringComparison.OrdinalIgnoreCase));
        if (sddlField is null || sddlField.Pieces.Count == 0)
        {
            error = SourceText.At(ParseErrorKind.Missing, sddlField?.Line ?? first, 0, sddlField is null
                ? "the object has no 'Sddl' field (pipe Get-Acl to Format-List, which shows it)"
                : "the 'Sddl' field is empty");
            return false;
        }
        var sddl = Join(sddlField);
        if (!SddlParser.TryParse(sddl.Text, context, out var descriptor, out var sddlError))
        {
            error = sddl.At(sddlError!.Kind, sddlError.Position, "Sddl: " + sddlError.Reason, sddlError.Win32Error);
            return false;
        }

        string? Value(string name) => fields.Find(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } f && f.Pieces.Count > 0 ? Join(f).Text : null;
        var access = fields.Find(f => f.Name.Equals("Access", StringComparison.OrdinalIgnoreCase))?.Pieces.Select(p => p.Text).ToList() ?? [];
        record = new GetAclRecord(Value("Path"), Value("Owner"), Value("Group"), access, sddl.Text, descriptor!, first + 1);
        error = null;
        return true;
    }

    private static LogicalLine Join(Field field)
    {
        var builder = new LogicalLine.Builder();
        foreach (var (text, line, column) in field.Pieces) builder.Append(text, line, column);
        return builder.Build();
    }
}
