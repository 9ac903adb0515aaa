using System.Diagnostics;
using System.Globalization;
using NtSec.Authorization;
using NtSec.Authorization.Matrix;
using NtSec.Sddl;
using NtSec.Cli.Commands;

namespace NtSec.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- quick [runs] [--no-matrix | --matrix-only | --compile-only | --sddl-only] [--small]</c>: short Stopwatch figures for docs/benchmarks.md, the library beside
/// the floor (<see cref="Floor"/>), each the median of several short runs after a tier-1 warm-up, interleaved so
/// that load from other processes falls on both alike. Also the 100,000 x 1,000 matrix, checked on a sample.
/// </summary>
internal static class Quick
{
    public static void Run(string[] args)
    {
        int runs = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out int given) ? given : 7;
        if (args.Contains("--compile-only"))
        {
            Compile(args.Contains("--small") ? 1000 : 100_000, 1000, ObjectTypes.File.GenericMapping, runs);
            return;
        }
        if (args.Contains("--matrix-only"))
        {
            Matrix(args.Contains("--small") ? 10_000 : 100_000, 1000, ObjectTypes.File.GenericMapping);
            return;
        }
        var token = BenchmarkInputs.FifteenGroupToken();
        var mapping = ObjectTypes.File.GenericMapping;
        var two = SddlParser.Parse(BenchmarkInputs.TwoAceSddl);
        var twenty = SddlParser.Parse(BenchmarkInputs.TwentyAceSddl);
        var ten = SddlParser.Parse(BenchmarkInputs.TenAceSddl);
        var floorToken = new Floor.FloorToken(token);
        var floorTwo = Floor.Compile(two, mapping);
        var floorTwenty = Floor.Compile(twenty, mapping);
        const uint read = BenchmarkInputs.FileGenericRead;
        var text = new char[4096];
        if (args.Contains("--sddl-only"))
        {
            Func<long, long>[] sddl =
            [
                n => { long s = 0; for (long i = 0; i < n; i++) s += SddlWriter.Format(SddlParser.Parse(BenchmarkInputs.TenAceSddl)).Length; return s; },
                n => { long s = 0; for (long i = 0; i < n; i++) { SddlWriter.TryFormat(SddlParser.Parse(BenchmarkInputs.TenAceSddl), text, out int w, out _); s += w; } return s; },
                n => { long s = 0; for (long i = 0; i < n; i++) s += SddlFloor.RoundTrip(BenchmarkInputs.TenAceSddl); return s; },
                n => { long s = 0; for (long i = 0; i < n; i++) s += SddlParser.Parse(BenchmarkInputs.TenAceSddl).Dacl!.Count; return s; },
                n => { long s = 0; for (long i = 0; i < n; i++) s += SddlWriter.Format(ten).Length; return s; },
                n => { long s = 0; for (long i = 0; i < n; i++) { SddlWriter.TryFormat(ten, text, out int w, out _); s += w; } return s; },
            ];
            Report(["SddlRoundTrip", "SddlRoundTrip to a buffer", "SddlRoundTrip floor", "SddlParse", "SddlFormat", "SddlFormat to a buffer"], sddl, runs);
            return;
        }
        Func<long, long>[] cases =
        [
            n => { long s = 0; for (long i = 0; i < n; i++) s += AccessCheck.Check(two, token, read, mapping).GrantedAccess; return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) s += Floor.Check(floorTwo, floorToken, read); return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) { NtSec.Authorization.FastPath.PlainAccessCheck.TryCheck(two, token, read, mapping, out var r); s += r.GrantedAccess; } return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) s += AccessCheck.Check(twenty, token, read, mapping).GrantedAccess; return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) s += Floor.Check(floorTwenty, floorToken, read); return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) s += AccessCheck.Check(twenty, token, AccessMask.MaximumAllowed, mapping).GrantedAccess; return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) s += Floor.Check(floorTwenty, floorToken, AccessMask.MaximumAllowed); return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) s += SddlWriter.Format(SddlParser.Parse(BenchmarkInputs.TenAceSddl)).Length; return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) s += SddlFloor.RoundTrip(BenchmarkInputs.TenAceSddl); return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) s += SddlParser.Parse(BenchmarkInputs.TenAceSddl).Dacl!.Count; return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) s += SddlWriter.Format(ten).Length; return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) { SddlWriter.TryFormat(SddlParser.Parse(BenchmarkInputs.TenAceSddl), text, out int w, out _); s += w; } return s; },
            n => { long s = 0; for (long i = 0; i < n; i++) { SddlWriter.TryFormat(ten, text, out int w, out _); s += w; } return s; },
        ];
        string[] names = ["TwoAceCheck", "TwoAceCheck floor", "TwoAceCheck fast path direct", "TwentyAceCheckMatchLast", "TwentyAceCheckMatchLast floor", "MaximumAllowedTwentyAces", "MaximumAllowedTwentyAces floor", "SddlRoundTrip", "SddlRoundTrip floor", "SddlParse", "SddlFormat", "SddlRoundTrip to a buffer", "SddlFormat to a buffer"];
        Report(names, cases, runs);
        if (!args.Contains("--no-matrix")) Matrix(args.Contains("--small") ? 10_000 : 100_000, 1000, mapping);
    }

    // Warms every case, then runs them interleaved (so that load from other processes falls on all alike).
    private static void Report(string[] names, Func<long, long>[] cases, int runs)
    {
        var perOp = new List<double>[cases.Length];
        var bytes = new double[cases.Length];
        for (int c = 0; c < cases.Length; c++)
        {
            perOp[c] = [];
            WarmUp(cases[c]);
        }
        for (int r = 0; r < runs; r++)
            for (int c = 0; c < cases.Length; c++)
            {
                var (ns, b) = Time(cases[c], TimeSpan.FromMilliseconds(100));
                perOp[c].Add(ns);
                bytes[c] = b;
            }
        for (int c = 0; c < cases.Length; c++)
            Console.WriteLine($"{names[c],-32} median {Median(perOp[c]),9:F1} CPU-ns/op  (min {perOp[c].Min(),8:F1}, max {perOp[c].Max(),8:F1})  {bytes[c],7:F0} B/op");
    }

    public static void Matrix(int descriptorCount, int tokenCount, GenericMapping mapping)
    {
        var watch = Stopwatch.StartNew();
        var descriptors = MatrixInputs.Descriptors(descriptorCount);
        var tokens = MatrixInputs.Tokens(tokenCount);
        Console.WriteLine($"matrix inputs: {descriptorCount} distinct descriptors x {tokenCount} tokens made in {watch.Elapsed.TotalSeconds:F2} s (not counted)");
        for (int run = 0; run < 3; run++)
        {
            // Fresh descriptor and token objects each run, so no facts cached by an earlier run are reused.
            if (run > 0)
            {
                descriptors = MatrixInputs.Descriptors(descriptorCount);
                tokens = MatrixInputs.Tokens(tokenCount);
            }
            GC.Collect();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            watch.Restart();
            var matrix = AccessMatrix.Compile(descriptors, tokens, mapping);
            double compile = watch.Elapsed.TotalSeconds;
            long granted = 0, cells = 0;
            matrix.Evaluate(AccessMask.MaximumAllowed, (d, row) =>
            {
                foreach (var r in row) granted += r.GrantedAccess;
                cells += row.Length;
            });
            double wall = watch.Elapsed.TotalSeconds;
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine($"matrix run {run}: {cells:N0} cells, compile {compile:F2} s, total {wall:F2} s wall, {cpuSeconds:F2} CPU-s (checksum {granted})");
            if (run == 0) Verify(matrix, descriptors, tokens, mapping);
        }
    }

    /// <summary>
    /// <see cref="AccessMatrix.Compile"/> alone, <paramref name="runs"/> times on fresh inputs (no facts cached by an
    /// earlier run), after one untimed run that pays the JIT: to compare ways of compiling.
    /// </summary>
    public static void Compile(int descriptorCount, int tokenCount, GenericMapping mapping, int runs)
    {
        var wall = new List<double>();
        var cpu = new List<double>();
        for (int run = -1; run < runs; run++)
        {
            var descriptors = MatrixInputs.Descriptors(descriptorCount);
            var tokens = MatrixInputs.Tokens(tokenCount);
            GC.Collect();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            GC.KeepAlive(AccessMatrix.Compile(descriptors, tokens, mapping));
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (run < 0) continue;
            wall.Add(seconds * 1000);
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
        }
        Console.WriteLine($"compile {descriptorCount} x {tokenCount}: median {Median(wall):F1} ms wall, {Median(cpu):F1} CPU-ms over {runs} runs (wall min {wall.Min():F1}, max {wall.Max():F1})");
    }

    private static void Verify(AccessMatrix matrix, NtSec.Descriptors.SecurityDescriptor[] descriptors, NtSec.Tokens.Token[] tokens, GenericMapping mapping)
    {
        var random = new Random(5);
        var sample = new HashSet<int>();
        while (sample.Count < Math.Min(2000, descriptors.Length)) sample.Add(random.Next(descriptors.Length));
        long checkedCells = 0, mismatches = 0;
        foreach (uint desired in new[] { AccessMask.MaximumAllowed, BenchmarkInputs.FileGenericRead })
            matrix.Evaluate(desired, (d, row) =>
            {
                if (!sample.Contains(d)) return;
                for (int t = 0; t < row.Length; t++)
                {
                    checkedCells++;
                    if (row[t] != AccessCheck.Check(descriptors[d], tokens[t], desired, mapping)) mismatches++;
                }
            });
        Console.WriteLine($"matrix verified against AccessCheck.Check: {checkedCells:N0} sampled cells (MAXIMUM_ALLOWED and FILE_GENERIC_READ), {mismatches} differ; {matrix.FullCheckTokenCount} tokens and {matrix.FullCheckDescriptorCount} descriptors sent to the full check");
    }

    private static void WarmUp(Func<long, long> loop)
    {
        // Tier-1 code arrives after 30 calls and a quiet 100 ms, compiled in the background: run for 600 ms.
        var w = Stopwatch.StartNew();
        long n = 1000;
        while (w.ElapsedMilliseconds < 600) { loop(n); n = Math.Min(n * 2, 1 << 20); }
    }

    // CPU time of the process (one busy thread) per operation, as the figures are: on a shared machine
    // the wall clock also counts the time other processes held the core.
    private static (double Ns, double Bytes) Time(Func<long, long> loop, TimeSpan length)
    {
        long n = 1000;
        while (true)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var cpu = Environment.CpuUsage.TotalTime;
            long start = Stopwatch.GetTimestamp();
            GC.KeepAlive(loop(n));
            var elapsed = Stopwatch.GetElapsedTime(start);
            var cpuElapsed = Environment.CpuUsage.TotalTime - cpu;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (elapsed >= length) return (cpuElapsed.TotalNanoseconds / n, (double)allocated / n);
            n *= 2;
        }
    }

    private static double Median(List<double> values)
    {
        var s = values.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }
}
