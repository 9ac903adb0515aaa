using BenchmarkDotNet.Attributes;
using NtSec.Cli.Commands;
using NtSec.Authorization;
using NtSec.Descriptors;
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
        _token = BenchmarkInputs.FifteenGroupToken();
        _mapping = ObjectTypes.File.GenericMapping;
        _twoAces = SddlParser.Parse(BenchmarkInputs.TwoAceSddl);
        _twentyAces = SddlParser.Parse(BenchmarkInputs.TwentyAceSddl);
    }

    /// <summary>A 2-ACE DACL, read access granted by the second ACE.</summary>
    [Benchmark]
    public bool TwoAceCheck() => AccessCheck.Check(_twoAces, _token, BenchmarkInputs.FileGenericRead, _mapping).IsGranted;

    /// <summary>A 20-ACE DACL whose only matching ACE is the last.</summary>
    [Benchmark]
    public bool TwentyAceCheckMatchLast() => AccessCheck.Check(_twentyAces, _token, BenchmarkInputs.FileGenericRead, _mapping).IsGranted;

    /// <summary>MAXIMUM_ALLOWED over the same 20 ACEs.</summary>
    [Benchmark]
    public uint MaximumAllowedTwentyAces() => AccessCheck.Check(_twentyAces, _token, AccessMask.MaximumAllowed, _mapping).GrantedAccess;
}
