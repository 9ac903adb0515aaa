using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Tests.Cli;

public sealed class TokenDuplicateTests : IDisposable
{
    private const string Alice = """
        {"user": "S-1-5-21-1-2-3-1001",
         "groups": [{"sid": "WD", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]},
                    {"sid": "BA", "attributes": ["UseForDenyOnly"]},
                    {"sid": "S-1-5-21-1-2-3-1200", "attributes": ["EnabledByDefault"]},
                    {"sid": "S-1-5-21-1-2-3-1201", "attributes": []},
                    {"sid": "ME", "attributes": ["Integrity", "IntegrityEnabled"]}],
         "privileges": [{"name": "SeChangeNotifyPrivilege", "attributes": ["Enabled", "EnabledByDefault"]},
                        {"name": "SeShutdownPrivilege", "attributes": []}],
         "type": "Primary", "authenticationId": "0x0:0x2a5f1"}
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ntsec-dup-");

    public TokenDuplicateTests()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "alice.json"), Alice);
        Write("ident.json", Alice.Replace("\"type\": \"Primary\"", "\"type\": \"Impersonation\", \"impersonationLevel\": \"Identification\"", StringComparison.Ordinal));
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_dir.FullName, name), text);

    private CliResult Run(params string[] args) => CliHarness.RunIn(_dir.FullName, "", args);

    private static Token Parse(string json)
    {
        Assert.True(TokenJson.TryRead(json, null, out var token, out var error), error?.ToString());
        return token!;
    }

    [Theory]
    [InlineData("anonymous", SecurityImpersonationLevel.Anonymous)]
    [InlineData("identification", SecurityImpersonationLevel.Identification)]
    [InlineData("impersonation", SecurityImpersonationLevel.Impersonation)]
    [InlineData("delegation", SecurityImpersonationLevel.Delegation)]
    public void APrimaryTokenBecomesAnImpersonationTokenAtAnyLevel(string level, SecurityImpersonationLevel expected)
    {
        var r = Run("token", "duplicate", "--token", "alice.json", "--type", "impersonation", "--level", level);

        Assert.Equal(0, r.ExitCode);
        var token = Parse(r.Out);
        var original = Parse(Alice);
        Assert.Equal(TokenType.Impersonation, token.Type);
        Assert.Equal(expected, token.ImpersonationLevel);
        Assert.Equal(original.Groups.ToArray(), token.Groups.ToArray());
        Assert.Equal(original.Privileges.ToArray(), token.Privileges.ToArray());
        Assert.Equal(original.AuthenticationId, token.AuthenticationId);
    }

    [Fact]
    public void AnImpersonationTokenCannotBeRaised()
    {
        var lower = Run("token", "duplicate", "--token", "ident.json", "--type", "impersonation", "--level", "anonymous");
        Assert.Equal(0, lower.ExitCode);
        Assert.Equal(SecurityImpersonationLevel.Anonymous, Parse(lower.Out).ImpersonationLevel);

        var same = Run("token", "duplicate", "--token", "ident.json", "--type", "impersonation", "--level", "identification");
        Assert.Equal(0, same.ExitCode);

        var raised = Run("token", "duplicate", "--token", "ident.json", "--type", "impersonation", "--level", "impersonation");
        Assert.Equal(3, raised.ExitCode);
        Assert.Equal("error: NtDuplicateToken: STATUS_BAD_IMPERSONATION_LEVEL\n", raised.Error);
        Assert.Equal("", raised.Out);
    }

    [Fact]
    public void AnImpersonationTokenBelowImpersonationLevelCannotBecomePrimary()
    {
        var r = Run("token", "duplicate", "--token", "ident.json", "--type", "primary");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("error: NtDuplicateToken: STATUS_BAD_IMPERSONATION_LEVEL\n", r.Error);

        Write("imp.json", Alice.Replace("\"type\": \"Primary\"", "\"type\": \"Impersonation\", \"impersonationLevel\": \"Impersonation\"", StringComparison.Ordinal));
        r = Run("token", "duplicate", "--token", "imp.json", "--type", "primary", "--out", "primary.json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("STATUS_SUCCESS: wrote primary.json\n", r.Out);
        Assert.Equal(TokenType.Primary, Parse(File.ReadAllText(Path.Combine(_dir.FullName, "primary.json"))).Type);
    }

    [Fact]
    public void EffectiveOnlyDropsDisabledGroupsAndPrivileges()
    {
        var r = Run("token", "duplicate", "--token", "alice.json", "--type", "impersonation", "--level", "impersonation", "--effective-only");

        Assert.Equal(0, r.ExitCode);
        var token = Parse(r.Out);
        // Deny-only and integrity groups stay: neither can be enabled, and dropping the deny-only one would let
        // the copy through deny ACEs the original meets.
        Assert.Equal(["S-1-1-0", "S-1-5-32-544", "S-1-16-8192"], token.Groups.Select(g => g.Sid.ToString()));
        Assert.Equal(["SeChangeNotifyPrivilege"], token.Privileges.Select(p => p.Name));
        Assert.True(token.MatchesSid(WellKnownSids.BuiltinAdministrators, denyAce: true));
    }

    [Fact]
    public void ImpersonationNeedsALevelAndTheTypeIsRequired()
    {
        var noLevel = Run("token", "duplicate", "--token", "alice.json", "--type", "impersonation");
        Assert.Equal(2, noLevel.ExitCode);
        Assert.StartsWith("ntsec token duplicate: --type impersonation needs --level", noLevel.Error, StringComparison.Ordinal);

        Assert.Equal(2, Run("token", "duplicate", "--token", "alice.json").ExitCode);
        Assert.Equal(2, Run("token", "duplicate", "--token", "alice.json", "--type", "secondary").ExitCode);
        Assert.Equal(2, Run("token", "duplicate", "--token", "alice.json", "--type", "impersonation", "--level", "high").ExitCode);
    }

    [Fact]
    public void AWhoamiOutputCanBeDuplicated()
    {
        File.Copy(Path.Combine(global::NtSec.Tests.Import.ImportSamples.Folder, "whoami-csv-standard-user.txt"), Path.Combine(_dir.FullName, "me.txt"));
        var r = Run("token", "duplicate", "--token", "me.txt", "--type", "primary");

        Assert.Equal(0, r.ExitCode);
        var token = Parse(r.Out);
        Assert.Equal(TokenType.Primary, token.Type);
        Assert.Equal(Sid.Parse("S-1-5-5-0-2143726"), token.LogonSid);
    }
}
