using System.Runtime.CompilerServices;
using global::NtSec;
using global::NtSec.Authorization;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Sddl;
using global::NtSec.Tokens;
using global::NtSec.Win32;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>
/// The advapi32/kernel32 layer: each function returns BOOL (or a handle, NULL on failure), sets the calling
/// thread's last error from the NTSTATUS on failure (RtlNtStatusToDosError), and leaves it alone on success unless
/// the function is documented to set it.
/// </summary>
public class Win32ApiTests
{
    private const int Untouched = 0x4242;

    private static ThreadObject Alice()
    {
        var t = KernelFixtures.Machine().Alice.Threads[0];
        t.Win32.SetLastError(Untouched);
        return t;
    }

    [Fact]
    public void The_last_error_belongs_to_the_thread()
    {
        var (_, alice, bob) = KernelFixtures.Machine();
        alice.Threads[0].Win32.SetLastError(5);
        bob.Threads[0].Win32.SetLastError(6);
        Assert.Equal(5, alice.Threads[0].Win32.GetLastError());
        Assert.Equal(6, bob.Threads[0].LastError);
        Assert.False(alice.Threads[0].Win32.CloseHandle(new NtHandle(0x1110)));
        Assert.Equal(6, alice.Threads[0].Win32.GetLastError());
        Assert.Equal(6, bob.Threads[0].Win32.GetLastError());
    }

    [Fact]
    public void Pseudo_handles_have_Windows_values()
    {
        Assert.Equal(-1, Win32Api.GetCurrentProcess().Value);
        Assert.Equal(-2, Win32Api.GetCurrentThread().Value);
        Assert.Equal(-4, Win32Api.GetCurrentProcessToken().Value);
        Assert.Equal(-5, Win32Api.GetCurrentThreadToken().Value);
        Assert.Equal(-6, Win32Api.GetCurrentThreadEffectiveToken().Value);
    }

