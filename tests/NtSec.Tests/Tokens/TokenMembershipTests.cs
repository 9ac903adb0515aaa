using NtSec.Principals;
using NtSec.Tokens;
using static NtSec.Tests.Authorization.TestTokens;

namespace NtSec.Tests.Tokens;

/// <summary>
/// Token.CheckMembership, after CheckTokenMembership's documentation: a member when the SID is present and enabled
/// (not deny-only); in a restricted token also among the restricting SIDs; AppContainer tokens only with
/// CTMF_INCLUDE_APPCONTAINER.
/// </summary>
public sealed class TokenMembershipTests
{
    [Fact]
    public void EnabledSidsAreMembersAndOthersAreNot()
    {
        var b = AliceBuilder();
        b.Groups[0] = new SidAndAttributes(DomainUsers, GroupAttributes.None);
        b.Groups[1] = new SidAndAttributes(WellKnownSids.World, GroupAttributes.UseForDenyOnly);
        var token = b.Build();
        Assert.True(token.CheckMembership(Alice));
        Assert.True(token.CheckMembership(WellKnownSids.BuiltinUsers));
        Assert.True(token.CheckMembership(Logon));
        Assert.False(token.CheckMembership(DomainUsers));                 // present, disabled
        Assert.False(token.CheckMembership(WellKnownSids.World));         // present, deny-only
        Assert.False(token.CheckMembership(Bob));                         // absent
        Assert.False(token.CheckMembership(WellKnownSids.MediumIntegrity)); // the integrity SID is not an enabled group

        TokenFilter.Filter(token, FilterTokenFlags.None, [new SidAndAttributes(Alice, GroupAttributes.None)], null, null, out var userDenyOnly);
        Assert.False(userDenyOnly!.CheckMembership(Alice));
        Assert.True(userDenyOnly.CheckMembership(WellKnownSids.BuiltinUsers));
    }

    [Fact]
    public void RestrictedTokensNeedTheSidAmongTheRestrictingSidsToo()
    {
        TokenFilter.Filter(Alice_(), FilterTokenFlags.None, null, null,
            [new SidAndAttributes(WellKnownSids.World, 0), new SidAndAttributes(WellKnownSids.Restricted, 0)], out var restricted);
        Assert.True(restricted!.CheckMembership(WellKnownSids.World));           // a group and a restricting SID
        Assert.False(restricted.CheckMembership(Alice));                         // a group only
        Assert.False(restricted.CheckMembership(WellKnownSids.Restricted));      // a restricting SID only
        // Write-restricted tokens are restricted tokens too.
        TokenFilter.Filter(Alice_(), FilterTokenFlags.WriteRestricted, null, null, [new SidAndAttributes(WellKnownSids.WriteRestricted, 0)], out var wr);
        Assert.False(wr!.CheckMembership(Alice));
        // A restricting SID left deny-only by re-filtering no longer counts.
        TokenFilter.Filter(restricted, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, 0)], out var refiltered);
        Assert.Contains(refiltered!.RestrictedSids, r => r.Sid == WellKnownSids.World && r.IsDenyOnly);
        Assert.False(refiltered.CheckMembership(WellKnownSids.World));
    }

    [Fact]
    public void AppContainerTokensAreMembersOnlyWhenAskedTo()
    {
        var b = AliceBuilder();
        b.IntegrityLevel = WellKnownSids.LowIntegrity;
        b.AppContainer = new AppContainerInfo(Sid.Parse("S-1-15-2-1-2-3-4-5-6-7"), [new SidAndAttributes(Sid.Parse("S-1-15-3-1"), GroupAttributes.Enabled)]);
        var token = b.Build();
        Assert.False(token.CheckMembership(WellKnownSids.World));
        Assert.True(token.CheckMembership(WellKnownSids.World, includeAppContainer: true));
        Assert.False(token.CheckMembership(Bob, includeAppContainer: true));
    }
}
