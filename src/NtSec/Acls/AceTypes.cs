namespace NtSec.Acls;

/// <summary>How an ACE type's body is laid out after its header (winnt.h's ACE structures).</summary>
public enum AceLayout : byte
{
    /// <summary>Mask, SID (ACCESS_ALLOWED_ACE and its kin).</summary>
    Basic,
    /// <summary>Mask, object flags, up to two GUIDs, SID.</summary>
    Object,
    /// <summary>Mask, SID, then a conditional expression as application data.</summary>
    Callback,
    /// <summary>The object layout followed by a conditional expression.</summary>
    CallbackObject,
    /// <summary>Mask (the NO_WRITE_UP / NO_READ_UP / NO_EXECUTE_UP policy), integrity level SID.</summary>
    MandatoryLabel,
    /// <summary>Mask, SID (Everyone), then a claim security attribute as application data.</summary>
    ResourceAttribute,
    /// <summary>Mask, SID naming a central access policy.</summary>
    ScopedPolicyId,
    /// <summary>Mask, trust label SID (S-1-19-...).</summary>
    ProcessTrustLabel,
    /// <summary>Mask, SID, then a conditional expression that filters access.</summary>
    AccessFilter,
    /// <summary>The reserved compound layout: NtSec keeps such an ACE as raw bytes.</summary>
    Compound,
}

/// <summary>The ACLs an ACE type belongs in.</summary>
[Flags]
public enum AclKinds : byte
{
    /// <summary>Neither.</summary>
    None = 0,
    /// <summary>The discretionary ACL.</summary>
    Dacl = 1,
    /// <summary>The system ACL.</summary>
    Sacl = 2,
}

/// <summary>What an ACE type does with its mask.</summary>
public enum AceEffect : byte
{
    /// <summary>The mask is not an access mask: a label policy, a resource attribute, a scoped policy, a trust label, an access filter.</summary>
    Other,
    /// <summary>Grants the mask in the DACL.</summary>
    Allow,
    /// <summary>Denies the mask in the DACL.</summary>
    Deny,
    /// <summary>Audits access to the mask from the SACL.</summary>
    Audit,
    /// <summary>Raises an alarm on access to the mask from the SACL (reserved, never enforced).</summary>
    Alarm,
}

/// <summary>One row of the ACE type table: what Windows defines for one ACE type.</summary>
public sealed class AceTypeInfo
{
    internal AceTypeInfo(AceType type, string sdkName, string? sddlCode, AceLayout layout, AclKinds allowedIn, AceEffect effect, AceType? plainType = null)
    {
        Type = type;
        SdkName = sdkName;
        SddlCode = sddlCode;
        Layout = layout;
        AllowedIn = allowedIn;
        Effect = effect;
        PlainType = plainType ?? type;
    }

    /// <summary>The type.</summary>
    public AceType Type { get; }

    /// <summary>The AceType byte.</summary>
    public byte Value => (byte)Type;

    /// <summary>The winnt.h constant (<c>ACCESS_ALLOWED_ACE_TYPE</c>).</summary>
    public string SdkName { get; }

    /// <summary>The SDDL code (<c>A</c>, <c>OA</c>, <c>ML</c> ...); null when SDDL has none.</summary>
    public string? SddlCode { get; }

    /// <summary>How the body is laid out.</summary>
    public AceLayout Layout { get; }

    /// <summary>The ACLs the type belongs in; Windows' SDDL parser refuses it in the other one.</summary>
    public AclKinds AllowedIn { get; }

    /// <summary>What the type does with its mask.</summary>
    public AceEffect Effect { get; }

    /// <summary>For an object type, the type with the same effect without GUIDs (OA to A); else the type itself.</summary>
    public AceType PlainType { get; }

    /// <summary>True for the object layouts, which carry object type GUIDs.</summary>
    public bool IsObject => Layout is AceLayout.Object or AceLayout.CallbackObject;

    /// <summary>True for the callback layouts, whose application data holds a condition.</summary>
    public bool IsCallback => Layout is AceLayout.Callback or AceLayout.CallbackObject;

    /// <summary>True when NtSec reads the body field by field (every type but the reserved compound one).</summary>
    public bool HasKnownLayout => Layout != AceLayout.Compound;

    /// <summary>True when the mask is an access mask (allow, deny, audit, alarm), so generic rights in it are mapped.</summary>
    public bool HasAccessMask => Effect != AceEffect.Other;

    /// <inheritdoc />
    public override string ToString() => SdkName;
}

