using NtSec.Acls;
using NtSec.Descriptors;

namespace NtSec.Cli.Rendering;

/// <summary>The winnt.h names of descriptor control bits and label policies; ACE type and flag names come from their tables in NtSec.Acls.</summary>
internal static class SecurityNames
{
    // Named by bit value from winnt.h/ntseapi.h rather than from the SecurityDescriptorControl member names: the
    // headers put SE_DACL_UNTRUSTED at 0x0040 and SE_SERVER_SECURITY at 0x0080.
    private static readonly (ushort Bit, string Name)[] ControlTable =
    [
        (0x0001, "SE_OWNER_DEFAULTED"),
        (0x0002, "SE_GROUP_DEFAULTED"),
        (0x0004, "SE_DACL_PRESENT"),
        (0x0008, "SE_DACL_DEFAULTED"),
        (0x0010, "SE_SACL_PRESENT"),
        (0x0020, "SE_SACL_DEFAULTED"),
        (0x0040, "SE_DACL_UNTRUSTED"),
        (0x0080, "SE_SERVER_SECURITY"),
        (0x0100, "SE_DACL_AUTO_INHERIT_REQ"),
        (0x0200, "SE_SACL_AUTO_INHERIT_REQ"),
        (0x0400, "SE_DACL_AUTO_INHERITED"),
        (0x0800, "SE_SACL_AUTO_INHERITED"),
        (0x1000, "SE_DACL_PROTECTED"),
        (0x2000, "SE_SACL_PROTECTED"),
        (0x4000, "SE_RM_CONTROL_VALID"),
        (0x8000, "SE_SELF_RELATIVE"),
    ];

    /// <summary>The SE_* names of the set control bits, in bit order.</summary>
    public static IReadOnlyList<string> ControlNames(SecurityDescriptorControl control)
    {
        var names = new List<string>();
        foreach (var (bit, name) in ControlTable)
            if (((ushort)control & bit) != 0) names.Add(name);
        return names;
    }

    /// <summary>
    /// The names of a mandatory label ACE's policy bits (NO_WRITE_UP, NO_READ_UP, NO_EXECUTE_UP), with any other bits
    /// as one hexadecimal remainder; an empty list for zero.
    /// </summary>
    public static IReadOnlyList<string> LabelPolicyNames(uint mask)
    {
        var names = new List<string>();
        uint rest = mask;
        foreach (var p in LabelPolicies.All)
        {
            if ((rest & p.Mask) == 0) continue;
            rest &= ~p.Mask;
            names.Add(p.SdkName);
        }
        if (rest != 0) names.Add(Hex.Mask(rest, pad: false));
        return names;
    }
}
