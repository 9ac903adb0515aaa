using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Kernel;
using NtSec.Tokens;

namespace NtSec.Win32;

/// <summary>
/// The user32 half: window stations and desktops, windows and messages. Like user32 these functions set the last
/// error themselves, and where win32k answers with a Win32 error rather than an NTSTATUS (ERROR_BUSY,
/// ERROR_INVALID_WINDOW_HANDLE ...) NtSec does the same. Decisions and evidence are in docs/desktops.md.
/// </summary>
public sealed partial class Win32Api
{
    private const uint AllowOtherAccountHook = 0x1; // DF_ALLOWOTHERACCOUNTHOOK, CreateDesktop's only flag.

    private EmulatedSystem Sys => _thread.System;

    // A Win32 error no NTSTATUS stands behind, with the reason the function decided on.
    private bool FailWith(int error, CallReason reason = CallReason.None, HandleUse? handle = null, ObjectAccessCheck? check = null, Principals.Sid? logonSid = null)
    {
        _thread.ErrorState.Fail(error);
        _thread.Recorder.NoteFunction(d => d with
        {
            Status = NtStatus.Success, Win32Error = error, Reason = reason, Handle = handle ?? d.Handle, AccessCheck = check ?? d.AccessCheck, UngrantedLogonSid = logonSid,
        });
        return false;
    }

    private static HandleAttributes InheritFlag(bool inherit) => inherit ? HandleAttributes.Inherit : HandleAttributes.None;

    // ------------------------------------------------------------------------------------------------------------
    // Window stations

    /// <summary>OpenWindowStation: an access check against the window station's descriptor.</summary>
    /// <param name="name">The window station's name (<c>WinSta0</c>).</param>
    /// <param name="inherit">fInherit: child processes inherit the handle.</param>
    /// <param name="desiredAccess">WINSTA_* rights, generic rights or MAXIMUM_ALLOWED.</param>
    /// <returns>The handle, or NULL with the last error set (ERROR_FILE_NOT_FOUND, ERROR_ACCESS_DENIED ...).</returns>
    public NtHandle OpenWindowStation(string? name, bool inherit, uint desiredAccess)
    {
        using var scope = Scope();
        // A NULL string or callback: FALSE (or NULL) with ERROR_INVALID_PARAMETER, never a throw (decided).
        if (name is null) return FailNull(Win32Error.InvalidParameter);
        var status = Nt.NtOpenObject(new ObjectAttributes(name, InheritFlag(inherit)), desiredAccess, out var handle, ObjectTypes.WindowStation);
        return Check(status) ? handle : NtHandle.Null;
    }

    /// <summary>GetProcessWindowStation: the handle the process's connection opened, or NULL when it has none.</summary>
    public NtHandle GetProcessWindowStation()
    {
        using var scope = Scope();
        lock (Sys.SyncRoot) return Sys.ConnectionLocked(_thread.Process)?.WindowStationHandle ?? NtHandle.Null;
    }

