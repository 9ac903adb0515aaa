using NtSec.Acls;

namespace NtSec.Import;

/// <summary>
/// The permission notation of <c>icacls</c>: its simple rights, its specific rights and the mandatory label
/// policies, with the access masks they stand for on files and directories.
/// </summary>
/// <remarks>
/// icacls prints a mask as one simple right when the mask is exactly one, and otherwise as a comma-separated list
/// in one pair of parentheses that mixes simple and specific rights (<c>(RX,W)</c>, <c>(M,WO,DC)</c>,
/// <c>(S,RD)</c>). Every code is therefore accepted in a list, and the list's masks are OR-ed together.
/// </remarks>
public static class IcaclsRights
{
    /// <summary>F: full access, FILE_ALL_ACCESS.</summary>
    public const uint Full = 0x001F_01FF;
    /// <summary>M: modify, FILE_GENERIC_READ | FILE_GENERIC_WRITE | FILE_GENERIC_EXECUTE | DELETE.</summary>
    public const uint Modify = 0x0013_01BF;
    /// <summary>RX: read and execute, FILE_GENERIC_READ | FILE_GENERIC_EXECUTE.</summary>
    public const uint ReadExecute = 0x0012_00A9;
    /// <summary>R: read, FILE_GENERIC_READ.</summary>
    public const uint Read = 0x0012_0089;
    /// <summary>W: write, FILE_GENERIC_WRITE without READ_CONTROL (R carries READ_CONTROL, so W alone does not).</summary>
    public const uint Write = 0x0010_0116;
    /// <summary>D: delete, DELETE.</summary>
    public const uint Delete = 0x0001_0000;

    /// <summary>SYSTEM_MANDATORY_LABEL_NO_WRITE_UP, icacls <c>NW</c>.</summary>
    public const uint NoWriteUp = LabelPolicies.NoWriteUp;
    /// <summary>SYSTEM_MANDATORY_LABEL_NO_READ_UP, icacls <c>NR</c>.</summary>
    public const uint NoReadUp = LabelPolicies.NoReadUp;
    /// <summary>SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP, icacls <c>NX</c>.</summary>
    public const uint NoExecuteUp = LabelPolicies.NoExecuteUp;

    /// <summary>What a code means.</summary>
    public enum CodeKind
    {
        /// <summary>An access right (simple or specific).</summary>
        Access,
        /// <summary>N: no access, a mask of zero; only on its own.</summary>
        NoAccess,
        /// <summary>A mandatory label policy (NW, NR, NX): the entry is the object's integrity label.</summary>
        LabelPolicy,
    }

    /// <summary>Every code icacls documents, with its mask, in upper case.</summary>
    public static IReadOnlyList<(string Code, uint Mask, CodeKind Kind)> Codes { get; } =
    [
        // Simple rights.
        ("F", Full, CodeKind.Access),
        ("M", Modify, CodeKind.Access),
        ("RX", ReadExecute, CodeKind.Access),
        ("R", Read, CodeKind.Access),
        ("W", Write, CodeKind.Access),
        ("D", Delete, CodeKind.Access),
        ("N", 0, CodeKind.NoAccess),
        // Specific rights: standard rights, generic rights, then the file-specific bits.
        ("DE", 0x0001_0000, CodeKind.Access),
        ("RC", 0x0002_0000, CodeKind.Access),
        ("WDAC", 0x0004_0000, CodeKind.Access),
        ("WO", 0x0008_0000, CodeKind.Access),
        ("S", 0x0010_0000, CodeKind.Access),
        ("AS", 0x0100_0000, CodeKind.Access),
        ("MA", 0x0200_0000, CodeKind.Access),
        ("GR", 0x8000_0000, CodeKind.Access),
        ("GW", 0x4000_0000, CodeKind.Access),
        ("GE", 0x2000_0000, CodeKind.Access),
        ("GA", 0x1000_0000, CodeKind.Access),
        ("RD", 0x0000_0001, CodeKind.Access),
        ("WD", 0x0000_0002, CodeKind.Access),
        ("AD", 0x0000_0004, CodeKind.Access),
        ("REA", 0x0000_0008, CodeKind.Access),
        ("WEA", 0x0000_0010, CodeKind.Access),
        ("X", 0x0000_0020, CodeKind.Access),
        ("DC", 0x0000_0040, CodeKind.Access),
        ("RA", 0x0000_0080, CodeKind.Access),
        ("WA", 0x0000_0100, CodeKind.Access),
        // Mandatory label policies (icacls /setintegritylevel): icacls writes SDDL's codes.
        .. LabelPolicies.All.Select(p => (p.Code, p.Mask, CodeKind.LabelPolicy)),
    ];

    /// <summary>Looks a code up, case-insensitively.</summary>
    public static bool TryGetCode(ReadOnlySpan<char> code, out uint mask, out CodeKind kind)
    {
        foreach (var (name, value, k) in Codes)
        {
            if (code.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                mask = value;
                kind = k;
                return true;
            }
        }
        mask = 0;
        kind = default;
        return false;
    }
}
