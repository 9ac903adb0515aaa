using NtSec.Acls;
using NtSec.Descriptors;

namespace NtSec.Cli.Rendering;

/// <summary>The winnt.h names of descriptor control bits and label policies; ACE type and flag names come from their tables in NtSec.Acls.</summary>
internal static class SecurityNames
{
    // The winnt.h/ntseapi.h names, which are not always the SecurityDescriptorControl member names: the headers
    // call 0x0040 (DaclTrusted, MS-DTYP's name) SE_DACL_UNTRUSTED.
    private static readonly (string Name, uint Bits)[] ControlTable =
    [
        ("SE_OWNER_DEFAULTED", (uint)SecurityDescriptorControl.OwnerDefaulted),
        ("SE_GROUP_DEFAULTED", (uint)SecurityDescriptorControl.GroupDefaulted),
        ("SE_DACL_PRESENT", (uint)SecurityDescriptorControl.DaclPresent),
        ("SE_DACL_DEFAULTED", (uint)SecurityDescriptorControl.DaclDefaulted),
        ("SE_SACL_PRESENT", (uint)SecurityDescriptorControl.SaclPresent),
        ("SE_SACL_DEFAULTED", (uint)SecurityDescriptorControl.SaclDefaulted),
        ("SE_DACL_UNTRUSTED", (uint)SecurityDescriptorControl.DaclTrusted),
        ("SE_SERVER_SECURITY", (uint)SecurityDescriptorControl.ServerSecurity),
        ("SE_DACL_AUTO_INHERIT_REQ", (uint)SecurityDescriptorControl.DaclAutoInheritRequired),
        ("SE_SACL_AUTO_INHERIT_REQ", (uint)SecurityDescriptorControl.SaclAutoInheritRequired),
        ("SE_DACL_AUTO_INHERITED", (uint)SecurityDescriptorControl.DaclAutoInherited),
        ("SE_SACL_AUTO_INHERITED", (uint)SecurityDescriptorControl.SaclAutoInherited),
        ("SE_DACL_PROTECTED", (uint)SecurityDescriptorControl.DaclProtected),
        ("SE_SACL_PROTECTED", (uint)SecurityDescriptorControl.SaclProtected),
        ("SE_RM_CONTROL_VALID", (uint)SecurityDescriptorControl.RmControlValid),
        ("SE_SELF_RELATIVE", (uint)SecurityDescriptorControl.SelfRelative),
    ];

    private static readonly (string Name, uint Bits)[] LabelPolicyTable = [.. LabelPolicies.All.Select(p => (p.SdkName, p.Mask))];

    // The table names all sixteen bits of the control word, so there is never a remainder.
    /// <summary>The SE_* names of the set control bits, in bit order.</summary>
    public static IReadOnlyList<string> ControlNames(SecurityDescriptorControl control) => BitNames.Of((uint)control, ControlTable);

    /// <summary>
    /// The names of a mandatory label ACE's policy bits (NO_WRITE_UP, NO_READ_UP, NO_EXECUTE_UP), with any other bits
    /// as one hexadecimal remainder; an empty list for zero.
    /// </summary>
    public static IReadOnlyList<string> LabelPolicyNames(uint mask) => BitNames.Of(mask, LabelPolicyTable);
}
