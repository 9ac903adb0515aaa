using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;

namespace NtSec.Import;

/// <summary>One path of <c>icacls</c> output: its DACL, and its mandatory label when icacls showed one.</summary>
/// <param name="Path">The path as icacls printed it.</param>
/// <param name="Dacl">The DACL, ACEs in the order icacls listed them (which is the order in the DACL).</param>
/// <param name="Label">A SACL holding the mandatory label ACE icacls listed (<c>Mandatory Label\High Mandatory Level:(NW)</c>), or null.</param>
/// <param name="Line">The one-based line the path starts on.</param>
public sealed record IcaclsEntry(string Path, Acl Dacl, Acl? Label, int Line)
{
    /// <summary>
    /// The entry as a descriptor: the DACL present, the label as the SACL, and no owner or group, since icacls does
    /// not print them. No other control bit is set: icacls shows neither protection nor auto-inheritance.
    /// </summary>
    public SecurityDescriptor ToDescriptor() => new(dacl: Dacl, sacl: Label, control: SecurityDescriptorControl.SelfRelative);
}

/// <summary>
/// Reads the output of <c>icacls PATH</c> (English): one block per path, the first ACE on the path's line and the
/// others on continuation lines indented by the path's length plus one. The
/// <c>Successfully processed N files; Failed processing M files</c> line is skipped.
/// </summary>
/// <remarks>
/// <para>Each ACE is <c>NAME:(flags)...(rights)</c>: the flags <c>(OI)</c>, <c>(CI)</c>, <c>(IO)</c>, <c>(NP)</c>,
/// <c>(I)</c> and <c>(DENY)</c> in any order, then one group of rights (<see cref="IcaclsRights"/>). Names resolve
/// through <see cref="AccountNames.TryResolve"/>; a name that does not resolve is an error, never a guess.</para>
/// <para>With one ACE there are no continuation lines to give the path's length. The path then ends at the space
/// after which the rest of the line is a name that resolves; paths without spaces need no such search.</para>
/// </remarks>
public static class IcaclsParser
{
    private const string SuccessLine = "Successfully processed ";

    // Account names are short (at most 256 characters and a domain); a longer name is never looked up.
    private const int MaxNameLength = 1024;

    // With one ACE the path's end is searched among the last spaces before the name (a long capability name has a
    // dozen), so a hostile line with many spaces costs a bounded number of look-ups.
    private const int MaxNameCandidates = 32;
    private const int MaxCandidateLength = 512;

    /// <summary>Parses icacls output; see <see cref="TryParse"/>.</summary>
    /// <exception cref="NtSecFormatException">The text was rejected.</exception>
    public static IReadOnlyList<IcaclsEntry> Parse(string text, IReadOnlyDictionary<string, Sid>? names = null)
        => TryParse(text, names, out var entries, out var error) ? entries! : throw new NtSecFormatException(error!);

    /// <summary>
    /// Parses icacls output into one entry per path. Fails on anything that is not icacls output, on a name that
    /// does not resolve, and on a path icacls could not read (its error message instead of ACEs).
    /// </summary>
    /// <param name="text">The output as pasted.</param>
    /// <param name="names">Account names the well-known catalogue cannot resolve (<c>CONTOSO\Finance</c>), mapped to SIDs.</param>
    /// <param name="entries">The paths and their DACLs, in order.</param>
    /// <param name="error">Where and why the text was rejected.</param>
    public static bool TryParse(string text, IReadOnlyDictionary<string, Sid>? names, out IReadOnlyList<IcaclsEntry>? entries, out ParseError? error)
        => TryParseWith(text, new SidNameResolver(null, names), out entries, out error);

    /// <summary>Parses icacls output, resolving account names with <paramref name="names"/> (given names, the catalogue, domain-relative names in its domains).</summary>
    /// <param name="text">The output as pasted.</param>
    /// <param name="names">The resolver.</param>
    /// <param name="entries">One entry per path.</param>
    /// <param name="error">The line, column and reason of a rejection.</param>
    public static bool TryParseWith(string text, SidNameResolver names, out IReadOnlyList<IcaclsEntry>? entries, out ParseError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        entries = null;
        var source = new SourceText(text);
        var result = new List<IcaclsEntry>();
        int i = 0;
        while (i < source.Count)
        {
            string line = source[i];
            if (source.IsBlank(i) || line.StartsWith(SuccessLine, StringComparison.Ordinal))
            {
                i++;
                continue;
            }
            if (line[0] == ' ')
            {
                error = SourceText.At(ParseErrorKind.Syntax, i, 0, "an indented ACE line with no path line above it");
                return false;
            }
            int first = i++;
            while (i < source.Count && !source.IsBlank(i) && source[i][0] == ' ') i++;
            if (!TryParseBlock(source, first, i, names, out var entry, out error)) return false;
            result.Add(entry!);
        }
        if (result.Count == 0)
        {
            error = SourceText.At(ParseErrorKind.Missing, 0, 0, "no icacls output: expected 'PATH NAME:(rights)' lines");
            return false;
        }
        entries = result;
        error = null;
        return true;
    }

