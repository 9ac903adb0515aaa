using NtSec.Kernel;
using NtSec.Win32;

namespace NtSec.Cli.Scenarios;

internal sealed partial class ScenarioRunner
{
    private readonly Dictionary<string, WindowHandle> _windows = new(StringComparer.Ordinal);

    // WinSta0 belongs to the interactive logon session: that of the first declared process's token (its logon SID),
    // as Winlogon would have made it at that user's logon. A token from another logon session cannot use it.
    private Dictionary<string, DesktopObject?> SetUpDesktops()
    {
        var logon = _scenario.Processes.Select(p => _scenario.Tokens[p.Token].LogonSid).FirstOrDefault(s => s is not null)
            ?? _scenario.Tokens.Values.Select(t => t.LogonSid).FirstOrDefault(s => s is not null);
        var desktops = new Dictionary<string, DesktopObject?>(StringComparer.OrdinalIgnoreCase);
        if (logon is not { } sid)
        {
            // No token has a logon SID: nobody's interactive session; every process runs without a desktop.
            desktops["WinSta0\\Default"] = null;
            foreach (var d in _scenario.Desktops) desktops["WinSta0\\" + d.Name] = null;
            return desktops;
        }
        var winsta = _system.CreateInteractiveWindowStation(sid);
        desktops["WinSta0\\Default"] = winsta.Default;
        foreach (var d in _scenario.Desktops) desktops["WinSta0\\" + d.Name] = _system.CreateDesktop(winsta.WindowStation, d.Name, d.Descriptor);
        return desktops;
    }

    private Outcome DispatchUser(Step step, ThreadObject t, List<NtHandle> toClose)
    {
        var a = step.Args;
        var w32 = t.Win32;
        string where = t.Desktop?.Name ?? "no desktop";
        switch (step.Kind)
        {
            case "create-window":
            {
                var hwnd = w32.CreateWindow("NtSecWindow", a.WindowName ?? a.As);
                string call = $"CreateWindow(\"{a.WindowName ?? a.As}\")";
                if (hwnd.IsNull) return new Outcome(call, NtStatus.Success, $"no window: {WhyUser(w32.GetLastError(), t)}", Error: w32.GetLastError());
                _windows[a.As!] = hwnd;
                return new Outcome(call, NtStatus.Success, $"window '{a.As}' belongs to {t.Process.ImageName} on {where}", Error: 0, Answer: true);
            }
            case "find-window":
            {
                string name = a.WindowName ?? a.As ?? "";
                var hwnd = w32.FindWindow(null, name);
                if (a.As is { } saved) _windows[saved] = hwnd;
                bool found = !hwnd.IsNull;
                return new Outcome($"FindWindow(\"{name}\")", NtStatus.Success,
                    found ? $"found on {where}" : $"no window of that name on {where}: windows on other desktops cannot be seen",
                    Answer: found, Error: found ? 0 : w32.GetLastError());
            }
            case "send-message":
            case "post-message":
            {
                var hwnd = _windows.GetValueOrDefault(a.Window!);
                string msg = WindowMessages.Name(a.Message!.Value);
                bool send = step.Kind == "send-message";
                w32.SetLastError(0);
                bool delivered;
                if (send)
                {
                    w32.SendMessage(hwnd, a.Message.Value, 0, 0);
                    delivered = w32.GetLastError() == 0;
                }
                else
                {
                    delivered = w32.PostMessage(hwnd, a.Message.Value, 0, 0);
                }
                int error = delivered ? 0 : w32.GetLastError();
                var target = _system.GetWindow(hwnd);
                string owner = target is null ? "" : $" of {target.Thread.Process.ImageName}";
                return new Outcome($"{(send ? "SendMessage" : "PostMessage")}({a.Window}, {msg})", NtStatus.Success,
                    delivered ? $"delivered to '{a.Window}'{owner}: nothing stops a message between windows of one desktop at the same or a lower integrity level" : WhyUser(error, t, target),
                    Answer: delivered, Error: error);
            }
            case "set-thread-desktop":
            {
                var h = w32.OpenDesktop(a.Desktop!.Split('\\')[^1], 0, false, AccessMask.MaximumAllowed);
                if (h.IsNull) return new Outcome($"SetThreadDesktop({a.Desktop})", NtStatus.Success, WhyUser(w32.GetLastError(), t), Error: w32.GetLastError());
                bool ok = w32.SetThreadDesktop(h);
                int error = ok ? 0 : w32.GetLastError();
                return new Outcome($"SetThreadDesktop({a.Desktop})", NtStatus.Success, ok ? $"the thread now works on {a.Desktop}" : WhyUser(error, t), Answer: ok, Error: error);
            }
            default:
                throw new InvalidOperationException($"The loader accepted a step kind the runner does not know: {step.Kind}.");
        }
    }

    // English for a refused user32 call, from the reason the Win32 layer recorded.
    private string WhyUser(int error, ThreadObject t, Window? target = null)
    {
        var d = t.LastCall;
        return d?.Reason switch
        {
            CallReason.OtherDesktop when target is not null =>
                $"the window is on {target.Desktop.Name}, the caller on {t.Desktop?.Name ?? "no desktop"}: messages never cross desktops",
            CallReason.UipiBlocked when target is not null =>
                $"User Interface Privilege Isolation: the caller's integrity level is below that of {target.Thread.Process.ImageName}'s window",
            CallReason.NoDesktop => "the caller has no desktop (its process is not connected to one)",
            CallReason.DesktopLacksAccess when d.Handle is { } h =>
                $"the thread's desktop handle has {Rights(h.Granted, h.Type)}, not {Rights(h.Needed & ~h.Granted, h.Type)}"
                + (d.UngrantedLogonSid is { } logon ? $": {t.Desktop?.Name} grants it to the logon SID {logon}, and the token the process connected with has none" : d.AccessCheck?.Explanation is { } e ? $": {LastReason(e)}" : ""),
            CallReason.WindowStationLacksAccess when d.Handle is { } h => $"the process's window station handle lacks {Rights(h.Needed & ~h.Granted, h.Type)}",
            CallReason.NoSuchWindow => "no such window (destroyed, or never seen from this desktop)",
            CallReason.ThreadHasWindows => "the thread already has windows on its desktop",
            _ when d?.AccessCheck is { Status.IsSuccess: false } check => Denied(check),
            _ => Win32Error.Name(error),
        };
    }
}
