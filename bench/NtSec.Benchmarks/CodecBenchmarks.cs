using BenchmarkDotNet.Attributes;
using NtSec.Cli.Commands;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Benchmarks;

/// <summary>The codec figures the foundation issue asks for: a 10-ACE descriptor through SDDL and through binary.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const string TenAceSddl = BenchmarkInputs.TenAceSddl;

    private byte[] _binary = [];

    /// <summary>Prepares the binary form.</summary>
    [GlobalSetup]
    public void Setup() => _binary = SddlParser.Parse(TenAceSddl).ToBinary();

    /// <summary>SDDL parse then SDDL format.</summary>
    [Benchmark]
    public string SddlRoundTrip() => SddlWriter.Format(SddlParser.Parse(TenAceSddl));

    private readonly char[] _text = new char[4096];

    /// <summary>SDDL parse then SDDL format into a reused buffer, as the floor writes (no string).</summary>
    [Benchmark]
    public int SddlRoundTripToBuffer()
    {
        SddlWriter.TryFormat(SddlParser.Parse(TenAceSddl), _text, out int n, out _);
        return n;
    }

    /// <summary>The floor (SddlFloor.cs) of <see cref="SddlRoundTrip"/> and <see cref="SddlRoundTripToBuffer"/>.</summary>
    [Benchmark]
    public int SddlRoundTripFloor() => SddlFloor.RoundTrip(TenAceSddl);

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
