using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Inheritance;

/// <summary>
/// The descriptor of a new object (<c>CreatePrivateObjectSecurity(Ex)</c>,
/// <c>CreatePrivateObjectSecurityWithMultipleInheritance</c>, <c>SeAssignSecurity(Ex)</c>), of an object whose
/// descriptor is set (<c>SetPrivateObjectSecurity(Ex)</c>), and <c>ConvertToAutoInheritPrivateObjectSecurity</c>.
/// Bad input gives an NTSTATUS with the reason as data, never an exception.
/// </summary>
/// <remarks>
/// Two flavours, chosen by the flags as Windows chooses them. Without SEF_DACL_AUTO_INHERIT (the kernel, NTFS,
/// the registry) an explicit DACL that is not defaulted replaces whatever the parent offers; inherited ACEs are
/// marked INHERITED_ACE only when the parent's DACL is SE_DACL_AUTO_INHERITED. With SEF_DACL_AUTO_INHERIT (Active
/// Directory, user-mode resource managers) the creator's explicit ACEs are followed by the parent's inheritable
/// ones unless the creator's DACL is protected, and every inherited ACE is marked. The SACL follows the same rules
/// with SEF_SACL_AUTO_INHERIT.
/// </remarks>
public static class SecurityInheritance
{
    private const SecurityDescriptorControl DaclBits = SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclAutoInherited;
    private const SecurityDescriptorControl SaclBits = SecurityDescriptorControl.SaclProtected | SecurityDescriptorControl.SaclAutoInherited;

