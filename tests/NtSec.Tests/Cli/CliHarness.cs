namespace NtSec.Tests.Cli;

/// <summary>What one in-process run of ntsec produced.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>Standard output split into lines, without the final empty line the last new line leaves.</summary>
    public string[] OutLines => SplitLines(Out);

    /// <summary>Standard error split into lines.</summary>
    public string[] ErrorLines => SplitLines(Error);

    private static string[] SplitLines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }
}

/// <summary>Runs the ntsec entry point in-process with captured streams.</summary>
public static class CliHarness
{
    public static CliResult Run(params string[] args) => RunWithInput("", args);

    public static CliResult RunWithInput(string stdin, params string[] args) => RunIn(null, stdin, args);

    /// <summary>
    /// Runs with relative file names resolved against <paramref name="directory"/> (null: the current directory),
    /// as if ntsec were started there; the process-wide current directory is left alone, since tests run in parallel.
    /// </summary>
    public static CliResult RunIn(string? directory, string stdin, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = global::NtSec.Cli.Program.Run(args, new StringReader(stdin), output, error, global::NtSec.Cli.Rendering.Style.Plain, directory);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>The repository root (the directory holding NtSec.slnx), for tests that read its files.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NtSec.slnx"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }
}
