using NtSec.Acls;
using NtSec.Authorization;

namespace NtSec.Cli.Rendering;

/// <summary>How an ACE's mask reads as rights, shared by the text and JSON renderers.</summary>
internal static class AceRights
{
    /// <summary>
    /// The names of the set bits: the mandatory-label policy names on a label ACE, else the object type's rights
    /// (the standard and generic names only, without a type); unnamed bits as one hexadecimal remainder.
    /// Empty for a zero mask.
    /// </summary>
    public static IReadOnlyList<string> Names(Ace ace, ObjectTypeInfo? type)
    {
        if (ace.Type == AceType.SystemMandatoryLabel) return SecurityNames.LabelPolicyNames(ace.Mask);
        return Names(ace.Mask, type);
    }

    /// <summary>The names of the set bits of a mask for a type; empty for zero.</summary>
    public static IReadOnlyList<string> Names(uint mask, ObjectTypeInfo? type)
        => mask == 0 ? [] : [.. (type ?? ObjectTypes.Generic).RightNames(mask)];

    /// <summary>The type's composite right that equals the mask exactly (<c>FILE_ALL_ACCESS</c>, <c>KEY_READ</c> ...), or null.</summary>
    public static string? Composite(uint mask, ObjectTypeInfo? type)
    {
        if (type is null || mask == 0) return null;
        foreach (var (name, m) in type.CompositeRights)
            if (m == mask) return name;
        return null;
    }

    /// <summary>
    /// What the generic bits of the mask map to for the type (MapGenericMask), or null when the mask has no generic
    /// bit, no type was given, or the ACE is a label (whose bits are policies, not rights).
    /// </summary>
    public static uint? Mapped(Ace ace, ObjectTypeInfo? type)
    {
        if (type is null || ReferenceEquals(type, ObjectTypes.Generic) || ace.Type == AceType.SystemMandatoryLabel) return null;
        if ((ace.Mask & AccessMask.GenericMask) == 0) return null;
        return type.GenericMapping.Map(ace.Mask);
    }
}
