using BenchmarkDotNet.Attributes;
using NtSec.Authorization;
using NtSec.Authorization.Matrix;
using NtSec.Cli.Commands;
using NtSec.Descriptors;
using NtSec.Tokens;

namespace NtSec.Benchmarks;

/// <summary>
/// The compiled matrix (issue 10): compile and evaluate MAXIMUM_ALLOWED for distinct descriptors x tokens. The
/// issue's 100,000 x 1,000 case is <c>dotnet run -c Release -- quick</c> (Quick.cs), which also checks cells.
/// </summary>
[MemoryDiagnoser]
public class MatrixBenchmarks
{
    private SecurityDescriptor[] _descriptors = [];
    private Token[] _tokens = [];
    private AccessMatrix _compiled = null!;
    private readonly GenericMapping _mapping = ObjectTypes.File.GenericMapping;

    /// <summary>1,000 distinct descriptors and 1,000 tokens, and their matrix compiled once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _descriptors = MatrixInputs.Descriptors(1000);
        _tokens = MatrixInputs.Tokens(1000);
        _compiled = AccessMatrix.Compile(_descriptors, _tokens, _mapping);
    }

    /// <summary>Compile and evaluate: the ntsec bench case of the same name.</summary>
    [Benchmark]
    public long Matrix1000x1000()
    {
        long sum = 0;
        AccessMatrix.Compile(_descriptors, _tokens, _mapping).Evaluate(AccessMask.MaximumAllowed, (_, row) => sum += row[0].GrantedAccess);
        return sum;
    }

    /// <summary>Evaluation alone, on the matrix compiled in setup.</summary>
    [Benchmark]
    public long MatrixEvaluateOnly()
    {
        long sum = 0;
        _compiled.Evaluate(AccessMask.MaximumAllowed, (_, row) => sum += row[0].GrantedAccess);
        return sum;
    }
}