    // One path: its line and the continuation lines first+1 .. end-1.
    private static bool TryParseBlock(SourceText source, int first, int end, SidNameResolver names, out IcaclsEntry? entry, out ParseError? error)
    {
        entry = null;
        string head = source[first].TrimEnd();
        if (!LooksLikeAce(head))
        {
            error = SourceText.At(ParseErrorKind.Syntax, first, 0, head.Contains(": ", StringComparison.Ordinal)
                ? $"icacls could not read this path: '{head}'"
                : "expected 'PATH NAME:(rights)': the line does not end with an ACE");
            return false;
        }

        int aceStart;
        if (end > first + 1)
        {
            // Windows indents continuation lines by the path's length plus one, so the indent gives the path.
            int indent = LeadingSpaces(source[first + 1]);
            if (indent >= head.Length || head[indent - 1] != ' ')
            {
                error = SourceText.At(ParseErrorKind.Syntax, first + 1, indent, $"the ACE lines are indented by {indent}, so the path would end at column {indent}, but line {first + 1} has no space there");
                return false;
            }
            aceStart = indent;
        }
        else if (!TryFindAceStart(head, names, out aceStart))
        {
            int guess = GuessAceStart(head);
            string name = NameOf(head[guess..]);
            error = SourceText.At(ParseErrorKind.UnmappedName, first, guess, head.AsSpan(0, FindNameEnd(head)).Count(' ') == 1
                ? $"'{name}' is {Unresolved()}"
                : $"cannot tell where the path ends: no name after a space resolves (is '{name}' the name? it is {Unresolved()})");
            return false;
        }

        var dacl = new List<Ace>();
        var label = new List<Ace>();
        if (!TryParseAce(head, aceStart, first, names, dacl, label, out error)) return false;
        for (int i = first + 1; i < end; i++)
        {
            string line = source[i].TrimEnd();
            int indent = LeadingSpaces(line);
            if (indent != aceStart)
            {
                error = SourceText.At(ParseErrorKind.Syntax, i, indent, $"an ACE line indented by {indent}; the path's ACE lines are indented by {aceStart} (the path's length plus one)");
                return false;
            }
            if (!TryParseAce(line, indent, i, names, dacl, label, out error)) return false;
        }
        entry = new IcaclsEntry(head[..(aceStart - 1)], new Acl(dacl), label.Count == 0 ? null : new Acl(label), first + 1);
        return true;
    }

    private static int LeadingSpaces(string line)
    {
        int n = 0;
        while (n < line.Length && line[n] == ' ') n++;
        return n;
    }

    private static string Unresolved() => "not a well-known account, a SID, or a name given in the map";

    // With a single ACE: the path ends at a space after which the rest of the line is an ACE whose name resolves.
    // The leftmost such space wins, which keeps the longest name (NT AUTHORITY\SYSTEM rather than a shorter tail).
    private static bool TryFindAceStart(string head, SidNameResolver names, out int start)
    {
        int colon = FindNameEnd(head);
        var candidates = new List<int>();
        for (int p = colon - 1; p > 0 && colon - p <= MaxCandidateLength && candidates.Count < MaxNameCandidates; p--)
            if (head[p - 1] == ' ' && head[p] != ' ') candidates.Add(p);
        for (int k = candidates.Count - 1; k >= 0; k--)
        {
            if (names.TryResolveName(head[candidates[k]..colon], out _))
            {
                start = candidates[k];
                return true;
            }
        }
        start = 0;
        return false;
    }

    // For the error message: the likeliest name is the one after the last space before a backslash in the name
    // part, or after the first space when the name has no domain.
    private static int GuessAceStart(string head)
    {
        int colon = FindNameEnd(head);
        int backslash = head.LastIndexOf('\\', colon - 1);
        int space = backslash > 0 ? head.LastIndexOf(' ', backslash) : head.IndexOf(' ');
        if (space < 0 || space >= colon) space = head.IndexOf(' ');
        return space < 0 ? 0 : space + 1;
    }

    private static string NameOf(string ace) => ace[..FindNameEnd(ace)];

    // The ':' before the trailing "(...)(...)" groups; names may hold ':' and parentheses, the groups may not.
    private static int FindNameEnd(string ace)
    {
        int i = ace.Length;
        while (i > 0 && ace[i - 1] == ')')
        {
            int open = ace.LastIndexOf('(', i - 1);
            if (open < 0 || ace.AsSpan(open + 1, i - 2 - open).IndexOfAny('(', ')') >= 0) return -1;
            i = open;
            if (i > 0 && ace[i - 1] == ':') return i - 1;
        }
        return -1;
    }

    /// <summary>True when the line ends like an icacls ACE: <c>NAME:(...)</c> with groups of letters and commas only.</summary>
    internal static bool LooksLikeAce(string line)
    {
        int colon = FindNameEnd(line);
        if (colon <= 0) return false;
        foreach (char c in line.AsSpan(colon + 1))
            if (!(char.IsAsciiLetter(c) || c is ',' or '(' or ')')) return false;
        return true;
    }

