using NtSec.Sddl;
using global::NtSec;
using global::NtSec.Authorization;
using global::NtSec.Descriptors;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Tokens;
using Xunit;
using NtSec.Win32;

namespace NtSec.Tests.Kernel;

/// <summary>
/// The seed documents (../shared/seeds/: NtOpenThreadToken, Restricted Tokens), paragraph by paragraph, on the
/// emulated kernel. Each test names the paragraph it walks.
/// </summary>
public class SeedWalkTests
{
    private const uint Read = TokenAccessRights.Query;

    private static (EmulatedSystem System, ProcessObject App, ThreadObject T, ProcessObject Service, ThreadObject S) Machine()
    {
        var system = new EmulatedSystem();
        system.CreateInteractiveWindowStation(KernelFixtures.AliceLogon);
        var app = system.CreateProcess(KernelFixtures.AliceToken(), "app.exe", (DesktopObject)system.FindObject("WinSta0\\Default")!);
        var service = system.CreateProcess(KernelFixtures.ServiceToken(KernelFixtures.Domain.Append(1100), 0x3e4), "svc.exe");
        return (system, app, app.Threads[0], service, service.Threads[0]);
    }

    // NtOpenThreadToken: "ThreadHandle ... must have THREAD_QUERY_INFORMATION access" / STATUS_ACCESS_DENIED.
    [Fact]
    public void Thread_handle_without_the_query_right_is_access_denied()
    {
        var (_, _, t, _, _) = Machine();
        Assert.True(t.Nt.NtOpenThread(out var weak, ThreadAccessRights.SetThreadToken, HandleAttributes.None, t.ThreadId).IsSuccess);
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenThreadToken(weak, Read, true, out var h));
        Assert.True(h.IsNull);
        Assert.True(t.Nt.NtOpenThread(out var full, ThreadAccessRights.QueryInformation, HandleAttributes.None, t.ThreadId).IsSuccess);
        Assert.Equal(NtStatus.NoToken, t.Nt.NtOpenThreadToken(full, Read, true, out _));
    }

    // STATUS_CANT_OPEN_ANONYMOUS: "the client requested the SecurityAnonymous impersonation level".
    [Fact]
    public void Anonymous_level_cannot_be_opened()
    {
        var (_, _, t, _, s) = Machine();
        // The client's thread reaches the server through the kernel, as a named pipe's impersonation does.
        Assert.True(s.Zw.NtOpenThread(out var client, ThreadAccessRights.DirectImpersonation, HandleAttributes.None, t.ThreadId).IsSuccess);
        Assert.Equal(NtStatus.Success, s.Nt.NtImpersonateThread(NtHandle.CurrentThread, client, new SecurityQualityOfService(SecurityImpersonationLevel.Anonymous)));
        Assert.Equal(NtStatus.CantOpenAnonymous, s.Nt.NtOpenThreadToken(NtHandle.CurrentThread, Read, true, out _));
        Assert.Equal(NtStatus.CantOpenAnonymous, s.Nt.NtOpenThreadToken(NtHandle.CurrentThread, 0, false, out _));
    }

    // STATUS_INVALID_HANDLE and STATUS_OBJECT_TYPE_MISMATCH.
    [Fact]
    public void Invalid_and_wrong_type_handles()
    {
        var (_, _, t, _, _) = Machine();
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtOpenThreadToken(NtHandle.Null, Read, false, out _));
        Assert.True(t.Nt.NtOpenThread(out var h, ThreadAccessRights.QueryLimitedInformation, HandleAttributes.None, t.ThreadId).IsSuccess);
        Assert.Equal(NtStatus.Success, t.Nt.NtClose(h));
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtOpenThreadToken(h, Read, false, out _));
        Assert.Equal(NtStatus.ObjectTypeMismatch, t.Nt.NtOpenThreadToken(NtHandle.CurrentProcess, Read, false, out _));
        Assert.True(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, Read, out var token).IsSuccess);
        Assert.Equal(NtStatus.ObjectTypeMismatch, t.Nt.NtOpenThreadToken(token, Read, false, out _));
    }

    // STATUS_NO_TOKEN: "a thread that is not currently impersonating a client".
    [Fact]
    public void Not_impersonating_is_no_token()
    {
        var (_, _, t, _, _) = Machine();
        Assert.Equal(NtStatus.NoToken, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, Read, false, out _));
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation));
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, Read, false, out var h));
        Assert.True(t.Win32.RevertToSelf());
        Assert.Equal(NtStatus.NoToken, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, Read, false, out _));
        Assert.Equal(NtStatus.Success, t.Nt.NtClose(h));
    }

    // OpenAsSelf: FALSE checks with the calling thread's context (the client's, when impersonating); TRUE with the
    // process's. And the remark: with only SecurityIdentification, the server needs OpenAsSelf.
    [Fact]
    public void OpenAsSelf_chooses_whose_context_is_checked()
    {
        var (_, _, t, _, s) = Machine();
        // The client's thread reaches the server through the kernel, as a named pipe's impersonation does.
        Assert.True(s.Zw.NtOpenThread(out var client, ThreadAccessRights.DirectImpersonation, HandleAttributes.None, t.ThreadId).IsSuccess);

        // At SecurityImpersonation the client's token is made by the server, from the server's defaults: the client
        // itself is not in that DACL, so FALSE (checked as the client) is denied, TRUE (as the server) is granted.
        Assert.Equal(NtStatus.Success, s.Nt.NtImpersonateThread(NtHandle.CurrentThread, client, new SecurityQualityOfService(SecurityImpersonationLevel.Impersonation)));
        Assert.Equal(NtStatus.AccessDenied, s.Nt.NtOpenThreadToken(NtHandle.CurrentThread, Read, false, out _));
        Assert.Equal(NtStatus.Success, s.Nt.NtOpenThreadToken(NtHandle.CurrentThread, Read, true, out var asSelf));
        Assert.Equal(NtStatus.Success, s.Nt.NtClose(asSelf));
        // The next client token is made from the server's own defaults only once the server stops impersonating.
        Assert.True(s.Win32.RevertToSelf());

        // At SecurityIdentification nothing can be opened as the client, whatever the DACL says.
        Assert.Equal(NtStatus.Success, s.Nt.NtImpersonateThread(NtHandle.CurrentThread, client, new SecurityQualityOfService(SecurityImpersonationLevel.Identification)));
        Assert.Equal(NtStatus.BadImpersonationLevel, s.Nt.NtOpenThreadToken(NtHandle.CurrentThread, Read, false, out _));
        Assert.Equal(NtStatus.Success, s.Nt.NtOpenThreadToken(NtHandle.CurrentThread, Read, true, out var ident));
        Assert.Equal(NtStatus.Success, s.Nt.NtQueryInformationToken(ident, TokenInformationClass.TokenUser, out var user));
        Assert.Equal(KernelFixtures.Alice, ((SidAndAttributes)user!).Sid);
        Assert.Equal(NtStatus.Success, s.Nt.NtClose(ident));
    }

    // "The handle ... must eventually be released by calling NtClose", and the Zw path of the remarks: a kernel-mode
    // caller is not checked.
    [Fact]
    public void Handles_are_released_by_NtClose_and_kernel_mode_is_not_checked()
    {
        var (system, _, t, _, s) = Machine();
        int before = system.LiveObjectCount;
        int handles = t.Process.HandleTableCount;
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation));
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, Read, false, out var h));
        Assert.True(t.Win32.RevertToSelf());
        Assert.Equal(handles + 1, t.Process.HandleTableCount);
        Assert.Equal(before + 1, system.LiveObjectCount);
        Assert.Equal(NtStatus.Success, t.Nt.NtClose(h));
        Assert.Equal(handles, t.Process.HandleTableCount);
        Assert.Equal(before, system.LiveObjectCount);

        // The service may not open alice's process token from user mode; the same call from kernel mode may.
        Assert.Equal(NtStatus.Success, s.Zw.NtOpenProcess(out var app, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, t.Process.ProcessId));
        Assert.Equal(NtStatus.AccessDenied, s.Nt.NtOpenProcessToken(app, TokenAccessRights.AdjustDefault, out _));
        Assert.Equal(NtStatus.Success, s.Zw.NtOpenProcessToken(app, TokenAccessRights.AdjustDefault, out var k));
        Assert.Equal(NtStatus.Success, s.Zw.NtClose(k));
    }

    private static readonly SecurityDescriptor Document = SecurityDescriptor.FromSddl(
        $"O:{KernelFixtures.Alice}G:{KernelFixtures.DomainUsers}D:(A;;FA;;;{KernelFixtures.Alice})(A;;FR;;;BU)(A;;FA;;;RC)(A;;FR;;;{KernelFixtures.AliceLogon})");

    // The three ways CreateRestrictedToken restricts, and the two access checks.
    [Fact]
    public void Each_kind_of_restriction_and_the_two_access_checks()
    {
        var (system, _, t, _, _) = Machine();
        system.CreateObject(ObjectTypes.File, "doc", Document);
        system.CreateObject(ObjectTypes.File, "users", SecurityDescriptor.FromSddl("O:BAG:BAD:(A;;FR;;;BU)"));
        var w = t.Win32;
        Assert.True(w.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate | TokenAccessRights.Query | TokenAccessRights.Impersonate | TokenAccessRights.AdjustPrivileges, out var own));

        // Removed privileges.
        Assert.True(w.CreateRestrictedToken(own, FilterTokenFlags.None, null, [Privileges.ChangeNotify], null, out var noPrivileges));
        Assert.True(w.AdjustTokenPrivileges(noPrivileges, false, [new Privilege(Privileges.ChangeNotify, PrivilegeAttributes.Enabled)]));
        Assert.Equal(1300, w.GetLastError());

        // Deny-only SIDs: BUILTIN\Users no longer opens what Users may read.
        Assert.True(w.CreateRestrictedToken(own, FilterTokenFlags.None, [new SidAndAttributes(WellKnownSids.BuiltinUsers, 0)], null, null, out var denyOnly));
        Assert.False(w.IsTokenRestricted(denyOnly));
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenObject(new ObjectAttributes("users"), AccessMask.GenericRead, out _));
        Assert.True(w.ImpersonateLoggedOnUser(denyOnly));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenObject(new ObjectAttributes("users"), AccessMask.GenericRead, out _));
        Assert.True(w.RevertToSelf());

        // Restricting SIDs: two checks, both must grant.
        Assert.True(w.CreateRestrictedToken(own, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, 0)], out var restricted));
        Assert.True(w.IsTokenRestricted(restricted));
        Assert.True(w.ImpersonateLoggedOnUser(restricted));
        // doc grants alice FA and RESTRICTED FA: both passes grant writing.
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenObject(new ObjectAttributes("doc"), AccessMask.GenericWrite, out _));
        // users grants Users read but RESTRICTED nothing: the second check denies.
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenObject(new ObjectAttributes("users"), AccessMask.GenericRead, out _));
        Assert.True(w.RevertToSelf());
        Assert.True(w.CreateRestrictedToken(own, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.BuiltinUsers, 0)], out var usersOnly));
        Assert.True(w.ImpersonateLoggedOnUser(usersOnly));
        // The restricting SID Users may read doc, but only alice's own pass grants writing: the first check alone is not enough.
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenObject(new ObjectAttributes("doc"), AccessMask.GenericRead, out _));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenObject(new ObjectAttributes("doc"), AccessMask.GenericWrite, out _));
        Assert.True(w.RevertToSelf());
    }

    // "You can use a restricted primary token in a call to CreateProcessAsUser ... if the call specifies a restricted
    // version of the caller's primary token, this privilege is not required."
    [Fact]
    public void CreateProcessAsUser_needs_the_privilege_unless_the_token_is_a_restricted_version_of_the_callers()
    {
        var (system, app, t, svc, s) = Machine();
        var w = t.Win32;
        Assert.True(w.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate | TokenAccessRights.Query | TokenAccessRights.AssignPrimary, out var own));
        Assert.True(w.CreateRestrictedToken(own, FilterTokenFlags.DisableMaxPrivilege, null, null,
            [new SidAndAttributes(WellKnownSids.Restricted, 0), new SidAndAttributes(KernelFixtures.AliceLogon, 0)], out var restricted));
        Assert.True(w.CreateProcessAsUser(restricted, "child.exe", null, false, out var child));
        var childProcess = system.FindProcess(child.ProcessId)!;
        Assert.False(childProcess.IsTerminated);
        Assert.True(childProcess.PrimaryToken.Token.IsRestricted);

        // The service gets alice's token (through a broker) and tries to start a process with it: not its own.
        var given = KernelFixtures.Give(system, app, own, svc);
        Assert.False(s.Win32.CreateProcessAsUser(given, "other.exe", null, false, out _));
        Assert.Equal(1314, s.Win32.GetLastError());
    }

    // "You can also use a restricted primary or impersonation token in the ImpersonateLoggedOnUser function."
    [Fact]
    public void ImpersonateLoggedOnUser_takes_restricted_primary_and_impersonation_tokens()
    {
        var (_, _, t, _, _) = Machine();
        var w = t.Win32;
        Assert.True(w.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate | TokenAccessRights.Query, out var own));
        Assert.True(w.CreateRestrictedToken(own, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, 0)], out var primary));
        Assert.True(w.ImpersonateLoggedOnUser(primary));
        Assert.True(t.ImpersonationToken!.Token.IsRestricted);
        Assert.Equal(SecurityImpersonationLevel.Impersonation, t.ImpersonationToken.Token.ImpersonationLevel);
        Assert.True(w.RevertToSelf());
        Assert.True(w.DuplicateTokenEx(primary, TokenAccessRights.Query | TokenAccessRights.Impersonate, null, SecurityImpersonationLevel.Impersonation, TokenType.Impersonation, out var impersonation));
        Assert.True(w.ImpersonateLoggedOnUser(impersonation));
        Assert.True(t.ImpersonationToken!.Token.IsRestricted);
        Assert.True(w.RevertToSelf());
    }

    // "Applications that use restricted tokens should run the restricted application on desktops other than the
    // default desktop ... to prevent an attack ... using SendMessage or PostMessage, to unrestricted applications."
    [Fact]
    public void The_desktop_warning()
    {
        var (system, _, t, _, _) = Machine();
        var w = t.Win32;
        var editor = w.CreateWindow("Edit", "alice's editor");
        Assert.False(editor.IsNull);
        Assert.True(w.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate | TokenAccessRights.Query | TokenAccessRights.AssignPrimary, out var own));
        Assert.True(w.CreateRestrictedToken(own, FilterTokenFlags.DisableMaxPrivilege, null, null,
            [new SidAndAttributes(WellKnownSids.Restricted, 0), new SidAndAttributes(KernelFixtures.AliceLogon, 0)], out var restricted));

        // On the default desktop the restricted process reaches alice's window.
        Assert.True(w.CreateProcessAsUser(restricted, "same-desktop.exe", null, false, out var same));
        var sameThread = system.FindThread(same.ThreadId)!;
        Assert.Equal(editor, sameThread.Win32.FindWindow(null, "alice's editor"));
        Assert.True(sameThread.Win32.PostMessage(editor, 0x0102, 'x', 0));

        // On a desktop of its own it neither finds nor reaches it.
        Assert.False(w.CreateDesktop("Sandbox", 0, AccessMask.GenericAll, null).IsNull);
        Assert.True(w.CreateProcessAsUser(restricted, "own-desktop.exe", "Sandbox", false, out var own2));
        var ownThread = system.FindThread(own2.ThreadId)!;
        Assert.True(ownThread.Win32.FindWindow(null, "alice's editor").IsNull);
        Assert.False(ownThread.Win32.PostMessage(editor, 0x0102, 'x', 0));
        Assert.Equal(5, ownThread.Win32.GetLastError());
    }
}
