using System.Diagnostics;
using System.Text;
using NtSec.Tests.Cli;

namespace NtSec.Tests.Readme;

/// <summary>Every example in README.md runs, and shows what it prints.</summary>
public sealed class ReadmeTests
{
    internal static string RepositoryRoot() => CliHarness.RepositoryRoot();

    private static string Readme() => File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The fenced blocks of a language, as lists of lines.</summary>
    internal static List<List<string>> Blocks(string text, string language)
    {
        var blocks = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (current is null && line == "```" + language) current = [];
            else if (current is not null && line == "```")
            {
                blocks.Add(current);
                current = null;
            }
            else current?.Add(line);
        }
        return blocks;
    }

    /// <summary>Splits a command line as a POSIX shell would for the simple quoting the README uses.</summary>
    internal static string[] ShellWords(string line)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        bool inWord = false, quoted = false;
        foreach (char c in line)
        {
            if (c == '"') { quoted = !quoted; inWord = true; continue; }
            if (c == ' ' && !quoted)
            {
                if (inWord) words.Add(sb.ToString());
                sb.Clear();
                inWord = false;
                continue;
            }
            sb.Append(c);
            inWord = true;
        }
        if (inWord) words.Add(sb.ToString());
        return [.. words];
    }

    /// <summary>
    /// Runs each <c>$ ntsec</c> line as a shell at the repository root would (relative file names such as
    /// examples/tokens/alice.json resolve there) and compares stdout and stderr with the lines that follow. The exit
    /// code is the one a following <c>$ echo $?</c> line shows; without one it must be 3 for an <c>error:</c> output
    /// and 0 otherwise.
    /// </summary>
    [Fact]
    public void ConsoleExamplesPrintWhatTheReadmeShows()
    {
        int commands = RunConsoleExamples(Readme());
        Assert.True(commands >= 9, $"only {commands} README commands found");
    }

    /// <summary>Runs every <c>$ ntsec</c> line of the markdown's console blocks and checks output and exit code; returns how many ran.</summary>
    internal static int RunConsoleExamples(string markdown)
    {
        int commands = 0;
        string root = RepositoryRoot();
        foreach (var block in Blocks(markdown, "console"))
        {
            for (int i = 0; i < block.Count; i++)
            {
                if (!block[i].StartsWith("$ ntsec ", StringComparison.Ordinal)) continue;
                var expected = new List<string>();
                int j = i + 1;
                for (; j < block.Count && !block[j].StartsWith("$ ", StringComparison.Ordinal); j++) expected.Add(block[j]);
                var words = ShellWords(block[i]["$ ntsec ".Length..]);
                var result = CliHarness.RunIn(root, "", words);
                var actual = (result.Out + result.Error).TrimEnd('\n').Split('\n').Select(l => l.TrimEnd());
                Assert.Equal(string.Join("\n", expected), string.Join("\n", actual));
                bool isError = expected.Count > 0 && expected[0].StartsWith("error:", StringComparison.Ordinal);
                int expectedCode = isError ? 3 : 0;
                if (j + 1 < block.Count && block[j] == "$ echo $?") expectedCode = int.Parse(block[j + 1], System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(expectedCode == result.ExitCode, $"'{block[i]}' exited {result.ExitCode}, the README shows {expectedCode}");
                commands++;
            }
        }
        return commands;
    }

    /// <summary>The restricted example token is exactly what the README's <c>ntsec token restrict</c> line makes of alice.json.</summary>
    [Fact]
    public void RestrictedExampleTokenIsWhatTheReadmeCommandMakes()
    {
        string root = RepositoryRoot();
        var line = Blocks(Readme(), "sh").SelectMany(b => b).Single(l => l.StartsWith("ntsec token restrict ", StringComparison.Ordinal));
        var words = ShellWords(line["ntsec ".Length..]);
        int outIndex = Array.IndexOf(words, "--out");
        Assert.True(outIndex > 0, "the README's restrict line writes a file with --out");
        string committed = words[outIndex + 1];
        var temp = Path.GetTempFileName();
        try
        {
            words[outIndex + 1] = temp;
            var result = CliHarness.RunIn(root, "", words);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal($"STATUS_SUCCESS: wrote {temp}\n", result.Out);
            Assert.Equal(File.ReadAllText(Path.Combine(root, committed)).Replace("\r\n", "\n", StringComparison.Ordinal), File.ReadAllText(temp));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    [Fact]
    public void MainCommandRuns()
    {
        var sh = Blocks(Readme(), "sh")[0];
        Assert.Contains(sh, l => l.StartsWith("dotnet run --project src/NtSec.Cli -- demo", StringComparison.Ordinal));
        Assert.Contains(sh, l => l.StartsWith("dotnet test NtSec.slnx", StringComparison.Ordinal));
        var result = CliHarness.Run("demo");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("STATUS_NO_TOKEN", result.Out);
        Assert.Contains("expectations met", result.Out);
    }

    [Fact]
    public void CiRunsExactlyTheReadmeTestCommand()
    {
        var ci = File.ReadAllText(Path.Combine(RepositoryRoot(), ".ci", "run"));
        var lines = ci.Split('\n').Select(l => l.Trim()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("dotnet test NtSec.slnx ", StringComparison.Ordinal));
        // Both worlds: once as the checkout has it, once with the corpus hidden behind an empty folder.
        Assert.Contains(lines, l => l.StartsWith("NTSEC_CONFORMANCE_DIR=\"$work/no-corpus\" run ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mkdir -p \"$work/no-corpus\"", StringComparison.Ordinal));
    }

    [Fact]
    public void LibraryExampleIsTheOneThisTestRuns()
    {
        var snippet = Blocks(Readme(), "csharp").Single();
        var source = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "NtSec.Tests", "Readme", "ReadmeLibraryExampleTests.cs"));
        foreach (var line in snippet.Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("using ", StringComparison.Ordinal)))
            Assert.Contains(line.Trim(), source);
    }

    [Fact]
    public void ToolPackageInstallsAndRuns()
    {
        var root = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("ntsec-pack-");
        try
        {
            var pkg = Path.Combine(work.FullName, "artifacts");
            var tools = Path.Combine(work.FullName, "tools");
            Run("dotnet", $"pack src/NtSec.Cli -o \"{pkg}\" -p:NoWarn=NU5100", root);
            Run("dotnet", $"tool install --tool-path \"{tools}\" --add-source \"{pkg}\" NtSec.Cli", root);
            var output = Run(Path.Combine(tools, "ntsec"), "sid SY", root);
            Assert.Contains("NT AUTHORITY\\SYSTEM", output);
            // The demo's scenario is a resource of the packaged tool.
            Assert.Contains("expectations met", Run(Path.Combine(tools, "ntsec"), "demo", root));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string Run(string file, string args, string cwd)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // A guard against a hang, not a speed test: pack and install take minutes when the 2-core CI machine is loaded.
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {args} timed out");
        }
        Assert.True(p.ExitCode == 0, $"{file} {args} exited {p.ExitCode}: {stdout.Result}{stderr.Result}");
        return stdout.Result;
    }
}
