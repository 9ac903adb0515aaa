using System.Collections.Immutable;
using NtSec.Acls;
using NtSec.Claims;
using NtSec.Principals;

namespace NtSec.Tokens;

/// <summary>SE_GROUP_* attributes of a SID in a token.</summary>
[Flags]
public enum GroupAttributes : uint
{
    /// <summary>No attribute: the SID is present but disabled.</summary>
    None = 0,
    /// <summary>SE_GROUP_MANDATORY: cannot be disabled.</summary>
    Mandatory = 0x1,
    /// <summary>SE_GROUP_ENABLED_BY_DEFAULT.</summary>
    EnabledByDefault = 0x2,
    /// <summary>SE_GROUP_ENABLED: the SID counts for allow ACEs.</summary>
    Enabled = 0x4,
    /// <summary>SE_GROUP_OWNER: the SID may be made the token's default owner.</summary>
    Owner = 0x8,
    /// <summary>SE_GROUP_USE_FOR_DENY_ONLY: the SID matches deny ACEs only.</summary>
    UseForDenyOnly = 0x10,
    /// <summary>SE_GROUP_INTEGRITY: the SID is the integrity level.</summary>
    Integrity = 0x20,
    /// <summary>SE_GROUP_INTEGRITY_ENABLED.</summary>
    IntegrityEnabled = 0x40,
    /// <summary>SE_GROUP_RESOURCE: a domain-local group.</summary>
    Resource = 0x2000_0000,
    /// <summary>SE_GROUP_LOGON_ID: the logon session SID.</summary>
    LogonId = 0xC000_0000,
}

/// <summary>A SID with its attributes (SID_AND_ATTRIBUTES).</summary>
/// <param name="Sid">The SID.</param>
/// <param name="Attributes">Its SE_GROUP_* attributes.</param>
public readonly record struct SidAndAttributes(Sid Sid, GroupAttributes Attributes)
{
    /// <summary>True when the SID counts for allow ACEs: enabled and not deny-only.</summary>
    public bool IsEnabled => (Attributes & (GroupAttributes.Enabled | GroupAttributes.UseForDenyOnly)) == GroupAttributes.Enabled;

    /// <summary>True when the SID is deny-only.</summary>
    public bool IsDenyOnly => (Attributes & GroupAttributes.UseForDenyOnly) != 0;
}

/// <summary>TOKEN_TYPE.</summary>
public enum TokenType
{
    /// <summary>TokenPrimary: a process token.</summary>
    Primary = 1,
    /// <summary>TokenImpersonation: a thread token.</summary>
    Impersonation = 2,
}

/// <summary>SECURITY_IMPERSONATION_LEVEL.</summary>
public enum SecurityImpersonationLevel
{
    /// <summary>SecurityAnonymous: the server cannot identify the client.</summary>
    Anonymous = 0,
    /// <summary>SecurityIdentification: the server may query and access-check, not act as the client.</summary>
    Identification = 1,
    /// <summary>SecurityImpersonation: the server may act as the client locally.</summary>
    Impersonation = 2,
    /// <summary>SecurityDelegation: also on remote systems.</summary>
    Delegation = 3,
}

/// <summary>TOKEN_MANDATORY_POLICY bits.</summary>
[Flags]
public enum MandatoryPolicy : uint
{
    /// <summary>TOKEN_MANDATORY_POLICY_OFF: no integrity restriction.</summary>
    Off = 0,
    /// <summary>TOKEN_MANDATORY_POLICY_NO_WRITE_UP.</summary>
    NoWriteUp = 1,
    /// <summary>TOKEN_MANDATORY_POLICY_NEW_PROCESS_MIN.</summary>
    NewProcessMin = 2,
}

/// <summary>TOKEN_ELEVATION_TYPE.</summary>
public enum TokenElevationType
{
    /// <summary>TokenElevationTypeDefault: no linked token (UAC off, or a standard user).</summary>
    Default = 1,
    /// <summary>TokenElevationTypeFull: the elevated half of a split token.</summary>
    Full = 2,
    /// <summary>TokenElevationTypeLimited: the filtered half of a split token.</summary>
    Limited = 3,
}

