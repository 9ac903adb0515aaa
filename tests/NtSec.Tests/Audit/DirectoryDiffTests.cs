using NtSec.Tests.Cli;

namespace NtSec.Tests.Audit;

/// <summary><c>ntsec audit diff</c> over two directory scans compares the cells at every node of the object type tree.</summary>
public class DirectoryDiffTests
{
    private static string ExamplePath => Path.Combine(CliHarness.RepositoryRoot(), "examples", "audit-ad", "corp.ldif");

    [Fact]
    public void A_membership_removed_shows_as_the_token_change_and_every_cell_it_took_away()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ntsec-addiff-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // The baseline is the example; the current export drops admin's membership of Domain Admins.
            var lines = File.ReadAllLines(ExamplePath).ToList();
            int group = lines.IndexOf("dn: CN=Domain Admins,CN=Users,DC=corp,DC=example");
            Assert.True(group >= 0);
            int member = lines.FindIndex(group, l => l == "member: CN=admin,CN=Users,DC=corp,DC=example");
            Assert.True(member > group && !lines.Skip(group + 1).Take(member - group - 1).Any(l => l.StartsWith("dn:", StringComparison.Ordinal)));
            lines.RemoveAt(member);
            string changed = Path.Combine(dir, "changed.ldif");
            File.WriteAllLines(changed, lines);

            string before = Path.Combine(dir, "before.duckdb"), after = Path.Combine(dir, "after.duckdb"), again = Path.Combine(dir, "again.duckdb");
            Assert.Equal(0, CliHarness.Run("audit", "scan", ExamplePath, "--out", before).ExitCode);
            Assert.Equal(0, CliHarness.Run("audit", "scan", ExamplePath, "--out", again).ExitCode);
            Assert.Equal(0, CliHarness.Run("audit", "scan", changed, "--out", after).ExitCode);

            var same = CliHarness.Run("audit", "diff", "--db", again, "--baseline", before);
            Assert.True(same.ExitCode == 0, same.Error);
            Assert.Equal(["# 0 changes"], same.OutLines);

            var diff = CliHarness.Run("audit", "diff", "--db", after, "--baseline", before, "--format", "csv");
            Assert.True(diff.ExitCode == 0, diff.Error);
            Assert.Equal("change,path,principal,before,after,node", diff.OutLines[0]);
            var rows = diff.OutLines.Skip(1).ToList();
            Assert.Contains("principal token changed,,admin,,,", rows);
            // Domain Admins held GenericAll on the protected groups; with the membership gone admin keeps what
            // Authenticated Users reads, on the object as a whole and at each node the DACL names.
            Assert.Contains(rows, r => r.StartsWith("access,\"CN=Domain Admins,CN=Users,DC=corp,DC=example\",admin,0x000f01ff,", StringComparison.Ordinal) && r.EndsWith(','));
            Assert.Contains(rows, r => r.StartsWith("access,\"CN=Domain Admins,CN=Users,DC=corp,DC=example\",admin,0x000f01ff,", StringComparison.Ordinal) && r.EndsWith(",Self-Membership", StringComparison.Ordinal));
            var access = rows.Where(r => r.StartsWith("access,", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(access);
            Assert.All(access, r => Assert.Contains(",admin,", r, StringComparison.Ordinal));

            // Each "after" is what the current scan answers for that principal (checked for the object as a whole).
            var where = CliHarness.Run("audit", "ad", "where", "--db", after, "--principal", "admin", "--on", "CN=Domain Admins,CN=Users,DC=corp,DC=example");
            Assert.Contains(where.OutLines, l => l.EndsWith("\tListChildren, ReadProperty, ListObject, ReadControl", StringComparison.Ordinal));
            Assert.Contains(access, r => r.StartsWith("access,\"CN=Domain Admins,CN=Users,DC=corp,DC=example\",admin,0x000f01ff,0x00020094,", StringComparison.Ordinal) && r.EndsWith(','));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
