using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using static NtSec.Tests.Authorization.TestTokens;

namespace NtSec.Tests.Authorization;

public sealed class AccessCheckTests
{
    private static readonly GenericMapping File = ObjectTypes.File.GenericMapping;
    private static readonly SidContext Ctx = new(Domain);

    private static AccessCheckResult Check(string sddl, Token token, uint desired, Sid? self = null, AccessCheckExplanation? explain = null)
        => AccessCheck.Check(SddlParser.Parse(sddl, Ctx), token, desired, File, default, self, explain);

    [Fact]
    public void AllowAndDenyInOrder()
    {
        var alice = Alice_();
        Assert.True(Check("O:BAG:BAD:(A;;FR;;;WD)", alice, 0x120089).IsGranted);
        Assert.False(Check("O:BAG:BAD:(D;;FR;;;WD)(A;;FA;;;WD)", alice, 0x1).IsGranted);
        // A deny after the allow that already granted the bit does not take it back (Windows does not reorder).
        Assert.True(Check("O:BAG:BAD:(A;;FA;;;WD)(D;;FR;;;WD)", alice, 0x1).IsGranted);
        // But MAXIMUM_ALLOWED keeps reading: the deny removes what was not yet granted.
        var max = Check("O:BAG:BAD:(A;;0x1;;;WD)(D;;0x3;;;WD)(A;;0x2;;;WD)", alice, AccessMask.MaximumAllowed);
        Assert.Equal(0x1u, max.GrantedAccess);
    }

    [Fact]
    public void DeniedCheckGrantsNothingNotAPart()
    {
        var r = Check("O:BAG:BAD:(A;;0x1;;;WD)", Alice_(), 0x3);
        Assert.False(r.IsGranted);
        Assert.Equal(0u, r.GrantedAccess);
        Assert.Equal(NtStatus.AccessDenied, r.AccessStatus);
    }

    [Fact]
    public void OwnerGetsReadControlAndWriteDacUnlessOwnerRightsSaysOtherwise()
    {
        var alice = Alice_();
        string owner = $"O:{Alice}G:BA";
        Assert.True(Check(owner + "D:", alice, AccessMask.ReadControl | AccessMask.WriteDac).IsGranted);
        Assert.False(Check(owner + "D:", alice, AccessMask.WriteOwner).IsGranted);
        // OWNER RIGHTS replaces the implicit rights: here the owner may only read the DACL.
        Assert.False(Check(owner + "D:(A;;RC;;;OW)", alice, AccessMask.WriteDac).IsGranted);
        Assert.True(Check(owner + "D:(A;;RC;;;OW)", alice, AccessMask.ReadControl).IsGranted);
        Assert.Equal(AccessMask.ReadControl, Check(owner + "D:(A;;RC;;;OW)", alice, AccessMask.MaximumAllowed).GrantedAccess);
        // An inherit-only OWNER RIGHTS ACE does not count.
        Assert.True(Check(owner + "D:(A;IO;RC;;;OW)", alice, AccessMask.WriteDac).IsGranted);
    }

    [Fact]
    public void DenyOwnerRightsAceStillAppliesWhenTheOwnerSidIsDenyOnly()
    {
        // Found by AccessCheckPropertyTests (deny-only SID adds nothing): a deny ACE for OWNER RIGHTS matched the
        // owner only while its SID was enabled, so making the owner deny-only lifted the denial.
        string sd = $"O:{DomainUsers}G:BAD:(D;;FR;;;OW)(A;;FA;;;WD)";
        var alice = Alice_();
        Assert.False(Check(sd, alice, 0x1).IsGranted);
        Assert.Equal(NtStatus.Success, TokenFilter.Filter(alice, FilterTokenFlags.None, [new SidAndAttributes(DomainUsers, 0)], null, null, out var filtered));
        Assert.False(Check(sd, filtered!, 0x1).IsGranted);
        Assert.Equal(0u, Check(sd, filtered!, AccessMask.MaximumAllowed).GrantedAccess & 0x1);
        // An allow ACE for OWNER RIGHTS still needs the owner enabled, as every allow ACE does.
        Assert.True(Check($"O:{DomainUsers}G:BAD:(A;;FR;;;OW)", alice, 0x1).IsGranted);
        Assert.False(Check($"O:{DomainUsers}G:BAD:(A;;FR;;;OW)", filtered!, 0x1).IsGranted);
        var explain = new AccessCheckExplanation();
        Check($"O:{DomainUsers}G:BAD:(A;;FR;;;OW)", filtered!, 0x1, explain: explain);
        Assert.Contains("deny-only", explain.ToText());
    }

