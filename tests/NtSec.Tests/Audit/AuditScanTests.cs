using System.Text;
using NtSec.Audit.Engine;
using NtSec.Audit.Principals;
using NtSec.Audit.Sources;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Tests.Cli;

namespace NtSec.Tests.Audit;

public sealed class AuditScanTests : IDisposable
{
    private readonly AuditFixtures _f = new();

    public void Dispose() => _f.Dispose();

    private CliResult Ntsec(params string[] args) => CliHarness.RunIn(_f.Directory, "", args);

    private static readonly string[] ExpectedWrite =
    [
        "path,principal,granted",
        "Data,admin,0x001f01ff",
        "Data\\Finance,admin,0x001f01ff",
        "Data\\Finance,alice,0x001301bf",
        "Data\\Finance\\q1.xlsx,admin,0x001f01ff",
        "Data\\Finance\\q1.xlsx,alice,0x001301bf",
        "Data\\Finance\\q1.xlsx,bob,0x001301bf",
        "Data\\Public,admin,0x001f01ff",
        "Data\\Public\\readme.txt,admin,0x001f01ff",
    ];

    [Theory]
    [InlineData("utf16")]
    [InlineData("utf16bom")]
    [InlineData("utf8")]
    public void Icacls_save_scans_and_who_can_answers_in_csv(string encoding)
    {
        string file = encoding switch
        {
            "utf16" => _f.IcaclsSave(),
            "utf16bom" => _f.IcaclsSave(bom: true),
            _ => _f.IcaclsSave(encoding: new UTF8Encoding(false)),
        };
        var scan = Ntsec("audit", "scan", file, "--principals", "principals.txt", "--out", "estate.duckdb");
        Assert.True(scan.ExitCode == 0, scan.Error);
        Assert.Contains("6 objects (icacls-save)", scan.Error, StringComparison.Ordinal);
        Assert.Contains("6 distinct descriptors x 4 distinct tokens", scan.Error, StringComparison.Ordinal);

        var who = Ntsec("audit", "who-can", "--db", "estate.duckdb", "--right", "write", "--format", "csv");
        Assert.Equal(0, who.ExitCode);
        Assert.Equal(ExpectedWrite, who.OutLines);
    }

    [Fact]
    public void Who_can_with_a_path_glob_and_a_right_not_asked_at_scan_time()
    {
        Assert.Equal(0, Ntsec("audit", "scan", _f.IcaclsSave(), "--principals", "principals.txt", "--out", "e.duckdb").ExitCode);
        // DELETE is no scan question: the answer comes from the MAXIMUM_ALLOWED grant.
        var who = Ntsec("audit", "who-can", "--db", "e.duckdb", "--right", "DELETE", "--path", "data/finance/*", "--format", "csv");
        Assert.Equal(["path,principal,granted", "Data\\Finance\\q1.xlsx,admin,0x001f01ff", "Data\\Finance\\q1.xlsx,alice,0x001301bf", "Data\\Finance\\q1.xlsx,bob,0x001301bf"], who.OutLines);
    }

    [Fact]
    public void Where_lists_a_principals_paths_and_the_deny_takes_bob_off_finance()
    {
        Assert.Equal(0, Ntsec("audit", "scan", _f.IcaclsSave(), "--principals", "principals.txt", "--out", "e.duckdb").ExitCode);
        var where = Ntsec("audit", "where", "--db", "e.duckdb", "--principal", "BOB", "--format", "csv");
        Assert.Equal(0, where.ExitCode);
        Assert.DoesNotContain(where.OutLines, l => l.StartsWith("Data\\Finance,", StringComparison.Ordinal));
        Assert.Contains("Data\\Finance\\q1.xlsx,bob,0x001301bf", where.OutLines);
        var bySid = Ntsec("audit", "where", "--db", "e.duckdb", "--principal", AuditFixtures.Domain + "-1002", "--format", "csv");
        Assert.Equal(where.OutLines, bySid.OutLines);
        Assert.Equal(3, Ntsec("audit", "where", "--db", "e.duckdb", "--principal", "nobody").ExitCode);
    }

    [Fact]
    public void Get_acl_csv_is_recognised_and_strips_the_provider_prefix()
    {
        var scan = Ntsec("audit", "scan", _f.GetAclCsv(), "--principals", "principals.txt", "--out", "e.duckdb", "--domain", AuditFixtures.Domain);
        Assert.True(scan.ExitCode == 0, scan.Error);
        Assert.Contains("(getacl-csv)", scan.Error, StringComparison.Ordinal);
        var who = Ntsec("audit", "who-can", "--db", "e.duckdb", "--right", "write", "--format", "csv");
        // With an owner in the descriptor, admin (a member of BA, the owner) is the owner everywhere.
        Assert.Contains("C:\\Data\\Finance,alice,0x001301bf", who.OutLines);
    }

