using System.Text;
using global::NtSec.Cli.Scenarios;
using global::NtSec.Scenarios;
using NtSec.Tests.Cli;
using Xunit;

namespace NtSec.Tests.Readme;

/// <summary>Every step example in docs/scenarios.md runs on examples/scenarios/preamble.yaml with its expectations met.</summary>
public class ScenarioDocTests
{
    private static readonly string Root = CliHarness.RepositoryRoot();

    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        string heading = "";
        var lines = File.ReadAllLines(Path.Combine(Root, "docs", "scenarios.md"));
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("### ", StringComparison.Ordinal)) heading = lines[i][4..];
            if (lines[i] != "```yaml" || i + 1 >= lines.Length || !lines[i + 1].StartsWith("- ", StringComparison.Ordinal)) continue;
            var block = new StringBuilder();
            for (i++; lines[i] != "```"; i++) block.Append("  ").AppendLine(lines[i]);
            data.Add(heading, block.ToString());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_example_runs_and_meets_its_expectations(string heading, string steps)
    {
        string yaml = File.ReadAllText(Path.Combine(Root, "examples", "scenarios", "preamble.yaml")) + steps;
        Assert.True(ScenarioLoader.TryLoad(yaml, Root, out var scenario, out var error), $"{heading}: {error}");
        Assert.Contains(scenario!.Steps, s => s.Expect is not null);
        var run = ScenarioRunner.Run(scenario);
        var unmet = run.Steps.Where(s => !s.Met).Select(s => $"[{s.Number}] {s.Call}: {s.Mismatch} ({s.Why})");
        Assert.True(run.Unmet == 0, heading + ": " + string.Join("; ", unmet));
    }

    [Fact]
    public void Every_step_kind_has_an_example()
    {
        var examples = Examples().Select(row => (string)row[1]).ToList();
        foreach (var kind in StepKinds.All.Select(k => k.Name))
            Assert.True(examples.Any(e => e.Contains($"- {kind}:", StringComparison.Ordinal) || e.Contains($"  {kind}:", StringComparison.Ordinal)), $"no example uses {kind}");
    }
}
