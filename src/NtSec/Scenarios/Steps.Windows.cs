using NtSec.Kernel;
using NtSec.Win32;

namespace NtSec.Scenarios;

/// <summary><c>create-window</c>: CreateWindow on the caller's desktop; the window is named <see cref="As"/> for later steps.</summary>
public sealed record CreateWindowStep : ScenarioStep
{
    /// <summary>The window's title; null: <see cref="As"/>.</summary>
    public string? Title { get; init; }

    /// <summary>The name later steps use for the window.</summary>
    public required string As { get; init; }

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal override IEnumerable<(DefinedName Kind, string Name)> Defines => [(DefinedName.Window, As)];

    internal static ScenarioStep Read(StepReader r)
    {
        string name = r.NewName(required: true, " (a name for the window)")!;
        return new CreateWindowStep { As = name, Title = r.Opt("name") is { } n ? StepReader.Text(n) : null };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var w32 = c.Caller.Win32;
        string title = Title ?? As;
        var hwnd = w32.CreateWindow("NtSecWindow", title);
        string call = $"CreateWindow(\"{title}\")";
        if (hwnd.IsNull) return new StepOutcome(call, NtStatus.Success) { Error = w32.GetLastError() };
        c.SaveWindow(As, hwnd);
        return new StepOutcome(call, NtStatus.Success) { Error = 0, Answer = true, SavedAs = As };
    }
}

/// <summary><c>find-window</c>: FindWindow by title on the caller's desktop; windows on other desktops cannot be seen.</summary>
public sealed record FindWindowStep : ScenarioStep
{
    /// <summary>The title looked for; null: <see cref="As"/>.</summary>
    public string? Title { get; init; }

    /// <summary>The name later steps use for the window found (a NULL window when none was).</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal override IEnumerable<(DefinedName Kind, string Name)> Defines => As is null ? [] : [(DefinedName.Window, As)];

    internal static ScenarioStep Read(StepReader r)
    {
        string? name = r.NewName(required: false);
        return new FindWindowStep { As = name, Title = r.Opt("name") is { } n ? StepReader.Text(n) : null };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var w32 = c.Caller.Win32;
        string title = Title ?? As ?? "";
        var hwnd = w32.FindWindow(null, title);
        if (As is { } saved) c.SaveWindow(saved, hwnd);
        bool found = !hwnd.IsNull;
        return new StepOutcome($"FindWindow(\"{title}\")", NtStatus.Success) { Answer = found, Error = found ? 0 : w32.GetLastError(), SavedAs = As };
    }
}

/// <summary>A window message sent or posted to a window a step named.</summary>
public abstract record MessageStep : ScenarioStep
{
    private protected MessageStep()
    {
    }

    /// <summary>The window's name (from a create-window or find-window step).</summary>
    public required string Window { get; init; }

    /// <summary>The message number (<see cref="WindowMessages"/>).</summary>
    public required uint Message { get; init; }

    private protected abstract bool Send { get; }

    internal override StepOutcome Run(StepContext c)
    {
        var w32 = c.Caller.Win32;
        var hwnd = c.Window(Window);
        w32.SetLastError(0);
        bool delivered;
        if (Send)
        {
            w32.SendMessage(hwnd, Message, 0, 0);
            delivered = w32.GetLastError() == 0;
        }
        else
        {
            delivered = w32.PostMessage(hwnd, Message, 0, 0);
        }
        int error = delivered ? 0 : w32.GetLastError();
        var target = c.System.GetWindow(hwnd);
        return new StepOutcome($"{(Send ? "SendMessage" : "PostMessage")}({Window}, {WindowMessages.Name(Message)})", NtStatus.Success)
        {
            Answer = delivered,
            Error = error,
            Detail = new WindowDetail(target?.Desktop.Name, target?.Thread.Process.ImageName),
        };
    }
}

/// <summary><c>send-message</c>: SendMessage.</summary>
public sealed record SendMessageStep : MessageStep
{
    private protected override bool Send => true;

    internal static ScenarioStep Read(StepReader r)
    {
        string window = r.Window();
        return new SendMessageStep { Window = window, Message = r.Message() };
    }
}

/// <summary><c>post-message</c>: PostMessage.</summary>
public sealed record PostMessageStep : MessageStep
{
    private protected override bool Send => false;

    internal static ScenarioStep Read(StepReader r)
    {
        string window = r.Window();
        return new PostMessageStep { Window = window, Message = r.Message() };
    }
}

/// <summary><c>set-thread-desktop</c>: OpenDesktop (MAXIMUM_ALLOWED) then SetThreadDesktop.</summary>
public sealed record SetThreadDesktopStep : ScenarioStep
{
    /// <summary>The desktop (<c>WinSta0\NAME</c>).</summary>
    public required string Desktop { get; init; }

    internal static ScenarioStep Read(StepReader r) => new SetThreadDesktopStep { Desktop = r.Desktop(required: true)! };

    internal override StepOutcome Run(StepContext c)
    {
        var w32 = c.Caller.Win32;
        string call = $"SetThreadDesktop({Desktop})";
        var h = w32.OpenDesktop(Desktop.Split('\\')[^1], 0, false, AccessMask.MaximumAllowed);
        if (h.IsNull) return new StepOutcome(call, NtStatus.Success) { Error = w32.GetLastError() };
        bool ok = w32.SetThreadDesktop(h);
        return new StepOutcome(call, NtStatus.Success) { Answer = ok, Error = ok ? 0 : w32.GetLastError() };
    }
}
