using NtSec.Acls;
using NtSec.Tests.Fuzzing;
using Xunit.Abstractions;

namespace NtSec.Tests.Properties;

/// <summary>Properties of <see cref="Ace"/> and <see cref="Acl"/>: the binary round trip is exact for every layout.</summary>
public sealed class AclPropertyTests(ITestOutputHelper output)
{
    private static string ShowAce(Ace ace)
    {
        var bytes = new byte[ace.GetBinaryLength()];
        ace.TryWrite(bytes, out _);
        return $"{ace} {FuzzHarness.ShowBytes(bytes)}";
    }

    [Fact]
    public void Ace_BinaryRoundTripIsExact()
        => PropertyRunner.Check(output, "ACE binary round trip", Generators.Ace, ace =>
        {
            int length = ace.GetBinaryLength();
            var bytes = new byte[length + 3];
            if (!ace.TryWrite(bytes, out int written) || written != length) return $"TryWrite wrote {written} of {length} bytes";
            if ((bytes[2] | (bytes[3] << 8)) != length) return "AceSize does not hold the length";
            if (!Ace.TryRead(bytes, out var back, out int read, out var error)) return $"does not read back: {error}";
            if (read != length) return $"reads back {read} of {length} bytes";
            if (!ace.Equals(back) || ace.GetHashCode() != back!.GetHashCode()) return $"reads back to another value: {back}";
            if (back.IsRaw != ace.IsRaw || back.IsObjectAce != ace.IsObjectAce) return "reads back with another layout";
            var again = new byte[length];
            back.TryWrite(again, out _);
            if (!again.AsSpan().SequenceEqual(bytes.AsSpan(0, length))) return "re-encodes to other bytes";
            return Oracles.AceInvariants(ace);
        }, maxTest: 500, ShowAce);

    [Fact]
    public void Acl_BinaryRoundTripIsExact()
        => PropertyRunner.Check(output, "ACL binary round trip", Generators.Acl, acl =>
        {
            var bytes = acl.ToBinary();
            if (bytes.Length != acl.GetBinaryLength()) return "ToBinary length differs from GetBinaryLength";
            if (!Acl.TryRead(bytes, out var back, out int read, out var error)) return $"does not read back: {error}";
            if (read != bytes.Length) return $"reads back {read} of {bytes.Length} bytes";
            if (!acl.Equals(back) || acl.GetHashCode() != back!.GetHashCode()) return "reads back to another value";
            if (back.Revision != acl.Revision || back.Count != acl.Count) return "reads back with another revision or count";
            if (!back.ToBinary().AsSpan().SequenceEqual(bytes)) return "re-encodes to other bytes";
            return null;
        }, maxTest: 300, acl => FuzzHarness.ShowBytes(acl.ToBinary()));
}
