using NtSec.Win32;
using global::NtSec;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Tokens;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>
/// Which token a process may start another process with (NtCreateUserProcess, CreateProcessAsUser): its own, a
/// restricted version or a copy of its own without any privilege; another user's only with
/// SeAssignPrimaryTokenPrivilege.
/// </summary>
public class CreateProcessTests
{
    private const uint Needed = TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AssignPrimary;

    [Fact]
    public void A_restricted_version_of_the_callers_own_token_needs_no_privilege()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.False(alice.PrimaryToken.Token.HasPrivilege(Privileges.AssignPrimaryToken));
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, Needed, out var own));
        Assert.True(t.Win32.CreateRestrictedToken(own, FilterTokenFlags.DisableMaxPrivilege, [new SidAndAttributes(WellKnownSids.BuiltinUsers, GroupAttributes.None)], null, [new SidAndAttributes(WellKnownSids.Restricted, GroupAttributes.None)], out var restricted));
        Assert.True(t.Win32.CreateProcessAsUser(restricted, "sandbox.exe", null, false, out var info));
        var child = system.FindProcess(info.ProcessId)!;
        Assert.Equal(alice.ProcessId, child.ParentProcessId);
        var token = child.PrimaryToken.Token;
        Assert.True(token.IsRestricted);
        Assert.Equal(TokenType.Primary, token.Type);
        Assert.Equal(KernelFixtures.Alice, token.User.Sid);
        // The process runs with its own copy of the token, not the object the caller holds.
        Assert.NotSame(t.Process.GetHandles().Single(e => e.Handle == restricted).Entry.Object, child.PrimaryToken);
        Assert.Equal(info.ThreadId, child.Threads[0].ThreadId);
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(info.Process, out var p));
        Assert.Equal(ProcessAccessRights.AllAccess, p.GrantedAccess);
    }

    [Fact]
    public void A_copy_of_the_callers_own_token_needs_no_privilege_either()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var own));
        Assert.True(t.Win32.DuplicateTokenEx(own, Needed, null, SecurityImpersonationLevel.Impersonation, TokenType.Primary, out var copy));
        Assert.True(t.Win32.CreateProcessAsUser(copy, "copy.exe", null, false, out _));
        // An impersonation copy at SecurityImpersonation is made primary by CreateProcessAsUser.
        Assert.True(t.Win32.DuplicateTokenEx(own, Needed, null, SecurityImpersonationLevel.Impersonation, TokenType.Impersonation, out var impersonation));
        Assert.True(t.Win32.CreateProcessAsUser(impersonation, "copy2.exe", null, false, out _));
        // One at SecurityIdentification cannot be.
        Assert.True(t.Win32.DuplicateTokenEx(own, Needed, null, SecurityImpersonationLevel.Identification, TokenType.Impersonation, out var identification));
        Assert.False(t.Win32.CreateProcessAsUser(identification, "copy3.exe", null, false, out var none));
        Assert.Equal(1346, t.Win32.GetLastError());
        Assert.True(none.Process.IsNull);
        // The kernel itself makes an impersonation token primary (Windows 7 and later), and refuses one below
        // SecurityImpersonation.
        Assert.Equal(NtStatus.Success, t.Nt.NtCreateUserProcess(out _, out _, impersonation, "copy4.exe", null, false, out var created));
        Assert.Equal(TokenType.Primary, created!.PrimaryToken.Token.Type);
        Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtCreateUserProcess(out _, out _, identification, "copy5.exe", null, false, out var notCreated));
        Assert.Null(notCreated);
    }

    [Fact]
    public void A_NULL_token_runs_the_callers_own_token()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.True(t.Win32.CreateProcessAsUser(NtHandle.Null, "child.exe", null, false, out var info));
        Assert.Equal(KernelFixtures.Alice, system.FindProcess(info.ProcessId)!.PrimaryToken.Token.User.Sid);
    }

    [Fact]
    public void Another_users_token_needs_SeAssignPrimaryTokenPrivilege()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        Assert.True(bob.Threads[0].Win32.OpenProcessToken(NtHandle.CurrentProcess, Needed, out var bobToken));
        var given = KernelFixtures.Give(system, bob, bobToken, alice);
        var t = alice.Threads[0];
        int processes = system.Processes.Count;
        Assert.False(t.Win32.CreateProcessAsUser(given, "as-bob.exe", null, false, out _));
        Assert.Equal(1314, t.Win32.GetLastError());
        Assert.Equal(processes, system.Processes.Count);
        // A restricted version of Bob's token is Bob's, not Alice's own: still refused.
        Assert.True(t.Win32.CreateRestrictedToken(given, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, GroupAttributes.None)], out var bobRestricted));
        Assert.False(t.Win32.CreateProcessAsUser(bobRestricted, "as-bob.exe", null, false, out _));
        Assert.Equal(1314, t.Win32.GetLastError());

        var b = KernelFixtures.UserBuilder(Sid.Parse("S-1-5-80-9-9-9-9-9"), Sid.Parse("S-1-5-5-0-4000"), 0x4000).AddPrivilege("SeAssignPrimaryTokenPrivilege");
        var service = system.CreateProcess(b.Build(), "service.exe");
        var inService = KernelFixtures.Give(system, bob, bobToken, service);
        Assert.True(service.Threads[0].Win32.CreateProcessAsUser(inService, "as-bob.exe", null, false, out var info));
        Assert.Equal(KernelFixtures.Bob, system.FindProcess(info.ProcessId)!.PrimaryToken.Token.User.Sid);

        // Held but disabled: refused.
        Assert.True(service.Threads[0].Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.AdjustPrivileges, out var own));
        Assert.True(service.Threads[0].Win32.AdjustTokenPrivileges(own, true, null));
        Assert.False(service.Threads[0].Win32.CreateProcessAsUser(inService, "as-bob.exe", null, false, out _));
        Assert.Equal(1314, service.Threads[0].Win32.GetLastError());
    }

    [Fact]
    public void The_token_handle_needs_query_and_assign_primary_but_not_duplicate()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        foreach (uint access in new[] { TokenAccessRights.Query, TokenAccessRights.AssignPrimary, TokenAccessRights.Query | TokenAccessRights.Duplicate, TokenAccessRights.Duplicate | TokenAccessRights.AssignPrimary })
        {
            Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, access, out var h));
            Assert.False(t.Win32.CreateProcessAsUser(h, "child.exe", null, false, out _));
            Assert.Equal(5, t.Win32.GetLastError());
        }
        // Windows 7 and later (Wine's test_create_process_token): TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY is enough, for a
        // primary token and for an impersonation token.
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.AssignPrimary, out var enough));
        Assert.True(t.Win32.CreateProcessAsUser(enough, "child.exe", null, false, out _));
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var source));
        Assert.True(t.Win32.DuplicateTokenEx(source, TokenAccessRights.Query | TokenAccessRights.AssignPrimary, null, SecurityImpersonationLevel.Impersonation, TokenType.Impersonation, out var impersonation));
        Assert.True(t.Win32.CreateProcessAsUser(impersonation, "child.exe", null, false, out _));
        Assert.False(t.Win32.CreateProcessAsUser(NtHandle.CurrentThread, "child.exe", null, false, out _));
        Assert.Equal(6, t.Win32.GetLastError());
        Assert.False(t.Win32.CreateProcessAsUser(new NtHandle(0x4440), "child.exe", null, false, out _));
        Assert.Equal(6, t.Win32.GetLastError());
        // The native call needs only TOKEN_ASSIGN_PRIMARY on the handle.
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.AssignPrimary, out var assign));
        Assert.Equal(NtStatus.Success, t.Nt.NtCreateUserProcess(out _, out _, assign, "child.exe", null, false, out _));
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var query));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtCreateUserProcess(out _, out _, query, "child.exe", null, false, out _));
    }

    [Fact]
    public void Kernel_mode_may_assign_any_token()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        Assert.True(bob.Threads[0].Win32.OpenProcessToken(NtHandle.CurrentProcess, Needed, out var bobToken));
        var given = KernelFixtures.Give(system, bob, bobToken, alice);
        Assert.Equal(NtStatus.PrivilegeNotHeld, alice.Threads[0].Nt.NtCreateUserProcess(out _, out _, given, "as-bob.exe", null, false, out _));
        Assert.Equal(NtStatus.Success, alice.Threads[0].Zw.NtCreateUserProcess(out _, out _, given, "as-bob.exe", null, false, out var process));
        Assert.Equal(KernelFixtures.Bob, process!.PrimaryToken.Token.User.Sid);
    }

    [Fact]
    public void Inheritable_handles_are_copied_at_the_same_values_when_asked()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var plain));
        KernelFixtures.Check(t.Nt.NtOpenProcessTokenEx(NtHandle.CurrentProcess, TokenAccessRights.Query, HandleAttributes.Inherit, out var inheritable));
        Assert.True(t.Win32.CreateProcess("inherits.exe", null, true, out var info));
        var child = system.FindProcess(info.ProcessId)!;
        var handles = child.GetHandles();
        Assert.Contains(handles, e => e.Handle == inheritable && e.Entry.GrantedAccess == TokenAccessRights.Query);
        Assert.DoesNotContain(handles, e => e.Handle == plain);
        Assert.True(t.Win32.CreateProcess("no-inherit.exe", null, false, out var info2));
        Assert.Equal(0, system.FindProcess(info2.ProcessId)!.HandleTableCount);
        // The child's handle counts as a handle of the object.
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(inheritable, out var o));
        Assert.Equal(3, o.HandleCount);
    }
}
