using System.Text;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Import;

/// <summary>The layout <c>whoami /all</c> printed (its <c>/fo</c> option).</summary>
public enum WhoamiFormat
{
    /// <summary><c>/fo table</c>, the default: columns whose widths the <c>=====</c> underline gives.</summary>
    Table,
    /// <summary><c>/fo list</c>: <c>Label: value</c> lines, one blank-separated record per row.</summary>
    List,
    /// <summary><c>/fo csv</c>: a quoted header row and quoted rows per table.</summary>
    Csv,
}

/// <summary>A row of whoami's GROUP INFORMATION table.</summary>
/// <param name="Name">The group name as printed (empty when whoami could not name the SID).</param>
/// <param name="Type">The SID type as printed (<c>Well-known group</c>, <c>Alias</c>, <c>Group</c> ...).</param>
/// <param name="Sid">The SID.</param>
/// <param name="Attributes">The attributes printed, plus SE_GROUP_LOGON_ID for a logon session SID (S-1-5-5-X-Y), which whoami does not print.</param>
/// <param name="Line">The one-based line of the row.</param>
public sealed record WhoamiGroup(string Name, string Type, Sid Sid, GroupAttributes Attributes, int Line);

/// <summary>A row of whoami's PRIVILEGES INFORMATION table.</summary>
/// <param name="Name">The privilege name (<c>SeChangeNotifyPrivilege</c>).</param>
/// <param name="Description">The description as printed.</param>
/// <param name="Enabled">True for the state <c>Enabled</c>, false for <c>Disabled</c>.</param>
/// <param name="Line">The one-based line of the row.</param>
public sealed record WhoamiPrivilege(string Name, string Description, bool Enabled, int Line);

/// <summary>What <see cref="WhoamiParser"/> read, and the token it made of it.</summary>
public sealed class WhoamiResult
{
    internal WhoamiResult(WhoamiFormat format, string userName, Sid user, IReadOnlyList<WhoamiGroup> groups, Sid integrityLevel,
        IReadOnlyList<WhoamiPrivilege> privileges, IReadOnlyList<string> notes, Token token)
    {
        Format = format;
        UserName = userName;
        User = user;
        Groups = groups;
        IntegrityLevel = integrityLevel;
        Privileges = privileges;
        Notes = notes;
        Token = token;
    }

    /// <summary>The layout the text was in.</summary>
    public WhoamiFormat Format { get; }

    /// <summary>The user name as printed (<c>desktop-7h2k1q\dana</c>).</summary>
    public string UserName { get; }

    /// <summary>The user SID.</summary>
    public Sid User { get; }

    /// <summary>The groups, in whoami's order, without the mandatory label row.</summary>
    public IReadOnlyList<WhoamiGroup> Groups { get; }

    /// <summary>
    /// Gives <paramref name="names"/> the name whoami printed for the user and for every group: those are the names
    /// the user's own tools gave the SIDs, so output names them the same way.
    /// </summary>
    /// <param name="names">The resolver of the command or request the file was read for.</param>
    public void GiveNamesTo(SidNameResolver names)
    {
        ArgumentNullException.ThrowIfNull(names);
        names.Give(UserName, User);
        foreach (var g in Groups) names.Give(g.Name, g.Sid);
    }

    /// <summary>The SID of the <c>Mandatory Label\...</c> row (type <c>Label</c>).</summary>
    public Sid IntegrityLevel { get; }

    /// <summary>The privileges whoami listed: only those the token holds.</summary>
    public IReadOnlyList<WhoamiPrivilege> Privileges { get; }

    /// <summary>What was read but not used, or read with a consequence worth saying (the user claims section, text before the first section).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// The token: the user, the groups with their attributes, the label as integrity level, the privileges. It is an
    /// impersonation token at SecurityImpersonation, the copy <c>DuplicateToken</c> makes of a process token so that
    /// <c>AccessCheck</c> accepts it; what whoami does not print (owner, primary group, default DACL, logon session,
    /// restricting SIDs) has <see cref="TokenBuilder"/>'s defaults.
    /// </summary>
    public Token Token { get; }
}

