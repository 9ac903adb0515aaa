using BenchmarkDotNet.Attributes;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Benchmarks;

/// <summary>The codec figures the foundation issue asks for: a 10-ACE descriptor through SDDL and through binary.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    /// <summary>A file-share folder descriptor with ten ACEs: domain SIDs, aliases, deny, inherited and hex masks.</summary>
    public const string TenAceSddl =
        "O:S-1-5-21-1004336348-1177238915-682003330-512G:S-1-5-21-1004336348-1177238915-682003330-513" +
        "D:PAI(D;OICI;FA;;;BG)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICIIO;FA;;;CO)" +
        "(A;OICI;0x1301bf;;;S-1-5-21-1004336348-1177238915-682003330-1105)" +
        "(A;OICI;0x1200a9;;;S-1-5-21-1004336348-1177238915-682003330-1106)" +
        "(A;OICI;FR;;;AU)(A;CI;0x100004;;;BU)(A;ID;FX;;;S-1-5-21-1004336348-1177238915-682003330-1107)" +
        "(OA;CI;CR;00299570-246d-11d0-a768-00aa006e0529;;PS)";

    private byte[] _binary = [];

    /// <summary>Prepares the binary form.</summary>
    [GlobalSetup]
    public void Setup() => _binary = SddlParser.Parse(TenAceSddl).ToBinary();

    /// <summary>SDDL parse then SDDL format.</summary>
    [Benchmark]
    public string SddlRoundTrip() => SddlWriter.Format(SddlParser.Parse(TenAceSddl));

    /// <summary>SDDL parse alone.</summary>
    [Benchmark]
    public SecurityDescriptor SddlParse() => SddlParser.Parse(TenAceSddl);

    /// <summary>Binary self-relative parse.</summary>
    [Benchmark]
    public SecurityDescriptor? BinaryParse()
    {
        SecurityDescriptor.TryRead(_binary, out var sd, out _, out _);
        return sd;
    }

    /// <summary>Binary write.</summary>
    [Benchmark]
    public byte[] BinaryWrite() => SddlParser.Parse(TenAceSddl).ToBinary();

    /// <summary>SID string parse.</summary>
    [Benchmark]
    public Sid SidParse() => Sid.Parse("S-1-5-21-1004336348-1177238915-682003330-1105");
}
