using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Tests.Tokens;

public sealed class TokenIntegrityTests
{
    private static Token Medium()
    {
        var b = new TokenBuilder(Sid.Parse("S-1-5-21-1-2-3-1001"));
        b.Groups.Add(new SidAndAttributes(WellKnownSids.World, GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled));
        b.Groups.Add(new SidAndAttributes(WellKnownSids.MediumIntegrity, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled));
        b.IntegrityLevel = WellKnownSids.MediumIntegrity;
        return b.Build();
    }

    [Theory]
    [InlineData("S-1-16-4096", true)]
    [InlineData("S-1-16-0", true)]
    [InlineData("S-1-16-20480", true)]
    [InlineData("S-1-16-4096-1", false)]
    [InlineData("S-1-5-32-544", false)]
    public void IsLabelSid_IsAuthority16WithOneSubAuthority(string sid, bool label)
        => Assert.Equal(label, TokenIntegrity.IsLabelSid(Sid.Parse(sid)));

    [Fact]
    public void TryLower_ChangesTheLevelAndTheIntegrityGroup_AndLeavesTheOriginal()
    {
        var token = Medium();

        Assert.Equal(NtStatus.Success, TokenIntegrity.TryLower(token, WellKnownSids.LowIntegrity, out var low));

        Assert.Equal(WellKnownSids.LowIntegrity, low!.IntegrityLevel);
        Assert.Equal(WellKnownSids.LowIntegrity, low.Groups.Single(g => (g.Attributes & GroupAttributes.Integrity) != 0).Sid);
        Assert.Equal(WellKnownSids.MediumIntegrity, token.IntegrityLevel);
        Assert.Contains(token.Groups, g => g.Sid == WellKnownSids.MediumIntegrity);
    }

    [Fact]
    public void TryLower_ToTheSameLevel_Succeeds_AndRaisingIsPrivilegeNotHeld()
    {
        Assert.Equal(NtStatus.Success, TokenIntegrity.TryLower(Medium(), WellKnownSids.MediumIntegrity, out var same));
        Assert.Equal(WellKnownSids.MediumIntegrity, same!.IntegrityLevel);

        Assert.Equal(NtStatus.PrivilegeNotHeld, TokenIntegrity.TryLower(Medium(), WellKnownSids.HighIntegrity, out var high));
        Assert.Null(high);
        Assert.Equal(NtStatus.InvalidParameter, TokenIntegrity.TryLower(Medium(), WellKnownSids.BuiltinAdministrators, out _));
    }
}
