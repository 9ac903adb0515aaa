using global::NtSec;
using global::NtSec.Acls;
using global::NtSec.Authorization;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Tokens;

namespace NtSec.Tests.Kernel;

/// <summary>Users, tokens and a machine for the kernel tests.</summary>
internal static class KernelFixtures
{
    public static readonly Sid Domain = Sid.Parse("S-1-5-21-1111-2222-3333");
    public static readonly Sid Alice = Domain.Append(1001);
    public static readonly Sid Bob = Domain.Append(1002);
    public static readonly Sid DomainUsers = Domain.Append(513);
    public static readonly Sid AliceLogon = Sid.Parse("S-1-5-5-0-1001");
    public static readonly Sid BobLogon = Sid.Parse("S-1-5-5-0-1002");

    /// <summary>An interactive user's primary token at Medium, with Windows' usual default DACL.</summary>
    public static TokenBuilder UserBuilder(Sid user, Sid logon, uint logonId)
    {
        var b = new TokenBuilder(user)
            .AddGroup(DomainUsers)
            .AddGroup(WellKnownSids.World)
            .AddGroup(WellKnownSids.BuiltinUsers)
            .AddGroup(WellKnownSids.Interactive)
            .AddGroup(WellKnownSids.AuthenticatedUsers)
            .AddGroup(logon, GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled | GroupAttributes.LogonId)
            .AddPrivilege("SeChangeNotifyPrivilege")
            .AddPrivilege("SeShutdownPrivilege", PrivilegeAttributes.None)
            .AddPrivilege("SeUndockPrivilege", PrivilegeAttributes.None);
        b.Type = TokenType.Primary;
        b.PrimaryGroup = DomainUsers;
        b.AuthenticationId = new Luid(logonId, 0);
        b.DefaultDacl = new Acl([
            Ace.Allow(user, AccessMask.GenericAll),
            Ace.Allow(WellKnownSids.LocalSystem, AccessMask.GenericAll),
            Ace.Allow(logon, AccessMask.GenericRead | AccessMask.GenericExecute),
        ]);
        return b;
    }

    public static Token AliceToken() => UserBuilder(Alice, AliceLogon, 0x1001).Build();

    public static Token BobToken() => UserBuilder(Bob, BobLogon, 0x1002).Build();

    /// <summary>A service's token: LocalService-like, holding SeImpersonatePrivilege (enabled) as service accounts do.</summary>
    public static Token ServiceToken(Sid user, uint logonId)
    {
        var b = UserBuilder(user, Sid.Parse($"S-1-5-5-0-{logonId}"), logonId);
        b.AddGroup(WellKnownSids.Service);
        b.AddPrivilege("SeImpersonatePrivilege");
        return b.Build();
    }

    /// <summary>
    /// Copies a handle from one process into another, as a broker running as SYSTEM (with SeDebugPrivilege) would:
    /// the System process's thread opens both processes and duplicates the handle with the same access.
    /// </summary>
    public static NtHandle Give(EmulatedSystem system, ProcessObject from, NtHandle handle, ProcessObject to)
    {
        var nt = system.SystemProcess.Threads[0].Nt;
        Check(nt.NtOpenProcess(out var source, ProcessAccessRights.DupHandle, HandleAttributes.None, from.ProcessId));
        Check(nt.NtOpenProcess(out var target, ProcessAccessRights.DupHandle, HandleAttributes.None, to.ProcessId));
        Check(nt.NtDuplicateObject(source, handle, target, out var copy, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Check(nt.NtClose(source));
        Check(nt.NtClose(target));
        return copy;
    }

    /// <summary>Throws when a setup call fails (the tests assert on the calls they are about, not on their setup).</summary>
    public static void Check(NtStatus status)
    {
        if (!status.IsSuccess) throw new InvalidOperationException("setup call failed: " + status);
    }

    /// <summary>A machine with Alice's process (one thread) and Bob's process.</summary>
    public static (EmulatedSystem System, ProcessObject Alice, ProcessObject Bob) Machine()
    {
        var system = new EmulatedSystem();
        var alice = system.CreateProcess(AliceToken(), "alice.exe");
        var bob = system.CreateProcess(BobToken(), "bob.exe");
        return (system, alice, bob);
    }
}
