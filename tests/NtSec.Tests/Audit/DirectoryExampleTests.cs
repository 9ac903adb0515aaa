using NtSec.Tests.Cli;

namespace NtSec.Tests.Audit;

/// <summary>The example export docs/audit-ad.md walks through is the generator's output, and its walkthrough holds.</summary>
public class DirectoryExampleTests
{
    internal static readonly DirectoryFixture Example = new() { Users = 40, Groups = 6, Departments = 2, Computers = 4, PageSize = 50 };

    private static string ExamplePath => Path.Combine(CliHarness.RepositoryRoot(), "examples", "audit-ad", "corp.ldif");

    [Fact]
    public void The_example_export_is_the_generators_output()
    {
        var w = new StringWriter { NewLine = "\n" };
        Example.Write(w);
        // NTSEC_UPDATE_EXAMPLES=1 rewrites the file after a change to the generator.
        if (Environment.GetEnvironmentVariable("NTSEC_UPDATE_EXAMPLES") == "1") File.WriteAllText(ExamplePath, w.ToString());
        Assert.Equal(w.ToString(), File.ReadAllText(ExamplePath));
    }

    [Fact]
    public void The_walkthrough_finds_what_docs_audit_ad_shows()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ntsec-adex-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string db = Path.Combine(dir, "ad.duckdb");
            var scan = CliHarness.Run("audit", "scan", ExamplePath, "--out", db);
            Assert.True(scan.ExitCode == 0, scan.Error);
            Assert.Contains("objects (ldif)", scan.Error, StringComparison.Ordinal);
            var dangerous = CliHarness.Run("audit", "ad", "dangerous", "--db", db);
            Assert.True(dangerous.ExitCode == 0, dangerous.Error);
            Assert.Contains(dangerous.OutLines, l => l.StartsWith("dcsync\tDC=corp,DC=example\tsvc-backup (", StringComparison.Ordinal));
            Assert.Contains(dangerous.OutLines, l => l.StartsWith("add-member\tCN=Account Operators,CN=Builtin,DC=corp,DC=example\tuser5 (", StringComparison.Ordinal));
            var explain = CliHarness.Run("audit", "explain", "--db", db, "--path", "CN=user2,OU=Dept0,OU=Staff,DC=corp,DC=example", "--principal", "user3", "--right", "Reset-Password");
            Assert.Contains("answer:     no", explain.Out, StringComparison.Ordinal);
            Assert.Contains("matrix:     the stored cell agrees", explain.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
