using global::NtSec.Cli.Scenarios;
using global::NtSec.Scenarios;
using global::NtSec.Kernel;
using Xunit;

namespace NtSec.Tests.Cli;

/// <summary>ntsec run on input that used to crash it, and the structured reasons a run carries.</summary>
public class ScenarioRobustnessTests
{
    private const string Preamble = """
        name: robust
        tokens:
          alice:
            user: S-1-5-21-1-2-3-1001
            type: Primary
            groups:
              - {sid: BU, attributes: [Mandatory, EnabledByDefault, Enabled]}
              - {sid: S-1-5-5-0-99, attributes: [Mandatory, EnabledByDefault, Enabled, LogonId]}
            defaultDacl: "D:(A;;GA;;;S-1-5-21-1-2-3-1001)(A;;GA;;;SY)"
        objects:
          - {name: admins-only, type: event, sddl: "O:BAG:SYD:(A;;GA;;;BA)"}
        processes:
          - {name: app, token: alice}
        steps:

        """;

    private static ScenarioRun Run(string steps)
    {
        Assert.True(ScenarioLoader.TryLoad(Preamble + steps, ".", out var scenario, out var error), error?.ToString());
        return ScenarioRunner.Run(scenario!);
    }

    [Fact]
    public void An_alias_after_a_flow_mapping_is_a_positioned_error()
    {
        Assert.False(ScenarioLoader.TryLoad("a: {b: c} *x\n", ".", out _, out var error));
        Assert.Equal(new SourceMark(1, 11), new SourceMark(error!.Line, error.Column));
    }

