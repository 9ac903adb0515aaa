using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using NtSec.Authorization;
using NtSec.Sddl;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec bench</c>: times the standard cases in-process and prints <c>name&lt;TAB&gt;ops_per_sec</c>, one case a line.
/// The cases and their inputs are those of bench/NtSec.Benchmarks (BenchmarkInputs, which that project takes from here), and
/// the names are its benchmark method names, so the figures can be set side by side.
/// </summary>
internal static class BenchCommand
{
    private const string Name = "bench";
    private const double DefaultSeconds = 2;

    public static Command Create(Terminal terminal)
    {
        var seconds = new Option<double>("--seconds")
        {
            Description = $"Measuring time for all cases together, shared equally; each case also warms up until its rate settles (at least 0.5 s, at most its share). Default {DefaultSeconds}.",
            HelpName = "seconds",
            DefaultValueFactory = _ => DefaultSeconds,
        };
        seconds.Validators.Add(result =>
        {
            // A value that is not a number is reported by the parser itself; reading it here would throw.
            if (result.Tokens.Count != 1 || !double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return;
            if (!(value > 0 && value <= 600)) result.AddError($"--seconds must be more than 0 and at most 600; got {result.Tokens[0].Value}.");
        });
        var command = new Command(Name, "Time the standard cases (access checks, an SDDL round trip) in-process and print operations per second.") { seconds };
        command.SetAction(parse =>
        {
            if (IsDebugBuild(typeof(AccessCheck).Assembly) || IsDebugBuild(typeof(BenchCommand).Assembly))
                terminal.Error.WriteLine("ntsec bench: note: this is a Debug build (JIT optimisation off); build with -c Release for representative figures.");
            var cases = Cases();
            var share = TimeSpan.FromSeconds(parse.GetValue(seconds) / cases.Count);
            foreach (var (name, loop) in cases)
            {
                long opsPerSecond = Measure(loop, share);
                terminal.Out.WriteLine(name + "\t" + opsPerSecond.ToString(CultureInfo.InvariantCulture));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The cases, each a loop that runs its operation n times and returns a value depending on every result, so
    /// that the JIT cannot drop the work. The loop lives inside the case so that no delegate call is timed.
    /// </summary>
    private static List<(string Name, Func<long, long> Loop)> Cases()
    {
        var token = BenchmarkInputs.FifteenGroupToken();
        var mapping = ObjectTypes.File.GenericMapping;
        var twoAces = SddlParser.Parse(BenchmarkInputs.TwoAceSddl);
        var twentyAces = SddlParser.Parse(BenchmarkInputs.TwentyAceSddl);
        return
        [
            ("TwoAceCheck", n =>
            {
                long sum = 0;
                for (long i = 0; i < n; i++) sum += AccessCheck.Check(twoAces, token, BenchmarkInputs.FileGenericRead, mapping).GrantedAccess;
                return sum;
            }),
            ("TwentyAceCheckMatchLast", n =>
            {
                long sum = 0;
                for (long i = 0; i < n; i++) sum += AccessCheck.Check(twentyAces, token, BenchmarkInputs.FileGenericRead, mapping).GrantedAccess;
                return sum;
            }),
            ("MaximumAllowedTwentyAces", n =>
            {
                long sum = 0;
                for (long i = 0; i < n; i++) sum += AccessCheck.Check(twentyAces, token, AccessMask.MaximumAllowed, mapping).GrantedAccess;
                return sum;
            }),
            ("SddlRoundTrip", n =>
            {
                long sum = 0;
                for (long i = 0; i < n; i++) sum += SddlWriter.Format(SddlParser.Parse(BenchmarkInputs.TenAceSddl)).Length;
                return sum;
            }),
        ];
    }

    /// <summary>
    /// Times a case in rounds of about 10 ms. The warm-up lasts at least half a second (or a fifth of
    /// <paramref name="share"/> if longer) and until the rate stops rising, for at most <paramref name="share"/> (or
    /// the minimum if longer). Then rounds run for <paramref name="share"/> and the median round's rate
    /// is reported: other processes on a shared machine slow some rounds, and the median ignores those.
    /// </summary>
    private static long Measure(Func<long, long> loop, TimeSpan share)
    {
        long sink = 0;
        long n = 1;
        var round = TimeSpan.FromMilliseconds(10);
        var rates = new List<double>();
        // Tier-1 code comes after a method's 30th call and 100 ms without new tier-0 work, compiled in the background:
        // on a busy machine, later. A rate that is flat at tier 0 would look settled, hence the half-second floor.
        var minWarmUp = TimeSpan.FromMilliseconds(500) > share / 5 ? TimeSpan.FromMilliseconds(500) : share / 5;
        var maxWarmUp = minWarmUp > share ? minWarmUp : share;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < maxWarmUp)
        {
            long start = Stopwatch.GetTimestamp();
            sink += loop(n);
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed < round)
            {
                n *= 2;
                continue;
            }
            rates.Add(n / elapsed.TotalSeconds);
            if (watch.Elapsed >= minWarmUp && rates.Count >= 20 && Median(rates[^10..]) < 1.03 * Median(rates[^20..^10])) break;
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        rates.Clear();
        watch.Restart();
        do
        {
            long start = Stopwatch.GetTimestamp();
            sink += loop(n);
            rates.Add(n / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        while (watch.Elapsed < share);
        GC.KeepAlive(sink);
        return (long)Median(rates);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static bool IsDebugBuild(Assembly assembly) => assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true;
}
