using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Claims;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using static NtSec.Tests.Authorization.TestTokens;

namespace NtSec.Tests.Authorization;

/// <summary>
/// The evaluator against Windows-checked expectations. Sources: Samba's krb5 conditional ACE tests, which run against
/// a Windows Server DC (samba-team/samba python/samba/tests/krb5/conditional_ace_tests.py, claim_against_claim_cases,
/// claim_against_literal_cases and pac_claim_cases: None there is UNKNOWN here), and MS-DTYP 2.4.4.17 examples.
/// </summary>
public sealed class ConditionEvaluatorTests
{
    private const ConditionValue T = ConditionValue.True, F = ConditionValue.False, U = ConditionValue.Unknown;

    private static ClaimSecurityAttribute Strings(string name, params string[] values) => new(name, ClaimValueType.String, 0, values);

    private static Token With(params ClaimSecurityAttribute[] claims)
    {
        var b = AliceBuilder();
        b.UserClaims = [.. claims];
        return b.Build();
    }

    private static ConditionValue Eval(string condition, Token token, Acl? sacl = null, bool deny = false, ConditionTrace? trace = null)
    {
        Assert.True(ConditionalExpressions.TryCompile(condition, 0, null, out var code, out var error), error?.ToString());
        return ConditionEvaluator.Evaluate(code, token, sacl, deny, null, trace);
    }

    // Samba's claim_against_claim_cases: (@User.claim0 op @User.claim1), an empty array meaning the claim is absent.
    public static TheoryData<string[], string, string[], ConditionValue> ClaimAgainstClaim => new()
    {
        { [], "==", [], U },
        { [], "!=", [], U },
        { ["a"], "==", [], U },
        { [], "==", ["b"], U },
        { ["foo"], "==", ["foo"], T },
        { ["foo"], "==", ["bar"], F },
        { ["foo"], "!=", ["foo"], F },
        { ["foo"], "!=", ["bar"], T },
        { ["cat"], "<", ["dog"], T },
        { ["cat"], "<=", ["dog"], T },
        { ["cat"], ">", ["dog"], F },
        { ["cat"], ">=", ["dog"], F },
        { ["foo"], "<=", ["foo"], T },
        { ["foo"], ">=", ["foo"], T },
        { ["foo"], "<", ["foo bar"], T },
        { ["foo bar"], ">", ["foo"], T },
        { ["foo bar"], "==", ["Foo BAR"], T },
        { ["ｆｏｏ ｂａｒ"], "==", ["ＦＯＯ ＢＡＲ"], T },
        { ["ćàț"], "==", ["ĆÀȚ"], T },
        { ["ḽ"], "==", ["Ḽ"], T },
        { ["ⅸ"], "==", ["Ⅸ"], T },
        { ["ꙭ"], "==", ["Ꙭ"], T },
        { ["ⱦ"], "==", ["Ⱦ"], T },
        { ["ԛԣ"], "==", ["ԚԢ"], T },
        { ["foo"], "<", ["ｆｏｏ"], T },
        { ["ćàș"], "<", ["ĆÀȚ"], T },
        { ["cat"], "<", ["ćàț"], T },
        { ["A"], "<", ["_"], T },
        { ["a"], "<", ["_"], T },
        { ["ß"], "<", ["ẞ"], T },
        { ["ß"], ">", ["SS"], T },
        { ["ⳬ"], ">", ["Ⳬ"], T },
        { ["ʞ"], "<", ["Ʞ"], T },
        { ["ʞ"], "<", ["ʟ"], T },
        { ["ꞧ"], ">", ["Ꞧ"], T },
        { ["ɜ"], "<", ["Ɜ"], T },
        { ["\ud7fb"], "<", ["\ud800\udc00"], T },
        { ["\ud800\udc00"], "<", ["\uf900"], T },
        { ["\ud7fb"], "<", ["\uf900"], T },
        { ["foo", "bar"], "==", ["foo", "bar"], T },
        { ["foo", "bar"], "==", ["foo", "baz"], F },
        { ["foo", "bar"], "==", ["FOO", "BAR"], T },
        { ["foo", "bar"], "==", ["bar", "foo"], T },
        { ["foo", "bar"], "!=", ["foo"], T },
        { ["foo", "bar"], "!=", ["foo", "bar", "baz"], T },
        { ["foo", "bar"], "<", ["foo", "bar"], U },
        { ["foo", "bar"], "<=", ["foo", "bar"], U },
        { ["foo", "bar"], ">", ["foo", "bar", "baz"], U },
        { ["foo", "bar"], ">=", ["foo", "bar", "baz"], U },
        { ["foo", "bar"], "Contains", ["FOO"], T },
        { ["foo", "bar"], "Contains", ["foo", "bar"], T },
        { ["foo", "bar"], "Not_Contains", ["foo", "bar"], F },
        { ["foo", "bar"], "Contains", ["foo", "bar", "baz"], F },
        { ["foo", "bar"], "Not_Contains", ["foo", "bar", "baz"], T },
        { ["foo"], "Any_of", ["foo"], T },
        { ["foo", "bar"], "Any_of", ["BAR"], T },
        { ["foo", "bar"], "Any_of", ["baz"], F },
        { ["foo", "bar"], "Not_Any_of", ["baz"], T },
        { ["foo", "bar"], "Any_of", ["bar", "baz"], T },
        { ["foo", "bar"], "Not_Any_of", ["bar", "baz"], F },
    };

