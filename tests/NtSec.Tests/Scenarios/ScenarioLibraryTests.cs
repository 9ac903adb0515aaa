using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Kernel;
using NtSec.Principals;
using NtSec.Scenarios;
using NtSec.Sddl;
using NtSec.Tokens;
using Xunit;

namespace NtSec.Tests.Scenarios;

/// <summary>
/// A library user builds a scenario in C# (no YAML, no CLI), runs it, and reads structured step results: the example
/// in docs/scenarios.md ("A scenario in C#") does the same.
/// </summary>
public sealed class ScenarioLibraryTests
{
    private static readonly Sid Alice = Sid.Parse("S-1-5-21-1-2-3-1001");

    private static Scenario Build()
    {
        var alice = new TokenBuilder(Alice) { Type = TokenType.Primary }
            .AddGroup(WellKnownSids.BuiltinUsers)
            .Build();
        var scenario = new Scenario { Name = "from C#" };
        scenario.Tokens["alice"] = alice;
        scenario.Objects.Add(new ObjectDeclaration("report", ObjectTypes.Event, SecurityDescriptor.FromSddl("O:BAG:SYD:(A;;GA;;;BU)")));
        scenario.Objects.Add(new ObjectDeclaration("secret", ObjectTypes.Event, SecurityDescriptor.FromSddl("O:BAG:SYD:(A;;GA;;;BA)")));
        scenario.Processes.Add(new ProcessDeclaration("app", "alice", "none"));
        scenario.Steps.Add(new OpenThreadTokenStep { Thread = "app", Access = TokenAccessRights.Query, Expect = new Expectation(NtStatus.NoToken) });
        scenario.Steps.Add(new OpenStep { Thread = "app", Object = "report", Access = 0x2, As = "ev", Expect = new Expectation(NtStatus.Success, Granted: 0x2) });
        scenario.Steps.Add(new OpenStep { Thread = "app", Object = "secret", Access = 0x2, Expect = new Expectation(NtStatus.Success) });
        scenario.Steps.Add(new CloseStep { Thread = "app", Handle = "ev" });
        return scenario;
    }

    [Fact]
    public void A_scenario_built_in_code_runs_and_reports_each_step_as_data()
    {
        var run = ScenarioRunner.Run(Build());
        Assert.Equal(4, run.Steps.Count);

        var noToken = run.Steps[0];
        Assert.Equal("open-thread-token", noToken.Step.Kind.Name);
        Assert.Equal(NtStatus.NoToken, noToken.Status);
        Assert.Equal(CallReason.NotImpersonating, noToken.Diagnostic!.Reason);
        Assert.True(noToken.Met);
        Assert.Equal("NtOpenThreadToken(NtCurrentThread, TOKEN_QUERY, OpenAsSelf=FALSE)", noToken.Call);

        var opened = run.Steps[1];
        Assert.Equal(NtStatus.Success, opened.Status);
        Assert.Equal(0x2u, opened.Granted);
        Assert.Same(ObjectTypes.Event, opened.RightsType);
        Assert.Equal("ev", opened.SavedAs);
        Assert.Equal(SubjectChoice.EffectiveToken, opened.Diagnostic!.AccessCheck!.Choice);
        Assert.Equal(Alice, opened.Diagnostic.AccessCheck.Subject.User.Sid);

        // The expectation of step 3 is wrong: the result names the part it missed, and the access check that refused.
        var denied = run.Steps[2];
        Assert.Equal(NtStatus.AccessDenied, denied.Status);
        Assert.False(denied.Met);
        Assert.Equal([ExpectationField.Status], denied.Unmet);
        Assert.Equal(CallReason.AccessCheck, denied.Diagnostic!.Reason);
        Assert.NotNull(denied.AccessCheck?.Explanation);
        Assert.Equal(0u, denied.AccessCheck!.MaximumAllowed);

        Assert.Equal(NtStatus.Success, run.Steps[3].Status);
        Assert.Equal(1, run.Unmet);
    }

