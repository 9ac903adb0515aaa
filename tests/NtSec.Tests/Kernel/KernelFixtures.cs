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

    /// <summary>A machine with Alice's process (one thread) and Bob's process.</summary>
    public static (EmulatedSystem System, ProcessObject Alice, ProcessObject Bob) Machine()
    {
        var system = new EmulatedSystem();
        var alice = system.CreateProcess(AliceToken(), "alice.exe");
        var bob = system.CreateProcess(BobToken(), "bob.exe");
        return (system, alice, bob);
    }
}
