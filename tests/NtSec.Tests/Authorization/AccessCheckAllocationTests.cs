using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using static NtSec.Tests.Authorization.TestTokens;

namespace NtSec.Tests.Authorization;

/// <summary>
/// Issue 10.1: a check that was not asked to explain allocates nothing on any path: no string for a deny, no
/// boxing, no closure, no array (object type lists up to the stack limit).
/// </summary>
public sealed class AccessCheckAllocationTests
{
    private static readonly GenericMapping File = ObjectTypes.File.GenericMapping;
    private static readonly GenericMapping Ds = ObjectTypes.DirectoryServiceObject.GenericMapping;
    private static readonly SidContext Ctx = new(Domain);

    private static readonly Guid UserClass = Guid.Parse("bf967aba-0de6-11d0-a285-00aa003049e2");
    private static readonly Guid PropertySet = Guid.Parse("4c164200-20c0-11d0-a768-00aa006e0529");
    private static readonly Guid Property = Guid.Parse("bf967950-0de6-11d0-a285-00aa003049e2");
    private static readonly Guid Other = Guid.Parse("bf967a68-0de6-11d0-a285-00aa003049e2");

    private sealed record Case(string Name, SecurityDescriptor Sd, Token Token, uint Desired, GenericMapping Mapping, ObjectTypeEntry[] List, NtStatus Expected);

    private static List<Case> Cases()
    {
        var alice = Alice_();
        TokenFilter.Filter(alice, FilterTokenFlags.None, [new SidAndAttributes(DomainUsers, 0)], null, [new SidAndAttributes(WellKnownSids.Restricted, 0), new SidAndAttributes(WellKnownSids.World, 0)], out var restricted);
        TokenFilter.Filter(alice, FilterTokenFlags.WriteRestricted, null, null, [new SidAndAttributes(WellKnownSids.WriteRestricted, 0)], out var writeRestricted);
        var b = AliceBuilder();
        b.IntegrityLevel = WellKnownSids.LowIntegrity;
        b.AppContainer = new AppContainerInfo(Sid.Parse("S-1-15-2-1-2-3-4-5-6-7"), [new SidAndAttributes(Sid.Parse("S-1-15-3-1"), GroupAttributes.Enabled)]);
        var appContainer = b.Build();
        var low = AliceBuilder();
        low.IntegrityLevel = WellKnownSids.LowIntegrity;
        var lowToken = low.Build();
        var primary = AliceBuilder();
        primary.Type = TokenType.Primary;
        var primaryToken = primary.Build();
        ObjectTypeEntry[] tree = [new(0, UserClass), new(1, PropertySet), new(2, Property), new(2, Other)];
        SecurityDescriptor P(string sddl) => SddlParser.Parse(sddl, Ctx);
        uint max = AccessMask.MaximumAllowed;
        return
        [
            new("allow", P("O:BAG:BAD:(A;;FR;;;WD)"), alice, 0x120089, File, [], NtStatus.Success),
            new("deny match", P("O:BAG:BAD:(D;;FW;;;WD)(A;;FA;;;WD)"), alice, 0x2, File, [], NtStatus.AccessDenied),
            new("deny through a deny-only SID", P($"O:BAG:BAD:(D;;FR;;;{DomainUsers})(A;;FA;;;WD)"), restricted!, 0x1, File, [], NtStatus.AccessDenied),
            new("deny, MAXIMUM_ALLOWED", P("O:BAG:BAD:(A;;0x1;;;WD)(D;;0x3;;;WD)(A;;0x2;;;WD)"), alice, max, File, [], NtStatus.Success),
            new("conditional deny", P("O:BAG:BAD:(XD;;FW;;;WD;(Member_of{SID(WD)}))(A;;FA;;;WD)"), alice, 0x2, File, [], NtStatus.AccessDenied),
            new("conditional allow", P("O:BAG:BAD:(XA;;FA;;;WD;(Member_of{SID(WD)}))"), alice, 0x1, File, [], NtStatus.Success),
            new("conditional allow FALSE", P("O:BAG:BAD:(XA;;FA;;;WD;(Member_of_Any{SID(BG), SID(S-1-5-32-550)}))"), alice, 0x1, File, [], NtStatus.AccessDenied),
            new("conditional deny UNKNOWN", P("O:BAG:BAD:(XD;;FW;;;WD;(@User.Dept == \"HR\" || @Resource.Secrecy >= 2))(A;;FA;;;WD)S:(RA;;;;;WD;(\"Secrecy\",TU,0,1))"), alice, 0x2, File, [], NtStatus.AccessDenied),
            new("conditional allow on a resource attribute", P("O:BAG:BAD:(XA;;FA;;;WD;(@Resource.Project Any_of {\"sql\", \"x\"} && !(Not_Exists @Resource.Project)))S:(RA;;;;;WD;(\"Project\",TS,0,\"Windows\",\"SQL\"))"), alice, 0x1, File, [], NtStatus.Success),
            new("owner and OWNER RIGHTS", P($"O:{Alice}G:BAD:(A;;RC;;;OW)(D;;FW;;;OW)"), alice, max, File, [], NtStatus.Success),
            new("restricted pass", P("O:BAG:BAD:(A;;FA;;;IU)(A;;FR;;;RC)"), restricted!, 0x2, File, [], NtStatus.AccessDenied),
            new("restricted, MAXIMUM_ALLOWED", P("O:BAG:BAD:(A;;FA;;;IU)(A;;FR;;;RC)"), restricted!, max, File, [], NtStatus.Success),
            new("write-restricted pass", P("O:BAG:BAD:(A;;FA;;;WD)"), writeRestricted!, 0x2, File, [], NtStatus.AccessDenied),
            new("write-restricted read", P("O:BAG:BAD:(A;;FA;;;WD)"), writeRestricted!, max, File, [], NtStatus.Success),
            new("AppContainer pass", P("O:BAG:BAD:(A;;FA;;;WD)(A;;FR;;;AC)S:(ML;;NW;;;LW)"), appContainer, max, File, [], NtStatus.Success),
            new("AppContainer denied", P("O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NW;;;LW)"), appContainer, 0x1, File, [], NtStatus.AccessDenied),
            new("label limits", P("O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NWNR;;;ME)"), lowToken, 0x2, File, [], NtStatus.AccessDenied),
            new("label, MAXIMUM_ALLOWED", P("O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NW;;;HI)"), lowToken, max, File, [], NtStatus.Success),
            new("SACL right without the privilege", P("O:BAG:BAD:(A;;FA;;;WD)"), alice, AccessMask.AccessSystemSecurity, File, [], NtStatus.PrivilegeNotHeld),
            new("object types", P($"O:BAG:BAD:(OA;;RP;{Property};;WD)(OD;;WP;{PropertySet};;WD)(A;;LC;;;WD)"), alice, 0x10, Ds, tree, NtStatus.AccessDenied),
            new("object types, MAXIMUM_ALLOWED", P($"O:BAG:BAD:(OA;;RPWP;{PropertySet};;WD)(OD;;WP;{Other};;WD)"), alice, max, Ds, tree, NtStatus.Success),
            new("NULL DACL", P("O:BAG:BA"), alice, max, File, [], NtStatus.Success),
            new("empty request", P("O:BAG:BAD:(A;;FA;;;WD)"), alice, 0, File, [], NtStatus.AccessDenied),
            new("refused: primary token", P("O:BAG:BAD:(A;;FA;;;WD)"), primaryToken, 0x1, File, [], NtStatus.Success),
        ];
    }

