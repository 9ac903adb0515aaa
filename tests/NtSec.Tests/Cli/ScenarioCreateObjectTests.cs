namespace NtSec.Tests.Cli;

/// <summary>The create-object scenario step: a file or directory created inside a container inherits its descriptor.</summary>
public sealed class ScenarioCreateObjectTests
{
    [Fact]
    public void An_agent_creates_files_in_its_workspace_that_others_cannot_read()
    {
        var r = CliHarness.RunIn(CliHarness.RepositoryRoot(), "", "run", "examples/inheritance/agent-workspace.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("5 steps; 5 of 5 expectations met", r.Out);
        Assert.Contains("the new file inherits O:S-1-5-21-1-2-3-1001G:S-1-5-21-1-2-3-1001D:AI(A;ID;FA;;;SY)(A;ID;FA;;;S-1-5-21-1-2-3-1001)", r.Out);
        Assert.Contains("an object of that name exists already", r.Out);
    }

    [Fact]
    public void Create_object_needs_a_container_object_and_a_name()
    {
        var dir = Directory.CreateTempSubdirectory("ntsec-sc").FullName;
        try
        {
            var yaml = File.ReadAllText(Path.Combine(CliHarness.RepositoryRoot(), "examples", "inheritance", "agent-workspace.yaml"))
                .Replace("name: notes.md, type: file", "type: file", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(dir, "s.yaml"), yaml);
            var r = CliHarness.RunIn(dir, "", "run", "s.yaml");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("'create-object' needs 'name'", r.Out + r.Error);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