/// <summary>TOKEN_SOURCE: who created the token (an 8-character name and a LUID).</summary>
/// <param name="Name">Up to 8 characters (<c>User32 </c>, <c>NtLmSsp </c>, <c>Advapi  </c> ...).</param>
/// <param name="Identifier">The source's LUID.</param>
public sealed record TokenSource(string Name, Luid Identifier);

/// <summary>The AppContainer part of a lowbox token.</summary>
/// <param name="PackageSid">The package SID (S-1-15-2-...).</param>
/// <param name="Capabilities">Capability SIDs (S-1-15-3-...) with their attributes.</param>
/// <param name="LowboxNumber">The lowbox number, which names the container's object directory.</param>
public sealed record AppContainerInfo(Sid PackageSid, ImmutableArray<SidAndAttributes> Capabilities, uint LowboxNumber = 0);

/// <summary>
/// An access token: an immutable snapshot of a security context. Emulated kernel objects hold a token and replace
/// it when it changes; a check always sees one consistent snapshot.
/// </summary>
/// <remarks>
/// Every SID the access check may test is indexed by hash at construction, so a check looks up each ACE's SID in
/// constant time instead of scanning the group list (a 15-group token and a 500-group token cost the same).
/// </remarks>
public sealed class Token
{
    private readonly SidLookup _sids;
    private readonly SidLookup? _restricted;
    private readonly SidLookup? _capabilities;
    private readonly Dictionary<Luid, PrivilegeAttributes> _privileges;

    internal Token(TokenBuilder b)
    {
        User = b.User;
        Groups = [.. b.Groups];
        Privileges = [.. b.PrivilegeList];
        RestrictedSids = [.. b.RestrictedSids];
        WriteRestricted = b.WriteRestricted;
        Owner = b.Owner ?? b.User.Sid;
        PrimaryGroup = b.PrimaryGroup ?? b.User.Sid;
        DefaultDacl = b.DefaultDacl;
        Type = b.Type;
        ImpersonationLevel = b.Type == TokenType.Primary ? SecurityImpersonationLevel.Anonymous : b.ImpersonationLevel;
        IntegrityLevel = b.IntegrityLevel;
        MandatoryPolicy = b.MandatoryPolicy;
        AuthenticationId = b.AuthenticationId;
        TokenId = b.TokenId ?? TokenBuilder.NewLuid();
        ModifiedId = b.ModifiedId ?? TokenBuilder.NewLuid();
        Source = b.Source;
        SessionId = b.SessionId;
        ElevationType = b.ElevationType;
        AppContainer = b.AppContainer;
        SandboxInert = b.SandboxInert;
        IsLuaToken = b.IsLuaToken;
        Origin = b.Origin;
        ParentTokenId = b.ParentTokenId;
        DeviceGroups = [.. b.DeviceGroups];
        UserClaims = b.UserClaims;
        DeviceClaims = b.DeviceClaims;

        var sids = new Dictionary<Sid, GroupAttributes>(Groups.Length + 1);
        // The user SID carries no SE_GROUP_ENABLED bit in Windows; it counts as enabled unless it is deny-only.
        AddSid(sids, User.Sid, User.IsDenyOnly ? GroupAttributes.UseForDenyOnly : GroupAttributes.Enabled | GroupAttributes.Mandatory);
        foreach (var g in Groups) AddSid(sids, g.Sid, g.Attributes);
        _sids = new SidLookup(sids);
        if (RestrictedSids.Length > 0)
        {
            var restricted = new Dictionary<Sid, GroupAttributes>(RestrictedSids.Length);
            foreach (var r in RestrictedSids) AddSid(restricted, r.Sid, r.Attributes);
            _restricted = new SidLookup(restricted);
        }
        if (AppContainer is not null)
        {
            var capabilities = new Dictionary<Sid, GroupAttributes>(AppContainer.Capabilities.Length + 1);
            foreach (var c in AppContainer.Capabilities) AddSid(capabilities, c.Sid, c.Attributes);
            _capabilities = new SidLookup(capabilities);
        }
        _privileges = new Dictionary<Luid, PrivilegeAttributes>(Privileges.Length);
        foreach (var p in Privileges) _privileges[p.Luid] = p.Attributes;
    }

