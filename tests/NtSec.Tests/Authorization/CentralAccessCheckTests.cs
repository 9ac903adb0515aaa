using System.Text.Json;
using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Claims;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using static NtSec.Tests.Authorization.TestTokens;

namespace NtSec.Tests.Authorization;

/// <summary>Central access policies: MS-DTYP 2.5.3.2's intersection, staging, the recovery policy.</summary>
public sealed class CentralAccessCheckTests
{
    private static readonly GenericMapping File = new(0x120089, 0x120116, 0x1200a0, 0x1f01ff);
    private const string Cap = "S-1-17-1-2-3-4";

    private static IReadOnlyList<CentralAccessPolicy> Policies(string json)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.True(CentralAccessPolicy.TryReadList(doc.RootElement, null, out var list, out var error), error?.ToString());
        return list;
    }

    private static IReadOnlyList<CentralAccessPolicy> OneRule(string effective, string? staged = null, string? appliesTo = null)
        => Policies(JsonSerializer.Serialize(new[] { new { id = Cap, name = "p", rules = new[] { new { name = "r", appliesTo, effectiveSd = effective, stagedSd = staged } } } }));

    private static Token Finance()
    {
        var b = AliceBuilder();
        b.UserClaims = [new ClaimSecurityAttribute("Dept", ClaimValueType.String, 0, ["Finance"])];
        return b.Build();
    }

    [Fact]
    public void TheRuleIntersectsWithTheDacl_AndStagingIsReportedBeside()
    {
        var sd = SddlParser.Parse($"O:BAG:BAD:(A;;FA;;;AU)S:(SP;;;;;{Cap})");
        var policies = OneRule("D:(A;;FR;;;AU)", staged: "D:(XA;;FA;;;AU;(@User.Dept == \"finance\"))");
        var r = CentralAccessCheck.Check(sd, Finance(), AccessMask.MaximumAllowed, File, policies);
        Assert.Equal(0x120089u, r.Effective.GrantedAccess);
        Assert.Equal(0x1f01ffu, r.Staged!.Value.GrantedAccess);
        var rule = Assert.Single(r.Rules);
        Assert.Equal(0x1f01ffu & ~0x120089u, rule.Removed);
        Assert.Equal(0u, rule.StagedRemoved);
        var write = CentralAccessCheck.Check(sd, Finance(), 0x2, File, policies);
        Assert.False(write.Effective.IsGranted);
        Assert.True(write.Staged!.Value.IsGranted);
    }

    [Fact]
    public void AppliesToOtherThanTrue_SkipsTheRule()
    {
        var sd = SddlParser.Parse($"O:BAG:BAD:(A;;FA;;;AU)S:(SP;;;;;{Cap})(RA;;;;;WD;(\"Dept\",TS,0,\"HR\"))");
        var unknown = CentralAccessCheck.Check(sd, Finance(), 0x2, File, OneRule("D:(A;;FR;;;AU)", appliesTo: "(@Resource.Missing == 1)"));
        Assert.True(unknown.Effective.IsGranted);
        Assert.Equal(ConditionValue.Unknown, unknown.Rules[0].AppliesTo);
        var hr = CentralAccessCheck.Check(sd, Finance(), 0x2, File, OneRule("D:(A;;FR;;;AU)", appliesTo: "(@Resource.Dept == \"HR\")"));
        Assert.False(hr.Effective.IsGranted);
    }

    [Fact]
    public void OwnerRightsAndPrivilegesActInTheRuleAsOnTheObject()
    {
        // The rule grants OWNER RIGHTS: the object's owner is Alice here.
        var sd = SddlParser.Parse($"O:{Alice}G:BAD:(A;;FA;;;AU)S:(SP;;;;;{Cap})");
        var r = CentralAccessCheck.Check(sd, Finance(), AccessMask.MaximumAllowed, File, OneRule("D:(A;;FA;;;OW)"));
        Assert.Equal(0x1f01ffu, r.Effective.GrantedAccess);
        // An owner without a matching ACE still has READ_CONTROL | WRITE_DAC in the rule.
        var owner = CentralAccessCheck.Check(sd, Finance(), AccessMask.ReadControl | AccessMask.WriteDac, File, OneRule("D:"));
        Assert.True(owner.Effective.IsGranted);
        // SeTakeOwnershipPrivilege grants WRITE_OWNER in the rule too.
        var b = AliceBuilder();
        b.AddPrivilege("SeTakeOwnershipPrivilege", PrivilegeAttributes.Enabled);
        var other = SddlParser.Parse($"O:BAG:BAD:(A;;FR;;;AU)S:(SP;;;;;{Cap})");
        Assert.True(CentralAccessCheck.Check(other, b.Build(), AccessMask.WriteOwner, File, OneRule("D:(A;;FR;;;AU)")).Effective.IsGranted);
    }

    [Fact]
    public void AnUnknownCapid_GetsTheRecoveryPolicy_NoConfigurationIgnoresIt()
    {
        var sd = SddlParser.Parse("O:BAG:BAD:(A;;FA;;;AU)S:(SP;;;;;S-1-17-99)");
        var recovery = CentralAccessCheck.Check(sd, Finance(), 0x1, File, OneRule("D:(A;;FA;;;AU)"));
        Assert.False(recovery.Effective.IsGranted);
        Assert.True(recovery.Rules[0].IsRecovery);
        var admin = AliceBuilder().AddGroup(WellKnownSids.BuiltinAdministrators).Build();
        Assert.True(CentralAccessCheck.Check(sd, admin, 0x1, File, OneRule("D:(A;;FA;;;AU)")).Effective.IsGranted);
        var none = CentralAccessCheck.Check(sd, Finance(), 0x1, File, null);
        Assert.True(none.Effective.IsGranted);
        Assert.Null(none.Staged);
    }

    [Fact]
    public void PolicyJson_ReportsWhereItIsWrong()
    {
        using var doc = JsonDocument.Parse("""[{"id": "S-1-17-1", "rules": [{"name": "r", "effectiveSd": "D:(A;;FA;;;AU)", "appliesTo": "(@User.x ==)"}]}]""");
        Assert.False(CentralAccessPolicy.TryReadList(doc.RootElement, null, out _, out var error));
        Assert.StartsWith("[0].rules[0].appliesTo:", error!.ToString());
        Assert.Equal("[0].rules[0].appliesTo", error.Field);
        Assert.Equal(ParseErrorKind.Missing, error.Kind); // the condition parser's kind: the operand after == is missing
    }

    [Fact]
    public void ConditionalObjectAces_WithinAnObjectTypeList()
    {
        var property = Guid.Parse("bf967a86-0de6-11d0-a285-00aa003049e2");
        var sd = SddlParser.Parse($"O:BAG:BAD:(ZA;;RP;{property};;WD;(@User.Dept == \"Finance\"))(ZA;;WP;{property};;WD;(@User.Dept == \"HR\"))");
        ObjectTypeEntry[] list = [new(0, Guid.NewGuid()), new(1, property)];
        var granted = new uint[2];
        var statuses = new NtStatus[2];
        AccessCheck.CheckResultList(sd, Finance(), AccessMask.MaximumAllowed, new GenericMapping(0x20094, 0x20028, 0x20004, 0xf01ff), list, granted, statuses);
        Assert.Equal(0x10u, granted[1]); // RP (0x10) through the TRUE condition; WP's condition is FALSE
    }
}