/// <summary>
/// Reads the output of <c>whoami /all</c> (English) in any of its three layouts, <c>/fo table</c>,
/// <c>/fo list</c> and <c>/fo csv</c>, into a <see cref="Token"/>.
/// </summary>
/// <remarks>
/// <para>Tables are read by the columns the <c>=====</c> underline marks. Output the console hard-wrapped (a capture
/// of a console narrower than the table) is joined back: the wrap width is the length of the underline's first line
/// when the underline continues on the next line, and a row continues while its line is exactly that long. In the
/// list layout a line that is not <c>Label: value</c> continues the value above it; in CSV a record continues while
/// a quote is open or the next line starts with a comma.</para>
/// <para>Privileges: <c>Enabled</c> becomes SE_PRIVILEGE_ENABLED and <c>Disabled</c> no attribute. Whoami does not
/// print SE_PRIVILEGE_ENABLED_BY_DEFAULT, so it is never set: the access check does not read it, and claiming it
/// would invent a fact.</para>
/// </remarks>
public static class WhoamiParser
{
    private enum Section
    {
        User,
        Groups,
        Privileges,
    }

    private sealed record Spec(Section Section, string Title, string[] Columns);

    private static readonly Spec[] Specs =
    [
        new(Section.User, "USER INFORMATION", ["User Name", "SID"]),
        new(Section.Groups, "GROUP INFORMATION", ["Group Name", "Type", "SID", "Attributes"]),
        new(Section.Privileges, "PRIVILEGES INFORMATION", ["Privilege Name", "Description", "State"]),
    ];

    private const string ClaimsTitle = "USER CLAIMS INFORMATION";

    // A CSV record is rejoined over at most this many lines, so an unclosed quote cannot make the parser
    // concatenate the whole input again and again.
    private const int MaxRecordLines = 64;

    private static readonly (string Text, GroupAttributes Bits)[] AttributeWords =
    [
        ("Mandatory group", GroupAttributes.Mandatory),
        ("Enabled by default", GroupAttributes.EnabledByDefault),
        ("Enabled group", GroupAttributes.Enabled),
        ("Group owner", GroupAttributes.Owner),
        ("Group used for deny only", GroupAttributes.UseForDenyOnly),
        // SE_GROUP_RESOURCE: whoami calls a domain-local group a "Local Group".
        ("Local Group", GroupAttributes.Resource),
    ];

    private readonly record struct Cell(string Value, LogicalLine Source, int Index)
    {
        public ParseError At(ParseErrorKind kind, int offset, string reason) => Source.At(kind, Index + offset, reason);
    }

    private sealed record Row(Cell[] Cells, int Line);

    private sealed record Title(int Index, Spec? Spec);

    /// <summary>Parses whoami output; see <see cref="TryParse"/>.</summary>
    /// <exception cref="NtSecFormatException">The text was rejected.</exception>
    public static WhoamiResult Parse(string text) => TryParse(text, out var result, out var error) ? result! : throw new NtSecFormatException(error!);