    /// <summary>
    /// The descriptor of a new object.
    /// </summary>
    /// <param name="parent">The parent container's descriptor, or null for an object without a parent.</param>
    /// <param name="creator">The descriptor the creator passed, or null.</param>
    /// <param name="isContainer">The new object can hold children.</param>
    /// <param name="subject">The creator's token, as a <see cref="SecuritySubject"/>.</param>
    /// <param name="mapping">The new object's generic mapping.</param>
    /// <param name="objectTypes">The new object's classes (CreatePrivateObjectSecurityWithMultipleInheritance: the structural class and the auxiliary ones), or null.</param>
    /// <param name="flags">SEF_* flags.</param>
    public static InheritanceResult CreatePrivateObjectSecurity(
        SecurityDescriptor? parent,
        SecurityDescriptor? creator,
        bool isContainer,
        SecuritySubject subject,
        GenericMapping mapping,
        IReadOnlyList<Guid>? objectTypes = null,
        AutoInheritFlags flags = AutoInheritFlags.None)
    {
        ArgumentNullException.ThrowIfNull(subject);

        // Owner, then group: the order of the failures SeAssignSecurityEx reports (both flags and no parent: owner).
        Sid owner;
        ComponentSource ownerSource;
        var ownerCheck = OwnerCheck.Defaulted;
        if (creator?.Owner is { } co)
        {
            owner = co;
            ownerSource = ComponentSource.Creator;
            if ((flags & AutoInheritFlags.AvoidOwnerCheck) != 0) ownerCheck = OwnerCheck.NotChecked;
            else
            {
                ownerCheck = subject.CheckOwner(co);
                if (ownerCheck == OwnerCheck.NotAssignable) return InheritanceResult.Fail(NtStatus.InvalidOwner, InheritanceFailure.OwnerNotAssignable, co);
            }
        }
        else if ((flags & AutoInheritFlags.DefaultOwnerFromParent) != 0)
        {
            if (parent?.Owner is not { } po) return InheritanceResult.Fail(NtStatus.InvalidOwner, InheritanceFailure.NoParentOwner);
            owner = po;
            ownerSource = ComponentSource.Parent;
        }
        else
        {
            owner = subject.DefaultOwner;
            ownerSource = ComponentSource.Token;
        }

        Sid group;
        ComponentSource groupSource;
        if (creator?.Group is { } cg)
        {
            group = cg;
            groupSource = ComponentSource.Creator;
        }
        else if ((flags & AutoInheritFlags.DefaultGroupFromParent) != 0)
        {
            if (parent?.Group is not { } pg) return InheritanceResult.Fail(NtStatus.InvalidPrimaryGroup, InheritanceFailure.NoParentGroup);
            group = pg;
            groupSource = ComponentSource.Parent;
        }
        else if (subject.PrimaryGroup is { } tg)
        {
            group = tg;
            groupSource = ComponentSource.Token;
        }
        else
        {
            return InheritanceResult.Fail(NtStatus.InvalidPrimaryGroup, InheritanceFailure.NoPrimaryGroup);
        }

        // A creator who brings a SACL needs SeSecurityPrivilege, unless it holds nothing but a mandatory label (labels
        // are governed by integrity, not by the audit privilege) or the caller asked not to check.
        if (creator is not null && creator.SaclState != AclState.Absent && (flags & AutoInheritFlags.AvoidPrivilegeCheck) == 0
            && !subject.SecurityPrivilege && !IsLabelOnly(creator.Sacl))
            return InheritanceResult.Fail(NtStatus.PrivilegeNotHeld, InheritanceFailure.SaclNeedsSecurityPrivilege);

        bool defaultForObject = (flags & AutoInheritFlags.DefaultDescriptorForObject) != 0;
        var dacl = ComputeAcl(isSacl: false, parent, creator, isContainer, objectTypes, owner, group, mapping,
            (flags & AutoInheritFlags.DaclAutoInherit) != 0, defaultForObject);
        var sacl = ComputeAcl(isSacl: true, parent, creator, isContainer, objectTypes, owner, group, mapping,
            (flags & AutoInheritFlags.SaclAutoInherit) != 0, defaultForObject);

        // Neither creator nor parent gave a DACL: the token's default DACL, mapped; a token without one leaves the
        // object with no DACL at all (SE_DACL_PRESENT clear), not a NULL DACL.
        if (dacl.Source == ComponentSource.Absent && subject.DefaultDacl is { } dd)
            dacl = new AclOutcome(ComponentSource.Token, AclState.Present, MapExplicit(dd, mapping), SecurityDescriptorControl.None, false, false,
                ExplicitOrigins(AceOriginSource.TokenDefaultDacl, dd, mapping));

        bool labelAdded = false;
        if (LabelFor(subject, flags) is { } label && !HasLabel(sacl.Acl))
        {
            var aces = sacl.Acl?.Aces.ToList() ?? [];
            aces.Add(label);
            sacl = sacl with
            {
                Source = sacl.Source == ComponentSource.Absent ? ComponentSource.Token : sacl.Source, State = AclState.Present, Acl = new Acl(aces),
                Origins = [.. sacl.Origins, new AceOrigin(AceOriginSource.TokenIntegrityLabel, -1, AceOriginChanges.None)],
            };
            labelAdded = true;
        }

        var control = (dacl.Control & DaclBits) | (sacl.Control & SaclBits);
        var sd = new SecurityDescriptor(owner, group, dacl.Acl, sacl.Acl, control, dacl.State, sacl.State);
        var trace = new InheritanceTrace(ownerSource, ownerCheck, groupSource, dacl.Source, sacl.Source, dacl.Marked, sacl.Marked, dacl.CreatorIgnored, labelAdded)
        {
            DaclOrigins = dacl.Origins,
            SaclOrigins = sacl.Origins,
        };
        return InheritanceResult.Ok(sd, trace);
    }

    // Origins: one entry per ACE of Acl, in order (empty when there is no ACL).
    private readonly record struct AclOutcome(ComponentSource Source, AclState State, Acl? Acl, SecurityDescriptorControl Control, bool Marked, bool CreatorIgnored,
        IReadOnlyList<AceOrigin> Origins);

