using NtSec.Authorization;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace NtSec.Tests.Cli;

public sealed class CheckCommandTests : IDisposable
{
    private const string Alice = """
        {"user": "S-1-5-21-1-2-3-1001",
         "groups": [{"sid": "WD", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]},
                    {"sid": "BU", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]},
                    {"sid": "AU", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]}],
         "privileges": [{"name": "SeChangeNotifyPrivilege", "attributes": ["Enabled", "EnabledByDefault"]},
                        {"name": "SeTakeOwnershipPrivilege", "attributes": []}]}
        """;

    private const string Known = "known: Mandatory, EnabledByDefault, Enabled, Owner, UseForDenyOnly, Integrity, IntegrityEnabled, Resource, LogonId";
    private const string ReadProp = "c7407360-20bf-11d0-a768-00aa006e0529";
    private const string UserClass = "bf967aba-0de6-11d0-a285-00aa003049e2";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ntsec-check-");
    private readonly ITestOutputHelper _log;

    public CheckCommandTests(ITestOutputHelper log)
    {
        _log = log;
        WriteFile("alice.json", Alice);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private string WriteFile(string name, string text)
    {
        File.WriteAllText(Path.Combine(_dir.FullName, name), text);
        return name;
    }

    private CliResult Run(params string[] args) => CliHarness.RunIn(_dir.FullName, "", args);

    private CliResult RunWithInput(string stdin, params string[] args) => CliHarness.RunIn(_dir.FullName, stdin, args);

    [Fact]
    public void GrantedAccessPrintsTheRightsAndExits0()
    {
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;BU)", "--token", "alice.json", "--desired", "FILE_READ_DATA|SYNCHRONIZE", "--type", "file");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Equal(
        [
            "Result     granted (STATUS_SUCCESS)",
            "Desired    0x00100001 FILE_READ_DATA | SYNCHRONIZE",
            "Granted    0x00100001 FILE_READ_DATA | SYNCHRONIZE",
        ], r.OutLines);
    }

    [Fact]
    public void DeniedAccessExits1()
    {
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;BU)", "--token", "alice.json", "--desired", "FILE_WRITE_DATA", "--type", "file");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Equal(
        [
            "Result     denied (STATUS_ACCESS_DENIED)",
            "Desired    0x00000002 FILE_WRITE_DATA",
            "Granted    0x00000000 (nothing)",
        ], r.OutLines);
    }

    [Fact]
    public void GenericRightsAreMappedBeforeTheCheckAndTheOutputSaysSo()
    {
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;BU)", "--token", "alice.json", "--desired", "GENERIC_READ", "--type", "file");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
        [
            "Result     granted (STATUS_SUCCESS)",
            "Desired    0x00120089 FILE_GENERIC_READ = FILE_READ_DATA | FILE_READ_EA | FILE_READ_ATTRIBUTES |",
            "           READ_CONTROL | SYNCHRONIZE",
            "Mapped     GENERIC_READ was mapped with the File generic mapping before the check, as callers of",
            "           AccessCheck do (AccessCheck itself refuses generic rights: STATUS_GENERIC_NOT_MAPPED)",
            "Granted    0x00120089 FILE_GENERIC_READ = FILE_READ_DATA | FILE_READ_EA | FILE_READ_ATTRIBUTES |",
            "           READ_CONTROL | SYNCHRONIZE",
        ], r.OutLines);

        // A mapping of one's own, with no type: the rights print as bits.
        r = Run("check", "--sd", "O:BAG:BAD:(A;;0x8;;;WD)", "--token", "alice.json", "--desired", "GENERIC_ALL", "--mapping", "0x1,0x2,0x4,0x8");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Desired    0x00000008 0x8", r.OutLines[1]);
        Assert.StartsWith("Mapped     GENERIC_ALL was mapped with the generic mapping 0x1,0x2,0x4,0x8 before the check", r.OutLines[2]);
    }

    [Fact]
    public void MaximumAllowedGrantsWhatTheDaclGives()
    {
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;BU)(A;;FW;;;WD)", "--token", "alice.json", "--desired", "MAXIMUM_ALLOWED", "--type", "file", "--json");

        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("0x0012019f", root.GetProperty("granted").GetString());
        Assert.Equal("0x02000000", root.GetProperty("desired").GetString());
        Assert.Equal(["FILE_READ_DATA", "FILE_WRITE_DATA", "FILE_APPEND_DATA", "FILE_READ_EA", "FILE_WRITE_EA", "FILE_READ_ATTRIBUTES", "FILE_WRITE_ATTRIBUTES", "READ_CONTROL", "SYNCHRONIZE"],
            root.GetProperty("grantedRights").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void JsonOutputHasEveryKeyAndTheExplanationSteps()
    {
        var r = Run("check", "--sd", "O:BAG:BAD:(D;;FW;;;WD)(A;;FA;;;BU)", "--token", "alice.json", "--desired", "GENERIC_WRITE", "--type", "file", "--json", "--explain");

        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(
            ["version", "granted", "status", "privilegesUsed", "staged", "results", "desired", "desiredRights", "requested", "mapping", "objectType", "grantedRights", "explanation"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("STATUS_ACCESS_DENIED", root.GetProperty("status").GetString());
        Assert.Equal("0x00000000", root.GetProperty("granted").GetString());
        Assert.Equal("0x40000000", root.GetProperty("requested").GetString());
        Assert.Equal("0x00120116", root.GetProperty("desired").GetString());
        Assert.Equal("0x120089,0x120116,0x1200a0,0x1f01ff", root.GetProperty("mapping").GetString());
        Assert.Equal("File", root.GetProperty("objectType").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("results").ValueKind);
        var explanation = root.GetProperty("explanation");
        Assert.Equal(AccessCheckExplanation.SchemaVersion, explanation.GetProperty("version").GetInt32());
        var deny = explanation.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("outcome").GetString() == "Denied");
        Assert.Equal(0, deny.GetProperty("ace").GetInt32());
        Assert.Equal("(D;;FW;;;WD)", deny.GetProperty("aceSddl").GetString());
        Assert.Equal("Dacl", deny.GetProperty("stage").GetString());
    }

    [Fact]
    public void ExplainPrintsEachStageAndEachAce()
    {
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FA;;;SY)(A;;FR;;;BU)", "--token", "alice.json", "--desired", "FILE_READ_DATA", "--type", "file", "--explain");

        Assert.Equal(0, r.ExitCode);
        var lines = r.OutLines;
        Assert.Equal("", lines[3]);
        Assert.Equal(
        [
            "request:",
            "  token of S-1-5-21-1-2-3-1001 asks for 0x00000001",
            "integrity:",
            "  token integrity Mandatory Label\\Medium Mandatory Level (S-1-16-8192) is at least the implicit",
            "      label Mandatory Label\\Medium Mandatory Level (S-1-16-8192): no integrity limit",
            "DACL (token SIDs):",
            "  #0 (A;;FA;;;SY): skipped - NT AUTHORITY\\SYSTEM (S-1-5-18) is not in the token",
            "  #1 (A;;FR;;;BU): grants FILE_READ_DATA | FILE_READ_EA | FILE_READ_ATTRIBUTES | READ_CONTROL |",
            "      SYNCHRONIZE - applies through BUILTIN\\Users (S-1-5-32-545)",
            "  this pass allows FILE_READ_DATA | FILE_READ_EA | FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE",
            "result:",
            "  granted 0x00000001",
        ], lines[4..]);
    }

    [Fact]
    public void PrivilegesUsedAreListed()
    {
        WriteFile("owner.json", Alice.Replace("\"SeTakeOwnershipPrivilege\", \"attributes\": []", "\"SeTakeOwnershipPrivilege\", \"attributes\": [\"Enabled\"]", StringComparison.Ordinal));
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;WD)", "--token", "owner.json", "--desired", "WRITE_OWNER", "--type", "file");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Privileges SeTakeOwnershipPrivilege", r.OutLines[^1]);

        // Held but not enabled: no privilege, no access.
        r = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;WD)", "--token", "alice.json", "--desired", "WRITE_OWNER", "--type", "file");
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain(r.OutLines, l => l.StartsWith("Privileges", StringComparison.Ordinal));
    }

    [Fact]
    public void ObjectTypeListsPrintOneResultPerEntry()
    {
        const string propertySet = "4c164200-20c0-11d0-a768-00aa006e0529", other = "bf967a68-0de6-11d0-a285-00aa003049e2";
        var r = Run("check", "--sd", $"O:BAG:BAD:(OA;;RP;{ReadProp};;WD)", "--token", "alice.json", "--desired", "RP", "--type", "ds",
            "--object-types", $"0:{{{UserClass}}},1:{{{propertySet}}},2:{{{ReadProp}}},2:{other}");

        // The root is denied: only one property of the set is granted.
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
        [
            "Result     denied (STATUS_ACCESS_DENIED)",
            "Desired    0x00000010 ADS_RIGHT_DS_READ_PROP",
            "Granted    0x00000000 (nothing)",
            "Objects    4 entries (AccessCheckByTypeResultList; a denied entry shows what it was granted of the request)",
            $"  [0] level 0 {UserClass}  STATUS_ACCESS_DENIED  0x00000000",
            $"  [1] level 1 {propertySet}  STATUS_ACCESS_DENIED  0x00000000",
            $"  [2] level 2 {ReadProp}  STATUS_SUCCESS        0x00000010  ADS_RIGHT_DS_READ_PROP",
            $"  [3] level 2 {other}  STATUS_ACCESS_DENIED  0x00000000",
        ], r.OutLines);
    }

    [Fact]
    public void AMalformedObjectTypeListIsRefusedAsWindowsRefusesIt()
    {
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;RP;;;WD)", "--token", "alice.json", "--desired", "RP", "--type", "ds",
            "--object-types", $"0:{UserClass},0:{ReadProp}");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("Result     refused (STATUS_INVALID_PARAMETER: the check did not accept its arguments)", r.OutLines[0]);
        Assert.DoesNotContain(r.OutLines, l => l.StartsWith("Objects", StringComparison.Ordinal));
    }

    [Fact]
    public void PrimaryTokensAndDescriptorsWithoutOwnerAreRefused()
    {
        WriteFile("primary.json", """{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "WD", "attributes": ["Enabled"]}], "type": "Primary"}""");
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FA;;;WD)", "--token", "primary.json", "--desired", "FILE_READ_DATA", "--type", "file");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("Result     refused (STATUS_NO_IMPERSONATION_TOKEN: the check did not accept its arguments)", r.OutLines[0]);

        r = Run("check", "--sd", "D:(A;;FA;;;WD)", "--token", "alice.json", "--desired", "FILE_READ_DATA", "--type", "file");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("Result     refused (STATUS_INVALID_SECURITY_DESCR: the check did not accept its arguments)", r.OutLines[0]);
    }

    [Fact]
    public void SelfStandsForPrincipalSelf()
    {
        string[] args = ["check", "--sd", "O:BAG:BAD:(A;;RP;;;PS)", "--token", "alice.json", "--desired", "RP", "--type", "ds"];
        Assert.Equal(1, Run(args).ExitCode);
        Assert.Equal(0, Run([.. args, "--self", "S-1-5-21-1-2-3-1001"]).ExitCode);
        Assert.Equal(1, Run([.. args, "--self", "S-1-5-21-1-2-3-1002"]).ExitCode);
    }

    [Fact]
    public void TheDescriptorMayComeFromAFileAndTheTokenFromStandardInput()
    {
        WriteFile("doc.sddl", "O:BAG:BAD:(A;;FR;;;BU)\n");
        var r = Run("check", "--sd", "@doc.sddl", "--token", "alice.json", "--desired", "FR", "--type", "file");
        Assert.Equal(0, r.ExitCode);

        r = RunWithInput(Alice, "check", "--sd", "O:BAG:BAD:(A;;FR;;;BU)", "--token", "-", "--desired", "FR", "--type", "file");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Granted    0x00120089 FILE_GENERIC_READ = FILE_READ_DATA | FILE_READ_EA | FILE_READ_ATTRIBUTES |", r.OutLines[3]);
    }

    [Fact]
    public void DomainAliasesInTheTokenNeedTheDomain()
    {
        WriteFile("admin.json", """{"user": "S-1-5-21-1-2-3-500", "groups": [{"sid": "DA", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]}]}""");
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FA;;;S-1-5-21-1-2-3-512)", "--token", "admin.json", "--desired", "FILE_WRITE_DATA", "--type", "file");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("error: --token: admin.json: groups[0].sid: alias 'DA' is relative to the domain, and no domain SID was given (give it with --domain)\n", r.Error);

        r = Run("check", "--sd", "O:BAG:BAD:(A;;FA;;;DA)", "--token", "admin.json", "--desired", "FILE_WRITE_DATA", "--type", "file", "--domain", "S-1-5-21-1-2-3");
        Assert.Equal(0, r.ExitCode);
        // The same domain resolves DA in the descriptor: another domain's Domain Admins is not this token's group.
        r = Run("check", "--sd", "O:BAG:BAD:(A;;FA;;;S-1-5-21-9-9-9-512)", "--token", "admin.json", "--desired", "FILE_WRITE_DATA", "--type", "file", "--domain", "S-1-5-21-1-2-3");
        Assert.Equal(1, r.ExitCode);
    }

    [Theory]
    [InlineData("--sd", "O:BAG:BAD:(A;;GA ;;;WD)", "error: --sd: 16: a blank may not end the rights field")]
    [InlineData("--sd", "@missing.sddl", "error: --sd: cannot read 'missing.sddl': ")]
    [InlineData("--desired", "FILE_FLY", "error: --desired: unknown right 'FILE_FLY' for type File")]
    [InlineData("--object-types", "0:xyz", "error: --object-types: entry 0 '0:xyz': 'xyz' is not a GUID")]
    [InlineData("--object-types", "root:{bf967aba-0de6-11d0-a285-00aa003049e2}", "error: --object-types: entry 0 'root:{bf967aba-0de6-11d0-a285-00aa003049e2}': expected level:guid")]
    [InlineData("--self", "Nobody", "error: --self: 0: 'Nobody' is not a SID, an SDDL alias or a well-known account name")]
    [InlineData("--token", "missing.json", "error: --token: cannot read 'missing.json': ")]
    public void BadInputExits3AndNamesTheOption(string option, string value, string message)
    {
        var args = new Dictionary<string, string>
        {
            ["--sd"] = "O:BAG:BAD:(A;;FA;;;WD)",
            ["--token"] = "alice.json",
            ["--desired"] = "FILE_READ_DATA",
        };
        args[option] = value;
        var r = Run(["check", .. args.SelectMany(a => new[] { a.Key, a.Value }), "--type", "file"]);

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.StartsWith(message, r.Error);
        Assert.Single(r.ErrorLines);
    }

    [Fact]
    public void BadTokenFilesNameTheField()
    {
        WriteFile("typo.json", """{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "WD", "attributes": ["Mandatory"]}, {"sid": "BU", "attributes": ["Enabled"]}, {"sid": "AU", "attributes": ["Enabeld"]}]}""");
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FA;;;WD)", "--token", "typo.json", "--desired", "FILE_READ_DATA", "--type", "file");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal($"error: --token: typo.json: groups[2].attributes[0]: unknown group attribute 'Enabeld' ({Known})\n", r.Error);

        WriteFile("owner.json", """{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "BA", "attributes": ["Enabled"]}], "owner": "BA"}""");
        r = Run("check", "--sd", "O:BAG:BAD:(A;;FA;;;WD)", "--token", "owner.json", "--desired", "FILE_READ_DATA", "--type", "file");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("error: --token: owner.json: owner: owner S-1-5-32-544 is neither the user nor a group with the Owner attribute (STATUS_INVALID_OWNER)\n", r.Error);
    }

    [Theory]
    [InlineData(new[] { "check", "--sd", "O:BAG:BAD:(A;;FA;;;WD)", "--desired", "FR", "--type", "file" }, "ntsec check: give --sd, --token and --desired (or --batch).")]
    [InlineData(new[] { "check", "--sd", "O:BAG:BAD:(A;;FA;;;WD)", "--token", "alice.json", "--desired", "FR" }, "ntsec check: give --type or --mapping: the access check needs the object's generic mapping.")]
    [InlineData(new[] { "check", "--batch", "--sd", "O:BAG:BAD:(A;;FA;;;WD)" }, "ntsec check: --batch reads each check from a JSON line; --sd cannot be combined with it.")]
    [InlineData(new[] { "check", "--mapping", "1,2,3", "--sd", "x", "--token", "t", "--desired", "1" }, "ntsec: --mapping needs four masks R,W,X,A such as 0x120089,0x120116,0x1200a0,0x1f01ff; got '1,2,3'.")]
    [InlineData(new[] { "check", "--type", "spaceship", "--sd", "x", "--token", "t", "--desired", "1" }, "ntsec: Unknown object type 'spaceship'.")]
    public void UsageErrorsExit2(string[] args, string message)
    {
        var r = Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.StartsWith(message, r.ErrorLines[0]);
    }

    [Fact]
    public void ARestrictedTokenIsDeniedWhereTheOriginalIsGranted()
    {
        const string sd = "O:BAG:BAD:(A;;FA;;;S-1-5-21-1-2-3-1001)(A;;FR;;;RC)";
        var restrict = Run("token", "restrict", "--token", "alice.json", "--restrict", "RC", "--out", "restricted.json");
        Assert.Equal(0, restrict.ExitCode);

        Assert.Equal(0, Run("check", "--sd", sd, "--token", "alice.json", "--desired", "FILE_WRITE_DATA", "--type", "file").ExitCode);
        var denied = Run("check", "--sd", sd, "--token", "restricted.json", "--desired", "FILE_WRITE_DATA", "--type", "file", "--explain");
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("DACL again (restricting SIDs; both passes must grant):", denied.OutLines);
        Assert.Contains("  #0 (A;;FA;;;S-1-5-21-1-2-3-1001): skipped - S-1-5-21-1-2-3-1001 is not among the enabled restricting SIDs", Unwrapped(denied.OutLines));
        // The denied requested right is named, and every line fits the width.
        Assert.Contains("  requested and not granted: FILE_WRITE_DATA", denied.OutLines);
        Assert.All(denied.OutLines, l => Assert.True(l.Length <= 100, l));
        // Reading is granted by both passes: the RESTRICTED SID may read.
        Assert.Equal(0, Run("check", "--sd", sd, "--token", "restricted.json", "--desired", "FILE_READ_DATA", "--type", "file").ExitCode);
    }

    [Fact]
    public void TheReadmeExampleTokensBehaveAsTheReadmeSays()
    {
        const string sd = "O:S-1-5-21-1-2-3-1001G:S-1-5-21-1-2-3-513D:(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;S-1-5-21-1-2-3-1001)(A;;FR;;;BU)";
        string root = CliHarness.RepositoryRoot();
        var alice = CliHarness.RunIn(root, "", "check", "--sd", sd, "--token", "examples/tokens/alice.json", "--desired", "FILE_WRITE_DATA", "--type", "file");
        Assert.Equal(0, alice.ExitCode);
        var restricted = CliHarness.RunIn(root, "", "check", "--sd", sd, "--token", "examples/tokens/alice-restricted.json", "--desired", "FILE_WRITE_DATA", "--type", "file", "--explain");
        Assert.Equal(1, restricted.ExitCode);
        Assert.Equal("  restricted token of S-1-5-21-1-2-3-1001 asks for 0x00000002", restricted.OutLines[5]);
        Assert.Equal("  access denied", restricted.OutLines[^1]);
        var maximum = CliHarness.RunIn(root, "", "check", "--sd", sd, "--token", "examples/tokens/alice-restricted.json", "--desired", "MAXIMUM_ALLOWED", "--type", "file", "--json");
        using var doc = JsonDocument.Parse(maximum.Out);
        Assert.Equal("0x00120089", doc.RootElement.GetProperty("granted").GetString());
    }

    [Fact]
    public void BatchWritesOneJsonLineForEachLine()
    {
        string alice = JsonSerializer.Serialize(JsonDocument.Parse(Alice).RootElement);
        string input = string.Join("\n",
            $$$"""{"id": 1, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": {{{alice}}}, "desired": "FILE_READ_DATA", "type": "file"}""",
            $$$"""{"id": "two", "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": {{{alice}}}, "desired": "FILE_WRITE_DATA", "type": "file"}""",
            "",
            """{"id": 3, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": {"user": "S-1-5-18", "groups": [{"sid": "WD", "attributes": ["Enabeld"]}]}, "desired": "FR", "type": "file"}""",
            "not json",
            $$$"""{"id": [5], "sd": "O:BAG:BAD:(OA;;RP;{{{ReadProp}}};;WD)", "token": "alice.json", "desired": 16, "mapping": "0x20094,0x20028,0x20004,0xf01ff", "objectTypes": ["0:{{{UserClass}}}", "1:{{{ReadProp}}}"]}""",
            """{"id": 6, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": "alice.json"}""",
            """{"id": 7, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": "alice.json", "desired": "FR", "explain": true}""",
            """{"id": 8, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": "alice.json", "desired": "FR"}""",
            """{"id": 9, "sd": "D:(A;;FR;;;BU)", "token": "alice.json", "desired": "FR", "type": "file"}""",
            """{"id": 10, "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": "alice.json", "desired": "GENERIC_READ", "type": "file", "selfSid": "Nobody"}""");

        var r = RunWithInput(input, "check", "--batch");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Error);
        const string bad = "\"granted\":null,\"status\":null,\"privilegesUsed\":null,\"staged\":null,\"results\":null";
        Assert.Equal(
        [
            """{"id":1,"granted":"0x00000001","status":"STATUS_SUCCESS","privilegesUsed":[],"staged":null,"results":null,"error":null}""",
            """{"id":"two","granted":"0x00000000","status":"STATUS_ACCESS_DENIED","privilegesUsed":[],"staged":null,"results":null,"error":null}""",
            "",
            $$"""{"id":3,{{bad}},"error":"token.groups[0].attributes[0]: unknown group attribute 'Enabeld' ({{Known}})"}""",
            $$"""{"id":null,{{bad}},"error":"not valid JSON: column 1: 'not' is not a JSON value (text needs double quotes; the bare words are true, false and null)"}""",
            $$$"""{"id":[5],"granted":"0x00000010","status":"STATUS_SUCCESS","privilegesUsed":[],"staged":null,"results":[{"level":0,"objectType":"{{{UserClass}}}","granted":"0x00000010","status":"STATUS_SUCCESS"},{"level":1,"objectType":"{{{ReadProp}}}","granted":"0x00000010","status":"STATUS_SUCCESS"}],"error":null}""",
            $$"""{"id":6,{{bad}},"error":"desired: missing"}""",
            $$"""{"id":7,{{bad}},"error":"explain: unknown field (known: id, sd, token, desired, mapping, type, objectTypes, selfSid, owner, group, map, path, policies)"}""",
            $$"""{"id":8,{{bad}},"error":"mapping: give \"type\" or \"mapping\" (or --type or --mapping for every line): the check needs the object's generic mapping"}""",
            """{"id":9,"granted":"0x00000000","status":"STATUS_INVALID_SECURITY_DESCR","privilegesUsed":[],"staged":null,"results":null,"error":null}""",
            $$"""{"id":10,{{bad}},"error":"selfSid: 0: 'Nobody' is not a SID, an SDDL alias or a well-known account name"}""",
        ], r.OutLines);
    }

    [Fact]
    public void BatchReadsAFileAndTakesTheTypeFromTheCommandLine()
    {
        WriteFile("checks.jsonl", """
            {"id": "a", "sd": "O:BAG:BAD:(A;;FR;;;BU)", "token": "alice.json", "desired": "GENERIC_READ"}
            {"id": "b", "sd": "O:BAG:BAD:(A;;KR;;;BU)", "token": "alice.json", "desired": "GENERIC_READ", "type": "key"}
            """);

        var r = Run("check", "--batch", "checks.jsonl", "--type", "file");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
        [
            """{"id":"a","granted":"0x00120089","status":"STATUS_SUCCESS","privilegesUsed":[],"staged":null,"results":null,"error":null}""",
            """{"id":"b","granted":"0x00020019","status":"STATUS_SUCCESS","privilegesUsed":[],"staged":null,"results":null,"error":null}""",
        ], r.OutLines);

        r = Run("check", "--batch", "nothing-here.jsonl");
        Assert.Equal(3, r.ExitCode);
        Assert.StartsWith("error: --batch: cannot read 'nothing-here.jsonl': ", r.Error);
    }

    [Fact]
    public void ThousandsOfChecksRunInOneProcess()
    {
        string alice = JsonSerializer.Serialize(JsonDocument.Parse(Alice).RootElement);
        var input = new StringBuilder();
        const int lines = 5000;
        for (int i = 0; i < lines; i++)
        {
            string sd = $"O:BAG:BAD:(A;;FR;;;S-1-5-21-1-2-3-{1000 + (i % 50)})(A;;0x{i % 7:x};;;BU)";
            string token = i % 100 == 99 ? """{"user": "S-1-5-18", "groups": 7}""" : alice;
            input.Append($$"""{"id": {{i}}, "sd": "{{sd}}", "token": {{token}}, "desired": "FILE_READ_DATA", "type": "file"}""").Append('\n');
        }

        var watch = Stopwatch.StartNew();
        var r = RunWithInput(input.ToString(), "check", "--batch");
        watch.Stop();
        _log.WriteLine($"{lines} checks in {watch.Elapsed.TotalMilliseconds:F0} ms: {lines / watch.Elapsed.TotalSeconds:F0} lines/s (in-process, test build)");

        Assert.Equal(lines, r.OutLines.Length);
        Assert.Equal(50, r.OutLines.Count(l => l.Contains("\"error\":\"token.groups: expected an array, got the number 7\"", StringComparison.Ordinal)));
        // Line 1 grants FR to Alice's own SID (1001); line 2 grants only 0x2 to Users and FR to someone else.
        Assert.Equal("""{"id":1,"granted":"0x00000001","status":"STATUS_SUCCESS","privilegesUsed":[],"staged":null,"results":null,"error":null}""", r.OutLines[1]);
        Assert.Equal("""{"id":2,"granted":"0x00000000","status":"STATUS_ACCESS_DENIED","privilegesUsed":[],"staged":null,"results":null,"error":null}""", r.OutLines[2]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"{lines} checks took {watch.Elapsed}");
    }

    [Fact]
    public void AnUnexpectedExceptionExits70NotTheDeniedCode()
    {
        var error = new StringWriter();
        int code = global::NtSec.Cli.Program.Run(
            ["check", "--sd", "O:BAG:BAD:(A;;FR;;;BU)", "--token", Path.Combine(_dir.FullName, "alice.json"), "--desired", "FR", "--type", "file"],
            new StringReader(""), new FailingWriter(), error);

        Assert.Equal(70, code);
        Assert.StartsWith("ntsec: internal error (a bug in ntsec; please report it):", error.ToString());
        Assert.Contains("the disk is on fire", error.ToString());
    }

    private sealed class FailingWriter : StringWriter
    {
        public override void WriteLine(string? value) => throw new InvalidOperationException("the disk is on fire");
    }

    // The explanation wraps long lines; a continuation line is indented six spaces. Joins them back for assertions.
    internal static List<string> Unwrapped(IEnumerable<string> lines)
    {
        var result = new List<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith("      ", StringComparison.Ordinal) && result.Count > 0) result[^1] += " " + line.TrimStart();
            else result.Add(line);
        }
        return result;
    }
}