    private static bool TryParseAce(string line, int start, int lineIndex, SidNameResolver names, List<Ace> dacl, List<Ace> label, out ParseError? error)
    {
        string ace = line[start..];
        int colon = FindNameEnd(ace);
        if (colon < 0)
        {
            error = SourceText.At(ParseErrorKind.Syntax, lineIndex, start, "expected NAME:(rights), e.g. BUILTIN\\Users:(OI)(CI)(RX)");
            return false;
        }
        string name = ace[..colon];
        if (name.Length == 0)
        {
            error = SourceText.At(ParseErrorKind.Missing, lineIndex, start, "the ACE has no name before ':'");
            return false;
        }
        if (name.Length > MaxNameLength || !names.TryResolveName(name, out var sid))
        {
            error = SourceText.At(ParseErrorKind.UnmappedName, lineIndex, start, $"'{name}' is {Unresolved()}");
            return false;
        }

        var flags = AceFlags.None;
        bool deny = false;
        uint mask = 0;
        bool haveRights = false, isLabel = false;
        int pos = colon + 1;
        while (pos < ace.Length)
        {
            int close = ace.IndexOf(')', pos);
            string group = ace[(pos + 1)..close];
            int column = start + pos + 1;
            if (haveRights)
            {
                error = SourceText.At(ParseErrorKind.Syntax, lineIndex, column, $"'({group})' after the rights: flags come first and the rights last");
                return false;
            }
            if (TryFlag(group, out var flag, out bool isDeny))
            {
                if ((flag != AceFlags.None && (flags & flag) != 0) || (isDeny && deny))
                {
                    error = SourceText.At(ParseErrorKind.Duplicate, lineIndex, column, $"'({group})' given twice");
                    return false;
                }
                flags |= flag;
                deny |= isDeny;
            }
            else
            {
                if (!TryParseRights(group, lineIndex, column, out mask, out isLabel, out error)) return false;
                haveRights = true;
            }
            pos = close + 1;
        }
        if (!haveRights)
        {
            error = SourceText.At(ParseErrorKind.Missing, lineIndex, start + ace.Length, "the ACE has flags but no rights, e.g. (F) or (RX)");
            return false;
        }

        if (isLabel)
        {
            if (sid.IdentifierAuthority != 16 || sid.SubAuthorityCount != 1)
            {
                error = SourceText.At(ParseErrorKind.NotAllowedHere, lineIndex, start, $"NW, NR and NX are mandatory label policies, but '{name}' is not an integrity level (S-1-16-x)");
                return false;
            }
            if (deny)
            {
                error = SourceText.At(ParseErrorKind.NotAllowedHere, lineIndex, start, "a mandatory label cannot be (DENY)");
                return false;
            }
            if (label.Count > 0)
            {
                error = SourceText.At(ParseErrorKind.Duplicate, lineIndex, start, "a second mandatory label for the same path");
                return false;
            }
            label.Add(new Ace(AceType.SystemMandatoryLabel, flags, mask, sid));
        }
        else
        {
            dacl.Add(new Ace(deny ? AceType.AccessDenied : AceType.AccessAllowed, flags, mask, sid));
        }
        error = null;
        return true;
    }

    private static bool TryFlag(string group, out AceFlags flag, out bool deny)
    {
        deny = false;
        flag = group.ToUpperInvariant() switch
        {
            "OI" => AceFlags.ObjectInherit,
            "CI" => AceFlags.ContainerInherit,
            "IO" => AceFlags.InheritOnly,
            "NP" => AceFlags.NoPropagateInherit,
            "I" => AceFlags.Inherited,
            _ => AceFlags.None,
        };
        if (flag != AceFlags.None) return true;
        deny = group.Equals("DENY", StringComparison.OrdinalIgnoreCase);
        return deny;
    }

    private static bool TryParseRights(string group, int lineIndex, int column, out uint mask, out bool isLabel, out ParseError? error)
    {
        mask = 0;
        isLabel = false;
        bool access = false, none = false;
        int offset = 0;
        foreach (var code in group.Split(','))
        {
            if (!IcaclsRights.TryGetCode(code, out uint bits, out var kind))
            {
                error = SourceText.At(code.Length == 0 ? ParseErrorKind.Missing : ParseErrorKind.UnknownName, lineIndex, column + offset, code.Length == 0
                    ? "an empty right in the list"
                    : $"unknown right '{code}' (icacls codes: {string.Join(", ", IcaclsRights.Codes.Select(c => c.Code))})");
                return false;
            }
            switch (kind)
            {
                case IcaclsRights.CodeKind.LabelPolicy: isLabel = true; break;
                case IcaclsRights.CodeKind.NoAccess: none = true; break;
                default: access = true; break;
            }
            mask |= bits;
            offset += code.Length + 1;
        }
        if ((isLabel && (access || none)) || (none && group.Contains(',', StringComparison.Ordinal)))
        {
            error = SourceText.At(ParseErrorKind.NotAllowedHere, lineIndex, column, isLabel
                ? $"'({group})' mixes mandatory label policies (NW, NR, NX) with access rights"
                : "N (no access) stands alone");
            return false;
        }
        error = null;
        return true;
    }
}
