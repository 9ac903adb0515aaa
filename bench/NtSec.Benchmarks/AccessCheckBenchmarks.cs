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
    private Token _financeToken = null!;
    private SecurityDescriptor _conditional = null!;
    private GenericMapping _mapping;
    private Floor.FloorToken _floorToken = null!;
    private Floor.FloorDescriptor _floorTwo = null!;
    private Floor.FloorDescriptor _floorTwenty = null!;

    /// <summary>A 15-group user token and the descriptors.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _token = BenchmarkInputs.FifteenGroupToken();
        _mapping = ObjectTypes.File.GenericMapping;
        _twoAces = SddlParser.Parse(BenchmarkInputs.TwoAceSddl);
        _twentyAces = SddlParser.Parse(BenchmarkInputs.TwentyAceSddl);
        _financeToken = BenchmarkInputs.FinanceToken();
        _conditional = SddlParser.Parse(BenchmarkInputs.ConditionalSddl);
        _floorToken = new Floor.FloorToken(_token);
        _floorTwo = Floor.Compile(_twoAces, _mapping);
        _floorTwenty = Floor.Compile(_twentyAces, _mapping);
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

    /// <summary>A conditional ACE (user claim, group, resource attribute) that grants read: condition evaluation's cost.</summary>
    [Benchmark]
    public uint ConditionalCheck() => AccessCheck.Check(_conditional, _financeToken, BenchmarkInputs.FileGenericRead, _mapping).GrantedAccess;

    /// <summary>The floor (Floor.cs) of <see cref="TwoAceCheck"/>.</summary>
    [Benchmark]
    public uint TwoAceCheckFloor() => Floor.Check(_floorTwo, _floorToken, BenchmarkInputs.FileGenericRead);

    /// <summary>The floor of <see cref="TwentyAceCheckMatchLast"/>.</summary>
    [Benchmark]
    public uint TwentyAceCheckMatchLastFloor() => Floor.Check(_floorTwenty, _floorToken, BenchmarkInputs.FileGenericRead);

    /// <summary>The floor of <see cref="MaximumAllowedTwentyAces"/>.</summary>
    [Benchmark]
    public uint MaximumAllowedTwentyAcesFloor() => Floor.Check(_floorTwenty, _floorToken, AccessMask.MaximumAllowed);
}