    private static AclOutcome ComputeAcl(bool isSacl, SecurityDescriptor? parent, SecurityDescriptor? creator, bool isContainer,
        IReadOnlyList<Guid>? objectTypes, Sid owner, Sid group, GenericMapping mapping, bool autoInheritFlag, bool defaultForObject)
    {
        var defaulted = isSacl ? SecurityDescriptorControl.SaclDefaulted : SecurityDescriptorControl.DaclDefaulted;
        var protectedBit = isSacl ? SecurityDescriptorControl.SaclProtected : SecurityDescriptorControl.DaclProtected;
        var autoInherited = isSacl ? SecurityDescriptorControl.SaclAutoInherited : SecurityDescriptorControl.DaclAutoInherited;

        var creatorState = creator is null ? AclState.Absent : isSacl ? creator.SaclState : creator.DaclState;
        var creatorAcl = creator is null ? null : isSacl ? creator.Sacl : creator.Dacl;
        bool creatorPresent = creatorState != AclState.Absent;
        bool creatorDefaulted = creatorPresent && ((creator!.Control & defaulted) != 0 || defaultForObject);
        bool creatorProtected = creatorPresent && (creator!.Control & protectedBit) != 0;
        var parentAcl = parent is null ? null : isSacl ? parent.Sacl : parent.Dacl;
        bool parentAutoInherited = parent is not null && (parent.Control & autoInherited) != 0;
        bool marked = autoInheritFlag || parentAutoInherited;

        var inherited = new List<Ace>();
        var inheritedOrigins = new List<AceOrigin>();
        if (parentAcl is not null)
        {
            // SE_SACL_PROTECTED stops every ACE except resource attributes and scoped policy IDs, which always flow.
            Func<Ace, bool>? only = creatorProtected
                ? (isSacl ? a => a.Type is AceType.SystemResourceAttribute or AceType.SystemScopedPolicyId : _ => false)
                : null;
            AceInheritance.Inherit(parentAcl, isContainer, objectTypes, owner, group, mapping, marked, only, inherited, inheritedOrigins);
        }
        bool parentUsable = inherited.Count > 0;
        var keepControl = creatorProtected ? protectedBit : SecurityDescriptorControl.None;
        var markBit = marked ? autoInherited : SecurityDescriptorControl.None;

        if (autoInheritFlag)
        {
            if (!creatorPresent || (creatorDefaulted && parentUsable))
            {
                if (!parentUsable) return new AclOutcome(ComponentSource.Absent, AclState.Absent, null, SecurityDescriptorControl.None, marked, false, []);
                return new AclOutcome(ComponentSource.Parent, AclState.Present, new Acl(inherited), markBit, marked, creatorPresent, inheritedOrigins);
            }
            if (creatorState == AclState.Null && !parentUsable)
                return new AclOutcome(ComponentSource.Creator, AclState.Null, null, keepControl | markBit, marked, false, []);
            // Explicit ACEs first (a creator's ACE already marked INHERITED_ACE is not explicit and is dropped), then
            // the inherited ones.
            var merged = new List<Ace>();
            var mergedOrigins = new List<AceOrigin>();
            if (creatorAcl is not null)
                for (int i = 0; i < creatorAcl.Aces.Length; i++)
                {
                    var a = creatorAcl.Aces[i];
                    if (a.IsInherited) continue;
                    var stored = AceInheritance.StoreExplicit(a, mapping);
                    merged.Add(stored);
                    mergedOrigins.Add(new AceOrigin(AceOriginSource.Creator, i, ReferenceEquals(stored, a) ? AceOriginChanges.None : AceOriginChanges.MaskMapped));
                }
            merged.AddRange(inherited);
            mergedOrigins.AddRange(inheritedOrigins);
            return new AclOutcome(parentUsable ? ComponentSource.CreatorAndParent : ComponentSource.Creator, AclState.Present, new Acl(merged),
                keepControl | markBit, marked, false, mergedOrigins);
        }

        if (creatorPresent && (!creatorDefaulted || !parentUsable))
        {
            var acl = creatorAcl is null ? null : MapExplicit(creatorAcl, mapping);
            return new AclOutcome(ComponentSource.Creator, creatorState, acl, keepControl | markBit, marked, false,
                creatorAcl is null ? [] : ExplicitOrigins(AceOriginSource.Creator, creatorAcl, mapping));
        }
        if (parentUsable)
            return new AclOutcome(ComponentSource.Parent, AclState.Present, new Acl(inherited), markBit, marked, creatorPresent, inheritedOrigins);
        return new AclOutcome(ComponentSource.Absent, AclState.Absent, null, SecurityDescriptorControl.None, marked, false, []);
    }

    // The origins of an ACL stored as explicit ACEs (MapExplicit): each ACE from its own index, mapped or not.
    private static AceOrigin[] ExplicitOrigins(AceOriginSource source, Acl acl, GenericMapping mapping)
    {
        var origins = new AceOrigin[acl.Aces.Length];
        for (int i = 0; i < origins.Length; i++)
            origins[i] = new AceOrigin(source, i, ReferenceEquals(AceInheritance.StoreExplicit(acl.Aces[i], mapping), acl.Aces[i]) ? AceOriginChanges.None : AceOriginChanges.MaskMapped);
        return origins;
    }

