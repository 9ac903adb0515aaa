using System.Text;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using Xunit.Abstractions;

namespace NtSec.Tests.Fuzzing;

/// <summary>
/// Fuzz targets for the faults issue 16 found from outside: token JSON with lone surrogate escapes, NULs and broken
/// syntax (an exception, .NET's wording), and <c>sddl --batch</c> answering one input line with more than one line.
/// </summary>
public sealed class InputFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] TokenSeeds =
    [
        """{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "BA", "attributes": ["Enabled", "Owner"]}], "privileges": [{"name": "SeChangeNotifyPrivilege", "attributes": ["Enabled"]}]}""",
        """{"user": "SY", "integrityLevel": "S-1-16-16384", "source": {"name": "User32", "identifier": "0x0:0x3e7"}, "defaultDacl": "D:(A;;GA;;;SY)"}""",
        """{"user": {"sid": "S-1-5-21-1-2-3-1001", "attributes": ["UseForDenyOnly"]}, "restrictedSids": [{"sid": "RC"}], "type": "Impersonation", "impersonationLevel": "Impersonation"}""",
    ];

    // JSON-level edits worth making: escapes (lone and paired surrogates among them), structure, NUL, a BOM.
    private static readonly string[] JsonTokens =
    [
        "\\ud800", "\\udc00", "\\udfff", "\\ud83d\\ude00", "\\u0000", "\\n", "\\\"", "\\", "\"", "{", "}", "[", "]", ",", ":",
        "\0", "\ufeff", "\ud800", "null", "true", "1e999", "-0", "\"\\ud800\": 1,", "// c\n", "/*",
    ];

    private static string MutateJson(Random rng, string seed, IReadOnlyList<string> corpus)
    {
        if (rng.Next(2) == 0) return TextMutator.Mutate(rng, seed, corpus);
        var sb = new StringBuilder(seed);
        for (int e = 1 + rng.Next(3); e > 0; e--)
            sb.Insert(rng.Next(sb.Length + 1), JsonTokens[rng.Next(JsonTokens.Length)]);
        return sb.ToString();
    }

    private static readonly string[] DotNetWording = ["reader options", "isFinalBlock", "LineNumber", "BytePositionInLine", "invalid start of a value", "Cannot transcode", "Exception"];

    private static FuzzVerdict TokenJsonOracle(string json)
    {
        Token? token;
        ParseError? error;
        try
        {
            if (!TokenJson.TryRead(json, null, out token, out error))
            {
                if (error is null || string.IsNullOrWhiteSpace(error.Reason)) return FuzzVerdict.Fail("TryRead returned false without a reason");
                foreach (var w in DotNetWording)
                    if (error.Reason.Contains(w, StringComparison.Ordinal)) return FuzzVerdict.Fail($"the reason speaks .NET: {error.Reason}");
                if (error.ToString().AsSpan().IndexOfAny('\r', '\n') >= 0) return FuzzVerdict.Fail($"the reason spans lines: {error}");
                return FuzzVerdict.Reject;
            }
        }
        catch (Exception e)
        {
            return FuzzVerdict.Fail($"threw {e.GetType().Name}: {e.Message}");
        }
        // What reads writes back to JSON that reads again.
        string written = TokenJson.Write(token!);
        if (!TokenJson.TryRead(written, null, out _, out error)) return FuzzVerdict.Fail($"Write gave JSON that does not read back: {error}");
        return FuzzVerdict.Accept;
    }

    [Fact]
    public void MutatedTokenJson_ReadsOrFailsWithAFieldAndAReason_NeverThrows()
    {
        var report = FuzzHarness.RunAndAssert(output, new FuzzTarget<string>
        {
            Name = "token JSON reader",
            Seeds = TokenSeeds,
            Mutate = MutateJson,
            Check = TokenJsonOracle,
            Show = FuzzHarness.ShowText,
            DefaultIterations = 3000,
        });
        Assert.True(report.Accepted > report.Inputs / 100, $"only {report.Accepted} of {report.Inputs} inputs were read");
        Assert.True(report.Rejected > report.Inputs / 5, $"only {report.Rejected} of {report.Inputs} inputs were rejected");
    }

    // ----- sddl --batch: one line in, one line out ---------------------------------------------------------------

    private static readonly string Good = Convert.ToHexStringLower(SddlParser.Parse("D:(A;;FA;;;WD)").ToBinary());

    /// <summary>Descriptor seeds plus conditions and attributes whose strings hold line breaks and other separators.</summary>
    private static IReadOnlyList<byte[]> BatchSeeds()
    {
        var seeds = new List<byte[]>(FuzzCorpus.Descriptors.Take(200));
        foreach (string s in new[] { "a\nb", "x\r", "\u0085", "\u2028z", "plain" })
        {
            if (ConditionalExpressions.TryCompile($"(@User.Title == \"{s}\")", 0, null, out var data, out _))
                seeds.Add(new SecurityDescriptor(dacl: new Acl([new Ace(AceType.AccessAllowedCallback, AceFlags.None, 1, WellKnownSids.World, applicationData: data)])).ToBinary());
            var attribute = new Claims.ClaimSecurityAttribute("n" + s, Claims.ClaimValueType.String, Claims.ClaimSecurityAttributeFlags.None, [s]);
            seeds.Add(new SecurityDescriptor(sacl: new Acl([new Ace(AceType.SystemResourceAttribute, AceFlags.None, 0, WellKnownSids.World, applicationData: attribute.ToRelative())])).ToBinary());
        }
        return seeds;
    }

    private static FuzzVerdict BatchOracle(byte[] bytes)
    {
        string input = Convert.ToHexStringLower(bytes) + "\n" + Good + "\n";
        var r = Cli.CliHarness.RunWithInput(input, "sddl", "--batch", "--from-hex", "--to", "sddl");
        if (r.ExitCode is not (0 or 3)) return FuzzVerdict.Fail($"exit code {r.ExitCode}: {r.Error}");
        if (r.OutLines.Length != 2) return FuzzVerdict.Fail($"2 lines in, {r.OutLines.Length} out: {FuzzHarness.ShowText(r.Out)}");
        if (r.OutLines[1] != "D:(A;;FA;;;WD)") return FuzzVerdict.Fail($"the line after it was answered {FuzzHarness.ShowText(r.OutLines[1])}");
        return r.OutLines[0].StartsWith("error: ", StringComparison.Ordinal) ? FuzzVerdict.Reject : FuzzVerdict.Accept;
    }

    [Fact]
    public void MutatedDescriptorsThroughSddlBatch_AnswerEachLineWithOneLine()
    {
        var report = FuzzHarness.RunAndAssert(output, new FuzzTarget<byte[]>
        {
            Name = "sddl --batch --from-hex --to sddl",
            Seeds = BatchSeeds(),
            Mutate = (rng, seed, corpus) => BinaryMutator.Mutate(rng, seed, corpus, BinaryMutator.Shape.Descriptor),
            Check = BatchOracle,
            Show = FuzzHarness.ShowBytes,
            DefaultIterations = 1500,
        });
        Assert.True(report.Accepted > report.Inputs / 20, $"only {report.Accepted} of {report.Inputs} inputs converted");
    }
}
