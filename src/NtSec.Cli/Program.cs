using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text;
using NtSec.Cli.Commands;
using NtSec.Cli.Rendering;

namespace NtSec.Cli;

/// <summary>The <c>ntsec</c> entry point.</summary>
public static class Program
{
    /// <summary>Runs ntsec on the process's console.</summary>
    public static int Main(string[] args)
    {
        // Console.Out flushes on every write; a pipe gets a large buffer instead so --batch stays fast.
        bool redirected = Console.IsOutputRedirected;
        var stdout = redirected ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) : Console.Out;
        var stdin = Console.IsInputRedirected ? new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, true, 1 << 16) : Console.In;
        try
        {
            return Run(args, stdin, stdout, Console.Error, !redirected && ColourWanted() ? Style.Ansi : Style.Plain);
        }
        finally
        {
            stdout.Flush();
        }
    }

    /// <summary>Runs ntsec with the given arguments and streams, without colour: the in-process entry point for tests and hosts.</summary>
    /// <returns>The exit code: see <see cref="ExitCodes"/>.</returns>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
        => Run(args, stdin, stdout, stderr, Style.Plain);

    /// <summary>Runs ntsec with the given arguments, streams and text style.</summary>
    /// <returns>The exit code: see <see cref="ExitCodes"/>.</returns>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, Style style)
    {
        ArgumentNullException.ThrowIfNull(args);
        var terminal = new Terminal(stdin, stdout, stderr, style);
        var root = new RootCommand("ntsec: decode, explain and convert Windows security descriptors, SDDL and SIDs.")
        {
            SddlCommand.Create(terminal),
            SidCommand.Create(terminal),
        };
        // With no arguments at all, the most useful answer is the help text.
        var parse = root.Parse(args.Length == 0 ? ["--help"] : args);
        // System.CommandLine reports usage errors with exit code 1, which ntsec reserves for internal errors.
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors) stderr.WriteLine("ntsec: " + error.Message);
            string path = parse.CommandResult.Command == root ? "ntsec" : "ntsec " + parse.CommandResult.Command.Name;
            stderr.WriteLine($"Run '{path} --help' for usage.");
            return ExitCodes.Usage;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    // https://no-color.org: any non-empty NO_COLOR turns colour off; so does a dumb terminal.
    private static bool ColourWanted()
        => string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && Environment.GetEnvironmentVariable("TERM") != "dumb";
}