    private static AccessCheckResult Run(Case c, Span<uint> granted, Span<NtStatus> statuses)
        => c.List.Length == 0
            ? AccessCheck.Check(c.Sd, c.Token, c.Desired, c.Mapping)
            : AccessCheck.CheckResultList(c.Sd, c.Token, c.Desired, c.Mapping, c.List, granted, statuses);

    [Fact]
    public void TheCasesReachTheirPaths()
    {
        Span<uint> granted = stackalloc uint[8];
        Span<NtStatus> statuses = stackalloc NtStatus[8];
        foreach (var c in Cases())
        {
            var r = Run(c, granted, statuses);
            if (c.Name.StartsWith("refused", StringComparison.Ordinal)) Assert.Equal(NtStatus.NoImpersonationToken, r.Status);
            else Assert.True(c.Expected == r.AccessStatus, $"{c.Name}: {r.AccessStatus.Name}, expected {c.Expected.Name}");
        }
    }

    [Fact]
    public void ACheckWithoutAnExplanationAllocatesNothing()
    {
        var cases = Cases();
        var granted = new uint[8];
        var statuses = new NtStatus[8];
        // Warm up: the first calls JIT-compile, fill static tables and tiers.
        for (int i = 0; i < 50; i++)
            foreach (var c in cases) Run(c, granted, statuses);

        foreach (var c in cases)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) Run(c, granted, statuses);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{c.Name}: {allocated} bytes allocated over 100 checks");
        }
    }

    [Fact]
    public void TheExplanationIsRecordedOnlyWhenAskedFor()
    {
        // The same deny path with an explanation records steps (and allocates them): proof the zero above is not
        // a path that skips the work.
        var c = Cases().Single(x => x.Name == "deny match");
        var explanation = new AccessCheckExplanation();
        AccessCheck.Check(c.Sd, c.Token, c.Desired, c.Mapping, default, null, explanation);
        var deny = explanation.Steps.Single(s => s.Outcome == AceOutcome.Denied);
        Assert.Equal(0, deny.AceIndex);
        Assert.Equal(WellKnownSids.World, deny.Sid);
        Assert.Equal(SidState.Enabled, deny.SidState);
        Assert.Equal(0x2u, deny.Denied);
    }
}