/// <summary>
/// The ACE type table (MS-DTYP 2.4.4.1, winnt.h, the SDDL codes of MS-DTYP 2.5.1.1): the one place the binary
/// codec, the SDDL parser and writer, inheritance and the renderers learn what an ACE type is. A new ACE type is
/// one row here.
/// </summary>
public static class AceTypes
{
    private const AclKinds D = AclKinds.Dacl;
    private const AclKinds S = AclKinds.Sacl;

    /// <summary>Every ACE type Windows defines, indexed by its value (row n is type n).</summary>
    public static IReadOnlyList<AceTypeInfo> All { get; } =
    [
        new(AceType.AccessAllowed, "ACCESS_ALLOWED_ACE_TYPE", "A", AceLayout.Basic, D, AceEffect.Allow),
        new(AceType.AccessDenied, "ACCESS_DENIED_ACE_TYPE", "D", AceLayout.Basic, D, AceEffect.Deny),
        new(AceType.SystemAudit, "SYSTEM_AUDIT_ACE_TYPE", "AU", AceLayout.Basic, S, AceEffect.Audit),
        new(AceType.SystemAlarm, "SYSTEM_ALARM_ACE_TYPE", "AL", AceLayout.Basic, S, AceEffect.Alarm),
        // The compound type grants (server impersonation), but NtSec keeps it raw and the check ignores it.
        new(AceType.AccessAllowedCompound, "ACCESS_ALLOWED_COMPOUND_ACE_TYPE", null, AceLayout.Compound, D, AceEffect.Allow),
        new(AceType.AccessAllowedObject, "ACCESS_ALLOWED_OBJECT_ACE_TYPE", "OA", AceLayout.Object, D, AceEffect.Allow, AceType.AccessAllowed),
        new(AceType.AccessDeniedObject, "ACCESS_DENIED_OBJECT_ACE_TYPE", "OD", AceLayout.Object, D, AceEffect.Deny, AceType.AccessDenied),
        new(AceType.SystemAuditObject, "SYSTEM_AUDIT_OBJECT_ACE_TYPE", "OU", AceLayout.Object, S, AceEffect.Audit, AceType.SystemAudit),
        new(AceType.SystemAlarmObject, "SYSTEM_ALARM_OBJECT_ACE_TYPE", "OL", AceLayout.Object, S, AceEffect.Alarm, AceType.SystemAlarm),
        new(AceType.AccessAllowedCallback, "ACCESS_ALLOWED_CALLBACK_ACE_TYPE", "XA", AceLayout.Callback, D, AceEffect.Allow),
        new(AceType.AccessDeniedCallback, "ACCESS_DENIED_CALLBACK_ACE_TYPE", "XD", AceLayout.Callback, D, AceEffect.Deny),
        new(AceType.AccessAllowedCallbackObject, "ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE", "ZA", AceLayout.CallbackObject, D, AceEffect.Allow, AceType.AccessAllowedCallback),
        // SDDL has no code for the denied, alarm and audit callback object types (MS-DTYP lists none).
        new(AceType.AccessDeniedCallbackObject, "ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE", null, AceLayout.CallbackObject, D, AceEffect.Deny, AceType.AccessDeniedCallback),
        new(AceType.SystemAuditCallback, "SYSTEM_AUDIT_CALLBACK_ACE_TYPE", "XU", AceLayout.Callback, S, AceEffect.Audit),
        new(AceType.SystemAlarmCallback, "SYSTEM_ALARM_CALLBACK_ACE_TYPE", null, AceLayout.Callback, S, AceEffect.Alarm),
        new(AceType.SystemAuditCallbackObject, "SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE", null, AceLayout.CallbackObject, S, AceEffect.Audit, AceType.SystemAuditCallback),
        new(AceType.SystemAlarmCallbackObject, "SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE", null, AceLayout.CallbackObject, S, AceEffect.Alarm, AceType.SystemAlarmCallback),
        new(AceType.SystemMandatoryLabel, "SYSTEM_MANDATORY_LABEL_ACE_TYPE", "ML", AceLayout.MandatoryLabel, S, AceEffect.Other),
        new(AceType.SystemResourceAttribute, "SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE", "RA", AceLayout.ResourceAttribute, S, AceEffect.Other),
        new(AceType.SystemScopedPolicyId, "SYSTEM_SCOPED_POLICY_ID_ACE_TYPE", "SP", AceLayout.ScopedPolicyId, S, AceEffect.Other),
        new(AceType.SystemProcessTrustLabel, "SYSTEM_PROCESS_TRUST_LABEL_ACE_TYPE", "TL", AceLayout.ProcessTrustLabel, S, AceEffect.Other),
        new(AceType.SystemAccessFilter, "SYSTEM_ACCESS_FILTER_ACE_TYPE", "FL", AceLayout.AccessFilter, S, AceEffect.Other),
    ];

