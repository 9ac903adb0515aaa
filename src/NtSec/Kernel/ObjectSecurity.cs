using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Kernel;

/// <summary>
/// The security descriptor an object gets when it is created without an explicit one: what SeAssignSecurity
/// produces when there is no parent to inherit from.
/// </summary>
public static class ObjectSecurity
{
    /// <summary>SYSTEM_MANDATORY_LABEL_NO_WRITE_UP.</summary>
    public const uint NoWriteUp = LabelPolicies.NoWriteUp;

    /// <summary>SYSTEM_MANDATORY_LABEL_NO_READ_UP.</summary>
    public const uint NoReadUp = LabelPolicies.NoReadUp;

    /// <summary>SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP.</summary>
    public const uint NoExecuteUp = LabelPolicies.NoExecuteUp;

    /// <summary>
    /// The default descriptor of a new object: owner and group from the creator's token (its default owner and
    /// primary group), the DACL from the creator's default DACL (generic rights mapped for the type and masked to its
    /// GENERIC_ALL; a token with no default DACL gives no DACL at all, SE_DACL_PRESENT clear, as SeAssignSecurity does
    /// on Windows), and a mandatory label when <paramref name="label"/> is given.
    /// </summary>
    /// <param name="creator">The creator's effective token.</param>
    /// <param name="type">The new object's type.</param>
    /// <param name="label">The integrity level to label the object with, or null for no explicit label.</param>
    /// <param name="labelPolicy">The label's policy bits (<see cref="NoWriteUp"/> ...).</param>
    public static SecurityDescriptor ForNewObject(Token creator, ObjectTypeInfo type, Sid? label, uint labelPolicy)
    {
        ArgumentNullException.ThrowIfNull(creator);
        ArgumentNullException.ThrowIfNull(type);
        Acl? dacl = creator.DefaultDacl is { } d ? MapAcl(d, type.GenericMapping) : null;
        Acl? sacl = label is { } l ? new Acl([new Ace(AceType.SystemMandatoryLabel, AceFlags.None, labelPolicy, l)]) : null;
        return new SecurityDescriptor(creator.Owner, creator.PrimaryGroup, dacl, sacl, SecurityDescriptorControl.None);
    }

    /// <summary>
    /// Completes a descriptor a caller supplied for a new object: a missing owner or group comes from the creator's
    /// token, a missing DACL from its default DACL (none when the token has none); generic rights in the ACEs are
    /// mapped for the type and masked to its GENERIC_ALL.
    /// </summary>
    public static SecurityDescriptor ForNewObject(Token creator, ObjectTypeInfo type, SecurityDescriptor supplied)
    {
        ArgumentNullException.ThrowIfNull(creator);
        ArgumentNullException.ThrowIfNull(supplied);
        var sd = supplied;
        if (sd.Owner is null) sd = sd.WithOwner(creator.Owner);
        if (sd.Group is null) sd = sd.WithGroup(creator.PrimaryGroup);
        if (sd.DaclState == AclState.Absent)
            sd = creator.DefaultDacl is { } d ? sd.WithDacl(d, AclState.Present) : sd;
        return MapGenericRights(sd, type.GenericMapping);
    }

    /// <summary>Maps the generic rights in every ACE of both ACLs, as Windows does when it stores a descriptor on an object.</summary>
    public static SecurityDescriptor MapGenericRights(SecurityDescriptor sd, GenericMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(sd);
        var result = sd;
        if (sd.Dacl is { } dacl) result = result.WithDacl(MapAcl(dacl, mapping), AclState.Present);
        if (sd.Sacl is { } sacl) result = result.WithSacl(MapAcl(sacl, mapping), AclState.Present);
        return result;
    }

    private static Acl MapAcl(Acl acl, GenericMapping mapping)
    {
        // The one rule for storing an explicit ACE lives with the inheritance algorithms: inherit-only ACEs keep their
        // generic rights (they are mapped when a child inherits them), the others are mapped and masked.
        if (acl.Aces.All(a => ReferenceEquals(Inheritance.AceInheritance.StoreExplicit(a, mapping), a))) return acl;
        return new Acl(acl.Aces.Select(a => Inheritance.AceInheritance.StoreExplicit(a, mapping)), acl.Revision);
    }
}
