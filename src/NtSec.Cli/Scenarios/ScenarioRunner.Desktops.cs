using NtSec.Kernel;

namespace NtSec.Cli.Scenarios;

public sealed partial class ScenarioRunner
{
    private Dictionary<string, DesktopObject?> SetUpDesktops()
    {
        var d = new Dictionary<string, DesktopObject?>(StringComparer.OrdinalIgnoreCase) { ["WinSta0\\Default"] = null };
        foreach (var x in _scenario.Desktops) d["WinSta0\\" + x.Name] = null;
        return d;
    }

    private Outcome DispatchUser(Step step, ThreadObject t, List<NtHandle> toClose) => throw new InvalidOperationException(step.Kind);
}
