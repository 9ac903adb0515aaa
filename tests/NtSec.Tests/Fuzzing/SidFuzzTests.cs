using Xunit.Abstractions;

namespace NtSec.Tests.Fuzzing;

/// <summary>Mutation fuzzing of <see cref="Principals.Sid.TryParse(ReadOnlySpan{char}, out Principals.Sid, out ParseError?)"/> and <see cref="Principals.Sid.TryRead"/>.</summary>
public sealed class SidFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void MutatedSidStrings_ParseAndPrintBackOrAreRejected()
    {
        var meter = new ParseMeter(Oracles.SidBudget);
        var report = FuzzHarness.RunAndAssert(output, new FuzzTarget<string>
        {
            Name = "SID string parser",
            Seeds = FuzzCorpus.SidStrings,
            Mutate = (rng, seed, corpus) => TextMutator.Mutate(rng, seed, corpus),
            Check = text => Oracles.SidString(text, meter),
            Show = FuzzHarness.ShowText,
            DefaultIterations = 6000,
            Meter = meter,
        });
        Assert.True(report.Accepted > report.Inputs / 20, $"only {report.Accepted} of {report.Inputs} inputs parsed");
        Assert.True(report.Rejected > report.Inputs / 20, $"only {report.Rejected} of {report.Inputs} inputs were rejected");
    }

    [Fact]
    public void MutatedSidBytes_AreReadExactlyOrRejected()
    {
        var meter = new ParseMeter(Oracles.SidBudget);
        var report = FuzzHarness.RunAndAssert(output, new FuzzTarget<byte[]>
        {
            Name = "SID reader",
            Seeds = FuzzCorpus.Sids,
            Mutate = (rng, seed, corpus) => BinaryMutator.Mutate(rng, seed, corpus, BinaryMutator.Shape.Sid),
            Check = bytes => Oracles.SidBinary(bytes, meter),
            Show = FuzzHarness.ShowBytes,
            DefaultIterations = 6000,
            Meter = meter,
        });
        Assert.True(report.Accepted > report.Inputs / 20, $"only {report.Accepted} of {report.Inputs} inputs were read");
        Assert.True(report.Rejected > report.Inputs / 20, $"only {report.Rejected} of {report.Inputs} inputs were rejected");
    }
}
