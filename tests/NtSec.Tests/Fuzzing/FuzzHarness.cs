using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace NtSec.Tests.Fuzzing;

/// <summary>What one fuzz input did: accepted or rejected by the parser, or a broken invariant.</summary>
public readonly record struct FuzzVerdict(bool Accepted, string? Failure, string? Kind = null)
{
    /// <summary>Accepted, through the path named <paramref name="kind"/> (tallied in the report).</summary>
    public static FuzzVerdict AcceptAs(string kind) => new(true, null, kind);

    /// <summary>The parser accepted the input and every round-trip invariant held.</summary>
    public static FuzzVerdict Accept => new(true, null);

    /// <summary>The parser rejected the input with a well-formed error.</summary>
    public static FuzzVerdict Reject => new(false, null);

    /// <summary>An invariant broke.</summary>
    public static FuzzVerdict Fail(string failure) => new(false, failure);
}

/// <summary>
/// Limits one parse call must stay within: a time budget (a hang or a super-linear path shows up as a call far
/// over it) and an allocation budget that grows linearly with the input (an allocation driven by a length field
/// rather than by the bytes actually present shows up as far over it).
/// </summary>
/// <param name="BaseBytes">Allocation allowed for any input.</param>
/// <param name="BytesPerUnit">Further allocation allowed per input character or byte.</param>
public sealed record ParseBudget(long BaseBytes, long BytesPerUnit)
{
    /// <summary>
    /// Wall time one parse may take: by default far above what any input in the corpus needs (microseconds), so that
    /// a busy shared machine does not make the test flaky; a call over it is measured a second time before it counts.
    /// </summary>
    public TimeSpan Time { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The allocation limit for an input of <paramref name="units"/> characters or bytes.</summary>
    public long Limit(int units) => BaseBytes + (BytesPerUnit * units);
}

/// <summary>Runs a parse call and checks it against a <see cref="ParseBudget"/>, keeping the worst case seen.</summary>
public sealed class ParseMeter(ParseBudget budget)
{
    /// <summary>The largest allocation seen, in bytes per input unit beyond the base.</summary>
    public double WorstBytesPerUnit { get; private set; }

    /// <summary>The largest allocation seen for one call.</summary>
    public long WorstBytes { get; private set; }

    /// <summary>The longest call seen.</summary>
    public TimeSpan WorstTime { get; private set; }

    /// <summary>The budget.</summary>
    public ParseBudget Budget => budget;

    /// <summary>
    /// Runs <paramref name="parse"/> and returns its result; <paramref name="failure"/> is set when it took too long
    /// (twice in a row) or allocated more than the budget for <paramref name="units"/> units of input.
    /// </summary>
    public bool Run(Func<bool> parse, int units, out string? failure)
    {
        var (result, elapsed, allocated) = Measure(parse);
        if (elapsed > budget.Time)
        {
            // A garbage collection or another process can stall one call: only a second slow run counts.
            (result, elapsed, allocated) = Measure(parse);
        }
        WorstTime = elapsed > WorstTime ? elapsed : WorstTime;
        WorstBytes = Math.Max(WorstBytes, allocated);
        if (units > 0) WorstBytesPerUnit = Math.Max(WorstBytesPerUnit, (double)Math.Max(0, allocated - budget.BaseBytes) / units);
        failure = null;
        if (elapsed > budget.Time)
            failure = $"parse took {elapsed.TotalMilliseconds:F0} ms (twice), budget {budget.Time.TotalMilliseconds:F0} ms";
        else if (allocated > budget.Limit(units))
            failure = $"parse allocated {allocated} bytes for {units} units of input, budget {budget.Limit(units)} ({budget.BaseBytes} + {budget.BytesPerUnit}/unit)";
        return result;
    }

    private static (bool Result, TimeSpan Elapsed, long Allocated) Measure(Func<bool> parse)
    {
        long a0 = GC.GetAllocatedBytesForCurrentThread();
        long t0 = Stopwatch.GetTimestamp();
        bool result = parse();
        var elapsed = Stopwatch.GetElapsedTime(t0);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - a0;
        return (result, elapsed, allocated);
    }
}

/// <summary>One fuzz target: seeds, how to mutate them, and the oracle that judges each input.</summary>
/// <typeparam name="T">The input type (string or byte[]).</typeparam>
public sealed class FuzzTarget<T>
{
    /// <summary>Name for the output.</summary>
    public required string Name { get; init; }

    /// <summary>The seeds to mutate; each is also checked unmutated first (which warms the parser up).</summary>
    public required IReadOnlyList<T> Seeds { get; init; }

    /// <summary>Builds one input from a seed.</summary>
    public required Func<Random, T, IReadOnlyList<T>, T> Mutate { get; init; }

    /// <summary>Judges one input.</summary>
    public required Func<T, FuzzVerdict> Check { get; init; }

    /// <summary>Shows an input so it can be pasted into a regression test.</summary>
    public required Func<T, string> Show { get; init; }

    /// <summary>Inputs per seed when <c>NTSEC_FUZZ_ITERATIONS</c> is not set.</summary>
    public required int DefaultIterations { get; init; }

    /// <summary>The meter the oracle uses, reported at the end.</summary>
    public ParseMeter? Meter { get; init; }
}

/// <summary>
/// Runs fuzz targets: for each seed (the fixed one and <c>NTSEC_FUZZ_SEED</c>), a bounded number of mutated inputs,
/// each judged by the target's oracle. Runs on a background thread so that a hang is reported with the input that
/// caused it instead of stalling the test run. Failures are collected (the first few shown in full, C#-escaped).
/// </summary>
public static class FuzzHarness
{
    /// <summary>How long a whole target may run before it is reported as hung.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private const int ShownFailures = 12;