    // A SID listed twice counts with the union of its attributes; an enabled entry wins over a deny-only one for
    // allow ACEs, and either matches deny ACEs.
    private static void AddSid(Dictionary<Sid, GroupAttributes> map, Sid sid, GroupAttributes attributes)
    {
        if (map.TryGetValue(sid, out var existing))
        {
            bool enabled = IsEnabledForAllow(existing) || IsEnabledForAllow(attributes);
            var merged = existing | attributes;
            if (enabled) merged &= ~GroupAttributes.UseForDenyOnly;
            map[sid] = merged;
        }
        else
        {
            map[sid] = attributes;
        }
    }

    private static bool IsEnabledForAllow(GroupAttributes a) => (a & (GroupAttributes.Enabled | GroupAttributes.UseForDenyOnly)) == GroupAttributes.Enabled;

    private static bool IsEnabledForDeny(GroupAttributes a) => (a & (GroupAttributes.Enabled | GroupAttributes.UseForDenyOnly)) != 0;

    /// <summary>
    /// What the access check's fast path precomputed from this immutable token (Authorization/FastPath);
    /// built on first use, and a race only builds it twice.
    /// </summary>
    // Typed object because the access check's layer sits above this one; only TokenFacts.For stores here.
    internal object? CheckFacts;

    /// <summary>The user, with its attributes (it may be deny-only in a restricted token).</summary>
    public SidAndAttributes User { get; }

    /// <summary>The groups, in token order.</summary>
    public ImmutableArray<SidAndAttributes> Groups { get; }

    /// <summary>The privileges.</summary>
    public ImmutableArray<Privilege> Privileges { get; }

    /// <summary>The restricting SIDs; non-empty makes the token restricted (IsTokenRestricted).</summary>
    public ImmutableArray<SidAndAttributes> RestrictedSids { get; }

    /// <summary>True for a write-restricted token: the restricting SIDs are checked for write access only.</summary>
    public bool WriteRestricted { get; }

    /// <summary>True when the token has restricting SIDs.</summary>
    public bool IsRestricted => RestrictedSids.Length > 0;

    /// <summary>The default owner of objects the token creates: the user or a group marked SE_GROUP_OWNER.</summary>
    public Sid Owner { get; }

    /// <summary>The default primary group.</summary>
    public Sid PrimaryGroup { get; }

    /// <summary>The default DACL of objects the token creates; null for none.</summary>
    public Acl? DefaultDacl { get; }

    /// <summary>Primary or impersonation.</summary>
    public TokenType Type { get; }

    /// <summary>For an impersonation token, its level; for a primary token, <see cref="SecurityImpersonationLevel.Anonymous"/> (unused).</summary>
    public SecurityImpersonationLevel ImpersonationLevel { get; }

    /// <summary>The integrity level SID (S-1-16-x).</summary>
    public Sid IntegrityLevel { get; }

    /// <summary>The token's mandatory policy.</summary>
    public MandatoryPolicy MandatoryPolicy { get; }

    /// <summary>The logon session (AuthenticationId).</summary>
    public Luid AuthenticationId { get; }

    /// <summary>This token's unique ID.</summary>
    public Luid TokenId { get; }

    /// <summary>Changes each time the token is modified.</summary>
    public Luid ModifiedId { get; }

    /// <summary>The token source.</summary>
    public TokenSource Source { get; }

    /// <summary>The terminal services session.</summary>
    public uint SessionId { get; }

    /// <summary>UAC elevation type.</summary>
    public TokenElevationType ElevationType { get; }

    /// <summary>AppContainer data for a lowbox token; null otherwise.</summary>
    public AppContainerInfo? AppContainer { get; }

    /// <summary>True for an AppContainer (lowbox) token.</summary>
    public bool IsAppContainer => AppContainer is not null;

    /// <summary>SANDBOX_INERT: AppLocker and software restriction policies are not applied.</summary>
    public bool SandboxInert { get; }