    // The table as an array, for the one-index lookups the codec and the check make per ACE.
    private static readonly AceTypeInfo[] ByValue = [.. All];

    /// <summary>The row of a type, or null for a value Windows does not define (above 0x15).</summary>
    public static AceTypeInfo? Find(AceType type) => (byte)type < ByValue.Length ? ByValue[(byte)type] : null;

    /// <summary>The row whose SDDL code is <paramref name="code"/>, compared case-insensitively as Windows does; null when none is.</summary>
    public static AceTypeInfo? FindSddl(ReadOnlySpan<char> code)
    {
        if (SddlCodeSlot(code) is int slot and >= 0) return BySddlSlot[slot];
        // Not one or two ASCII letters: only the ordinal case-insensitive compare can still match (U+017F folds to S).
        foreach (var info in ByValue)
            if (info.SddlCode is { } c && code.Equals(c, StringComparison.OrdinalIgnoreCase)) return info;
        return null;
    }

    // The rows by their SDDL code, one or two ASCII letters folded to upper case: one index per ACE the SDDL
    // parser reads, where comparing the code with each row's cost more than the rest of the type field (issue 10).
    private static readonly AceTypeInfo?[] BySddlSlot = BuildSddlSlots();

    private static AceTypeInfo?[] BuildSddlSlots()
    {
        var slots = new AceTypeInfo?[27 * 26];
        foreach (var info in ByValue)
            if (info.SddlCode is { } c) slots[SddlCodeSlot(c)] = info;
        return slots;
    }

    // Slot of a one- or two-letter code (a lone letter after the 26 x 26 pairs); -1 for anything else.
    internal static int SddlCodeSlot(ReadOnlySpan<char> code)
    {
        if (code.Length == 1) return char.IsAsciiLetter(code[0]) ? (26 * 26) + ((code[0] | 0x20) - 'a') : -1;
        if (code.Length != 2 || !char.IsAsciiLetter(code[0]) || !char.IsAsciiLetter(code[1])) return -1;
        return (((code[0] | 0x20) - 'a') * 26) + ((code[1] | 0x20) - 'a');
    }

    /// <summary>The winnt.h constant of a type, or <c>ACE type 0xNN</c> for one Windows does not define.</summary>
    public static string SdkName(AceType type) => Find(type)?.SdkName ?? $"ACE type 0x{(byte)type:x2}";

    internal static bool HasKnownLayout(byte type) => type < ByValue.Length && ByValue[type].HasKnownLayout;

    internal static bool IsObject(AceType type) => Find(type)?.IsObject == true;
}

/// <summary>One ACE header flag: its winnt.h name and its SDDL code.</summary>
public sealed class AceFlagInfo
{
    internal AceFlagInfo(AceFlags flag, string sdkName, string sddlCode)
    {
        Flag = flag;
        SdkName = sdkName;
        SddlCode = sddlCode;
    }

    /// <summary>The bit.</summary>
    public AceFlags Flag { get; }

    /// <summary>The winnt.h constant (<c>OBJECT_INHERIT_ACE</c>).</summary>
    public string SdkName { get; }

    /// <summary>The SDDL code (<c>OI</c>).</summary>
    public string SddlCode { get; }

    /// <inheritdoc />
    public override string ToString() => SdkName;
}

/// <summary>The ACE flag table (MS-DTYP 2.4.4.1): the one place SDDL and the renderers learn the flags' names.</summary>
public static class AceFlagTable
{
    private static readonly AceFlagInfo[] BitRows =
    [
        new(AceFlags.ObjectInherit, "OBJECT_INHERIT_ACE", "OI"),
        new(AceFlags.ContainerInherit, "CONTAINER_INHERIT_ACE", "CI"),
        new(AceFlags.NoPropagateInherit, "NO_PROPAGATE_INHERIT_ACE", "NP"),
        new(AceFlags.InheritOnly, "INHERIT_ONLY_ACE", "IO"),
        new(AceFlags.Inherited, "INHERITED_ACE", "ID"),
        new(AceFlags.Critical, "CRITICAL_ACE_FLAG", "CR"),
        new(AceFlags.SuccessfulAccess, "SUCCESSFUL_ACCESS_ACE_FLAG", "SA"),
        new(AceFlags.FailedAccess, "FAILED_ACCESS_ACE_FLAG", "FA"),
    ];

    /// <summary>The eight flags in bit order, the order Windows writes them; bit 0x40 under its usual name.</summary>
    public static IReadOnlyList<AceFlagInfo> Bits => BitRows;

