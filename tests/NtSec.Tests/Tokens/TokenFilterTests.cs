using NtSec.Authorization;
using NtSec.Sddl;
using NtSec.Principals;
using NtSec.Tokens;
using static NtSec.Tests.Authorization.TestTokens;

namespace NtSec.Tests.Tokens;

public sealed class TokenFilterTests
{
    [Fact]
    public void SidsToDisableBecomeDenyOnlyAndAbsentOnesAreIgnored()
    {
        var status = TokenFilter.Filter(Alice_(), FilterTokenFlags.None,
            [new SidAndAttributes(Alice, GroupAttributes.Enabled), new SidAndAttributes(WellKnownSids.BuiltinUsers, 0), new SidAndAttributes(Bob, 0)],
            null, null, out var t);
        Assert.Equal(NtStatus.Success, status);
        Assert.True(t!.User.IsDenyOnly);
        var users = t.Groups.Single(g => g.Sid == WellKnownSids.BuiltinUsers);
        Assert.True(users.IsDenyOnly);
        Assert.False(users.IsEnabled);
        Assert.True(t.MatchesSid(WellKnownSids.BuiltinUsers, denyAce: true));
        Assert.False(t.MatchesSid(WellKnownSids.BuiltinUsers, denyAce: false));
        Assert.False(t.MatchesSid(Alice, denyAce: false));
        Assert.Equal(Alice_().Groups.Length, t.Groups.Length);
        Assert.False(t.IsRestricted);
    }

    [Fact]
    public void PrivilegesAreDeletedOrAllButChangeNotify()
    {
        var admin = AliceBuilder().AddPrivilege("SeBackupPrivilege").AddPrivilege("SeDebugPrivilege").Build();
        TokenFilter.Filter(admin, FilterTokenFlags.None, null, [Privileges.Backup, Privileges.Tcb], null, out var t1);
        Assert.DoesNotContain(t1!.Privileges, p => p.Luid == Privileges.Backup);
        Assert.Contains(t1.Privileges, p => p.Luid == Privileges.Debug);
        TokenFilter.Filter(admin, FilterTokenFlags.DisableMaxPrivilege, null, null, null, out var t2);
        Assert.Equal([Privileges.ChangeNotify], t2!.Privileges.Select(p => p.Luid));
    }

