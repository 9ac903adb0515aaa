using System.Globalization;

namespace NtSec.Kernel;

/// <summary>An HWND: a window's handle. Window handles are valid in the whole system, not per process.</summary>
/// <param name="Value">The handle value; 0 is NULL.</param>
public readonly record struct WindowHandle(long Value)
{
    /// <summary>NULL.</summary>
    public static WindowHandle Null => default;

    /// <summary>True for NULL.</summary>
    public bool IsNull => Value == 0;

    /// <summary><c>0x10012</c>, or <c>NULL</c>.</summary>
    public override string ToString() => Value == 0 ? "NULL" : "0x" + Value.ToString("x", CultureInfo.InvariantCulture);
}

/// <summary>
/// A window procedure. NtSec calls it for a window's sent messages, on the sender's .NET thread and outside the
/// emulated kernel's lock (so it may call back into the system), as SendMessage does between threads.
/// </summary>
/// <param name="window">The window the message is for.</param>
/// <param name="message">The message (WM_*).</param>
/// <param name="wParam">The first parameter.</param>
/// <param name="lParam">The second parameter.</param>
/// <returns>The LRESULT SendMessage returns.</returns>
public delegate nint WindowProcedure(WindowHandle window, uint message, nint wParam, nint lParam);

/// <summary>A message as a window procedure received it, kept in <see cref="Window.ReceivedMessages"/>.</summary>
/// <param name="Message">The message (WM_*).</param>
/// <param name="WParam">The first parameter.</param>
/// <param name="LParam">The second parameter.</param>
/// <param name="SenderThreadId">The thread that sent it.</param>
public readonly record struct ReceivedMessage(uint Message, nint WParam, nint LParam, int SenderThreadId);

/// <summary>A posted message in a thread's queue, as PeekMessage returns it (MSG without time and point).</summary>
/// <param name="Window">The window it was posted to.</param>
/// <param name="Message">The message (WM_*).</param>
/// <param name="WParam">The first parameter.</param>
/// <param name="LParam">The second parameter.</param>
public readonly record struct QueuedMessage(WindowHandle Window, uint Message, nint WParam, nint LParam);

/// <summary>Window message numbers (winuser.h) the tests and examples use.</summary>
public static class WindowMessages
{
    /// <summary>WM_NULL.</summary>
    public const uint Null = 0x0000;
    /// <summary>WM_DESTROY.</summary>
    public const uint Destroy = 0x0002;
    /// <summary>WM_SETTEXT.</summary>
    public const uint SetText = 0x000C;
    /// <summary>WM_GETTEXT.</summary>
    public const uint GetText = 0x000D;
    /// <summary>WM_CLOSE: the default window procedure destroys the window.</summary>
    public const uint Close = 0x0010;
    /// <summary>WM_QUIT.</summary>
    public const uint Quit = 0x0012;
    /// <summary>WM_COPYDATA: the usual carrier of data between processes, and blocked by UIPI.</summary>
    public const uint CopyData = 0x004A;
    /// <summary>WM_KEYDOWN.</summary>
    public const uint KeyDown = 0x0100;
    /// <summary>WM_KEYUP.</summary>
    public const uint KeyUp = 0x0101;
    /// <summary>WM_CHAR.</summary>
    public const uint Char = 0x0102;
    /// <summary>WM_COMMAND.</summary>
    public const uint Command = 0x0111;
    /// <summary>WM_SYSCOMMAND.</summary>
    public const uint SysCommand = 0x0112;
    /// <summary>WM_TIMER: the classic shatter attack's message.</summary>
    public const uint Timer = 0x0113;
    /// <summary>WM_LBUTTONDOWN.</summary>
    public const uint LButtonDown = 0x0201;
    /// <summary>WM_LBUTTONUP.</summary>
    public const uint LButtonUp = 0x0202;
    /// <summary>WM_USER: the first private message number.</summary>
    public const uint User = 0x0400;

    // The WM_ name of each message above: the one table scenarios parse and render message names from.
    private static readonly (uint Value, string Name)[] Names =
    [
        (Null, "WM_NULL"), (Destroy, "WM_DESTROY"), (SetText, "WM_SETTEXT"), (GetText, "WM_GETTEXT"), (Close, "WM_CLOSE"),
        (Quit, "WM_QUIT"), (CopyData, "WM_COPYDATA"), (KeyDown, "WM_KEYDOWN"), (KeyUp, "WM_KEYUP"), (Char, "WM_CHAR"),
        (Command, "WM_COMMAND"), (SysCommand, "WM_SYSCOMMAND"), (Timer, "WM_TIMER"), (LButtonDown, "WM_LBUTTONDOWN"),
        (LButtonUp, "WM_LBUTTONUP"), (User, "WM_USER"),
    ];

