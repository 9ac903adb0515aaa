using System.Text.Json;
using NtSec.Tests.Cli;

namespace NtSec.Tests.Readme;

/// <summary>Every command in docs/inheritance.md runs and prints what the page shows; its example files agree with one another.</summary>
public sealed class InheritanceDocTests
{
    private static string Doc() => File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "inheritance.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

    [Fact]
    public void EveryConsoleExampleRuns()
    {
        int commands = ReadmeTests.RunConsoleExamples(Doc());
        Assert.True(commands >= 6, $"only {commands} commands found");
    }

    /// <summary>alpha.sddl is the folder the page creates, and each propagate step starts from the step before it.</summary>
    [Fact]
    public void TheExampleFilesAreWhatTheStepsBeforeThemMade()
    {
        string root = ReadmeTests.RepositoryRoot();
        var created = CliHarness.RunIn(root, "", "inherit", "--parent", "@examples/inheritance/projects.sddl", "--token", "examples/tokens/alice.json", "--container", "--to", "sddl");
        Assert.Equal(File.ReadAllText(Path.Combine(root, "examples", "inheritance", "alpha.sddl")).Trim(), created.Out.Trim());
        var file = CliHarness.RunIn(root, "", "inherit", "--parent", "@examples/inheritance/alpha.sddl", "--token", "examples/tokens/alice.json", "--to", "sddl").Out.Trim();

        var steps = File.ReadAllLines(Path.Combine(root, "examples", "inheritance", "tree.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var results = CliHarness.RunIn(root, "", "inherit", "--batch", "--input", "examples/inheritance/tree.jsonl").OutLines
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sddl").GetString()).ToArray();
        Assert.Equal(results[0], steps[1].GetProperty("parent").GetString());
        Assert.Equal(created.Out.Trim(), steps[1].GetProperty("child").GetString());
        Assert.Equal(results[1], steps[2].GetProperty("parent").GetString());
        Assert.Equal(file, steps[2].GetProperty("child").GetString());
    }
}
