using NtSec.Principals;

namespace NtSec.Tokens;

/// <summary>The flags of CreateRestrictedToken / NtFilterToken.</summary>
[Flags]
public enum FilterTokenFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>DISABLE_MAX_PRIVILEGE: delete every privilege except SeChangeNotifyPrivilege.</summary>
    DisableMaxPrivilege = 0x1,
    /// <summary>SANDBOX_INERT: AppLocker and software restriction policies are not applied.</summary>
    SandboxInert = 0x2,
    /// <summary>LUA_TOKEN: the token is a UAC-filtered (LUA) token.</summary>
    LuaToken = 0x4,
    /// <summary>WRITE_RESTRICTED: the restricting SIDs are checked for write access only.</summary>
    WriteRestricted = 0x8,
}

/// <summary>
/// Token filtering as <c>NtFilterToken</c> and <c>CreateRestrictedToken</c> do it: SIDs made deny-only,
/// privileges deleted, restricting SIDs added (intersected with those the token already has).
/// </summary>
public static class TokenFilter
{
    private const FilterTokenFlags ValidFlags = FilterTokenFlags.DisableMaxPrivilege | FilterTokenFlags.SandboxInert | FilterTokenFlags.LuaToken | FilterTokenFlags.WriteRestricted;

    /// <summary>
    /// Filters a token. Returns STATUS_INVALID_PARAMETER for unknown flags or for restricting SIDs given with
    /// attributes (Windows requires their attributes to be zero and sets them itself).
    /// </summary>
    /// <param name="token">The token to filter; it is not changed.</param>
    /// <param name="flags">The filter flags.</param>
    /// <param name="sidsToDisable">SIDs to make deny-only (the user SID too); SIDs the token lacks are ignored; attributes are ignored.</param>
    /// <param name="privilegesToDelete">Privileges to remove; ignored with DISABLE_MAX_PRIVILEGE; absent ones are ignored.</param>
    /// <param name="sidsToRestrict">Restricting SIDs to add, with zero attributes.</param>
    /// <param name="filtered">The new token.</param>
    public static NtStatus Filter(
        Token token,
        FilterTokenFlags flags,
        IEnumerable<SidAndAttributes>? sidsToDisable,
        IEnumerable<Luid>? privilegesToDelete,
        IEnumerable<SidAndAttributes>? sidsToRestrict,
        out Token? filtered)
    {
        filtered = null;
        if ((flags & ~ValidFlags) != 0) return NtStatus.InvalidParameter;
        var restrict = sidsToRestrict?.ToList() ?? [];
        foreach (var r in restrict)
            if (r.Attributes != GroupAttributes.None || r.Sid.IsDefault) return NtStatus.InvalidParameter;

        var b = token.ToBuilder();

        // Deny-only: the SID then matches deny ACEs and no allow ACE.
        var disable = new HashSet<Sid>();
        foreach (var s in sidsToDisable ?? []) disable.Add(s.Sid);
        if (disable.Contains(b.User.Sid))
            b.User = new SidAndAttributes(b.User.Sid, b.User.Attributes | GroupAttributes.UseForDenyOnly);
        for (int i = 0; i < b.Groups.Count; i++)
        {
            var g = b.Groups[i];
            if (!disable.Contains(g.Sid)) continue;
            b.Groups[i] = new SidAndAttributes(g.Sid, (g.Attributes & ~(GroupAttributes.Enabled | GroupAttributes.EnabledByDefault)) | GroupAttributes.UseForDenyOnly);
        }

        // Privileges.
        if ((flags & FilterTokenFlags.DisableMaxPrivilege) != 0)
        {
            b.PrivilegeList.RemoveAll(p => p.Luid != Privileges.ChangeNotify);
        }
        else if (privilegesToDelete is not null)
        {
            var delete = new HashSet<Luid>(privilegesToDelete);
            b.PrivilegeList.RemoveAll(p => delete.Contains(p.Luid));
        }

        // Restricting SIDs: Windows sets their attributes itself. A token that is already restricted keeps only the
        // SIDs in both lists (and only those it had enabled) for allow ACEs. Its other restricting SIDs stay, deny-only,
        // so that the second pass still meets every deny ACE the old token met: filtering can never lift a
        // restriction, and when nothing is in common the token stays restricted with no SID that any allow ACE matches.
        const GroupAttributes restrictedAttributes = GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled;
        if (restrict.Count > 0)
        {
            var given = restrict.Select(r => r.Sid).Distinct().ToList();
            if (token.IsRestricted)
            {
                var enabled = new HashSet<Sid>(token.RestrictedSids.Where(r => r.IsEnabled).Select(r => r.Sid));
                var kept = given.Where(enabled.Contains).ToList();
                var keptSet = new HashSet<Sid>(kept);
                b.RestrictedSids.Clear();
                foreach (var s in kept) b.RestrictedSids.Add(new SidAndAttributes(s, restrictedAttributes));
                foreach (var old in token.RestrictedSids.Select(r => r.Sid).Distinct())
                    if (!keptSet.Contains(old)) b.RestrictedSids.Add(new SidAndAttributes(old, GroupAttributes.UseForDenyOnly));
            }
            else
            {
                foreach (var s in given) b.RestrictedSids.Add(new SidAndAttributes(s, restrictedAttributes));
            }
        }

        // WRITE_RESTRICTED narrows a new restriction to writes; it never relaxes a token that is already restricted
        // for every access into one restricted for writes only.
        if ((flags & FilterTokenFlags.WriteRestricted) != 0 && (!token.IsRestricted || token.WriteRestricted)) b.WriteRestricted = true;
        if ((flags & FilterTokenFlags.SandboxInert) != 0) b.SandboxInert = true;
        if ((flags & FilterTokenFlags.LuaToken) != 0) b.IsLuaToken = true;
        // The new token is a child of the old one: CreateProcessAsUser lets its parent's process assign it.
        b.ParentTokenId = token.TokenId;
        b.TokenId = null;
        b.ModifiedId = null;
        filtered = b.Build();
        return NtStatus.Success;
    }

    /// <summary>IsTokenRestricted: true when the token has restricting SIDs.</summary>
    public static bool IsTokenRestricted(Token token) => token.IsRestricted;
}
