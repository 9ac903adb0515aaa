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
    public const uint Full = FileAccessRights.AllAccess;
    /// <summary>M: modify, FILE_GENERIC_READ | FILE_GENERIC_WRITE | FILE_GENERIC_EXECUTE | DELETE.</summary>
    public const uint Modify = FileAccessRights.GenericRead | FileAccessRights.GenericWrite | FileAccessRights.GenericExecute | AccessMask.Delete;
    /// <summary>RX: read and execute, FILE_GENERIC_READ | FILE_GENERIC_EXECUTE.</summary>
    public const uint ReadExecute = FileAccessRights.GenericRead | FileAccessRights.GenericExecute;
    /// <summary>R: read, FILE_GENERIC_READ.</summary>
    public const uint Read = FileAccessRights.GenericRead;
    /// <summary>W: write, FILE_GENERIC_WRITE without READ_CONTROL (R carries READ_CONTROL, so W alone does not).</summary>
    public const uint Write = FileAccessRights.GenericWrite & ~AccessMask.ReadControl;
    /// <summary>D: delete, DELETE.</summary>
    public const uint Delete = AccessMask.Delete;

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
        ("DE", AccessMask.Delete, CodeKind.Access),
        ("RC", AccessMask.ReadControl, CodeKind.Access),
        ("WDAC", AccessMask.WriteDac, CodeKind.Access),
        ("WO", AccessMask.WriteOwner, CodeKind.Access),
        ("S", AccessMask.Synchronize, CodeKind.Access),
        ("AS", AccessMask.AccessSystemSecurity, CodeKind.Access),
        ("MA", AccessMask.MaximumAllowed, CodeKind.Access),
        ("GR", AccessMask.GenericRead, CodeKind.Access),
        ("GW", AccessMask.GenericWrite, CodeKind.Access),
        ("GE", AccessMask.GenericExecute, CodeKind.Access),
        ("GA", AccessMask.GenericAll, CodeKind.Access),
        ("RD", FileAccessRights.ReadData, CodeKind.Access),
        ("WD", FileAccessRights.WriteData, CodeKind.Access),
        ("AD", FileAccessRights.AppendData, CodeKind.Access),
        ("REA", FileAccessRights.ReadEa, CodeKind.Access),
        ("WEA", FileAccessRights.WriteEa, CodeKind.Access),
        ("X", FileAccessRights.Execute, CodeKind.Access),
        ("DC", FileAccessRights.DeleteChild, CodeKind.Access),
        ("RA", FileAccessRights.ReadAttributes, CodeKind.Access),
        ("WA", FileAccessRights.WriteAttributes, CodeKind.Access),
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