    private static Acl MapExplicit(Acl acl, GenericMapping mapping)
    {
        bool any = false;
        foreach (var a in acl.Aces)
            if (!ReferenceEquals(AceInheritance.StoreExplicit(a, mapping), a)) { any = true; break; }
        return any ? new Acl(acl.Aces.Select(a => AceInheritance.StoreExplicit(a, mapping)), acl.Revision) : acl;
    }

    private static bool IsLabelOnly(Acl? sacl) => sacl is not null && sacl.Count > 0 && sacl.Aces.All(a => a.Type == AceType.SystemMandatoryLabel);

    private static bool HasLabel(Acl? sacl) => sacl is not null && sacl.Aces.Any(a => a.Type == AceType.SystemMandatoryLabel && !a.IsInheritOnly);

    // A creator below medium integrity labels what it creates with its own level (so that medium processes are
    // protected from writing up into it); the SEF_MACL_* flags choose the policy, NO_WRITE_UP when none is given.
    private static Ace? LabelFor(SecuritySubject subject, AutoInheritFlags flags)
    {
        if (subject.IntegrityLevel is not { } il || il.SubAuthorityCount == 0 || il.Rid >= WellKnownSids.MediumIntegrity.Rid) return null;
        uint policy = ((uint)flags >> 8) & 0x7;
        if (policy == 0) policy = 0x1;
        return new Ace(AceType.SystemMandatoryLabel, AceFlags.None, policy, il);
    }

    // ----- SetPrivateObjectSecurity --------------------------------------------------------------------------

    /// <summary>
    /// The descriptor an object stores when <paramref name="parts"/> of it are set from <paramref name="modification"/>
    /// (SetPrivateObjectSecurityEx; NtSetSecurityObject on a file or key, without flags). The caller has already
    /// checked the access that setting needs (WRITE_OWNER, WRITE_DAC, ACCESS_SYSTEM_SECURITY).
    /// </summary>
    /// <remarks>
    /// Control bits: SE_DACL_AUTO_INHERIT_REQ is never stored; SE_DACL_AUTO_INHERITED is kept only when the caller
    /// set it together with AUTO_INHERIT_REQ; SE_DACL_PROTECTED and INHERITED_ACE flags are kept as given (the same for
    /// the SACL bits). Generic rights in ACEs that are not inherit-only are mapped. With SEF_DACL_AUTO_INHERIT (AD)
    /// and an unprotected DACL, the new DACL's explicit ACEs are followed by the inherited ACEs: re-computed from
    /// <paramref name="parent"/> when it is given, otherwise the current DACL's INHERITED_ACE entries.
    /// </remarks>
    public static InheritanceResult SetPrivateObjectSecurity(
        SecurityDescriptor current,
        SecurityDescriptor modification,
        SecurityInformation parts,
        SecuritySubject subject,
        GenericMapping mapping,
        AutoInheritFlags flags = AutoInheritFlags.None,
        bool isContainer = false,
        SecurityDescriptor? parent = null,
        IReadOnlyList<Guid>? objectTypes = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(modification);
        ArgumentNullException.ThrowIfNull(subject);
        var owner = current.Owner;
        var group = current.Group;
        var ownerSource = ComponentSource.Current;
        var ownerCheck = OwnerCheck.Defaulted;
        var groupSource = ComponentSource.Current;
        if ((parts & SecurityInformation.Owner) != 0)
        {
            if (modification.Owner is not { } o) return InheritanceResult.Fail(NtStatus.InvalidOwner, InheritanceFailure.MissingOwner);
            if ((flags & AutoInheritFlags.AvoidOwnerCheck) != 0) ownerCheck = OwnerCheck.NotChecked;
            else
            {
                ownerCheck = subject.CheckOwner(o);
                if (ownerCheck == OwnerCheck.NotAssignable) return InheritanceResult.Fail(NtStatus.InvalidOwner, InheritanceFailure.OwnerNotAssignable, o);
            }
            owner = o;
            ownerSource = ComponentSource.Creator;
        }
        if ((parts & SecurityInformation.Group) != 0)
        {
            if (modification.Group is not { } g) return InheritanceResult.Fail(NtStatus.InvalidPrimaryGroup, InheritanceFailure.MissingGroup);
            group = g;
            groupSource = ComponentSource.Creator;
        }

        var control = current.Control & (DaclBits | SaclBits | SecurityDescriptorControl.DaclDefaulted | SecurityDescriptorControl.SaclDefaulted);
        var daclState = current.DaclState;
        var dacl = current.Dacl;
        var saclState = current.SaclState;
        var sacl = current.Sacl;
        var daclSource = ComponentSource.Current;
        var saclSource = ComponentSource.Current;
        bool daclMarked = false, saclMarked = false;
        var effectiveOwner = owner ?? subject.DefaultOwner;
        var effectiveGroup = group ?? subject.PrimaryGroup ?? effectiveOwner;

        if ((parts & SecurityInformation.Dacl) != 0)
        {
            (daclState, dacl, var c, daclMarked, daclSource) = SetAcl(isSacl: false, current, modification, parent, isContainer, objectTypes,
                effectiveOwner, effectiveGroup, mapping, (flags & AutoInheritFlags.DaclAutoInherit) != 0);
            control = (control & ~(DaclBits | SecurityDescriptorControl.DaclDefaulted)) | c;
        }
        if ((parts & SecurityInformation.Sacl) != 0)
        {
            (saclState, sacl, var c, saclMarked, saclSource) = SetAcl(isSacl: true, current, modification, parent, isContainer, objectTypes,
                effectiveOwner, effectiveGroup, mapping, (flags & AutoInheritFlags.SaclAutoInherit) != 0);
            control = (control & ~(SaclBits | SecurityDescriptorControl.SaclDefaulted)) | c;
        }
        var sd = new SecurityDescriptor(owner, group, dacl, sacl, control, daclState, saclState);
        return InheritanceResult.Ok(sd, new InheritanceTrace(ownerSource, ownerCheck, groupSource, daclSource, saclSource, daclMarked, saclMarked, false, false));
    }

