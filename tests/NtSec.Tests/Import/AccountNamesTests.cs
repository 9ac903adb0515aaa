using NtSec.Import;
using NtSec.Principals;
using static NtSec.Tests.Import.ImportSamples;

namespace NtSec.Tests.Import;

public sealed class AccountNamesTests
{
    [Theory]
    [InlineData("NT AUTHORITY\\SYSTEM", "S-1-5-18")]
    [InlineData("nt authority\\system", "S-1-5-18")]
    [InlineData("BUILTIN\\Administrators", "S-1-5-32-544")]
    [InlineData("CREATOR OWNER", "S-1-3-0")]
    [InlineData("Everyone", "S-1-1-0")]
    [InlineData("APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES", "S-1-15-2-1")]
    [InlineData("Mandatory Label\\High Mandatory Level", "S-1-16-12288")]
    [InlineData("S-1-5-21-1-2-3-1001", "S-1-5-21-1-2-3-1001")]
    [InlineData("NT AUTHORITY\\LogonSessionId_0_208120", "S-1-5-5-0-208120")]
    [InlineData("NT AUTHORITY\\LogonSessionId_3_42", "S-1-5-5-3-42")]
    [InlineData("NT SERVICE\\TrustedInstaller", "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464")]
    [InlineData("NT SERVICE\\trustedinstaller", "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464")]
    [InlineData("NT SERVICE\\ALL SERVICES", "S-1-5-80-0")]
    public void ResolvesNamesWhoseSidFollowsFromTheName(string name, string sid)
    {
        Assert.True(AccountNames.TryResolve(name, null, out var resolved));
        Assert.Equal(S(sid), resolved);
    }

    [Theory]
    [InlineData("CONTOSO\\Finance")]
    [InlineData("NT AUTHORITY\\LogonSessionId_x_1")]
    [InlineData("NT AUTHORITY\\LogonSessionId_0")]
    [InlineData("NT SERVICE\\")]
    [InlineData("")]
    [InlineData("S-1-5-bad")]
    public void DoesNotGuess(string name)
    {
        Assert.False(AccountNames.TryResolve(name, null, out _));
    }

    [Fact]
    public void TheMapComesFirstAndIgnoresCase()
    {
        var map = new Dictionary<string, Sid> { ["CONTOSO\\Finance"] = S(Contoso + "-1120"), ["BUILTIN\\Users"] = S(Contoso + "-9") };

        Assert.True(AccountNames.TryResolve("contoso\\FINANCE", map, out var finance));
        Assert.Equal(S(Contoso + "-1120"), finance);
        Assert.True(AccountNames.TryResolve("BUILTIN\\Users", map, out var users));
        Assert.Equal(S(Contoso + "-9"), users);
    }
}
