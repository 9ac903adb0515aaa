using NtSec.Principals;
using NtSec.Tests.Cli;
using NtSec.Tests.Conformance;

namespace NtSec.Tests.Import;

/// <summary>
/// The importer samples: the project's own (tests/NtSec.Tests/Import/Samples, written in Windows' layout for this
/// project) and the shared ones Windows printed (../shared/conformance/windows-output, read in place, never copied).
/// </summary>
public static class ImportSamples
{
    /// <summary>The folder of the project's own samples.</summary>
    public static string Folder => Path.Combine(CliHarness.RepositoryRoot(), "tests", "NtSec.Tests", "Import", "Samples");

    /// <summary>The text of one of the project's own samples.</summary>
    public static string Own(string name) => File.ReadAllText(Path.Combine(Folder, name));

    /// <summary>The text of a shared windows-output sample (the test must be a <see cref="ConformanceFactAttribute"/>).</summary>
    public static string Shared(string name) => File.ReadAllText(ConformanceData.PathOf(Path.Combine("windows-output", name)));

    /// <summary>The domain the project's own samples use (CONTOSO).</summary>
    public const string Contoso = "S-1-5-21-1004336348-1177238915-682003330";

    /// <summary>A SID from its string.</summary>
    public static Sid S(string text) => Sid.Parse(text);

    /// <summary>
    /// Hard-wraps every line longer than <paramref name="width"/> into pieces of exactly that width, as a console
    /// of that width shows (and a copy of its screen keeps) text written without line breaks.
    /// </summary>
    public static string HardWrap(string text, int width)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var output = new List<string>();
        foreach (var line in lines)
        {
            if (line.Length <= width)
            {
                output.Add(line);
                continue;
            }
            for (int i = 0; i < line.Length; i += width) output.Add(line.Substring(i, Math.Min(width, line.Length - i)));
        }
        return string.Join("\r\n", output);
    }
}
