using NtSec.Authorization;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using static NtSec.Tests.Authorization.TestTokens;

namespace NtSec.Tests.Authorization;

/// <summary>The explanation records typed steps where the check decides, and one renderer writes them.</summary>
public sealed class ExplanationStepTests
{
    private static readonly GenericMapping File = ObjectTypes.File.GenericMapping;
    private static readonly SidContext Ctx = new(Domain);

    private static (AccessCheckResult Result, AccessCheckExplanation Why) Explain(string sddl, Token token, uint desired, ObjectTypeEntry[]? list = null, GenericMapping? mapping = null)
    {
        var why = new AccessCheckExplanation();
        var sd = SddlParser.Parse(sddl, Ctx);
        if (list is null) return (AccessCheck.Check(sd, token, desired, mapping ?? File, default, null, why), why);
        var granted = new uint[list.Length];
        var statuses = new NtStatus[list.Length];
        return (AccessCheck.CheckResultList(sd, token, desired, mapping ?? File, list, granted, statuses, null, why), why);
    }

    [Fact]
    public void AnAceStepNamesTheSidItAppliedThroughAndItsState()
    {
        TokenFilter.Filter(Alice_(), FilterTokenFlags.None, [new SidAndAttributes(DomainUsers, 0)], null, null, out var filtered);
        var (r, why) = Explain($"O:BAG:BAD:(A;;FA;;;{DomainUsers})(D;;FW;;;{DomainUsers})(A;;FR;;;SY)(A;;FA;;;WD)", filtered!, AccessMask.MaximumAllowed);
        Assert.True(r.IsGranted);
        var aces = why.Steps.Where(s => s.Kind == ExplanationStepKind.Ace).ToList();
        Assert.Equal(AceOutcome.SidNotInToken, aces[0].Outcome);
        Assert.Equal(SidState.DenyOnly, aces[0].SidState);
        Assert.Equal(DomainUsers, aces[0].Sid);
        Assert.Equal(AceOutcome.Denied, aces[1].Outcome);
        Assert.Equal(SidState.DenyOnly, aces[1].SidState);
        Assert.Equal(AceOutcome.SidNotInToken, aces[2].Outcome);
        Assert.Equal(SidState.Absent, aces[2].SidState);
        Assert.Equal(AceOutcome.Granted, aces[3].Outcome);
        Assert.Equal(SidState.Enabled, aces[3].SidState);
        // The deny ACE's bits were decided before the allow: the allow reports them as already denied.
        Assert.Equal(aces[1].Mask, aces[3].AlreadyDenied);
        Assert.NotEqual(0u, aces[3].AlreadyDenied);
        Assert.Equal(0u, aces[3].Mask & aces[1].Mask);
    }

    [Fact]
    public void NothingNewIsSaidAndTheDeniedRequestedBitIsNamed()
    {
        var (_, why) = Explain("O:BAG:BAD:(A;;FR;;;WD)(A;;FR;;;BU)(D;;FW;;;WD)", Alice_(), AccessMask.MaximumAllowed);
        var second = why.Steps.Single(s => s.AceIndex == 1);
        Assert.Equal(0u, second.Mask);
        string text = ExplanationText.Render(why, ObjectTypes.File);
        Assert.Contains("#1 (A;;FR;;;BU): grants nothing new", text);
        Assert.DoesNotContain("grants -", text);
        Assert.DoesNotContain("denies -", text);

        var (denied, why2) = Explain("O:BAG:BAD:(D;;FW;;;WD)(A;;FA;;;WD)", Alice_(), 0x3);
        Assert.False(denied.IsGranted);
        var deny = why2.Steps.Single(s => s.Outcome == AceOutcome.Denied);
        Assert.Equal(0x2u, deny.Denied);
        var result = why2.Steps[^1];
        Assert.Equal(ExplanationStepKind.Result, result.Kind);
        Assert.Equal(0x3u, result.Missing);
        string text2 = ExplanationText.Render(why2, ObjectTypes.File);
        Assert.Contains("the requested FILE_WRITE_DATA is denied", text2);
        Assert.Contains("requested and not granted: FILE_READ_DATA | FILE_WRITE_DATA", text2);
    }