    [Fact]
    public void CloseHandle_succeeds_on_an_open_handle_and_a_pseudo_handle_and_fails_on_anything_else()
    {
        var t = Alice();
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var h));
        Assert.True(t.Win32.CloseHandle(h));
        Assert.Equal(Untouched, t.Win32.GetLastError());
        Assert.False(t.Win32.CloseHandle(h));
        Assert.Equal(Win32Error.InvalidHandle, t.Win32.GetLastError());
        // "Calling the CloseHandle function with a pseudo handle has no effect."
        Assert.True(t.Win32.CloseHandle(Win32Api.GetCurrentProcess()));
        Assert.True(t.Win32.OpenProcessToken(Win32Api.GetCurrentProcess(), TokenAccessRights.Query, out _));
    }

    [Fact]
    public void DuplicateHandle_returns_FALSE_with_the_reason()
    {
        var t = Alice();
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var h));
        Assert.True(t.Win32.DuplicateHandle(NtHandle.CurrentProcess, h, NtHandle.CurrentProcess, out var copy, 0, true, DuplicateOptions.SameAccess));
        Assert.Equal(Untouched, t.Win32.GetLastError());
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(copy, out var info));
        Assert.Equal((HandleAttributes.Inherit, TokenAccessRights.Query), (info.Attributes, info.GrantedAccess));
        Assert.False(t.Win32.DuplicateHandle(NtHandle.CurrentProcess, new NtHandle(0x3330), NtHandle.CurrentProcess, out var none, 0, false, DuplicateOptions.SameAccess));
        Assert.Equal(Win32Error.InvalidHandle, t.Win32.GetLastError());
        Assert.True(none.IsNull);
    }

    [Fact]
    public void OpenProcess_and_OpenThread_return_NULL_with_the_reason()
    {
        var (_, alice, bob) = KernelFixtures.Machine();
        var w = bob.Threads[0].Win32;
        Assert.True(w.OpenProcess(ProcessAccessRights.QueryLimitedInformation, false, alice.ProcessId).IsNull);
        Assert.Equal(5, w.GetLastError());
        Assert.True(w.OpenThread(ThreadAccessRights.QueryLimitedInformation, false, alice.Threads[0].ThreadId).IsNull);
        Assert.Equal(5, w.GetLastError());
        Assert.True(w.OpenProcess(ProcessAccessRights.QueryLimitedInformation, false, 0x7FF0).IsNull);
        Assert.Equal(Win32Error.InvalidParameter, w.GetLastError());
        var own = w.OpenProcess(ProcessAccessRights.QueryLimitedInformation, true, bob.ProcessId);
        Assert.False(own.IsNull);
        Assert.Equal(NtStatus.Success, bob.Threads[0].Nt.NtQueryObject(own, out var info));
        Assert.Equal(HandleAttributes.Inherit, info.Attributes);
        Assert.False(w.OpenThread(ThreadAccessRights.QueryLimitedInformation, false, bob.Threads[0].ThreadId).IsNull);
    }

    [Fact]
    public void OpenProcessToken_and_OpenThreadToken_report_the_reasons_of_the_native_calls()
    {
        var t = Alice();
        var terminate = t.Win32.OpenProcess(ProcessAccessRights.Terminate, false, t.Process.ProcessId);
        Assert.False(t.Win32.OpenProcessToken(terminate, TokenAccessRights.Query, out var none));
        Assert.Equal(5, t.Win32.GetLastError());
        Assert.True(none.IsNull);
        Assert.False(t.Win32.OpenThreadToken(Win32Api.GetCurrentThread(), TokenAccessRights.Query, true, out _));
        Assert.Equal(1008, t.Win32.GetLastError());
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Identification));
        Assert.False(t.Win32.OpenThreadToken(Win32Api.GetCurrentThread(), TokenAccessRights.Query, false, out _));
        Assert.Equal(1346, t.Win32.GetLastError());
        t.Win32.SetLastError(Untouched);
        Assert.True(t.Win32.OpenThreadToken(Win32Api.GetCurrentThread(), TokenAccessRights.Query, true, out _));
        Assert.Equal(Untouched, t.Win32.GetLastError());
    }

    [Fact]
    public void DuplicateToken_and_DuplicateTokenEx()
    {
        var t = Alice();
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var queryOnly));
        Assert.False(t.Win32.DuplicateToken(queryOnly, SecurityImpersonationLevel.Impersonation, out var none));
        Assert.Equal(5, t.Win32.GetLastError());
        Assert.True(none.IsNull);
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var dup));
        Assert.True(t.Win32.DuplicateToken(dup, SecurityImpersonationLevel.Delegation, out var copy));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(copy, out var info));
        Assert.Equal(TokenAccessRights.Impersonate | TokenAccessRights.Query, info.GrantedAccess);
        Assert.True(t.Win32.GetTokenInformation<SecurityImpersonationLevel>(copy, TokenInformationClass.TokenImpersonationLevel, out var level));
        Assert.Equal(SecurityImpersonationLevel.Delegation, level);
        // The descriptor given to DuplicateTokenEx becomes the new token's.
        Assert.True(t.Win32.DuplicateTokenEx(dup, TokenAccessRights.Query, SddlParser.Parse("D:(A;;GA;;;SY)"), SecurityImpersonationLevel.Identification, TokenType.Impersonation, out var locked));
        var lockedObject = t.Process.GetHandles().Single(e => e.Handle == locked).Entry.Object;
        Assert.Equal(WellKnownSids.LocalSystem, lockedObject.SecurityDescriptor.Dacl!.Aces.Single().Sid);
        Assert.False(t.Win32.DuplicateTokenEx(locked, 0, null, SecurityImpersonationLevel.Identification, TokenType.Impersonation, out _));
        Assert.Equal(5, t.Win32.GetLastError());
    }

    [Fact]
    public void CreateRestrictedToken_and_IsTokenRestricted()
    {
        var t = Alice();
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var h));
        Assert.False(t.Win32.CreateRestrictedToken(h, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, GroupAttributes.Enabled)], out var none));
        Assert.Equal(Win32Error.InvalidParameter, t.Win32.GetLastError());
        Assert.True(none.IsNull);
        Assert.True(t.Win32.CreateRestrictedToken(h, FilterTokenFlags.WriteRestricted, null, null, [new SidAndAttributes(WellKnownSids.WriteRestricted, GroupAttributes.None)], out var restricted));
        Assert.True(t.Win32.IsTokenRestricted(restricted));
        // FALSE is also what a failure returns: the last error tells them apart.
        Assert.False(t.Win32.IsTokenRestricted(h));
        Assert.Equal(Win32Error.Success, t.Win32.GetLastError());
        Assert.False(t.Win32.IsTokenRestricted(new NtHandle(0x5550)));
        Assert.Equal(Win32Error.InvalidHandle, t.Win32.GetLastError());
    }

    [Fact]
    public void ImpersonateLoggedOnUser_takes_primary_and_impersonation_tokens()
    {
        var t = Alice();
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var primary));
        Assert.True(t.Win32.ImpersonateLoggedOnUser(primary));
        Assert.Equal((TokenType.Impersonation, SecurityImpersonationLevel.Impersonation), (t.ImpersonationToken!.Token.Type, t.ImpersonationToken.Token.ImpersonationLevel));
        Assert.True(t.Win32.RevertToSelf());
        Assert.Null(t.ImpersonationToken);
        Assert.True(t.Win32.DuplicateTokenEx(primary, TokenAccessRights.Query | TokenAccessRights.Impersonate, null, SecurityImpersonationLevel.Identification, TokenType.Impersonation, out var ident));
        Assert.True(t.Win32.ImpersonateLoggedOnUser(ident));
        Assert.Equal(SecurityImpersonationLevel.Identification, t.ImpersonationToken!.Token.ImpersonationLevel);
        Assert.True(t.Win32.RevertToSelf());

        // A primary token handle without TOKEN_DUPLICATE, or any handle without TOKEN_QUERY, is refused.
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var queryOnly));
        Assert.False(t.Win32.ImpersonateLoggedOnUser(queryOnly));
        Assert.Equal(5, t.Win32.GetLastError());
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var dupOnly));
        Assert.False(t.Win32.ImpersonateLoggedOnUser(dupOnly));
        Assert.Equal(5, t.Win32.GetLastError());
        Assert.Null(t.ImpersonationToken);
    }

    [Fact]
    public void ImpersonateSelf_SetThreadToken_and_RevertToSelf()
    {
        var t = Alice();
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation));
        Assert.Equal(KernelFixtures.Alice, t.ImpersonationToken!.Token.User.Sid);
        Assert.True(t.Win32.OpenThreadToken(Win32Api.GetCurrentThread(), TokenAccessRights.Impersonate | TokenAccessRights.Query, true, out var token));
        Assert.True(t.Win32.RevertToSelf());
        Assert.True(t.Win32.SetThreadToken(null, token));
        Assert.NotNull(t.ImpersonationToken);
        Assert.True(t.Win32.SetThreadToken(null, NtHandle.Null));
        Assert.Null(t.ImpersonationToken);
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Impersonate, out var primary));
        Assert.False(t.Win32.SetThreadToken(Win32Api.GetCurrentThread(), primary));
        Assert.Equal(1349, t.Win32.GetLastError());

        // ImpersonateSelf while impersonating at Identification: the process token cannot be opened as that client.
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Identification));
        Assert.False(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation));
        Assert.Equal(1346, t.Win32.GetLastError());
    }

    [Fact]
    public void GetTokenInformation_untyped_and_typed()
    {
        var t = Alice();
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var h));
        Assert.True(t.Win32.GetTokenInformation(h, TokenInformationClass.TokenType, out var type));
        Assert.Equal(TokenType.Primary, type);
        Assert.False(t.Win32.GetTokenInformation(h, TokenInformationClass.TokenImpersonationLevel, out _));
        Assert.Equal(Win32Error.InvalidParameter, t.Win32.GetLastError());
        Assert.False(t.Win32.GetTokenInformation(h, TokenInformationClass.TokenSource, out _));
        Assert.Equal(5, t.Win32.GetLastError());
        // The typed form refuses a type the class does not give.
        t.Win32.SetLastError(Untouched);
        Assert.False(t.Win32.GetTokenInformation<Sid>(h, TokenInformationClass.TokenUser, out _));
        Assert.Equal(Win32Error.InvalidParameter, t.Win32.GetLastError());
        Assert.True(t.Win32.GetTokenInformation<SidAndAttributes>(h, TokenInformationClass.TokenUser, out var user));
        Assert.Equal(KernelFixtures.Alice, user.Sid);
        // A null value of a reference type is a success.
        Assert.True(t.Win32.GetTokenInformation<Sid?>(h, TokenInformationClass.TokenAppContainerSid, out var package));
        Assert.Null(package);
    }

    [Fact]
    public void CheckTokenMembership_with_NULL_and_with_a_token()
    {
        var t = Alice();
        Assert.True(t.Win32.CheckTokenMembership(NtHandle.Null, WellKnownSids.BuiltinUsers, out bool member));
        Assert.True(member);
        Assert.True(t.Win32.CheckTokenMembership(NtHandle.Null, WellKnownSids.BuiltinAdministrators, out member));
        Assert.False(member);
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var primary));
        Assert.False(t.Win32.CheckTokenMembership(primary, WellKnownSids.BuiltinUsers, out member));
        Assert.Equal(1309, t.Win32.GetLastError());
        Assert.False(member);
        Assert.True(t.Win32.DuplicateTokenEx(primary, TokenAccessRights.Query, null, SecurityImpersonationLevel.Anonymous, TokenType.Impersonation, out var anonymous));
        Assert.False(t.Win32.CheckTokenMembership(anonymous, WellKnownSids.BuiltinUsers, out _));
        Assert.Equal(1346, t.Win32.GetLastError());
        Assert.True(t.Win32.DuplicateTokenEx(primary, TokenAccessRights.Impersonate, null, SecurityImpersonationLevel.Identification, TokenType.Impersonation, out var noQuery));
        Assert.False(t.Win32.CheckTokenMembership(noQuery, WellKnownSids.BuiltinUsers, out _));
        Assert.Equal(5, t.Win32.GetLastError());
        Assert.True(t.Win32.DuplicateTokenEx(primary, TokenAccessRights.Query, null, SecurityImpersonationLevel.Identification, TokenType.Impersonation, out var ident));
        Assert.True(t.Win32.CheckTokenMembership(ident, WellKnownSids.BuiltinUsers, out member));
        Assert.True(member);
        // NULL while impersonating means the impersonation token.
        Assert.True(t.Win32.CreateRestrictedToken(primary, FilterTokenFlags.None, [new SidAndAttributes(WellKnownSids.BuiltinUsers, GroupAttributes.None)], null, null, out var denyOnly));
        Assert.True(t.Win32.ImpersonateLoggedOnUser(denyOnly));
        Assert.True(t.Win32.CheckTokenMembership(NtHandle.Null, WellKnownSids.BuiltinUsers, out member));
        Assert.False(member);
    }

    [Fact]
    public void AccessCheck_and_PrivilegeCheck()
    {
        var t = Alice();
        var sd = SddlParser.Parse("O:BAG:BAD:(A;;KR;;;BU)");
        var key = ObjectTypes.Key.GenericMapping;
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var primary));
        Assert.False(t.Win32.AccessCheck(sd, primary, 0x20019, key, out _, out _));
        Assert.Equal(1309, t.Win32.GetLastError());
        // PrivilegeCheck, unlike AccessCheck, takes a primary token.
        Assert.True(t.Win32.PrivilegeCheck(primary, [Privileges.ChangeNotify], true, out bool enabled));
        Assert.True(enabled);
        Assert.True(t.Win32.DuplicateTokenEx(primary, TokenAccessRights.Query, null, SecurityImpersonationLevel.Anonymous, TokenType.Impersonation, out var anonymous));
        Assert.False(t.Win32.PrivilegeCheck(anonymous, [Privileges.ChangeNotify], true, out _));
        Assert.Equal(1346, t.Win32.GetLastError());
        Assert.True(t.Win32.DuplicateTokenEx(primary, TokenAccessRights.Query, null, SecurityImpersonationLevel.Identification, TokenType.Impersonation, out var client));
        t.Win32.SetLastError(Untouched);
        Assert.True(t.Win32.AccessCheck(sd, client, 0x20019, key, out uint granted, out bool ok));
        Assert.True(ok);
        Assert.Equal(0x20019u, granted);
        Assert.Equal(Untouched, t.Win32.GetLastError());
        Assert.False(t.Win32.AccessCheck(sd, client, AccessMask.GenericWrite, key, out _, out _));
        Assert.Equal(1360, t.Win32.GetLastError());
        Assert.True(t.Win32.AccessCheck(sd, client, AccessMask.AccessSystemSecurity, key, out _, out ok));
        Assert.False(ok);
        Assert.Equal(1314, t.Win32.GetLastError());
        // The pointer form sets ERROR_SUCCESS when access is granted, as advapi32's AccessCheck does.
        Assert.True(t.Win32.AccessCheck(sd, client, 0x20019, key, new PrivilegeSetBuffer(), new StrongBox<int>(PrivilegeSetBuffer.MinimumLength), out _, out ok));
        Assert.True(ok);
        Assert.Equal(Win32Error.Success, t.Win32.GetLastError());
        Assert.True(t.Win32.PrivilegeCheck(client, [Privileges.ChangeNotify], true, out bool held));
        Assert.True(held);
    }

    [Fact]
    public void CreateProcess_runs_the_callers_token()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        t.Win32.SetLastError(Untouched);
        Assert.True(t.Win32.CreateProcess("child.exe", null, false, out var info));
        Assert.Equal(Untouched, t.Win32.GetLastError());
        var child = system.FindProcess(info.ProcessId)!;
        Assert.Equal(alice.PrimaryToken.Token.User, child.PrimaryToken.Token.User);
        Assert.NotEqual(alice.PrimaryToken.Token.TokenId, child.PrimaryToken.Token.TokenId);
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(info.Thread, out var thread));
        Assert.Equal(ThreadAccessRights.AllAccess, thread.GrantedAccess);
        // A thread of a process that has exited makes no more calls.
        var childThread = child.Threads[0];
        system.TerminateProcess(child, NtStatus.Success);
        Assert.False(childThread.Win32.CreateProcess("grandchild.exe", null, false, out var none));
        Assert.Equal(5, childThread.Win32.GetLastError());
        Assert.True(none.Process.IsNull);
    }
}
