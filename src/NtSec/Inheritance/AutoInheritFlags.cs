namespace NtSec.Inheritance;

/// <summary>
/// The SEF_* flags of <c>CreatePrivateObjectSecurityEx</c>, <c>SeAssignSecurityEx</c> and
/// <c>SetPrivateObjectSecurityEx</c>, with their winnt.h values.
/// </summary>
[Flags]
public enum AutoInheritFlags : uint
{
    /// <summary>No flag: the kernel/file-system behaviour (an explicit DACL replaces what the parent offers).</summary>
    None = 0,
    /// <summary>SEF_DACL_AUTO_INHERIT: the parent's inheritable DACL ACEs are merged with the creator's explicit ones.</summary>
    DaclAutoInherit = 0x01,
    /// <summary>SEF_SACL_AUTO_INHERIT: the same for the SACL.</summary>
    SaclAutoInherit = 0x02,
    /// <summary>SEF_DEFAULT_DESCRIPTOR_FOR_OBJECT: the creator descriptor is a default, ignored where the parent offers ACEs for this child.</summary>
    DefaultDescriptorForObject = 0x04,
    /// <summary>SEF_AVOID_PRIVILEGE_CHECK: no SeSecurityPrivilege check for an explicit SACL.</summary>
    AvoidPrivilegeCheck = 0x08,
    /// <summary>SEF_AVOID_OWNER_CHECK: the owner is not checked against the token.</summary>
    AvoidOwnerCheck = 0x10,
    /// <summary>SEF_DEFAULT_OWNER_FROM_PARENT: with no owner in the creator descriptor, take the parent's.</summary>
    DefaultOwnerFromParent = 0x20,
    /// <summary>SEF_DEFAULT_GROUP_FROM_PARENT: with no group in the creator descriptor, take the parent's.</summary>
    DefaultGroupFromParent = 0x40,
    /// <summary>SEF_MACL_NO_WRITE_UP: policy of a mandatory label the function adds for a low-integrity creator.</summary>
    MaclNoWriteUp = 0x100,
    /// <summary>SEF_MACL_NO_READ_UP.</summary>
    MaclNoReadUp = 0x200,
    /// <summary>SEF_MACL_NO_EXECUTE_UP.</summary>
    MaclNoExecuteUp = 0x400,
    /// <summary>SEF_AI_USE_EXTRA_PARAMS (accepted; NtSec has no extra parameters to use).</summary>
    AiUseExtraParams = 0x800,
    /// <summary>SEF_AVOID_OWNER_RESTRICTION: OWNER RIGHTS ACEs of the parent do not restrict the creator's DACL (accepted; no restriction is modelled).</summary>
    AvoidOwnerRestriction = 0x1000,
    /// <summary>SEF_FORCE_USER_MODE (accepted; the checks here are always the user-mode ones).</summary>
    ForceUserMode = 0x2000,
    /// <summary>SEF_NORMALIZE_OUTPUT_DESCRIPTOR (accepted; output descriptors are always normalized).</summary>
    NormalizeOutputDescriptor = 0x4000,
}

/// <summary>Parsing and printing of the SEF_* names.</summary>
public static class AutoInheritFlagNames
{
    private static readonly (string Name, uint Bits)[] Names =
    [
        ("SEF_DACL_AUTO_INHERIT", (uint)AutoInheritFlags.DaclAutoInherit),
        ("SEF_SACL_AUTO_INHERIT", (uint)AutoInheritFlags.SaclAutoInherit),
        ("SEF_DEFAULT_DESCRIPTOR_FOR_OBJECT", (uint)AutoInheritFlags.DefaultDescriptorForObject),
        ("SEF_AVOID_PRIVILEGE_CHECK", (uint)AutoInheritFlags.AvoidPrivilegeCheck),
        ("SEF_AVOID_OWNER_CHECK", (uint)AutoInheritFlags.AvoidOwnerCheck),
        ("SEF_DEFAULT_OWNER_FROM_PARENT", (uint)AutoInheritFlags.DefaultOwnerFromParent),
        ("SEF_DEFAULT_GROUP_FROM_PARENT", (uint)AutoInheritFlags.DefaultGroupFromParent),
        ("SEF_MACL_NO_WRITE_UP", (uint)AutoInheritFlags.MaclNoWriteUp),
        ("SEF_MACL_NO_READ_UP", (uint)AutoInheritFlags.MaclNoReadUp),
        ("SEF_MACL_NO_EXECUTE_UP", (uint)AutoInheritFlags.MaclNoExecuteUp),
        ("SEF_AI_USE_EXTRA_PARAMS", (uint)AutoInheritFlags.AiUseExtraParams),
        ("SEF_AVOID_OWNER_RESTRICTION", (uint)AutoInheritFlags.AvoidOwnerRestriction),
        ("SEF_FORCE_USER_MODE", (uint)AutoInheritFlags.ForceUserMode),
        ("SEF_NORMALIZE_OUTPUT_DESCRIPTOR", (uint)AutoInheritFlags.NormalizeOutputDescriptor),
    ];

    /// <summary>
    /// Parses one flag: its SEF_ name (the prefix may be left out, case does not matter) or a number (0x...).
    /// </summary>
    public static bool TryParse(string text, out AutoInheritFlags flag)
    {
        flag = AutoInheritFlags.None;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        foreach (var (name, bits) in Names)
        {
            if (t.Equals(name, StringComparison.OrdinalIgnoreCase) || ("SEF_" + t).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                flag = (AutoInheritFlags)bits;
                return true;
            }
        }
        if (Authorization.AccessRightNames.TryParseNumber(t, out uint n))
        {
            flag = (AutoInheritFlags)n;
            return true;
        }
        return false;
    }

    /// <summary>The SEF_ names of the set flags, in bit order; bits without a name as one hex number.</summary>
    public static IReadOnlyList<string> Format(AutoInheritFlags flags) => BitNames.Of((uint)flags, Names);

    /// <summary>Every name, for help texts.</summary>
    public static IEnumerable<string> All => Names.Select(n => n.Name);
}
