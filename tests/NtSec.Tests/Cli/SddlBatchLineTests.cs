using System.Text;
using NtSec.Acls;
using NtSec.Claims;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Cli;

/// <summary>
/// <c>sddl --batch</c> answers input line N on output line N, whatever the bytes (issue 16: a line break inside a
/// condition's string or an attribute's name, and input starting FF FE, broke the correspondence).
/// </summary>
public sealed class SddlBatchLineTests
{
    private static string Hex(SecurityDescriptor sd) => Convert.ToHexStringLower(sd.ToBinary());

    private static SecurityDescriptor WithCondition(string literal)
    {
        Assert.True(ConditionalExpressions.TryCompile($"(@User.Title == \"{literal}\")", 0, null, out var data, out var error), error?.ToString());
        return new SecurityDescriptor(dacl: new Acl([new Ace(AceType.AccessAllowedCallback, AceFlags.None, 0x1f01ff, WellKnownSids.World, applicationData: data)]));
    }

    private static SecurityDescriptor WithAttribute(string name, string value)
    {
        var attribute = new ClaimSecurityAttribute(name, ClaimValueType.String, ClaimSecurityAttributeFlags.None, [value]);
        return new SecurityDescriptor(sacl: new Acl([new Ace(AceType.SystemResourceAttribute, AceFlags.None, 0, WellKnownSids.World, applicationData: attribute.ToRelative())]));
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\u2028b")]
    public void ALineBreakInAConditionString_IsAPerLineError(string literal)
    {
        var good = SddlParser.Parse("D:(A;;FA;;;WD)");
        string input = string.Join('\n', Hex(good), Hex(WithCondition(literal)), Hex(good)) + "\n";
        var r = CliHarness.RunWithInput(input, "sddl", "--batch", "--from-hex", "--to", "sddl");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal(3, r.OutLines.Length);
        Assert.Equal("D:(A;;FA;;;WD)", r.OutLines[0]);
        Assert.StartsWith("error: 0: its SDDL holds a line break", r.OutLines[1], StringComparison.Ordinal);
        Assert.Equal("D:(A;;FA;;;WD)", r.OutLines[2]);
        // Alone, the conversion still prints the SDDL (it is one answer, whatever its lines).
        var alone = CliHarness.Run("sddl", "--from-hex", Hex(WithCondition(literal)), "--to", "sddl");
        Assert.Equal(0, alone.ExitCode);
        Assert.Contains(literal, alone.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Secrecy\nLevel", "high")]
    [InlineData("Secrecy", "hi\r\ngh")]
    public void ALineBreakInAResourceAttribute_IsAPerLineError(string name, string value)
    {
        string input = Hex(WithAttribute(name, value)) + "\n" + Hex(WithAttribute("Secrecy", "high")) + "\n";
        var r = CliHarness.RunWithInput(input, "sddl", "--batch", "--from-hex");
        Assert.Equal(2, r.OutLines.Length);
        Assert.StartsWith("error: 0: its SDDL holds a line break", r.OutLines[0], StringComparison.Ordinal);
        Assert.Equal("S:(RA;;;;;WD;(\"Secrecy\",TS,0x0,\"high\"))", r.OutLines[1]);
    }

    private static (int Code, string[] Lines) RunOnBytes(byte[] stdin, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        using var reader = global::NtSec.Cli.Program.OpenInput(new MemoryStream(stdin));
        int code = global::NtSec.Cli.Program.Run(args, reader, output, new StringWriter());
        string text = output.ToString();
        return (code, text.EndsWith('\n') ? text[..^1].Split('\n') : text.Split('\n'));
    }

    [Fact]
    public void InputStartingFFFE_IsNotReadAsUtf16()
    {
        byte[] lines = Encoding.UTF8.GetBytes("D:(A;;FA;;;WD)\nD:(A;;FA;;;SY)\nD:(A;;FA;;;BA)\nD:(A;;FA;;;BU)\n");
        var (code, output) = RunOnBytes([0xFF, 0xFE, .. lines], "sddl", "--batch");
        Assert.Equal(3, code);
        Assert.Equal(4, output.Length);
        Assert.StartsWith("error: 0:", output[0], StringComparison.Ordinal);
        Assert.Equal(["D:(A;;FA;;;SY)", "D:(A;;FA;;;BA)", "D:(A;;FA;;;BU)"], output[1..]);
    }

    [Fact]
    public void AUtf8ByteOrderMark_IsSkipped()
    {
        byte[] lines = Encoding.UTF8.GetBytes("D:(A;;FA;;;WD)\nD:(A;;FA;;;SY)\n");
        var (code, output) = RunOnBytes([0xEF, 0xBB, 0xBF, .. lines], "sddl", "--batch");
        Assert.Equal(0, code);
        Assert.Equal(["D:(A;;FA;;;WD)", "D:(A;;FA;;;SY)"], output);
    }

    [Fact]
    public void AUtf8ByteOrderMarkAlreadyDecoded_IsSkippedToo()
    {
        var r = CliHarness.RunWithInput("\uFEFFD:(A;;FA;;;WD)\n", "sddl", "--batch");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["D:(A;;FA;;;WD)"], r.OutLines);
    }
}