    [Theory]
    [InlineData(35_000)]
    [InlineData(ScenarioLoader.MaxNesting + 1)]
    public void Deep_flow_nesting_is_refused_before_the_parser_recurses(int depth)
    {
        string yaml = "steps: " + new string('[', depth) + new string(']', depth) + "\n";
        Assert.False(ScenarioLoader.TryLoad(yaml, ".", out _, out var error));
        Assert.Contains("nested more than", error!.Reason, StringComparison.Ordinal);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Deep_compact_sequences_are_refused_too()
    {
        string yaml = "steps:\n  " + string.Concat(Enumerable.Repeat("- ", 20_000)) + "x\n";
        Assert.False(ScenarioLoader.TryLoad(yaml, ".", out _, out var error));
        Assert.Contains("nested more than", error!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tab_is_reported_where_it_is()
    {
        string yaml = "name: x\n" + string.Concat(Enumerable.Repeat("# c\n", 10)) + "steps:\n\t- revert: {}\n";
        Assert.False(ScenarioLoader.TryLoad(yaml, ".", out _, out var error));
        Assert.Equal(new SourceMark(13, 1), new SourceMark(error!.Line, error.Column));
    }

    [Fact]
    public void The_tab_found_is_one_that_indents_content_at_or_after_the_parsers_mark()
    {
        // A whitespace-only line with a tab indents nothing; the tab before '- revert' is the mistake.
        Assert.False(ScenarioLoader.TryLoad("name: x\n\t\nsteps:\n\t- revert: {}\n", ".", out _, out var error));
        Assert.Equal((ParseErrorKind.Syntax, 4, 1), (error!.Kind, error.Line, error.Column));
        Assert.EndsWith("(YAML indents with spaces only)", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bracket_in_a_plain_value_is_not_taken_for_an_unclosed_collection()
    {
        // '[' inside a plain scalar opens nothing; the parser fails outside any flow collection, so its own mark stands.
        Assert.False(ScenarioLoader.TryLoad("description: see [1\n  bad: indent\nsteps: []\n", ".", out _, out var error));
        Assert.DoesNotContain("is not closed", error!.Reason, StringComparison.Ordinal);
        Assert.Equal(ParseErrorKind.Syntax, error.Kind);
        // Inside an unclosed flow collection the bracket is what is reported.
        Assert.False(ScenarioLoader.TryLoad("name: x\nsteps: [ {revert: {thread: a}}\n", ".", out _, out error));
        Assert.Equal((ParseErrorKind.Truncated, 2, 8), (error!.Kind, error.Line, error.Column));
    }

    [Fact]
    public void A_step_on_a_process_that_was_never_created_is_not_run()
    {
        var run = Run("""
              - open-process-token: {thread: app, access: TOKEN_QUERY, as: q}
              - create-process: {thread: app, token: q, as: child}
                expect: STATUS_ACCESS_DENIED
              - open-process-token: {thread: child, access: TOKEN_QUERY}
                expect: STATUS_SUCCESS
              - open-process: {thread: app, process: child, access: PROCESS_QUERY_INFORMATION}
            """);
        Assert.Equal(4, run.Steps.Count);
        Assert.True(run.Steps[1].Met);
        Assert.Contains("does not exist", run.Steps[2].Why, StringComparison.Ordinal);
        Assert.False(run.Steps[2].Met);
        Assert.Contains("does not exist", run.Steps[3].Why, StringComparison.Ordinal);
        Assert.Equal(CallReason.HandleLacksAccess, run.Steps[1].Diagnostic!.Reason);
    }

    [Fact]
    public void Each_step_carries_the_kernels_reason_as_data()
    {
        var run = Run("""
              - open: {thread: app, object: admins-only, access: SYNCHRONIZE}
                expect: STATUS_ACCESS_DENIED
              - impersonate-self: {thread: app, level: identification}
              - open: {thread: app, object: admins-only, access: SYNCHRONIZE}
                expect: STATUS_BAD_IMPERSONATION_LEVEL
            """);
        Assert.Equal(0, run.Unmet);
        var denied = run.Steps[0].Diagnostic!;
        Assert.Equal(CallReason.AccessCheck, denied.Reason);
        Assert.Equal(SubjectChoice.EffectiveToken, denied.AccessCheck!.Choice);
        Assert.Equal(global::NtSec.NtStatus.AccessDenied, denied.AccessCheck.Status);
        Assert.NotNull(run.Steps[1].Diagnostic!.Impersonation);
        Assert.Equal(CallReason.ClientLevelTooLow, run.Steps[2].Diagnostic!.Reason);
        Assert.Contains("SecurityIdentification", run.Steps[2].Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Bool_results_are_printed_and_unexpected_successes_explained()
    {
        var run = Run("""
              - check-membership: {thread: app, sid: BU}
                expect: {result: false}
            """);
        Assert.Equal(1, run.Unmet);
        var text = new StringWriter();
        ScenarioRenderer.WriteText(text, run, global::NtSec.Cli.Rendering.Style.Plain, explain: true);
        Assert.Contains("result TRUE", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("expected otherwise:", text.ToString(), StringComparison.Ordinal);
        var json = new StringWriter();
        ScenarioRenderer.WriteJson(json, run, explain: false);
        Assert.Contains("\"reason\"", json.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_declared_process_that_dies_at_start_is_named_by_later_steps_not_a_crash()
    {
        // WinSta0 belongs to alice's logon session; bob's process cannot connect to it and ends with
        // STATUS_DLL_INIT_FAILED before its first thread runs. Steps on it fail as calls from an exited thread do.
        const string yaml = """
            name: a second user on alice's desktop
            tokens:
              alice: {user: S-1-5-21-1-2-3-1001, type: Primary, groups: [{sid: S-1-5-5-0-1, attributes: [Mandatory, EnabledByDefault, Enabled, LogonId]}]}
              bob: {user: S-1-5-21-1-2-3-1002, type: Primary, groups: [{sid: S-1-5-5-0-2, attributes: [Mandatory, EnabledByDefault, Enabled, LogonId]}]}
            processes:
              - {name: app, token: alice}
              - {name: other, token: bob}
            steps:
              - open-process-token: {thread: other, access: TOKEN_QUERY}
            """;
        Assert.True(ScenarioLoader.TryLoad(yaml, ".", out var scenario, out var error), error?.ToString());
        var run = ScenarioRunner.Run(scenario!);
        var step = Assert.Single(run.Steps);
        Assert.Equal("STATUS_THREAD_IS_TERMINATING", step.Status.Name);
    }

    [Fact]
    public void Policies_are_read_inline_or_from_a_file_and_bad_ones_are_positioned_errors()
    {
        const string head = "name: policies\ntokens:\n  alice: {user: S-1-5-21-1-2-3-1001, type: Primary}\n";
        const string tail = "\nprocesses:\n  - {name: app, token: alice, desktop: none}\nsteps:\n  - note: nothing\n    is-token-restricted: {token: current-process-token}\n";
        Assert.True(ScenarioLoader.TryLoad(head + """
            policies:
              - id: S-1-17-1-2-3-4
                name: p
                rules: [{name: r, appliesTo: null, effectiveSd: "D:(A;;FA;;;WD)", stagedSd: null}]
            """ + tail, ".", out var scenario, out var error), error?.ToString());
        Assert.Equal("p", Assert.Single(scenario!.Policies).Name);
        // (the raw literal above has no final line break: tail begins with one)

        Assert.False(ScenarioLoader.TryLoad(head + "policies: {file: nope.json}" + tail, ".", out _, out error));
        Assert.True(error!.Reason.Contains("policy file 'nope.json' not found", StringComparison.Ordinal), error.Reason + " at " + new SourceMark(error.Line, error.Column));
        Assert.Equal(4, error.Line);

        Assert.False(ScenarioLoader.TryLoad(head + "policies:\n  - {name: p, rules: []}" + tail, ".", out _, out error));
        Assert.Equal(5, error!.Line);

        Assert.False(ScenarioLoader.TryLoad(head + "policies: yes" + tail, ".", out _, out error));
        Assert.Contains("'policies' is a list of central access policies", error!.Reason, StringComparison.Ordinal);
    }
}
