using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text;
using NtSec.Cli.Commands;
using NtSec.Cli.Rendering;

namespace NtSec.Cli;

/// <summary>The <c>ntsec</c> entry point.</summary>
internal static class Program
{
    /// <summary>Runs ntsec on the process's console.</summary>
    public static int Main(string[] args)
    {
        // Console.Out flushes on every write; a pipe gets a large buffer instead so --batch stays fast.
        bool redirected = Console.IsOutputRedirected;
        var stdout = redirected ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) : Console.Out;
        var stdin = Console.IsInputRedirected ? OpenInput(Console.OpenStandardInput()) : Console.In;
        try
        {
            return Run(args, stdin, stdout, Console.Error, !redirected && ColourWanted() ? Style.Ansi : Style.Plain, null, !Console.IsErrorRedirected);
        }
        finally
        {
            stdout.Flush();
        }
    }

    /// <summary>
    /// The reader for redirected standard input: UTF-8, a UTF-8 byte order mark skipped, and no other encoding
    /// guessed from the first bytes. Batch input is a line protocol: a stream starting FF FE must not turn every later
    /// line into UTF-16 (4 lines in answered by 1 line out); those two bytes are then just a bad first line.
    /// </summary>
    internal static StreamReader OpenInput(Stream stream) => new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 1 << 16);

    /// <summary>Runs ntsec with the given arguments and streams, without colour: the in-process entry point for tests and hosts.</summary>
    /// <returns>The exit code: see <see cref="ExitCodes"/>.</returns>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
        => Run(args, stdin, stdout, stderr, Style.Plain);

    /// <summary>Runs ntsec with the given arguments, streams and text style.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdin">Standard input.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="style">Colours for text output.</param>
    /// <param name="workingDirectory">The directory relative file names resolve against; null for the current directory.</param>
    /// <param name="errorIsTerminal">True when <paramref name="stderr"/> is a terminal, where batch runs show progress.</param>
    /// <returns>The exit code: see <see cref="ExitCodes"/>.</returns>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, Style style, string? workingDirectory = null, bool errorIsTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stderr);
        var terminal = new Terminal(stdin, stdout, stderr, style) { WorkingDirectory = workingDirectory, ErrorIsTerminal = errorIsTerminal };
        var root = new RootCommand("ntsec: decode, explain and convert Windows security descriptors, SDDL and SIDs; check access with tokens.")
        {
            SddlCommand.Create(terminal),
            SidCommand.Create(terminal),
            CheckCommand.Create(terminal),
            TokenCommand.Create(terminal),
            InheritCommand.Create(terminal),
            BenchCommand.Create(terminal),
            RunCommand.CreateRun(terminal),
            RunCommand.CreateDemo(terminal),
            AuditCommand.Create(terminal),
            ServeCommand.Create(terminal),
        };
        try
        {
            // With no arguments at all, the most useful answer is the help text. No response files: "@file" is ntsec's own syntax (check --sd @file), and a response file would be read
            // relative to the process's directory rather than the terminal's.
            var parse = root.Parse(args.Length == 0 ? ["--help"] : args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            // System.CommandLine reports usage errors with exit code 1, which means "denied" to ntsec check.
            if (parse.Action is ParseErrorAction)
            {
                foreach (var error in parse.Errors) stderr.WriteLine("ntsec: " + error.Message);
                stderr.WriteLine($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
                return ExitCodes.Usage;
            }
            // System.CommandLine's own exception handler would exit 1 too; an exception here is a bug in ntsec.
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            stderr.WriteLine("ntsec: internal error (a bug in ntsec; please report it):");
            stderr.WriteLine(e.ToString());
            return ExitCodes.InternalError;
        }
    }

    // "ntsec token restrict" for a subcommand: the root command's name is the executable's, so it is spelt out.
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var r = result; r.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent) names.Insert(0, r.Command.Name);
        return string.Join(' ', ["ntsec", .. names]);
    }

    // https://no-color.org: any non-empty NO_COLOR turns colour off; so does a dumb terminal.
    private static bool ColourWanted()
        => string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && Environment.GetEnvironmentVariable("TERM") != "dumb";
}