    /// <summary>LUA_TOKEN: a UAC-filtered (limited) token.</summary>
    public bool IsLuaToken { get; }

    /// <summary>The logon session that created this token's logon session (TokenOrigin).</summary>
    public Luid Origin { get; }

    /// <summary>The TokenId of the token this one was filtered from; zero for a token made from scratch.</summary>
    public Luid ParentTokenId { get; }

    /// <summary>Device groups (compound identity), kept as data.</summary>
    public ImmutableArray<SidAndAttributes> DeviceGroups { get; }

    /// <summary>The user's claims (TokenUserClaimAttributes): what <c>@User.</c> names in a conditional expression.</summary>
    public ImmutableArray<ClaimSecurityAttribute> UserClaims { get; }

    /// <summary>The device's claims (TokenDeviceClaimAttributes): what <c>@Device.</c> names.</summary>
    public ImmutableArray<ClaimSecurityAttribute> DeviceClaims { get; }

    /// <summary>The attributes of a SID among the user and groups, if present.</summary>
    public bool TryGetSidAttributes(Sid sid, out GroupAttributes attributes) => _sids.TryGetValue(sid, out attributes);

    /// <summary>
    /// Whether an ACE's SID applies to this token (the SidInToken test): for an allow ACE the SID must be enabled
    /// and not deny-only; for a deny ACE, enabled or deny-only.
    /// </summary>
    public bool MatchesSid(Sid sid, bool denyAce) => _sids.TryGetValue(sid, out var a) && (denyAce ? IsEnabledForDeny(a) : IsEnabledForAllow(a));

    /// <summary>The same test against the restricting SIDs (the second pass of a restricted token's access check).</summary>
    public bool MatchesRestrictedSid(Sid sid, bool denyAce) => _restricted is not null && _restricted.TryGetValue(sid, out var a) && (denyAce ? IsEnabledForDeny(a) : IsEnabledForAllow(a));

    /// <summary>The same test against the AppContainer's capabilities.</summary>
    public bool MatchesCapability(Sid sid, bool denyAce) => _capabilities is not null && _capabilities.TryGetValue(sid, out var a) && (denyAce ? IsEnabledForDeny(a) : IsEnabledForAllow(a));

    /// <summary>
    /// CheckTokenMembership: whether <paramref name="sid"/> would let this token through an allow ACE. The SID must be
    /// the user or a group, enabled and not deny-only; in a restricted token it must also be an enabled restricting
    /// SID (the second pass of the access check). An AppContainer token is a member of nothing unless
    /// <paramref name="includeAppContainer"/> is set (CheckTokenMembershipEx with CTMF_INCLUDE_APPCONTAINER).
    /// </summary>
    /// <remarks>
    /// The call-level rules of the Win32 function (the token must be an impersonation token, a NULL handle means the
    /// thread's effective token) belong to the handle layer and are not checked here.
    /// </remarks>
    public bool CheckMembership(Sid sid, bool includeAppContainer = false)
    {
        if (AppContainer is not null && !includeAppContainer) return false;
        if (!MatchesSid(sid, denyAce: false)) return false;
        return !IsRestricted || MatchesRestrictedSid(sid, denyAce: false);
    }

    /// <summary>True when the token holds the privilege and it is enabled.</summary>
    public bool IsPrivilegeEnabled(Luid privilege) => _privileges.TryGetValue(privilege, out var a) && (a & PrivilegeAttributes.Enabled) != 0;

    /// <summary>True when the token holds the privilege, enabled or not.</summary>
    public bool HasPrivilege(Luid privilege) => _privileges.ContainsKey(privilege);

    /// <summary>The logon SID (the group with SE_GROUP_LOGON_ID), if any.</summary>
    public Sid? LogonSid
    {
        get
        {
            foreach (var g in Groups)
                if ((g.Attributes & GroupAttributes.LogonId) == GroupAttributes.LogonId) return g.Sid;
            return null;
        }
    }

    /// <summary>A builder holding this token's values, for deriving a modified token.</summary>
    public TokenBuilder ToBuilder() => new(this);
}