    /// <summary>
    /// Parses <c>whoami /all</c> output. The user, group and privilege sections are required (a token without them
    /// would lack deny-only groups and so could be granted more than the real one); a user claims section saying the
    /// claims are unknown gives a token without user claims, with a note, and one that lists claims is refused. An unknown group attribute or privilege, or an AppContainer's SIDs, are errors.
    /// </summary>
    /// <param name="text">The output as pasted.</param>
    /// <param name="result">What was read, and the token.</param>
    /// <param name="error">Where and why the text was rejected.</param>
    public static bool TryParse(string text, out WhoamiResult? result, out ParseError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        result = null;
        var source = new SourceText(text);
        var notes = new List<string>();
        var rows = new Dictionary<Section, (List<Row> Rows, int Line)>();

        var titles = FindTitles(source);
        int firstContent = FirstNonBlank(source, 0, source.Count);
        if (firstContent < 0)
        {
            error = SourceText.At(ParseErrorKind.Missing, 0, 0, "no whoami output: the text is empty");
            return false;
        }
        WhoamiFormat format;
        if (titles.TrueForAll(t => t.Spec is null))
        {
            if (!source[firstContent].StartsWith('"'))
            {
                error = SourceText.At(ParseErrorKind.Missing, firstContent, 0, "no USER INFORMATION section: expected the output of whoami /all (English)");
                return false;
            }
            format = WhoamiFormat.Csv;
            if (!TryReadCsv(source, firstContent, source.Count, null, rows, notes, out error)) return false;
        }
        else
        {
            if (titles[0].Index > firstContent) notes.Add($"lines {firstContent + 1}-{titles[0].Index} before the first section were ignored");
            int firstSection = titles.FindIndex(t => t.Spec is not null);
            int userStart = FirstNonBlank(source, titles[firstSection].Index + 2, firstSection + 1 < titles.Count ? titles[firstSection + 1].Index : source.Count);
            format = userStart < 0 ? WhoamiFormat.Table
                : source[userStart].StartsWith('"') ? WhoamiFormat.Csv
                : source[userStart].StartsWith("User Name:", StringComparison.Ordinal) ? WhoamiFormat.List
                : WhoamiFormat.Table;
            for (int t = 0; t < titles.Count; t++)
            {
                var title = titles[t];
                int from = title.Index + 2, to = t + 1 < titles.Count ? titles[t + 1].Index : source.Count;
                if (title.Spec is null)
                {
                    if (!TryReadClaims(source, from, to, title.Index, notes, out error)) return false;
                    continue;
                }
                if (rows.ContainsKey(title.Spec.Section))
                {
                    error = SourceText.At(ParseErrorKind.Duplicate, title.Index, 0, $"a second {title.Spec.Title} section");
                    return false;
                }
                bool ok = format switch
                {
                    WhoamiFormat.Table => TryReadTable(source, from, to, title.Spec, out var table, out error) && Add(rows, title, table!),
                    WhoamiFormat.List => TryReadList(source, from, to, title.Spec, out var list, out error) && Add(rows, title, list!),
                    _ => TryReadCsv(source, from, to, title.Spec, rows, notes, out error),
                };
                if (!ok) return false;
            }
        }

        foreach (var spec in Specs)
        {
            if (!rows.ContainsKey(spec.Section))
            {
                error = SourceText.At(ParseErrorKind.Missing, source.Count - 1, 0, $"no {spec.Title} section: whoami /all prints user, groups and privileges, and a token needs all three");
                return false;
            }
        }
        return TryInterpret(format, rows, notes, out result, out error);
    }

    // The only claims text whoami is known (from Windows output) to print says the token carries no user claims:
    // "User claims unknown.", then, on a device where Kerberos does not ask for claims, why. A section that lists
    // claims is refused rather than read by a guessed layout: a token read without its claims is not a safe
    // approximation, since Not_Exists and negated conditions grant on a missing claim.
    private static bool TryReadClaims(SourceText source, int from, int to, int titleLine, List<string> notes, out ParseError? error)
    {
        // A paragraph is read whole: a console narrower than the text hard-wraps it without a break character.
        int i = from;
        while (i < to)
        {
            if (source.IsBlank(i)) { i++; continue; }
            int start = i;
            var paragraph = new System.Text.StringBuilder();
            while (i < to && !source.IsBlank(i) && paragraph.Length <= MaxClaimsParagraph) paragraph.Append(source[i++]);
            string text = paragraph.ToString().Trim();
            if (text.AsSpan().ContainsAnyExcept('-') && !Array.Exists(NoClaimsLines, l => l == text))
            {
                error = SourceText.At(ParseErrorKind.Unsupported, start, 0, $"the {ClaimsTitle} section lists claims, and NtSec has no Windows sample of that layout to read it by: give the token's claims as userClaims in the token JSON instead");
                return false;
            }
        }
        notes.Add($"the {ClaimsTitle} section (line {titleLine + 1}) says the user claims are unknown: the token carries no user claims");
        error = null;
        return true;
    }

    // Longer than any paragraph whoami prints there, so a paragraph is never joined without bound.
    private const int MaxClaimsParagraph = 256;

    private static readonly string[] NoClaimsLines =
    [
        "User claims unknown.",
        "Kerberos support for Dynamic Access Control on this device has been disabled.",
    ];