    /// <summary>The <c>WM_</c> name of a message NtSec knows, or its value in hex (<c>0x401</c>).</summary>
    public static string Name(uint message)
    {
        foreach (var (v, n) in Names)
            if (v == message) return n;
        return "0x" + message.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a <c>WM_</c> name NtSec knows (any case) or a number (<c>0x</c> hex or decimal).</summary>
    public static bool TryParse(string text, out uint message)
    {
        foreach (var (v, n) in Names)
        {
            if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase))
            {
                message = v;
                return true;
            }
        }
        return AccessMask.TryParseNumber(text, out message);
    }
}

/// <summary>ChangeWindowMessageFilter's dwFlag.</summary>
public enum MessageFilterFlag : uint
{
    /// <summary>MSGFLT_ADD: lower-integrity senders may send the message to any window of the process.</summary>
    Add = 1,
    /// <summary>MSGFLT_REMOVE: the process no longer lets the message through.</summary>
    Remove = 2,
}

/// <summary>ChangeWindowMessageFilterEx's action.</summary>
public enum MessageFilterAction : uint
{
    /// <summary>MSGFLT_RESET: the window's own filter goes back to the default (nothing allowed by the window).</summary>
    Reset = 0,
    /// <summary>MSGFLT_ALLOW: lower-integrity senders may send the message to this window.</summary>
    Allow = 1,
    /// <summary>MSGFLT_DISALLOW: the window no longer allows it (a process-wide allowance still applies).</summary>
    Disallow = 2,
}

/// <summary>
/// A window (HWND): a lightweight record the emulated system keeps, not a kernel object. It belongs to the thread
/// that created it and lives on that thread's desktop; it is destroyed by DestroyWindow, by the default handling
/// of WM_CLOSE, or when its thread ends.
/// </summary>
public sealed class Window
{
    private readonly List<ReceivedMessage> _received = [];

    internal Window(WindowHandle handle, ThreadObject thread, DesktopObject desktop, string className, string title, WindowProcedure? procedure)
    {
        Handle = handle;
        Thread = thread;
        Desktop = desktop;
        ClassName = className;
        Title = title;
        Procedure = procedure;
    }

    /// <summary>The window's handle.</summary>
    public WindowHandle Handle { get; }

    /// <summary>The thread that created the window and owns it.</summary>
    public ThreadObject Thread { get; }

    /// <summary>The desktop the window is on: its thread's desktop when it was created.</summary>
    public DesktopObject Desktop { get; }

    /// <summary>The window class name given to CreateWindow.</summary>
    public string ClassName { get; }

    /// <summary>The window's title (window name).</summary>
    public string Title { get; }

    internal WindowProcedure? Procedure { get; }

    /// <summary>True once the window is destroyed.</summary>
    public bool IsDestroyed
    {
        get { lock (Thread.System.SyncRoot) return IsDestroyedLocked; }
    }

    internal bool IsDestroyedLocked { get; set; }

    /// <summary>The messages the window's procedure was called with, oldest first.</summary>
    public IReadOnlyList<ReceivedMessage> ReceivedMessages
    {
        get { lock (Thread.System.SyncRoot) return [.. _received]; }
    }

    internal List<ReceivedMessage> ReceivedLocked => _received;

    // Messages lower-integrity senders may send to this window (ChangeWindowMessageFilterEx).
    internal HashSet<uint> AllowedMessages { get; } = [];

    /// <summary>Handle, class and title.</summary>
    public override string ToString() => $"Window {Handle} \"{Title}\" ({ClassName})";
}

/// <summary>
/// A process's connection to its window station and desktop, made when user32 initialises: the handles the system
/// opened in the process (not inheritable) and the access each was granted.
/// </summary>
/// <param name="WindowStation">The window station.</param>
/// <param name="WindowStationHandle">The process's handle to it (GetProcessWindowStation).</param>
/// <param name="WindowStationAccess">The access the connection was granted on it (MAXIMUM_ALLOWED's result).</param>
/// <param name="Desktop">The desktop.</param>
/// <param name="DesktopHandle">The process's handle to it (GetThreadDesktop for its threads).</param>
/// <param name="DesktopAccess">The access the connection was granted on it (MAXIMUM_ALLOWED's result).</param>
public sealed record DesktopConnection(
    WindowStationObject WindowStation,
    NtHandle WindowStationHandle,
    uint WindowStationAccess,
    DesktopObject Desktop,
    NtHandle DesktopHandle,
    uint DesktopAccess)
{
    /// <summary>The desktop pass of the connection's access check (what decided <see cref="DesktopAccess"/>).</summary>
    public ObjectAccessCheck? DesktopCheck { get; init; }

    /// <summary>The token the connection was made with: the process's, or its initial thread's impersonation token.</summary>
    public Tokens.Token? Token { get; init; }
}

/// <summary>The interactive window station a logon creates, with its desktops.</summary>
/// <param name="WindowStation">WinSta0.</param>
/// <param name="Default">WinSta0\Default, the application desktop of the logon session.</param>
/// <param name="Winlogon">WinSta0\Winlogon, the secure desktop only SYSTEM may use.</param>
public sealed record InteractiveWindowStation(WindowStationObject WindowStation, DesktopObject Default, DesktopObject Winlogon);
