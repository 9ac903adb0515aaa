using BenchmarkDotNet.Running;

// "quick" prints short Stopwatch figures beside the floor (Quick.cs); anything else goes to BenchmarkDotNet,
// e.g. --filter *Sddl* --job short.
if (args.Length > 0 && args[0] == "quick") NtSec.Benchmarks.Quick.Run(args);
else BenchmarkSwitcher.FromAssembly(typeof(NtSec.Benchmarks.CodecBenchmarks).Assembly).Run(args);
