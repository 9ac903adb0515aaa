using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using Xunit.Abstractions;

namespace NtSec.Tests.Fuzzing;

/// <summary>
/// The fuzz harness can fail: planted exceptions, hangs, slow or greedy parses and malformed errors are reported;
/// the settings, mutators and built-in seeds behave as documented.
/// </summary>
public sealed class FuzzHarnessTests(ITestOutputHelper output)
{
    private static FuzzTarget<string> Target(Func<string, FuzzVerdict> check, IReadOnlyList<string>? seeds = null) => new()
    {
        Name = "planted",
        Seeds = seeds ?? ["a", "b"],
        Mutate = (rng, seed, corpus) => TextMutator.Mutate(rng, seed, corpus),
        Check = check,
        Show = FuzzHarness.ShowText,
        DefaultIterations = 10,
    };

    [Fact]
    public void AnExceptionFromTheCheckIsReportedWithTheSeedAndInput()
    {
        var report = FuzzHarness.Run(output, Target(s => s == "b" ? throw new IndexOutOfRangeException("planted") : FuzzVerdict.Reject), [FuzzSettings.FixedSeed], 5);
        Assert.Null(report.Hang);
        var failure = Assert.Single(report.Failures);
        Assert.Contains("threw IndexOutOfRangeException: planted", failure);
        Assert.Contains("corpus seed #1", failure);
        Assert.Contains("input: \"b\"", failure);
    }

    [Fact]
    public void AHangIsReportedWithTheInputItStuckAt()
    {
        using var release = new ManualResetEventSlim(false);
        try
        {
            var report = FuzzHarness.Run(output, Target(s =>
            {
                if (s == "b") release.Wait();
                return FuzzVerdict.Accept;
            }), [FuzzSettings.FixedSeed], 5, deadline: TimeSpan.FromMilliseconds(300));
            Assert.NotNull(report.Hang);
            Assert.Contains("stuck at corpus seed #1", report.Hang);
        }
        finally
        {
            release.Set(); // let the worker finish
        }
    }

