using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Kernel;

/// <summary>
/// The user32 half of the emulated machine: the interactive window station and its desktops, each process's
/// connection to its desktop, and the windows and message queues of its threads. Windows and queues are plain
/// records, not kernel objects; they go when their thread ends.
/// </summary>
public sealed partial class EmulatedSystem
{
    /// <summary>The most posted messages a thread's queue holds (the documented default of USERPostMessageLimit).</summary>
    public const int PostedMessageLimit = 10_000;

    private const string InteractiveWindowStationName = "WinSta0";

    private readonly Dictionary<long, Window> _windows = [];
    // Creation order; the newest window is first in Z order.
    private readonly List<Window> _windowOrder = [];
    private readonly Dictionary<ThreadObject, ThreadUserState> _threadUser = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ProcessObject, ProcessUserState> _processUser = new(ReferenceEqualityComparer.Instance);
    private long _lastWindowHandle = 0x0001_0010;

    /// <summary>
    /// Creates the interactive window station WinSta0 for the logon session whose logon SID is
    /// <paramref name="logonSid"/>, with its Default (application) and Winlogon desktops, as Winlogon does at
    /// logon; the descriptors are <see cref="DesktopSecurity"/>'s. The three objects are permanent.
    /// </summary>
    /// <param name="logonSid">The interactive user's logon SID (<see cref="Tokens.Token.LogonSid"/>).</param>
    /// <exception cref="InvalidOperationException">WinSta0 exists already (NtSec models one interactive session).</exception>
    public InteractiveWindowStation CreateInteractiveWindowStation(Sid logonSid)
    {
        if (logonSid.IsDefault) throw new ArgumentException("A logon SID is needed.", nameof(logonSid));
        lock (SyncRoot)
        {
            if (_names.ContainsKey(InteractiveWindowStationName)) throw new InvalidOperationException("WinSta0 exists already.");
            var windowStation = new WindowStationObject(this, InteractiveWindowStationName, ObjectSecurity.MapGenericRights(DesktopSecurity.InteractiveWindowStation(logonSid), ObjectTypes.WindowStation.GenericMapping));
            AddName(windowStation, permanent: true);
            windowStation.Release();
            var @default = CreateDesktopObjectLocked(windowStation, "Default", DesktopSecurity.DefaultDesktop(logonSid), permanent: true);
            var winlogon = CreateDesktopObjectLocked(windowStation, "Winlogon", DesktopSecurity.WinlogonDesktop(), permanent: true);
            return new InteractiveWindowStation(windowStation, @default, winlogon);
        }
    }

