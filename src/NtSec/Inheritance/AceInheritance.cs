using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Principals;

namespace NtSec.Inheritance;

/// <summary>
/// The per-ACE rules of inheritance (MS-DTYP 2.5.3.4.2 ComputeACL, as Windows applies them): which parent ACEs
/// a child takes, what becomes of their flags, SIDs, masks and object types, and how an explicit ACE is stored.
/// </summary>
public static class AceInheritance
{
    private const AceFlags InheritanceBits = AceFlags.ObjectInherit | AceFlags.ContainerInherit | AceFlags.NoPropagateInherit | AceFlags.InheritOnly | AceFlags.Inherited;

    /// <summary>
    /// True when the parent ACE reaches a child of this kind at all (as an effective ACE or as an inherit-only
    /// copy): a non-container takes OBJECT_INHERIT ACEs; a container takes CONTAINER_INHERIT ACEs, and
    /// OBJECT_INHERIT ACEs without NO_PROPAGATE_INHERIT (to hand them on to its own non-container children).
    /// </summary>
    public static bool ReachesChild(AceFlags flags, bool childIsContainer)
    {
        bool oi = (flags & AceFlags.ObjectInherit) != 0, ci = (flags & AceFlags.ContainerInherit) != 0, np = (flags & AceFlags.NoPropagateInherit) != 0;
        return childIsContainer ? ci || (oi && !np) : oi;
    }

    /// <summary>
    /// True when an ACE with this inherited-object-type applies to a child of the given classes: an ACE without
    /// one applies to every child; one with a GUID only to a child whose class list holds it.
    /// </summary>
    public static bool AppliesToClass(Ace ace, IReadOnlyList<Guid>? objectTypes)
        => ace.InheritedObjectType is not { } iot || (objectTypes is not null && objectTypes.Contains(iot));

    /// <summary>
    /// Maps the generic rights of a mask the way Windows does when it stores an ACE: each generic bit replaced by
    /// its mapping, and the result ANDed with the mapping's GENERIC_ALL (ACCESS_SYSTEM_SECURITY kept). A mask
    /// without generic bits is returned unchanged.
    /// </summary>
    public static uint MapMask(uint mask, GenericMapping mapping)
    {
        if ((mask & AccessMask.GenericMask) == 0) return mask;
        return mapping.Map(mask) & (mapping.GenericAll | AccessMask.AccessSystemSecurity);
    }

    /// <summary>
    /// True for ACE types whose mask is an access mask (allow, deny, audit, alarm and their object and callback
    /// forms); a label's mask is a policy and resource-attribute and scoped-policy masks are not mapped.
    /// </summary>
    public static bool HasAccessMask(Ace ace) => !ace.IsRaw && ace.TypeInfo?.HasAccessMask == true;

    /// <summary>
    /// An explicit ACE (from the creator, a set request or the token's default DACL) as Windows stores it: its
    /// flags and SID unchanged (CREATOR OWNER is not replaced), its generic rights mapped unless it is inherit-only,
    /// since an inherit-only ACE is mapped when a child inherits it.
    /// </summary>
    public static Ace StoreExplicit(Ace ace, GenericMapping mapping)
    {
        if (!HasAccessMask(ace) || ace.IsInheritOnly) return ace;
        uint m = MapMask(ace.Mask, mapping);
        return m == ace.Mask ? ace : ace.WithMask(m);
    }

    /// <summary>
    /// The SID an inherited effective ACE carries: CREATOR OWNER and CREATOR OWNER SERVER become the new object's
    /// owner, CREATOR GROUP and CREATOR GROUP SERVER its group; every other SID (OWNER RIGHTS included) is kept.
    /// </summary>
    public static Sid SubstituteCreatorSid(Sid sid, Sid owner, Sid group)
    {
        if (sid == WellKnownSids.CreatorOwner || sid == WellKnownSids.CreatorOwnerServer) return owner;
        if (sid == WellKnownSids.CreatorGroup || sid == WellKnownSids.CreatorGroupServer) return group;
        return sid;
    }

    /// <summary>
    /// Appends to <paramref name="output"/> what the child inherits from the parent ACL: for each ACE that
    /// <see cref="ReachesChild"/>, an effective copy (CREATOR SIDs replaced, generic rights mapped and masked,
    /// no inheritance flags, the inherited object type dropped) when it applies to the child, and an inherit-only
    /// copy (as the parent had it) when the child is a container that passes it on; when the effective copy would
    /// equal the parent ACE, the two are one ACE that keeps its inheritance flags. Parent ACEs already marked
    /// INHERITED_ACE inherit like any other.
    /// </summary>
    /// <param name="parent">The parent ACL.</param>
    /// <param name="childIsContainer">The child can hold children (a directory, a key, a directory-service object).</param>
    /// <param name="objectTypes">The child's classes (structural and auxiliary), or null when it has none.</param>
    /// <param name="owner">The child's owner, for CREATOR OWNER.</param>
    /// <param name="group">The child's group, for CREATOR GROUP.</param>
    /// <param name="mapping">The child type's generic mapping.</param>
    /// <param name="markInherited">Set INHERITED_ACE on every copy (auto-inheritance).</param>
    /// <param name="onlyTypes">When not null, only ACEs of these types are inherited (a protected SACL still inherits resource-attribute and scoped-policy ACEs).</param>
    /// <param name="output">Where the copies go, in parent order.</param>
    public static void Inherit(Acl parent, bool childIsContainer, IReadOnlyList<Guid>? objectTypes, Sid owner, Sid group, GenericMapping mapping,
        bool markInherited, Func<Ace, bool>? onlyTypes, List<Ace> output)
        => Inherit(parent, childIsContainer, objectTypes, owner, group, mapping, markInherited, onlyTypes, output, null);