    [Fact]
    public void ASlowParseFailsTheTimeBudget_ButOnlyWhenSlowTwice()
    {
        var meter = new ParseMeter(new ParseBudget(1024, 1) { Time = TimeSpan.FromMilliseconds(20) });
        meter.Run(() => { Thread.Sleep(60); return true; }, 10, out var failure);
        Assert.NotNull(failure);
        Assert.Contains("took", failure);

        int calls = 0;
        bool result = meter.Run(() => { if (calls++ == 0) Thread.Sleep(60); return true; }, 10, out failure);
        Assert.True(result);
        Assert.Null(failure);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void AGreedyParseFailsTheAllocationBudget()
    {
        var meter = new ParseMeter(new ParseBudget(4096, 16));
        meter.Run(() => { GC.KeepAlive(new byte[100_000]); return true; }, 10, out var failure);
        Assert.NotNull(failure);
        Assert.Contains("allocated", failure);

        meter.Run(() => { GC.KeepAlive(new byte[1_000]); return true; }, 10, out failure);
        Assert.Null(failure);
    }

    [Theory]
    [InlineData(-1, "x", 87, "outside")]
    [InlineData(6, "x", 87, "outside")]
    [InlineData(2, " ", 87, "no reason")]
    [InlineData(2, "x", 0, "Win32")]
    public void MalformedErrorsAreCaught(int position, string reason, int win32, string expected)
    {
        var failure = Oracles.CheckError(new ParseError(ParseErrorKind.Syntax, position, reason, win32), 5, "planted");
        Assert.NotNull(failure);
        Assert.Contains(expected, failure);
    }

    [Fact]
    public void WellFormedErrorsPass()
    {
        Assert.Null(Oracles.CheckError(new ParseError(ParseErrorKind.Syntax, 0, "x", 87), 0, "p"));
        Assert.Null(Oracles.CheckError(new ParseError(ParseErrorKind.Syntax, 5, "x", 87), 5, "p"));
        Assert.Contains("without an error", Oracles.CheckError(null, 5, "p"));
    }

    [Theory]
    [InlineData(null, null, 1, null)]
    [InlineData("", "", 1, null)]
    [InlineData("12345", null, 2, null)]
    [InlineData("0x10", "500", 2, 500)]
    [InlineData("-7", "1", 2, 1)]
    [InlineData("4294967295", null, 2, null)]
    public void SettingsAreReadFromTheEnvironmentValues(string? seed, string? iterations, int seedCount, int? expectedIterations)
    {
        Assert.True(FuzzSettings.TryResolve(seed, iterations, out var seeds, out var n, out var error), error);
        Assert.Equal(seedCount, seeds.Count);
        Assert.Equal(FuzzSettings.FixedSeed, seeds[0]);
        Assert.Equal(expectedIterations, n);
    }

    [Theory]
    [InlineData("banana", null)]
    [InlineData("99999999999", null)]
    [InlineData(null, "0")]
    [InlineData(null, "-3")]
    [InlineData(null, "lots")]
    public void MalformedSettingsAreRefused(string? seed, string? iterations)
    {
        Assert.False(FuzzSettings.TryResolve(seed, iterations, out _, out _, out var error));
        Assert.Contains(seed is null ? FuzzSettings.IterationsVariable : FuzzSettings.SeedVariable, error);
    }

    [Fact]
    public void MutatorsAreDeterministicForASeedAndChangeTheirInput()
    {
        string[] corpus = [.. FuzzCorpus.BuiltInSddl];
        byte[][] binary = [.. FuzzCorpus.Descriptors.Take(50)];
        var a = new Random(7);
        var b = new Random(7);
        int changedText = 0, changedBytes = 0;
        for (int i = 0; i < 200; i++)
        {
            string seed = corpus[i % corpus.Length];
            string x = TextMutator.Mutate(a, seed, corpus);
            Assert.Equal(x, TextMutator.Mutate(b, seed, corpus));
            if (x != seed) changedText++;
            byte[] bytes = binary[i % binary.Length];
            byte[] y = BinaryMutator.Mutate(a, bytes, binary, BinaryMutator.Shape.Descriptor);
            Assert.Equal(y, BinaryMutator.Mutate(b, bytes, binary, BinaryMutator.Shape.Descriptor));
            if (!y.AsSpan().SequenceEqual(bytes)) changedBytes++;
        }
        Assert.True(changedText > 180, $"{changedText} of 200 text mutations changed the input");
        Assert.True(changedBytes > 180, $"{changedBytes} of 200 binary mutations changed the input");
    }

    [Fact]
    public void BuiltInSeeds_WhichRunWithoutTheCorpus_AreJudgedWithoutFailures()
    {
        var meter = new ParseMeter(Oracles.SddlBudget);
        var report = FuzzHarness.Run(output, Target(text => Oracles.SddlText(text, meter), FuzzCorpus.BuiltInSddl), [FuzzSettings.FixedSeed], 500);
        Assert.Empty(report.Failures);
        Assert.Null(report.Hang);
        Assert.InRange(report.Accepted, 20, report.Inputs - 50);
    }

    [Fact]
    public void TheSddlOracle_AcceptsWhatSddlCannotCarry_AndRefusesALossyWriter()
    {
        var world = WellKnownSids.World;
        // A raw ACE: the writer must refuse, and does.
        var raw = new SecurityDescriptor(dacl: new Acl([Ace.CreateRaw(0x42, AceFlags.None, [1, 2, 3, 4])]));
        Assert.Null(Oracles.SddlOfBinary(raw).Failure);
        // Control bits, an RM byte and padding after a SID: SDDL drops them, the projection says so.
        var lossy = new SecurityDescriptor(world, world, new Acl([new Ace(AceType.AccessAllowed, AceFlags.None, 1, world, applicationData: new byte[4])]), null,
            SecurityDescriptorControl.OwnerDefaulted | SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.SaclAutoInherited | SecurityDescriptorControl.RmControlValid, rmControl: 9);
        Assert.Null(Oracles.SddlOfBinary(lossy).Failure);
        Assert.Equal("O:WDG:WDD:P(A;;CC;;;WD)", SddlWriter.Format(Oracles.SddlProjection(lossy), null));
        // An allow ACE in a SACL: Windows' parser refuses it there, so the writer must refuse it too.
        var misplaced = new SecurityDescriptor(sacl: new Acl([Ace.Allow(world, 1)]));
        Assert.False(Oracles.SddlCanWrite(misplaced));
        Assert.Equal(Oracles.InexpressibleInSddl, Oracles.SddlOfBinary(misplaced).Kind);
        Assert.False(Oracles.SddlCanWrite(raw));
        Assert.True(Oracles.SddlCanWrite(lossy));
    }
}
