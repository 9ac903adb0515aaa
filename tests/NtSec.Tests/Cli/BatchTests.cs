using System.Diagnostics;
using System.Text;
using NtSec.Descriptors;
using NtSec.Sddl;

namespace NtSec.Tests.Cli;

public class BatchTests
{
    [Fact]
    public void Each_input_line_gets_one_output_line_in_order()
    {
        const string input = "D:(A;;GA;;;SY)\n\nD:(A;;GA;;;SX)\nO:BA\r\ngarbage\n   \nO:SYG:SYD:(A;;FA;;;WD)";

        var r = CliHarness.RunWithInput(input, "sddl", "--batch", "--to", "hex");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Error);
        string[] expected =
        [
            Hex("D:(A;;GA;;;SY)"),
            "",
            "error: 11: 'SX' is not an SDDL SID alias",
            Hex("O:BA"),
            "error: 0: expected a component: O:, G:, D: or S:",
            "",
            Hex("O:SYG:SYD:(A;;FA;;;WD)"),
        ];
        Assert.Equal(expected, r.OutLines);
    }

    [Fact]
    public void Default_conversion_is_canonical_sddl_and_all_good_lines_exit_0()
    {
        var r = CliHarness.RunWithInput("D:(A;;0x10000000;;;S-1-5-18)\nO:s-1-5-32-544\n", "sddl", "--batch");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["D:(A;;GA;;;SY)", "O:BA"], r.OutLines);
    }

    [Fact]
    public void Hex_lines_convert_to_sddl()
    {
        string input = Hex("D:(A;;GA;;;SY)") + "\n01 00 04 80 zz\n" + Hex("O:BAG:SY");

        var r = CliHarness.RunWithInput(input, "sddl", "--batch", "--from-hex");

        Assert.Equal(["D:(A;;GA;;;SY)", "error: 12: 'z' is not a hexadecimal digit", "O:BAG:SY"], r.OutLines);
    }

    [Fact]
    public void Folded_ldif_records_keep_the_line_correspondence()
    {
        string b64 = Convert.ToBase64String(SecurityDescriptor.FromSddl("O:BAG:SYD:(A;;FA;;;BA)").ToBinary());
        string input = "nTSecurityDescriptor:: " + b64[..30] + "\n " + b64[30..60] + "\n " + b64[60..] + "\n\n" + b64 + "\nAQ==\n";

        var r = CliHarness.RunWithInput(input, "sddl", "--batch", "--from-base64");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal(
            ["O:BAG:SYD:(A;;FA;;;BA)", "", "", "", "O:BAG:SYD:(A;;FA;;;BA)", "error: 0: a self-relative security descriptor needs a 20-byte header, 1 bytes given"],
            r.OutLines);
    }

    [Fact]
    public void Thousands_of_lines_run_in_one_process()
    {
        var input = new StringBuilder();
        for (int i = 0; i < 5000; i++)
            input.Append(i % 100 == 99 ? "D:(A;;GA;;;S-1-5-)" : $"O:BAD:(A;OICI;0x{i:x};;;S-1-5-21-1-2-3-{1000 + i})").Append('\n');

        var watch = Stopwatch.StartNew();
        var r = CliHarness.RunWithInput(input.ToString(), "sddl", "--batch", "--to", "hex");
        watch.Stop();

        Assert.Equal(5000, r.OutLines.Length);
        Assert.Equal(50, r.OutLines.Count(l => l.StartsWith("error: ", StringComparison.Ordinal)));
        Assert.Equal(Hex("O:BAD:(A;OICI;0x7;;;S-1-5-21-1-2-3-1007)"), r.OutLines[7]);
        // A generous bound: it catches per-line process or quadratic costs, not machine speed.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"5000 lines took {watch.Elapsed}");
    }

    private static string Hex(string sddl) => Convert.ToHexStringLower(SecurityDescriptor.FromSddl(sddl).ToBinary());
}
