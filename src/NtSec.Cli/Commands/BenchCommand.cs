using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using NtSec.Authorization;
using NtSec.Authorization.Matrix;
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
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(4);

    public static Command Create(Terminal terminal)
    {
        var seconds = new Option<double>("--seconds")
        {
            Description = $"Measuring time for all cases together, shared equally; each case first warms up until tier-1 code runs and its rate settles (0.5 to 4 s, not counted). Default {DefaultSeconds}.",
            HelpName = "seconds",
            DefaultValueFactory = _ => DefaultSeconds,
        };
        seconds.Validators.Add(result =>
        {
            // A value that is not a number is reported by the parser itself; reading it here would throw.
            if (result.Tokens.Count != 1 || !double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return;
            if (!(value > 0 && value <= 600)) result.AddError($"--seconds must be more than 0 and at most 600; got {result.Tokens[0].Value}.");
        });
        var command = new Command(Name, "Time the standard cases (access checks, an SDDL round trip, a 1,000 x 1,000 matrix) in-process and print operations per second.") { seconds };
        command.SetAction(parse =>
        {
            if (IsDebugBuild(typeof(AccessCheck).Assembly) || IsDebugBuild(typeof(BenchCommand).Assembly))
                terminal.Error.WriteLine("ntsec bench: note: this is a Debug build (JIT optimisation off); build with -c Release for representative figures.");
            var cases = Cases();
            var share = TimeSpan.FromSeconds(parse.GetValue(seconds) / cases.Count);
            foreach (var (name, loop) in cases)
            {
                terminal.Out.WriteLine(name + "\t" + FormatRate(Measure(loop, share)));
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
        var financeToken = BenchmarkInputs.FinanceToken();
        var conditional = SddlParser.Parse(BenchmarkInputs.ConditionalSddl);
        var matrixDescriptors = new Lazy<NtSec.Descriptors.SecurityDescriptor[]>(() => MatrixInputs.Descriptors(1000));
        var matrixTokens = new Lazy<NtSec.Tokens.Token[]>(() => MatrixInputs.Tokens(1000));
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
            ("ConditionalCheck", n =>
            {
                long sum = 0;
                for (long i = 0; i < n; i++) sum += AccessCheck.Check(conditional, financeToken, BenchmarkInputs.FileGenericRead, mapping).GrantedAccess;
                return sum;
            }),
            ("SddlRoundTrip", n =>
            {
                long sum = 0;
                for (long i = 0; i < n; i++) sum += SddlWriter.Format(SddlParser.Parse(BenchmarkInputs.TenAceSddl)).Length;
                return sum;
            }),
            ("Matrix1000x1000", n =>
            {
                // One operation: compile 1,000 distinct descriptors against 1,000 tokens and evaluate MAXIMUM_ALLOWED.
                long sum = 0;
                for (long i = 0; i < n; i++)
                {
                    var matrix = AccessMatrix.Compile(matrixDescriptors.Value, matrixTokens.Value, mapping);
                    matrix.Evaluate(AccessMask.MaximumAllowed, (_, row) => sum += row[0].GrantedAccess);
                }
                return sum;
            }),
        ];
    }

    /// <summary>
    /// Times a case in rounds of about 10 ms. The warm-up is not part of <paramref name="share"/>: it lasts until
    /// tier-1 code runs (the JIT has compiled nothing new for 300 ms, after at least 30 calls of the case, which is
    /// when tiering promotes a method) and the rate stops rising, at least half a second, at most
    /// <see cref="MaxWarmUp"/>. Then rounds run for <paramref name="share"/> and the median round's rate is
    /// reported: other processes on a shared machine slow some rounds, and the median ignores those.
    /// </summary>
    private static double Measure(Func<long, long> loop, TimeSpan share)
    {
        long sink = 0;
        long n = 1;
        var round = TimeSpan.FromMilliseconds(10);
        var rates = new List<double>();
        var minWarmUp = TimeSpan.FromMilliseconds(500);
        var maxWarmUp = MaxWarmUp;
        var watch = Stopwatch.StartNew();
        long jitCount = JitInfo.GetCompiledMethodCount();
        var jitQuiet = Stopwatch.StartNew();
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
            // Tiering is done when the JIT has compiled nothing new for a while (tier-1 and OSR bodies included).
            long compiled = JitInfo.GetCompiledMethodCount();
            if (compiled != jitCount)
            {
                jitCount = compiled;
                jitQuiet.Restart();
            }
            if (watch.Elapsed >= minWarmUp && rates.Count >= 30 && jitQuiet.ElapsedMilliseconds >= 300
                && Median(rates[^10..]) < 1.03 * Median(rates[^20..^10])) break;
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
        return Median(rates);
    }

    /// <summary>
    /// Whole operations a second where that is precise enough; a slower case (the matrix on a loaded machine runs
    /// under one a second) keeps three significant digits, so it never prints as 0.
    /// </summary>
    internal static string FormatRate(double opsPerSecond)
        => opsPerSecond >= 100 ? Math.Round(opsPerSecond).ToString("0", CultureInfo.InvariantCulture)
            : opsPerSecond.ToString("0.###", CultureInfo.InvariantCulture) is var text && text != "0" ? text : opsPerSecond.ToString("0.###E+0", CultureInfo.InvariantCulture);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static bool IsDebugBuild(Assembly assembly) => assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true;
}