    private static bool Add(Dictionary<Section, (List<Row>, int)> rows, Title title, List<Row> list)
    {
        rows[title.Spec!.Section] = (list, title.Index);
        return true;
    }

    // A title is the section name on its own line with a line of as many dashes under it.
    private static List<Title> FindTitles(SourceText source)
    {
        var titles = new List<Title>();
        for (int i = 0; i + 1 < source.Count; i++)
        {
            string line = source[i].TrimEnd();
            string dashes = source[i + 1].TrimEnd();
            if (dashes.Length != line.Length || dashes.Length == 0 || dashes.AsSpan().ContainsAnyExcept('-')) continue;
            if (line == ClaimsTitle) titles.Add(new Title(i, null));
            else if (Array.Find(Specs, s => s.Title == line) is { } spec) titles.Add(new Title(i, spec));
        }
        return titles;
    }

    private static int FirstNonBlank(SourceText source, int from, int to)
    {
        for (int i = from; i < to; i++)
            if (!source.IsBlank(i)) return i;
        return -1;
    }

    private static bool IsUnderlinePiece(string line) => line.AsSpan().TrimEnd().Length > 0 && !line.AsSpan().ContainsAnyExcept("= ");

    // ---- /fo table ----

    private static bool TryReadTable(SourceText source, int from, int to, Spec spec, out List<Row>? rows, out ParseError? error)
    {
        rows = null;
        int start = FirstNonBlank(source, from, to);
        if (start < 0)
        {
            error = SourceText.At(ParseErrorKind.Missing, from - 2, 0, $"the {spec.Title} section is empty");
            return false;
        }
        int u = start;
        while (u < to && !(IsUnderlinePiece(source[u]) && source[u][0] == '=')) u++;
        if (u == to)
        {
            error = SourceText.At(ParseErrorKind.Missing, start, 0, $"no '=====' line under the column names of {spec.Title}");
            return false;
        }
        // An underline that goes on over the next line was hard-wrapped by the console: its first line is as long
        // as the console is wide.
        var underlineBuilder = new LogicalLine.Builder().Append(source[u], u);
        int? wrap = null;
        int r = u + 1;
        for (; r < to && !source.IsBlank(r) && IsUnderlinePiece(source[r]); r++)
        {
            wrap ??= source[u].Length;
            underlineBuilder.Append(source[r], r);
        }
        var underline = underlineBuilder.Build();

        // The column names, rejoined the same way; a piece of a wrapped line may hold only padding.
        var headerBuilder = new LogicalLine.Builder();
        for (int i = start; i < u; i++)
            if (!source.IsBlank(i) || (source[i].Length > 0 && source[i].Length == wrap)) headerBuilder.Append(source[i], i);
        if (headerBuilder.Length == 0 || headerBuilder.Build().Text.AsSpan().IsWhiteSpace())
        {
            error = SourceText.At(ParseErrorKind.Missing, u, 0, $"no column names above the '=====' line of {spec.Title}");
            return false;
        }
        var header = headerBuilder.Build();
        string marks = underline.Text.TrimEnd();
        var columns = new List<(int Start, int End)>();
        for (int i = 0; i < marks.Length;)
        {
            if (marks[i] == ' ')
            {
                i++;
                continue;
            }
            int s = i;
            while (i < marks.Length && marks[i] == '=') i++;
            columns.Add((s, i));
        }
        if (columns.Count != spec.Columns.Length)
        {
            error = underline.At(ParseErrorKind.Syntax, 0, $"the '=====' line marks {columns.Count} columns; the {spec.Title} table has {spec.Columns.Length} ({string.Join(", ", spec.Columns)})");
            return false;
        }
        for (int k = 0; k < columns.Count; k++)
        {
            int s = columns[k].Start;
            int e = Math.Min(k + 1 < columns.Count ? columns[k + 1].Start : header.Text.Length, header.Text.Length);
            string name = s < e ? header.Text[s..e].Trim() : "";
            if (name != spec.Columns[k])
            {
                error = header.At(ParseErrorKind.Syntax, s, $"column {k + 1} of {spec.Title} is '{name}', expected '{spec.Columns[k]}' (only English whoami output is understood)");
                return false;
            }
        }
        int tableWidth = marks.Length;

        rows = [];
        bool ended = false;
        while (r < to)
        {
            if (source.IsBlank(r))
            {
                // A line exactly as wide as the console leaves an empty line behind it when the console wraps.
                if (!ended && wrap is int w && source[r - 1].Length == w && r + 1 < to && !source.IsBlank(r + 1)) { r++; continue; }
                ended = rows.Count > 0 || ended;
                r++;
                continue;
            }
            if (ended)
            {
                error = SourceText.At(ParseErrorKind.TrailingData, r, 0, $"unexpected text after the {spec.Title} table");
                return false;
            }
            var builder = new LogicalLine.Builder().Append(source[r], r);
            string piece = source[r++];
            while (wrap is int width && piece.Length == width && r < to && source[r].Length > 0
                && builder.Length + source[r].TrimEnd().Length <= tableWidth)
            {
                piece = source[r];
                builder.Append(piece, r++);
            }
            var line = builder.Build();
            if (!TryCells(line, columns, spec, out var cells, out error)) return false;
            rows.Add(new Row(cells!, line.FirstLine));
        }
        error = null;
        return true;
    }

