using NtSec.Descriptors;
using NtSec.Sddl;
using NtSec.Tests.Fuzzing;
using Xunit.Abstractions;

namespace NtSec.Tests.Properties;

/// <summary>
/// Properties of <see cref="SecurityDescriptor"/>: the binary round trip is exact for any descriptor; the SDDL round
/// trip gives an equal value for every descriptor SDDL can express, and for the others the writer either says why it
/// cannot or writes the part SDDL carries.
/// </summary>
public sealed class SecurityDescriptorPropertyTests(ITestOutputHelper output)
{
    private static string Show(SecurityDescriptor sd)
        => FuzzHarness.ShowBytes(sd.ToBinary()) + (SddlWriter.TryFormat(sd, FuzzCorpus.Context, SecurityInformation.All, out var text, out _) ? " " + FuzzHarness.ShowText(text!) : "");

    [Fact]
    public void BinaryRoundTripIsExact()
        => PropertyRunner.Check(output, "descriptor binary round trip", Generators.Descriptor, sd =>
        {
            if (Oracles.BinaryRoundTrip(sd) is { } failure) return failure;
            var bytes = sd.ToBinary();
            if ((bytes[3] & 0x80) == 0 || bytes[0] != 1 || bytes[1] != sd.RmControl) return "header is not revision 1, self-relative, with the RM byte";
            SecurityDescriptor.TryRead(bytes, out var back, out _, out _);
            if (back!.DaclState != sd.DaclState || back.SaclState != sd.SaclState) return "ACL states differ after the round trip";
            return null;
        }, maxTest: 300, Show);

    [Fact]
    public void SddlRoundTrip_GivesAnEqualValue_ForDescriptorsSddlCanExpress()
        => PropertyRunner.Check(output, "descriptor SDDL round trip", Generators.SddlDescriptor, sd =>
        {
            if (!SddlWriter.TryFormat(sd, FuzzCorpus.Context, SecurityInformation.All, out string? text, out string? reason))
                return $"TryFormat refused: {reason}";
            if (!SddlParser.TryParse(text, FuzzCorpus.Context, out var back, out var error))
                return $"{FuzzHarness.ShowText(text!)} does not parse: {error}";
            if (!sd.Equals(back)) return $"{FuzzHarness.ShowText(text!)} parses to another value: {FuzzHarness.ShowText(back!.ToSddl(FuzzCorpus.Context))}";
            if (back!.ToSddl(FuzzCorpus.Context) != text) return "formatting is not a fixed point";
            // The same text without a context for the domain aliases is written with full SIDs and reads back equal too.
            string plain = sd.ToSddl(null);
            if (!SddlParser.TryParse(plain, null, out var plainBack, out error) || !sd.Equals(plainBack))
                return $"{FuzzHarness.ShowText(plain)} (no context) does not read back equal: {error}";
            return null;
        }, maxTest: 300, Show);

    [Fact]
    public void ToString_NeverThrows_AndIsTheSddlWhenThereIsOne()
        => PropertyRunner.Check(output, "descriptor ToString", Generators.Descriptor, sd =>
        {
            string text = sd.ToString();
            bool formatted = SddlWriter.TryFormat(sd, null, SecurityInformation.All, out string? sddl, out string? reason);
            string expected = formatted ? sddl! : $"<{reason}>";
            return text == expected ? null : $"ToString() is {FuzzHarness.ShowText(text)}, expected {FuzzHarness.ShowText(expected)}";
        }, maxTest: 200, sd => FuzzHarness.ShowBytes(sd.ToBinary()));

    [Fact]
    public void SddlWriter_NeverThrows_AndWhatItWritesReadsBackToWhatSddlCarries()
        => PropertyRunner.Check(output, "descriptor SDDL writer on any descriptor", Generators.Descriptor, sd =>
        {
            var verdict = Oracles.SddlOfBinary(sd);
            return verdict.Failure;
        }, maxTest: 300, Show);
}
