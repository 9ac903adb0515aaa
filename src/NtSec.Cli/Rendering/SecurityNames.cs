using NtSec.Acls;
using NtSec.Descriptors;

namespace NtSec.Cli.Rendering;

/// <summary>The winnt.h names of descriptor control bits and label policies; ACE type and flag names come from their tables in NtSec.Acls.</summary>
internal static class SecurityNames
{
    // The winnt.h/ntseapi.h names, which are not always the SecurityDescriptorControl member names: the headers
    // call 0x0040 (DaclTrusted, MS-DTYP's name) SE_DACL_UNTRUSTED.
    private static readonly (SecurityDescriptorControl Bit, string Name)[] ControlTable =
    [
        (SecurityDescriptorControl.OwnerDefaulted, "SE_OWNER_DEFAULTED"),
        (SecurityDescriptorControl.GroupDefaulted, "SE_GROUP_DEFAULTED"),
        (SecurityDescriptorControl.DaclPresent, "SE_DACL_PRESENT"),
        (SecurityDescriptorControl.DaclDefaulted, "SE_DACL_DEFAULTED"),
        (SecurityDescriptorControl.SaclPresent, "SE_SACL_PRESENT"),
        (SecurityDescriptorControl.SaclDefaulted, "SE_SACL_DEFAULTED"),
        (SecurityDescriptorControl.DaclTrusted, "SE_DACL_UNTRUSTED"),
        (SecurityDescriptorControl.ServerSecurity, "SE_SERVER_SECURITY"),
        (SecurityDescriptorControl.DaclAutoInheritRequired, "SE_DACL_AUTO_INHERIT_REQ"),
        (SecurityDescriptorControl.SaclAutoInheritRequired, "SE_SACL_AUTO_INHERIT_REQ"),
        (SecurityDescriptorControl.DaclAutoInherited, "SE_DACL_AUTO_INHERITED"),
        (SecurityDescriptorControl.SaclAutoInherited, "SE_SACL_AUTO_INHERITED"),
        (SecurityDescriptorControl.DaclProtected, "SE_DACL_PROTECTED"),
        (SecurityDescriptorControl.SaclProtected, "SE_SACL_PROTECTED"),
        (SecurityDescriptorControl.RmControlValid, "SE_RM_CONTROL_VALID"),
        (SecurityDescriptorControl.SelfRelative, "SE_SELF_RELATIVE"),
    ];

    /// <summary>The SE_* names of the set control bits, in bit order.</summary>
    public static IReadOnlyList<string> ControlNames(SecurityDescriptorControl control)
    {
        var names = new List<string>();
        foreach (var (bit, name) in ControlTable)
            if ((control & bit) != 0) names.Add(name);
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