    [Theory]
    [MemberData(nameof(ClaimAgainstClaim))]
    public void ClaimAgainstClaim_AsWindows(string[] left, string op, string[] right, ConditionValue expected)
    {
        var claims = new List<ClaimSecurityAttribute>();
        if (left.Length > 0) claims.Add(Strings("ad://ext/claim0", left));
        if (right.Length > 0) claims.Add(Strings("ad://ext/claim1", right));
        Assert.Equal(expected, Eval($"(@User.ad://ext/claim0 {op} @User.ad://ext/claim1)", With([.. claims])));
    }

    // Samba's claim_against_literal_cases.
    public static TheoryData<string[], string, string, ConditionValue> ClaimAgainstLiteral => new()
    {
        { ["foo bar"], "==", "\"foo bar\"", T },
        { [], "==", "{}", U },
        { ["foo"], "!=", "{}", T },
        { ["bar"], "==", "{\"bar\"}", T },
        { ["apple", "banana"], "==", "{\"APPLE\", \"BANANA\"}", T },
        { ["apple", "banana"], "==", "{\"BANANA\", \"APPLE\"}", T },
        { ["apple", "banana"], "==", "{\"apple\", \"banana\", \"apple\"}", F },
        { [], "Contains", "{}", F },
        { [], "Not_Contains", "{}", T },
        { [], "Contains", "{\"foo\"}", U },
        { [], "Not_Contains", "{\"foo\", \"bar\"}", U },
        { ["foo"], "Contains", "{}", F },
        { ["bar"], "Contains", "{\"bar\"}", T },
        { ["foo", "bar"], "Contains", "{\"foo\", \"bar\"}", T },
        { ["foo", "bar"], "Contains", "{\"foo\", \"bar\", \"baz\"}", F },
        { ["foo"], "Contains", "\"foo\"", T },
        { ["foo", "bar"], "Not_Contains", "\"foo\"", F },
        { ["foo", "bar"], "Contains", "{\"foo\", \"bar\", \"bar\"}", T },
        { [], "Any_of", "{}", U },
        { [], "Not_Any_of", "{}", U },
        { ["foo"], "Any_of", "{}", F },
        { ["foo"], "Not_Any_of", "{}", T },
        { ["bar"], "Any_of", "{\"bar\"}", T },
        { ["foo", "bar"], "Any_of", "{\"bar\", \"baz\"}", T },
        { ["foo", "bar"], "Any_of", "{\"baz\"}", F },
        { ["foo"], "Any_of", "\"foo\"", U },
        { ["foo", "bar"], "Not_Any_of", "\"baz\"", U },
        { ["42"], "==", "\"42\"", T },
        { ["42"], "==", "42", U },
        { ["123", "456"], "==", "{\"123\", \"456\"}", T },
        { ["654", "321"], "==", "{654, 321}", U },
        { ["foo", "bar"], "Contains", "{1, 2, 3}", U },
    };

    [Theory]
    [MemberData(nameof(ClaimAgainstLiteral))]
    public void ClaimAgainstLiteral_AsWindows(string[] left, string op, string literal, ConditionValue expected)
    {
        var token = left.Length > 0 ? With(Strings("c", left)) : With();
        Assert.Equal(expected, Eval($"(@User.c {op} {literal})", token));
    }

