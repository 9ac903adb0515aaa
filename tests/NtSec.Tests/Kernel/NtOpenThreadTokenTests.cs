using NtSec.Win32;
using global::NtSec;
using global::NtSec.Kernel;
using global::NtSec.Tokens;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>Every outcome of NtOpenThreadToken the seed document lists, on the emulated kernel.</summary>
public class NtOpenThreadTokenTests
{
    [Fact]
    public void A_thread_that_is_not_impersonating_has_no_token()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.NoToken, nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out var h));
        Assert.True(h.IsNull);
        // The status comes before any access check: asking for nothing learns it too.
        Assert.Equal(NtStatus.NoToken, nt.NtOpenThreadToken(NtHandle.CurrentThread, 0, false, out _));
    }

    [Fact]
    public void An_anonymous_level_token_cannot_be_opened()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Anonymous));
        Assert.Equal(NtStatus.CantOpenAnonymous, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out _));
        Assert.False(t.Win32.OpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out _));
        Assert.Equal(1347, t.Win32.GetLastError());
    }

    [Fact]
    public void An_identification_level_client_needs_OpenAsSelf()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Identification));
        Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, false, out _));
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out var h));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryInformationToken(h, TokenInformationClass.TokenImpersonationLevel, out var level));
        Assert.Equal(SecurityImpersonationLevel.Identification, level);
        Assert.Equal(NtStatus.Success, t.Nt.NtClose(h));
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtClose(h));
    }

    [Fact]
    public void Handle_errors_come_first()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.InvalidHandle, nt.NtOpenThreadToken(NtHandle.Null, TokenAccessRights.Query, false, out _));
        Assert.Equal(NtStatus.InvalidHandle, nt.NtOpenThreadToken(new NtHandle(0x400), TokenAccessRights.Query, false, out _));
        Assert.Equal(NtStatus.ObjectTypeMismatch, nt.NtOpenThreadToken(NtHandle.CurrentProcess, TokenAccessRights.Query, false, out _));
        Assert.Equal(NtStatus.Success, nt.NtOpenThread(out var weak, ThreadAccessRights.Terminate, HandleAttributes.None, alice.Threads[0].ThreadId));
        Assert.Equal(NtStatus.AccessDenied, nt.NtOpenThreadToken(weak, TokenAccessRights.Query, false, out _));
        Assert.Equal(NtStatus.Success, nt.NtOpenThread(out var limited, ThreadAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.Threads[0].ThreadId));
        Assert.Equal(NtStatus.NoToken, nt.NtOpenThreadToken(limited, TokenAccessRights.Query, false, out _));
    }

    [Fact]
    public void OpenAsSelf_decides_whose_token_the_access_check_uses()
    {
        // A service holding SeImpersonatePrivilege impersonates Bob at SecurityImpersonation. The token object was
        // made by Bob's process, so its DACL is Bob's default DACL: Bob may open it, the service may not.
        var (system, _, bob) = KernelFixtures.Machine();
        var service = system.CreateProcess(KernelFixtures.ServiceToken(global::NtSec.Principals.Sid.Parse("S-1-5-80-1-2-3-4-5"), 0x3003), "service.exe");
        var b = bob.Threads[0];
        Assert.True(b.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var bobPrimary));
        Assert.True(b.Win32.DuplicateToken(bobPrimary, SecurityImpersonationLevel.Impersonation, out var bobToken));
        var given = KernelFixtures.Give(system, bob, bobToken, service);
        var t = service.Threads[0];
        Assert.True(t.Win32.SetThreadToken(null, given));
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, false, out var asClient));
        Assert.False(asClient.IsNull);
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out var asSelf));
        Assert.True(asSelf.IsNull);
    }

    [Fact]
    public void Another_threads_token_needs_THREAD_QUERY_LIMITED_INFORMATION_on_that_thread()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.Equal(NtStatus.Success, t.Nt.NtCreateThread(out var worker, ThreadAccessRights.SetThreadToken | ThreadAccessRights.QueryLimitedInformation, NtHandle.CurrentProcess, out var second));
        Assert.True(second!.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation));
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenThreadTokenEx(worker, TokenAccessRights.Query, false, HandleAttributes.Inherit, out var h));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(h, out var info));
        Assert.Equal(HandleAttributes.Inherit, info.Attributes);
        Assert.Same(second!.ImpersonationToken, alice.GetHandles().Single(e => e.Handle == h).Entry.Object);
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtOpenThreadTokenEx(worker, TokenAccessRights.Query, false, (HandleAttributes)0x8000, out _));
        // The calling thread itself is not impersonating.
        Assert.Equal(NtStatus.NoToken, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, false, out _));
    }

    [Fact]
    public void Objects_are_freed_when_the_last_reference_goes()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        int before = system.LiveObjectCount;
        var t = alice.Threads[0];
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation));
        Assert.True(t.Win32.OpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, false, out var h));
        Assert.True(t.Win32.RevertToSelf());
        Assert.Equal(before + 1, system.LiveObjectCount);
        Assert.True(t.Win32.CloseHandle(h));
        Assert.Equal(before, system.LiveObjectCount);
        system.TerminateProcess(alice, NtStatus.Success);
        system.TerminateProcess(bob, NtStatus.Success);
        Assert.True(alice.IsDeleted);
    }
}
