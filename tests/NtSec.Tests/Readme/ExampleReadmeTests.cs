using NtSec.Tests.Cli;
using Xunit;

namespace NtSec.Tests.Readme;

/// <summary>Every <c>$ ntsec</c> line in an examples/*/README.md prints what the README shows.</summary>
public class ExampleReadmeTests
{
    public static TheoryData<string> Readmes()
    {
        var data = new TheoryData<string>();
        string root = CliHarness.RepositoryRoot();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "examples"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, file).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Readmes))]
    public void The_readme_examples_print_what_they_show(string file)
    {
        string text = File.ReadAllText(Path.Combine(CliHarness.RepositoryRoot(), file)).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(ReadmeTests.RunConsoleExamples(text) >= 1, $"{file} shows no ntsec command");
    }
}
