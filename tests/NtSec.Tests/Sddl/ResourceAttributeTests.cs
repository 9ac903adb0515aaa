using NtSec.Claims;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Sddl;

public sealed class ResourceAttributeTests
{
    private static readonly SidContext Context = new(MachineDomain: Sid.Parse("S-1-5-21-2457507606-2709100691-398136650"));

    private static byte[] U32(int value) => BitConverter.GetBytes((uint)value);

    private static byte[] Utf16z(string s) => [.. System.Text.Encoding.Unicode.GetBytes(s), 0, 0];

    private static byte[] Parse(string text)
    {
        Assert.True(ResourceAttributes.TryParseSddl(text, 0, Context, out var bytes, out var error), $"{text}: {error}");
        Assert.Null(error);
        Assert.Equal(0, bytes.Length % 4);
        return bytes;
    }

    private static string Format(byte[] bytes)
    {
        Assert.True(ResourceAttributes.TryFormatSddl(bytes, Context, out var text), Convert.ToHexStringLower(bytes));
        return text;
    }

    private static void Check(string text, string canonical)
    {
        var bytes = Parse(text);
        Assert.Equal(canonical, Format(bytes));
        Assert.Equal(bytes, Parse(canonical));
    }

    [Fact]
    public void Layout_HeaderOffsetsNameValuesAndPadding()
    {
        var bytes = Parse("(\"abc\",TS,0x3,\"c\", \"de\")");
        byte[] expected =
        [
            .. U32(24), 3, 0, 0, 0, .. U32(3), .. U32(2), // name offset, ValueType 3 + reserved, flags, count
            .. U32(32), .. U32(36),                     // value offsets: right after the name, then after "c"
            .. Utf16z("abc"), .. Utf16z("c"), .. Utf16z("de"),
            0, 0,                                        // 42 bytes, padded to 44
        ];
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Layout_IntegersSidsAndOctetsArePackedInOrder()
    {
        var bytes = Parse("(\"n\",TI,0,-2,0x10)");
        byte[] ints = [.. U32(24), 1, 0, 0, 0, .. U32(0), .. U32(2), .. U32(28), .. U32(36), .. Utf16z("n"), .. BitConverter.GetBytes(-2L), .. BitConverter.GetBytes(16L)];
        Assert.Equal(Convert.ToHexStringLower(ints), Convert.ToHexStringLower(bytes));

        bytes = Parse("(\"n\",TD,0,WD)");
        byte[] sid = [.. U32(20), 5, 0, 0, 0, .. U32(0), .. U32(1), .. U32(24), .. Utf16z("n"), .. U32(12), .. Sid.Parse("S-1-1-0").BinaryForm.ToArray()];
        Assert.Equal(Convert.ToHexStringLower(sid), Convert.ToHexStringLower(bytes));

        bytes = Parse("(\"n\",TX,0,#010203)");
        byte[] octets = [.. U32(20), 0x10, 0, 0, 0, .. U32(0), .. U32(1), .. U32(24), .. Utf16z("n"), .. U32(3), 1, 2, 3, 0];
        Assert.Equal(Convert.ToHexStringLower(octets), Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void EveryType_RoundTrips()
    {
        Check("(\"Project\",TS,0,\"Windows\",\"SQL\")", "(\"Project\",TS,0x0,\"Windows\",\"SQL\")");
        Check("(\"Secrecy\",TU,0,3)", "(\"Secrecy\",TU,0x0,3)");
        Check("(\"big\",TU,0x0,18446744073709551615,0xff,017)", "(\"big\",TU,0x0,18446744073709551615,255,15)");
        Check("(\"i\",TI,0,-9223372036854775808,9223372036854775807,+1,0)", "(\"i\",TI,0x0,-9223372036854775808,9223372036854775807,1,0)");
        Check("(\"s\",td,0,BA,S-1-5-21-2457507606-2709100691-398136650-500,S-1-5-21-1-2-3-4)", "(\"s\",TD,0x0,BA,LA,S-1-5-21-1-2-3-4)");
        Check("(\"x\",TX,0,#0102,##1,abcdef,#)", "(\"x\",TX,0x0,#0102,#01,#abcdef,#)");
        Check("(\"b\",tb,0x20,1,0)", "(\"b\",TB,0x20,1,0)");
        Check("(\"empty\",TS,0xffffffff)", "(\"empty\",TS,0xffffffff)");
        Check("( \"blanks\" , TI , 2 , 1 , 2 )", "(\"blanks\",TI,0x2,1,2)");
        Check("(\"odd name (x);y\",TS,0,\"v a l\")", "(\"odd name (x);y\",TS,0x0,\"v a l\")");
    }

    [Fact]
    public void Model_ReadsBackTypedValues()
    {
        Assert.True(ResourceAttributes.TryParse("(\"m\",TX,0x1,#00ff)", 0, Context, out var attribute, out _));
        Assert.Equal("m", attribute!.Name);
        Assert.Equal(ClaimValueType.OctetString, attribute.ValueType);
        Assert.Equal(ClaimSecurityAttributeFlags.NonInheritable, attribute.Flags);
        Assert.Equal(new byte[] { 0, 0xff }, ((ReadOnlyMemory<byte>)attribute.Values[0]).ToArray());

        var built = new ClaimSecurityAttribute("n", ClaimValueType.Sid, ClaimSecurityAttributeFlags.None, [WellKnownSids.LocalSystem]);
        Assert.True(ClaimSecurityAttribute.TryReadRelative(built.ToRelative(), out var read, out _));
        Assert.Equal(WellKnownSids.LocalSystem, (Sid)read!.Values[0]);
        Assert.True(ResourceAttributes.TryFormat(read, Context, out var text));
        Assert.Equal("(\"n\",TD,0x0,SY)", text);
    }

    [Fact]
    public void Model_RefusesValuesOfTheWrongType()
    {
        Assert.Throws<ArgumentException>(() => new ClaimSecurityAttribute("n", ClaimValueType.Int64, 0, ["1"]));
        Assert.Throws<ArgumentException>(() => new ClaimSecurityAttribute("n", ClaimValueType.String, 0, [1L]));
        Assert.Throws<ArgumentException>(() => new ClaimSecurityAttribute("", ClaimValueType.String, 0, []));
        // FQBN claims live on tokens only: the model takes them, the relative (RA) form refuses them.
        Assert.Throws<ArgumentException>(() => new ClaimSecurityAttribute("n", ClaimValueType.Fqbn, 0, ["x"]));
        Assert.Throws<InvalidOperationException>(() => new ClaimSecurityAttribute("n", ClaimValueType.Fqbn, 0, []).ToRelative());
        Assert.Throws<ArgumentException>(() => new ClaimSecurityAttribute("n", (ClaimValueType)0x99, 0, []));
        Assert.Throws<ArgumentException>(() => new ClaimSecurityAttribute("n", ClaimValueType.Sid, 0, [default(Sid)]));
    }

    [Fact]
    public void InAnSddlString()
    {
        var sd = SddlParser.Parse("S:(RA;CI;;;;S-1-1-0; (\"Project\",TS,0,\"Windows\",\"SQL\"))(RA;CI;;;;S-1-1-0; (\"Secrecy\",TU,0,3))", Context);
        Assert.Equal("S:(RA;CI;;;;WD;(\"Project\",TS,0x0,\"Windows\",\"SQL\"))(RA;CI;;;;WD;(\"Secrecy\",TU,0x0,3))", sd.ToSddl(Context));
        Assert.False(SddlParser.TryParse("S:(RA;;;;;WD;(\"x\",TU,0,-1))", Context, out _, out var error));
        Assert.Equal("S:(RA;;;;;WD;(\"x\",TU,0,".Length, error!.Position);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("\"x\",TS,0)", 0)]
    [InlineData("(x,TS,0)", 1)]
    [InlineData("(\"x,TS,0)", 1)]
    [InlineData("(\"\",TS,0)", 2)]
    [InlineData("(\"x\"TS,0)", 4)]
    [InlineData("(\"x\",TZ,0)", 5)]
    [InlineData("(\"x\",TSS,0)", 5)]
    [InlineData("(\"x\",TS)", 7)]
    [InlineData("(\"x\",TS,)", 8)]
    [InlineData("(\"x\",TS,-1)", 8)]
    [InlineData("(\"x\",TS,0x100000000)", 8)]
    [InlineData("(\"x\",TS,0", 9)]
    [InlineData("(\"x\",TS,0,)", 10)]
    [InlineData("(\"x\",TS,0,1)", 10)]
    [InlineData("(\"x\",TS,0,\"a)", 10)]
    [InlineData("(\"x\",TS,0,\"a\" \"b\")", 14)]
    [InlineData("(\"x\",TI,0,9223372036854775808)", 10)]
    [InlineData("(\"x\",TI,0,1a)", 11)]
    [InlineData("(\"x\",TU,0,-1)", 10)]
    [InlineData("(\"x\",TU,0,18446744073709551616)", 29)]
    [InlineData("(\"x\",TB,0,2)", 10)]
    [InlineData("(\"x\",TD,0,XX)", 10)]
    [InlineData("(\"x\",TD,0,S-1-x)", 14)]
    [InlineData("(\"x\",TD,0,)", 10)]
    [InlineData("(\"x\",TX,0,#12g)", 13)]
    [InlineData("(\"x\",TX,0,zz)", 10)]
    [InlineData("(\"x\",TS,0) x", 11)]
    public void Malformed_IsRejectedWithAPositionInsideTheText(string text, int position)
    {
        const int offset = 500;
        Assert.False(ResourceAttributes.TryParseSddl(text, offset, Context, out var bytes, out var error), text);
        Assert.Empty(bytes);
        Assert.False(string.IsNullOrWhiteSpace(error!.Reason));
        Assert.InRange(error.Position, offset, offset + text.Length);
        Assert.Equal(offset + position, error.Position);
    }

    public static TheoryData<string, byte[]> InvalidBlocks => new()
    {
        { "empty", [] },
        { "short header", new byte[15] },
        { "unknown type", [.. U32(16), 7, 0, 0, 0, .. U32(0), .. U32(0), .. Utf16z("n")] },
        { "FQBN has no relative form", [.. U32(16), 4, 0, 0, 0, .. U32(0), .. U32(0), .. Utf16z("n")] },
        { "offsets past the end", [.. U32(16), 3, 0, 0, 0, .. U32(0), .. U32(1000), .. Utf16z("n")] },
        { "name past the end", [.. U32(99), 3, 0, 0, 0, .. U32(0), .. U32(0), .. Utf16z("n")] },
        { "name without NUL", [.. U32(16), 3, 0, 0, 0, .. U32(0), .. U32(0), (byte)'n', 0] },
        { "empty name", [.. U32(16), 3, 0, 0, 0, .. U32(0), .. U32(0), 0, 0] },
        { "int value past the end", [.. U32(20), 1, 0, 0, 0, .. U32(0), .. U32(1), .. U32(22), .. Utf16z("n"), 1, 2, 3] },
        { "octet length past the end", [.. U32(20), 0x10, 0, 0, 0, .. U32(0), .. U32(1), .. U32(24), .. Utf16z("n"), .. U32(50), 1] },
        { "SID value not a SID", [.. U32(20), 5, 0, 0, 0, .. U32(0), .. U32(1), .. U32(24), .. Utf16z("n"), .. U32(2), 1, 5] },
        { "boolean 2", [.. U32(20), 6, 0, 0, 0, .. U32(0), .. U32(1), .. U32(24), .. Utf16z("n"), .. BitConverter.GetBytes(2L)] },
        { "name holding a quote", [.. U32(16), 3, 0, 0, 0, .. U32(0), .. U32(0), .. Utf16z("a\"b")] },
        { "string value holding a quote", [.. U32(20), 3, 0, 0, 0, .. U32(0), .. U32(1), .. U32(24), .. Utf16z("n"), .. Utf16z("\"")] },
    };

    [Theory]
    [MemberData(nameof(InvalidBlocks))]
    public void InvalidBlocks_AreRefusedWithoutThrowing(string why, byte[] bytes)
    {
        Assert.False(ResourceAttributes.TryFormatSddl(bytes, Context, out var text), why);
        Assert.Equal("", text);
    }

    [Fact]
    public void Fuzz_MutatedBlocksAndTextNeverThrow()
    {
        var random = new Random(42);
        string[] seeds = ["(\"colour\",TS,0,\"blue\", \"red\")", "(\"n\",TI,0x5,-1,2,0x7f)", "(\"s\",TD,0,BA,S-1-5-18)", "(\"x\",TX,0,#0102,abc)", "(\"b\",TB,0,1,0)"];
        const string alphabet = "(),\"#0123456789abxTSIUDXB- S";
        for (int round = 0; round < 10_000; round++)
        {
            var seed = seeds[random.Next(seeds.Length)];
            var valid = Parse(seed);
            var bytes = (byte[])valid.Clone();
            for (int e = 0, n = 1 + random.Next(3); e < n; e++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            if (ResourceAttributes.TryFormatSddl(bytes, Context, out var text))
                Assert.True(ResourceAttributes.TryParseSddl(text, 0, Context, out _, out var error), $"{text}: {error}");

            var chars = seed.ToCharArray();
            chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            var mutated = new string(chars);
            if (ResourceAttributes.TryParseSddl(mutated, 3, Context, out var parsed, out var parseError))
                Assert.Equal(parsed, Parse(Format(parsed)));
            else
                Assert.InRange(parseError!.Position, 3, 3 + mutated.Length);
        }
    }
}