    private static bool TryCells(LogicalLine line, List<(int Start, int End)> columns, Spec spec, out Cell[]? cells, out ParseError? error)
    {
        string text = line.Text;
        cells = new Cell[columns.Count];
        for (int k = 0; k < columns.Count; k++)
        {
            int s = columns[k].Start;
            int e = k + 1 < columns.Count ? columns[k + 1].Start - 1 : text.Length;
            if (k + 1 < columns.Count && e < text.Length && text[e] != ' ')
            {
                error = line.At(ParseErrorKind.Syntax, e, $"the {spec.Columns[k]} value runs past its '=====' underline into the next column");
                cells = null;
                return false;
            }
            string raw = s < text.Length ? text[s..Math.Min(e, text.Length)] : "";
            int lead = raw.Length - raw.TrimStart().Length;
            cells[k] = new Cell(raw.Trim(), line, Math.Min(s, text.Length) + lead);
        }
        error = null;
        return true;
    }

    // ---- /fo list ----

    private static bool TryReadList(SourceText source, int from, int to, Spec spec, out List<Row>? rows, out ParseError? error)
    {
        rows = [];
        var labels = spec.Columns;
        LogicalLine.Builder?[]? fields = null;
        int recordLine = -1, current = -1;
        for (int r = from; r < to; r++)
        {
            if (source.IsBlank(r))
            {
                if (fields is not null && !TryFlush(fields, recordLine, spec, rows, out error)) return false;
                fields = null;
                current = -1;
                continue;
            }
            string line = source[r];
            int k = Array.FindIndex(labels, l => line.Length > l.Length && line[l.Length] == ':' && line.StartsWith(l, StringComparison.Ordinal));
            if (k == 0)
            {
                if (fields is not null && !TryFlush(fields, recordLine, spec, rows, out error)) return false;
                fields = new LogicalLine.Builder?[labels.Length];
                recordLine = r;
            }
            if (k >= 0)
            {
                if (fields is null)
                {
                    error = SourceText.At(ParseErrorKind.Syntax, r, 0, $"'{labels[k]}:' before '{labels[0]}:' in {spec.Title}");
                    return false;
                }
                if (fields[k] is not null)
                {
                    error = SourceText.At(ParseErrorKind.Duplicate, r, 0, $"a second '{labels[k]}:' line in one record");
                    return false;
                }
                int valueStart = labels[k].Length + 1;
                fields[k] = new LogicalLine.Builder().Append(line[valueStart..], r, valueStart);
                current = k;
            }
            else if (current >= 0)
            {
                // A value the console hard-wrapped goes on at the start of the next line.
                fields![current]!.Append(line, r);
            }
            else
            {
                error = SourceText.At(ParseErrorKind.Syntax, r, 0, $"expected '{labels[0]}: ...' in {spec.Title}");
                return false;
            }
        }
        if (fields is not null && !TryFlush(fields, recordLine, spec, rows, out error)) return false;
        if (rows.Count == 0)
        {
            error = SourceText.At(ParseErrorKind.Missing, from - 2, 0, $"the {spec.Title} section has no records");
            return false;
        }
        error = null;
        return true;
    }

