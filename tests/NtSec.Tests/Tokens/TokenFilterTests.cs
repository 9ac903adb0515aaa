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
        Assert.Equal([WellKnownSids.World], t2!.RestrictedSids.Select(r => r.Sid));
        // Nothing in common: the token stays restricted (by the NULL SID), never unrestricted.
        TokenFilter.Filter(t2, FilterTokenFlags.None, null, null, [new SidAndAttributes(Bob, 0)], out var t3);
        Assert.True(t3!.IsRestricted);
        Assert.Equal([WellKnownSids.Null], t3.RestrictedSids.Select(r => r.Sid));
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