    [Fact]
    public void DenyOnlySidsOnlyDeny()
    {
        var t = AliceBuilder();
        t.Groups[1] = new SidAndAttributes(WellKnownSids.World, GroupAttributes.UseForDenyOnly);
        var token = t.Build();
        Assert.False(Check("O:BAG:BAD:(A;;FA;;;WD)", token, 0x1).IsGranted);
        Assert.False(Check("O:BAG:BAD:(D;;0x1;;;WD)(A;;FA;;;AU)", token, 0x1).IsGranted);
        Assert.True(Check("O:BAG:BAD:(D;;0x1;;;WD)(A;;FA;;;AU)", Alice_(), 0x2).IsGranted);
    }

    [Fact]
    public void DisabledGroupsMatchNothing()
    {
        var t = AliceBuilder();
        t.Groups[0] = new SidAndAttributes(DomainUsers, GroupAttributes.None);
        var token = t.Build();
        Assert.False(Check("O:BAG:BAD:(A;;FA;;;DU)", token, 0x1).IsGranted);
        Assert.True(Check("O:BAG:BAD:(D;;FA;;;DU)(A;;FA;;;WD)", token, 0x1).IsGranted);
    }

    [Fact]
    public void RestrictedTokenNeedsBothPasses()
    {
        // The seed: "two access checks: one using the token's enabled SIDs, and another using the list of
        // restricting SIDs. Access is granted only if both access checks allow the requested access rights."
        Assert.Equal(NtStatus.Success, TokenFilter.Filter(Alice_(), FilterTokenFlags.None, null, null,
            [new SidAndAttributes(WellKnownSids.Restricted, 0), new SidAndAttributes(WellKnownSids.World, 0)], out var restricted));
        Assert.True(TokenFilter.IsTokenRestricted(restricted!));
        Assert.False(TokenFilter.IsTokenRestricted(Alice_()));

        // Alice is granted, Everyone (a restricting SID) is granted: allowed.
        Assert.True(Check($"O:BAG:BAD:(A;;FA;;;{Alice})(A;;FR;;;WD)", restricted!, 0x1).IsGranted);
        // Only Alice is granted; no restricting SID is: denied, though the unrestricted token passes.
        Assert.True(Check($"O:BAG:BAD:(A;;FA;;;{Alice})", Alice_(), 0x1).IsGranted);
        Assert.False(Check($"O:BAG:BAD:(A;;FA;;;{Alice})", restricted!, 0x1).IsGranted);
        // RESTRICTED is granted, but it is not one of Alice's own SIDs: denied in the first pass.
        Assert.False(Check("O:BAG:BAD:(A;;FA;;;RC)", restricted!, 0x1).IsGranted);
        // The result is the intersection of the two passes.
        Assert.Equal(0x1u, Check($"O:BAG:BAD:(A;;0x3;;;{Alice})(A;;0x5;;;RC)(A;;0x1;;;AU)", restricted!, AccessMask.MaximumAllowed).GrantedAccess);
    }

