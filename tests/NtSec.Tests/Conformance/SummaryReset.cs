using System.Runtime.CompilerServices;

namespace NtSec.Tests.Conformance;

internal static class SummaryReset
{
    /// <summary>Starts each test run with an empty conformance summary, so counts from earlier runs never mix in.</summary>
    [ModuleInitializer]
    internal static void Reset()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "conformance-summary.txt");
        if (File.Exists(path)) File.Delete(path);
    }
}