    [Fact]
    public void The_docs_example_runs_as_it_says()
    {
        var output = new StringWriter();
        var alice = new TokenBuilder(Sid.Parse("S-1-5-21-1-2-3-1001")) { Type = TokenType.Primary }
            .AddGroup(WellKnownSids.BuiltinUsers)
            .Build();
        var scenario = new Scenario { Name = "from C#" };
        scenario.Tokens["alice"] = alice;
        scenario.Objects.Add(new ObjectDeclaration("secret", ObjectTypes.Event, SecurityDescriptor.FromSddl("O:BAG:SYD:(A;;GA;;;BA)")));
        scenario.Processes.Add(new ProcessDeclaration("app", "alice", "none"));   // no desktop
        scenario.Steps.Add(new OpenStep { Thread = "app", Object = "secret", Access = 0x2, Expect = new Expectation(NtStatus.Success) });

        var run = ScenarioRunner.Run(scenario);
        var step = run.Steps[0];
        output.WriteLine($"{step.Call}: {step.Status.Name}, reason {step.Diagnostic!.Reason}, unmet {string.Join(", ", step.Unmet)}");
        // NtOpenEvent(secret, EVENT_MODIFY_STATE): STATUS_ACCESS_DENIED, reason AccessCheck, unmet Status
        // step.Diagnostic.AccessCheck.Subject is alice's token; step.AccessCheck.Explanation says which ACE decided.
        Assert.Equal("NtOpenEvent(secret, EVENT_MODIFY_STATE): STATUS_ACCESS_DENIED, reason AccessCheck, unmet Status", output.ToString().TrimEnd());
        Assert.Same(alice, step.Diagnostic.AccessCheck!.Subject);
        Assert.NotNull(step.AccessCheck!.Explanation);
    }

    [Fact]
    public void The_docs_example_is_the_one_this_test_runs()
    {
        string root = global::NtSec.Tests.Cli.CliHarness.RepositoryRoot();
        var doc = File.ReadAllLines(Path.Combine(root, "docs", "scenarios.md"));
        int start = Array.IndexOf(doc, "```csharp");
        Assert.True(start >= 0, "docs/scenarios.md has no C# example");
        string source = File.ReadAllText(Path.Combine(root, "tests", "NtSec.Tests", "Scenarios", "ScenarioLibraryTests.cs"));
        for (int i = start + 1; doc[i] != "```"; i++)
        {
            string line = doc[i].Trim().Replace("Console.WriteLine(", "output.WriteLine(", StringComparison.Ordinal);
            if (line.Length > 0 && !line.StartsWith("using ", StringComparison.Ordinal)) Assert.Contains(line, source, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_step_naming_a_process_that_does_not_exist_is_not_run()
    {
        var scenario = Build();
        scenario.Steps.Add(new OpenProcessStep { Thread = "app", Process = "nobody", Access = ProcessAccessRights.QueryLimitedInformation, Expect = new Expectation(NtStatus.Success) });
        var last = ScenarioRunner.Run(scenario).Steps[^1];
        Assert.Equal("nobody", last.NotRunProcess);
        Assert.Null(last.Diagnostic);
        Assert.Equal([ExpectationField.Ran], last.Unmet);
    }

    [Fact]
    public void The_registry_names_every_step_record_and_reads_its_keys()
    {
        var stepTypes = typeof(ScenarioStep).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ScenarioStep)) && !t.IsAbstract).ToHashSet();
        Assert.Equal(stepTypes, StepKinds.All.Select(k => k.Type).ToHashSet());
        Assert.Equal(StepKinds.All.Count, StepKinds.All.Select(k => k.Name).Distinct().Count());
        Assert.Same(StepKinds.Find("open"), new OpenStep { Object = "x", Access = 0 }.Kind);
        Assert.Null(StepKinds.Find("no-such-kind"));
    }

    [Fact]
    public void A_document_tree_is_read_without_any_file_format()
    {
        static ScenarioScalar S(string v, int line, int column) => new(v, ScenarioScalarStyle.Plain, new SourceMark(line, column));
        static KeyValuePair<ScenarioScalar, ScenarioNode> E(ScenarioScalar k, ScenarioNode v) => new(k, v);
        var step = new ScenarioMapping([E(S("revert", 3, 5), new ScenarioMapping([E(S("acess", 3, 14), S("x", 3, 21))], new SourceMark(3, 13)))], new SourceMark(3, 3));
        var root = new ScenarioMapping([E(S("steps", 2, 1), new ScenarioSequence([step], new SourceMark(3, 3)))], new SourceMark(1, 1));
        Assert.False(ScenarioReader.TryRead(root, null, out _, out var error));
        Assert.Equal(new SourceMark(3, 14), new SourceMark(error!.Line, error.Column));
        Assert.StartsWith("unknown key 'acess' here (expected one of: thread)", error.Reason, StringComparison.Ordinal);
    }
}