    [Fact]
    public void A_share_acl_intersects_with_the_file_acl_under_a_network_logon()
    {
        File.WriteAllText(_f.Path("share.txt"), "REVISION:1\nOWNER:(NULL SID)\nGROUP:(NULL SID)\nACL:S-1-1-0:ALLOWED/0x0/READ\nACL:S-1-5-32-544:ALLOWED/0x0/FULL\n");
        var scan = Ntsec("audit", "scan", _f.IcaclsSave(), "--principals", "principals.txt", "--share-acl", "@share.txt", "--out", "e.duckdb");
        Assert.True(scan.ExitCode == 0, scan.Error);
        var who = Ntsec("audit", "who-can", "--db", "e.duckdb", "--right", "write", "--format", "csv");
        Assert.DoesNotContain(who.OutLines, l => l.Contains(",alice,", StringComparison.Ordinal) || l.Contains(",bob,", StringComparison.Ordinal));
        Assert.Contains("Data\\Finance,admin,0x001f01ff", who.OutLines);
        using var store = EstateStore.Open(_f.Path("e.duckdb"), readOnly: true);
        Assert.Equal("network", store.Scalar("SELECT DISTINCT logon FROM principals"));
        Assert.Equal(0L, Convert.ToInt64(store.Scalar("SELECT count(*) FROM token_sids WHERE sid = 'S-1-5-4'"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Bad_input_is_reported_with_its_position_and_a_failed_scan_leaves_no_database()
    {
        File.WriteAllText(_f.Path("bad.txt"), "Data\r\nD:(A;;FA;;;SY)\r\nData\\x\r\nData\\y\r\n");
        var scan = Ntsec("audit", "scan", "bad.txt", "--format", "icacls-save", "--principals", "principals.txt", "--out", "bad.duckdb");
        Assert.Equal(3, scan.ExitCode);
        Assert.Contains("line 4", scan.Error, StringComparison.Ordinal);
        var again = Ntsec("audit", "scan", _f.IcaclsSave(), "--principals", "principals.txt", "--out", "e.duckdb");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(2, Ntsec("audit", "scan", _f.IcaclsSave(), "--principals", "principals.txt", "--out", "e.duckdb").ExitCode);
    }

    [Fact]
    public void An_interrupted_scan_resumes_to_the_same_database_as_an_uninterrupted_one()
    {
        // A larger estate, interrupted after the first checkpoint.
        var lines = new StringBuilder();
        for (int i = 0; i < 3000; i++) lines.Append($"{{\"path\":\"d\\\\f{i}\",\"sd\":\"D:(A;;FA;;;{AuditFixtures.Domain}-{1000 + (i % 37)})(A;;0x1200a9;;;WD)\"}}\n");
        File.WriteAllText(_f.Path("big.jsonl"), lines.ToString());
        var principals = PrincipalLoader.Load(_f.Path("principals.txt"), LogonKind.Interactive, false);
        using var cts = new CancellationTokenSource();
        var options = new ScanOptions(_f.Path("big.jsonl"), null, principals, null, AccessQuestion.Defaults, _f.Path("r.duckdb"), false) { CheckpointEvery = 500 };
        // The first progress report comes at object 1024; Ctrl-C there stops the scan at its next checkpoint.
        var interrupted = AuditScanner.Run(options, _ => cts.Cancel(), cts.Token);
        Assert.True(interrupted.Interrupted);
        Assert.Equal(1024, interrupted.Objects);
        var resumed = AuditScanner.Run(options with { Resume = true }, null, CancellationToken.None);
        Assert.False(resumed.Interrupted);
        Assert.Equal(interrupted.Objects, resumed.Resumed);
        Assert.Equal(3000, resumed.Objects);

        var whole = AuditScanner.Run(options with { Out = _f.Path("w.duckdb") }, null, CancellationToken.None);
        Assert.Equal(37, whole.Descriptors);
        string Dump(string db)
        {
            using var s = EstateStore.Open(db, readOnly: true);
            using var cmd = s.Command("SELECT string_agg(path || ':' || d.sddl || ':' || m.token_id || ':' || m.granted || ':' || m.answers, ';' ORDER BY o.seq, m.token_id) FROM objects o JOIN descriptors d USING (descriptor_id) JOIN matrix m USING (descriptor_id)");
            return (string)cmd.ExecuteScalar()!;
        }
        Assert.Equal(Dump(_f.Path("w.duckdb")), Dump(_f.Path("r.duckdb")));
        Assert.Equal(2, Ntsec("audit", "scan", "big.jsonl", "--principals", "principals.txt", "--out", "r.duckdb", "--resume").ExitCode);
    }
}