    private static (AclState, Acl?, SecurityDescriptorControl, bool, ComponentSource) SetAcl(bool isSacl, SecurityDescriptor current, SecurityDescriptor modification,
        SecurityDescriptor? parent, bool isContainer, IReadOnlyList<Guid>? objectTypes, Sid owner, Sid group, GenericMapping mapping, bool autoInheritFlag)
    {
        var req = isSacl ? SecurityDescriptorControl.SaclAutoInheritRequired : SecurityDescriptorControl.DaclAutoInheritRequired;
        var ai = isSacl ? SecurityDescriptorControl.SaclAutoInherited : SecurityDescriptorControl.DaclAutoInherited;
        var prot = isSacl ? SecurityDescriptorControl.SaclProtected : SecurityDescriptorControl.DaclProtected;
        var state = isSacl ? modification.SaclState : modification.DaclState;
        var acl = isSacl ? modification.Sacl : modification.Dacl;
        var given = modification.Control;
        var control = given & prot;
        if ((given & (req | ai)) == (req | ai)) control |= ai;
        bool isProtected = (given & prot) != 0;
        if (acl is not null) acl = MapExplicit(acl, mapping);

        if (!autoInheritFlag || isProtected)
            return (state, acl, control | (autoInheritFlag ? ai : 0), false, ComponentSource.Creator);

        var aces = new List<Ace>();
        if (acl is not null)
            foreach (var a in acl.Aces)
                if (!a.IsInherited) aces.Add(a);
        int explicitCount = aces.Count;
        var parentAcl = parent is null ? null : isSacl ? parent.Sacl : parent.Dacl;
        if (parent is not null)
        {
            if (parentAcl is not null) AceInheritance.Inherit(parentAcl, isContainer, objectTypes, owner, group, mapping, true, null, aces);
        }
        else
        {
            var currentAcl = isSacl ? current.Sacl : current.Dacl;
            if (currentAcl is not null)
                foreach (var a in currentAcl.Aces)
                    if (a.IsInherited) aces.Add(a);
        }
        if (state == AclState.Null && aces.Count == 0) return (AclState.Null, null, control | ai, true, ComponentSource.Creator);
        var source = aces.Count > explicitCount ? ComponentSource.CreatorAndParent : ComponentSource.Creator;
        return (AclState.Present, new Acl(aces), control | ai, true, source);
    }

