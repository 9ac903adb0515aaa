using System.Text.Json;
using global::NtSec.Cli.Scenarios;
using global::NtSec.Scenarios;
using Xunit;

namespace NtSec.Tests.Cli;

/// <summary>ntsec run and ntsec demo: loading (with line and column errors), running, printing.</summary>
public class ScenarioTests
{
    private const string Minimal = """
        name: minimal
        tokens:
          alice:
            user: S-1-5-21-1-2-3-1001
            type: Primary
            groups:
              - {sid: BU, attributes: [Mandatory, EnabledByDefault, Enabled]}
            defaultDacl: "D:(A;;GA;;;S-1-5-21-1-2-3-1001)(A;;GA;;;SY)"
        objects:
          - {name: users-only, type: event, sddl: "O:BAG:SYD:(A;;GA;;;BU)"}
          - {name: admins-only, type: event, sddl: "O:BAG:SYD:(A;;GA;;;BA)"}
        processes:
          - {name: app, token: alice}
        steps:
          - open: {thread: app, object: users-only, access: EVENT_MODIFY_STATE, as: ev}
            expect: {status: STATUS_SUCCESS, granted: EVENT_MODIFY_STATE}
          - open: {thread: app, object: admins-only, access: SYNCHRONIZE}
            expect: STATUS_ACCESS_DENIED
          - close: {thread: app, handle: ev}
          - close: {thread: app, handle: ev}
            expect: STATUS_INVALID_HANDLE
        """;

    private static ScenarioRun RunText(string yaml)
    {
        Assert.True(ScenarioLoader.TryLoad(yaml, ".", out var scenario, out var error), error?.ToString());
        return ScenarioRunner.Run(scenario!);
    }

