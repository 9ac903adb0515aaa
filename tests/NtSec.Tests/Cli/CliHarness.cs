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

    public static CliResult RunWithInput(string stdin, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = global::NtSec.Cli.Program.Run(args, new StringReader(stdin), output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