    [Fact]
    public void OwnerRightsInTheRestrictedPassOnlyWhenTheOwnerIsARestrictingSid()
    {
        TokenFilter.Filter(Alice_(), FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.World, 0)], out var r1);
        Assert.False(Check($"O:{Alice}G:BAD:", r1!, AccessMask.ReadControl).IsGranted);
        TokenFilter.Filter(Alice_(), FilterTokenFlags.None, null, null, [new SidAndAttributes(Alice, 0)], out var r2);
        Assert.True(Check($"O:{Alice}G:BAD:", r2!, AccessMask.ReadControl).IsGranted);
    }

    [Fact]
    public void WriteRestrictedTokensAreRestrictedForWritesOnly()
    {
        TokenFilter.Filter(Alice_(), FilterTokenFlags.WriteRestricted, null, null, [new SidAndAttributes(WellKnownSids.WriteRestricted, 0)], out var wr);
        Assert.True(wr!.WriteRestricted);
        string sd = $"O:BAG:BAD:(A;;FA;;;{Alice})";
        Assert.True(Check(sd, wr, 0x120089).IsGranted);    // read: the restricting SIDs are not consulted
        Assert.False(Check(sd, wr, 0x2).IsGranted);        // FILE_WRITE_DATA: the restricted pass must grant it
        Assert.True(Check(sd + "(A;;FW;;;WR)", wr, 0x2).IsGranted);
        Assert.False(Check(sd, wr, AccessMask.Delete).IsGranted);
        Assert.Equal(0x1F01FFu & ~AccessCheck.WriteRights(File), Check(sd, wr, AccessMask.MaximumAllowed).GrantedAccess);
    }

    [Fact]
    public void MandatoryIntegrity()
    {
        var low = AliceBuilder();
        low.IntegrityLevel = WellKnownSids.LowIntegrity;
        var lowToken = low.Build();
        // No label: the implicit Medium NO_WRITE_UP label stops a Low token writing.
        Assert.True(Check("O:BAG:BAD:(A;;FA;;;WD)", lowToken, 0x120089).IsGranted);
        Assert.False(Check("O:BAG:BAD:(A;;FA;;;WD)", lowToken, 0x2).IsGranted);
        Assert.False(Check("O:BAG:BAD:(A;;FA;;;WD)", lowToken, AccessMask.Delete).IsGranted);
        Assert.Equal(0x1200A9u, Check("O:BAG:BAD:(A;;FA;;;WD)", lowToken, AccessMask.MaximumAllowed).GrantedAccess);
        // A Low label lets it write.
        Assert.True(Check("O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NW;;;LW)", lowToken, 0x2).IsGranted);
        // NO_READ_UP stops reading from below.
        Assert.False(Check("O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NWNR;;;ME)", lowToken, 0x1).IsGranted);
        Assert.True(Check("O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NWNR;;;ME)", Alice_(), 0x1).IsGranted);
        // An inherit-only label does not apply to the object itself.
        Assert.True(Check("O:BAG:BAD:(A;;FA;;;WD)S:(ML;OIIO;NWNR;;;HI)", Alice_(), 0x3).IsGranted);
        // A token whose policy lacks NO_WRITE_UP is not limited.
        var off = AliceBuilder();
        off.IntegrityLevel = WellKnownSids.LowIntegrity;
        off.MandatoryPolicy = MandatoryPolicy.Off;
        Assert.True(Check("O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NW;;;HI)", off.Build(), 0x2).IsGranted);
    }

    [Fact]
    public void PrivilegesGrantWhatTheDaclCannot()
    {
        var t = AliceBuilder();
        t.AddPrivilege("SeSecurityPrivilege", PrivilegeAttributes.None);
        var disabled = t.Build();
        var r = Check("O:BAG:BAD:", disabled, AccessMask.AccessSystemSecurity);
        Assert.Equal(NtStatus.PrivilegeNotHeld, r.AccessStatus);
        t.PrivilegeList[^1] = Privilege.Create("SeSecurityPrivilege", PrivilegeAttributes.Enabled);
        t.AddPrivilege("SeTakeOwnershipPrivilege");
        var enabled = t.Build();
        r = Check("O:BAG:BAD:", enabled, AccessMask.AccessSystemSecurity | AccessMask.WriteOwner);
        Assert.True(r.IsGranted);
        Assert.Equal(PrivilegesUsed.Security | PrivilegesUsed.TakeOwnership, r.PrivilegesUsed);
        // No DACL ACE can grant ACCESS_SYSTEM_SECURITY.
        Assert.Equal(NtStatus.PrivilegeNotHeld, Check("O:BAG:BAD:(A;;0x1000000;;;WD)", Alice_(), AccessMask.AccessSystemSecurity).AccessStatus);
    }

    [Fact]
    public void PrincipalSelfIsSubstituted()
    {
        string sd = "O:BAG:BAD:(A;;RP;;;PS)";
        Assert.False(AccessCheck.Check(SddlParser.Parse(sd), Alice_(), 0x10, ObjectTypes.DirectoryServiceObject.GenericMapping).IsGranted);
        Assert.True(AccessCheck.Check(SddlParser.Parse(sd), Alice_(), 0x10, ObjectTypes.DirectoryServiceObject.GenericMapping, default, Alice).IsGranted);
        Assert.False(AccessCheck.Check(SddlParser.Parse(sd), Alice_(), 0x10, ObjectTypes.DirectoryServiceObject.GenericMapping, default, Bob).IsGranted);
    }

    [Fact]
    public void ObjectAcesNeedTheObjectTypeList()
    {
        var prop = Guid.Parse("bf967a0a-0de6-11d0-a285-00aa003049e2");
        var set = Guid.Parse("e45795b2-9455-11d1-aebd-0000f80367c1");
        var sd = SddlParser.Parse($"O:BAG:BAD:(OA;;WP;{prop};;WD)");
        var ds = ObjectTypes.DirectoryServiceObject.GenericMapping;
        Assert.False(AccessCheck.Check(sd, Alice_(), 0x20, ds).IsGranted);
        ObjectTypeEntry[] list = [new(0, Guid.NewGuid()), new(1, set), new(2, prop)];
        var granted = new uint[3];
        var statuses = new NtStatus[3];
        var r = AccessCheck.CheckResultList(sd, Alice_(), 0x20, ds, list, granted, statuses);
        Assert.Equal(NtStatus.Success, r.Status);
        // The property is granted; so is its set, whose only property it is, and so the object.
        Assert.Equal([NtStatus.Success, NtStatus.Success, NtStatus.Success], statuses);
        Assert.Equal(0x20u, granted[1]);
        // With a second, ungranted property in the set, only the first property is granted.
        ObjectTypeEntry[] two = [new(0, Guid.NewGuid()), new(1, set), new(2, prop), new(2, Guid.NewGuid())];
        granted = new uint[4];
        statuses = new NtStatus[4];
        AccessCheck.CheckResultList(sd, Alice_(), 0x20, ds, two, granted, statuses);
        Assert.Equal([NtStatus.AccessDenied, NtStatus.AccessDenied, NtStatus.Success, NtStatus.AccessDenied], statuses);
        Assert.False(AccessCheck.Check(sd, Alice_(), 0x20, ds, two).IsGranted);
    }

    [Fact]
    public void CallbackAcesApplyAsTheirConditionsSay()
    {
        var alice = Alice_();
        var explain = new AccessCheckExplanation();
        // The report: Windows grants this to a token holding Users (here Everyone) enabled.
        Assert.True(Check("O:BAG:BAD:(XA;;FA;;;WD;(Member_of{SID(WD)}))", alice, 0x1, null, explain).IsGranted);
        Assert.Contains(explain.Steps, s => s.Kind == ExplanationStepKind.Condition && s.Condition == ConditionResult.True);
        Assert.True(Check("O:BAG:BAD:(XD;;FA;;;WD;(Member_of{SID(BA)}))(A;;FA;;;WD)", alice, 0x1).IsGranted);
        // UNKNOWN: a conditional allow does not apply, a conditional deny does.
        Assert.False(Check("O:BAG:BAD:(XA;;FA;;;WD;(@User.x == 1))", alice, 0x1).IsGranted);
        Assert.False(Check("O:BAG:BAD:(XD;;FA;;;WD;(@User.x == 1))(A;;FA;;;WD)", alice, 0x1).IsGranted);
        // A callback ACE without a condition ("artx") is UNKNOWN: fail closed both ways.
        var raw = new NtSec.Acls.Ace(NtSec.Acls.AceType.AccessAllowedCallback, 0, 0x1, WellKnownSids.World, applicationData: [1, 2, 3, 4]);
        Assert.False(AccessCheck.Check(new SecurityDescriptor(WellKnownSids.BuiltinAdministrators, WellKnownSids.BuiltinAdministrators, new NtSec.Acls.Acl([raw])), alice, 0x1, File).IsGranted);
    }

    [Fact]
    public void ArgumentChecksInWindowsOrder()
    {
        var sd = SddlParser.Parse("O:BAG:BAD:(A;;FA;;;WD)");
        var primary = AliceBuilder();
        primary.Type = TokenType.Primary;
        var anonymous = AliceBuilder();
        anonymous.ImpersonationLevel = SecurityImpersonationLevel.Anonymous;
        Assert.Equal(NtStatus.GenericNotMapped, AccessCheck.Check(sd, primary.Build(), AccessMask.GenericRead, File).Status);
        Assert.Equal(NtStatus.NoImpersonationToken, AccessCheck.Check(sd, primary.Build(), 0x1, File).Status);
        Assert.Equal(NtStatus.GenericNotMapped, AccessCheck.Check(sd, anonymous.Build(), AccessMask.GenericWrite, File).Status);
        Assert.Equal(NtStatus.BadImpersonationLevel, AccessCheck.Check(sd, anonymous.Build(), 0x1, File).Status);
        Assert.Equal(NtStatus.InvalidSecurityDescriptor, AccessCheck.Check(SddlParser.Parse("D:(A;;FA;;;WD)"), Alice_(), 0x1, File).Status);
        var empty = AccessCheck.Check(sd, Alice_(), 0, File);
        Assert.Equal(NtStatus.Success, empty.Status);
        Assert.Equal(NtStatus.AccessDenied, empty.AccessStatus);
        ObjectTypeEntry[] twoRoots = [new(0, Guid.NewGuid()), new(0, Guid.NewGuid())];
        ObjectTypeEntry[] skip = [new(0, Guid.NewGuid()), new(2, Guid.NewGuid())];
        ObjectTypeEntry[] tooDeep = [new(0, Guid.NewGuid()), new(1, Guid.NewGuid()), new(2, Guid.NewGuid()), new(3, Guid.NewGuid()), new(4, Guid.NewGuid()), new(5, Guid.NewGuid())];
        Assert.Equal(NtStatus.InvalidParameter, AccessCheck.Check(sd, Alice_(), 0x1, File, twoRoots).Status);
        Assert.Equal(NtStatus.InvalidParameter, AccessCheck.Check(sd, Alice_(), 0x1, File, skip).Status);
        Assert.Equal(NtStatus.InvalidParameter, AccessCheck.Check(sd, Alice_(), 0x1, File, tooDeep).Status);
    }

    [Fact]
    public void ExplanationNamesEachAceAndStage()
    {
        TokenFilter.Filter(Alice_(), FilterTokenFlags.None, [new SidAndAttributes(WellKnownSids.BuiltinUsers, 0)], null, [new SidAndAttributes(WellKnownSids.Restricted, 0)], out var restricted);
        var explain = new AccessCheckExplanation();
        var r = Check($"O:BAG:BAD:(A;IO;FA;;;WD)(A;;FA;;;BU)(A;;FR;;;{Alice})", restricted!, 0x1, null, explain);
        Assert.False(r.IsGranted);
        string text = explain.ToText(ObjectTypes.File);
        Assert.Contains("inherit-only", text);
        Assert.Contains("deny-only", text);
        Assert.Contains("restricting SIDs", text);
        Assert.Contains("access denied", text);
        Assert.Contains(explain.Steps, s => s.Stage == ExplanationStage.RestrictedPass && s.Outcome == AceOutcome.SidNotInToken);
        Assert.Contains(explain.Steps, s => s.Stage == ExplanationStage.Dacl && s.Outcome == AceOutcome.Granted && s.AceIndex == 2);
    }

    [Fact]
    public void AppContainerNeedsPackageOrCapability()
    {
        var package = Sid.Parse("S-1-15-2-1-2-3-4-5-6-7");
        var cap = Sid.Parse("S-1-15-3-1");
        var b = AliceBuilder();
        b.IntegrityLevel = WellKnownSids.LowIntegrity;
        b.AppContainer = new AppContainerInfo(package, [new SidAndAttributes(cap, GroupAttributes.Enabled)]);
        var ac = b.Build();
        string sd = "O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NW;;;LW)";
        Assert.False(Check(sd, ac, 0x1).IsGranted);
        Assert.True(Check("O:BAG:BAD:(A;;FA;;;WD)(A;;FR;;;AC)S:(ML;;NW;;;LW)", ac, 0x1).IsGranted);
        Assert.True(Check($"O:BAG:BAD:(A;;FA;;;WD)(A;;FR;;;{package})S:(ML;;NW;;;LW)", ac, 0x1).IsGranted);
        Assert.True(Check($"O:BAG:BAD:(A;;FA;;;WD)(A;;FR;;;{cap})S:(ML;;NW;;;LW)", ac, 0x1).IsGranted);
        Assert.False(Check($"O:BAG:BAD:(A;;FA;;;WD)(A;;FR;;;{cap})S:(ML;;NW;;;LW)", ac, 0x2).IsGranted);
    }
}
