using global::NtSec;
using global::NtSec.Authorization;
using global::NtSec.Descriptors;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Tokens;
using global::NtSec.Win32;
using Xunit;
using NtSec.Sddl;

namespace NtSec.Tests.Kernel;

/// <summary>
/// Window stations, desktops, windows and messages on the emulated kernel, and the seed document's warning: a
/// restricted process on the default desktop can still send messages to the user's other programs.
/// </summary>
public class DesktopTests
{
    private const uint TokenForProcess = TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AssignPrimary;

    /// <summary>Alice logged on interactively: WinSta0 with its desktops, and her shell on WinSta0\Default.</summary>
    private static (EmulatedSystem System, InteractiveWindowStation Session, ProcessObject Shell) Logon()
    {
        var system = new EmulatedSystem { ExplainAccessChecks = true };
        var session = system.CreateInteractiveWindowStation(KernelFixtures.AliceLogon);
        var shell = system.CreateProcess(KernelFixtures.AliceToken(), "explorer.exe", session.Default);
        Assert.False(shell.IsTerminated);
        return (system, session, shell);
    }

    /// <summary>A restricted copy of the caller's token, as a sandbox's broker makes it.</summary>
    private static NtHandle Restricted(Win32Api broker, params Sid[] restrictingSids)
    {
        Assert.True(broker.OpenProcessToken(Win32Api.GetCurrentProcess(), TokenForProcess, out var own));
        Assert.True(broker.CreateRestrictedToken(own, FilterTokenFlags.DisableMaxPrivilege, null, null,
            [.. restrictingSids.Select(s => new SidAndAttributes(s, 0))], out var restricted));
        Assert.True(broker.CloseHandle(own));
        return restricted;
    }

    /// <summary>A copy of the caller's token at another integrity level.</summary>
    private static NtHandle AtIntegrity(Win32Api broker, Sid level)
    {
        Assert.True(broker.OpenProcessToken(Win32Api.GetCurrentProcess(), TokenForProcess, out var own));
        Assert.True(broker.DuplicateTokenEx(own, TokenForProcess | TokenAccessRights.AdjustDefault, null, SecurityImpersonationLevel.Impersonation, TokenType.Primary, out var copy));
        Assert.True(broker.CloseHandle(own));
        Assert.True(broker.SetTokenInformation(copy, TokenInformationClass.TokenIntegrityLevel, new SidAndAttributes(level, GroupAttributes.Integrity), 16));
        return copy;
    }

    /// <summary>Windows' canonical SDDL for a descriptor (rights such as 0xf01ff come out as letters).</summary>
    private static string Sddl(string sddl) => SecurityDescriptor.FromSddl(sddl).ToSddl();