    [Fact]
    public void RestrictingSidsGetWindowsAttributesAndIntersectWhenAlreadyRestricted()
    {
        TokenFilter.Filter(Alice_(), FilterTokenFlags.None, null, null,
            [new SidAndAttributes(WellKnownSids.Restricted, 0), new SidAndAttributes(WellKnownSids.World, 0), new SidAndAttributes(Alice, 0)], out var t1);
        Assert.All(t1!.RestrictedSids, r => Assert.Equal(GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled, r.Attributes));
        TokenFilter.Filter(t1, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.World, 0), new SidAndAttributes(Bob, 0)], out var t2);
        // Only Everyone is in both lists, so only Everyone still matches allow ACEs; the old restricting SIDs stay
        // deny-only, so the second pass still meets their deny ACEs.
        Assert.Equal([WellKnownSids.World], t2!.RestrictedSids.Where(r => r.IsEnabled).Select(r => r.Sid));
        Assert.Equal([WellKnownSids.Restricted, Alice], t2.RestrictedSids.Where(r => r.IsDenyOnly).Select(r => r.Sid));
        Assert.True(t2.MatchesRestrictedSid(WellKnownSids.World, denyAce: false));
        Assert.False(t2.MatchesRestrictedSid(Alice, denyAce: false));
        Assert.True(t2.MatchesRestrictedSid(Alice, denyAce: true));
        Assert.False(t2.MatchesRestrictedSid(Bob, denyAce: true));
        // Nothing in common: the token stays restricted, by SIDs that no allow ACE matches; a deny-only restricting
        // SID named again does not become enabled.
        TokenFilter.Filter(t2, FilterTokenFlags.None, null, null, [new SidAndAttributes(Bob, 0), new SidAndAttributes(Alice, 0)], out var t3);
        Assert.True(t3!.IsRestricted);
        Assert.DoesNotContain(t3.RestrictedSids, r => r.IsEnabled);
        Assert.Equal([WellKnownSids.World, WellKnownSids.Restricted, Alice], t3.RestrictedSids.Select(r => r.Sid));
    }

    [Fact]
    public void RefilteringARestrictedTokenNeverLiftsItsRestriction()
    {
        // Found by AccessCheckPropertyTests (restricted token <= original). Both used to widen access.
        var sd = SddlParser.Parse($"O:BAG:BAD:(D;;FR;;;AU)(A;;FA;;;{Alice})(A;;FA;;;RC)(A;;FA;;;WD)");
        var mapping = ObjectTypes.File.GenericMapping;
        var token = AliceBuilder().AddGroup(WellKnownSids.AuthenticatedUsers).AddGroup(WellKnownSids.Restricted).Build();
        TokenFilter.Filter(token, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.AuthenticatedUsers, 0), new SidAndAttributes(WellKnownSids.Restricted, 0)], out var restricted);
        Assert.False(AccessCheck.Check(sd, restricted!, 0x1, mapping).IsGranted);

        // 1. Dropping AU from the restricting SIDs used to drop the deny ACE that AU met in the second pass.
        TokenFilter.Filter(restricted!, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, 0)], out var narrower);
        Assert.False(AccessCheck.Check(sd, narrower!, 0x1, mapping).IsGranted);
        Assert.Equal(0u, AccessCheck.Check(sd, narrower!, AccessMask.MaximumAllowed, mapping).GrantedAccess & 0x1);

        // 2. WRITE_RESTRICTED used to turn a token restricted for everything into one restricted for writes only.
        var readOnly = SddlParser.Parse($"O:BAG:BAD:(A;;FA;;;{Alice})");
        Assert.False(AccessCheck.Check(readOnly, restricted!, 0x1, mapping).IsGranted);
        TokenFilter.Filter(restricted!, FilterTokenFlags.WriteRestricted, null, null, null, out var writeRestricted);
        Assert.False(writeRestricted!.WriteRestricted);
        Assert.False(AccessCheck.Check(readOnly, writeRestricted, 0x1, mapping).IsGranted);
        // A token that is already write-restricted keeps the flag, and an unrestricted one takes it.
        TokenFilter.Filter(token, FilterTokenFlags.WriteRestricted, null, null, [new SidAndAttributes(WellKnownSids.WriteRestricted, 0)], out var wr);
        Assert.True(wr!.WriteRestricted);
        TokenFilter.Filter(wr, FilterTokenFlags.WriteRestricted, null, null, null, out var wr2);
        Assert.True(wr2!.WriteRestricted);
    }

    [Fact]
    public void ArgumentErrors()
    {
        Assert.Equal(NtStatus.InvalidParameter, TokenFilter.Filter(Alice_(), (FilterTokenFlags)0x100, null, null, null, out _));
        Assert.Equal(NtStatus.InvalidParameter, TokenFilter.Filter(Alice_(), FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.World, GroupAttributes.Enabled)], out _));
    }

    [Fact]
    public void FlagsAndIdentity()
    {
        var original = Alice_();
        TokenFilter.Filter(original, FilterTokenFlags.SandboxInert | FilterTokenFlags.LuaToken | FilterTokenFlags.WriteRestricted, null, null, null, out var t);
        Assert.True(t!.SandboxInert);
        Assert.True(t.IsLuaToken);
        Assert.True(t.WriteRestricted);
        Assert.NotEqual(original.TokenId, t.TokenId);
        Assert.Equal(original.AuthenticationId, t.AuthenticationId);
        Assert.Equal(original.Type, t.Type);
    }

    [Fact]
    public void BuilderEnforcesOwnerAndIntegrityRules()
    {
        var b = AliceBuilder();
        b.Owner = WellKnownSids.BuiltinAdministrators;
        Assert.Contains("INVALID_OWNER", Assert.Throws<ArgumentException>(() => b.Build()).Message);
        b.AddGroup(WellKnownSids.BuiltinAdministrators, GroupAttributes.Enabled | GroupAttributes.Owner);
        Assert.Equal(WellKnownSids.BuiltinAdministrators, b.Build().Owner);
        b.IntegrityLevel = WellKnownSids.World;
        Assert.Throws<ArgumentException>(() => b.Build());
    }
}
