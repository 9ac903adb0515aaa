using global::NtSec.Cli.Scenarios;
using global::NtSec.Scenarios;
using NtSec.Authorization.Conditions;
using NtSec.Kernel;
using Xunit;

namespace NtSec.Tests.Cli;

/// <summary>
/// Scenario files declare claims on tokens (userClaims, deviceClaims, deviceGroups as the token JSON has them) and the
/// central access policies the machine holds (the definitions of `check --policies`); open steps use
/// both, and the kernel's record of each check (ObjectAccessCheck.CentralAccess) says which rule took what away.
/// </summary>
public sealed class ScenarioPolicyTests
{
    private const string Cap = "S-1-17-1234567890-1111111111-2222222222-3333333333";

    private static string Yaml(string policies, string capId = Cap) => $$"""
        name: policies
        tokens:
          alice:
            user: S-1-5-21-1-2-3-1001
            type: Primary
            groups:
              - {sid: AU, attributes: [Mandatory, EnabledByDefault, Enabled]}
            userClaims:
              - {name: Department, type: string, values: [Finance]}
            deviceClaims:
              - {name: Managed, type: boolean, values: [true]}
            deviceGroups:
              - {sid: S-1-5-21-1-2-3-515, attributes: [Mandatory, EnabledByDefault, Enabled]}
          bob:
            user: S-1-5-21-1-2-3-1002
            type: Primary
            groups:
              - {sid: AU, attributes: [Mandatory, EnabledByDefault, Enabled]}
            userClaims:
              - {name: Department, type: string, values: [Sales]}
        {{policies}}
        objects:
          - {name: C:\budget.xlsx, type: file, sddl: 'O:BAG:SYD:(A;;FA;;;AU)S:(SP;;;;;{{capId}})'}
          - {name: C:\devices.txt, type: file, sddl: "O:BAG:SYD:(XA;;FR;;;AU;(Device_Member_of {SID(S-1-5-21-1-2-3-515)} && @Device.Managed))"}
        processes:
          - {name: a, token: alice}
          - {name: b, token: bob}
        steps:
          - open: {thread: a, object: C:\budget.xlsx, access: FILE_GENERIC_READ|FILE_GENERIC_WRITE}
          - open: {thread: b, object: C:\budget.xlsx, access: FILE_GENERIC_READ}
          - open: {thread: a, object: C:\devices.txt, access: FILE_GENERIC_READ}
          - open: {thread: b, object: C:\devices.txt, access: FILE_GENERIC_READ}
        """;

    // Read for the finance department, full control for nobody else but the owner and the administrators.
    private const string Inline = $$"""
        policies:
          - id: {{Cap}}
            name: Finance documents
            rules:
              - name: Finance reads
                appliesTo: null
                effectiveSd: 'D:(A;;FA;;;BA)(XA;;FR;;;AU;(@User.Department == "Finance"))'
                stagedSd: null
        """;

    private static ScenarioRun Run(string yaml)
    {
        Assert.True(ScenarioLoader.TryLoad(yaml, ".", out var scenario, out var error), error?.ToString());
        return ScenarioRunner.Run(scenario!);
    }

    [Fact]
    public void Inline_policies_take_away_what_their_rules_do_not_grant()
    {
        var run = Run(Yaml(Inline));
        var s = run.Steps;
        // alice: the DACL grants all; the rule grants read only, so the write half of her request is taken away.
        Assert.Equal(NtStatus.AccessDenied, s[0].Status);
        var aliceCheck = s[0].Diagnostic!.AccessCheck!;
        var rule = Assert.Single(aliceCheck.CentralAccess!.Rules);
        Assert.Equal("Finance reads", rule.RuleName);
        Assert.Equal(ConditionValue.True, rule.AppliesTo);
        Assert.Equal(0u, rule.Removed & FileRead);
        Assert.NotEqual(0u, rule.Removed & 0x2u); // FILE_WRITE_DATA
        Assert.Contains("after central access policy Finance documents", s[0].Why, StringComparison.Ordinal);
        // bob: the rule grants him nothing.
        Assert.Equal(NtStatus.AccessDenied, s[1].Status);
        Assert.Equal(FileRead, s[1].Diagnostic!.AccessCheck!.CentralAccess!.Rules[0].Removed);
        // Device groups and device claims reach the condition of the DACL itself.
        Assert.Equal(NtStatus.Success, s[2].Status);
        Assert.Equal(NtStatus.AccessDenied, s[3].Status);
        Assert.Null(s[3].Diagnostic!.AccessCheck!.CentralAccess);
    }

    private const uint FileRead = 0x120089;

    [Fact]
    public void An_object_naming_a_policy_the_machine_lacks_gets_the_recovery_policy()
    {
        var run = Run(Yaml(Inline, capId: "S-1-17-9-9-9-9"));
        var central = run.Steps[1].Diagnostic!.AccessCheck!.CentralAccess!;
        Assert.True(central.Rules[0].IsRecovery);
        Assert.Equal(NtStatus.AccessDenied, run.Steps[1].Status);
        Assert.Contains("the recovery policy", run.Steps[1].Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_policies_the_SP_ACE_is_ignored()
    {
        var run = Run(Yaml(""));
        Assert.Equal(NtStatus.Success, run.Steps[0].Status);
        Assert.Null(run.Steps[0].Diagnostic!.AccessCheck!.CentralAccess);
    }

    [Fact]
    public void A_bad_policy_is_reported_where_the_policies_are()
    {
        string bad = Inline.Replace("effectiveSd: 'D:(A;;FA;;;BA)", "effectiveSd: 'D:(A;;FA;;;ZZ)", StringComparison.Ordinal);
        string yaml = Yaml(bad);
        Assert.False(ScenarioLoader.TryLoad(yaml, ".", out _, out var error));
        int line = Array.FindIndex(yaml.Split('\n'), l => l.StartsWith("policies:", StringComparison.Ordinal)) + 1;
        Assert.Equal(line + 1, error!.Line);
        Assert.StartsWith("policies", error.Reason, StringComparison.Ordinal);
    }
}
