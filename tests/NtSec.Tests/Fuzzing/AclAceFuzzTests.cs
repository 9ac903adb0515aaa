using Xunit.Abstractions;

namespace NtSec.Tests.Fuzzing;

/// <summary>Mutation fuzzing of <see cref="Acls.Acl.TryRead"/> and <see cref="Acls.Ace.TryRead"/>.</summary>
public sealed class AclAceFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void MutatedAclBytes_AreReadAndReencodeExactlyOrRejected()
    {
        var meter = new ParseMeter(Oracles.BinaryBudget);
        var report = FuzzHarness.RunAndAssert(output, new FuzzTarget<byte[]>
        {
            Name = "ACL reader",
            Seeds = FuzzCorpus.Acls,
            Mutate = (rng, seed, corpus) => BinaryMutator.Mutate(rng, seed, corpus, BinaryMutator.Shape.Acl),
            Check = bytes => Oracles.AclBinary(bytes, meter),
            Show = FuzzHarness.ShowBytes,
            DefaultIterations = 6000,
            Meter = meter,
        });
        Assert.True(report.Accepted > report.Inputs / 20, $"only {report.Accepted} of {report.Inputs} inputs were read");
        Assert.True(report.Rejected > report.Inputs / 20, $"only {report.Rejected} of {report.Inputs} inputs were rejected");
    }

    [Fact]
    public void MutatedAceBytes_AreReadAndReencodeExactlyOrRejected()
    {
        var meter = new ParseMeter(Oracles.BinaryBudget);
        var report = FuzzHarness.RunAndAssert(output, new FuzzTarget<byte[]>
        {
            Name = "ACE reader",
            Seeds = FuzzCorpus.Aces,
            Mutate = (rng, seed, corpus) => BinaryMutator.Mutate(rng, seed, corpus, BinaryMutator.Shape.Ace),
            Check = bytes => Oracles.AceBinary(bytes, meter),
            Show = FuzzHarness.ShowBytes,
            DefaultIterations = 6000,
            Meter = meter,
        });
        Assert.True(report.Accepted > report.Inputs / 20, $"only {report.Accepted} of {report.Inputs} inputs were read");
        Assert.True(report.Rejected > report.Inputs / 20, $"only {report.Rejected} of {report.Inputs} inputs were rejected");
    }
}
