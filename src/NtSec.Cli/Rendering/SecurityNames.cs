using NtSec.Acls;
using NtSec.Descriptors;

namespace NtSec.Cli.Rendering;

/// <summary>The winnt.h names and SDDL codes of ACE types, ACE flags and descriptor control bits.</summary>
internal static class SecurityNames
{
    private static readonly (AceType Type, string Name)[] AceTypes =
    [
        (AceType.AccessAllowed, "ACCESS_ALLOWED_ACE_TYPE"),
        (AceType.AccessDenied, "ACCESS_DENIED_ACE_TYPE"),
        (AceType.SystemAudit, "SYSTEM_AUDIT_ACE_TYPE"),
        (AceType.SystemAlarm, "SYSTEM_ALARM_ACE_TYPE"),
        (AceType.AccessAllowedCompound, "ACCESS_ALLOWED_COMPOUND_ACE_TYPE"),
        (AceType.AccessAllowedObject, "ACCESS_ALLOWED_OBJECT_ACE_TYPE"),
        (AceType.AccessDeniedObject, "ACCESS_DENIED_OBJECT_ACE_TYPE"),
        (AceType.SystemAuditObject, "SYSTEM_AUDIT_OBJECT_ACE_TYPE"),
        (AceType.SystemAlarmObject, "SYSTEM_ALARM_OBJECT_ACE_TYPE"),
        (AceType.AccessAllowedCallback, "ACCESS_ALLOWED_CALLBACK_ACE_TYPE"),
        (AceType.AccessDeniedCallback, "ACCESS_DENIED_CALLBACK_ACE_TYPE"),
        (AceType.AccessAllowedCallbackObject, "ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE"),
        (AceType.AccessDeniedCallbackObject, "ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE"),
        (AceType.SystemAuditCallback, "SYSTEM_AUDIT_CALLBACK_ACE_TYPE"),
        (AceType.SystemAlarmCallback, "SYSTEM_ALARM_CALLBACK_ACE_TYPE"),
        (AceType.SystemAuditCallbackObject, "SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE"),
        (AceType.SystemAlarmCallbackObject, "SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE"),
        (AceType.SystemMandatoryLabel, "SYSTEM_MANDATORY_LABEL_ACE_TYPE"),
        (AceType.SystemResourceAttribute, "SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE"),
        (AceType.SystemScopedPolicyId, "SYSTEM_SCOPED_POLICY_ID_ACE_TYPE"),
        (AceType.SystemProcessTrustLabel, "SYSTEM_PROCESS_TRUST_LABEL_ACE_TYPE"),
        (AceType.SystemAccessFilter, "SYSTEM_ACCESS_FILTER_ACE_TYPE"),
    ];

    // Bit order. Bit 0x40 has two names: on an access filter ACE it is TRUST_PROTECTED_FILTER_ACE_FLAG, elsewhere
    // SUCCESSFUL_ACCESS_ACE_FLAG.
    private static readonly (AceFlags Flag, string Name)[] AceFlagTable =
    [
        (AceFlags.ObjectInherit, "OBJECT_INHERIT_ACE"),
        (AceFlags.ContainerInherit, "CONTAINER_INHERIT_ACE"),
        (AceFlags.NoPropagateInherit, "NO_PROPAGATE_INHERIT_ACE"),
        (AceFlags.InheritOnly, "INHERIT_ONLY_ACE"),
        (AceFlags.Inherited, "INHERITED_ACE"),
        (AceFlags.Critical, "CRITICAL_ACE_FLAG"),
        (AceFlags.SuccessfulAccess, "SUCCESSFUL_ACCESS_ACE_FLAG"),
        (AceFlags.FailedAccess, "FAILED_ACCESS_ACE_FLAG"),
    ];

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

    private static readonly (uint Bit, string Name)[] LabelRights =
    [
        (0x1, "SYSTEM_MANDATORY_LABEL_NO_WRITE_UP"),
        (0x2, "SYSTEM_MANDATORY_LABEL_NO_READ_UP"),
        (0x4, "SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP"),
    ];

    /// <summary>The winnt.h constant of an ACE type (<c>ACCESS_ALLOWED_ACE_TYPE</c>), or <c>ACE type 0xNN</c> for an unknown one.</summary>
    public static string AceTypeName(AceType type)
    {
        foreach (var (t, name) in AceTypes)
            if (t == type) return name;
        return $"ACE type 0x{(byte)type:x2}";
    }

    /// <summary>The SDDL code of an ACE type (<c>A</c>, <c>OD</c>, <c>ML</c> ...), or null when SDDL has none.</summary>
    public static string? AceTypeSddl(AceType type) => NtSec.Sddl.SddlWriter.AceTypeCode(type);

    /// <summary>The names of the set ACE flags in bit order.</summary>
    public static IReadOnlyList<string> AceFlagNames(AceFlags flags, AceType type)
    {
        var names = new List<string>();
        foreach (var (flag, name) in AceFlagTable)
        {
            if ((flags & flag) == 0) continue;
            names.Add(flag == AceFlags.SuccessfulAccess && type == AceType.SystemAccessFilter ? "TRUST_PROTECTED_FILTER_ACE_FLAG" : name);
        }
        return names;
    }

    /// <summary>The SDDL codes of the set ACE flags, concatenated as SDDL writes them (<c>OICIID</c>).</summary>
    public static string AceFlagsSddl(AceFlags flags, AceType type) => NtSec.Sddl.SddlWriter.FormatAceFlags(flags, type);

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
        foreach (var (bit, name) in LabelRights)
        {
            if ((rest & bit) == 0) continue;
            rest &= ~bit;
            names.Add(name);
        }
        if (rest != 0) names.Add(Hex.Mask(rest, pad: false));
        return names;
    }
}
