using NtSec.Tests.Cli;

namespace NtSec.Tests.Audit;

public sealed class AuditQueryTests : IDisposable
{
    private readonly AuditFixtures _f = new();

    public AuditQueryTests()
    {
        var scan = Ntsec("audit", "scan", _f.IcaclsSave(), "--principals", "principals.txt", "--out", "e.duckdb");
        Assert.True(scan.ExitCode == 0, scan.Error);
    }

    public void Dispose() => _f.Dispose();

    private CliResult Ntsec(params string[] args) => CliHarness.RunIn(_f.Directory, "", args);

    [Fact]
    public void Explain_shows_the_deny_that_decides_and_agrees_with_the_stored_cell()
    {
        var r = Ntsec("audit", "explain", "--db", "e.duckdb", "--path", "data/finance", "--principal", "bob");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("#0 (D;OICI;FA;;;S-1-5-21-1-2-3-1002): denies", r.Out, StringComparison.Ordinal);
        Assert.Contains("owned by nobody", r.Out, StringComparison.Ordinal);
        Assert.Contains("matrix:     the stored cell agrees", r.Out, StringComparison.Ordinal);
        var read = Ntsec("audit", "explain", "--db", "e.duckdb", "--path", "Data\\Public\\readme.txt", "--principal", "carol", "--right", "read");
        Assert.Contains("granted", read.Out, StringComparison.Ordinal);
        Assert.Equal(3, Ntsec("audit", "explain", "--db", "e.duckdb", "--path", "nope", "--principal", "bob").ExitCode);
    }

    [Fact]
    public void Drift_finds_each_kind_in_the_fixture()
    {
        var r = Ntsec("audit", "drift", "--db", "e.duckdb", "--format", "csv");
        Assert.Equal(0, r.ExitCode);
        var lines = r.OutLines;
        Assert.Equal("kind,path,detail", lines[0]);
        Assert.Contains("protected,Data,protected (root of the scan)", lines);
        Assert.Contains(lines, l => l.StartsWith("explicit,Data\\Finance,explicit ACE #0 AccessDenied", StringComparison.Ordinal));
        Assert.Contains("non-canonical,Data\\Public\\old.txt,ACEs out of canonical order", lines);
        Assert.Contains("orphaned-sid,Data\\Public\\old.txt,ACE #0 S-1-5-21-1-2-3-4242", lines);
        Assert.Contains("deny-never-matches,Data\\Public\\old.txt,deny ACE #2 S-1-5-21-1-2-3-9999 matches no principal's token", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("explicit,Data,", StringComparison.Ordinal));
        // Finance's deny is inheritable (OICI) but q1.xlsx lacks its copy; old.txt is not protected yet inherits
        // nothing from Public; readme.txt has all its copies.
        Assert.Contains(lines, l => l.StartsWith("parent-differs,Data\\Finance\\q1.xlsx,\"inherited ACEs differ from what the parent gives: 1 missing ((D;ID;FA;;;S-1-5-21-1-2-3-1002))", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("parent-differs,Data\\Public\\old.txt,\"inherited ACEs differ from what the parent gives: 3 missing", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(l => l.StartsWith("parent-differs,", StringComparison.Ordinal)));
        var only = Ntsec("audit", "drift", "--db", "e.duckdb", "--kind", "protected", "--format", "csv");
        Assert.Equal(["kind,path,detail", "protected,Data,protected (root of the scan)"], only.OutLines);
    }

    [Fact]
    public void Diff_reports_the_changed_descriptor_and_the_access_it_changed()
    {
        var estate = AuditFixtures.Estate.ToList();
        estate[2] = (estate[2].Path, estate[2].Sddl.Replace("0x1301bf", "0x1200a9", StringComparison.Ordinal));
        var text = string.Concat(estate.Skip(0).Take(5).Select(e => e.Path + "\r\n" + e.Sddl + "\r\n")) + "Data\\new.txt\r\nD:(A;;FA;;;WD)\r\n";
        File.WriteAllText(_f.Path("after.txt"), text);
        Assert.Equal(0, Ntsec("audit", "scan", "after.txt", "--principals", "principals.txt", "--out", "after.duckdb").ExitCode);
        var r = Ntsec("audit", "diff", "--db", "after.duckdb", "--baseline", "e.duckdb", "--format", "csv");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(r.OutLines, l => l.StartsWith("descriptor,Data\\Finance\\q1.xlsx,,", StringComparison.Ordinal));
        Assert.Contains(r.OutLines, l => l.StartsWith("added,Data\\new.txt,,", StringComparison.Ordinal));
        Assert.Contains(r.OutLines, l => l.StartsWith("removed,Data\\Public\\old.txt,,", StringComparison.Ordinal));
        Assert.Contains("access,Data\\Finance\\q1.xlsx,alice,0x001301bf,0x001200a9", r.OutLines);
        Assert.Contains("access,Data\\new.txt,carol,0x00000000,0x001f01ff", r.OutLines);
        Assert.DoesNotContain(r.OutLines, l => l.StartsWith("access,Data\\Public\\readme.txt", StringComparison.Ordinal));
    }

    [Fact]
    public void The_report_is_one_file_with_no_network_reference()
    {
        var r = Ntsec("audit", "report", "--db", "e.duckdb", "--html", "report.html");
        Assert.Equal(0, r.ExitCode);
        string html = File.ReadAllText(_f.Path("report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
        Assert.Contains("Data\\\\Finance\\\\q1.xlsx", html, StringComparison.Ordinal);
        Assert.Contains("<td>deny-never-matches</td><td class=num>1</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_database_answers_sql_and_copies_itself_to_parquet_and_csv()
    {
        using var store = NtSec.Audit.Store.EstateStore.Open(_f.Path("e.duckdb"));
        store.Execute($"COPY (SELECT path, principal, effective FROM access ORDER BY path, principal) TO '{_f.Path("access.parquet")}' (FORMAT parquet)");
        store.Execute($"COPY (SELECT path, principal, effective FROM access ORDER BY path, principal) TO '{_f.Path("access.csv")}' (HEADER)");
        Assert.True(new FileInfo(_f.Path("access.parquet")).Length > 0);
        Assert.Equal(24L, Convert.ToInt64(store.Scalar($"SELECT count(*) FROM read_parquet('{_f.Path("access.parquet")}')"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith("path,principal,effective", File.ReadAllText(_f.Path("access.csv")), StringComparison.Ordinal);
    }
}
