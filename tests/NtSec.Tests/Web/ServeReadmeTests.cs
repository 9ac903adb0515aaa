using System.CommandLine;
using NtSec.Audit.Store;
using NtSec.Cli.Commands;
using NtSec.Tests.Cli;
using NtSec.Tests.Readme;

namespace NtSec.Tests.Web;

/// <summary>The README's <c>ntsec serve</c> lines: each parses as the command line it is, and its audit store serves.</summary>
public sealed class ServeReadmeTests
{
    [Fact]
    public void The_readme_s_serve_lines_parse_and_the_store_its_scan_line_writes_is_served()
    {
        string root = CliHarness.RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = ReadmeTests.Blocks(readme, "sh").SelectMany(b => b).Select(l => l.Split('#')[0].Trim()).ToList();
        var serve = lines.Where(l => l.StartsWith("ntsec serve", StringComparison.Ordinal)).ToList();
        Assert.Contains("ntsec serve --audit estate.duckdb", serve);
        var terminal = new global::NtSec.Cli.Terminal(TextReader.Null, TextWriter.Null, TextWriter.Null, global::NtSec.Cli.Rendering.Style.Plain);
        foreach (string line in serve)
        {
            var parse = ServeCommand.Create(terminal).Parse(ReadmeTests.ShellWords(line["ntsec serve".Length..].Trim()));
            Assert.True(parse.Errors.Count == 0, line + ": " + string.Join("; ", parse.Errors.Select(e => e.Message)));
        }

        // The scan line, run from a scratch directory with the examples' paths as the README gives them from the root.
        string scratch = Path.Combine(Path.GetTempPath(), "ntsec-readme-serve-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        try
        {
            string scan = Assert.Single(lines, l => l.StartsWith("ntsec audit scan ", StringComparison.Ordinal) && l.Contains("estate.duckdb", StringComparison.Ordinal));
            var words = ReadmeTests.ShellWords(scan["ntsec ".Length..]).Select(w => w.StartsWith("examples/", StringComparison.Ordinal) ? Path.Combine(root, w) : w).ToArray();
            var result = CliHarness.RunIn(scratch, "", words);
            Assert.True(result.ExitCode == 0, result.Error);
            using var api = new AuditWebApi(EstateStore.Open(Path.Combine(scratch, "estate.duckdb"), readOnly: true), "estate.duckdb");
            var answer = api.Describe();
            Assert.True(answer.Ok, answer.Json);
            Assert.Contains("\"kind\":\"files\"", answer.Json);
            // A store that is not there: a clear error before anything listens.
            var missing = CliHarness.RunIn(scratch, "", "serve", "--port", "0", "--audit", "missing.duckdb");
            Assert.Equal(3, missing.ExitCode);
            Assert.StartsWith("error: --audit: ", missing.Error);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
