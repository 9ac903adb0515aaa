using NtSec.Tests.Cli;

namespace NtSec.Tests.Audit;

/// <summary>Drift over a directory scan: explicit ACEs against the class defaults, inheritance by object type, protected DACLs.</summary>
public sealed class DirectoryDriftTests(DirectoryScanFixture fx) : IClassFixture<DirectoryScanFixture>
{
    private static List<(string Kind, string Dn, string Detail)> Drift(string db, params string[] kinds)
    {
        var run = CliHarness.Run(["audit", "drift", "--db", db, "--format", "csv", .. kinds.Length > 0 ? (string[])["--kind", .. kinds] : []]);
        Assert.True(run.ExitCode == 0, run.Error);
        var rows = new List<(string, string, string)>();
        foreach (var line in run.OutLines.Skip(1))
        {
            var f = DirectoryAuditTests.Fields(line);
            rows.Add((f[0], f[1], f[2]));
        }
        return rows;
    }

    private const string Base = DirectoryFixture.Base;

    [Fact]
    public void Explicit_ACEs_are_those_the_class_default_does_not_hold()
    {
        var rows = Drift(fx.Db, "explicit");
        // Objects created from their class's default have no finding: users, groups in OU=Groups, computers.
        Assert.DoesNotContain(rows, r => r.Dn.StartsWith("CN=user", StringComparison.Ordinal) || r.Dn.StartsWith("CN=srv", StringComparison.Ordinal) || r.Dn.StartsWith("CN=group", StringComparison.Ordinal));
        // The domain head: svc-backup's and svc-half's replication rights are not in domainDNS's default; the DCs' are.
        var head = rows.Where(r => r.Dn == Base).Select(r => r.Detail).ToList();
        Assert.Equal(3, head.Count);
        Assert.All(head, d => Assert.Contains("is not in domainDNS's defaultSecurityDescriptor (from the export's schema)", d, StringComparison.Ordinal));
        Assert.Contains(head, d => d.Contains(DirectoryFixture.Rid(DirectoryFixture.SvcBackup).ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(head, d => d.Contains(DirectoryFixture.Rid(516).ToString(), StringComparison.Ordinal));
        // OU=Staff's delegations are drift, its (A;;RPLCLORC;;;AU) is the default.
        var staff = rows.Where(r => r.Dn == $"OU=Staff,{Base}").Select(r => r.Detail).ToList();
        Assert.Contains(staff, d => d.Contains(DirectoryFixture.Rid(DirectoryFixture.Helpdesk).ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(staff, d => d.Contains(";;;AU)", StringComparison.Ordinal));
        // Schema entries (classSchema defaults to an empty DACL) inherit all they hold: nothing explicit.
        Assert.DoesNotContain(rows, r => r.Dn.EndsWith($"CN=Schema,CN=Configuration,{Base}", StringComparison.Ordinal));
        // Domain Admins carries AdminSDHolder-style ACEs and lost the group default's: both directions show.
        var missing = Drift(fx.Db, "default-missing");
        Assert.Contains(missing, r => r.Dn == $"CN=Domain Admins,CN=Users,{Base}" && r.Detail.Contains("group's default ACE (A;;LCRPLORC;;;PS)", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Dn == $"CN=Domain Admins,CN=Users,{Base}");
    }

    [Fact]
    public void Protected_DACLs_are_listed_and_inheritance_by_object_type_matches_the_fixture()
    {
        var rows = Drift(fx.Db, "protected", "parent-differs");
        // Every object's inherited ACEs are what its parent gives an object of its class: the generator created them so.
        Assert.DoesNotContain(rows, r => r.Kind == "parent-differs");
        Assert.Contains(rows, r => r.Kind == "protected" && r.Dn == $"CN=Domain Admins,CN=Users,{Base}" && r.Detail == "protected: inherits nothing from its parent");
        Assert.Contains(rows, r => r.Kind == "protected" && r.Dn == Base);
        Assert.DoesNotContain(rows, r => r.Kind == "protected" && r.Dn.StartsWith("CN=user", StringComparison.Ordinal));
    }

    [Fact]
    public void An_OU_ACE_never_propagated_shows_on_the_children_of_the_class_it_is_for()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ntsec-addrift-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var generator = new DirectoryFixture { Users = 20, Groups = 4, Departments = 2, Computers = 2, PageSize = 50, Unpropagated = true };
            string export = Path.Combine(dir, "export.ldif"), db = Path.Combine(dir, "ad.duckdb");
            using (var w = new StreamWriter(export)) generator.Write(w);
            var scan = CliHarness.Run("audit", "scan", export, "--out", db);
            Assert.True(scan.ExitCode == 0, scan.Error);
            var rows = Drift(db, "parent-differs");
            // OU=Dept1 got a user-typed and a computer-typed inheritable ACE. Its users miss both: the first as an ACE
            // that applies to them, the second inherit-only (a child of another class passes it on to its own
            // children, as CreatePrivateObjectSecurityEx does); nothing else of theirs differs.
            var users = Enumerable.Range(0, 20).Where(i => i % 2 == 1).Select(i => DirectoryFixture.UserDn(i, 2)).ToHashSet();
            Assert.Equal(users, rows.Select(r => r.Dn).ToHashSet());
            Assert.All(rows, r => Assert.Equal($"inherited ACEs differ from what the parent gives: 2 missing ((OA;CIID;WP;{DirectoryFixture.Street};{DirectoryFixture.User};{DirectoryFixture.Rid(DirectoryFixture.Tier1)}), ...), 0 not from the parent", r.Detail));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