    // ----- ConvertToAutoInheritPrivateObjectSecurity ---------------------------------------------------------

    /// <summary>
    /// ConvertToAutoInheritPrivateObjectSecurity: a descriptor written before auto-inheritance (no INHERITED_ACE
    /// flags) in auto-inherit form. The ACEs the parent gives this child are looked for in the DACL (and SACL); when
    /// every one of them is there, those ACEs are marked INHERITED_ACE and put after the explicit ones, and the ACL is
    /// marked auto-inherited. When the parent gives ACEs the ACL does not hold, the ACL was evidently set on purpose:
    /// all its ACEs stay explicit and the ACL is marked protected, so a later propagation does not change it.
    /// </summary>
    public static InheritanceResult ConvertToAutoInherit(SecurityDescriptor? parent, SecurityDescriptor current, bool isContainer,
        GenericMapping mapping, IReadOnlyList<Guid>? objectTypes = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        var owner = current.Owner ?? WellKnownSids.CreatorOwner;
        var group = current.Group ?? WellKnownSids.CreatorGroup;
        var control = current.Control & ~(DaclBits | SaclBits | SecurityDescriptorControl.DaclAutoInheritRequired | SecurityDescriptorControl.SaclAutoInheritRequired);
        var dacl = ConvertAcl(current.Dacl, parent?.Dacl, (current.Control & SecurityDescriptorControl.DaclProtected) != 0, isContainer, objectTypes, owner, group, mapping,
            SecurityDescriptorControl.DaclAutoInherited, SecurityDescriptorControl.DaclProtected, out var dc);
        var sacl = ConvertAcl(current.Sacl, parent?.Sacl, (current.Control & SecurityDescriptorControl.SaclProtected) != 0, isContainer, objectTypes, owner, group, mapping,
            SecurityDescriptorControl.SaclAutoInherited, SecurityDescriptorControl.SaclProtected, out var sc);
        var sd = new SecurityDescriptor(current.Owner, current.Group, dacl, sacl, control | dc | sc, current.DaclState, current.SaclState);
        return InheritanceResult.Ok(sd, new InheritanceTrace(ComponentSource.Current, OwnerCheck.NotChecked, ComponentSource.Current,
            (dc & SecurityDescriptorControl.DaclProtected) != 0 ? ComponentSource.Creator : ComponentSource.CreatorAndParent,
            (sc & SecurityDescriptorControl.SaclProtected) != 0 ? ComponentSource.Creator : ComponentSource.CreatorAndParent, true, true, false, false));
    }

    private static Acl? ConvertAcl(Acl? acl, Acl? parentAcl, bool alreadyProtected, bool isContainer, IReadOnlyList<Guid>? objectTypes, Sid owner, Sid group,
        GenericMapping mapping, SecurityDescriptorControl aiBit, SecurityDescriptorControl protectedBit, out SecurityDescriptorControl control)
    {
        control = aiBit | (alreadyProtected ? protectedBit : 0);
        if (acl is null) return null;
        var expected = new List<Ace>();
        if (parentAcl is not null && !alreadyProtected) AceInheritance.Inherit(parentAcl, isContainer, objectTypes, owner, group, mapping, false, null, expected);
        if (expected.Count == 0) return acl;
        var remaining = acl.Aces.Select(a => a.WithFlags(a.Flags & ~AceFlags.Inherited)).ToList();
        var found = new List<int>();
        foreach (var e in expected)
        {
            int i = -1;
            for (int k = 0; k < remaining.Count && i < 0; k++)
                if (!found.Contains(k) && remaining[k].Equals(e)) i = k;
            if (i < 0)
            {
                control |= protectedBit;
                return acl;
            }
            found.Add(i);
        }
        var explicitAces = remaining.Where((_, i) => !found.Contains(i));
        var inheritedAces = found.Order().Select(i => remaining[i].WithFlags(remaining[i].Flags | AceFlags.Inherited));
        return new Acl(explicitAces.Concat(inheritedAces), acl.Revision);
    }
}