    [Fact]
    public void MaximumAllowedShowsEachPassAndTheIntersection()
    {
        TokenFilter.Filter(Alice_(), FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, 0)], out var restricted);
        var (r, why) = Explain("O:BAG:BAD:(A;;FA;;;WD)(A;;FR;;;RC)", restricted!, AccessMask.MaximumAllowed);
        var totals = why.Steps.Where(s => s.Kind == ExplanationStepKind.PassTotal).ToList();
        Assert.Equal([ExplanationStage.Dacl, ExplanationStage.RestrictedPass], totals.Select(t => t.Stage));
        Assert.Equal(0x1f01ffu, totals[0].Mask);
        Assert.Equal(0x120089u, totals[1].Mask);
        var intersection = why.Steps.Single(s => s.Kind == ExplanationStepKind.Intersection);
        Assert.Equal(r.GrantedAccess, intersection.Mask);
        Assert.Contains("every pass must grant: token SIDs 0x001f01ff AND restricting SIDs 0x00120089 = 0x00120089", ExplanationText.Render(why, ObjectTypes.File));
    }

    [Fact]
    public void AnObjectAceNamesTheNodeItReached()
    {
        var userClass = Guid.Parse("bf967aba-0de6-11d0-a285-00aa003049e2");
        var set = Guid.Parse("4c164200-20c0-11d0-a768-00aa006e0529");
        var property = Guid.Parse("bf967950-0de6-11d0-a285-00aa003049e2");
        ObjectTypeEntry[] list = [new(0, userClass), new(1, set), new(2, property)];
        var (_, why) = Explain($"O:BAG:BAD:(OA;;RP;{property};;WD)(OA;;RP;{Guid.NewGuid()};;WD)", Alice_(), 0x10, list, ObjectTypes.DirectoryServiceObject.GenericMapping);
        var hit = why.Steps.Single(s => s.AceIndex == 0 && s.Kind == ExplanationStepKind.Ace);
        Assert.Equal(2, hit.ObjectTypeNode);
        Assert.Equal(property, hit.ObjectType);
        Assert.Equal(AceOutcome.ObjectTypeNotInList, why.Steps.Single(s => s.AceIndex == 1).Outcome);
        Assert.Contains($"reaches object type node [2] {property:D}", ExplanationText.Render(why, ObjectTypes.DirectoryServiceObject));
    }

    [Fact]
    public void ARefusalCarriesItsKind()
    {
        var b = AliceBuilder();
        b.Type = TokenType.Primary;
        var (r, why) = Explain("O:BAG:BAD:(A;;FA;;;WD)", b.Build(), 0x1);
        Assert.Equal(NtStatus.NoImpersonationToken, r.Status);
        var refused = why.Steps.Single(s => s.Kind == ExplanationStepKind.Refused);
        Assert.Equal(RefusalReason.PrimaryToken, refused.Refusal);
        Assert.Equal(NtStatus.NoImpersonationToken, refused.Status);
        var (r2, why2) = Explain("D:(A;;FA;;;WD)", Alice_(), 0x1);
        Assert.Equal(NtStatus.InvalidSecurityDescriptor, r2.Status);
        Assert.Equal(RefusalReason.NoOwnerOrGroup, why2.Steps.Single().Refusal);
    }

    [Fact]
    public void AConditionalAceRecordsItsConditionStep()
    {
        var (r, why) = Explain("O:BAG:BAD:(XA;;FA;;;WD;(Member_of{SID(BG)}))(XD;;FW;;;WD;(@User.Dept == \"HR\"))(A;;FA;;;WD)", Alice_(), AccessMask.MaximumAllowed);
        var conditions = why.Steps.Where(s => s.Kind == ExplanationStepKind.Condition).ToList();
        Assert.Equal([0, 1], conditions.Select(c => c.AceIndex));
        Assert.Equal([ConditionResult.False, ConditionResult.Unknown], conditions.Select(c => c.Condition));
        Assert.False(conditions[0].Applied); // a conditional allow applies only when TRUE
        Assert.True(conditions[1].Applied);  // a conditional deny applies when UNKNOWN
        var missing = Assert.Single(conditions[1].ConditionTrace!.Steps);
        Assert.Equal(NtSec.Authorization.Conditions.ConditionReason.AttributeMissing, missing.Reason);
        Assert.Equal("Dept", missing.Left.Name);
        Assert.Contains("@User.Dept is not there", conditions[1].Message);
        Assert.Equal(0u, r.GrantedAccess & 0x2);
    }

    [Fact]
    public void IntegrityStepsCarryTheLevels()
    {
        var b = AliceBuilder();
        b.IntegrityLevel = WellKnownSids.LowIntegrity;
        var (r, why) = Explain("O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NWNR;;;ME)", b.Build(), 0x2);
        Assert.False(r.IsGranted);
        var limited = why.Steps.Single(s => s.Kind == ExplanationStepKind.IntegrityLimited);
        Assert.Equal(WellKnownSids.LowIntegrity, limited.Sid);
        Assert.Equal(WellKnownSids.MediumIntegrity, limited.Label);
        Assert.Equal(3u, limited.LabelPolicy);
        Assert.True(limited.ExplicitLabel);
        Assert.Equal(0x2u, why.Steps.Single(s => s.Kind == ExplanationStepKind.IntegrityDenied).Mask);
    }

    [Fact]
    public void TheRendererWrapsAndUsesTheNamesGiven()
    {
        var (_, why) = Explain($"O:BAG:BAD:(A;;FA;;;{DomainUsers})", Alice_(), 0x1);
        string text = ExplanationText.Render(why, ObjectTypes.File, sid => sid == DomainUsers ? "CONTOSO\\Domain Users" : null, 60);
        Assert.Contains($"CONTOSO\\Domain Users ({DomainUsers})", text.Replace("\n      ", " ", StringComparison.Ordinal));
        Assert.All(text.TrimEnd('\n').Split('\n'), line => Assert.True(line.Length <= 60 || !line.Trim().Contains(' '), line));
    }
}
