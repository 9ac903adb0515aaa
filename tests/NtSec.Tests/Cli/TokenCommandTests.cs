using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Tests.Cli;

public sealed class TokenCommandTests : IDisposable
{
    private const string Admin = """
        {"user": "S-1-5-21-1-2-3-500",
         "groups": [{"sid": "WD", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]},
                    {"sid": "BA", "attributes": ["Mandatory", "EnabledByDefault", "Enabled", "Owner"]},
                    {"sid": "HI", "attributes": ["Integrity", "IntegrityEnabled"]}],
         "privileges": [{"name": "SeChangeNotifyPrivilege", "attributes": ["Enabled", "EnabledByDefault"]},
                        {"name": "SeDebugPrivilege", "attributes": []},
                        {"name": "SeBackupPrivilege", "attributes": []}],
         "owner": "BA"}
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ntsec-token-");

    public TokenCommandTests() => File.WriteAllText(Path.Combine(_dir.FullName, "admin.json"), Admin);

    public void Dispose() => _dir.Delete(recursive: true);

    private CliResult Run(params string[] args) => CliHarness.RunIn(_dir.FullName, "", args);

    private static Token Parse(string json)
    {
        Assert.True(TokenJson.TryRead(json, null, out var token, out var error), error?.ToString());
        return token!;
    }

    [Fact]
    public void ShowPrintsTheTokenReadably()
    {
        var r = Run("token", "show", "--token", "admin.json");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Equal(
        [
            "User              S-1-5-21-1-2-3-500",
            "Groups            S-1-1-0 (WD: Everyone)                                   Mandatory, EnabledByDefault, Enabled",
            "                  S-1-5-32-544 (BA: BUILTIN\\Administrators)                Mandatory, EnabledByDefault, Enabled, Owner",
            "                  S-1-16-12288 (HI: Mandatory Label\\High Mandatory Level)  Integrity, IntegrityEnabled",
            "Privileges        SeChangeNotifyPrivilege  Enabled, EnabledByDefault",
            "                  SeDebugPrivilege         (disabled)",
            "                  SeBackupPrivilege        (disabled)",
            "Restricting SIDs  (none)",
            "Integrity         S-1-16-12288 (HI: Mandatory Label\\High Mandatory Level), policy NoWriteUp, NewProcessMin",
            "Type              Impersonation, level Impersonation",
            "Owner             S-1-5-32-544 (BA: BUILTIN\\Administrators)",
            "Primary group     S-1-5-21-1-2-3-500",
            "Default DACL      (none)",
            "Flags             (none)",
            "Session           1",
            "Logon session     0x0:0x1000",
            "Elevation         Default",
            "Source            NtSec 0x0:0x0",
        ], r.OutLines);
    }

    [Fact]
    public void ShowJsonNormalisesAliasesAndReadsBack()
    {
        var r = Run("token", "show", "--token", "admin.json", "--json");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("    {\"sid\": \"S-1-5-32-544\", \"attributes\": [\"Mandatory\", \"EnabledByDefault\", \"Enabled\", \"Owner\"]},", r.OutLines);
        Assert.Contains("  \"owner\": \"S-1-5-32-544\",", r.OutLines);
        Assert.DoesNotContain("\"BA\"", r.Out);
        var t = Parse(r.Out);
        Assert.Equal(WellKnownSids.HighIntegrity, t.IntegrityLevel);
        Assert.Equal(3, t.Privileges.Length);
    }

    [Fact]
    public void RestrictWritesTheFilteredToken()
    {
        var r = Run("token", "restrict", "--token", "admin.json", "--disable", "BA", "--delete-privileges", "SeDebugPrivilege,sebackupprivilege", "--restrict", "RC,WD", "--restrict", "S-1-5-21-1-2-3-500");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        var t = Parse(r.Out);
        var admins = t.Groups.Single(g => g.Sid == WellKnownSids.BuiltinAdministrators);
        Assert.Equal(GroupAttributes.Mandatory | GroupAttributes.Owner | GroupAttributes.UseForDenyOnly, admins.Attributes);
        Assert.Equal([Privileges.ChangeNotify], t.Privileges.Select(p => p.Luid));
        Assert.Equal([WellKnownSids.Restricted, WellKnownSids.World, Sid.Parse("S-1-5-21-1-2-3-500")], t.RestrictedSids.Select(s => s.Sid));
        Assert.All(t.RestrictedSids, s => Assert.Equal(GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled, s.Attributes));
        Assert.False(t.WriteRestricted);
        Assert.Contains("    {\"sid\": \"S-1-5-32-544\", \"attributes\": [\"Mandatory\", \"Owner\", \"UseForDenyOnly\"]},", r.OutLines);
    }

    [Fact]
    public void RestrictFlagsAreSetInTheToken()
    {
        var r = Run("token", "restrict", "--token", "admin.json", "--restrict", "WR", "--flags", "WriteRestricted,SandboxInert", "--flags", "luatoken,DisableMaxPrivilege");

        Assert.Equal(0, r.ExitCode);
        var t = Parse(r.Out);
        Assert.True(t.WriteRestricted);
        Assert.True(t.SandboxInert);
        Assert.True(t.IsLuaToken);
        Assert.Equal([Privileges.ChangeNotify], t.Privileges.Select(p => p.Luid));
        Assert.Contains("  \"writeRestricted\": true,", r.OutLines);
        Assert.Contains("  \"sandboxInert\": true,", r.OutLines);
        Assert.Contains("  \"luaToken\": true", r.OutLines);

        var show = Run("token", "show", "--token", "-");
        Assert.Equal(3, show.ExitCode);
        show = CliHarness.RunIn(_dir.FullName, r.Out, "token", "show", "--token", "-");
        Assert.Contains("Flags             write-restricted, sandbox inert, LUA token", show.OutLines);
        Assert.Contains("Restricting SIDs  S-1-5-33 (WR: NT AUTHORITY\\WRITE RESTRICTED)  Mandatory, EnabledByDefault, Enabled", show.OutLines);
    }

    [Fact]
    public void RestrictingARestrictedTokenIntersects()
    {
        Assert.Equal(0, Run("token", "restrict", "--token", "admin.json", "--restrict", "RC,WD", "--out", "r1.json").ExitCode);
        var r = Run("token", "restrict", "--token", "r1.json", "--restrict", "BU");
        // Nothing in common: the token stays restricted, its old restricting SIDs kept as deny-only, none enabled.
        var none = Parse(r.Out);
        Assert.True(none.IsRestricted);
        Assert.Equal([WellKnownSids.Restricted, WellKnownSids.World], none.RestrictedSids.Select(s => s.Sid));
        Assert.All(none.RestrictedSids, s => Assert.True(s.IsDenyOnly));
        r = Run("token", "restrict", "--token", "r1.json", "--restrict", "WD,BU");
        // Only Everyone is in both lists: it stays enabled; RESTRICTED is kept, deny-only.
        var one = Parse(r.Out);
        Assert.Equal([WellKnownSids.World], one.RestrictedSids.Where(s => s.IsEnabled).Select(s => s.Sid));
        Assert.Equal([WellKnownSids.Restricted], one.RestrictedSids.Where(s => s.IsDenyOnly).Select(s => s.Sid));
    }

    [Fact]
    public void OutWritesAFileThatReadsBack()
    {
        var r = Run("token", "restrict", "--token", "admin.json", "--restrict", "RC", "-o", "sub.json");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("STATUS_SUCCESS: wrote sub.json\n", r.Out);
        string text = File.ReadAllText(Path.Combine(_dir.FullName, "sub.json"));
        Assert.EndsWith("}\n", text);
        Assert.Equal([WellKnownSids.Restricted], Parse(text).RestrictedSids.Select(s => s.Sid));

        r = Run("token", "restrict", "--token", "admin.json", "--restrict", "RC", "--out", "no/such/dir/x.json");
        Assert.Equal(3, r.ExitCode);
        Assert.StartsWith("error: --out: cannot write 'no/such/dir/x.json': ", r.Error);
    }

    [Theory]
    [InlineData(new[] { "token", "restrict", "--token", "admin.json", "--delete-privileges", "SeFlyPrivilege" }, 3, "error: --delete-privileges: unknown privilege 'SeFlyPrivilege'")]
    [InlineData(new[] { "token", "restrict", "--token", "admin.json", "--disable", "BA,XX" }, 3, "error: --disable: 'XX': 'XX' is not a SID, an SDDL alias or a well-known account name")]
    [InlineData(new[] { "token", "restrict", "--token", "admin.json", "--restrict", "DA" }, 3, "error: --restrict: 'DA': alias 'DA' is relative to the domain, and no domain SID was given (give it with --domain)")]
    [InlineData(new[] { "token", "restrict", "--token", "admin.json", "--flags", "Sandboxed" }, 2, "ntsec: Unknown filter flag 'Sandboxed'. Known flags: DisableMaxPrivilege, SandboxInert, LuaToken, WriteRestricted.")]
    [InlineData(new[] { "token", "restrict", "--restrict", "RC" }, 2, "ntsec: Option '--token' is required.")]
    [InlineData(new[] { "token", "show", "--token", "nope.json" }, 3, "error: --token: cannot read 'nope.json': ")]
    [InlineData(new[] { "token" }, 2, "ntsec: Required command was not provided.")]
    public void ErrorsExitWithTheirCode(string[] args, int code, string message)
    {
        var r = Run(args);
        Assert.Equal(code, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.StartsWith(message, r.ErrorLines[0]);
        if (code == 2) Assert.Equal($"Run 'ntsec {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))} --help' for usage.", r.ErrorLines[^1]);
    }

    [Fact]
    public void DomainSidsResolveWithDomain()
    {
        var r = Run("token", "restrict", "--token", "admin.json", "--restrict", "DA", "--domain", "S-1-5-21-1-2-3");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal([Sid.Parse("S-1-5-21-1-2-3-512")], Parse(r.Out).RestrictedSids.Select(s => s.Sid));
    }

    [Fact]
    public void AFolderGivenAsTheTokenFile_IsSaidToBeAFolder()
    {
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "tokens"));
        var r = Run("token", "show", "--token", "tokens");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("error: --token: cannot read 'tokens': it is a folder, not a file", r.ErrorLines[0]);
        Assert.DoesNotContain("Access to the path", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ATokenFileWithALoneSurrogate_IsBadInput_NotACrash()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "bad.json"), "{\"user\": \"SY\", \"groups\": [{\"sid\": \"\\ud800\"}]}");
        var r = Run("token", "show", "--token", "bad.json");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("groups[0].sid", r.Error, StringComparison.Ordinal);
        Assert.Contains("lone surrogate", r.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LW")]
    [InlineData("Low")]
    [InlineData("low mandatory level")]
    [InlineData("Mandatory Label\\Low Mandatory Level")]
    [InlineData("S-1-16-4096")]
    public void RestrictIntegrity_LowersTheLevelAndTheIntegrityGroup(string level)
    {
        var r = Run("token", "restrict", "--token", "admin.json", "--integrity", level);

        Assert.Equal(0, r.ExitCode);
        var t = Parse(r.Out);
        Assert.Equal(WellKnownSids.LowIntegrity, t.IntegrityLevel);
        // The group that carried the level carries the new one: whoami /groups and the check agree.
        var label = Assert.Single(t.Groups, g => (g.Attributes & GroupAttributes.Integrity) != 0);
        Assert.Equal(WellKnownSids.LowIntegrity, label.Sid);
        Assert.DoesNotContain(t.Groups, g => g.Sid == WellKnownSids.HighIntegrity);
    }

    [Fact]
    public void RestrictIntegrity_AppliesAfterTheFilter()
    {
        var r = Run("token", "restrict", "--token", "admin.json", "--restrict", "RC", "--disable", "BA", "--integrity", "ME");

        Assert.Equal(0, r.ExitCode);
        var t = Parse(r.Out);
        Assert.Equal(WellKnownSids.MediumIntegrity, t.IntegrityLevel);
        Assert.Equal([WellKnownSids.Restricted], t.RestrictedSids.Select(s => s.Sid));
        Assert.True(t.Groups.Single(g => g.Sid == WellKnownSids.BuiltinAdministrators).IsDenyOnly);
    }

    [Fact]
    public void RestrictIntegrity_RefusesToRaise_AsWindowsDoesWithoutSeTcb()
    {
        Assert.Equal(0, Run("token", "restrict", "--token", "admin.json", "--integrity", "LW", "-o", "low.json").ExitCode);

        var r = Run("token", "restrict", "--token", "low.json", "--integrity", "HI");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.StartsWith("error: NtSetInformationToken(TokenIntegrityLevel): STATUS_PRIVILEGE_NOT_HELD: S-1-16-12288 (HI: Mandatory Label\\High Mandatory Level) is above the token's level S-1-16-4096", r.ErrorLines[0]);
        Assert.Contains("SeTcbPrivilege", r.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BA", "error: --integrity: 'BA' is S-1-5-32-544, not a mandatory label (S-1-16-N)")]
    [InlineData("S-1-16-4096-1", "error: --integrity: 'S-1-16-4096-1' is S-1-16-4096-1, not a mandatory label (S-1-16-N)")]
    [InlineData("Lowish", "error: --integrity: 'Lowish': 'Lowish' is not a SID, an SDDL alias or a well-known account name")]
    public void RestrictIntegrity_RejectsWhatIsNotALabel(string level, string message)
    {
        var r = Run("token", "restrict", "--token", "admin.json", "--integrity", level);
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.StartsWith(message, r.ErrorLines[0]);
    }

    [Fact]
    public void ShowOfAWhoamiFile_NamesSidsAsWhoamiDid()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "me.txt"), File.ReadAllText(Path.Combine(CliHarness.RepositoryRoot(), "examples", "file-share-audit", "alice-whoami.txt")));
        var r = Run("token", "show", "--token", "me.txt");

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("User              S-1-5-21-1004336348-1177238915-682003330-1104 (contoso\\alice)", r.OutLines[0]);
        // A domain group the catalogue cannot name is named as whoami named it.
        Assert.Contains(r.OutLines, l => l.Contains("S-1-5-21-1004336348-1177238915-682003330-1120 (CONTOSO\\Finance)", StringComparison.Ordinal));
    }
}