    // Samba's pac_claim_cases (claims written into the PAC; every one a single claim list on @User.).
    [Theory]
    [InlineData(ClaimValueType.String, new[] { "foo bar" }, "(@User.a)", T)]
    [InlineData(ClaimValueType.UInt64, new[] { "0" }, "(@User.a)", F)]
    [InlineData(ClaimValueType.UInt64, new[] { "1" }, "(@User.a)", T)]
    [InlineData(ClaimValueType.UInt64, new[] { "0", "1" }, "(@User.a)", T)]
    [InlineData(ClaimValueType.UInt64, new[] { "1", "0" }, "(@User.a)", T)]
    [InlineData(ClaimValueType.Int64, new[] { "0" }, "(@User.a)", F)]
    [InlineData(ClaimValueType.Int64, new[] { "1" }, "(@User.a)", T)]
    [InlineData(ClaimValueType.Boolean, new[] { "0" }, "(@User.a)", F)]
    [InlineData(ClaimValueType.Boolean, new[] { "1" }, "(@User.a)", T)]
    [InlineData(ClaimValueType.Boolean, new[] { "0", "1" }, "(@User.a)", T)]
    [InlineData(ClaimValueType.String, new[] { "foo bar" }, "(@User.a == \"foo bar\")", T)]
    [InlineData(ClaimValueType.UInt64, new[] { "42" }, "(@User.a == 42)", T)]
    [InlineData(ClaimValueType.UInt64, new[] { "0" }, "(@User.a == 3)", F)]
    [InlineData(ClaimValueType.UInt64, new[] { "1", "2", "3" }, "(@User.a == {1, 2, 3})", T)]
    [InlineData(ClaimValueType.UInt64, new[] { "4", "5", "6" }, "(@User.a != {1, 2, 3})", T)]
    [InlineData(ClaimValueType.UInt64, new[] { "4294967296" }, "(@User.a > 0)", T)]
    [InlineData(ClaimValueType.Int64, new[] { "42" }, "(@User.a == 42)", T)]
    [InlineData(ClaimValueType.Int64, new[] { "180388626432" }, "(@User.a == 180388626432)", T)]
    [InlineData(ClaimValueType.Boolean, new[] { "1" }, "(@User.a == 42)", U)]
    [InlineData(ClaimValueType.Boolean, new[] { "0" }, "(!(@User.a))", T)]
    [InlineData(ClaimValueType.Boolean, new[] { "0" }, "(!(!(!(!(@User.a)))))", F)]
    [InlineData(ClaimValueType.Boolean, new[] { "0" }, "(!(@User.a && @User.a))", T)]
    [InlineData(ClaimValueType.Boolean, new[] { "0" }, "(!(@User.a) || !(@User.a))", T)]
    [InlineData(ClaimValueType.Boolean, new[] { "1" }, "(@User.a || !(@User.a))", U)]
    [InlineData(ClaimValueType.Boolean, new[] { "1" }, "(!(@User.a) || @User.a)", T)]
    [InlineData(ClaimValueType.Boolean, new[] { "1" }, "(@User.a || (@User.a || @User.a))", T)]
    [InlineData(ClaimValueType.Boolean, new[] { "1" }, "((@User.a || @User.a) || @User.a)", T)]
    [InlineData(ClaimValueType.String, new string[0], "(@User.a != \"foo bar\")", U)]
    [InlineData(ClaimValueType.Boolean, new string[0], "(Exists @User.a)", U)]
    [InlineData(ClaimValueType.Int64, new string[0], "(@User.a)", U)]
    public void PacClaims_AsWindows(ClaimValueType type, string[] values, string condition, ConditionValue expected)
    {
        object Value(string v) => type switch
        {
            ClaimValueType.Int64 => long.Parse(v, System.Globalization.CultureInfo.InvariantCulture),
            ClaimValueType.UInt64 => ulong.Parse(v, System.Globalization.CultureInfo.InvariantCulture),
            ClaimValueType.Boolean => v == "1",
            _ => v,
        };
        Assert.Equal(expected, Eval(condition, With(new ClaimSecurityAttribute("a", type, 0, values.Select(Value)))));
    }