    /// <summary>
    /// CloseWindowStation. The handle the process connected with cannot be closed (ERROR_BUSY); a handle that is not
    /// a window station's is ERROR_INVALID_HANDLE.
    /// </summary>
    public bool CloseWindowStation(NtHandle windowStation)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot)
        {
            if (Sys.ConnectionLocked(_thread.Process) is { } c && c.WindowStationHandle == windowStation) return FailWith(Win32Error.Busy, CallReason.ConnectionHandle);
            var status = Nt.ReferenceLocked(windowStation, 0, ObjectTypes.WindowStation, out _, out _);
            if (!status.IsSuccess) return Fail(status);
            return Check(Nt.NtClose(windowStation));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Desktops

    /// <summary>
    /// CreateDesktop on the process's window station. The process's window station handle needs
    /// WINSTA_CREATEDESKTOP, and <paramref name="desiredAccess"/> must include DESKTOP_CREATEWINDOW (user32 creates
    /// the desktop's window with the new handle): ERROR_ACCESS_DENIED otherwise. Without a descriptor the desktop
    /// inherits the window station's inheritable ACEs (<see cref="DesktopSecurity.ForNewDesktop"/>). A desktop of
    /// that name is opened instead, with an access check, and the last error is ERROR_ALREADY_EXISTS. The caller's
    /// thread stays on its desktop (SetThreadDesktop moves it). The desktop lasts while a handle or a thread holds it.
    /// </summary>
    /// <param name="name">The desktop's name: not empty, no backslash (ERROR_INVALID_PARAMETER).</param>
    /// <param name="flags">0 or DF_ALLOWOTHERACCOUNTHOOK (1); other bits are ERROR_INVALID_PARAMETER.</param>
    /// <param name="desiredAccess">The access the handle gets.</param>
    /// <param name="securityDescriptor">lpsa's descriptor, or null for the inherited one.</param>
    /// <param name="inherit">lpsa's bInheritHandle.</param>
    public NtHandle CreateDesktop(string? name, uint flags, uint desiredAccess, SecurityDescriptor? securityDescriptor, bool inherit = false)
    {
        using var scope = Scope();
        // A NULL string or callback: FALSE (or NULL) with ERROR_INVALID_PARAMETER, never a throw (decided).
        if (name is null) return FailNull(Win32Error.InvalidParameter);
        lock (Sys.SyncRoot)
        {
            if (_thread.IsTerminated) return FailNull(NtStatus.ThreadIsTerminating.ToWin32Error());
            if (name.Length == 0 || name.Contains('\\', StringComparison.Ordinal) || (flags & ~AllowOtherAccountHook) != 0) return FailNull(Win32Error.InvalidParameter);
            if (Sys.ConnectionLocked(_thread.Process) is not { } connection) return FailNull(Win32Error.AccessDenied, CallReason.NoDesktop);
            if ((connection.WindowStationAccess & WindowStationAccessRights.CreateDesktop) == 0)
                return FailNull(Win32Error.AccessDenied, CallReason.WindowStationLacksAccess, new HandleUse(ObjectTypes.WindowStation, WindowStationAccessRights.CreateDesktop, connection.WindowStationAccess));
            var type = ObjectTypes.Desktop;
            uint mapped = type.GenericMapping.Map(desiredAccess);
            if ((mapped & (DesktopAccessRights.CreateWindow | AccessMask.MaximumAllowed)) == 0) return FailNull(Win32Error.AccessDenied);
            var attributes = InheritFlag(inherit);
            var windowStation = connection.WindowStation;
            var subject = Nt.EffectiveTokenLocked();
            if (Sys.FindObjectLocked(windowStation.Name + "\\" + name) is { } existing)
            {
                if (existing is not DesktopObject) return FailNull(NtStatus.ObjectTypeMismatch.ToWin32Error());
                var status = Nt.AccessCheckLocked(existing, desiredAccess, subject, attributes, out uint g);
                if (!status.IsSuccess) return FailNull(status.ToWin32Error());
                var opened = Nt.InsertLocked(existing, g, attributes);
                _thread.LastError = Win32Error.AlreadyExists;
                return opened;
            }
            if (subject.Type == TokenType.Impersonation && subject.ImpersonationLevel < SecurityImpersonationLevel.Impersonation)
                return FailNull(NtStatus.BadImpersonationLevel.ToWin32Error());
            var sd = DesktopSecurity.ForNewDesktop(windowStation.SecurityDescriptorLocked, subject, securityDescriptor);
            var desktop = Sys.CreateDesktopObjectLocked(windowStation, name, sd, permanent: false);
            uint granted = (mapped & AccessMask.MaximumAllowed) != 0 ? (mapped & ~AccessMask.MaximumAllowed) | type.ValidAccessMask : mapped;
            var handle = Nt.InsertLocked(desktop, granted, attributes);
            // The handle now holds the desktop.
            desktop.Release();
            return handle;
        }
    }

    /// <summary>
    /// OpenDesktop: a desktop of the process's window station, by its name there (<c>Default</c>), with an access
    /// check against its descriptor. ERROR_FILE_NOT_FOUND for an unknown name; ERROR_ACCESS_DENIED when the process
    /// has no window station.
    /// </summary>
    /// <param name="name">The desktop's name within the window station.</param>
    /// <param name="flags">dwFlags (DF_ALLOWOTHERACCOUNTHOOK); it does not affect security.</param>
    /// <param name="inherit">fInherit.</param>
    /// <param name="desiredAccess">DESKTOP_* rights, generic rights or MAXIMUM_ALLOWED.</param>
    public NtHandle OpenDesktop(string? name, uint flags, bool inherit, uint desiredAccess)
    {
        using var scope = Scope();
        // A NULL string or callback: FALSE (or NULL) with ERROR_INVALID_PARAMETER, never a throw (decided).
        if (name is null) return FailNull(Win32Error.InvalidParameter);
        string fullName;
        lock (Sys.SyncRoot)
        {
            if ((flags & ~AllowOtherAccountHook) != 0) return FailNull(Win32Error.InvalidParameter, CallReason.InvalidParameter);
            if (Sys.ConnectionLocked(_thread.Process) is not { } connection) return FailNull(Win32Error.AccessDenied, CallReason.NoDesktop);
            fullName = connection.WindowStation.Name + "\\" + name;
        }
        var status = Nt.NtOpenObject(new ObjectAttributes(fullName, InheritFlag(inherit)), desiredAccess, out var handle, ObjectTypes.Desktop);
        return Check(status) ? handle : NtHandle.Null;
    }

    /// <summary>
    /// CloseDesktop. It fails with ERROR_BUSY for the desktop handle the process connected with and for a handle a
    /// thread of the process uses (SetThreadDesktop); a handle that is not a desktop's is ERROR_INVALID_HANDLE.
    /// </summary>
    public bool CloseDesktop(NtHandle desktop)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot)
        {
            if (Sys.ConnectionLocked(_thread.Process) is { } c && c.DesktopHandle == desktop) return FailWith(Win32Error.Busy, CallReason.ConnectionHandle);
            foreach (var t in _thread.Process.ThreadsLocked)
                if (Sys.ThreadDesktopHandleLocked(t) == desktop) return FailWith(Win32Error.Busy, CallReason.ConnectionHandle);
            var status = Nt.ReferenceLocked(desktop, 0, ObjectTypes.Desktop, out _, out _);
            if (!status.IsSuccess) return Fail(status);
            return Check(Nt.NtClose(desktop));
        }
    }

    /// <summary>
    /// SetThreadDesktop: the calling thread moves to the desktop (any desktop handle of the process will do; its
    /// granted access becomes the thread's access there). It fails with ERROR_BUSY while the thread has windows on
    /// its current desktop, unless the handle is to that same desktop.
    /// </summary>
    public bool SetThreadDesktop(NtHandle desktop)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot)
        {
            var status = Nt.ReferenceLocked(desktop, 0, ObjectTypes.Desktop, out var o, out uint granted);
            if (!status.IsSuccess) return Fail(status);
            var target = (DesktopObject)o!;
            if (Sys.ConnectionLocked(_thread.Process) is null) return FailWith(Win32Error.AccessDenied, CallReason.NoDesktop);
            var state = Sys.ThreadStateLocked(_thread);
            if (!ReferenceEquals(target, _thread.DesktopLocked) && state.Windows.Count > 0) return FailWith(Win32Error.Busy, CallReason.ThreadHasWindows);
            target.AddReference();
            _thread.DesktopOverride?.Release();
            _thread.DesktopOverride = target;
            state.DesktopHandle = desktop;
            state.DesktopAccess = granted;
            return true;
        }
    }

    /// <summary>
    /// GetThreadDesktop: for a thread of the calling process, the handle it uses (the connection's, or the one given
    /// to SetThreadDesktop), which need not be closed; for another process's thread, a handle of the caller's to
    /// that desktop (an existing one, else a new one with no access). ERROR_INVALID_PARAMETER for an unknown thread
    /// or one with no desktop.
    /// </summary>
    public NtHandle GetThreadDesktop(int threadId)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot)
        {
            if (Sys.FindThreadLocked(threadId) is not { } thread || thread.DesktopLocked is not { } desktop) return FailNull(Win32Error.InvalidParameter);
            if (ReferenceEquals(thread.Process, _thread.Process)) return Sys.ThreadDesktopHandleLocked(thread);
            foreach (var (value, entry) in _thread.Process.Handles.Snapshot())
                if (ReferenceEquals(entry.Object, desktop)) return new NtHandle(value);
            return Nt.InsertLocked(desktop, 0, HandleAttributes.None);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Windows

    /// <summary>
    /// CreateWindow: a top-level window owned by the calling thread, on its desktop. The thread's desktop handle
    /// needs DESKTOP_CREATEWINDOW (ERROR_ACCESS_DENIED otherwise, as for a thread with no desktop). NtSec does not
    /// model window classes: any class name is accepted.
    /// </summary>
    /// <param name="className">The window class name.</param>
    /// <param name="windowName">The title, or null for none.</param>
    /// <param name="procedure">The window procedure, or null for the default one (WM_CLOSE destroys the window).</param>
    public WindowHandle CreateWindow(string? className, string? windowName, WindowProcedure? procedure = null)
    {
        using var scope = Scope();
        // A NULL string or callback: FALSE (or NULL) with ERROR_INVALID_PARAMETER, never a throw (decided).
        if (className is null) return FailNullWindow(Win32Error.InvalidParameter);
        lock (Sys.SyncRoot)
        {
            if (_thread.IsTerminated) return FailNullWindow(NtStatus.ThreadIsTerminating.ToWin32Error(), CallReason.ThreadTerminated);
            if (_thread.DesktopLocked is not { } desktop) return FailNullWindow(Win32Error.AccessDenied, CallReason.NoDesktop);
            uint access = Sys.ThreadDesktopAccessLocked(_thread);
            if ((access & DesktopAccessRights.CreateWindow) == 0)
            {
                // The connection's check decided the access, unless the thread moved to a desktop it opened itself.
                var connection = Sys.ConnectionLocked(_thread.Process);
                bool fromConnection = connection is not null && ReferenceEquals(connection.Desktop, desktop) && Sys.ThreadDesktopHandleLocked(_thread) == connection.DesktopHandle;
                var check = fromConnection ? connection!.DesktopCheck : null;
                var logonSid = fromConnection && connection!.Token is { } token ? EmulatedSystem.UngrantedLogonSid(desktop, token) : null;
                return FailNullWindow(Win32Error.AccessDenied, CallReason.DesktopLacksAccess, new HandleUse(ObjectTypes.Desktop, DesktopAccessRights.CreateWindow, access), check, logonSid);
            }
            _thread.Recorder.NoteFunction(d => d with { Win32Error = 0 });
            return Sys.CreateWindowLocked(_thread, desktop, className, windowName ?? "", procedure).Handle;
        }
    }

    /// <summary>DestroyWindow: only the thread that created the window may destroy it (ERROR_ACCESS_DENIED).</summary>
    public bool DestroyWindow(WindowHandle window)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot)
        {
            if (Sys.WindowLocked(window) is not { } w) return FailWith(Win32Error.InvalidWindowHandle, CallReason.NoSuchWindow);
            if (!ReferenceEquals(w.Thread, _thread)) return FailWith(Win32Error.AccessDenied, CallReason.NotWindowOwner);
            Sys.DestroyWindowLocked(w);
            return true;
        }
    }

    /// <summary>IsWindow: whether the handle names an existing window (window handles are valid system-wide).</summary>
    public bool IsWindow(WindowHandle window)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot) return Sys.WindowLocked(window) is not null;
    }

    /// <summary>GetWindowThreadProcessId: the window's thread ID, or 0 with ERROR_INVALID_WINDOW_HANDLE.</summary>
    public int GetWindowThreadProcessId(WindowHandle window, out int processId)
    {
        using var scope = Scope();
        processId = 0;
        lock (Sys.SyncRoot)
        {
            if (Sys.WindowLocked(window) is not { } w)
            {
                _thread.LastError = Win32Error.InvalidWindowHandle;
                return 0;
            }
            processId = w.Thread.Process.ProcessId;
            return w.Thread.ThreadId;
        }
    }

    /// <summary>
    /// FindWindow: the topmost window on the calling thread's desktop whose class and title match (without case; a
    /// null argument matches anything). Windows on other desktops are never found. NULL with ERROR_FILE_NOT_FOUND
    /// when nothing matches.
    /// </summary>
    public WindowHandle FindWindow(string? className, string? windowName)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot)
        {
            if (_thread.DesktopLocked is not { } desktop) return FailNullWindow(Win32Error.AccessDenied, CallReason.NoDesktop);
            foreach (var w in Sys.WindowsOnLocked(desktop))
            {
                if (className is not null && !string.Equals(className, w.ClassName, StringComparison.OrdinalIgnoreCase)) continue;
                if (windowName is not null && !string.Equals(windowName, w.Title, StringComparison.OrdinalIgnoreCase)) continue;
                return w.Handle;
            }
            return FailNullWindow(Win32Error.FileNotFound, CallReason.WindowNotFound);
        }
    }

    /// <summary>
    /// EnumWindows: calls <paramref name="callback"/> for each top-level window on the calling thread's desktop, in
    /// Z order, until it returns false (then EnumWindows returns FALSE, with whatever last error the callback set).
    /// The callback runs outside the kernel's lock.
    /// </summary>
    public bool EnumWindows(Func<WindowHandle, bool>? callback)
    {
        using var scope = Scope();
        // A NULL string or callback: FALSE (or NULL) with ERROR_INVALID_PARAMETER, never a throw (decided).
        if (callback is null) return FailWith(Win32Error.InvalidParameter);
        List<Window> windows;
        lock (Sys.SyncRoot)
        {
            if (_thread.DesktopLocked is not { } desktop) return FailWith(Win32Error.AccessDenied);
            windows = Sys.WindowsOnLocked(desktop);
        }
        foreach (var w in windows)
            if (!callback(w.Handle)) return false;
        return true;
    }

    /// <summary>
    /// SendMessage: the window's procedure runs and its result is returned. A window on another desktop cannot be
    /// reached, and User Interface Privilege Isolation blocks a lower-integrity sender unless the window or its
    /// process allows the message: both return 0 with ERROR_ACCESS_DENIED. An unknown handle is 0 with
    /// ERROR_INVALID_WINDOW_HANDLE. Tokens are not consulted: a restricted process reaches every window of its
    /// integrity level or below on its desktop.
    /// </summary>
    public nint SendMessage(WindowHandle window, uint message, nint wParam, nint lParam)
    {
        using var scope = Scope();
        Window target;
        lock (Sys.SyncRoot)
        {
            int error = Sys.CheckMessageLocked(_thread, window, message, out var w, out var reason);
            if (error != Win32Error.Success)
            {
                FailWith(error, reason);
                return 0;
            }
            _thread.Recorder.NoteFunction(d => d with { Win32Error = 0 });
            target = w!;
            target.ReceivedLocked.Add(new ReceivedMessage(message, wParam, lParam, _thread.ThreadId));
        }
        // The procedure is the application's code: it runs outside the lock so it may call back into the system.
        return target.Procedure is { } procedure ? procedure(window, message, wParam, lParam) : Sys.DefaultWindowProcedure(target, message);
    }

    /// <summary>
    /// PostMessage: the message joins the window's thread's queue, under the same desktop and UIPI rules as
    /// <see cref="SendMessage"/> (FALSE with ERROR_ACCESS_DENIED). A NULL window posts to the calling thread's own
    /// queue, as PostThreadMessage would. A queue holds at most <see cref="EmulatedSystem.PostedMessageLimit"/>
    /// messages (ERROR_NOT_ENOUGH_QUOTA). HWND_BROADCAST is not modelled: it is an unknown window handle.
    /// </summary>
    public bool PostMessage(WindowHandle window, uint message, nint wParam, nint lParam)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot)
        {
            ThreadObject owner;
            if (window.IsNull)
            {
                if (_thread.IsTerminated) return FailWith(NtStatus.ThreadIsTerminating.ToWin32Error());
                owner = _thread;
            }
            else
            {
                int error = Sys.CheckMessageLocked(_thread, window, message, out var w, out var reason);
                if (error != Win32Error.Success) return FailWith(error, reason);
                owner = w!.Thread;
            }
            var queue = Sys.ThreadStateLocked(owner).Queue;
            if (queue.Count >= EmulatedSystem.PostedMessageLimit) return FailWith(Win32Error.NotEnoughQuota, CallReason.QueueFull);
            queue.Enqueue(new QueuedMessage(window, message, wParam, lParam));
            return true;
        }
    }

    /// <summary>PeekMessage (PM_REMOVE or PM_NOREMOVE): the oldest message in the calling thread's queue; FALSE when it is empty.</summary>
    public bool PeekMessage(out QueuedMessage message, bool remove = true)
    {
        using var scope = Scope();
        message = default;
        lock (Sys.SyncRoot)
        {
            if (Sys.GetQueueLocked(_thread) is not { Count: > 0 } queue) return false;
            message = remove ? queue.Dequeue() : queue.Peek();
            return true;
        }
    }

    /// <summary>
    /// ChangeWindowMessageFilter: adds <paramref name="message"/> to (or removes it from) the calling process's UIPI
    /// filter, which lets lower-integrity senders reach every window of the process. A process at Low integrity or
    /// below may not change it (ERROR_ACCESS_DENIED).
    /// </summary>
    public bool ChangeWindowMessageFilter(uint message, MessageFilterFlag flag)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot)
        {
            if (_thread.IsTerminated) return FailWith(NtStatus.ThreadIsTerminating.ToWin32Error());
            if (!Enum.IsDefined(flag)) return FailWith(Win32Error.InvalidParameter);
            if (AtOrBelowLow(_thread.Process)) return FailWith(Win32Error.AccessDenied, CallReason.LowIntegrityProcess);
            var allowed = Sys.ProcessStateLocked(_thread.Process).AllowedMessages;
            if (flag == MessageFilterFlag.Add) allowed.Add(message);
            else allowed.Remove(message);
            return true;
        }
    }

    /// <summary>
    /// ChangeWindowMessageFilterEx: changes one window's UIPI filter. MSGFLT_DISALLOW leaves a process-wide allowance
    /// in force; MSGFLT_RESET clears the window's filter. A process at Low integrity or below may not change it, and
    /// only the process that owns the window may (ERROR_ACCESS_DENIED).
    /// </summary>
    public bool ChangeWindowMessageFilterEx(WindowHandle window, uint message, MessageFilterAction action)
    {
        using var scope = Scope();
        lock (Sys.SyncRoot)
        {
            if (_thread.IsTerminated) return FailWith(NtStatus.ThreadIsTerminating.ToWin32Error());
            if (Sys.WindowLocked(window) is not { } w) return FailWith(Win32Error.InvalidWindowHandle);
            if (!Enum.IsDefined(action)) return FailWith(Win32Error.InvalidParameter);
            if (AtOrBelowLow(_thread.Process) || !ReferenceEquals(w.Thread.Process, _thread.Process)) return FailWith(Win32Error.AccessDenied);
            switch (action)
            {
                case MessageFilterAction.Allow:
                    w.AllowedMessages.Add(message);
                    break;
                case MessageFilterAction.Disallow:
                    w.AllowedMessages.Remove(message);
                    break;
                default:
                    w.AllowedMessages.Clear();
                    break;
            }
            return true;
        }
    }

    private static bool AtOrBelowLow(ProcessObject process) =>
        process.PrimaryTokenLocked.TokenLocked.IntegrityLevel.Rid <= Principals.WellKnownSids.LowIntegrity.Rid;

    private NtHandle FailNull(int error, CallReason reason = CallReason.None, HandleUse? handle = null)
    {
        FailWith(error, reason, handle);
        return NtHandle.Null;
    }

    private WindowHandle FailNullWindow(int error, CallReason reason = CallReason.None, HandleUse? handle = null, ObjectAccessCheck? check = null, Principals.Sid? logonSid = null)
    {
        FailWith(error, reason, handle, check, logonSid);
        return WindowHandle.Null;
    }
}
