using System.Diagnostics;
using System.Globalization;

namespace NtSec.Cli.Rendering;

/// <summary>
/// The progress line of a batch run: on standard error, only when it is a terminal, and only once the run has lasted
/// a second (a short run prints nothing). It rewrites one line with <c>\r</c> and clears it at the end, so it never
/// mixes with the results on standard output.
/// </summary>
internal sealed class Progress(Terminal terminal, string what)
{
    // How long a run lasts before the line appears; tests shorten it. Only runs with a terminal on stderr read it.
    internal static long ShowAfter { get; set; } = Stopwatch.Frequency;
    private static readonly long Every = Stopwatch.Frequency / 4;
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _next = Stopwatch.GetTimestamp() + ShowAfter;
    private long _count;
    private bool _shown;

    /// <summary>Counts one line; now and then redraws the progress line.</summary>
    public void Step()
    {
        _count++;
        // Reading the clock every line would cost more than some lines; every 256th is often enough.
        if (!terminal.ErrorIsTerminal || ((_count & 0xFF) != 0 && ShowAfter > 0)) return;
        long now = Stopwatch.GetTimestamp();
        if (now < _next) return;
        _next = now + Every;
        double seconds = (double)(now - _start) / Stopwatch.Frequency;
        terminal.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{what}: {_count:N0} lines, {_count / seconds:N0}/s   "));
        terminal.Error.Flush();
        _shown = true;
    }

    /// <summary>Clears the progress line if one was drawn.</summary>
    public void Done()
    {
        if (!_shown) return;
        terminal.Error.Write("\r" + new string(' ', 60) + "\r");
        terminal.Error.Flush();
    }
}
