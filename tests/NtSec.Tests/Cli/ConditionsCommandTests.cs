using System.Text.Json;

namespace NtSec.Tests.Cli;

/// <summary>The tool's conditional-ACE and central access policy surface, on the files of examples/dynamic-access-control.</summary>
public sealed class ConditionsCommandTests
{
    private static readonly string Examples = Path.Combine(CliHarness.RepositoryRoot(), "examples", "dynamic-access-control");
    private static readonly string Alice = Path.Combine(Examples, "alice.json");
    private static readonly string Policies = Path.Combine(Examples, "policies.json");
    private const string Finance = "O:BAG:SYD:(A;;FA;;;BA)(A;;0x1301bf;;;AU)S:(RA;;;;;WD;(\"Department\",TS,0,\"Finance\"))(SP;;;;;S-1-17-1234567890-1111111111-2222222222-3333333333)";

    // The explanation wraps long lines; compare with the line breaks and indentation folded to single spaces.
    private static string Flat(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void TheIssuesReport_MemberOfBuiltinUsersIsGranted()
    {
        var r = CliHarness.Run("check", "--sd", "O:BAG:SYD:(XA;;FA;;;WD;(Member_of {SID(BU)}))", "--token", Alice, "--desired", "FILE_READ_DATA", "--type", "file", "--explain");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("(Member_of {SID(BU)}) is TRUE", Flat(r.Out));
    }

    [Fact]
    public void AClaimsBasedCheck_ExplainsAMissingAttribute()
    {
        var r = CliHarness.Run("check", "--sd", "O:BAG:SYD:(XA;;FA;;;AU;(@User.ad://ext/Title == \"CFO\"))(A;;FR;;;AU)", "--token", Alice, "--desired", "FILE_WRITE_DATA", "--type", "file", "--explain");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("condition is UNKNOWN", Flat(r.Out));
        Assert.Contains("@User.ad://ext/Title is not there", Flat(r.Out));
    }

    [Fact]
    public void Policies_GiveTheStagedResultBesideTheEffectiveOne()
    {
        var r = CliHarness.Run("check", "--sd", Finance, "--token", Alice, "--desired", "FILE_WRITE_DATA", "--type", "file", "--policies", Policies);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Finance documents (S-1-17-1234567890-1111111111-2222222222-3333333333)", r.Out);
        Assert.Contains("take away 0x00000002 (FILE_WRITE_DATA)", Flat(r.Out));
        Assert.Contains("Staged     denied (STATUS_ACCESS_DENIED)", r.Out);

        var json = CliHarness.Run("check", "--sd", Finance, "--token", Alice, "--desired", "FILE_WRITE_DATA", "--type", "file", "--policies", Policies, "--json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("STATUS_ACCESS_DENIED", doc.RootElement.GetProperty("staged").GetProperty("status").GetString());
        Assert.Equal("0x00000002", doc.RootElement.GetProperty("policyRules")[0].GetProperty("stagedRemoved").GetString());
    }

    [Fact]
    public void BatchLines_TakePolicies_AndAnswerStaged()
    {
        string policies = File.ReadAllText(Policies).ReplaceLineEndings(" ");
        string line1 = JsonSerializer.Serialize(new { id = 1, sd = Finance, token = Alice, desired = "FILE_WRITE_DATA", type = "file" });
        string line2 = line1[..^1].Replace("\"id\":1", "\"id\":2") + ", \"policies\": " + policies + "}";
        string line3 = line1[..^1].Replace("\"id\":1", "\"id\":3") + ", \"policies\": 5}";
        var r = CliHarness.RunWithInput(line1 + "\n" + line2 + "\n" + line3 + "\n", "check", "--batch");
        var lines = r.OutLines;
        Assert.Equal(3, lines.Length);
        using (var one = JsonDocument.Parse(lines[0])) Assert.Equal(JsonValueKind.Null, one.RootElement.GetProperty("staged").ValueKind);
        using (var two = JsonDocument.Parse(lines[1]))
        {
            Assert.Equal("STATUS_SUCCESS", two.RootElement.GetProperty("status").GetString());
            Assert.Equal("STATUS_ACCESS_DENIED", two.RootElement.GetProperty("staged").GetProperty("status").GetString());
        }
        using (var three = JsonDocument.Parse(lines[2])) Assert.StartsWith("policies:", three.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void TokenShow_PrintsClaims()
    {
        var r = CliHarness.Run("token", "show", "--token", Alice);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("ad://ext/Department (string) = \"Finance\"", r.Out);
        Assert.Contains("ad://ext/ManagedDevice (boolean) = true", r.Out);
    }
}