    [Fact]
    public void TwoBooleans_AndOr_AsWindows()
    {
        // pac_claim_cases: a && b, a || b, a && !(b || b), and the quirk a && !(b).
        ClaimSecurityAttribute B(string n, bool v) => new(n, ClaimValueType.Boolean, 0, [v]);
        Assert.Equal(T, Eval("(@User.a && @User.b)", With(B("a", true), B("b", true))));
        Assert.Equal(F, Eval("(@User.a && @User.b)", With(B("a", false), B("b", true))));
        Assert.Equal(F, Eval("(@User.a || @User.b)", With(B("a", false), B("b", false))));
        Assert.Equal(T, Eval("(@User.a || @User.b)", With(B("a", true), B("b", false))));
        Assert.Equal(T, Eval("(@User.a && !(@User.b || @User.b))", With(B("a", true), B("b", false))));
        Assert.Equal(U, Eval("(@User.a && !(@User.b))", With(B("a", true), B("b", false))));
        Assert.Equal(T, Eval("(@User.a == @User.b)", With(B("a", true), B("b", true))));
    }

    [Fact]
    public void CaseSensitiveClaims_CompareByCodeUnit()
    {
        var sensitive = new ClaimSecurityAttribute("d", ClaimValueType.String, ClaimSecurityAttributeFlags.ValueCaseSensitive, ["Finance"]);
        Assert.Equal(F, Eval("(@User.d == \"finance\")", With(sensitive)));
        Assert.Equal(T, Eval("(@User.d == \"Finance\")", With(sensitive)));
        Assert.Equal(T, Eval("(@User.d == \"finance\")", With(Strings("d", "Finance"))));
        // Either side's flag makes the comparison case-sensitive.
        Assert.Equal(F, Eval("(@User.e == @User.d)", With(sensitive, Strings("e", "FINANCE"))));
    }

    [Fact]
    public void DisabledAndDenyOnlyClaims()
    {
        var disabled = new ClaimSecurityAttribute("d", ClaimValueType.String, ClaimSecurityAttributeFlags.Disabled, ["x"]);
        var denyOnly = new ClaimSecurityAttribute("o", ClaimValueType.String, ClaimSecurityAttributeFlags.UseForDenyOnly, ["x"]);
        var token = With(disabled, denyOnly);
        Assert.Equal(F, Eval("(Exists @User.d)", token));
        Assert.Equal(F, Eval("(Exists @User.o)", token, deny: false));
        Assert.Equal(T, Eval("(Exists @User.o)", token, deny: true));
    }

    // MS-DTYP 2.4.4.17.6 and 2.4.4.17.7: membership looks at the user and groups (device groups for Device_*);
    // Exists is never UNKNOWN for a missing attribute.
    [Fact]
    public void Membership_AndExistence_AsMsDtypDocuments()
    {
        var b = AliceBuilder();
        b.DeviceGroups.Add(new SidAndAttributes(DomainUsers, GroupAttributes.Enabled | GroupAttributes.Mandatory));
        var token = b.Build();
        Assert.Equal(T, Eval("(Member_of {SID(WD), SID(BU)})", token));
        Assert.Equal(F, Eval("(Member_of {SID(WD), SID(BA)})", token));
        Assert.Equal(T, Eval("(Member_of_Any {SID(BA), SID(BU)})", token));
        Assert.Equal(T, Eval($"(Member_of SID({Alice}))", token));
        Assert.Equal(F, Eval("(Device_Member_of {SID(WD)})", token));
        Assert.Equal(T, Eval($"(Device_Member_of {{SID({DomainUsers})}})", token));
        Assert.Equal(T, Eval("(Not_Device_Member_of_Any {SID(WD), SID(BA)})", token));
        Assert.Equal(U, Eval("(Member_of {1})", token));
        Assert.Equal(U, Eval("(Member_of {})", token));
        Assert.Equal(F, Eval("(Exists @User.Department)", token));
        Assert.Equal(T, Eval("(Not_Exists @User.Department)", token));
        // MS-DTYP 2.5.1.3: && binds tighter than ||.
        ClaimSecurityAttribute I(string n, long v) => new(n, ClaimValueType.Int64, 0, [v]);
        Assert.Equal(T, Eval("(@User.A == 1 || @User.B == 1 && @User.C == 1)", With(I("A", 1), I("B", 0), I("C", 0))));
    }

