using System.CommandLine;
using NtSec.Cli.Input;
using NtSec.Cli.Scenarios;
using NtSec.Scenarios;

namespace NtSec.Cli.Commands;

/// <summary><c>ntsec run FILE.yaml</c> and <c>ntsec demo</c>: run a scenario on the emulated system.</summary>
internal static class RunCommand
{
    /// <summary>The demo scenario's resource name.</summary>
    internal const string DemoResource = "NtSec.Cli.Scenarios.demo.yaml";

    public static Command CreateRun(Terminal terminal)
    {
        var file = new Argument<string>("file") { Description = "The scenario (YAML; see docs/scenarios.md); '-' reads standard input." };
        var (explain, json) = Options();
        var command = new Command("run", "Run a scenario: set up tokens, processes, objects and desktops, make each step's call, print its NTSTATUS and why. Exits 1 when an expectation is not met.") { file, explain, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (!FileInput.TryReadAll(terminal, path, out string yaml, out string? error))
            {
                terminal.Error.WriteLine("ntsec run: " + error);
                return ExitCodes.BadInput;
            }
            string baseDirectory = path == "-" ? terminal.ResolvePath(".") : Path.GetDirectoryName(terminal.ResolvePath(path))!;
            return Execute(terminal, path == "-" ? "stdin" : path, yaml, baseDirectory, parse.GetValue(explain), parse.GetValue(json));
        });
        return command;
    }

    public static Command CreateDemo(Terminal terminal)
    {
        var (explain, json) = Options();
        var show = new Option<bool>("--print-scenario") { Description = "Print the demo's scenario file instead of running it (a starting point for your own)." };
        var command = new Command("demo", "Walk through NtOpenThreadToken, impersonation levels, restricted tokens, CreateProcessAsUser and desktops on a built-in scenario.") { explain, json, show };
        command.SetAction(parse =>
        {
            string yaml = DemoScenario();
            if (parse.GetValue(show))
            {
                terminal.Out.Write(yaml);
                terminal.Out.Write(StepKindList());
                return ExitCodes.Success;
            }
            return Execute(terminal, "demo.yaml", yaml, terminal.ResolvePath("."), parse.GetValue(explain), parse.GetValue(json));
        });
        return command;
    }

    /// <summary>
    /// The step kinds and their keys, from the library's registry, as YAML comments: what a scenario written from the
    /// demo can use (docs/scenarios.md has an example of each).
    /// </summary>
    internal static string StepKindList()
    {
        var text = new System.Text.StringBuilder();
        text.Append("\n# Step kinds (docs/scenarios.md has an example of each); every kind also takes 'thread':\n");
        foreach (var kind in StepKinds.All)
            text.Append("#   ").Append(kind.Name).Append(" (").Append(kind.Function).Append("): ").Append(kind.Keys.Count == 0 ? "no arguments" : string.Join(", ", kind.Keys)).Append('\n');
        return text.ToString();
    }

    /// <summary>The built-in demo scenario's text.</summary>
    internal static string DemoScenario()
    {
        using var stream = typeof(RunCommand).Assembly.GetManifestResourceStream(DemoResource)
            ?? throw new InvalidOperationException($"The demo scenario ({DemoResource}) is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static (Option<bool> Explain, Option<bool> Json) Options() => (
        new Option<bool>("--explain") { Description = "Print the full explanation of every access check that failed." },
        new Option<bool>("--json") { Description = "Print the run as JSON (shape version 2, docs/scenarios.md)." });

    private static int Execute(Terminal terminal, string name, string yaml, string baseDirectory, bool explain, bool json)
    {
        if (!ScenarioLoader.TryLoad(yaml, baseDirectory, out var scenario, out var error))
        {
            terminal.Error.WriteLine($"ntsec run: {name}:{ScenarioLoader.Describe(error!)}");
            return ExitCodes.BadInput;
        }
        var run = ScenarioRunner.Run(scenario!);
        if (json) ScenarioRenderer.WriteJson(terminal.Out, run, explain);
        else ScenarioRenderer.WriteText(terminal.Out, run, terminal.Style, explain);
        return run.Unmet == 0 ? ExitCodes.Success : ExitCodes.Denied;
    }
}
