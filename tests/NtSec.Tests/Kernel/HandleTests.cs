using global::NtSec;
using global::NtSec.Authorization;
using global::NtSec.Descriptors;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Sddl;
using global::NtSec.Tokens;
using global::NtSec.Win32;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>NtClose, NtSetInformationObject (handle flags), NtQueryObject and NtDuplicateObject.</summary>
public class HandleTests
{
    private const uint EventModifyState = 0x0002;
    private const uint EventAllAccess = 0x001F_0003;
    private const string EventName = @"\BaseNamedObjects\handles";

    /// <summary>An event Users may use fully, and Alice's thread with a SYNCHRONIZE handle to it.</summary>
    private static (EmulatedSystem System, ProcessObject Alice, ProcessObject Bob, NtHandle Event) WithEvent(string dacl = "(A;;0x1f0003;;;BU)")
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Event, EventName, SddlParser.Parse("O:SYG:SYD:" + dacl));
        KernelFixtures.Check(alice.Threads[0].Nt.NtOpenObject(new ObjectAttributes(EventName), AccessMask.Synchronize, out var h));
        return (system, alice, bob, h);
    }

    [Fact]
    public void NtClose_closes_once_and_the_value_is_then_invalid()
    {
        var (_, alice, _, h) = WithEvent();
        var nt = alice.Threads[0].Nt;
        int before = alice.HandleTableCount;
        Assert.Equal(NtStatus.Success, nt.NtClose(h));
        Assert.Equal(before - 1, alice.HandleTableCount);
        Assert.Equal(NtStatus.InvalidHandle, nt.NtClose(h));
        Assert.Equal(NtStatus.InvalidHandle, nt.NtQueryObject(h, out _));
    }

    [Fact]
    public void NtClose_refuses_null_unknown_and_pseudo_handles()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.InvalidHandle, nt.NtClose(NtHandle.Null));
        Assert.Equal(NtStatus.InvalidHandle, nt.NtClose(new NtHandle(0x1234)));
        foreach (var pseudo in new[] { NtHandle.CurrentProcess, NtHandle.CurrentThread, NtHandle.CurrentProcessToken, NtHandle.CurrentThreadToken, NtHandle.CurrentThreadEffectiveToken })
            Assert.Equal(NtStatus.InvalidHandle, nt.NtClose(pseudo));
        // Nothing was closed: the process still works through its pseudo-handle.
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(NtHandle.CurrentProcess, out var info));
        Assert.Equal("Process", info.TypeName);
    }

    [Fact]
    public void A_handle_protected_from_close_cannot_be_closed_until_the_flag_is_cleared()
    {
        var (_, alice, _, h) = WithEvent();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtSetHandleAttributes(h, HandleAttributes.ProtectFromClose));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(h, out var info));
        Assert.Equal(HandleAttributes.ProtectFromClose, info.Attributes);
        Assert.Equal(NtStatus.HandleNotClosable, nt.NtClose(h));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(h, out _));
        // CloseHandle reports it as ERROR_INVALID_HANDLE (RtlNtStatusToDosError of STATUS_HANDLE_NOT_CLOSABLE).
        Assert.False(alice.Threads[0].Win32.CloseHandle(h));
        Assert.Equal(6, alice.Threads[0].Win32.GetLastError());
        Assert.Equal(NtStatus.Success, nt.NtSetHandleAttributes(h, HandleAttributes.None));
        Assert.Equal(NtStatus.Success, nt.NtClose(h));
    }

    [Fact]
    public void Handle_attributes_keep_only_inherit_and_protect()
    {
        var (_, alice, _, h) = WithEvent();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtSetHandleAttributes(h, HandleAttributes.Inherit | HandleAttributes.OpenIf | HandleAttributes.KernelHandle));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(h, out var info));
        Assert.Equal(HandleAttributes.Inherit, info.Attributes);
        Assert.Equal(NtStatus.InvalidHandle, nt.NtSetHandleAttributes(NtHandle.CurrentProcess, HandleAttributes.Inherit));
        Assert.Equal(NtStatus.InvalidHandle, nt.NtSetHandleAttributes(NtHandle.Null, HandleAttributes.Inherit));
    }

    [Fact]
    public void NtQueryObject_counts_handles_and_references()
    {
        var (system, alice, _, h) = WithEvent();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(h, out var one));
        Assert.Equal(1, one.HandleCount);
        // The namespace keeps a permanent object alive: one reference more than the handles.
        Assert.Equal(2, one.PointerCount);
        Assert.Equal(AccessMask.Synchronize, one.GrantedAccess);
        Assert.Equal("Event", one.TypeName);
        Assert.Equal(EventName, one.Name);

        Assert.Equal(NtStatus.Success, nt.NtOpenObject(new ObjectAttributes(EventName), AccessMask.Synchronize, out var second));
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out var third, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(h, out var three));
        Assert.Equal(3, three.HandleCount);
        Assert.Equal(4, three.PointerCount);

        Assert.Equal(NtStatus.Success, nt.NtClose(second));
        Assert.Equal(NtStatus.Success, nt.NtClose(third));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(h, out var back));
        Assert.Equal((1, 2), (back.HandleCount, back.PointerCount));
        Assert.Equal(1, system.FindObject(EventName)!.HandleCount);
    }

    [Fact]
    public void NtQueryObject_needs_no_access_and_answers_for_pseudo_handles()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenThread(out var weak, ThreadAccessRights.QueryLimitedInformation, HandleAttributes.None, t.ThreadId));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(weak, out var info));
        Assert.Equal(ThreadAccessRights.QueryLimitedInformation, info.GrantedAccess);
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(NtHandle.CurrentThread, out info));
        Assert.Equal(("Thread", ThreadAccessRights.AllAccess), (info.TypeName, info.GrantedAccess));
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtQueryObject(NtHandle.CurrentSession, out _));
    }

    [Fact]
    public void Token_pseudo_handles_work_for_token_queries_only()
    {
        // GetCurrentProcessToken and friends "basically work only for GetTokenInformation"; they cannot be
        // duplicated (Microsoft's documentation), and CreateProcessAsUser refuses them with ERROR_INVALID_HANDLE.
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        foreach (var pseudo in new[] { NtHandle.CurrentProcessToken, NtHandle.CurrentThreadEffectiveToken })
        {
            Assert.Equal(NtStatus.Success, t.Nt.NtQueryInformationToken(pseudo, TokenInformationClass.TokenUser, out _));
            Assert.Equal(NtStatus.Success, t.Nt.NtQueryInformationToken(pseudo, TokenInformationClass.TokenSource, out _));
            Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtQueryObject(pseudo, out _));
            Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, pseudo, NtHandle.CurrentProcess, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
            Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtDuplicateToken(pseudo, 0, null, false, TokenType.Primary, out _));
            Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtAdjustPrivilegesToken(pseudo, true, null));
            Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, pseudo));
            Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtPrivilegeCheck(pseudo, [Privileges.ChangeNotify], true, out _));
        }
        Assert.Equal(NtStatus.NoToken, t.Nt.NtQueryInformationToken(NtHandle.CurrentThreadToken, TokenInformationClass.TokenUser, out _));
        Assert.False(t.Win32.CreateProcessAsUser(Win32Api.GetCurrentProcessToken(), "child.exe", null, false, out _));
        Assert.Equal(6, t.Win32.GetLastError());
        // GetTokenInformation-based functions take them.
        Assert.True(t.Win32.GetTokenInformation(Win32Api.GetCurrentThreadEffectiveToken(), TokenInformationClass.TokenType, out var type));
        Assert.Equal(TokenType.Primary, type);
    }

    [Fact]
    public void Duplicating_with_the_same_access_or_less_needs_no_check()
    {
        // The DACL lets nobody open the event any more; a copy of an existing handle is still allowed.
        var (system, alice, _, h) = WithEvent();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtOpenObject(new ObjectAttributes(EventName), EventAllAccess, out var full));
        KernelFixtures.Check(system.SystemProcess.Threads[0].Zw.NtOpenObject(new ObjectAttributes(EventName), AccessMask.WriteDac, out var k));
        KernelFixtures.Check(system.SystemProcess.Threads[0].Zw.NtSetSecurityObject(k, SecurityInformation.Dacl, SddlParser.Parse("D:")));

        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, full, NtHandle.CurrentProcess, out var same, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(same, out var info));
        Assert.Equal(EventAllAccess, info.GrantedAccess);
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, full, NtHandle.CurrentProcess, out var less, EventModifyState, HandleAttributes.None, DuplicateOptions.None));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(less, out info));
        Assert.Equal(EventModifyState, info.GrantedAccess);
        // More than the source handle has: now the empty DACL is consulted, and refuses.
        Assert.Equal(NtStatus.AccessDenied, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out var more, EventModifyState, HandleAttributes.None, DuplicateOptions.None));
        Assert.True(more.IsNull);
    }

    [Fact]
    public void Duplicating_with_more_access_is_checked_with_the_effective_token()
    {
        var (_, alice, _, h) = WithEvent();
        var t = alice.Threads[0];
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out var up, EventModifyState, HandleAttributes.None, DuplicateOptions.None));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(up, out var info));
        Assert.Equal(EventModifyState, info.GrantedAccess);

        // Impersonating a copy of the same token in which Users is deny-only (tok-54).
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var own));
        Assert.True(t.Win32.CreateRestrictedToken(own, FilterTokenFlags.None, [new SidAndAttributes(WellKnownSids.BuiltinUsers, GroupAttributes.None)], null, null, out var denyOnly));
        Assert.True(t.Win32.ImpersonateLoggedOnUser(denyOnly));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out _, EventModifyState, HandleAttributes.None, DuplicateOptions.None));
        // MAXIMUM_ALLOWED is a check too: the deny-only token gets nothing.
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out _, AccessMask.MaximumAllowed, HandleAttributes.None, DuplicateOptions.None));
        // Keeping the access it has is not.
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
    }

    [Fact]
    public void Into_another_process_more_access_is_checked_with_the_target_process_token_not_the_caller_primary()
    {
        // Bob may use the event; Alice may only wait on it.
        var (system, alice, bob, h) = WithEvent($"(A;;0x1f0003;;;{KernelFixtures.Bob})(A;;0x100000;;;{KernelFixtures.Alice})");
        var t = alice.Threads[0];
        KernelFixtures.Check(system.SystemProcess.Threads[0].Nt.NtOpenProcess(out var brokerBob, ProcessAccessRights.DupHandle, HandleAttributes.None, bob.ProcessId));
        var bobProcess = KernelFixtures.Give(system, system.SystemProcess, brokerBob, alice);

        // Alice cannot raise her own handle, but the copy made for Bob is checked against Bob's token.
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out _, EventModifyState, HandleAttributes.None, DuplicateOptions.None));
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, h, bobProcess, out var inBob, EventModifyState, HandleAttributes.None, DuplicateOptions.None));
        var entry = bob.GetHandles().Single(e => e.Handle == inBob).Entry;
        Assert.Equal(EventModifyState, entry.GrantedAccess);
        Assert.Equal(EventName, entry.Object.Name);

        // Impersonating, the thread's token decides even for another process: Alice's own token is refused.
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, h, bobProcess, out _, EventModifyState, HandleAttributes.None, DuplicateOptions.None));
    }

    [Fact]
    public void Into_another_process_a_target_token_without_access_is_refused()
    {
        var (system, alice, bob, h) = WithEvent($"(A;;0x1f0003;;;{KernelFixtures.Alice})");
        KernelFixtures.Check(system.SystemProcess.Threads[0].Nt.NtOpenProcess(out var brokerBob, ProcessAccessRights.DupHandle, HandleAttributes.None, bob.ProcessId));
        var bobProcess = KernelFixtures.Give(system, system.SystemProcess, brokerBob, alice);
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.AccessDenied, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, bobProcess, out _, EventModifyState, HandleAttributes.None, DuplicateOptions.None));
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, bobProcess, out var same, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.Equal(AccessMask.Synchronize, bob.GetHandles().Single(e => e.Handle == same).Entry.GrantedAccess);
    }

    [Fact]
    public void Close_source_closes_the_source_even_when_the_duplication_fails()
    {
        var (_, alice, _, h) = WithEvent("(A;;0x100000;;;BU)");
        var nt = alice.Threads[0].Nt;
        int before = alice.HandleTableCount;
        Assert.Equal(NtStatus.AccessDenied, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out var copy, EventModifyState, HandleAttributes.None, DuplicateOptions.CloseSource));
        Assert.True(copy.IsNull);
        Assert.Equal(before - 1, alice.HandleTableCount);
        Assert.Equal(NtStatus.InvalidHandle, nt.NtClose(h));

        // A bad target process handle: the same.
        Assert.Equal(NtStatus.Success, nt.NtOpenObject(new ObjectAttributes(EventName), AccessMask.Synchronize, out h));
        Assert.Equal(NtStatus.InvalidHandle, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, new NtHandle(0x7770), out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess | DuplicateOptions.CloseSource));
        Assert.Equal(NtStatus.InvalidHandle, nt.NtClose(h));
    }

    [Fact]
    public void Close_source_with_no_target_just_closes_and_a_successful_move_keeps_the_access()
    {
        var (_, alice, _, h) = WithEvent();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out var moved, 0, HandleAttributes.None, DuplicateOptions.SameAccess | DuplicateOptions.CloseSource));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(moved, out var info));
        Assert.Equal((1, AccessMask.Synchronize), (info.HandleCount, info.GrantedAccess));
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, moved, NtHandle.Null, out var none, 0, HandleAttributes.None, DuplicateOptions.CloseSource));
        Assert.True(none.IsNull);
        Assert.Equal(NtStatus.InvalidHandle, nt.NtQueryObject(moved, out _));
    }

    [Fact]
    public void Duplicate_needs_PROCESS_DUP_HANDLE_on_both_processes()
    {
        var (system, alice, bob, h) = WithEvent();
        var nt = alice.Threads[0].Nt;
        KernelFixtures.Check(system.SystemProcess.Threads[0].Nt.NtOpenProcess(out var brokerBob, ProcessAccessRights.QueryInformation, HandleAttributes.None, bob.ProcessId));
        var weakBob = KernelFixtures.Give(system, system.SystemProcess, brokerBob, alice);
        Assert.Equal(NtStatus.AccessDenied, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, weakBob, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.Equal(NtStatus.AccessDenied, nt.NtDuplicateObject(weakBob, h, NtHandle.CurrentProcess, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.Equal(NtStatus.ObjectTypeMismatch, nt.NtDuplicateObject(h, h, NtHandle.CurrentProcess, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.Equal(NtStatus.InvalidHandle, nt.NtDuplicateObject(NtHandle.CurrentProcess, new NtHandle(0x9990), NtHandle.CurrentProcess, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
    }

    [Fact]
    public void A_pseudo_handle_duplicates_into_a_real_handle()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, NtHandle.CurrentProcess, NtHandle.CurrentProcess, out var real, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.False(real.IsPseudo);
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(real, out var info));
        Assert.Equal(("Process", ProcessAccessRights.AllAccess), (info.TypeName, info.GrantedAccess));
        Assert.Same(alice, alice.GetHandles().Single(e => e.Handle == real).Entry.Object);
        // DUPLICATE_CLOSE_SOURCE on a pseudo-handle closes nothing.
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, NtHandle.CurrentThread, NtHandle.CurrentProcess, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess | DuplicateOptions.CloseSource));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(NtHandle.CurrentThread, out _));
    }

    [Fact]
    public void Same_attributes_copies_the_source_flags_otherwise_the_given_ones_apply()
    {
        var (_, alice, _, h) = WithEvent();
        var nt = alice.Threads[0].Nt;
        KernelFixtures.Check(nt.NtSetHandleAttributes(h, HandleAttributes.Inherit));
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out var same, 0, HandleAttributes.None, DuplicateOptions.SameAccess | DuplicateOptions.SameAttributes));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(same, out var info));
        Assert.Equal(HandleAttributes.Inherit, info.Attributes);
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out var plain, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(plain, out info));
        Assert.Equal(HandleAttributes.None, info.Attributes);
        Assert.Equal(NtStatus.InvalidParameter, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out _, 0, (HandleAttributes)0x8000_0000, DuplicateOptions.SameAccess));
    }

    [Fact]
    public void Kernel_mode_skips_checks_and_owns_kernel_handles_user_mode_cannot_touch()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        var t = bob.Threads[0];
        // From user mode Bob may not open Alice's process.
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenProcess(out _, ProcessAccessRights.AllAccess, HandleAttributes.None, alice.ProcessId));
        // From kernel mode the same open succeeds without a check, and OBJ_KERNEL_HANDLE puts the handle in the kernel's table.
        int bobHandles = bob.HandleTableCount;
        Assert.Equal(NtStatus.Success, t.Zw.NtOpenProcess(out var kernel, ProcessAccessRights.AllAccess, HandleAttributes.KernelHandle, alice.ProcessId));
        Assert.True(kernel.IsKernelHandle);
        Assert.Equal(bobHandles, bob.HandleTableCount);
        Assert.Equal(1, system.KernelHandleCount);

        // User mode cannot use, query or close a kernel handle.
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtQueryObject(kernel, out _));
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtOpenProcessToken(kernel, TokenAccessRights.Query, out _));
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtClose(kernel));
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, kernel, NtHandle.CurrentProcess, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));

        // Kernel mode can, from any thread, and skips the access check on the token too.
        Assert.Equal(NtStatus.Success, alice.Threads[0].Zw.NtQueryObject(kernel, out var info));
        Assert.Equal(ProcessAccessRights.AllAccess, info.GrantedAccess);
        Assert.Equal(NtStatus.Success, t.Zw.NtOpenProcessToken(kernel, TokenAccessRights.AllAccess, out var aliceToken));
        Assert.False(aliceToken.IsKernelHandle);
        Assert.Equal(NtStatus.Success, t.Zw.NtClose(kernel));
        Assert.Equal(0, system.KernelHandleCount);
    }

    [Fact]
    public void A_user_mode_request_for_a_kernel_handle_gets_an_ordinary_handle()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenThread(out var h, ThreadAccessRights.QueryLimitedInformation, HandleAttributes.KernelHandle, t.ThreadId));
        Assert.False(h.IsKernelHandle);
        Assert.Equal(0, system.KernelHandleCount);
        Assert.Equal(NtStatus.Success, t.Nt.NtClose(h));
    }

    [Fact]
    public void Force_access_check_makes_kernel_mode_check()
    {
        var (_, alice, bob) = KernelFixtures.Machine();
        var zw = bob.Threads[0].Zw;
        Assert.Equal(NtStatus.AccessDenied, zw.NtOpenProcess(out _, ProcessAccessRights.Terminate, HandleAttributes.ForceAccessCheck, alice.ProcessId));
        Assert.Equal(NtStatus.Success, zw.NtOpenProcess(out _, ProcessAccessRights.Terminate, HandleAttributes.None, alice.ProcessId));
    }

    [Fact]
    public void Closing_the_last_handle_frees_an_unnamed_object()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var nt = alice.Threads[0].Nt;
        int before = system.LiveObjectCount;
        Assert.Equal(NtStatus.Success, nt.NtCreateObject(ObjectTypes.Event, new ObjectAttributes(), EventAllAccess, out var h));
        Assert.Equal(before + 1, system.LiveObjectCount);
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out var copy, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.Equal(NtStatus.Success, nt.NtClose(h));
        Assert.Equal(before + 1, system.LiveObjectCount);
        Assert.Equal(NtStatus.Success, nt.NtClose(copy));
        Assert.Equal(before, system.LiveObjectCount);
    }
}
