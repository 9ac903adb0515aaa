namespace NtSec.Tests.Cli;

/// <summary><c>ntsec sid</c> both ways, and the names whose SIDs follow from the name (service and logon session SIDs).</summary>
public sealed class SidNameTests
{
    [Theory]
    [InlineData("NT SERVICE\\TrustedInstaller", "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464")]
    [InlineData("NT AUTHORITY\\LogonSessionId_0_208120", "S-1-5-5-0-208120")]
    public void SidResolvesNamesWhoseSidFollowsFromThem(string name, string sid)
    {
        var r = CliHarness.Run("sid", name);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("SID     " + sid, r.OutLines[0]);
    }

    [Theory]
    [InlineData("BA", "S-1-5-32-544", "BUILTIN\\Administrators")]
    [InlineData("NT AUTHORITY\\SYSTEM", "S-1-5-18", "NT AUTHORITY\\SYSTEM")]
    [InlineData("S-1-5-18", "S-1-5-18", "NT AUTHORITY\\SYSTEM")]
    [InlineData("S-1-5-5-0-208120", "S-1-5-5-0-208120", "NT AUTHORITY\\LogonSessionId_0_208120")]
    public void SidResolvesBothWays(string input, string sid, string name)
    {
        var r = CliHarness.Run("sid", input);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("SID     " + sid, r.OutLines[0]);
        Assert.Equal("Name    " + name, r.OutLines[2]);
    }
}