    [Fact]
    public void ResourceAttributes_ComeFromTheSacl()
    {
        var sd = SddlParser.Parse("O:BAG:BAD:S:(RA;;;;;WD;(\"Project\",TS,0,\"Windows\",\"SQL\"))(RA;;;;;WD;(\"Secrecy\",TU,0,3))(RA;IO;;;;WD;(\"Hidden\",TU,0,3))(RA;;;;;WD;(\"cs\",TS,0x2,\"ABC\"))");
        var token = With(Strings("Project", "sql"));
        Assert.Equal(T, Eval("(@User.Project Any_of @Resource.Project)", token, sd.Sacl));
        Assert.Equal(T, Eval("(@Resource.Secrecy >= 2)", token, sd.Sacl));
        Assert.Equal(F, Eval("(Exists @Resource.Hidden)", token, sd.Sacl));
        Assert.Equal(T, Eval("(@Resource.Project Contains {\"windows\", \"SQL\"})", token, sd.Sacl));
        Assert.Equal(F, Eval("(@Resource.cs == \"abc\")", token, sd.Sacl));
        Assert.Equal(U, Eval("(@Resource.Missing == 1)", token, sd.Sacl));
    }

    [Fact]
    public void OtherValueTypes()
    {
        var sid = new ClaimSecurityAttribute("s", ClaimValueType.Sid, 0, [WellKnownSids.World]);
        var octets = new ClaimSecurityAttribute("o", ClaimValueType.OctetString, 0, [new byte[] { 1, 2, 3 }]);
        var fqbn = new ClaimSecurityAttribute("f", ClaimValueType.Fqbn, 0, [new FqbnValue(1, "O=CONTOSO")]);
        var negative = new ClaimSecurityAttribute("n", ClaimValueType.Int64, 0, [-5L]);
        var big = new ClaimSecurityAttribute("u", ClaimValueType.UInt64, 0, [ulong.MaxValue]);
        var token = With(sid, octets, fqbn, negative, big);
        Assert.Equal(T, Eval("(@User.s == SID(WD))", token));
        Assert.Equal(U, Eval("(@User.s == \"S-1-1-0\")", token));
        Assert.Equal(T, Eval("(@User.o == #010203)", token));
        Assert.Equal(T, Eval("(@User.o < #0103)", token));
        Assert.Equal(U, Eval("(@User.f == \"O=CONTOSO\")", token));
        Assert.Equal(T, Eval("(@User.n < 0)", token));
        Assert.Equal(T, Eval("(@User.u > -1)", token));
        Assert.Equal(T, Eval("(@User.u > 9223372036854775807)", token));
        Assert.Equal(U, Eval("(@User.s)", token));
    }

    [Fact]
    public void TheTraceNamesTheMissingAttributeAndTheOperandTypes()
    {
        var trace = new ConditionTrace();
        Assert.Equal(U, Eval("(@User.Dept == \"HR\" || @User.Level > \"x\")", With(new ClaimSecurityAttribute("Level", ClaimValueType.Int64, 0, [3L])), trace: trace));
        Assert.Equal(3, trace.Steps.Count);
        Assert.Equal(ConditionReason.AttributeMissing, trace.Steps[0].Reason);
        Assert.Equal("Dept", trace.Steps[0].Left.Name);
        Assert.Equal(ConditionReason.TypeMismatch, trace.Steps[1].Reason);
        Assert.Equal(ClaimValueType.Int64, trace.Steps[1].Left.ValueType);
        Assert.Equal(ConditionOperandKind.String, trace.Steps[1].Right!.Value.Kind);
        string text = ConditionExplainer.Describe(CompileOf("(@User.Dept == \"HR\" || @User.Level > \"x\")"), trace);
        Assert.Contains("@User.Dept is not there", text);
        Assert.Contains("a int64 attribute cannot be compared with a string literal", text);
    }

    private static byte[] CompileOf(string text)
    {
        Assert.True(ConditionalExpressions.TryCompile(text, 0, null, out var code, out _));
        return code;
    }

    [Fact]
    public void DeepNestingAndMalformedBytesEndAsUnknown()
    {
        // 100,000 nested '!' in byte code: no recursion, no overflow.
        var code = new List<byte>("artx"u8.ToArray()) { 0xf9, 2, 0, 0, 0, (byte)'a', 0 };
        for (int i = 0; i < 100_000; i++) code.Add(0xa2);
        var token = With(new ClaimSecurityAttribute("a", ClaimValueType.Boolean, 0, [true]));
        Assert.Equal(T, ConditionEvaluator.Evaluate(code.ToArray(), token, null, false));
        Assert.Equal(U, ConditionEvaluator.Evaluate("artx"u8.ToArray().Concat(new byte[] { 0xa0 }).ToArray(), token, null, false));
        Assert.Equal(U, ConditionEvaluator.Evaluate([1, 2, 3], token, null, false));
        Assert.Equal(U, ConditionEvaluator.Evaluate("artx"u8, token, null, false));
    }

