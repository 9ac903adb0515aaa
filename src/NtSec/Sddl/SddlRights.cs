using NtSec.Acls;


namespace NtSec.Sddl;

/// <summary>SDDL right codes (<c>GA</c>, <c>FA</c>, <c>RP</c>, <c>NW</c> ...) and how Windows reads and writes masks with them.</summary>
public static class SddlRights
{
    /// <summary>
    /// The single-bit codes, in ascending bit order: the order Windows writes them in
    /// (<c>CCDCLCSWRPWPDTLOCRSDRCWDWO</c>, <c>GAGXGWGR</c>).
    /// </summary>
    public static IReadOnlyList<(string Code, uint Mask)> BitCodes { get; } =
    [
        ("CC", DirectoryServiceAccessRights.CreateChild), ("DC", DirectoryServiceAccessRights.DeleteChild),
        ("LC", DirectoryServiceAccessRights.List), ("SW", DirectoryServiceAccessRights.Self),
        ("RP", DirectoryServiceAccessRights.ReadProperty), ("WP", DirectoryServiceAccessRights.WriteProperty),
        ("DT", DirectoryServiceAccessRights.DeleteTree), ("LO", DirectoryServiceAccessRights.ListObject),
        ("CR", DirectoryServiceAccessRights.ControlAccess),
        ("SD", AccessMask.Delete), ("RC", AccessMask.ReadControl), ("WD", AccessMask.WriteDac), ("WO", AccessMask.WriteOwner),
        ("GA", AccessMask.GenericAll), ("GX", AccessMask.GenericExecute), ("GW", AccessMask.GenericWrite), ("GR", AccessMask.GenericRead),
    ];

    /// <summary>
    /// The whole-mask codes, written only for an exact match, first match first (so 0x20019 is written <c>KR</c>).
    /// </summary>
    public static IReadOnlyList<(string Code, uint Mask)> WholeCodes { get; } =
    [
        ("FA", FileAccessRights.AllAccess), ("FR", FileAccessRights.GenericRead),
        ("FW", FileAccessRights.GenericWrite), ("FX", FileAccessRights.GenericExecute),
        ("KA", KeyAccessRights.AllAccess), ("KR", KeyAccessRights.Read), ("KW", KeyAccessRights.Write), ("KX", KeyAccessRights.Execute),
    ];

    /// <summary>The mandatory-label codes, used in ML ACEs only.</summary>
    public static IReadOnlyList<(string Code, uint Mask)> LabelCodes { get; } = [.. LabelPolicies.All.Select(p => (p.Code, p.Mask))];

    // Every two-letter code, indexed by its two letters folded to upper case (26 x 26 slots), so the parser's
    // hot loop resolves a code with one array read. A zero slot means "no such code" (no code has value 0).
    private static readonly uint[] CodeTable = BuildCodeTable();

    private static uint[] BuildCodeTable()
    {
        var table = new uint[26 * 26];
        // Label codes first, then whole-mask and bit codes, so that a code present in two tables keeps the
        // meaning of the later one; the codes are disjoint in practice.
        foreach (var list in new[] { LabelCodes, WholeCodes, BitCodes })
            foreach (var (code, mask) in list)
                table[Slot(code[0], code[1])] = mask;
        return table;
    }

    private static int Slot(char a, char b) => ((a | 0x20) - 'a') * 26 + ((b | 0x20) - 'a');

    /// <summary>Looks up one two-letter code, case-insensitively, across every table.</summary>
    public static bool TryLookup(ReadOnlySpan<char> code, out uint mask)
    {
        mask = 0;
        if (code.Length != 2 || !char.IsAsciiLetter(code[0]) || !char.IsAsciiLetter(code[1])) return false;
        mask = CodeTable[Slot(code[0], code[1])];
        return mask != 0;
    }

    /// <summary>Parses a run of right codes (<c>CCDCLC</c>) into a mask.</summary>
    public static bool TryParseCodes(ReadOnlySpan<char> text, out uint mask)
    {
        mask = 0;
        if (text.Length == 0 || text.Length % 2 != 0) return false;
        for (int i = 0; i < text.Length; i += 2)
        {
            if (!TryLookup(text.Slice(i, 2), out uint m)) return false;
            mask |= m;
        }
        return true;
    }

    /// <summary>
    /// Writes a mask as Windows does: a whole-mask code on an exact match; otherwise the bit codes in ascending
    /// order when every set bit has one; otherwise the whole mask in lower-case hexadecimal. Zero is written as
    /// nothing. In a mandatory label ACE, only NW, NR and NX are used.
    /// </summary>
    public static string Format(uint mask, bool labelAce)
    {
        var sb = new System.Text.StringBuilder(16);
        AppendTo(sb, mask, labelAce);
        return sb.ToString();
    }

    /// <summary><see cref="Format"/> into a builder, creating no string (the SDDL writer's path).</summary>
    internal static void AppendTo(System.Text.StringBuilder sb, uint mask, bool labelAce)
    {
        if (mask == 0) return;
        if (labelAce)
        {
            AppendWithBits(sb, mask, LabelArray, LabelBits);
            return;
        }
        foreach (var (code, whole) in WholeArray)
        {
            if (whole == mask)
            {
                sb.Append(code);
                return;
            }
        }
        AppendWithBits(sb, mask, BitArray, AllBits);
    }

    // The tables as arrays for the writer's loops (an interface call per entry cost more than the writing), and the
    // bits each covers.
    private static readonly (string Code, uint Mask)[] BitArray = [.. BitCodes], WholeArray = [.. WholeCodes], LabelArray = [.. LabelCodes];
    private static readonly uint AllBits = Or(BitArray), LabelBits = Or(LabelArray);

    private static uint Or((string Code, uint Mask)[] table)
    {
        uint all = 0;
        foreach (var (_, m) in table) all |= m;
        return all;
    }

    private static void AppendWithBits(System.Text.StringBuilder sb, uint mask, (string Code, uint Mask)[] table, uint covered)
    {
        if ((mask & ~covered) != 0)
        {
            // 0x and lower-case hex digits without leading zeros, by hand: uint.TryFormat with "x" parses its
            // format string each time, and cost more than the rest of the rights.
            Span<char> hex = stackalloc char[10];
            int start = hex.Length;
            for (uint rest = mask; rest != 0; rest >>= 4) hex[--start] = "0123456789abcdef"[(int)(rest & 0xF)];
            hex[--start] = 'x';
            hex[--start] = '0';
            sb.Append(hex[start..]);
            return;
        }
        foreach (var (code, m) in table)
            if ((mask & m) != 0) sb.Append(code);
    }
}
