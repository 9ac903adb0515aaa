using NtSec.Descriptors;
using NtSec.Principals;

namespace NtSec.Inheritance;

/// <summary>Why a descriptor could not be built or stored.</summary>
public enum InheritanceFailure
{
    /// <summary>No failure.</summary>
    None,
    /// <summary>SEF_DEFAULT_OWNER_FROM_PARENT with no parent, or a parent without an owner (STATUS_INVALID_OWNER).</summary>
    NoParentOwner,
    /// <summary>SEF_DEFAULT_GROUP_FROM_PARENT with no parent, or a parent without a group (STATUS_INVALID_PRIMARY_GROUP).</summary>
    NoParentGroup,
    /// <summary>The token has no primary group to default the group from (STATUS_INVALID_PRIMARY_GROUP).</summary>
    NoPrimaryGroup,
    /// <summary>The owner asked for may not be assigned by this token (STATUS_INVALID_OWNER).</summary>
    OwnerNotAssignable,
    /// <summary>A set request names the owner but the descriptor carries none (STATUS_INVALID_OWNER).</summary>
    MissingOwner,
    /// <summary>A set request names the group but the descriptor carries none (STATUS_INVALID_PRIMARY_GROUP).</summary>
    MissingGroup,
    /// <summary>The creator gave a SACL without SeSecurityPrivilege enabled (STATUS_PRIVILEGE_NOT_HELD).</summary>
    SaclNeedsSecurityPrivilege,
}

/// <summary>Where a component of the new descriptor came from.</summary>
public enum ComponentSource
{
    /// <summary>The component is absent.</summary>
    Absent,
    /// <summary>The creator's (or the modification's) descriptor.</summary>
    Creator,
    /// <summary>The parent's inheritable ACEs (or, for owner and group, the parent's owner or group).</summary>
    Parent,
    /// <summary>The creator's explicit ACEs followed by the parent's inheritable ones (auto-inheritance).</summary>
    CreatorAndParent,
    /// <summary>The token: its default owner, primary group or default DACL.</summary>
    Token,
    /// <summary>The object's current descriptor (kept by a set that did not name the component).</summary>
    Current,
}

/// <summary>The decisions behind a new descriptor, as data: the renderer explains them, nothing recomputes them.</summary>
/// <param name="Owner">Where the owner came from.</param>
/// <param name="OwnerCheck">How the owner was accepted.</param>
/// <param name="Group">Where the group came from.</param>
/// <param name="Dacl">Where the DACL came from.</param>
/// <param name="Sacl">Where the SACL came from.</param>
/// <param name="DaclAutoInherit">Inherited DACL ACEs were marked INHERITED_ACE (a SEF flag, or the parent's DACL is auto-inherited).</param>
/// <param name="SaclAutoInherit">The same for the SACL.</param>
/// <param name="CreatorDaclIgnored">The creator gave a DACL that lost to the parent (it was defaulted, or SEF_DEFAULT_DESCRIPTOR_FOR_OBJECT).</param>
/// <param name="LabelAdded">A mandatory label for a creator below medium integrity was added.</param>
public sealed record InheritanceTrace(
    ComponentSource Owner,
    OwnerCheck OwnerCheck,
    ComponentSource Group,
    ComponentSource Dacl,
    ComponentSource Sacl,
    bool DaclAutoInherit,
    bool SaclAutoInherit,
    bool CreatorDaclIgnored,
    bool LabelAdded)
{
    /// <summary>
    /// Where each ACE of the new DACL came from, one entry per ACE in order; empty when the operation does not record
    /// it (set and propagate give the component sources only).
    /// </summary>
    public IReadOnlyList<AceOrigin> DaclOrigins { get; init; } = [];

    /// <summary>Where each ACE of the new SACL came from, as <see cref="DaclOrigins"/>.</summary>
    public IReadOnlyList<AceOrigin> SaclOrigins { get; init; } = [];
}

/// <summary>Which input an ACE of a new descriptor was taken from.</summary>
public enum AceOriginSource
{
    /// <summary>The creator's ACL: an explicit ACE, stored with its generic rights mapped.</summary>
    Creator,
    /// <summary>An inheritable ACE of the parent's ACL.</summary>
    Parent,
    /// <summary>The token's default DACL (neither creator nor parent gave a DACL).</summary>
    TokenDefaultDacl,
    /// <summary>The mandatory label added for a creator below medium integrity (its level, from the token).</summary>
    TokenIntegrityLabel,
}

/// <summary>What became of the source ACE on its way into the new descriptor.</summary>
[Flags]
public enum AceOriginChanges
{
    /// <summary>Copied as it was (apart from INHERITED_ACE).</summary>
    None = 0,
    /// <summary>Generic rights were mapped to the type's specific rights (and masked with its GENERIC_ALL).</summary>
    MaskMapped = 1,
    /// <summary>CREATOR OWNER (SERVER) became the owner, or CREATOR GROUP (SERVER) the group.</summary>
    CreatorSidReplaced = 2,
    /// <summary>The effective copy: inheritance flags and the inherited object type dropped, applying to this object.</summary>
    EffectiveCopy = 4,
    /// <summary>The inherit-only copy a container keeps to hand the ACE on to its own children.</summary>
    InheritOnlyCopy = 8,
    /// <summary>One ACE both applies to this object and is handed on (nothing needed rewriting): it keeps its inheritance flags.</summary>
    AppliesAndPropagates = 16,
    /// <summary>INHERITED_ACE was set on it (auto-inheritance).</summary>
    MarkedInherited = 32,
}

/// <summary>The origin of one ACE of a new descriptor.</summary>
/// <param name="Source">The input it came from.</param>
/// <param name="Index">Its index in that input's ACL (the creator's, the parent's or the default DACL); -1 for an added label.</param>
/// <param name="Changes">What was done to it.</param>
public readonly record struct AceOrigin(AceOriginSource Source, int Index, AceOriginChanges Changes);

/// <summary>
/// The outcome of an inheritance call: an NTSTATUS, the descriptor on success, and on failure the reason as data
/// (the SID involved when there is one).
/// </summary>
public readonly record struct InheritanceResult(NtStatus Status, SecurityDescriptor? Descriptor, InheritanceFailure Failure, Sid? FailureSid, InheritanceTrace? Trace)
{
    /// <summary>True on STATUS_SUCCESS.</summary>
    public bool IsSuccess => Status.IsSuccess;

    internal static InheritanceResult Fail(NtStatus status, InheritanceFailure failure, Sid? sid = null) => new(status, null, failure, sid, null);

    internal static InheritanceResult Ok(SecurityDescriptor sd, InheritanceTrace trace) => new(NtStatus.Success, sd, InheritanceFailure.None, null, trace);
}
