using System.Collections.Immutable;
using NtSec.Acls;
using NtSec.Claims;
using NtSec.Principals;

namespace NtSec.Tokens;

/// <summary>
/// Builds a <see cref="Token"/>. Defaults follow a normal interactive logon at Medium integrity: an impersonation
/// token at SecurityImpersonation (so an access check accepts it), policy NO_WRITE_UP | NEW_PROCESS_MIN, owner and
/// primary group the user.
/// </summary>
public sealed class TokenBuilder
{
    private static long _nextLuid = 0x10000;

    internal static Luid NewLuid() => Luid.FromValue(Interlocked.Increment(ref _nextLuid));

    /// <summary>A builder for a token of <paramref name="user"/>.</summary>
    public TokenBuilder(Sid user) => User = new SidAndAttributes(user, GroupAttributes.None);

    internal TokenBuilder(Token t)
    {
        User = t.User;
        Groups.AddRange(t.Groups);
        PrivilegeList.AddRange(t.Privileges);
        RestrictedSids.AddRange(t.RestrictedSids);
        WriteRestricted = t.WriteRestricted;
        Owner = t.Owner;
        PrimaryGroup = t.PrimaryGroup;
        DefaultDacl = t.DefaultDacl;
        Type = t.Type;
        ImpersonationLevel = t.Type == TokenType.Impersonation ? t.ImpersonationLevel : SecurityImpersonationLevel.Impersonation;
        IntegrityLevel = t.IntegrityLevel;
        MandatoryPolicy = t.MandatoryPolicy;
        AuthenticationId = t.AuthenticationId;
        TokenId = t.TokenId;
        Source = t.Source;
        SessionId = t.SessionId;
        ElevationType = t.ElevationType;
        AppContainer = t.AppContainer;
        SandboxInert = t.SandboxInert;
        IsLuaToken = t.IsLuaToken;
        Origin = t.Origin;
        ParentTokenId = t.ParentTokenId;
        DeviceGroups.AddRange(t.DeviceGroups);
        UserClaims = t.UserClaims;
        DeviceClaims = t.DeviceClaims;
    }

    /// <summary>The user and its attributes (UseForDenyOnly in a filtered token).</summary>
    public SidAndAttributes User { get; set; }
    /// <summary>The groups.</summary>
    public List<SidAndAttributes> Groups { get; } = [];
    /// <summary>The privileges.</summary>
    public List<Privilege> PrivilegeList { get; } = [];
    /// <summary>The restricting SIDs.</summary>
    public List<SidAndAttributes> RestrictedSids { get; } = [];
    /// <summary>Write-restricted.</summary>
    public bool WriteRestricted { get; set; }
    /// <summary>The default owner; null for the user.</summary>
    public Sid? Owner { get; set; }
    /// <summary>The default primary group; null for the user.</summary>
    public Sid? PrimaryGroup { get; set; }
    /// <summary>The default DACL.</summary>
    public Acl? DefaultDacl { get; set; }
    /// <summary>Primary or impersonation.</summary>
    public TokenType Type { get; set; } = TokenType.Impersonation;
    /// <summary>The impersonation level (ignored for primary tokens).</summary>
    public SecurityImpersonationLevel ImpersonationLevel { get; set; } = SecurityImpersonationLevel.Impersonation;
    /// <summary>The integrity level.</summary>
    public Sid IntegrityLevel { get; set; } = WellKnownSids.MediumIntegrity;
    /// <summary>The mandatory policy.</summary>
    public MandatoryPolicy MandatoryPolicy { get; set; } = MandatoryPolicy.NoWriteUp | MandatoryPolicy.NewProcessMin;
    /// <summary>The logon session.</summary>
    public Luid AuthenticationId { get; set; } = new(0x1000, 0);
    /// <summary>The token ID; null for a fresh one.</summary>
    public Luid? TokenId { get; set; }
    /// <summary>The modified ID; null for a fresh one.</summary>
    public Luid? ModifiedId { get; set; }
    /// <summary>The token source.</summary>
    public TokenSource Source { get; set; } = new("NtSec", new Luid(0, 0));
    /// <summary>The session ID.</summary>
    public uint SessionId { get; set; } = 1;
    /// <summary>The elevation type.</summary>
    public TokenElevationType ElevationType { get; set; } = TokenElevationType.Default;
    /// <summary>AppContainer data; null for a normal token.</summary>
    public AppContainerInfo? AppContainer { get; set; }
    /// <summary>Sandbox inert.</summary>
    public bool SandboxInert { get; set; }
    /// <summary>LUA (UAC-filtered) token.</summary>
    public bool IsLuaToken { get; set; }
    /// <summary>The origin logon session.</summary>
    public Luid Origin { get; set; }
    /// <summary>
    /// The TokenId of the token this one was filtered from (zero for a token made from scratch). Windows uses it to
    /// let a process assign a restricted copy of its own token as a primary token without SeAssignPrimaryTokenPrivilege.
    /// </summary>
    public Luid ParentTokenId { get; set; }
    /// <summary>Device groups.</summary>
    public List<SidAndAttributes> DeviceGroups { get; } = [];
    /// <summary>User claims (<c>@User.</c> attributes).</summary>
    public ImmutableArray<ClaimSecurityAttribute> UserClaims { get; set; } = [];
    /// <summary>Device claims (<c>@Device.</c> attributes).</summary>
    public ImmutableArray<ClaimSecurityAttribute> DeviceClaims { get; set; } = [];

