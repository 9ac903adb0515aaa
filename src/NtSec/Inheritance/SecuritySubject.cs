using System.Collections.Immutable;
using NtSec.Acls;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Inheritance;

/// <summary>
/// What the inheritance algorithms read from the creator's token: its default owner, primary group and default
/// DACL, the SIDs it may make the owner of an object, the privileges that matter here, and its integrity level.
/// An immutable value; <see cref="FromToken"/> takes it from a <see cref="Token"/>.
/// </summary>
/// <param name="DefaultOwner">TOKEN_OWNER: the owner of objects the token creates.</param>
/// <param name="PrimaryGroup">TOKEN_PRIMARY_GROUP; null models a token without one (STATUS_INVALID_PRIMARY_GROUP).</param>
/// <param name="DefaultDacl">TOKEN_DEFAULT_DACL; null when the token has none (then a new object may get no DACL at all).</param>
/// <param name="OwnerSids">The SIDs the token may assign as owner: its user and its groups marked SE_GROUP_OWNER.</param>
/// <param name="RestorePrivilege">SeRestorePrivilege is enabled: any SID may be made the owner.</param>
/// <param name="SecurityPrivilege">SeSecurityPrivilege is enabled: the creator may give a SACL.</param>
/// <param name="TakeOwnershipPrivilege">SeTakeOwnershipPrivilege is enabled (it grants WRITE_OWNER in the access check; it does not widen the owners one may assign).</param>
/// <param name="IntegrityLevel">The token's integrity level SID, or null when unknown.</param>
public sealed record SecuritySubject(
    Sid DefaultOwner,
    Sid? PrimaryGroup,
    Acl? DefaultDacl,
    ImmutableArray<Sid> OwnerSids,
    bool RestorePrivilege = false,
    bool SecurityPrivilege = false,
    bool TakeOwnershipPrivilege = false,
    Sid? IntegrityLevel = null)
{
    /// <summary>The subject a token describes (privileges count only when enabled, groups only when not deny-only).</summary>
    public static SecuritySubject FromToken(Token token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var owners = ImmutableArray.CreateBuilder<Sid>();
        if (!token.User.IsDenyOnly) owners.Add(token.User.Sid);
        foreach (var g in token.Groups)
            if ((g.Attributes & GroupAttributes.Owner) != 0 && !g.IsDenyOnly) owners.Add(g.Sid);
        return new SecuritySubject(token.Owner, token.PrimaryGroup, token.DefaultDacl, owners.ToImmutable(),
            token.IsPrivilegeEnabled(Privileges.Restore), token.IsPrivilegeEnabled(Privileges.Security),
            token.IsPrivilegeEnabled(Privileges.TakeOwnership), token.IntegrityLevel);
    }

    /// <summary>
    /// Whether <paramref name="owner"/> may be written as an object's owner: the token's user or an owner group, or
    /// any SID with SeRestorePrivilege enabled.
    /// </summary>
    public OwnerCheck CheckOwner(Sid owner)
    {
        if (OwnerSids.Contains(owner)) return OwnerCheck.OwnerCapableSid;
        return RestorePrivilege ? OwnerCheck.RestorePrivilege : OwnerCheck.NotAssignable;
    }
}

/// <summary>Why an owner was accepted, or that it was not.</summary>
public enum OwnerCheck
{
    /// <summary>The owner is neither the user nor an SE_GROUP_OWNER group, and SeRestorePrivilege is not enabled.</summary>
    NotAssignable,
    /// <summary>The owner is the token's user or one of its groups marked SE_GROUP_OWNER.</summary>
    OwnerCapableSid,
    /// <summary>The owner is any SID: SeRestorePrivilege is enabled.</summary>
    RestorePrivilege,
    /// <summary>SEF_AVOID_OWNER_CHECK: not checked.</summary>
    NotChecked,
    /// <summary>The owner came from the token's default owner or the parent, which are not checked.</summary>
    Defaulted,
}
