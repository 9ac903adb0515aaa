using global::NtSec.Cli.Scenarios;
using global::NtSec.Scenarios;
using NtSec.Tests.Cli;
using Xunit;

namespace NtSec.Tests.Readme;

/// <summary>Every scenario under examples/ runs with each of its expectations met, as `ntsec run` would run it.</summary>
public class ExampleScenarioTests
{
    private static readonly string Root = CliHarness.RepositoryRoot();

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "examples"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            if (Path.GetFileName(file) != "preamble.yaml") data.Add(Path.GetRelativePath(Root, file).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void The_scenario_meets_its_expectations(string file)
    {
        var result = CliHarness.RunIn(Root, "", "run", file);
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        Assert.Contains(" expectations met", result.Out, StringComparison.Ordinal);
        Assert.True(ScenarioLoader.TryLoad(File.ReadAllText(Path.Combine(Root, file)), Path.GetDirectoryName(Path.Combine(Root, file))!, out var scenario, out _));
        Assert.True(scenario!.Steps.Count(s => s.Expect is not null) >= 3, "an example should state what it expects");
    }
}
