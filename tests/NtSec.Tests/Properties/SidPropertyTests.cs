using System.Text.RegularExpressions;
using FsCheck.Fluent;
using NtSec.Principals;
using NtSec.Tests.Fuzzing;
using Xunit.Abstractions;

namespace NtSec.Tests.Properties;

/// <summary>Properties of <see cref="Sid"/>: binary and string round trips and Windows' string format.</summary>
public sealed partial class SidPropertyTests(ITestOutputHelper output)
{
    [GeneratedRegex("^S-1-(0|[1-9][0-9]*|0x[1-9A-F][0-9A-F]*)(-(0|[1-9][0-9]*)){1,15}$")]
    private static partial Regex WindowsForm();

    [Fact]
    public void BinaryForm_ReadsBackToTheSameSid()
        => PropertyRunner.Check(output, "SID binary round trip", Generators.Sid(), sid =>
        {
            var bytes = sid.BinaryForm.ToArray();
            if (bytes.Length != 8 + (4 * sid.SubAuthorityCount)) return $"binary length {bytes.Length} for {sid.SubAuthorityCount} sub-authorities";
            if (!Sid.TryRead(bytes, out var back, out int read, out var error)) return $"does not read back: {error}";
            if (read != bytes.Length || back != sid || back.GetHashCode() != sid.GetHashCode()) return "reads back to another SID";
            if (Sid.FromBinary(bytes) != sid) return "FromBinary differs";
            // A longer buffer reads the same SID and leaves the rest.
            if (!Sid.TryRead([.. bytes, 0xAA, 0xBB], out back, out read, out _) || read != bytes.Length || back != sid) return "trailing bytes change the SID read";
            return null;
        }, maxTest: 400);

    [Fact]
    public void ToString_ParsesBackToTheSameSid()
        => PropertyRunner.Check(output, "SID string round trip", Generators.Sid(minSubAuthorities: 1), sid =>
        {
            string text = sid.ToString();
            if (!Sid.TryParse(text, out var back, out var error)) return $"{text} does not parse: {error}";
            if (back != sid) return $"{text} parses to {back}";
            if (!Sid.TryParse(text.ToLowerInvariant(), out back, out _) || back != sid) return "the lower-case form parses to another SID";
            return null;
        }, maxTest: 400);

    [Fact]
    public void ToString_IsWindowsFormat_DecimalBelow2Pow32_UpperHexFrom2Pow32()
        => PropertyRunner.Check(output, "SID string format", Generators.Sid(minSubAuthorities: 1), sid =>
        {
            string text = sid.ToString();
            if (!WindowsForm().IsMatch(text)) return $"{text} is not S-1-<decimal or 0x upper-case hex>-<decimal>...";
            bool hex = text.StartsWith("S-1-0x", StringComparison.Ordinal);
            if (hex != sid.IdentifierAuthority >= 0x1_0000_0000UL) return $"{text}: authority {sid.IdentifierAuthority} written {(hex ? "in hex" : "in decimal")}";
            if (text != Oracles.WindowsSidFormat(sid)) return $"{text}, expected {Oracles.WindowsSidFormat(sid)}";
            // ISpanFormattable: exactly the string's length is enough, one less is refused without throwing.
            var buffer = new char[text.Length];
            if (!sid.TryFormat(buffer, out int written, default, null) || new string(buffer, 0, written) != text) return "TryFormat into an exact buffer differs";
            if (sid.TryFormat(buffer.AsSpan(0, text.Length - 1), out _, default, null)) return "TryFormat into a short buffer succeeded";
            return null;
        }, maxTest: 400);

    [Fact]
    public void SidWithoutSubAuthorities_PrintsButIsRefusedAsText()
        => PropertyRunner.Check(output, "SID without sub-authorities", Generators.Authority.Select(a => Sid.Create(a)), sid =>
        {
            string text = sid.ToString();
            if (text != Oracles.WindowsSidFormat(sid)) return $"{text}, expected {Oracles.WindowsSidFormat(sid)}";
            if (Sid.TryParse(text, out _, out var error)) return $"{text} parsed; Windows refuses a SID without sub-authorities";
            return Oracles.CheckError(error, text.Length, "Sid.TryParse");
        }, maxTest: 100);

    [Theory]
    [InlineData(0xffff_ffffUL, "S-1-4294967295-1")]
    [InlineData(0x1_0000_0000UL, "S-1-0x100000000-1")]
    [InlineData(0x131313131313UL, "S-1-0x131313131313-1")]
    [InlineData(0xabcdef012345UL, "S-1-0xABCDEF012345-1")]
    [InlineData(0xffff_ffff_ffffUL, "S-1-0xFFFFFFFFFFFF-1")]
    public void Authority_IsWrittenAsWindowsWritesIt(ulong authority, string expected)
    {
        var sid = Sid.Create(authority, 1);
        Assert.Equal(expected, sid.ToString());
        Assert.Equal(sid, Sid.Parse(expected));
    }

    [Theory]
    [InlineData("s-1-0x100000000-1", "S-1-0x100000000-1")]
    [InlineData("S-1-0xabcdef012345-1", "S-1-0xABCDEF012345-1")]
    [InlineData("S-1-0x000000005-18", "S-1-5-18")]
    public void ParsedAuthority_IsReprintedInWindowsForm(string input, string expected)
        => Assert.Equal(expected, Sid.Parse(input).ToString());
}
