using Xunit.Abstractions;

namespace NtSec.Tests.Fuzzing;

/// <summary>
/// Mutation fuzzing of <see cref="Sddl.SddlParser.TryParse"/> seeded from the conformance corpus: every input is
/// accepted or rejected with a positioned, reasoned error, within time and allocation budgets, and what is accepted
/// formats back to SDDL and to binary that read back to the same descriptor.
/// </summary>
public sealed class SddlParserFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void MutatedSddl_IsAcceptedAndRoundTripsOrRejectedWithPositionAndReason()
    {
        var meter = new ParseMeter(Oracles.SddlBudget);
        var report = FuzzHarness.RunAndAssert(output, new FuzzTarget<string>
        {
            Name = "SDDL parser",
            Seeds = FuzzCorpus.Sddl,
            Mutate = (rng, seed, corpus) => TextMutator.Mutate(rng, seed, corpus),
            Check = text => Oracles.SddlText(text, meter),
            Show = FuzzHarness.ShowText,
            DefaultIterations = 10000,
            Meter = meter,
        });
        // Mutations that never parse, or never fail, would test nothing.
        Assert.True(report.Accepted > report.Inputs / 20, $"only {report.Accepted} of {report.Inputs} inputs parsed");
        Assert.True(report.Rejected > report.Inputs / 20, $"only {report.Rejected} of {report.Inputs} inputs were rejected");
    }

    [Fact]
    public void MutatedAceStrings_AreAcceptedAndRoundTripOrRejectedWithPositionAndReason()
    {
        var meter = new ParseMeter(Oracles.SddlBudget);
        var report = FuzzHarness.RunAndAssert(output, new FuzzTarget<string>
        {
            Name = "SDDL ACE parser",
            Seeds = FuzzCorpus.AceStrings,
            Mutate = (rng, seed, corpus) => TextMutator.Mutate(rng, seed, corpus),
            Check = text => Oracles.AceText(text, meter),
            Show = FuzzHarness.ShowText,
            DefaultIterations = 6000,
            Meter = meter,
        });
        // Few of the built-in fallback seeds are plain ACEs, hence a lower floor than the other targets.
        Assert.True(report.Accepted > report.Inputs / 50, $"only {report.Accepted} of {report.Inputs} inputs parsed");
        Assert.True(report.Rejected > report.Inputs / 20, $"only {report.Rejected} of {report.Inputs} inputs were rejected");
    }
}