    [Fact]
    public void A_scenario_runs_and_meets_its_expectations()
    {
        var run = RunText(Minimal);
        Assert.Equal(4, run.Steps.Count);
        Assert.Equal(0, run.Unmet);
        Assert.Equal(global::NtSec.NtStatus.AccessDenied, run.Steps[1].Status);
        Assert.Contains("admins-only", run.Steps[1].Call, StringComparison.Ordinal);
        Assert.Contains("SYNCHRONIZE is not", run.Steps[1].Why, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unmet_expectation_fails_the_run()
    {
        var run = RunText(Minimal.Replace("expect: STATUS_ACCESS_DENIED", "expect: STATUS_SUCCESS", StringComparison.Ordinal));
        Assert.Equal(1, run.Unmet);
        Assert.Equal("expected STATUS_SUCCESS, got STATUS_ACCESS_DENIED", run.Steps[1].Mismatch);
    }

    [Theory]
    [InlineData("    expect: STATUS_ACCESS_DENIED", "    expect: STATUS_NOPE", 18, 13, "unknown status 'STATUS_NOPE'")]
    [InlineData("object: admins-only, access: SYNCHRONIZE}", "object: admins-only, acess: SYNCHRONIZE}", 17, 46, "unknown key 'acess'")]
    [InlineData("handle: ev}\n    expect", "handle: evv}\n    expect", 20, 34, "no handle named 'evv'")]
    [InlineData("(A;;GA;;;BA)\"}", "(A;;GA;;;XX)\"}", 11, 64, "SDDL:")]
    [InlineData("user: S-1-5-21-1-2-3-1001", "user: S-1-5-21-1-2-3-x", 4, 5, "token 'alice': user")]
    [InlineData("{name: app, token: alice}", "{name: app, token: bob}", 13, 24, "no token named 'bob'")]
    [InlineData("access: EVENT_MODIFY_STATE", "access: EVENT_MODIFY_STAT", 15, 53, "unknown right 'EVENT_MODIFY_STAT'")]
    public void Mistakes_are_reported_with_line_and_column_before_any_step(string from, string to, int line, int column, string message)
    {
        string yaml = Minimal.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Minimal, yaml);
        Assert.False(ScenarioLoader.TryLoad(yaml, ".", out _, out var error));
        Assert.Contains(message, error!.Reason, StringComparison.Ordinal);
        Assert.Equal(new SourceMark(line, column), new SourceMark(error.Line, error.Column));
    }

    [Fact]
    public void Yaml_syntax_errors_have_a_position()
    {
        Assert.False(ScenarioLoader.TryLoad("name: x\nsteps:\n  - revert: {thread: app\n", ".", out _, out var error));
        Assert.StartsWith("YAML: ", error!.Reason, StringComparison.Ordinal);
        Assert.Equal(new SourceMark(3, 13), new SourceMark(error.Line, error.Column));
        // YamlDotNet itself throws InvalidOperationException on this one; it must still be a positioned error.
        Assert.False(ScenarioLoader.TryLoad("name: [unclosed\nsteps: []\n", ".", out _, out error));
        Assert.Equal(new SourceMark(1, 7), new SourceMark(error!.Line, error.Column));
        Assert.Contains("'[' is not closed", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expect: STATUS_ACCESS_DENIED", "expect: STATUS_NOPE", ParseErrorKind.UnknownName, "steps[1].expect")]
    [InlineData("object: admins-only, access: SYNCHRONIZE}", "object: admins-only, acess: SYNCHRONIZE}", ParseErrorKind.UnknownName, "steps[1].open.acess")]
    [InlineData("handle: ev}\n    expect", "handle: evv}\n    expect", ParseErrorKind.UndefinedReference, "steps[3].close.handle")]
    [InlineData("(A;;GA;;;BA)\"}", "(A;;GA;;;XX)\"}", ParseErrorKind.UnknownSidAlias, "objects[1].sddl")]
    [InlineData("{name: app, token: alice}", "{name: app, token: bob}", ParseErrorKind.UndefinedReference, "processes[0].token")]
    [InlineData("{name: app, token: alice}", "{name: app}", ParseErrorKind.Missing, "processes[0]")]
    [InlineData("{name: app, token: alice}", "[app, alice]", ParseErrorKind.WrongType, "processes[0]")]
    [InlineData("{name: admins-only, type: event", "{name: users-only, type: event", ParseErrorKind.Duplicate, "objects[1].name")]
    public void Mistakes_carry_their_kind_and_the_path_of_the_value(string from, string to, ParseErrorKind kind, string path)
    {
        string yaml = Minimal.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Minimal, yaml);
        Assert.False(ScenarioLoader.TryLoad(yaml, ".", out _, out var error));
        Assert.Equal((kind, path), (error!.Kind, error.Field));
        Assert.True(error.Line > 0 && error.Column > 0, error.ToString());
    }

    [Theory]
    [InlineData("name: x\nsteps:\n  - revert: {thread: app\n", ParseErrorKind.Truncated, 3, 13)]
    [InlineData("name: *nowhere\nsteps: []\n", ParseErrorKind.UndefinedReference, 1, 1)]
    [InlineData("name: x\n---\nname: y\n", ParseErrorKind.TrailingData, 1, 1)]
    public void Yaml_errors_have_a_kind_from_the_parser_not_its_words(string yaml, ParseErrorKind kind, int line, int column)
    {
        Assert.False(ScenarioLoader.TryLoad(yaml, ".", out _, out var error));
        Assert.Equal((kind, line, column), (error!.Kind, error.Line, error.Column));
        Assert.Null(error.Location.Path); // a YAML error is about the text, before there are values to name
    }

    [Fact]
    public void A_domain_alias_without_the_scenarios_domain_gets_the_hint_from_its_kind()
    {
        const string yaml = """
            name: membership
            tokens:
              alice: {user: S-1-5-21-1-2-3-1001, type: Primary}
            processes:
              - {name: app, token: alice}
            steps:
              - check-membership: {sid: DA}
            """;
        Assert.False(ScenarioLoader.TryLoad(yaml, ".", out _, out var error));
        Assert.Equal((ParseErrorKind.DomainSidNeeded, "steps[0].check-membership.sid", 7), (error!.Kind, error.Field, error.Line));
        Assert.Equal("7:29: 'DA': alias 'DA' is relative to the domain, and no domain SID was given (give it with the scenario's 'domain' key)", ScenarioLoader.Describe(error));
        // The same words with another kind: no hint (it keys off the kind).
        Assert.EndsWith("was given", ScenarioLoader.Describe(error with { Kind = ParseErrorKind.Syntax }), StringComparison.Ordinal);

        string dir = Directory.CreateTempSubdirectory("ntsec-scenario").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "da.yaml"), yaml);
            var run = CliHarness.RunIn(dir, "", "run", "da.yaml");
            Assert.Equal(3, run.ExitCode);
            Assert.Equal("ntsec run: da.yaml:7:29: 'DA': alias 'DA' is relative to the domain, and no domain SID was given (give it with the scenario's 'domain' key)\n", run.Error);
            File.WriteAllText(Path.Combine(dir, "da.yaml"), "domain: S-1-5-21-1-2-3\n" + yaml);
            Assert.Equal(0, CliHarness.RunIn(dir, "", "run", "da.yaml").ExitCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Run_command_exit_codes_follow_expectations()
    {
        string dir = Directory.CreateTempSubdirectory("ntsec-scenario").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "ok.yaml"), Minimal);
            File.WriteAllText(Path.Combine(dir, "unmet.yaml"), Minimal.Replace("expect: STATUS_ACCESS_DENIED", "expect: STATUS_SUCCESS", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(dir, "bad.yaml"), Minimal.Replace("{name: app, token: alice}", "{name: app, token: bob}", StringComparison.Ordinal));
            var ok = CliHarness.RunIn(dir, "", "run", "ok.yaml");
            Assert.Equal(0, ok.ExitCode);
            Assert.Contains("[2] app: NtOpenEvent(admins-only, SYNCHRONIZE)", ok.Out, StringComparison.Ordinal);
            Assert.Contains("STATUS_ACCESS_DENIED (0xC0000022)  as expected", ok.Out, StringComparison.Ordinal);
            Assert.Contains("4 steps; 3 of 3 expectations met", ok.Out, StringComparison.Ordinal);
            var unmet = CliHarness.RunIn(dir, "", "run", "unmet.yaml");
            Assert.Equal(1, unmet.ExitCode);
            Assert.Contains("NOT AS EXPECTED: expected STATUS_SUCCESS, got STATUS_ACCESS_DENIED", unmet.Out, StringComparison.Ordinal);
            var bad = CliHarness.RunIn(dir, "", "run", "bad.yaml");
            Assert.Equal(3, bad.ExitCode);
            Assert.Equal("", bad.Out);
            Assert.Contains("bad.yaml:13:24: no token named 'bob'", bad.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Json_output_has_a_versioned_shape()
    {
        string dir = Directory.CreateTempSubdirectory("ntsec-scenario").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "ok.yaml"), Minimal);
            var result = CliHarness.RunIn(dir, "", "run", "ok.yaml", "--json", "--explain");
            Assert.Equal(0, result.ExitCode);
            using var doc = JsonDocument.Parse(result.Out);
            var root = doc.RootElement;
            Assert.Equal(2, root.GetProperty("version").GetInt32());
            var steps = root.GetProperty("steps");
            Assert.Equal(4, steps.GetArrayLength());
            Assert.Equal("STATUS_SUCCESS", steps[0].GetProperty("status").GetProperty("name").GetString());
            Assert.Equal("0x2", steps[0].GetProperty("granted").GetProperty("mask").GetString());
            Assert.Equal("EVENT_MODIFY_STATE", steps[0].GetProperty("granted").GetProperty("rights")[0].GetString());
            Assert.Equal("0xC0000022", steps[1].GetProperty("status").GetProperty("hex").GetString());
            Assert.Contains("BUILTIN\\Administrators", steps[1].GetProperty("explanation").GetString(), StringComparison.Ordinal);
            Assert.Equal(0, root.GetProperty("unmet").GetInt32());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_demo_runs_with_every_expectation_met()
    {
        var result = CliHarness.Run("demo");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("STATUS_NO_TOKEN (0xC000007C)  as expected", result.Out, StringComparison.Ordinal);
        Assert.Contains("STATUS_CANT_OPEN_ANONYMOUS (0xC00000A6)  as expected", result.Out, StringComparison.Ordinal);
        Assert.Contains("STATUS_BAD_IMPERSONATION_LEVEL (0xC00000A5)  as expected", result.Out, StringComparison.Ordinal);
        Assert.Contains("STATUS_PRIVILEGE_NOT_HELD (0xC0000061)  as expected", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT AS EXPECTED", result.Out, StringComparison.Ordinal);
        var printed = CliHarness.Run("demo", "--print-scenario");
        Assert.Equal(0, printed.ExitCode);
        Assert.True(ScenarioLoader.TryLoad(printed.Out, ".", out var scenario, out var error), error?.ToString());
        Assert.All(scenario!.Steps.Where(s => s.Expect is not null), s => Assert.NotNull(s.Expect));
    }
}
