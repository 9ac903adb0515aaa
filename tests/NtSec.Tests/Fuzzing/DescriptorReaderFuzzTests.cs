using Xunit.Abstractions;

namespace NtSec.Tests.Fuzzing;

/// <summary>
/// Mutation fuzzing of <see cref="Descriptors.SecurityDescriptor.TryRead"/> seeded from Windows' bytes: bit flips,
/// truncation, splices, and offsets, sizes and counts set to boundary values.
/// </summary>
public sealed class DescriptorReaderFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void MutatedDescriptorBytes_AreReadAndReencodeOrRejectedWithPositionAndReason()
    {
        var meter = new ParseMeter(Oracles.BinaryBudget);
        var report = FuzzHarness.RunAndAssert(output, new FuzzTarget<byte[]>
        {
            Name = "security descriptor reader",
            Seeds = FuzzCorpus.Descriptors,
            Mutate = (rng, seed, corpus) => BinaryMutator.Mutate(rng, seed, corpus, BinaryMutator.Shape.Descriptor),
            Check = bytes => Oracles.DescriptorBinary(bytes, meter),
            Show = FuzzHarness.ShowBytes,
            DefaultIterations = 10000,
            Meter = meter,
        });
        Assert.True(report.Accepted > report.Inputs / 20, $"only {report.Accepted} of {report.Inputs} inputs were read");
        Assert.True(report.Rejected > report.Inputs / 20, $"only {report.Rejected} of {report.Inputs} inputs were rejected");
        // Every path of the SDDL side is exercised, the exact round trip most.
        Assert.True(report.CountOf(Oracles.SddlRoundTripExact) > report.Accepted / 4, $"only {report.CountOf(Oracles.SddlRoundTripExact)} exact SDDL round trips");
        Assert.True(report.CountOf(Oracles.SddlRoundTripLossy) > 0, "no descriptor with bits SDDL drops");
        Assert.True(report.CountOf(Oracles.InexpressibleInSddl) > 0, "no descriptor SDDL cannot express");
    }
}