    private static bool TryFlush(LogicalLine.Builder?[] fields, int line, Spec spec, List<Row> rows, out ParseError? error)
    {
        var cells = new Cell[fields.Length];
        for (int k = 0; k < fields.Length; k++)
        {
            if (fields[k] is not { } builder)
            {
                error = SourceText.At(ParseErrorKind.Missing, line, 0, $"the record has no '{spec.Columns[k]}:' line");
                return false;
            }
            var logical = builder.Build();
            string raw = logical.Text;
            int lead = raw.Length - raw.TrimStart().Length;
            cells[k] = new Cell(raw.Trim(), logical, lead);
        }
        rows.Add(new Row(cells, line));
        error = null;
        return true;
    }

    // ---- /fo csv ----

    // Reads CSV tables. With a section title (expected is set) the range holds that section's header and rows; without
    // titles each header row says which table the rows under it belong to, so both spellings of the output are read.
    private static bool TryReadCsv(SourceText source, int from, int to, Spec? expected, Dictionary<Section, (List<Row> Rows, int Line)> tables, List<string> notes, out ParseError? error)
    {
        Spec? spec = null;
        List<Row>? rows = null;
        bool ended = false;
        int r = from;
        while (r < to)
        {
            if (source.IsBlank(r))
            {
                if (spec is not null) ended = true;
                spec = expected is null ? null : spec;
                r++;
                continue;
            }
            string line = source[r];
            if (!line.StartsWith('"'))
            {
                if (expected is null && (line.TrimEnd() == ClaimsTitle || line.StartsWith("User claims", StringComparison.Ordinal)))
                {
                    int body = line.TrimEnd() == ClaimsTitle ? r + 1 : r;
                    if (!TryReadClaims(source, body, to, r, notes, out error)) return false;
                    break;
                }
                error = SourceText.At(ParseErrorKind.Syntax, r, 0, "expected a quoted CSV line (whoami /fo csv)");
                return false;
            }
            if (ended && expected is not null)
            {
                error = SourceText.At(ParseErrorKind.TrailingData, r, 0, $"unexpected text after the {expected.Title} table");
                return false;
            }
            if (!TryCsvRecord(source, ref r, to, out var cells, out error)) return false;
            if (spec is null)
            {
                var header = Array.ConvertAll(cells!, c => c.Value);
                spec = expected ?? Array.Find(Specs, s => s.Columns.AsSpan().SequenceEqual(header));
                if (spec is null || !spec.Columns.AsSpan().SequenceEqual(header))
                {
                    error = cells![0].At(ParseErrorKind.Syntax, -1, expected is null
                        ? "not a whoami CSV header: expected \"User Name\",\"SID\", \"Group Name\",\"Type\",\"SID\",\"Attributes\" or \"Privilege Name\",\"Description\",\"State\" (output with /nh cannot be read)"
                        : $"the {expected.Title} header should be {string.Join(",", expected.Columns.Select(c => "\"" + c + "\""))}");
                    return false;
                }
                if (tables.ContainsKey(spec.Section))
                {
                    error = cells![0].At(ParseErrorKind.Duplicate, -1, $"a second {spec.Title} table");
                    return false;
                }
                rows = [];
                tables[spec.Section] = (rows, cells![0].Source.FirstLine);
                ended = false;
                continue;
            }
            if (cells!.Length != spec.Columns.Length)
            {
                error = cells[0].At(ParseErrorKind.Syntax, -1, $"{cells.Length} values where the {spec.Title} table has {spec.Columns.Length} ({string.Join(", ", spec.Columns)})");
                return false;
            }
            rows!.Add(new Row(cells, cells[0].Source.FirstLine));
        }
        error = null;
        return true;
    }

    // One CSV record starting at line r, rejoining lines the console hard-wrapped: inside a quote, or when the
    // next line starts with the ',' that separates two values.
    private static bool TryCsvRecord(SourceText source, ref int r, int to, out Cell[]? cells, out ParseError? error)
    {
        cells = null;
        var builder = new LogicalLine.Builder().Append(source[r], r);
        var text = new StringBuilder(source[r]);
        int joined = 1;
        int next = r + 1;
        bool Join()
        {
            if (next < to && source.IsBlank(next) && next + 1 < to && !source.IsBlank(next + 1)) next++;
            if (next >= to || source.IsBlank(next) || joined >= MaxRecordLines) return false;
            builder.Append(source[next], next);
            text.Append(source[next]);
            next++;
            joined++;
            return true;
        }

        var values = new List<(string Value, int Index)>();
        int pos = 0;
        while (true)
        {
            if (pos < text.Length && text[pos] == '"')
            {
                int start = ++pos;
                var value = new StringBuilder();
                while (true)
                {
                    if (pos >= text.Length)
                    {
                        if (Join()) continue;
                        error = builder.Build().At(ParseErrorKind.Truncated, start - 1, "a quoted value is not closed");
                        return false;
                    }
                    char c = text[pos];
                    if (c == '"')
                    {
                        if (pos + 1 < text.Length && text[pos + 1] == '"')
                        {
                            value.Append('"');
                            pos += 2;
                            continue;
                        }
                        pos++;
                        break;
                    }
                    value.Append(c);
                    pos++;
                }
                values.Add((value.ToString(), start));
            }
            else
            {
                int start = pos;
                while (pos < text.Length && text[pos] != ',') pos++;
                values.Add((text.ToString(start, pos - start).Trim(), start));
            }
            while (pos < text.Length && text[pos] is ' ' or '\t') pos++;
            if (pos >= text.Length && !(next < to && source[next].StartsWith(',') && Join())) break;
            if (text[pos] != ',')
            {
                error = builder.Build().At(ParseErrorKind.Syntax, pos, "expected ',' between quoted values");
                return false;
            }
            pos++;
            if (pos >= text.Length && !Join())
            {
                error = builder.Build().At(ParseErrorKind.Missing, pos, "the line ends with ',' and no value follows");
                return false;
            }
        }
        var line = builder.Build();
        cells = values.Select(v => new Cell(v.Value, line, v.Index)).ToArray();
        r = next;
        error = null;
        return true;
    }

    // ---- meaning ----

    private static bool TryInterpret(WhoamiFormat format, Dictionary<Section, (List<Row> Rows, int Line)> tables, List<string> notes, out WhoamiResult? result, out ParseError? error)
    {
        result = null;
        var (userRows, userLine) = tables[Section.User];
        if (userRows.Count != 1)
        {
            error = userRows.Count == 0
                ? SourceText.At(ParseErrorKind.Missing, userLine, 0, "the USER INFORMATION section has no row")
                : userRows[1].Cells[0].At(ParseErrorKind.Duplicate, 0, "a second row in USER INFORMATION: whoami prints one user");
            return false;
        }
        var userCells = userRows[0].Cells;
        if (!TrySid(userCells[1], out var user, out error)) return false;

        var groups = new List<WhoamiGroup>();
        Sid? label = null;
        var (groupRows, groupLine) = tables[Section.Groups];
        foreach (var row in groupRows)
        {
            var c = row.Cells;
            if (!TrySid(c[2], out var sid, out error)) return false;
            if (!TryAttributes(c[3], out var attributes, out error)) return false;
            bool isLabelType = c[1].Value == "Label";
            if (sid.IdentifierAuthority == 16)
            {
                if (sid.SubAuthorityCount != 1 || !isLabelType)
                {
                    error = c[2].At(ParseErrorKind.NotAllowedHere, 0, sid.SubAuthorityCount != 1 ? "a mandatory label SID has one sub-authority (S-1-16-x)" : $"an integrity SID with type '{c[1].Value}'; whoami prints it with type 'Label'");
                    return false;
                }
                if (label is not null)
                {
                    error = c[0].At(ParseErrorKind.Duplicate, 0, "a second Mandatory Label row: a token has one integrity level");
                    return false;
                }
                label = sid;
                continue;
            }
            if (isLabelType)
            {
                error = c[2].At(ParseErrorKind.NotAllowedHere, 0, "a row of type 'Label' whose SID is not an integrity level (S-1-16-x)");
                return false;
            }
            if (sid.IdentifierAuthority == 15 && !(sid == WellKnownSids.AllApplicationPackages || sid == WellKnownSids.AllRestrictedApplicationPackages))
            {
                error = c[2].At(ParseErrorKind.Unsupported, 0, "an AppContainer package or capability SID: whoami does not show which SID is the package and which are capabilities, so an AppContainer token cannot be imported");
                return false;
            }
            // whoami does not print SE_GROUP_LOGON_ID; the logon session SID is the one of the form S-1-5-5-X-Y.
            if (sid.IdentifierAuthority == 5 && sid.SubAuthorityCount == 3 && sid.GetSubAuthority(0) == 5) attributes |= GroupAttributes.LogonId;
            groups.Add(new WhoamiGroup(c[0].Value, c[1].Value, sid, attributes, row.Line + 1));
        }
        if (label is not { } integrity)
        {
            error = SourceText.At(ParseErrorKind.Missing, groupLine, 0, "no 'Mandatory Label\\...' row in GROUP INFORMATION: the token's integrity level is unknown");
            return false;
        }

        var privileges = new List<WhoamiPrivilege>();
        var seen = new HashSet<Luid>();
        foreach (var row in tables[Section.Privileges].Rows)
        {
            var c = row.Cells;
            if (!Tokens.Privileges.TryGetLuid(c[0].Value, out var luid))
            {
                error = c[0].At(ParseErrorKind.UnknownName, 0, $"unknown privilege '{c[0].Value}'");
                return false;
            }
            if (!seen.Add(luid))
            {
                error = c[0].At(ParseErrorKind.Duplicate, 0, $"{c[0].Value} is listed twice");
                return false;
            }
            bool enabled;
            if (c[2].Value == "Enabled") enabled = true;
            else if (c[2].Value == "Disabled") enabled = false;
            else
            {
                error = c[2].At(ParseErrorKind.UnknownName, 0, $"the state '{c[2].Value}' is neither 'Enabled' nor 'Disabled'");
                return false;
            }
            privileges.Add(new WhoamiPrivilege(Tokens.Privileges.NameOf(luid), c[1].Value, enabled, row.Line + 1));
        }

        var builder = new TokenBuilder(user) { IntegrityLevel = integrity };
        foreach (var g in groups) builder.AddGroup(g.Sid, g.Attributes);
        foreach (var p in privileges)
        {
            Tokens.Privileges.TryGetLuid(p.Name, out var luid);
            builder.PrivilegeList.Add(new Privilege(luid, p.Enabled ? PrivilegeAttributes.Enabled : PrivilegeAttributes.None));
        }
        result = new WhoamiResult(format, userCells[0].Value, user, groups, integrity, privileges, notes, builder.Build());
        error = null;
        return true;
    }

    private static bool TrySid(Cell cell, out Sid sid, out ParseError? error)
    {
        if (Sid.TryParse(cell.Value, out sid, out var sidError))
        {
            error = null;
            return true;
        }
        error = cell.At(sidError!.Kind, sidError.Position, $"'{cell.Value}' is not a SID: {sidError.Reason}");
        return false;
    }

    private static bool TryAttributes(Cell cell, out GroupAttributes attributes, out ParseError? error)
    {
        attributes = GroupAttributes.None;
        string value = cell.Value;
        int offset = 0;
        while (value.Length > 0 && offset <= value.Length)
        {
            int comma = value.IndexOf(',', offset);
            int end = comma < 0 ? value.Length : comma;
            string word = value[offset..end].Trim();
            int at = offset + (value[offset..end].Length - value[offset..end].TrimStart().Length);
            var known = Array.Find(AttributeWords, a => a.Text == word);
            if (known.Text is null)
            {
                error = cell.At(word.Length == 0 ? ParseErrorKind.Missing : ParseErrorKind.UnknownName, at, word.Length == 0
                    ? "an empty group attribute"
                    : $"unknown group attribute '{word}' (whoami prints {string.Join(", ", AttributeWords.Select(a => "'" + a.Text + "'"))})");
                return false;
            }
            attributes |= known.Bits;
            if (comma < 0) break;
            offset = comma + 1;
        }
        error = null;
        return true;
    }
}