    /// <summary>Adds a group.</summary>
    public TokenBuilder AddGroup(Sid sid, GroupAttributes attributes = GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled)
    {
        Groups.Add(new SidAndAttributes(sid, attributes));
        return this;
    }

    /// <summary>Adds a privilege by name.</summary>
    public TokenBuilder AddPrivilege(string name, PrivilegeAttributes attributes = PrivilegeAttributes.Enabled | PrivilegeAttributes.EnabledByDefault)
    {
        PrivilegeList.Add(Privilege.Create(name, attributes));
        return this;
    }

    /// <summary>Adds a restricting SID.</summary>
    public TokenBuilder AddRestrictedSid(Sid sid, GroupAttributes attributes = GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled)
    {
        RestrictedSids.Add(new SidAndAttributes(sid, attributes));
        return this;
    }

    /// <summary>
    /// Checks the rules Windows enforces on a token and builds it: the owner must be the user or a group marked
    /// SE_GROUP_OWNER; the primary group must be the user or one of the groups; the integrity level must be an
    /// S-1-16-x SID.
    /// </summary>
    /// <exception cref="ArgumentException">A rule is broken; the message names it.</exception>
    public Token Build()
    {
        var status = Validate(out string? reason);
        if (!status.IsSuccess) throw new ArgumentException(reason);
        return new Token(this);
    }

    /// <summary>The rules of <see cref="Build"/> as the status NtCreateToken returns, with a reason.</summary>
    internal NtStatus Validate(out string? reason)
    {
        reason = null;
        if (User.Sid.IsDefault)
        {
            reason = "The token needs a user SID.";
            return NtStatus.InvalidSid;
        }
        if (Owner is { } owner && owner != User.Sid && !Groups.Any(g => g.Sid == owner && (g.Attributes & GroupAttributes.Owner) != 0))
        {
            reason = $"owner {owner} is neither the user nor a group with the Owner attribute (STATUS_INVALID_OWNER)";
            return NtStatus.InvalidOwner;
        }
        if (PrimaryGroup is { } pg && pg != User.Sid && !Groups.Any(g => g.Sid == pg))
        {
            reason = $"primary group {pg} is neither the user nor one of the token's groups (STATUS_INVALID_PRIMARY_GROUP)";
            return NtStatus.InvalidPrimaryGroup;
        }
        if (IntegrityLevel.IsDefault || IntegrityLevel.IdentifierAuthority != 16 || IntegrityLevel.SubAuthorityCount != 1)
        {
            reason = $"integrity level {IntegrityLevel} is not a mandatory label SID (S-1-16-x)";
            return NtStatus.InvalidSid;
        }
        if (!Enum.IsDefined(ImpersonationLevel))
        {
            reason = $"impersonation level {(int)ImpersonationLevel} is not valid (STATUS_BAD_IMPERSONATION_LEVEL)";
            return NtStatus.BadImpersonationLevel;
        }
        return NtStatus.Success;
    }
}
