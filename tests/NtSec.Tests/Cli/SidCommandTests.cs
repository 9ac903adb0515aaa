using System.Text.Json;

namespace NtSec.Tests.Cli;

public class SidCommandTests
{
    [Fact]
    public void Alias_resolves_to_sid_and_name()
    {
        var r = CliHarness.Run("sid", "BA");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
            ["SID     S-1-5-32-544", "Alias   BA", "Name    BUILTIN\\Administrators", "Binary  01020000000000052000000020020000"],
            r.OutLines);
    }

    [Theory]
    [InlineData("NT AUTHORITY\\SYSTEM")]
    [InlineData("nt authority\\system")]
    [InlineData("S-1-5-18")]
    [InlineData("sy")]
    public void System_resolves_from_any_spelling(string input)
    {
        var r = CliHarness.Run("sid", input);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["SID     S-1-5-18", "Alias   SY", "Name    NT AUTHORITY\\SYSTEM", "Binary  010100000000000512000000"], r.OutLines);
    }

    [Fact]
    public void An_unquoted_account_name_is_joined()
    {
        var r = CliHarness.Run("sid", "NT", "AUTHORITY\\NETWORK", "SERVICE");

        Assert.Contains("SID     S-1-5-20", r.OutLines);
    }

    [Fact]
    public void A_sid_without_alias_or_name_still_prints()
    {
        var r = CliHarness.Run("sid", "S-1-5-21-1-2-3-1105");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["SID     S-1-5-21-1-2-3-1105", "Alias   (none)", "Name    (not a well-known account)"], r.OutLines[..3]);
    }

    [Fact]
    public void Domain_relative_aliases_and_names_need_the_domain()
    {
        var withoutDomain = CliHarness.Run("sid", "DA");
        Assert.Equal(3, withoutDomain.ExitCode);
        Assert.Equal(["error: 0: alias 'DA' is relative to the domain, and no domain SID was given (give it with --domain)"], withoutDomain.ErrorLines);

        var alias = CliHarness.Run("sid", "DU", "--domain", "S-1-5-21-1-2-3");
        Assert.Equal(["SID     S-1-5-21-1-2-3-513", "Alias   DU", "Name    Domain Users"], alias.OutLines[..3]);

        var name = CliHarness.Run("sid", "CONTOSO\\Domain Admins", "--domain", "S-1-5-21-1-2-3");
        Assert.Equal(["SID     S-1-5-21-1-2-3-512", "Alias   DA", "Name    Domain Admins"], name.OutLines[..3]);

        var sid = CliHarness.Run("sid", "S-1-5-21-1-2-3-512", "--domain", "S-1-5-21-1-2-3");
        Assert.Equal(["SID     S-1-5-21-1-2-3-512", "Alias   DA", "Name    Domain Admins"], sid.OutLines[..3]);

        var nameWithoutDomain = CliHarness.Run("sid", "Domain Admins");
        Assert.Equal(3, nameWithoutDomain.ExitCode);
        Assert.Equal(["error: 0: 'Domain Admins' is relative to the domain, and no domain SID was given (give it with --domain)"], nameWithoutDomain.ErrorLines);
    }

    [Theory]
    [InlineData("S-1-5-", "error: 6: expected a sub-authority after '-'")]
    [InlineData("S-2-5-18", "error: 2: the SID revision must be 1")]
    [InlineData("nobody", "error: 0: 'nobody' is not a SID, an SDDL alias or a well-known account name")]
    public void Unresolvable_input_exits_3(string input, string expected)
    {
        var r = CliHarness.Run("sid", input);

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal([expected], r.ErrorLines);
    }

    [Fact]
    public void Json_output()
    {
        var r = CliHarness.Run("sid", "Everyone", "--json");

        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("S-1-1-0", doc.RootElement.GetProperty("sid").GetString());
        Assert.Equal("WD", doc.RootElement.GetProperty("alias").GetString());
        Assert.Equal("Everyone", doc.RootElement.GetProperty("name").GetString());
        Assert.Equal("010100000000000100000000", doc.RootElement.GetProperty("binary").GetString());
    }
}