    /// <summary>
    /// Creates a permanent desktop on a window station without any check, as a setup step. Without a descriptor it
    /// gets what SYSTEM would get creating it: the window station's inheritable ACEs
    /// (<see cref="DesktopSecurity.ForNewDesktop"/>).
    /// </summary>
    /// <param name="windowStation">The window station.</param>
    /// <param name="name">The desktop's name within it; no backslash.</param>
    /// <param name="securityDescriptor">The descriptor, or null for the inherited one.</param>
    /// <exception cref="ArgumentException">The name is empty, has a backslash, or is taken.</exception>
    public DesktopObject CreateDesktop(WindowStationObject windowStation, string name, SecurityDescriptor? securityDescriptor = null)
    {
        ArgumentNullException.ThrowIfNull(windowStation);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('\\', StringComparison.Ordinal)) throw new ArgumentException("A desktop name has no backslash.", nameof(name));
        lock (SyncRoot)
        {
            if (_names.ContainsKey(windowStation.Name + "\\" + name)) throw new ArgumentException($"A desktop named '{name}' exists already.", nameof(name));
            var sd = DesktopSecurity.ForNewDesktop(windowStation.SecurityDescriptorLocked, SystemToken, securityDescriptor);
            return CreateDesktopObjectLocked(windowStation, name, sd, permanent: true);
        }
    }

    /// <summary>The windows that exist, oldest first.</summary>
    public IReadOnlyList<Window> Windows
    {
        get { lock (SyncRoot) return [.. _windowOrder]; }
    }

    /// <summary>The window with that handle, or null.</summary>
    public Window? GetWindow(WindowHandle handle)
    {
        lock (SyncRoot) return WindowLocked(handle);
    }

    /// <summary>A process's connection to its window station and desktop; null when it has none.</summary>
    public DesktopConnection? GetDesktopConnection(ProcessObject process)
    {
        ArgumentNullException.ThrowIfNull(process);
        lock (SyncRoot) return ConnectionLocked(process);
    }

    /// <summary>The messages posted to a thread that it has not retrieved, oldest first.</summary>
    public IReadOnlyList<QueuedMessage> GetMessageQueue(ThreadObject thread)
    {
        ArgumentNullException.ThrowIfNull(thread);
        lock (SyncRoot) return _threadUser.TryGetValue(thread, out var s) ? [.. s.Queue] : [];
    }

    internal DesktopObject CreateDesktopObjectLocked(WindowStationObject windowStation, string name, SecurityDescriptor securityDescriptor, bool permanent)
    {
        var desktop = new DesktopObject(this, windowStation, name, ObjectSecurity.MapGenericRights(securityDescriptor, ObjectTypes.Desktop.GenericMapping));
        AddName(desktop, permanent);
        if (permanent) desktop.Release();
        return desktop;
    }

    /// <summary>
    /// What user32's initialisation does in a new process: it opens the window station and the desktop the process
    /// was started on, each for MAXIMUM_ALLOWED (an access check from user mode) with the initial thread's effective
    /// token — the process's token, or the impersonation token the creator put on the suspended thread before it
    /// resumed it (<paramref name="token"/>) — and keeps the two handles, not inheritable, in the process's table.
    /// When either check grants nothing, or lpDesktop named no desktop (<paramref name="desktopNotFound"/>), the
    /// process ends with STATUS_DLL_INIT_FAILED, as the loader ends a process whose DLL initialisation failed, and
    /// the refusal is returned (and kept as <see cref="ProcessObject.ConnectionRefusal"/>). A process with no desktop
    /// (System) connects to nothing.
    /// </summary>
    internal DesktopRefusal? ConnectToDesktopLocked(ProcessObject process, bool desktopNotFound = false, Token? token = null, string? desktopName = null)
    {
        if (process.IsTerminated || process.ThreadsLocked.Count == 0) return null;
        if (desktopNotFound) return Refuse(new DesktopRefusal(process, ConnectionPass.DesktopNotFound, null, null, null, desktopName));
        if (process.Desktop is not { } desktop) return null;
        var initialThread = process.ThreadsLocked[0];
        token ??= process.PrimaryTokenLocked.TokenLocked;
        var choice = token.Type == TokenType.Impersonation ? SubjectChoice.ImpersonationToken : SubjectChoice.NewProcessToken;
        var windowStation = desktop.WindowStation;
        var status = initialThread.Nt.AccessCheckLocked(windowStation, AccessMask.MaximumAllowed, token, HandleAttributes.None, out uint windowStationAccess, out var stationCheck, choice);
        if (!status.IsSuccess) return Refuse(new DesktopRefusal(process, ConnectionPass.WindowStation, windowStation, stationCheck, UngrantedLogonSid(windowStation, token)));
        status = initialThread.Nt.AccessCheckLocked(desktop, AccessMask.MaximumAllowed, token, HandleAttributes.None, out uint desktopAccess, out var desktopCheck, choice);
        if (!status.IsSuccess) return Refuse(new DesktopRefusal(process, ConnectionPass.Desktop, desktop, desktopCheck, UngrantedLogonSid(desktop, token)));
        var ws = new NtHandle(process.Handles.Insert(windowStation, windowStationAccess, HandleAttributes.None));
        var d = new NtHandle(process.Handles.Insert(desktop, desktopAccess, HandleAttributes.None));
        ProcessStateLocked(process).Connection = new DesktopConnection(windowStation, ws, windowStationAccess, desktop, d, desktopAccess) { DesktopCheck = desktopCheck, Token = token };
        return null;

        DesktopRefusal Refuse(DesktopRefusal refusal)
        {
            process.ConnectionRefusal = refusal;
            TerminateProcessLocked(process, NtStatus.DllInitFailed);
            return refusal;
        }
    }

    /// <summary>
    /// A logon SID (S-1-5-5-X-Y) that an allow ACE of <paramref name="obj"/>'s DACL grants and that
    /// <paramref name="token"/> does not hold as an enabled SID (in both passes, for a restricted token), when there
    /// is one: the usual reason a token from another logon, or one restricted without its logon SID, cannot use the
    /// interactive window station and desktop, whose DACLs grant the interactive logon SID and SYSTEM only.
    /// </summary>
    internal static Sid? UngrantedLogonSid(KernelObject obj, Token token)
    {
        if (obj.SecurityDescriptorLocked.Dacl is not { } dacl) return null;
        foreach (var ace in dacl.Aces)
        {
            if (ace.IsRaw || ace.Type != Acls.AceType.AccessAllowed || (ace.Flags & Acls.AceFlags.InheritOnly) != 0) continue;
            if (IsLogonSid(ace.Sid) && !token.CheckMembership(ace.Sid, includeAppContainer: true)) return ace.Sid;
        }
        return null;
    }

    private static bool IsLogonSid(Sid sid) =>
        sid.SubAuthorityCount == 3 && sid.IdentifierAuthority == 5 && sid.GetSubAuthority(0) == 5;

    /// <summary>
    /// STARTUPINFO.lpDesktop as the connection reads it: <c>WinSta0\Default</c>, or a desktop name alone, which is
    /// looked for on the creator's window station (WinSta0 when it has none). Null when there is no such desktop;
    /// an empty name (which on Windows asks for a new non-interactive window station) is not modelled and finds
    /// nothing.
    /// </summary>
    internal DesktopObject? ResolveStartupDesktopLocked(string desktop, ProcessObject creator)
    {
        if (desktop.Length == 0) return null;
        string name = desktop.Contains('\\', StringComparison.Ordinal)
            ? desktop
            : (ConnectionLocked(creator)?.WindowStation.Name ?? InteractiveWindowStationName) + "\\" + desktop;
        return FindObjectLocked(name) as DesktopObject;
    }

    internal DesktopConnection? ConnectionLocked(ProcessObject process) =>
        _processUser.TryGetValue(process, out var s) ? s.Connection : null;

    internal ProcessUserState ProcessStateLocked(ProcessObject process)
    {
        if (!_processUser.TryGetValue(process, out var s)) _processUser[process] = s = new ProcessUserState();
        return s;
    }

    internal ThreadUserState ThreadStateLocked(ThreadObject thread)
    {
        if (!_threadUser.TryGetValue(thread, out var s)) _threadUser[thread] = s = new ThreadUserState();
        return s;
    }

    /// <summary>The access the thread holds on its current desktop: SetThreadDesktop's handle, else the connection's.</summary>
    internal uint ThreadDesktopAccessLocked(ThreadObject thread)
    {
        if (_threadUser.TryGetValue(thread, out var s) && s.DesktopHandle is not null) return s.DesktopAccess;
        return ConnectionLocked(thread.Process)?.DesktopAccess ?? 0;
    }

    /// <summary>The handle GetThreadDesktop returns for a thread of its own process.</summary>
    internal NtHandle ThreadDesktopHandleLocked(ThreadObject thread)
    {
        if (_threadUser.TryGetValue(thread, out var s) && s.DesktopHandle is { } h) return h;
        return ConnectionLocked(thread.Process)?.DesktopHandle ?? NtHandle.Null;
    }

    internal Queue<QueuedMessage>? GetQueueLocked(ThreadObject thread) => _threadUser.TryGetValue(thread, out var s) ? s.Queue : null;

    internal Window CreateWindowLocked(ThreadObject thread, DesktopObject desktop, string className, string title, WindowProcedure? procedure)
    {
        _lastWindowHandle += 2;
        var window = new Window(new WindowHandle(_lastWindowHandle), thread, desktop, className, title, procedure);
        _windows[window.Handle.Value] = window;
        _windowOrder.Add(window);
        ThreadStateLocked(thread).Windows.Add(window);
        return window;
    }

    internal void DestroyWindowLocked(Window window)
    {
        if (window.IsDestroyedLocked) return;
        window.IsDestroyedLocked = true;
        _windows.Remove(window.Handle.Value);
        _windowOrder.Remove(window);
        if (_threadUser.TryGetValue(window.Thread, out var s)) s.Windows.Remove(window);
    }

    internal Window? WindowLocked(WindowHandle handle) => _windows.GetValueOrDefault(handle.Value);

    /// <summary>The windows on a desktop in Z order: the newest first.</summary>
    internal List<Window> WindowsOnLocked(DesktopObject desktop)
    {
        var list = new List<Window>();
        for (int i = _windowOrder.Count - 1; i >= 0; i--)
            if (ReferenceEquals(_windowOrder[i].Desktop, desktop)) list.Add(_windowOrder[i]);
        return list;
    }

    /// <summary>
    /// Whether <paramref name="sender"/> may send or post <paramref name="message"/> to the window
    /// <paramref name="handle"/>: 0, or the Win32 error the call fails with. A window on another desktop is out of
    /// reach; on the same desktop, User Interface Privilege Isolation refuses a sender of lower integrity unless the
    /// window or its process lets the message through (ChangeWindowMessageFilter(Ex)). Nothing else is checked:
    /// window messages carry no access check, so any process on a desktop reaches every window of the same or
    /// lower integrity there, whatever its token's SIDs.
    /// </summary>
    internal int CheckMessageLocked(ThreadObject sender, WindowHandle handle, uint message, out Window? target, out CallReason reason)
    {
        target = null;
        reason = CallReason.None;
        if (sender.IsTerminated)
        {
            reason = CallReason.ThreadTerminated;
            return NtStatus.ThreadIsTerminating.ToWin32Error();
        }
        if (WindowLocked(handle) is not { } window)
        {
            reason = CallReason.NoSuchWindow;
            return Win32Error.InvalidWindowHandle;
        }
        target = window;
        if (sender.DesktopLocked is not { } desktop || !ReferenceEquals(desktop, window.Desktop))
        {
            reason = sender.DesktopLocked is null ? CallReason.NoDesktop : CallReason.OtherDesktop;
            return Win32Error.AccessDenied;
        }
        if (UipiBlocksLocked(sender.Process, window, message))
        {
            reason = CallReason.UipiBlocked;
            return Win32Error.AccessDenied;
        }
        return Win32Error.Success;
    }

    /// <summary>
    /// User Interface Privilege Isolation: a message from a process of lower integrity than the window's process
    /// is blocked unless the window (ChangeWindowMessageFilterEx) or its process (ChangeWindowMessageFilter)
    /// allows that message. The levels are the processes' primary tokens' (impersonation does not count).
    /// </summary>
    internal bool UipiBlocksLocked(ProcessObject sender, Window target, uint message)
    {
        var receiver = target.Thread.Process;
        if (ReferenceEquals(sender, receiver)) return false;
        uint from = sender.PrimaryTokenLocked.TokenLocked.IntegrityLevel.Rid;
        uint to = receiver.PrimaryTokenLocked.TokenLocked.IntegrityLevel.Rid;
        if (from >= to) return false;
        if (target.AllowedMessages.Contains(message)) return false;
        return !(_processUser.TryGetValue(receiver, out var s) && s.AllowedMessages.Contains(message));
    }

    /// <summary>DefWindowProc, for a window created without a procedure: WM_CLOSE destroys it; every other message returns 0.</summary>
    internal nint DefaultWindowProcedure(Window window, uint message)
    {
        if (message == WindowMessages.Close)
        {
            lock (SyncRoot) DestroyWindowLocked(window);
        }
        return 0;
    }

    /// <summary>A thread's windows are destroyed and its queue freed when it ends.</summary>
    internal void ReleaseThreadUserStateLocked(ThreadObject thread)
    {
        if (!_threadUser.Remove(thread, out var s)) return;
        foreach (var w in s.Windows.ToList()) DestroyWindowLocked(w);
        s.Queue.Clear();
    }

    /// <summary>A process's connection and message filter go when it ends; its handles close with its table.</summary>
    internal void ReleaseProcessUserStateLocked(ProcessObject process) => _processUser.Remove(process);
}

/// <summary>The user32 state of a thread: its desktop after SetThreadDesktop, its windows and its message queue.</summary>
internal sealed class ThreadUserState
{
    /// <summary>The handle SetThreadDesktop was given, or null while the thread uses its process's desktop.</summary>
    public NtHandle? DesktopHandle { get; set; }

    /// <summary>The access that handle was granted.</summary>
    public uint DesktopAccess { get; set; }

    public List<Window> Windows { get; } = [];

    public Queue<QueuedMessage> Queue { get; } = new();
}

/// <summary>The user32 state of a process: its desktop connection and its process-wide UIPI message filter.</summary>
internal sealed class ProcessUserState
{
    public DesktopConnection? Connection { get; set; }

    public HashSet<uint> AllowedMessages { get; } = [];
}
