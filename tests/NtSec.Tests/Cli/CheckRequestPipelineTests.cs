using System.Text;
using System.Text.Json;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tests.Import;

namespace NtSec.Tests.Cli;

/// <summary>
/// Issue 9.4 and 16: one request pipeline for check and check --batch; descriptors recognised by content
/// everywhere; batch lines that always answer one line; one resolver that keeps the names the user gave.
/// </summary>
public sealed class CheckRequestPipelineTests : IDisposable
{
    private const string Contoso = ImportSamples.Contoso;
    private const string Sddl = "O:BAG:BAD:(A;;FR;;;BU)(D;;FW;;;WD)";
    private const string Alice = """{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "WD", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]}, {"sid": "BU", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]}]}""";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ntsec-pipeline-");
    private readonly string _hex, _base64;

    public CheckRequestPipelineTests()
    {
        foreach (var file in Directory.GetFiles(ImportSamples.Folder)) File.Copy(file, Path.Combine(_dir.FullName, Path.GetFileName(file)));
        byte[] binary = SddlParser.Parse(Sddl).ToBinary();
        _hex = Convert.ToHexString(binary);
        _base64 = Convert.ToBase64String(binary);
        Write("alice.json", Alice);
        Write("sd.sddl", Sddl + "\n");
        // A hex dump grouped in lines, as tools print one.
        Write("sd.hex", string.Join("\n", _hex.Chunk(32).Select(c => string.Join(" ", new string(c).Chunk(2).Select(p => new string(p))))) + "\n");
        Write("sd.b64", _base64 + "\n");
        // An LDIF entry, folded at 20 characters, as ldapsearch writes a long value.
        string folded = "nTSecurityDescriptor:: " + _base64;
        var ldif = new StringBuilder("dn: CN=Alice,CN=Users,DC=contoso,DC=com\nobjectClass: user\n");
        for (int i = 0; i < folded.Length; i += 20) ldif.Append(i == 0 ? "" : " ").Append(folded.AsSpan(i, Math.Min(20, folded.Length - i))).Append('\n');
        Write("user.ldf", ldif.ToString());
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_dir.FullName, name), text);

    private CliResult Run(params string[] args) => CliHarness.RunIn(_dir.FullName, "", args);

    private CliResult RunWithInput(string stdin, params string[] args) => CliHarness.RunIn(_dir.FullName, stdin, args);

    [Theory]
    [InlineData("@sd.sddl")]
    [InlineData("@sd.hex")]
    [InlineData("@sd.b64")]
    [InlineData("@user.ldf")]
    public void SddlReadsEveryFormByItsContent(string file)
    {
        var r = Run("sddl", file, "--to", "sddl");
        Assert.Equal("", r.Error);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Sddl + "\n", r.Out);
    }

    [Fact]
    public void DetectionKeepsTheFormsApart()
    {
        Assert.Equal(DescriptorFormat.Sddl, DescriptorText.Detect(Sddl));
        Assert.Equal(DescriptorFormat.Hex, DescriptorText.Detect(_hex));
        Assert.Equal(DescriptorFormat.Hex, DescriptorText.Detect("0x" + _hex.ToLowerInvariant()));
        Assert.Equal(DescriptorFormat.Base64, DescriptorText.Detect(_base64));
        Assert.Equal(DescriptorFormat.Base64, DescriptorText.Detect("nTSecurityDescriptor:: " + _base64));
        Assert.Equal(DescriptorFormat.Icacls, DescriptorText.Detect(File.ReadAllText(Path.Combine(_dir.FullName, "icacls-projects.txt"))));
        // Neither: read as SDDL, whose parser says what is wrong (a word is not base64, nor hex that is no descriptor).
        Assert.Equal(DescriptorFormat.Sddl, DescriptorText.Detect("garbage"));
        Assert.Equal(DescriptorFormat.Sddl, DescriptorText.Detect("deadbeef"));
        Assert.Equal(DescriptorFormat.Sddl, DescriptorText.Detect("(A;;FA;;;WD)"));
    }

    [Theory]
    [InlineData("@sd.hex")]
    [InlineData("@sd.b64")]
    [InlineData("@user.ldf")]
    public void CheckReadsBinaryAndLdifDescriptors(string file)
    {
        var r = Run("check", "--sd", file, "--token", "alice.json", "--desired", "MAXIMUM_ALLOWED", "--type", "file", "--json");
        Assert.Equal("", r.Error);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("0x00120089", doc.RootElement.GetProperty("granted").GetString());
        // Hex on the command line itself too.
        var inline = Run("check", "--sd", _hex, "--token", "alice.json", "--desired", "FR", "--type", "file");
        Assert.Equal(0, inline.ExitCode);
    }

    [Fact]
    public void ABatchLineAcceptsWhatCheckAccepts()
    {
        string input = string.Join("\n",
            """{"id": 1, "sd": "@sd.hex", "token": "alice.json", "desired": "MAXIMUM_ALLOWED", "type": "file"}""",
            $$"""{"id": 2, "sd": "{{_base64}}", "token": "alice.json", "desired": "FR", "type": "file"}""",
            """{"id": 3, "sd": "@user.ldf", "token": "alice.json", "desired": "FW", "type": "file"}""",
            // icacls output needs an owner; the map names the domain accounts; the path picks one of four.
            $$"""{"id": 4, "sd": "@icacls-projects.txt", "owner": "BA", "path": "C:\\Shares\\Projects", "map": ["CONTOSO\\Contractors={{Contoso}}-1600", "CONTOSO\\Engineering={{Contoso}}-1500"], "token": "whoami-csv-standard-user.txt", "desired": "FR", "type": "directory"}""",
            $$"""{"id": 5, "sd": "@icacls-projects.txt", "path": "C:\\Shares\\Projects", "map": ["CONTOSO\\Contractors={{Contoso}}-1600", "CONTOSO\\Engineering={{Contoso}}-1500"], "token": "alice.json", "desired": "FR", "type": "directory"}""",
            """{"id": 6, "sd": "D:(A;;FA;;;WD)", "owner": "BA", "group": "SY", "token": "alice.json", "desired": "FR", "type": "file"}""");
        var r = RunWithInput(input, "check", "--batch");
        var lines = r.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(6, lines.Length);
        Assert.Equal("0x00120089", lines[0].GetProperty("granted").GetString());
        Assert.Equal("STATUS_SUCCESS", lines[1].GetProperty("status").GetString());
        Assert.Equal("STATUS_ACCESS_DENIED", lines[2].GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, lines[3].GetProperty("error").ValueKind);
        Assert.Equal("STATUS_ACCESS_DENIED", lines[3].GetProperty("status").GetString()); // Users may only add subdirectories there
        Assert.StartsWith("sd: icacls-projects.txt: icacls does not show the owner", lines[4].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("STATUS_SUCCESS", lines[5].GetProperty("status").GetString());
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void ALoneSurrogateIsAnErrorForItsLineOnly()
    {
        string good = """{"id": 9, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": "alice.json", "desired": "FR", "type": "file"}""";
        string input = string.Join("\n", """{"id":"\ud800"}""", """{"id": 1, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": {"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "WD", "attributes": ["Enabled"], "x\udc00": 1}]}, "desired": "FR", "type": "file"}""", """{"\ud800": 1}""", good);
        var r = RunWithInput(input, "check", "--batch");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal(4, r.OutLines.Length);
        var first = JsonDocument.Parse(r.OutLines[0]).RootElement;
        Assert.Equal(JsonValueKind.Null, first.GetProperty("id").ValueKind);
        Assert.Contains("lone surrogate", first.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("not valid JSON text: id:", first.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("token.groups[0]: a property name", JsonDocument.Parse(r.OutLines[1]).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("lone surrogate", JsonDocument.Parse(r.OutLines[2]).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("STATUS_SUCCESS", JsonDocument.Parse(r.OutLines[3]).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void ABatchLineNeverReadsStandardInput()
    {
        string good = """{"id": 2, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": "alice.json", "desired": "FR", "type": "file"}""";
        string input = string.Join("\n", """{"id": 1, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": "-", "desired": "FR", "type": "file"}""", """{"id": 3, "sd": "@-", "token": "alice.json", "desired": "FR", "type": "file"}""", good, good);
        var r = RunWithInput(input, "check", "--batch");
        Assert.Equal(4, r.OutLines.Length);
        Assert.StartsWith("token: '-' (standard input) cannot be read from a batch line", JsonDocument.Parse(r.OutLines[0]).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("sd: '-' (standard input)", JsonDocument.Parse(r.OutLines[1]).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("STATUS_SUCCESS", JsonDocument.Parse(r.OutLines[2]).RootElement.GetProperty("status").GetString());
        Assert.Equal("STATUS_SUCCESS", JsonDocument.Parse(r.OutLines[3]).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void ABatchStartingWithFFFEIsNotReadAsUtf16()
    {
        string good = """{"id": 1, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": "alice.json", "desired": "FR", "type": "file"}""";
        byte[] body = Encoding.UTF8.GetBytes(string.Join("\n", good, good, good, good) + "\n");
        File.WriteAllBytes(Path.Combine(_dir.FullName, "batch.jsonl"), [0xFF, 0xFE, .. body]);
        var r = Run("check", "--batch", "batch.jsonl");
        Assert.Equal(4, r.OutLines.Length);
        Assert.StartsWith("not valid JSON", JsonDocument.Parse(r.OutLines[0]).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.All(r.OutLines[1..], l => Assert.Equal("STATUS_SUCCESS", JsonDocument.Parse(l).RootElement.GetProperty("status").GetString()));
        // A UTF-8 byte order mark is still skipped.
        File.WriteAllBytes(Path.Combine(_dir.FullName, "bom.jsonl"), [0xEF, 0xBB, 0xBF, .. body]);
        var bom = Run("check", "--batch", "bom.jsonl");
        Assert.Equal(0, bom.ExitCode);
        Assert.Equal(4, bom.OutLines.Length);
    }

    [Fact]
    public void ARefusedCheckGetsAHintForItsKind()
    {
        var noOwner = Run("check", "--sd", "D:(A;;FA;;;WD)", "--token", "alice.json", "--desired", "FR", "--type", "file");
        Assert.Equal(3, noOwner.ExitCode);
        Assert.Contains(CheckCommandTests.Unwrapped(noOwner.OutLines), l => l.StartsWith("Hint", StringComparison.Ordinal) && l.Contains("--owner", StringComparison.Ordinal));
        Write("primary.json", Alice.Replace("{\"user\"", "{\"type\": \"Primary\", \"user\"", StringComparison.Ordinal));
        var primary = Run("check", "--sd", Sddl, "--token", "primary.json", "--desired", "FR", "--type", "file");
        Assert.Equal(3, primary.ExitCode);
        Assert.Contains(CheckCommandTests.Unwrapped(primary.OutLines), l => l.StartsWith("Hint", StringComparison.Ordinal) && l.Contains("--type impersonation", StringComparison.Ordinal));
        var granted = Run("check", "--sd", Sddl, "--token", "alice.json", "--desired", "FR", "--type", "file");
        Assert.DoesNotContain(granted.OutLines, l => l.StartsWith("Hint", StringComparison.Ordinal));
    }

    [Fact]
    public void TheExplanationNamesSidsAsTheUserNamedThem()
    {
        // --map names a domain account; the whoami file names its groups.
        var r = Run(["check", "--sd", "@icacls-projects.txt", "--owner", "BA", "--path", "C:\\Shares\\Projects", "--map", $"CONTOSO\\Contractors={Contoso}-1600", "--map", $"CONTOSO\\Engineering={Contoso}-1500",
            "--token", "whoami-list-standard-user.txt", "--desired", "FR", "--type", "directory", "--explain"]);
        var lines = CheckCommandTests.Unwrapped(r.OutLines);
        Assert.Contains(lines, l => l.Contains($"CONTOSO\\Engineering ({Contoso}-1500) is not in the token", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  token of ", StringComparison.Ordinal) && l.Contains($"({Contoso}-1104)", StringComparison.Ordinal) && !l.Contains($"of {Contoso}-1104", StringComparison.Ordinal));

        // --domain names the domain-relative accounts.
        var d = Run("check", "--sd", "O:BAG:BAD:(A;;FA;;;DA)(A;;FR;;;BU)", "--token", "alice.json", "--desired", "FR", "--type", "file", "--domain", "S-1-5-21-1-2-3", "--explain");
        Assert.Contains(CheckCommandTests.Unwrapped(d.OutLines), l => l.Contains("Domain Admins (S-1-5-21-1-2-3-512) is not in the token", StringComparison.Ordinal));

        // The JSON carries the same name.
        var json = Run(["check", "--sd", "@icacls-projects.txt", "--owner", "BA", "--path", "C:\\Shares\\Projects", "--map", $"CONTOSO\\Contractors={Contoso}-1600", "--map", $"CONTOSO\\Engineering={Contoso}-1500",
            "--token", "whoami-list-standard-user.txt", "--desired", "FR", "--type", "directory", "--explain", "--json"]);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Contains(doc.RootElement.GetProperty("explanation").GetProperty("steps").EnumerateArray(),
            s => s.TryGetProperty("sidName", out var n) && n.GetString() == "CONTOSO\\Engineering" && s.GetProperty("sidState").GetString() == "Absent");
    }

    [Fact]
    public void SidKeepsTheNameJustTyped()
    {
        var r = Run("sid", "NT SERVICE\\TrustedInstaller");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Name    NT SERVICE\\TrustedInstaller", r.OutLines);
        Assert.DoesNotContain(r.OutLines, l => l.Contains("not a well-known account", StringComparison.Ordinal));
    }

    [Fact]
    public void SddlResolvesDomainRelativeNamesInIcaclsOutputWithTheDomain()
    {
        Write("domain-users.txt", "C:\\Data CONTOSO\\Domain Users:(OI)(CI)(RX)\n        BUILTIN\\Administrators:(OI)(CI)(F)\n");
        var r = Run("sddl", "@domain-users.txt", "--domain", Contoso, "--to", "sddl");
        Assert.Equal("", r.Error);
        Assert.Equal("D:(A;OICI;0x1200a9;;;DU)(A;OICI;FA;;;BA)\n", r.Out);
        // The same name resolves with ntsec sid.
        var sid = Run("sid", "CONTOSO\\Domain Users", "--domain", Contoso);
        Assert.Contains($"SID     {Contoso}-513", sid.OutLines);
        // Without the domain it cannot.
        Assert.Equal(3, Run("sddl", "@domain-users.txt", "--to", "sddl").ExitCode);
    }

    [Fact]
    public void SddlNamesTrusteesWithTheMapNames()
    {
        string[] args = ["sddl", "@icacls-projects.txt", "--path", "C:\\Shares\\Projects", "--map", $"CONTOSO\\Contractors={Contoso}-1600", "--map", $"CONTOSO\\Engineering={Contoso}-1500"];
        var text = Run(args);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains(text.OutLines, l => l.Contains($"{Contoso}-1600 (CONTOSO\\Contractors)", StringComparison.Ordinal));
        var json = Run([.. args, "--json"]);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Contains(doc.RootElement.GetProperty("dacl").GetProperty("aces").EnumerateArray(), a => a.GetProperty("trustee").GetProperty("name").GetString() == "CONTOSO\\Engineering");
    }

    [Fact]
    public void TheResolverPrefersTheNamesGiven()
    {
        var names = new SidNameResolver(new SidContext(Sid.Parse(Contoso)));
        Assert.True(names.TryResolve("NT SERVICE\\TrustedInstaller", out var ti, out _));
        Assert.Equal("NT SERVICE\\TrustedInstaller", names.NameOf(ti));
        Assert.Equal("Domain Admins", names.NameOf(Sid.Parse(Contoso + "-512"))?.Split('\\')[^1]);
        names.Give("CONTOSO\\Finance", Sid.Parse(Contoso + "-1120"));
        Assert.True(names.TryResolveName("contoso\\finance", out var finance));
        Assert.Equal("CONTOSO\\Finance", names.NameOf(finance));
        Assert.Null(new SidNameResolver().NameOf(Sid.Parse("S-1-5-21-9-9-9-1000")));
    }
}