    /// <summary>The outcome of a run, for assertions.</summary>
    public sealed record Report(int Inputs, int Accepted, int Rejected, IReadOnlyList<string> Failures, string? Hang, IReadOnlyDictionary<string, int> Kinds)
    {
        /// <summary>How many accepted inputs went through the path named <paramref name="kind"/>.</summary>
        public int CountOf(string kind) => Kinds.GetValueOrDefault(kind);
    }

    /// <summary>Runs <paramref name="target"/> with the seeds and counts of the environment and asserts that nothing broke.</summary>
    public static Report RunAndAssert<T>(ITestOutputHelper output, FuzzTarget<T> target)
    {
        var (seeds, iterations) = FuzzSettings.Require();
        var report = Run(output, target, seeds, iterations ?? target.DefaultIterations);
        Assert.True(report.Hang is null, report.Hang);
        Assert.True(report.Failures.Count == 0,
            $"{target.Name}: {report.Failures.Count} of {report.Inputs} inputs broke an invariant ({FuzzSettings.Describe(seeds)}):\n"
            + string.Join("\n", report.Failures.Take(ShownFailures)));
        return report;
    }

    /// <summary>Runs <paramref name="target"/>: the seeds unmutated, then <paramref name="iterations"/> mutations per fuzz seed.</summary>
    public static Report Run<T>(ITestOutputHelper output, FuzzTarget<T> target, IReadOnlyList<int> fuzzSeeds, int iterations, TimeSpan? deadline = null)
    {
        var limit = deadline ?? Deadline;
        Assert.NotEmpty(target.Seeds);
        var failures = new List<string>();
        int inputs = 0, accepted = 0, rejected = 0;
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        string? current = null;
        var stopwatch = Stopwatch.StartNew();

        void Judge(T input, string where)
        {
            Volatile.Write(ref current, where);
            FuzzVerdict verdict;
            try
            {
                verdict = target.Check(input);
            }
            catch (Exception ex)
            {
                verdict = FuzzVerdict.Fail($"threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
            inputs++;
            if (verdict.Failure is not null) failures.Add($"[{where}] {verdict.Failure}\n    input: {target.Show(input)}");
            else if (verdict.Accepted) accepted++;
            else rejected++;
            if (verdict.Failure is null && verdict.Kind is { } kind) kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }

        // The deadline times the inputs, not the oracles' one-time warm-up: under a loaded machine the warm-up alone
        // outlasted a short deadline and the hang was reported before the first input.
        using var warm = new ManualResetEventSlim(false);
        var worker = new Thread(() =>
        {
            try
            {
                Oracles.WarmUp();
            }
            finally
            {
                warm.Set();
            }
            for (int i = 0; i < target.Seeds.Count; i++) Judge(target.Seeds[i], $"corpus seed #{i}");
            foreach (int seed in fuzzSeeds)
            {
                var rng = new Random(seed);
                for (int i = 0; i < iterations; i++)
                {
                    var input = target.Mutate(rng, target.Seeds[rng.Next(target.Seeds.Count)], target.Seeds);
                    Judge(input, $"seed {seed}, iteration {i}");
                }
            }
        }, maxStackSize: 16 * 1024 * 1024)
        {
            IsBackground = true, // a hung parse must not keep the test host alive
            Name = "fuzz " + target.Name,
        };
        worker.Start();
        warm.Wait();
        string? hang = null;
        if (!worker.Join(limit))
            hang = $"{target.Name}: no verdict after {limit.TotalSeconds:F1} s; stuck at {Volatile.Read(ref current)}";

        output.WriteLine($"{target.Name}: {inputs} inputs ({target.Seeds.Count} corpus seeds + {iterations} mutations x {fuzzSeeds.Count} seeds), "
                         + $"{accepted} accepted, {rejected} rejected, {failures.Count} failures, {stopwatch.Elapsed.TotalSeconds:F2} s");
        output.WriteLine("  " + FuzzSettings.Describe(fuzzSeeds));
        output.WriteLine("  " + FuzzCorpus.Describe());
        if (target.Meter is { } m)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  worst parse: {m.WorstTime.TotalMilliseconds:F2} ms, {m.WorstBytes} bytes, {m.WorstBytesPerUnit:F1} bytes/unit over the base (budget {m.Budget.BaseBytes} + {m.Budget.BytesPerUnit}/unit)"));
        if (kinds.Count > 0) output.WriteLine("  accepted by path: " + string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}")));
        foreach (var f in failures.Take(ShownFailures)) output.WriteLine("  FAIL " + f);
        return new Report(inputs, accepted, rejected, failures, hang, kinds);
    }

    /// <summary>A string as a C# literal, every non-printable or non-ASCII character escaped.</summary>
    public static string ShowText(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (char c in s.Length > 600 ? s[..600] : s)
        {
            if (c == '"' || c == '\\') sb.Append('\\').Append(c);
            else if (c is >= ' ' and < (char)0x7f) sb.Append(c);
            else sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        sb.Append('"');
        if (s.Length > 600) sb.Append(CultureInfo.InvariantCulture, $" ... ({s.Length} chars)");
        return sb.ToString();
    }

    /// <summary>Bytes as hex, for the output.</summary>
    public static string ShowBytes(byte[] b) => "hex " + Convert.ToHexStringLower(b);
}
