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
/// generated descriptor and token sets (restricted, write-restricted and AppContainer tokens, which the matrix
/// compiles, and conditional ACEs, which it sends to the full check), for generated requests, MAXIMUM_ALLOWED and
/// ACCESS_SYSTEM_SECURITY.
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
        long restricted = 0, writeRestricted = 0, appContainer = 0;
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
                restricted += w.Tokens.Count(t => t.IsRestricted && !t.WriteRestricted);
                writeRestricted += w.Tokens.Count(t => t.WriteRestricted);
                appContainer += w.Tokens.Count(t => t.IsAppContainer);
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
        output.WriteLine($"{cells} cells, {granted} granted; tokens compiled {compiledTokens} ({restricted} restricted, {writeRestricted} write-restricted, {appContainer} AppContainer), sent to the full check {fullCheckTokens}; descriptors compiled {compiledDescriptors}, sent to the full check {fullCheckDescriptors}");
        Assert.True(granted > cells / 10 && granted < cells * 9 / 10, $"{granted} of {cells} cells granted: too one-sided");
        Assert.True(compiledDescriptors > fullCheckDescriptors / 2, "the compiled form handled too few descriptors");
        Assert.True(compiledTokens > fullCheckTokens, "the compiled form handled fewer tokens than the full check");
        // Only tokens the call refuses go to the full check, so these passes ran in the compiled form.
        Assert.True(restricted > 50 && writeRestricted > 50 && appContainer > 50, $"too few restricted ({restricted}), write-restricted ({writeRestricted}) or AppContainer ({appContainer}) tokens");
    }

    /// <summary>
    /// The one place where the restricted pass's early end decides a cell: a write-restricted token asks for read
    /// and write; its restricting SID is first denied the read (not a write right, so that alone does not decide)
    /// and only then allowed the write. The check ends the restricted pass at the deny, so the write is not granted
    /// by that pass; the compiled pass must stop at the same ACE. Also the restricted pass's own owner rights.
    /// </summary>
    [Fact]
    public void TheRestrictedPassStopsWhereTheCheckStops()
    {
        const uint read = 0x0012_0089, write = 0x0012_0116;
        var sds = new[]
        {
            // A deny of read to the restricting SID (RESTRICTED, not one of Alice's groups), then an allow of write to
            // it; Alice herself is allowed everything.
            SddlParser.Parse("O:BAG:BAD:(D;;FR;;;RC)(A;;FW;;;RC)(A;;FA;;;" + TestTokens.Alice + ")"),
            // The same with the allow first: nothing stops the pass before the write is granted.
            SddlParser.Parse("O:BAG:BAD:(A;;FW;;;RC)(D;;FR;;;RC)(A;;FA;;;" + TestTokens.Alice + ")"),
            // Owned by Alice with OWNER RIGHTS, and with the owner's implied rights, for the restricted pass.
            SddlParser.Parse("O:" + TestTokens.Alice + "G:BAD:(A;;FA;;;" + TestTokens.Alice + ")(A;;0x1;;;OW)"),
            SddlParser.Parse("O:" + TestTokens.Alice + "G:BAD:(A;;FA;;;" + TestTokens.Alice + ")"),
        };
        var writeRestricted = TestTokens.AliceBuilder();
        writeRestricted.AddRestrictedSid(NtSec.Principals.WellKnownSids.Restricted);
        writeRestricted.WriteRestricted = true;
        var restricted = TestTokens.AliceBuilder();
        restricted.AddRestrictedSid(NtSec.Principals.WellKnownSids.Restricted);
        var restrictedToOwner = TestTokens.AliceBuilder();
        restrictedToOwner.AddRestrictedSid(TestTokens.Alice);
        var tokens = new[] { writeRestricted.Build(), restricted.Build(), restrictedToOwner.Build(), TestTokens.Alice_() };
        var matrix = AccessMatrix.Compile(sds, tokens, FileMapping);
        Assert.Equal(0, matrix.FullCheckTokenCount);
        // The case the test is for: write granted by the first pass, denied by the stopped restricted pass.
        Assert.False(AccessCheck.Check(sds[0], tokens[0], read | write, FileMapping).IsGranted);
        Assert.True(AccessCheck.Check(sds[1], tokens[0], read | write, FileMapping).IsGranted);
        foreach (uint desired in new[] { read | write, read, write, AccessMask.MaximumAllowed, AccessMask.ReadControl | AccessMask.WriteDac, 0x1u })
            matrix.Evaluate(desired, (d, row) =>
            {
                for (int t = 0; t < row.Length; t++)
                    Assert.Equal(AccessCheck.Check(sds[d], tokens[t], desired, FileMapping), row[t]);
            });
    }

    /// <summary>
    /// Descriptors equal in value are compiled once whether or not they are one object, and every row still holds its
    /// own descriptor's cells; descriptors that differ in one ACE's mask, or in its order, are not merged.
    /// </summary>
    [Fact]
    public void EqualDescriptorsAreCompiledOnceAndDifferentOnesAreNot()
    {
        string text = "O:BAG:BAD:(A;;FR;;;" + TestTokens.Alice + ")(D;;FW;;;WD)";
        var first = SddlParser.Parse(text);
        var sds = new[]
        {
            first,
            SddlParser.Parse(text),
            SddlParser.Parse("O:BAG:BAD:(A;;FA;;;" + TestTokens.Alice + ")(D;;FW;;;WD)"),
            first,
            SddlParser.Parse("O:BAG:BAD:(D;;FW;;;WD)(A;;FR;;;" + TestTokens.Alice + ")"),
            SddlParser.Parse(text),
        };
        var tokens = new[] { TestTokens.Alice_() };
        var matrix = AccessMatrix.Compile(sds, tokens, FileMapping);
        Assert.Equal(6, matrix.DescriptorCount);
        Assert.Equal(3, matrix.DistinctDescriptorCount);
        int rows = 0;
        matrix.Evaluate(AccessMask.MaximumAllowed, (d, row) =>
        {
            Assert.Equal(rows++, d);
            Assert.Equal(AccessCheck.Check(sds[d], tokens[0], AccessMask.MaximumAllowed, FileMapping), row[0]);
        });
        Assert.Equal(6, rows);
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

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 1000, 3)]
    [InlineData(100_000, 1000, 1024)]
    [InlineData(100_000, 100_000, 41)]
    [InlineData(100_000, 10_000_000, 1)]
    [InlineData(0, 5, 1)]
    public void ResultBlocksHoldNoMoreRowsThanThereAreDescriptors(int descriptors, int tokens, int rows)
        => Assert.Equal(rows, AccessMatrix.BlockRows(descriptors, tokens));
}
