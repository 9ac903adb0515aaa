using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using NtSec.Authorization;
using NtSec.Authorization.Matrix;
using NtSec.Descriptors;
using NtSec.Tokens;
using Xunit.Abstractions;
using Xunit.Sdk;
using static NtSec.Tests.Authorization.AccessCheckGenerators;
using NtSec.Sddl;

namespace NtSec.Tests.Authorization;

/// <summary>
/// Every cell of a compiled <see cref="AccessMatrix"/> equals <see cref="AccessCheck.Check"/> on the pair, over
/// generated descriptor and token sets (restricted, AppContainer and conditional cases included, which the matrix
/// sends to the full check), for generated requests, MAXIMUM_ALLOWED and ACCESS_SYSTEM_SECURITY.
/// </summary>
public sealed class AccessMatrixPropertyTests(ITestOutputHelper output)
{
    private sealed record MatrixWorld(SecurityDescriptor[] Descriptors, Token[] Tokens, uint Desired)
    {
        public override string ToString() => $"desired 0x{Desired:x8}\n" + string.Join("\n", Descriptors.Select((d, i) => $"  sd {i} {d.ToSddl()}"))
            + "\n" + string.Join("\n", Tokens.Select((t, i) => $"  token {i} {Describe(t)}"));
    }

    private static Gen<MatrixWorld> MatrixWorldGen { get; } =
        from descriptorCount in Gen.Choose(1, 24)
        from descriptors in AccessCheckGenerators.Descriptor.ArrayOf(descriptorCount)
        from tokenCount in Gen.Choose(1, 21)
        from tokens in AccessCheckGenerators.Token.ArrayOf(tokenCount)
        from desired in Desired
        from duplicate in Chance(30)
        select new MatrixWorld(duplicate ? [.. descriptors, descriptors[0]] : descriptors, tokens, desired);

    [Fact]
    public void EveryCellEqualsTheAccessCheck()
    {
        long cells = 0, granted = 0, compiledTokens = 0, fullCheckTokens = 0, compiledDescriptors = 0, fullCheckDescriptors = 0;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(Math.Max(50, AccessCheckPropertyTests.MaxTest / 8))
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(AccessCheckPropertyTests.DefaultSeed ^ 0x3A7), FSharpOption<int>.None)));
        try
        {
            Prop.ForAll(Arb.From(MatrixWorldGen), w =>
            {
                var matrix = AccessMatrix.Compile(w.Descriptors, w.Tokens, FileMapping);
                compiledTokens += matrix.TokenCount - matrix.FullCheckTokenCount;
                fullCheckTokens += matrix.FullCheckTokenCount;
                compiledDescriptors += matrix.DistinctDescriptorCount - matrix.FullCheckDescriptorCount;
                fullCheckDescriptors += matrix.FullCheckDescriptorCount;
                foreach (uint desired in new[] { w.Desired, AccessMask.MaximumAllowed, AccessMask.MaximumAllowed | AccessMask.AccessSystemSecurity, 0u, AccessMask.GenericRead })
                {
                    int rows = 0;
                    matrix.Evaluate(desired, (d, results) =>
                    {
                        if (d != rows) throw new InvalidOperationException($"row {d} delivered where {rows} was due");
                        rows++;
                        if (results.Length != w.Tokens.Length) throw new InvalidOperationException($"row {d} has {results.Length} cells");
                        for (int t = 0; t < results.Length; t++)
                        {
                            var expected = AccessCheck.Check(w.Descriptors[d], w.Tokens[t], desired, FileMapping);
                            if (results[t] != expected) throw new InvalidOperationException($"desired 0x{desired:x8}, cell ({d}, {t}): matrix {results[t]}, check {expected}\n{w}");
                            cells++;
                            if (expected.IsGranted) granted++;
                        }
                    });
                    if (rows != w.Descriptors.Length) throw new InvalidOperationException($"{rows} rows of {w.Descriptors.Length}");
                }
            }).Check(config);
        }
        catch (Exception ex) when (ex is not XunitException)
        {
            throw new XunitException("the matrix and the access check disagree\n" + ex.Message);
        }
        output.WriteLine($"{cells} cells, {granted} granted; tokens compiled {compiledTokens}, sent to the full check {fullCheckTokens}; descriptors compiled {compiledDescriptors}, sent to the full check {fullCheckDescriptors}");
        Assert.True(granted > cells / 10 && granted < cells * 9 / 10, $"{granted} of {cells} cells granted: too one-sided");
        Assert.True(compiledDescriptors > fullCheckDescriptors / 2, "the compiled form handled too few descriptors");
        Assert.True(compiledTokens > fullCheckTokens, "the compiled form handled fewer tokens than the full check");
    }

    [Fact]
    public void CellsStreamsTheSameResults()
    {
        var gen = MatrixWorldGen.Sample(5, 3);
        foreach (var w in gen)
        {
            var matrix = AccessMatrix.Compile(w.Descriptors, w.Tokens, FileMapping);
            var cells = matrix.Cells(AccessMask.MaximumAllowed).ToList();
            Assert.Equal(w.Descriptors.Length * w.Tokens.Length, cells.Count);
            foreach (var c in cells)
                Assert.Equal(AccessCheck.Check(w.Descriptors[c.DescriptorIndex], w.Tokens[c.TokenIndex], AccessMask.MaximumAllowed, FileMapping), c.Result);
        }
    }
}
