using System.Globalization;

namespace NtSec.Tests.Fuzzing;

/// <summary>
/// The seeds and iteration counts of the fuzz and property tests. Every run uses <see cref="FixedSeed"/>; a second
/// seed can be given in <c>NTSEC_FUZZ_SEED</c> (decimal or 0x hex) and the per-seed iteration count of each fuzz
/// target in <c>NTSEC_FUZZ_ITERATIONS</c>. The seeds used are printed so that a failure can be replayed with
/// <c>NTSEC_FUZZ_SEED=&lt;seed&gt; dotnet test --filter ...</c>.
/// </summary>
public static class FuzzSettings
{
    /// <summary>The seed every run uses.</summary>
    public const int FixedSeed = 0x4E745365; // "NtSe"

    /// <summary>Environment variable holding an extra seed.</summary>
    public const string SeedVariable = "NTSEC_FUZZ_SEED";

    /// <summary>Environment variable overriding the number of inputs per seed and target.</summary>
    public const string IterationsVariable = "NTSEC_FUZZ_ITERATIONS";

    /// <summary>The largest accepted iteration count, so that a typo cannot make a run last for hours.</summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>
    /// Reads the settings from the environment: the seeds (the fixed one first) and the iteration override
    /// (null when not set). <paramref name="error"/> says what is wrong with a malformed variable.
    /// </summary>
    public static bool TryResolve(out IReadOnlyList<int> seeds, out int? iterations, out string? error)
        => TryResolve(Environment.GetEnvironmentVariable(SeedVariable), Environment.GetEnvironmentVariable(IterationsVariable), out seeds, out iterations, out error);

    /// <summary>As <see cref="TryResolve(out IReadOnlyList{int}, out int?, out string?)"/>, from given values.</summary>
    public static bool TryResolve(string? seedText, string? iterationsText, out IReadOnlyList<int> seeds, out int? iterations, out string? error)
    {
        var list = new List<int> { FixedSeed };
        seeds = list;
        iterations = null;
        error = null;
        if (!string.IsNullOrWhiteSpace(seedText))
        {
            if (!TryParseInt(seedText.Trim(), out long seed) || seed < int.MinValue || seed > uint.MaxValue)
            {
                error = $"{SeedVariable}='{seedText}' is not a 32-bit number (decimal or 0x hex)";
                return false;
            }
            int s = unchecked((int)seed);
            if (s != FixedSeed) list.Add(s);
        }
        if (!string.IsNullOrWhiteSpace(iterationsText))
        {
            if (!TryParseInt(iterationsText.Trim(), out long n) || n < 1 || n > MaxIterations)
            {
                error = $"{IterationsVariable}='{iterationsText}' is not a count between 1 and {MaxIterations}";
                return false;
            }
            iterations = (int)n;
        }
        return true;
    }

    private static bool TryParseInt(string text, out long value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The seeds and counts, or a test failure naming the malformed variable.</summary>
    public static (IReadOnlyList<int> Seeds, int? Iterations) Require()
    {
        if (!TryResolve(out var seeds, out var iterations, out var error)) Assert.Fail(error);
        return (seeds, iterations);
    }

    /// <summary>A human-readable line with the seeds, for test output.</summary>
    public static string Describe(IReadOnlyList<int> seeds)
        => $"seeds: {string.Join(", ", seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)))} (fixed {FixedSeed}; extra from {SeedVariable}{(seeds.Count > 1 ? "" : ", not set")})";
}
