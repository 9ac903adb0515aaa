using System.Diagnostics;
using System.Text;
using global::NtSec.Cli;
using global::NtSec.Cli.Rendering;
using Xunit;

namespace NtSec.Tests.Cli;

/// <summary>The progress line of batch runs: on a terminal's stderr only, never in the results.</summary>
public class ProgressTests
{
    private static (int Code, string Out, string Err) Run(string input, bool errorIsTerminal)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["sddl", "--batch", "--to", "hex"], new StringReader(input), stdout, stderr, Style.Plain, null, errorIsTerminal);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void A_terminal_sees_progress_and_the_results_do_not()
    {
        var input = new StringBuilder();
        for (int i = 0; i < 2000; i++) input.AppendLine("D:(A;;GA;;;SY)");
        long saved = Progress.ShowAfter;
        try
        {
            Progress.ShowAfter = 0;
            var terminal = Run(input.ToString(), errorIsTerminal: true);
            var pipe = Run(input.ToString(), errorIsTerminal: false);
            Assert.Equal(0, terminal.Code);
            Assert.Equal(pipe.Out, terminal.Out);
            Assert.Contains("ntsec sddl --batch: ", terminal.Err, StringComparison.Ordinal);
            Assert.Contains(" lines, ", terminal.Err, StringComparison.Ordinal);
            // The line is cleared at the end: the last thing written is a carriage return.
            Assert.EndsWith("\r", terminal.Err, StringComparison.Ordinal);
            Assert.Equal("", pipe.Err);
        }
        finally
        {
            Progress.ShowAfter = saved;
        }
    }

    [Fact]
    public void A_short_run_shows_nothing()
    {
        Assert.Equal(Stopwatch.Frequency, Progress.ShowAfter);
        var result = Run("D:(A;;GA;;;SY)\n", errorIsTerminal: true);
        Assert.Equal("", result.Err);
    }
}
