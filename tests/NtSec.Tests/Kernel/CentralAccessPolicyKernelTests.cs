using System.Text.Json;
using global::NtSec.Authorization;
using global::NtSec.Authorization.Conditions;
using global::NtSec.Kernel;
using global::NtSec.Sddl;
using global::NtSec.Tokens;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>
/// Opens of objects whose SACL names a central access policy (an SP ACE): the machine's policies apply after the DACL,
/// as on a Windows file server (MS-DTYP 2.5.3.2), through the same CentralAccessCheck that <c>ntsec check --policies</c> uses.
/// </summary>
public class CentralAccessPolicyKernelTests
{
    private const string Cap = "S-1-17-1-2-3-4";
    // The DACL lets Domain Users read the file; the policy's one rule lets in only holders of Department == Finance.
    private static readonly string Sddl = $"O:BAG:SYD:(A;;FA;;;BA)(A;;FR;;;{KernelFixtures.DomainUsers})S:(SP;;;;;{Cap})";

    private static ImmutableArrayPolicies Policies() => new($$"""
        [{"id": "{{Cap}}", "name": "Finance only", "rules": [{"name": "department", "appliesTo": null,
          "effectiveSd": "D:(XA;;FA;;;WD;(@User.Department == \"Finance\"))", "stagedSd": null}]}]
        """);

    private sealed class ImmutableArrayPolicies
    {
        public ImmutableArrayPolicies(string json)
        {
            using var doc = JsonDocument.Parse(json);
            Assert.True(CentralAccessPolicy.TryReadList(doc.RootElement, null, out var list, out var why), why?.ToString());
            List = list;
        }

        public System.Collections.Immutable.ImmutableArray<CentralAccessPolicy> List { get; }
    }

    private static (EmulatedSystem, ProcessObject) Machine(string? department, bool withPolicies, string sddl)
    {
        var system = new EmulatedSystem { ExplainAccessChecks = true };
        if (withPolicies) system.CentralAccessPolicies = Policies().List;
        system.CreateObject(ObjectTypes.File, @"\Device\Share\budget.xlsx", SddlParser.Parse(sddl));
        var b = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
        if (department is not null) b.UserClaims = [Claim(department)];
        return (system, system.CreateProcess(b.Build(), "app.exe"));
    }

    private static global::NtSec.Claims.ClaimSecurityAttribute Claim(string department)
    {
        using var doc = JsonDocument.Parse($$"""{"name": "Department", "type": "string", "values": ["{{department}}"]}""");
        Assert.True(ClaimJson.TryRead(doc.RootElement, "claim", null, out var claim, out var error), error?.Reason);
        return claim!;
    }

    private static NtStatus Open(ProcessObject p, out ObjectAccessCheck? check)
    {
        var t = p.Threads[0];
        var status = t.Nt.NtOpenObject(new ObjectAttributes(@"\Device\Share\budget.xlsx"), 0x0012_0089, out _);
        check = t.LastCall?.AccessCheck;
        return status;
    }

    [Fact]
    public void The_policy_rule_takes_away_what_the_DACL_granted()
    {
        var (_, sales) = Machine("Sales", withPolicies: true, Sddl);
        Assert.Equal(NtStatus.AccessDenied, Open(sales, out var check));
        var rule = Assert.Single(check!.CentralAccess!.Rules);
        Assert.Equal("Finance only", rule.PolicyName);
        Assert.Equal(0x0012_0089u, rule.Removed);

        var (_, finance) = Machine("Finance", withPolicies: true, Sddl);
        Assert.Equal(NtStatus.Success, Open(finance, out check));
        Assert.Equal(0u, check!.CentralAccess!.Rules[0].Removed);
    }

    [Fact]
    public void Without_policies_on_the_machine_the_SP_ACE_is_ignored()
    {
        var (_, sales) = Machine("Sales", withPolicies: false, Sddl);
        Assert.Equal(NtStatus.Success, Open(sales, out var check));
        Assert.Null(check!.CentralAccess);
    }

    [Fact]
    public void A_policy_the_machine_lacks_gets_the_recovery_policy()
    {
        var (_, finance) = Machine("Finance", withPolicies: true, Sddl.Replace(Cap, "S-1-17-9-9-9-9", StringComparison.Ordinal));
        Assert.Equal(NtStatus.AccessDenied, Open(finance, out var check));
        Assert.True(check!.CentralAccess!.Rules[0].IsRecovery);
    }

    [Fact]
    public void The_DACL_still_decides_first()
    {
        // A token without Domain Users: the DACL denies, and no rule can grant.
        var system = new EmulatedSystem { CentralAccessPolicies = Policies().List };
        system.CreateObject(ObjectTypes.File, @"\Device\Share\budget.xlsx", SddlParser.Parse(Sddl));
        var b = new TokenBuilder(KernelFixtures.Bob) { Type = TokenType.Primary };
        b.UserClaims = [Claim("Finance")];
        var p = system.CreateProcess(b.Build(), "app.exe", null);
        Assert.Equal(NtStatus.AccessDenied, p.Threads[0].Nt.NtOpenObject(new ObjectAttributes(@"\Device\Share\budget.xlsx"), 0x0012_0089, out _));
    }
}
