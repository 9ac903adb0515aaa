using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Sddl;

/// <summary>
/// The allocation-free SDDL paths of issue 10: formatting into a caller's buffer, SID strings remembered per thread
/// (a second parse of the same text gives exactly what the first gave), and the round trip's allocation bound.
/// </summary>
public sealed class SddlBufferTests
{
    // The benchmarks' descriptor, so the allocation bound asserted here is the one `ntsec bench` measures.
    private const string TenAces = NtSec.Cli.Commands.BenchmarkInputs.TenAceSddl;

    [Theory]
    [InlineData(TenAces)]
    [InlineData("O:BAG:SYD:NO_ACCESS_CONTROLS:(ML;;NW;;;LW)(AU;SAFA;FA;;;WD)")]
    [InlineData("D:(XA;;FA;;;WD;(Member_of {SID(BA)}))")]
    public void FormattingIntoABufferGivesTheStringsText(string sddl)
    {
        var sd = SddlParser.Parse(sddl);
        string expected = SddlWriter.Format(sd);
        var buffer = new char[expected.Length];
        Assert.True(SddlWriter.TryFormat(sd, buffer, out int written, out string? error));
        Assert.Null(error);
        Assert.Equal(expected, new string(buffer, 0, written));

        // One character short: refused, with the lengths, and nothing claimed written.
        Assert.False(SddlWriter.TryFormat(sd, buffer.AsSpan(0, expected.Length - 1), out written, out error));
        Assert.Equal(0, written);
        Assert.Contains(expected.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), error, StringComparison.Ordinal);
    }

    [Fact]
    public void ADescriptorSddlCannotCarryIsRefusedWithItsReason()
    {
        var sd = new SecurityDescriptor(Sid.Create(5), WellKnownSids.LocalSystem);
        Assert.False(SddlWriter.TryFormat(sd, new char[256], out int written, out string? error));
        Assert.Equal(0, written);
        Assert.Contains("no sub-authority", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every SID string parses the same the second time (from the per-thread table) as the first (the full parse),
    /// including the forms the table must leave to the parse: hexadecimal, blanks, signs, clamping, bad endings.
    /// </summary>
    [Theory]
    [InlineData("S-1-5-21-1004336348-1177238915-682003330-1105")]
    [InlineData("S-1-5-32-544")]
    [InlineData("S-1-05-032-0544")]
    [InlineData("S-1-5-32-99999999999")]
    [InlineData("S-1-5-0x20-544")]
    [InlineData("S-1-5-32-0x220")]
    [InlineData("S-1-5- 32-544")]
    [InlineData("S-1-5-32-544 ")]
    [InlineData("S-1-5")]
    [InlineData("S-1-5-")]
    [InlineData("S-1-5--32")]
    [InlineData("S-1-281474976710656-1")]
    [InlineData("s-1-5-32-544")]
    [InlineData("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15")]
    [InlineData("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16")]
    public void ASidStringParsesTheSameEveryTime(string text)
    {
        bool first = Sid.TryParse(text, out var a, out var errorA);
        bool second = Sid.TryParse(text, out var b, out var errorB);
        Assert.Equal(first, second);
        Assert.Equal(errorA, errorB);
        Assert.Equal(a, b);
        if (!first) return;
        Assert.Equal(a.ToString(), b.ToString());
        // In SDDL, where the SID is followed by more text, the same.
        var sd1 = SddlParser.TryParse("O:" + text + "G:BA", null, out var d1, out var e1);
        var sd2 = SddlParser.TryParse("O:" + text + "G:BA", null, out var d2, out var e2);
        Assert.Equal(sd1, sd2);
        Assert.Equal(e1, e2);
        if (sd1) Assert.Equal(d1, d2);
    }

    /// <summary>
    /// The parser's per-thread buffers and SID tables must not leak into its results: a descriptor parsed first is
    /// intact after later parses (of other text and of the same text) on the same thread.
    /// </summary>
    [Fact]
    public void TwoParsesInARowGiveTwoIntactDescriptors()
    {
        const string other = "O:BAG:SYD:(A;;FR;;;S-1-5-21-1004336348-1177238915-682003330-2001)(OD;;RP;bf967aba-0de6-11d0-a285-00aa003049e2;;WD)S:(AU;FA;FA;;;WD)";
        var first = SddlParser.Parse(TenAces);
        var firstBinary = first.ToBinary();
        var second = SddlParser.Parse(other);
        var third = SddlParser.Parse(TenAces);
        Assert.Equal(TenAces, SddlWriter.Format(first));
        Assert.Equal(firstBinary, first.ToBinary());
        Assert.Equal(10, first.Dacl!.Count);
        Assert.Equal(2, second.Dacl!.Count);
        Assert.Equal(other, SddlWriter.Format(second));
        Assert.Equal(first, third);
        Assert.NotSame(first.Dacl, third.Dacl);
        Assert.NotSame(second.Dacl, first.Dacl);
    }

    /// <summary>
    /// The slot tables behind the ACE type, ACE flag and alias lookups answer exactly what the ordinal
    /// case-insensitive compare they replaced answers, for every one- and two-character code over letters in both
    /// cases, digits, and characters that fold to ASCII letters (U+017F LATIN SMALL LETTER LONG S, U+0131 DOTLESS I,
    /// U+212A KELVIN SIGN).
    /// </summary>
    [Fact]
    public void TheCodeTablesAnswerAsTheOrdinalCaseInsensitiveCompare()
    {
        var chars = new List<char>();
        for (char c = 'A'; c <= 'Z'; c++) chars.AddRange([c, char.ToLowerInvariant(c)]);
        chars.AddRange(['0', '_', '\u017F', '\u0131', '\u212A', '\u00E9', '[', '`', '{', '@']);
        var codes = new List<string>();
        foreach (char a in chars)
        {
            codes.Add(a.ToString());
            foreach (char b in chars) codes.Add(string.Concat(a, b));
        }
        foreach (string code in codes)
        {
            var type = NtSec.Acls.AceTypes.All.FirstOrDefault(t => t.SddlCode is { } c && code.Equals(c, StringComparison.OrdinalIgnoreCase));
            Assert.Same(type, NtSec.Acls.AceTypes.FindSddl(code));
            var flag = NtSec.Acls.AceFlagTable.All.FirstOrDefault(f => code.Equals(f.SddlCode, StringComparison.OrdinalIgnoreCase));
            Assert.Same(flag, NtSec.Acls.AceFlagTable.FindSddl(code));
            var alias = SddlSidAliases.All.FirstOrDefault(e => code.Equals(e.Alias, StringComparison.OrdinalIgnoreCase));
            Assert.Same(alias, SddlSidAliases.Find(code));
        }
    }

    /// <summary>
    /// The writer's per-thread SID table remembers what a SID became in one context: the same SID in another context,
    /// a SID too long for a slot, and masks written in hexadecimal still come out right.
    /// </summary>
    [Fact]
    public void TheWritersSidTableKeepsContextsApart()
    {
        var domain = Sid.Parse("S-1-5-21-1004336348-1177238915-682003330");
        var admins = domain.Append(512);
        var sd = new SecurityDescriptor(admins, admins);
        var context = new SidContext(domain);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal("O:DAG:DA", SddlWriter.Format(sd, context));
            Assert.Equal("O:S-1-5-21-1004336348-1177238915-682003330-512G:S-1-5-21-1004336348-1177238915-682003330-512", SddlWriter.Format(sd));
            Assert.Equal("O:DAG:DA", SddlWriter.Format(sd, context with { }));
        }
        const string longSid = "S-1-5-21-4294967295-4294967295-4294967295-4294967295-4294967295-4294967295-4294967295";
        const string hex = "D:(A;;0xffffffff;;;" + longSid + ")(A;;0x1;;;SY)(A;;0x80000000;;;" + longSid + ")(A;;0x1ff;;;BA)";
        // 0x1 and 0x1ff are bit codes (CC; CCDCLCSWRPWPDTLOCR), the others are not: written in hex.
        const string expected = "D:(A;;0xffffffff;;;" + longSid + ")(A;;CC;;;SY)(A;;GR;;;" + longSid + ")(A;;CCDCLCSWRPWPDTLOCR;;;BA)";
        Assert.Equal(expected, SddlWriter.Format(SddlParser.Parse(hex)));
        Assert.Equal(expected, SddlWriter.Format(SddlParser.Parse(hex)));
    }

    [Fact]
    public void TheTenAceRoundTripIntoABufferAllocatesAtMostOneKilobyte()
    {
        var buffer = new char[4096];
        for (int i = 0; i < 10; i++) SddlWriter.TryFormat(SddlParser.Parse(TenAces), buffer, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        const int rounds = 100;
        for (int i = 0; i < rounds; i++) Assert.True(SddlWriter.TryFormat(SddlParser.Parse(TenAces), buffer, out _, out _));
        long perRound = (GC.GetAllocatedBytesForCurrentThread() - before) / rounds;
        Assert.True(perRound <= 1024, $"{perRound} bytes per round trip");
    }
}
