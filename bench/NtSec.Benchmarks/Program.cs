using BenchmarkDotNet.Running;

// Runs every benchmark class in this assembly; pass BenchmarkDotNet arguments, e.g. --filter *Sddl*.
BenchmarkSwitcher.FromAssembly(typeof(NtSec.Benchmarks.CodecBenchmarks).Assembly).Run(args);