    private static ProcessObject Start(EmulatedSystem system, Win32Api broker, NtHandle token, string image, string? desktop)
    {
        Assert.True(broker.CreateProcessAsUser(token, image, desktop, false, out var pi));
        Assert.True(broker.CloseHandle(pi.Thread));
        Assert.True(broker.CloseHandle(pi.Process));
        return system.FindProcess(pi.ProcessId) ?? throw new InvalidOperationException($"{image} exited at once.");
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Default descriptors

    [Fact]
    public void The_interactive_user_may_open_its_desktop_and_another_user_may_not()
    {
        var (system, _, shell) = Logon();
        var alice = shell.Threads[0].Win32;
        var desktop = alice.OpenDesktop("Default", 0, false, DesktopAccessRights.CreateWindow | DesktopAccessRights.ReadObjects | DesktopAccessRights.WriteObjects);
        Assert.False(desktop.IsNull);
        var winsta = alice.OpenWindowStation("WinSta0", false, WindowStationAccessRights.CreateDesktop | WindowStationAccessRights.EnumDesktops);
        Assert.False(winsta.IsNull);
        Assert.True(alice.CloseDesktop(desktop));
        Assert.True(alice.CloseWindowStation(winsta));

        // Bob is logged on elsewhere (another logon session): neither object lets him in.
        var bob = system.CreateProcess(KernelFixtures.BobToken(), "bob.exe").Threads[0];
        Assert.True(bob.Win32.OpenWindowStation("WinSta0", false, WindowStationAccessRights.ReadAttributes).IsNull);
        Assert.Equal(Win32Error.AccessDenied, bob.Win32.GetLastError());
        Assert.Equal(NtStatus.AccessDenied, bob.Nt.NtOpenObject(new ObjectAttributes(@"WinSta0\Default"), DesktopAccessRights.ReadObjects, out _, ObjectTypes.Desktop));
        Assert.Equal(NtStatus.AccessDenied, bob.Nt.NtOpenObject(new ObjectAttributes(@"WinSta0\Default"), AccessMask.MaximumAllowed, out _, ObjectTypes.Desktop));
    }

    [Fact]
    public void The_Winlogon_desktop_is_for_SYSTEM_only()
    {
        var (system, session, shell) = Logon();
        var alice = shell.Threads[0].Win32;
        Assert.True(alice.OpenDesktop("Winlogon", 0, false, DesktopAccessRights.ReadObjects).IsNull);
        Assert.Equal(Win32Error.AccessDenied, alice.GetLastError());
        Assert.True(alice.OpenDesktop("NoSuchDesktop", 0, false, DesktopAccessRights.ReadObjects).IsNull);
        Assert.Equal(Win32Error.FileNotFound, alice.GetLastError());
        var winlogon = system.CreateProcess(system.SystemToken, "winlogon.exe", session.Winlogon);
        Assert.False(winlogon.IsTerminated);
        Assert.Equal(DesktopAccessRights.AllAccess, system.GetDesktopConnection(winlogon)!.DesktopAccess);
    }

    [Fact]
    public void The_descriptors_are_the_documented_ones()
    {
        var (_, session, _) = Logon();
        string logon = KernelFixtures.AliceLogon.ToString();
        Assert.Equal(Sddl($"O:{logon}G:SYD:(A;;0xf037f;;;{logon})(A;OICIIO;GA;;;{logon})(A;;0xf037f;;;SY)(A;OICIIO;GA;;;SY)S:(ML;;NW;;;LW)"),
            session.WindowStation.SecurityDescriptor.ToSddl());
        Assert.Equal(Sddl($"O:{logon}G:SYD:(A;;0xf01ff;;;{logon})(A;;0xf01ff;;;SY)S:(ML;;NW;;;LW)"), session.Default.SecurityDescriptor.ToSddl());
        Assert.Equal(Sddl("O:SYG:SYD:(A;;0xf01ff;;;SY)"), session.Winlogon.SecurityDescriptor.ToSddl());
        Assert.Equal(@"WinSta0\Default", session.Default.Name);
        Assert.Same(session.Default, session.Default.System.FindObject(@"winsta0\default"));
    }

    [Fact]
    public void A_new_desktop_inherits_the_window_stations_inheritable_aces()
    {
        var (system, _, shell) = Logon();
        var alice = shell.Threads[0].Win32;
        var h = alice.CreateDesktop("sandbox", 0, DesktopAccessRights.AllAccess, null);
        Assert.False(h.IsNull);
        var desktop = (DesktopObject)system.FindObject(@"WinSta0\sandbox")!;
        var sd = desktop.SecurityDescriptor;
        Assert.Equal(KernelFixtures.Alice, sd.Owner);
        Assert.Equal(KernelFixtures.DomainUsers, sd.Group);
        Assert.Equal(Sddl($"D:(A;ID;0xf01ff;;;{KernelFixtures.AliceLogon})(A;ID;0xf01ff;;;SY)"), sd.Select(global::NtSec.Descriptors.SecurityInformation.Dacl).ToSddl());
        // Alice's process is not labelled, so neither is the desktop: it is implicitly Medium.
        Assert.Null(sd.Sacl);

        // A descriptor the caller gives is used instead.
        var own = SecurityDescriptor.FromSddl($"D:(A;;0xf01ff;;;{KernelFixtures.Alice})");
        Assert.False(alice.CreateDesktop("private", 0, DesktopAccessRights.AllAccess, own).IsNull);
        Assert.Equal(Sddl($"D:(A;;0xf01ff;;;{KernelFixtures.Alice})"), system.FindObject(@"WinSta0\private")!.SecurityDescriptor.Select(global::NtSec.Descriptors.SecurityInformation.Dacl).ToSddl());
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Connecting at process start

    [Fact]
    public void A_process_connects_with_MAXIMUM_ALLOWED_and_keeps_two_handles_that_are_not_inherited()
    {
        var (system, session, shell) = Logon();
        var c = system.GetDesktopConnection(shell)!;
        Assert.Same(session.WindowStation, c.WindowStation);
        Assert.Same(session.Default, c.Desktop);
        Assert.Equal(WindowStationAccessRights.AllAccessWithStandard, c.WindowStationAccess);
        Assert.Equal(DesktopAccessRights.AllAccess, c.DesktopAccess);
        var handles = shell.GetHandles();
        Assert.Contains(handles, h => h.Handle == c.WindowStationHandle && h.Entry.Attributes == HandleAttributes.None);
        Assert.Contains(handles, h => h.Handle == c.DesktopHandle && h.Entry.Attributes == HandleAttributes.None);
        var alice = shell.Threads[0].Win32;
        Assert.Equal(c.WindowStationHandle, alice.GetProcessWindowStation());
        Assert.Equal(c.DesktopHandle, alice.GetThreadDesktop(shell.Threads[0].ThreadId));
    }

    [Fact]
    public void A_process_whose_token_may_not_use_the_desktop_dies_with_STATUS_DLL_INIT_FAILED()
    {
        var (system, session, shell) = Logon();
        // Bob's token is granted nothing on Alice's window station.
        var bob = system.CreateProcess(KernelFixtures.BobToken(), "bob.exe", session.Default);
        Assert.True(bob.IsTerminated);
        Assert.Equal(NtStatus.DllInitFailed, bob.ExitStatus);
        Assert.Equal(0xC0000142u, bob.ExitStatus.Value);

        // A restricted token whose restricting SIDs the window station does not name: CreateProcessAsUser itself
        // succeeds, and the new process exits during user32's initialisation.
        var broker = shell.Threads[0].Win32;
        var lockdown = Restricted(broker, WellKnownSids.Restricted);
        Assert.True(broker.CreateProcessAsUser(lockdown, "renderer.exe", null, false, out var pi));
        Assert.Equal(NtStatus.Success, shell.Threads[0].Nt.NtQueryObject(pi.Process, out _));
        var renderer = system.Processes.SingleOrDefault(p => p.ProcessId == pi.ProcessId);
        Assert.Null(renderer);
        Assert.True(broker.CloseHandle(pi.Process));
        Assert.True(broker.CloseHandle(pi.Thread));
    }

    [Fact]
    public void lpDesktop_is_read_when_the_process_connects()
    {
        var (system, session, shell) = Logon();
        var broker = shell.Threads[0].Win32;
        Assert.True(broker.OpenProcessToken(Win32Api.GetCurrentProcess(), TokenForProcess, out var own));

        // A desktop name alone is looked for on the creator's window station.
        var child = Start(system, broker, own, "child.exe", "Default");
        Assert.Same(session.Default, child.Desktop);

        // A name that leads nowhere does not fail CreateProcess: the process dies connecting.
        foreach (var name in new[] { "NoSuchDesktop", @"WinSta0\NoSuchDesktop", @"NoSuchStation\Default", "" })
        {
            Assert.True(broker.CreateProcessAsUser(own, "lost.exe", name, false, out var pi), name);
            var thread = (ThreadObject)shell.GetHandles().Single(h => h.Handle == pi.Thread).Entry.Object;
            Assert.True(thread.Process.IsTerminated, name);
            Assert.Equal(NtStatus.DllInitFailed, thread.Process.ExitStatus);
            Assert.True(broker.CloseHandle(pi.Process));
            Assert.True(broker.CloseHandle(pi.Thread));
        }
    }

    [Fact]
    public void The_failed_connection_is_explained()
    {
        var (_, session, shell) = Logon();
        var broker = shell.Threads[0].Win32;
        Assert.True(broker.CreateProcessAsUser(Restricted(broker, WellKnownSids.Restricted), "renderer.exe", null, false, out var pi));
        var thread = (ThreadObject)shell.GetHandles().Single(h => h.Handle == pi.Thread).Entry.Object;
        Assert.True(thread.Process.IsTerminated);
        // The caller's diagnostic of CreateProcessAsUser says who refused the new process, in which pass, and why.
        var refusal = shell.Threads[0].LastCall!.Desktop;
        Assert.NotNull(refusal);
        Assert.Same(refusal, thread.Process.ConnectionRefusal);
        Assert.Equal(ConnectionPass.WindowStation, refusal.Pass);
        Assert.Equal(session.WindowStation.SecurityDescriptor.Owner, refusal.UngrantedLogonSid);
        var check = refusal.AccessCheck;
        Assert.NotNull(check);
        Assert.Same(session.WindowStation, check.Object);
        Assert.Equal(AccessMask.MaximumAllowed, check.DesiredAccess);
        Assert.Contains("restricting SIDs", check.Explanation!.ToText(ObjectTypes.WindowStation), StringComparison.Ordinal);
    }

    [Fact]
    public void A_suspended_process_connects_with_its_first_threads_impersonation_token_when_resumed()
    {
        // Chromium's start-up: the lockdown token cannot open the desktop, the initial token on the thread can.
        var (system, _, shell) = Logon();
        var broker = shell.Threads[0].Win32;
        var lockdown = Restricted(broker, WellKnownSids.Restricted);
        var initial = Restricted(broker, WellKnownSids.Restricted, KernelFixtures.AliceLogon);
        Assert.True(broker.DuplicateTokenEx(initial, TokenAccessRights.Impersonate | TokenAccessRights.Query, null, SecurityImpersonationLevel.Impersonation, TokenType.Impersonation, out var impersonation));
        Assert.True(broker.CreateProcessAsUser(lockdown, "renderer.exe", null, false, suspended: true, out var pi));
        var thread = (ThreadObject)shell.GetHandles().Single(h => h.Handle == pi.Thread).Entry.Object;
        Assert.False(thread.Process.IsTerminated);
        Assert.Equal(1, thread.SuspendCount);
        Assert.Null(system.GetDesktopConnection(thread.Process));
        Assert.True(broker.SetThreadToken(pi.Thread, impersonation));
        Assert.Equal(1, broker.ResumeThread(pi.Thread));
        Assert.False(thread.Process.IsTerminated);
        var connection = system.GetDesktopConnection(thread.Process);
        Assert.NotNull(connection);
        Assert.Equal(TokenType.Impersonation, connection.Token!.Type);
        // Reverting keeps the connection; the process's own token is still the lockdown one.
        Assert.True(thread.Win32.RevertToSelf());
        Assert.True(thread.Process.PrimaryToken.Token.IsRestricted);
        Assert.Equal(0, broker.ResumeThread(pi.Thread));

        // Without the thread token the same start dies on resuming, and the resume's diagnostic says where.
        Assert.True(broker.CreateProcessAsUser(lockdown, "renderer.exe", null, false, suspended: true, out var pi2));
        var thread2 = (ThreadObject)shell.GetHandles().Single(h => h.Handle == pi2.Thread).Entry.Object;
        Assert.Equal(1, broker.ResumeThread(pi2.Thread));
        Assert.Equal(NtStatus.DllInitFailed, thread2.Process.ExitStatus);
        var refusal = shell.Threads[0].LastCall!.Desktop!;
        Assert.Equal(ConnectionPass.WindowStation, refusal.Pass);
        Assert.Equal(KernelFixtures.AliceLogon, refusal.UngrantedLogonSid);
        Assert.Equal("ResumeThread", shell.Threads[0].LastCall!.Call);
    }

    [Fact]
    public void An_untrusted_process_connects_but_may_not_create_windows_or_desktops()
    {
        var (system, _, shell) = Logon();
        var broker = shell.Threads[0].Win32;
        var untrusted = Start(system, broker, AtIntegrity(broker, WellKnownSids.UntrustedIntegrity), "renderer.exe", null);
        var c = system.GetDesktopConnection(untrusted)!;
        // WinSta0 and Default are labelled Low (no-write-up): below Low only the read and execute rights are left.
        Assert.Equal(0u, c.DesktopAccess & DesktopAccessRights.CreateWindow);
        Assert.Equal(0u, c.WindowStationAccess & WindowStationAccessRights.CreateDesktop);
        var renderer = untrusted.Threads[0].Win32;
        Assert.True(renderer.CreateWindow("Chrome_RenderWidget", null).IsNull);
        Assert.Equal(Win32Error.AccessDenied, renderer.GetLastError());
        Assert.True(renderer.CreateDesktop("mine", 0, DesktopAccessRights.AllAccess, null).IsNull);
        Assert.Equal(Win32Error.AccessDenied, renderer.GetLastError());
    }

    // ----------------------------------------------------------------------------------------------------------------
    // The seed's warning

    [Fact]
    public void A_restricted_process_on_the_default_desktop_can_still_message_the_users_other_programs()
    {
        var (system, session, shell) = Logon();
        var notepad = system.CreateProcess(KernelFixtures.AliceToken(), "notepad.exe", session.Default).Threads[0];
        var received = new List<uint>();
        var victim = notepad.Win32.CreateWindow("Notepad", "Untitled - Notepad", (_, m, _, _) => { received.Add(m); return 42; });
        Assert.False(victim.IsNull);

        // Restricted as Chrome's sandbox restricts: RESTRICTED plus the logon SID, so it can still use the desktop.
        var broker = shell.Threads[0].Win32;
        var token = Restricted(broker, WellKnownSids.Restricted, KernelFixtures.AliceLogon);
        var sandboxed = Start(system, broker, token, "sandboxed.exe", @"WinSta0\Default");
        Assert.Same(session.Default, sandboxed.Desktop);
        var attacker = sandboxed.Threads[0].Win32;

        // Nothing stops it: it finds the window, and its messages arrive, as the seed document warns.
        Assert.Equal(victim, attacker.FindWindow("notepad", null));
        Assert.Equal(42, attacker.SendMessage(victim, WindowMessages.KeyDown, 0x41, 0));
        Assert.True(attacker.PostMessage(victim, WindowMessages.Char, 'a', 0));
        Assert.Equal([WindowMessages.KeyDown], received);
        Assert.True(notepad.Win32.PeekMessage(out var posted));
        Assert.Equal(new QueuedMessage(victim, WindowMessages.Char, 'a', 0), posted);
        Assert.Equal(sandboxed.Threads[0].ThreadId, system.GetWindow(victim)!.ReceivedMessages.Single().SenderThreadId);

        // And a window with the default procedure is closed by a WM_CLOSE from the sandbox.
        var explorerWindow = shell.Threads[0].Win32.CreateWindow("Progman", "Program Manager");
        Assert.Equal(0, attacker.SendMessage(explorerWindow, WindowMessages.Close, 0, 0));
        Assert.False(attacker.IsWindow(explorerWindow));
    }

    [Fact]
    public void On_a_desktop_of_its_own_the_restricted_process_cannot_reach_the_users_windows()
    {
        var (system, session, shell) = Logon();
        var notepad = system.CreateProcess(KernelFixtures.AliceToken(), "notepad.exe", session.Default).Threads[0];
        var victim = notepad.Win32.CreateWindow("Notepad", "Untitled - Notepad");

        var broker = shell.Threads[0].Win32;
        var desktop = broker.CreateDesktop("sbox_alternate_desktop", 0, DesktopAccessRights.AllAccess, null);
        Assert.False(desktop.IsNull);
        var token = Restricted(broker, WellKnownSids.Restricted, KernelFixtures.AliceLogon);
        var sandboxed = Start(system, broker, token, @"WinSta0\sbox_alternate_desktop", @"WinSta0\sbox_alternate_desktop");
        var attacker = sandboxed.Threads[0].Win32;
        Assert.Equal(@"WinSta0\sbox_alternate_desktop", sandboxed.Desktop!.Name);

        // Its own window works; the user's windows are neither found nor reachable.
        var own = attacker.CreateWindow("Sandboxed", "Sandboxed");
        Assert.False(own.IsNull);
        Assert.True(attacker.FindWindow("Notepad", null).IsNull);
        Assert.Equal(Win32Error.FileNotFound, attacker.GetLastError());
        var seen = new List<WindowHandle>();
        Assert.True(attacker.EnumWindows(h => { seen.Add(h); return true; }));
        Assert.Equal([own], seen);
        Assert.Equal(0, attacker.SendMessage(victim, WindowMessages.Close, 0, 0));
        Assert.Equal(Win32Error.AccessDenied, attacker.GetLastError());
        Assert.False(attacker.PostMessage(victim, WindowMessages.Close, 0, 0));
        Assert.Equal(Win32Error.AccessDenied, attacker.GetLastError());
        Assert.True(notepad.Win32.IsWindow(victim));
        Assert.Empty(system.GetWindow(victim)!.ReceivedMessages);
        Assert.Empty(system.GetMessageQueue(notepad));

        // The user's programs do not see the sandbox's window either.
        Assert.True(notepad.Win32.FindWindow(null, "Sandboxed").IsNull);
        Assert.Equal(0, notepad.Win32.SendMessage(own, WindowMessages.Null, 0, 0));
        Assert.Equal(Win32Error.AccessDenied, notepad.Win32.GetLastError());
    }

    // ----------------------------------------------------------------------------------------------------------------
    // UIPI

    [Fact]
    public void UIPI_blocks_messages_from_Low_to_Medium_but_not_from_Medium_to_Low()
    {
        var (system, session, shell) = Logon();
        var notepad = system.CreateProcess(KernelFixtures.AliceToken(), "notepad.exe", session.Default).Threads[0];
        var medium = notepad.Win32.CreateWindow("Notepad", "Untitled - Notepad");
        var broker = shell.Threads[0].Win32;
        var low = Start(system, broker, AtIntegrity(broker, WellKnownSids.LowIntegrity), "iexplore.exe", null).Threads[0];
        // WinSta0\Default is labelled Low, so a Low process may create windows there.
        var lowWindow = low.Win32.CreateWindow("IEFrame", "Protected Mode");
        Assert.False(lowWindow.IsNull);

        Assert.Equal(medium, low.Win32.FindWindow("Notepad", null));
        Assert.Equal(0, low.Win32.SendMessage(medium, WindowMessages.CopyData, 0, 0));
        Assert.Equal(Win32Error.AccessDenied, low.Win32.GetLastError());
        Assert.False(low.Win32.PostMessage(medium, WindowMessages.User + 1, 0, 0));
        Assert.Equal(Win32Error.AccessDenied, low.Win32.GetLastError());
        Assert.Empty(system.GetWindow(medium)!.ReceivedMessages);

        // Down (and sideways) is allowed.
        Assert.True(notepad.Win32.PostMessage(lowWindow, WindowMessages.User + 1, 0, 0));
        notepad.Win32.SetLastError(0);
        Assert.Equal(0, notepad.Win32.SendMessage(lowWindow, WindowMessages.CopyData, 0, 0));
        Assert.Equal(0, notepad.Win32.GetLastError());
        Assert.Single(system.GetWindow(lowWindow)!.ReceivedMessages);
    }

    [Fact]
    public void The_message_filter_lets_chosen_messages_up()
    {
        var (system, session, shell) = Logon();
        var notepad = system.CreateProcess(KernelFixtures.AliceToken(), "notepad.exe", session.Default).Threads[0];
        var medium = notepad.Win32.CreateWindow("Notepad", "Untitled - Notepad");
        var broker = shell.Threads[0].Win32;
        var low = Start(system, broker, AtIntegrity(broker, WellKnownSids.LowIntegrity), "iexplore.exe", null).Threads[0];
        uint wanted = WindowMessages.User + 7;

        // Per window.
        Assert.True(notepad.Win32.ChangeWindowMessageFilterEx(medium, wanted, MessageFilterAction.Allow));
        Assert.True(low.Win32.PostMessage(medium, wanted, 0, 0));
        Assert.False(low.Win32.PostMessage(medium, wanted + 1, 0, 0));
        Assert.True(notepad.Win32.ChangeWindowMessageFilterEx(medium, wanted, MessageFilterAction.Disallow));
        Assert.False(low.Win32.PostMessage(medium, wanted, 0, 0));

        // Process-wide: a window's DISALLOW does not take it away.
        Assert.True(notepad.Win32.ChangeWindowMessageFilter(wanted, MessageFilterFlag.Add));
        Assert.True(notepad.Win32.ChangeWindowMessageFilterEx(medium, wanted, MessageFilterAction.Disallow));
        Assert.True(low.Win32.PostMessage(medium, wanted, 0, 0));
        Assert.True(notepad.Win32.ChangeWindowMessageFilter(wanted, MessageFilterFlag.Remove));
        Assert.False(low.Win32.PostMessage(medium, wanted, 0, 0));
        Assert.Equal(2, system.GetMessageQueue(notepad).Count);

        // A Low process may not open its own filter, nor may anyone change another process's window.
        var lowWindow = low.Win32.CreateWindow("IEFrame", null);
        Assert.False(low.Win32.ChangeWindowMessageFilterEx(lowWindow, wanted, MessageFilterAction.Allow));
        Assert.Equal(Win32Error.AccessDenied, low.Win32.GetLastError());
        Assert.False(low.Win32.ChangeWindowMessageFilter(wanted, MessageFilterFlag.Add));
        Assert.Equal(Win32Error.AccessDenied, low.Win32.GetLastError());
        Assert.False(shell.Threads[0].Win32.ChangeWindowMessageFilterEx(medium, wanted, MessageFilterAction.Allow));
        Assert.Equal(Win32Error.AccessDenied, shell.Threads[0].Win32.GetLastError());
        Assert.False(notepad.Win32.ChangeWindowMessageFilterEx(medium, wanted, (MessageFilterAction)9));
        Assert.Equal(Win32Error.InvalidParameter, notepad.Win32.GetLastError());
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Desktops from user mode

    [Fact]
    public void Creating_a_desktop_needs_WINSTA_CREATEDESKTOP_and_DESKTOP_CREATEWINDOW()
    {
        var (system, _, shell) = Logon();
        var alice = shell.Threads[0].Win32;
        Assert.True(alice.CreateDesktop("a", 0, DesktopAccessRights.ReadObjects, null).IsNull);
        Assert.Equal(Win32Error.AccessDenied, alice.GetLastError());
        Assert.True(alice.CreateDesktop(@"a\b", 0, DesktopAccessRights.AllAccess, null).IsNull);
        Assert.Equal(Win32Error.InvalidParameter, alice.GetLastError());
        Assert.True(alice.CreateDesktop("a", 0x2, DesktopAccessRights.AllAccess, null).IsNull);
        Assert.Equal(Win32Error.InvalidParameter, alice.GetLastError());

        var first = alice.CreateDesktop("a", 0, AccessMask.MaximumAllowed, null);
        Assert.False(first.IsNull);
        alice.SetLastError(0);
        var again = alice.CreateDesktop("a", 0, DesktopAccessRights.CreateWindow, null);
        Assert.False(again.IsNull);
        Assert.Equal(Win32Error.AlreadyExists, alice.GetLastError());
        Assert.Equal(NtStatus.Success, shell.Threads[0].Nt.NtQueryObject(again, out var info));
        Assert.Equal(DesktopAccessRights.CreateWindow, info.GrantedAccess);
        Assert.Equal("Desktop", info.TypeName);

        // A process without a desktop has no window station to create one on.
        var service = system.CreateProcess(KernelFixtures.AliceToken(), "service.exe").Threads[0].Win32;
        Assert.True(service.CreateDesktop("b", 0, DesktopAccessRights.AllAccess, null).IsNull);
        Assert.Equal(Win32Error.AccessDenied, service.GetLastError());
    }

    [Fact]
    public void A_desktop_made_from_user_mode_lives_while_a_handle_or_a_process_holds_it()
    {
        var (system, _, shell) = Logon();
        var broker = shell.Threads[0].Win32;
        var h = broker.CreateDesktop("transient", 0, DesktopAccessRights.AllAccess, null);
        var desktop = system.FindObject(@"WinSta0\transient");
        Assert.NotNull(desktop);
        var child = Start(system, broker, Restricted(broker, WellKnownSids.Restricted, KernelFixtures.AliceLogon), "child.exe", @"WinSta0\transient");
        Assert.True(broker.CloseDesktop(h));
        Assert.False(desktop.IsDeleted);
        system.TerminateProcess(child, NtStatus.Success);
        Assert.True(desktop.IsDeleted);
        Assert.Null(system.FindObject(@"WinSta0\transient"));
    }

    [Fact]
    public void SetThreadDesktop_moves_a_thread_without_windows_and_CloseDesktop_refuses_a_desktop_in_use()
    {
        var (system, session, shell) = Logon();
        var main = shell.Threads[0];
        var alice = main.Win32;
        var other = alice.CreateDesktop("other", 0, DesktopAccessRights.AllAccess, null);
        var c = system.GetDesktopConnection(shell)!;

        // The connection's desktop handle cannot be closed.
        Assert.False(alice.CloseDesktop(c.DesktopHandle));
        Assert.Equal(Win32Error.Busy, alice.GetLastError());
        Assert.False(alice.CloseWindowStation(c.WindowStationHandle));
        Assert.Equal(Win32Error.Busy, alice.GetLastError());

        var worker = system.CreateThread(shell);
        Assert.True(worker.Win32.SetThreadDesktop(other));
        Assert.Equal(@"WinSta0\other", worker.Desktop!.Name);
        Assert.Same(session.Default, main.Desktop);
        Assert.Equal(other, alice.GetThreadDesktop(worker.ThreadId));
        Assert.False(alice.CloseDesktop(other));
        Assert.Equal(Win32Error.Busy, alice.GetLastError());
        var w = worker.Win32.CreateWindow("Worker", "on other");
        Assert.Equal(w, worker.Win32.FindWindow(null, "on other"));
        Assert.True(alice.FindWindow(null, "on other").IsNull);

        // A thread with a window stays where it is.
        Assert.False(worker.Win32.SetThreadDesktop(c.DesktopHandle));
        Assert.Equal(Win32Error.Busy, worker.Win32.GetLastError());
        Assert.True(worker.Win32.DestroyWindow(w));
        Assert.True(worker.Win32.SetThreadDesktop(c.DesktopHandle));
        Assert.Same(session.Default, worker.Desktop);
        Assert.True(alice.CloseDesktop(other));

        // Not a desktop handle.
        Assert.False(alice.SetThreadDesktop(c.WindowStationHandle));
        Assert.Equal(Win32Error.InvalidHandle, alice.GetLastError());
        Assert.True(alice.GetThreadDesktop(12345).IsNull);
        Assert.Equal(Win32Error.InvalidParameter, alice.GetLastError());
    }

    [Fact]
    public void GetThreadDesktop_of_another_process_gives_a_handle_of_the_callers()
    {
        var (system, session, shell) = Logon();
        var notepad = system.CreateProcess(KernelFixtures.AliceToken(), "notepad.exe", session.Default);
        var service = system.CreateProcess(KernelFixtures.AliceToken(), "service.exe");
        var h = service.Threads[0].Win32.GetThreadDesktop(notepad.Threads[0].ThreadId);
        Assert.False(h.IsNull);
        Assert.Equal(NtStatus.Success, service.Threads[0].Nt.NtQueryObject(h, out var info));
        Assert.Equal(@"WinSta0\Default", info.Name);
        Assert.Equal(0u, info.GrantedAccess);
        Assert.Equal(h, service.Threads[0].Win32.GetThreadDesktop(notepad.Threads[0].ThreadId));
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Windows

    [Fact]
    public void Only_the_creating_thread_destroys_a_window_and_unknown_handles_fail()
    {
        var (system, session, shell) = Logon();
        var notepad = system.CreateProcess(KernelFixtures.AliceToken(), "notepad.exe", session.Default).Threads[0];
        var w = notepad.Win32.CreateWindow("Notepad", null);
        var alice = shell.Threads[0].Win32;
        Assert.False(alice.DestroyWindow(w));
        Assert.Equal(Win32Error.AccessDenied, alice.GetLastError());
        Assert.Equal(notepad.ThreadId, alice.GetWindowThreadProcessId(w, out int pid));
        Assert.Equal(notepad.Process.ProcessId, pid);
        Assert.True(notepad.Win32.DestroyWindow(w));
        Assert.Equal(0, alice.SendMessage(w, WindowMessages.Null, 0, 0));
        Assert.Equal(Win32Error.InvalidWindowHandle, alice.GetLastError());
        Assert.False(alice.PostMessage(w, WindowMessages.Null, 0, 0));
        Assert.Equal(Win32Error.InvalidWindowHandle, alice.GetLastError());
        Assert.Equal(0, alice.GetWindowThreadProcessId(w, out _));
        Assert.Equal(Win32Error.InvalidWindowHandle, alice.GetLastError());
    }

    [Fact]
    public void A_posted_message_queue_holds_ten_thousand_messages()
    {
        var (_, _, shell) = Logon();
        var alice = shell.Threads[0].Win32;
        for (int i = 0; i < EmulatedSystem.PostedMessageLimit; i++) Assert.True(alice.PostMessage(WindowHandle.Null, WindowMessages.User, i, 0));
        Assert.False(alice.PostMessage(WindowHandle.Null, WindowMessages.User, -1, 0));
        Assert.Equal(Win32Error.NotEnoughQuota, alice.GetLastError());
        Assert.True(alice.PeekMessage(out var first, remove: false));
        Assert.Equal(0, first.WParam);
        Assert.True(alice.PeekMessage(out first));
        Assert.True(alice.PostMessage(WindowHandle.Null, WindowMessages.User, -1, 0));
    }

    [Fact]
    public void Windows_and_queues_go_with_their_thread_and_nothing_leaks()
    {
        var (system, session, shell) = Logon();
        int objects = system.LiveObjectCount;
        var broker = shell.Threads[0].Win32;
        var desktop = broker.CreateDesktop("leak", 0, DesktopAccessRights.AllAccess, null);
        var token = Restricted(broker, WellKnownSids.Restricted, KernelFixtures.AliceLogon);
        Assert.True(broker.CreateProcessAsUser(token, "child.exe", @"WinSta0\leak", false, out var pi));
        var child = system.FindProcess(pi.ProcessId)!;
        var worker = system.CreateThread(child);
        var w1 = child.Threads[0].Win32.CreateWindow("A", null);
        var w2 = worker.Win32.CreateWindow("B", null);
        Assert.True(child.Threads[0].Win32.PostMessage(w2, WindowMessages.User, 0, 0));
        Assert.Equal(2, system.Windows.Count);

        // One thread ends: its window and its queue go, the other thread's window stays.
        Assert.Equal(NtStatus.Success, worker.Nt.NtTerminateThread(NtHandle.CurrentThread, NtStatus.Success));
        Assert.Null(system.GetWindow(w2));
        Assert.Empty(system.GetMessageQueue(worker));
        Assert.NotNull(system.GetWindow(w1));
        system.TerminateProcess(child, NtStatus.Success);
        Assert.Empty(system.Windows);
        Assert.Null(system.GetWindow(w1));
        Assert.Null(system.GetDesktopConnection(child));
        // A thread that has ended can start no new user32 state.
        Assert.False(worker.Win32.ChangeWindowMessageFilter(WindowMessages.User, MessageFilterFlag.Add));
        Assert.False(worker.Win32.PostMessage(WindowHandle.Null, WindowMessages.User, 0, 0));
        Assert.True(worker.Win32.CreateWindow("C", null).IsNull);
        Assert.Empty(system.GetMessageQueue(worker));

        Assert.True(broker.CloseHandle(pi.Process));
        Assert.True(broker.CloseHandle(pi.Thread));
        Assert.True(broker.CloseHandle(token));
        Assert.True(broker.CloseDesktop(desktop));
        Assert.Equal(objects, system.LiveObjectCount);
        Assert.Same(session.Default, shell.Desktop);
    }
}