    /// <summary>Bit 0x40 on an access filter ACE: TRUST_PROTECTED_FILTER_ACE_FLAG (TP).</summary>
    public static AceFlagInfo TrustProtectedFilter { get; } = new(AceFlags.SuccessfulAccess, "TRUST_PROTECTED_FILTER_ACE_FLAG", "TP");

    /// <summary>Every flag name, <see cref="Bits"/> then <see cref="TrustProtectedFilter"/>: what the SDDL parser accepts.</summary>
    public static IReadOnlyList<AceFlagInfo> All { get; } = [.. BitRows, TrustProtectedFilter];

    // Every name in All by its two letters folded to upper case: the SDDL parser's lookup, one index per flag code.
    private static readonly AceFlagInfo?[] BySddlSlot = BuildSddlSlots();

    private static AceFlagInfo?[] BuildSddlSlots()
    {
        var slots = new AceFlagInfo?[27 * 26];
        foreach (var f in All) slots[AceTypes.SddlCodeSlot(f.SddlCode)] = f;
        return slots;
    }

    /// <summary>The flag whose SDDL code (two letters, any case, as Windows reads them) is <paramref name="code"/>; null when none is.</summary>
    internal static AceFlagInfo? FindSddl(ReadOnlySpan<char> code)
    {
        if (code.Length == 2 && AceTypes.SddlCodeSlot(code) is int slot and >= 0) return BySddlSlot[slot];
        // Not two ASCII letters: only the ordinal case-insensitive compare can still match (U+017F folds to S).
        foreach (var f in BitRows)
            if (code.Equals(f.SddlCode, StringComparison.OrdinalIgnoreCase)) return f;
        return code.Equals(TrustProtectedFilter.SddlCode, StringComparison.OrdinalIgnoreCase) ? TrustProtectedFilter : null;
    }

    /// <summary>The name bit <paramref name="index"/> (0-7) has on an ACE of <paramref name="type"/>: TP for 0x40 on an access filter ACE.</summary>
    public static AceFlagInfo For(int index, AceType type)
        => index == 6 && type == AceType.SystemAccessFilter ? TrustProtectedFilter : BitRows[index];

    /// <summary>The set flags of an ACE of <paramref name="type"/> in bit order, under the names they have on it.</summary>
    public static IEnumerable<AceFlagInfo> Set(AceFlags flags, AceType type)
    {
        for (int i = 0; i < 8; i++)
            if (((int)flags & (1 << i)) != 0) yield return For(i, type);
    }
}

/// <summary>One mandatory label policy bit: its winnt.h name and the code SDDL and icacls write for it.</summary>
public sealed class LabelPolicyInfo
{
    private const string Prefix = "SYSTEM_MANDATORY_LABEL_";

    internal LabelPolicyInfo(uint mask, string sdkName, string code)
    {
        Mask = mask;
        SdkName = sdkName;
        Code = code;
    }

    /// <summary>The bit.</summary>
    public uint Mask { get; }

    /// <summary>The winnt.h constant (<c>SYSTEM_MANDATORY_LABEL_NO_WRITE_UP</c>).</summary>
    public string SdkName { get; }

    /// <summary>The name without its <c>SYSTEM_MANDATORY_LABEL_</c> prefix (<c>NO_WRITE_UP</c>).</summary>
    public string ShortName => SdkName[Prefix.Length..];

    /// <summary>The code SDDL and icacls both write (<c>NW</c>).</summary>
    public string Code { get; }

    /// <inheritdoc />
    public override string ToString() => SdkName;
}

/// <summary>
/// The policy bits of a mandatory label ACE's mask (winnt.h SYSTEM_MANDATORY_LABEL_*): the one table SDDL, icacls,
/// the kernel and the renderers name them from.
/// </summary>
public static class LabelPolicies
{
    /// <summary>SYSTEM_MANDATORY_LABEL_NO_WRITE_UP: a lower integrity level is refused the generic write rights.</summary>
    public const uint NoWriteUp = 0x1;

    /// <summary>SYSTEM_MANDATORY_LABEL_NO_READ_UP: a lower integrity level is refused the generic read rights.</summary>
    public const uint NoReadUp = 0x2;

    /// <summary>SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP: a lower integrity level is refused the generic execute rights.</summary>
    public const uint NoExecuteUp = 0x4;

    /// <summary>The three bits in bit order.</summary>
    public static IReadOnlyList<LabelPolicyInfo> All { get; } =
    [
        new(NoWriteUp, "SYSTEM_MANDATORY_LABEL_NO_WRITE_UP", "NW"),
        new(NoReadUp, "SYSTEM_MANDATORY_LABEL_NO_READ_UP", "NR"),
        new(NoExecuteUp, "SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP", "NX"),
    ];
}
