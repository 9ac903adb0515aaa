using System.IO.Compression;
using System.Text.Json;
using NtSec.Principals;
using Xunit.Abstractions;

namespace NtSec.Tests.Conformance;

/// <summary>
/// Locates the shared conformance corpus (observed Windows behaviour) beside the repository, or through
/// NTSEC_CONFORMANCE_DIR. The corpus is never copied into the repository.
/// </summary>
public static class ConformanceData
{
    private static readonly Lazy<string?> DirectoryLazy = new(Locate);
    private static readonly Lazy<IReadOnlyList<JsonElement>> FactsLazy = new(LoadFacts);

    /// <summary>The corpus folder, or null when it is not there (the tests are then skipped, not passed).</summary>
    public static string? Directory => DirectoryLazy.Value;

    /// <summary>The machine account domain of the Windows box that produced windows-sddl/.</summary>
    public static readonly Sid MachineDomain = Sid.Parse("S-1-5-21-2457507606-2709100691-398136650");

    /// <summary>The SID context of that machine: LA and LG resolve against its domain.</summary>
    public static readonly SidContext MachineContext = new(MachineDomain: MachineDomain);

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("NTSEC_CONFORMANCE_DIR");
        if (!string.IsNullOrEmpty(env)) return IsCorpus(env) ? env : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NtSec.slnx")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance"));
                return IsCorpus(candidate) ? candidate : null;
            }
        }
        return null;
    }

    // A folder counts as the corpus only when it holds the corpus: an empty folder (the way CI hides the corpus)
    // or an unrelated one means "absent", so the conformance tests skip instead of failing on missing files.
    private static bool IsCorpus(string dir)
        => File.Exists(Path.Combine(dir, "facts.jsonl")) || System.IO.Directory.Exists(Path.Combine(dir, "windows-sddl"));

    /// <summary>Full path of a corpus file.</summary>
    public static string PathOf(string relative) => Path.Combine(Directory ?? throw new InvalidOperationException("conformance corpus missing"), relative);

    /// <summary>The "input -> output" lines of a windows-sddl text file.</summary>
    public static IEnumerable<(int Line, string Input, string Output)> ArrowLines(string file)
    {
        int n = 0;
        foreach (var line in File.ReadLines(PathOf(Path.Combine("windows-sddl", file))))
        {
            n++;
            if (line.Length == 0) continue;
            int arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
            if (arrow < 0) continue;
            yield return (n, line[..arrow], line[(arrow + 4)..]);
        }
    }

    /// <summary>SDDL string to the bytes Windows produced, from a (possibly gzipped) JSON object.</summary>
    public static IEnumerable<(string Sddl, byte[] Bytes)> SddlToBytes(string file)
    {
        var path = PathOf(Path.Combine("windows-sddl", file));
        using Stream raw = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        using var doc = JsonDocument.Parse(stream);
        var list = new List<(string, byte[])>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var bytes = new byte[p.Value.GetArrayLength()];
            int i = 0;
            foreach (var b in p.Value.EnumerateArray()) bytes[i++] = b.GetByte();
            list.Add((p.Name, bytes));
        }
        return list;
    }

    /// <summary>Every fact of facts.jsonl.</summary>
    public static IReadOnlyList<JsonElement> Facts => FactsLazy.Value;

    /// <summary>The facts of some kinds.</summary>
    public static IEnumerable<JsonElement> FactsOfKind(params string[] kinds)
        => Facts.Where(f => kinds.Contains(f.GetProperty("kind").GetString()));

    private static IReadOnlyList<JsonElement> LoadFacts()
    {
        var list = new List<JsonElement>();
        foreach (var line in File.ReadLines(PathOf("facts.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            list.Add(doc.RootElement.Clone());
        }
        return list;
    }

    /// <summary>
    /// Records a per-file pass count: written to the test output and appended to conformance-summary.txt
    /// next to the test assembly, which .ci/run prints.
    /// </summary>
    public static void Report(ITestOutputHelper output, string name, int passed, int total, IEnumerable<string> failures)
    {
        var line = $"{name}: {passed}/{total} passed";
        output.WriteLine(line);
        foreach (var f in failures.Take(40)) output.WriteLine("  FAIL " + f);
        lock (typeof(ConformanceData))
            File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "conformance-summary.txt"), line + Environment.NewLine);
    }

    /// <summary>Hex of bytes, lower case.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}

/// <summary>A fact that is skipped, with the reason, when the conformance corpus is not beside the repository.</summary>
public sealed class ConformanceFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when the corpus is missing.</summary>
    public ConformanceFactAttribute()
    {
        if (ConformanceData.Directory is null) Skip = "conformance corpus not found (../shared/conformance or NTSEC_CONFORMANCE_DIR)";
    }
}
