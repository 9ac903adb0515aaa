using NtSec.Descriptors;
using NtSec.Sddl;
using Xunit.Abstractions;

namespace NtSec.Tests.Conformance;

/// <summary>SDDL and binary descriptors against what Windows produced (windows-sddl/).</summary>
public sealed class SddlConformanceTests(ITestOutputHelper output)
{
    [ConformanceFact]
    public void ShortOrdinaryAcls_ParseToWindowsBytes()
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var (sddl, expected) in ConformanceData.SddlToBytes("short-ordinary-acls.json.gz"))
        {
            total++;
            if (!SddlParser.TryParse(sddl, ConformanceData.MachineContext, out var sd, out var error))
            {
                failures.Add($"{sddl}: rejected: {error}");
                continue;
            }
            var actual = sd!.ToBinary();
            if (!actual.AsSpan().SequenceEqual(expected))
            {
                failures.Add($"{sddl}: bytes differ\n    want {ConformanceData.Hex(expected)}\n    got  {ConformanceData.Hex(actual)}");
                continue;
            }
            passed++;
        }
        // Every case, the 8 "oversize" ACLs included (their slack and revision 4 come from the parser's rule).
        ConformanceData.Report(output, "windows-sddl/short-ordinary-acls.json.gz (SDDL -> bytes)", passed, total, failures);
        Assert.Empty(failures);
        Assert.Equal(7140, total);
    }

    [ConformanceFact]
    public void ShortOrdinaryAcls_WindowsBytesReadBackAndReencodeExactly()
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var (sddl, bytes) in ConformanceData.SddlToBytes("short-ordinary-acls.json.gz"))
        {
            total++;
            if (!SecurityDescriptor.TryRead(bytes, out var sd, out int read, out var error))
            {
                failures.Add($"{sddl}: binary rejected: {error}");
                continue;
            }
            var again = sd!.ToBinary();
            if (read != bytes.Length || !again.AsSpan().SequenceEqual(bytes))
            {
                failures.Add($"{sddl}: binary round trip differs");
                continue;
            }
            // What our writer makes of Windows' bytes must read back to the same text.
            var text = sd.ToSddl(ConformanceData.MachineContext);
            if (!SddlParser.TryParse(text, ConformanceData.MachineContext, out var back, out error) || back!.ToSddl(ConformanceData.MachineContext) != text)
            {
                failures.Add($"{sddl}: formatted as {text}, which does not read back to the same descriptor ({error})");
                continue;
            }
            if (!back!.ToBinary().AsSpan().SequenceEqual(bytes))
            {
                failures.Add($"{sddl}: formatted as {text}, which parses to other bytes");
                continue;
            }
            passed++;
        }
        ConformanceData.Report(output, "windows-sddl/short-ordinary-acls.json.gz (bytes -> value -> bytes, and -> SDDL -> value)", passed, total, failures);
        Assert.Empty(failures);
    }

    [ConformanceFact]
    public void ConditionalAces_ParseToWindowsBytes()
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var (sddl, expected) in ConformanceData.SddlToBytes("conditional_aces.txt.json"))
        {
            total++;
            if (!SddlParser.TryParse(sddl, ConformanceData.MachineContext, out var sd, out var error))
            {
                failures.Add($"{sddl}: rejected: {error}");
                continue;
            }
            var actual = sd!.ToBinary();
            if (!actual.AsSpan().SequenceEqual(expected))
            {
                failures.Add($"{sddl}: bytes differ\n    want {ConformanceData.Hex(expected)}\n    got  {ConformanceData.Hex(actual)}");
                continue;
            }
            passed++;
        }
        ConformanceData.Report(output, "windows-sddl/conditional_aces.txt.json (SDDL -> bytes)", passed, total, failures);
        Assert.Empty(failures);
    }

    [ConformanceTheory]
    [InlineData("canonical.txt")]
    [InlineData("windows_is_less_fussy.txt")]
    [InlineData("windows_is_weird.txt")]
    public void RoundTrips_MatchWindowsOutput(string file)
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var (line, input, expected) in ConformanceData.ArrowLines(file))
        {
            total++;
            if (!SddlParser.TryParse(input, ConformanceData.MachineContext, out var sd, out var error))
            {
                failures.Add($"line {line}: {input}: rejected: {error}");
                continue;
            }
            var actual = sd!.ToSddl(ConformanceData.MachineContext);
            if (actual != expected)
            {
                failures.Add($"line {line}: {input}: got {actual}, Windows gives {expected}");
                continue;
            }
            passed++;
        }
        ConformanceData.Report(output, "windows-sddl/" + file, passed, total, failures);
        Assert.Empty(failures);
        Assert.True(total > 0);
    }

    [ConformanceTheory]
    [InlineData("should_fail.txt")]
    [InlineData("windows_is_fussy.txt")]
    public void Rejections_MatchWindows(string file)
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var (line, input, _) in ConformanceData.ArrowLines(file))
        {
            total++;
            if (SddlParser.TryParse(input, ConformanceData.MachineContext, out var sd, out var error))
            {
                failures.Add($"line {line}: {input}: accepted as {sd!.ToSddl(ConformanceData.MachineContext)}; Windows rejects it");
                continue;
            }
            Assert.NotNull(error);
            Assert.InRange(error!.Position, 0, input.Length);
            passed++;
        }
        ConformanceData.Report(output, "windows-sddl/" + file, passed, total, failures);
        Assert.Empty(failures);
        Assert.True(total > 0);
    }
}

/// <summary>A theory that is skipped when the conformance corpus is missing.</summary>
public sealed class ConformanceTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets Skip when the corpus is missing.</summary>
    public ConformanceTheoryAttribute()
    {
        if (ConformanceData.Directory is null) Skip = "conformance corpus not found (../shared/conformance or NTSEC_CONFORMANCE_DIR)";
    }
}
