using BenchmarkDotNet.Attributes;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;

namespace NtSec.Benchmarks;

/// <summary>The access check figures the tokens issue asks for, with a 15-group token.</summary>
[MemoryDiagnoser]
public class AccessCheckBenchmarks
{
    private Token _token = null!;
    private SecurityDescriptor _twoAces = null!;
    private SecurityDescriptor _twentyAces = null!;
    private GenericMapping _mapping;

    /// <summary>A 15-group user token and the descriptors.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _token = Fixtures.FifteenGroupToken();
        _mapping = ObjectTypes.File.GenericMapping;
        _twoAces = SddlParser.Parse("O:BAG:BAD:(A;;FA;;;BA)(A;;FR;;;AU)");
        _twentyAces = SddlParser.Parse(Fixtures.TwentyAceSddl);
    }

    /// <summary>A 2-ACE DACL, read access granted by the second ACE.</summary>
    [Benchmark]
    public bool TwoAceCheck() => AccessCheck.Check(_twoAces, _token, 0x120089, _mapping).IsGranted;

    /// <summary>A 20-ACE DACL whose only matching ACE is the last.</summary>
    [Benchmark]
    public bool TwentyAceCheckMatchLast() => AccessCheck.Check(_twentyAces, _token, 0x120089, _mapping).IsGranted;

    /// <summary>MAXIMUM_ALLOWED over the same 20 ACEs.</summary>
    [Benchmark]
    public uint MaximumAllowedTwentyAces() => AccessCheck.Check(_twentyAces, _token, AccessMask.MaximumAllowed, _mapping).GrantedAccess;
}

/// <summary>Inputs shared by the benchmarks and the <c>ntsec bench</c> command's documentation.</summary>
public static class Fixtures
{
    /// <summary>Nineteen ACEs for SIDs the token lacks, then one for Authenticated Users.</summary>
    public static readonly string TwentyAceSddl = "O:BAG:BAD:" + string.Concat(Enumerable.Range(1, 19).Select(i => $"(A;;FA;;;S-1-5-21-9-9-9-{2000 + i})")) + "(A;;FR;;;AU)";

    /// <summary>A user token with 15 groups.</summary>
    public static Token FifteenGroupToken()
    {
        var domain = Sid.Parse("S-1-5-21-1111-2222-3333");
        var b = new TokenBuilder(domain.Append(1001));
        b.AddGroup(domain.Append(513)).AddGroup(WellKnownSids.World).AddGroup(WellKnownSids.BuiltinUsers)
         .AddGroup(WellKnownSids.Interactive).AddGroup(WellKnownSids.ConsoleLogon).AddGroup(WellKnownSids.AuthenticatedUsers)
         .AddGroup(WellKnownSids.ThisOrganization).AddGroup(WellKnownSids.Local).AddGroup(WellKnownSids.NtlmAuthentication)
         .AddGroup(Sid.Parse("S-1-5-5-0-123456"), GroupAttributes.Mandatory | GroupAttributes.Enabled | GroupAttributes.EnabledByDefault | GroupAttributes.LogonId);
        for (uint i = 0; i < 4; i++) b.AddGroup(domain.Append(3000 + i));
        b.AddGroup(WellKnownSids.MediumIntegrity, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled);
        b.AddPrivilege("SeChangeNotifyPrivilege");
        return b.Build();
    }
}