    /// <summary>
    /// <see cref="Inherit(Acl, bool, IReadOnlyList{Guid}?, Sid, Sid, GenericMapping, bool, Func{Ace, bool}?, List{Ace})"/>,
    /// also appending to <paramref name="origins"/> (when not null) one <see cref="AceOrigin"/> per ACE appended to
    /// <paramref name="output"/>: the parent ACE's index and what was done to it.
    /// </summary>
    public static void Inherit(Acl parent, bool childIsContainer, IReadOnlyList<Guid>? objectTypes, Sid owner, Sid group, GenericMapping mapping,
        bool markInherited, Func<Ace, bool>? onlyTypes, List<Ace> output, List<AceOrigin>? origins)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(output);
        var marker = markInherited ? AceFlags.Inherited : AceFlags.None;
        var marked = markInherited ? AceOriginChanges.MarkedInherited : AceOriginChanges.None;
        for (int index = 0; index < parent.Aces.Length; index++)
        {
            var ace = parent.Aces[index];
            void Add(Ace copy, AceOriginChanges changes)
            {
                output.Add(copy);
                origins?.Add(new AceOrigin(AceOriginSource.Parent, index, changes | marked));
            }
            var flags = ace.Flags;
            if (!ReachesChild(flags, childIsContainer)) continue;
            if (onlyTypes is not null && !onlyTypes(ace)) continue;
            var keep = (flags & ~InheritanceBits) | marker;
            var propagated = flags & (AceFlags.ObjectInherit | AceFlags.ContainerInherit);
            bool ci = (flags & AceFlags.ContainerInherit) != 0, oi = (flags & AceFlags.ObjectInherit) != 0, np = (flags & AceFlags.NoPropagateInherit) != 0;
            bool passesOn = childIsContainer && !np;
            bool effective = (childIsContainer ? ci : oi) && (ace.IsRaw || AppliesToClass(ace, objectTypes));
            if (ace.IsRaw)
            {
                // An ACE type NtSec has no layout for has no SID or mask to rewrite: it is copied with its new flags.
                if (effective && passesOn) Add(ace.WithFlags(keep | propagated), AceOriginChanges.AppliesAndPropagates);
                else if (effective) Add(ace.WithFlags(keep), AceOriginChanges.EffectiveCopy);
                else if (passesOn) Add(ace.WithFlags(keep | propagated | AceFlags.InheritOnly), AceOriginChanges.InheritOnlyCopy);
                continue;
            }
            if (effective)
            {
                var sid = SubstituteCreatorSid(ace.Sid, owner, group);
                uint mask = HasAccessMask(ace) ? MapMask(ace.Mask, mapping) : ace.Mask;
                bool changed = sid != ace.Sid || mask != ace.Mask;
                if (passesOn && !changed)
                {
                    Add(ace.WithFlags(keep | propagated), AceOriginChanges.AppliesAndPropagates);
                    continue;
                }
                var rewritten = (sid != ace.Sid ? AceOriginChanges.CreatorSidReplaced : AceOriginChanges.None) | (mask != ace.Mask ? AceOriginChanges.MaskMapped : AceOriginChanges.None);
                Add(EffectiveCopy(ace, keep, mask, sid), AceOriginChanges.EffectiveCopy | rewritten);
                if (passesOn) Add(ace.WithFlags(keep | propagated | AceFlags.InheritOnly), AceOriginChanges.InheritOnlyCopy);
            }
            else if (passesOn)
            {
                Add(ace.WithFlags(keep | propagated | AceFlags.InheritOnly), AceOriginChanges.InheritOnlyCopy);
            }
        }
    }

    /// <summary>
    /// The effective copy of an inherited ACE: no inheritance flags and no inherited object type (it has done its
    /// work by selecting this child); an object ACE left with no GUID at all becomes the plain ACE type.
    /// </summary>
    private static Ace EffectiveCopy(Ace ace, AceFlags flags, uint mask, Sid sid)
    {
        if (!ace.IsObjectAce) return new Ace(ace.Type, flags, mask, sid, applicationData: ace.ApplicationData);
        if (ace.ObjectType is { } ot) return new Ace(ace.Type, flags, mask, sid, ot, null, ace.ApplicationData);
        return new Ace(ace.TypeInfo!.PlainType, flags, mask, sid, applicationData: ace.ApplicationData);
    }

    /// <summary>True when the parent ACL gives this child anything (ContainsInheritableACEs for this child).</summary>
    public static bool HasInheritableFor(Acl? parent, bool childIsContainer)
        => parent is not null && parent.Aces.Any(a => ReachesChild(a.Flags, childIsContainer));
}
