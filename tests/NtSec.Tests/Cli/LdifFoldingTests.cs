namespace NtSec.Tests.Cli;

/// <summary>RFC 2849 lets an LDIF line fold anywhere: inside the attribute name, between its two colons, in the value.</summary>
public sealed class LdifFoldingTests
{
    [Theory]
    [InlineData("nTSecurityDescr\n iptor:: {0}\n")]
    [InlineData("nTSecurityDescriptor:\r\n : {0}\r\n")]
    [InlineData("nTSecurityDescriptor::\n  {0}\n")]
    public void LdifFoldsAnywhereAreJoined(string template)
    {
        const string B64 = "AQAEgDAAAABAAAAAAAAAABQAAAACABwAAQAAAAAAFAD/AR8AAQEAAAAAAAEAAAAAAQIAAAAAAAUgAAAAIAIAAAEBAAAAAAAFEgAAAA==";
        string ldif = "dn: CN=x\n" + string.Format(System.Globalization.CultureInfo.InvariantCulture, template, B64[..30] + "\n " + B64[30..]);
        var r = CliHarness.RunWithInput(ldif, "sddl", "-", "--from-base64", "--to", "sddl");

        Assert.Equal("", r.Error);
        Assert.Equal("O:BAG:SYD:(A;;FA;;;WD)\n", r.Out);
    }

    [Fact]
    public void BatchModeJoinsAFoldInsideTheAttributeName()
    {
        const string B64 = "AQAEgDAAAABAAAAAAAAAABQAAAACABwAAQAAAAAAFAD/AR8AAQEAAAAAAAEAAAAAAQIAAAAAAAUgAAAAIAIAAAEBAAAAAAAFEgAAAA==";
        var r = CliHarness.RunWithInput("nTSecurity\n Descriptor:: " + B64[..40] + "\n " + B64[40..] + "\n", "sddl", "--batch", "--from-base64");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["O:BAG:SYD:(A;;FA;;;WD)", "", ""], r.OutLines);
    }
}