    [Fact]
    public void HugeValueListsRunOutOfBudget_AndFailClosed()
    {
        var many = new ClaimSecurityAttribute("m", ClaimValueType.UInt64, 0, Enumerable.Range(0, 5000).Select(i => (object)(ulong)i));
        var token = With(many, new ClaimSecurityAttribute("n", ClaimValueType.UInt64, 0, Enumerable.Range(0, 5000).Select(i => (object)(ulong)(4999 - i))));
        var trace = new ConditionTrace();
        Assert.Equal(U, Eval("(@User.m == @User.n)", token, trace: trace));
        Assert.Equal(ConditionReason.TooComplex, trace.Reason);
        Assert.Equal(T, Eval("(@User.m Any_of {4999})", token));
    }

    [Fact]
    public void EvaluationDoesNotAllocateWithoutATrace()
    {
        var sd = SddlParser.Parse("O:BAG:BAD:S:(RA;;;;;WD;(\"Project\",TS,0,\"Windows\",\"SQL\"))");
        var token = With(Strings("Project", "sql"), Strings("Dept", "Finance"));
        var code = CompileOf("((@User.Project Any_of @Resource.Project) && (@User.Dept == \"FINANCE\") && Member_of {SID(WD)} && !(Exists @Device.x))");
        Assert.Equal(T, ConditionEvaluator.Evaluate(code, token, sd.Sacl, false));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) ConditionEvaluator.Evaluate(code, token, sd.Sacl, false);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Fuzz_RandomByteCodeAndClaims_NeverThrowOrHang()
    {
        var random = new Random(1414);
        byte[] alphabet = [0x00, 0x01, 0x04, 0x10, 0x18, 0x50, 0x51, 0x80, 0x81, 0x82, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8d, 0x8e, 0x8f, 0x92, 0xa0, 0xa1, 0xa2, 0xf8, 0xf9, 0xfa, 0xfb, 2, 0, (byte)'a', (byte)'b'];
        var seeds = new[]
        {
            CompileOf("(@User.a == @User.b && Member_of {SID(WD)} || !(@Resource.r Contains {1, \"x\", #00}))"),
            CompileOf("(@User.a Any_of {1, 2} || Exists @Device.b && @User.b > 3)"),
        };
        var sd = SddlParser.Parse("O:BAG:BAD:S:(RA;;;;;WD;(\"r\",TI,0,1,2))");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int n = 0; n < 20_000; n++)
        {
            var values = Enumerable.Range(0, random.Next(0, 4)).Select(_ => (object)(long)random.Next(-2, 3)).ToList();
            ClaimSecurityAttribute claim = random.Next(3) switch
            {
                0 => new ClaimSecurityAttribute("a", ClaimValueType.Int64, (ClaimSecurityAttributeFlags)random.Next(0, 64), values),
                1 => new ClaimSecurityAttribute("a", ClaimValueType.String, (ClaimSecurityAttributeFlags)random.Next(0, 64), values.Select(v => (object)v.ToString()!)),
                _ => new ClaimSecurityAttribute("b", ClaimValueType.Boolean, 0, values.Select(v => (object)((long)v > 0))),
            };
            byte[] code;
            if (n % 2 == 0)
            {
                code = new byte[4 + random.Next(0, 60)];
                "artx"u8.CopyTo(code);
                for (int i = 4; i < code.Length; i++) code[i] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }
            else
            {
                code = (byte[])seeds[n % seeds.Length].Clone();
                for (int k = random.Next(1, 4); k > 0; k--) code[4 + random.Next(code.Length - 4)] = (byte)random.Next(256);
            }
            var trace = n % 3 == 0 ? new ConditionTrace() : null;
            var value = ConditionEvaluator.Evaluate(code, With(claim), sd.Sacl, random.Next(2) == 0, null, trace);
            Assert.True(value is T or F or U);
            if (trace is not null) Assert.NotNull(ConditionExplainer.Describe(code, trace));
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"20,000 evaluations took {sw.Elapsed}");
    }
}
