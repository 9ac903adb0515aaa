using global::NtSec;
using global::NtSec.Authorization;
using global::NtSec.Descriptors;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Sddl;
using global::NtSec.Tokens;
using Xunit;
using NtSec.Win32;

namespace NtSec.Tests.Kernel;

/// <summary>
/// NtOpenProcess, NtOpenThread, NtOpenProcessToken(Ex), NtCreateThread, NtTerminateThread, NtTerminateProcess, and
/// the named-object calls NtCreateObject, NtOpenObject, NtQuerySecurityObject, NtSetSecurityObject.
/// </summary>
public class ProcessAndObjectTests
{
    private const uint KeyRead = 0x0002_0019;
    private const uint KeyAllAccess = 0x000F_003F;

    private static ProcessObject Debugger(EmulatedSystem system, bool enabled)
    {
        var b = KernelFixtures.UserBuilder(KernelFixtures.Bob, KernelFixtures.BobLogon, 0x1002);
        b.AddPrivilege("SeDebugPrivilege", enabled ? PrivilegeAttributes.Enabled : PrivilegeAttributes.None);
        return system.CreateProcess(b.Build(), "debugger.exe");
    }

    [Fact]
    public void Another_users_process_cannot_be_opened_without_SeDebugPrivilege()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        var nt = bob.Threads[0].Nt;
        Assert.Equal(NtStatus.AccessDenied, nt.NtOpenProcess(out var h, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.ProcessId));
        Assert.True(h.IsNull);
        Assert.Equal(NtStatus.AccessDenied, nt.NtOpenThread(out _, ThreadAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.Threads[0].ThreadId));
        // A held but disabled privilege is not enough.
        var disabled = Debugger(system, enabled: false).Threads[0].Nt;
        Assert.Equal(NtStatus.AccessDenied, disabled.NtOpenProcess(out _, ProcessAccessRights.VmRead, HandleAttributes.None, alice.ProcessId));
    }

    [Fact]
    public void SeDebugPrivilege_opens_any_process_and_thread_with_the_access_asked()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var nt = Debugger(system, enabled: true).Threads[0].Nt;
        foreach (var target in new[] { alice, system.SystemProcess })
        {
            Assert.Equal(NtStatus.Success, nt.NtOpenProcess(out var h, ProcessAccessRights.VmRead | ProcessAccessRights.VmWrite, HandleAttributes.None, target.ProcessId));
            Assert.Equal(NtStatus.Success, nt.NtQueryObject(h, out var info));
            Assert.Equal(ProcessAccessRights.VmRead | ProcessAccessRights.VmWrite, info.GrantedAccess);
            Assert.Equal(NtStatus.Success, nt.NtOpenThread(out var th, ThreadAccessRights.GetContext, HandleAttributes.None, target.Threads[0].ThreadId));
            Assert.Equal(NtStatus.Success, nt.NtOpenProcess(out var all, AccessMask.MaximumAllowed, HandleAttributes.None, target.ProcessId));
            Assert.Equal(NtStatus.Success, nt.NtQueryObject(all, out info));
            Assert.Equal(ProcessAccessRights.AllAccess, info.GrantedAccess);
        }
    }

    [Fact]
    public void Own_process_opens_and_query_information_brings_the_limited_right()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtOpenProcess(out var h, ProcessAccessRights.QueryInformation, HandleAttributes.None, alice.ProcessId));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(h, out var info));
        Assert.Equal(ProcessAccessRights.QueryInformation | ProcessAccessRights.QueryLimitedInformation, info.GrantedAccess);
        Assert.Equal(NtStatus.InvalidCid, nt.NtOpenProcess(out _, ProcessAccessRights.QueryInformation, HandleAttributes.None, 0x7FF0));
        Assert.Equal(NtStatus.InvalidCid, nt.NtOpenThread(out _, ThreadAccessRights.QueryInformation, HandleAttributes.None, 0x7FF0));
        Assert.Equal(NtStatus.InvalidParameter, nt.NtOpenProcess(out _, ProcessAccessRights.QueryInformation, (HandleAttributes)0x8000, alice.ProcessId));
    }

    [Fact]
    public void A_low_integrity_process_cannot_write_to_a_medium_process_of_the_same_user()
    {
        var system = new EmulatedSystem();
        var medium = system.CreateProcess(KernelFixtures.AliceToken(), "medium.exe");
        var b = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
        b.IntegrityLevel = WellKnownSids.LowIntegrity;
        var low = system.CreateProcess(b.Build(), "low.exe").Threads[0].Nt;
        // The process label is NO_WRITE_UP | NO_READ_UP: neither writing nor reading memory, but the limited query is allowed.
        Assert.Equal(NtStatus.AccessDenied, low.NtOpenProcess(out _, ProcessAccessRights.VmWrite, HandleAttributes.None, medium.ProcessId));
        Assert.Equal(NtStatus.AccessDenied, low.NtOpenProcess(out _, ProcessAccessRights.VmRead, HandleAttributes.None, medium.ProcessId));
        Assert.Equal(NtStatus.Success, low.NtOpenProcess(out _, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, medium.ProcessId));
    }

    [Fact]
    public void NtOpenProcessToken_needs_only_PROCESS_QUERY_LIMITED_INFORMATION()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenProcess(out var limited, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.ProcessId));
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenProcessToken(limited, TokenAccessRights.Query, out var token));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryInformationToken(token, TokenInformationClass.TokenUser, out var user));
        Assert.Equal(KernelFixtures.Alice, ((SidAndAttributes)user!).Sid);

        Assert.Equal(NtStatus.Success, t.Nt.NtOpenProcess(out var terminate, ProcessAccessRights.Terminate, HandleAttributes.None, alice.ProcessId));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenProcessToken(terminate, TokenAccessRights.Query, out var none));
        Assert.True(none.IsNull);
        Assert.Equal(NtStatus.ObjectTypeMismatch, t.Nt.NtOpenProcessToken(NtHandle.CurrentThread, TokenAccessRights.Query, out _));
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtOpenProcessToken(NtHandle.Null, TokenAccessRights.Query, out _));
    }

    [Fact]
    public void NtOpenProcessToken_checks_the_token_descriptor_with_the_effective_token()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var debugger = Debugger(system, enabled: true);
        var nt = debugger.Threads[0].Nt;
        // SeDebugPrivilege opens Alice's process, but not her token: its DACL is Alice's default DACL.
        Assert.Equal(NtStatus.Success, nt.NtOpenProcess(out var p, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.ProcessId));
        Assert.Equal(NtStatus.AccessDenied, nt.NtOpenProcessToken(p, TokenAccessRights.Query, out _));
        // The System process's thread may: LocalSystem is in her default DACL.
        var sys = system.SystemProcess.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, sys.NtOpenProcess(out var p2, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.ProcessId));
        Assert.Equal(NtStatus.Success, sys.NtOpenProcessTokenEx(p2, TokenAccessRights.Query | TokenAccessRights.Duplicate, HandleAttributes.Inherit, out var token));
        Assert.Equal(NtStatus.Success, sys.NtQueryObject(token, out var info));
        Assert.Equal((HandleAttributes.Inherit, TokenAccessRights.Query | TokenAccessRights.Duplicate), (info.Attributes, info.GrantedAccess));
        Assert.Equal(NtStatus.InvalidParameter, sys.NtOpenProcessTokenEx(p2, TokenAccessRights.Query, (HandleAttributes)0x8000, out _));
    }

    [Fact]
    public void NtOpenProcessToken_maps_generic_rights_and_MAXIMUM_ALLOWED()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, AccessMask.GenericRead, out var read));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(read, out var info));
        Assert.Equal(TokenAccessRights.Read, info.GrantedAccess);
        Assert.Equal(NtStatus.Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, AccessMask.MaximumAllowed, out var max));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(max, out info));
        Assert.Equal(TokenAccessRights.AllAccess, info.GrantedAccess);
        // A request for nothing is denied.
        Assert.Equal(NtStatus.AccessDenied, nt.NtOpenProcessToken(NtHandle.CurrentProcess, 0, out _));
    }

    [Fact]
    public void NtCreateThread_needs_PROCESS_CREATE_THREAD_and_the_last_thread_ends_the_process()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenProcess(out var weak, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.ProcessId));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtCreateThread(out _, ThreadAccessRights.AllAccess, weak, out var none));
        Assert.Null(none);
        Assert.Equal(NtStatus.Success, t.Nt.NtCreateThread(out var h, ThreadAccessRights.Terminate, NtHandle.CurrentProcess, out var second));
        Assert.Equal(2, alice.Threads.Count);
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(h, out var info));
        Assert.Equal(ThreadAccessRights.Terminate, info.GrantedAccess);

        Assert.Equal(NtStatus.Success, t.Nt.NtTerminateThread(h, NtStatus.Success));
        Assert.True(second!.IsTerminated);
        Assert.False(alice.IsTerminated);
        // The terminated thread's own calls fail.
        Assert.Equal(NtStatus.ThreadIsTerminating, second.Nt.NtOpenProcess(out _, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.ProcessId));
        Assert.Equal(NtStatus.ThreadIsTerminating, second.Nt.NtClose(h));

        Assert.Equal(NtStatus.Success, t.Nt.NtOpenThread(out var self, ThreadAccessRights.QueryLimitedInformation, HandleAttributes.None, t.ThreadId));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtTerminateThread(self, NtStatus.Success));
        Assert.Equal(NtStatus.Success, t.Nt.NtTerminateThread(NtHandle.CurrentThread, new NtStatus(7)));
        Assert.True(alice.IsTerminated);
        Assert.Equal(new NtStatus(7), alice.ExitStatus);
        Assert.Null(system.FindProcess(alice.ProcessId));
        Assert.Equal(0, alice.HandleTableCount);
    }

    [Fact]
    public void NtTerminateProcess_needs_PROCESS_TERMINATE_and_closes_the_handles()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.True(t.Win32.CreateProcess("child.exe", null, false, out var child));
        var process = system.FindProcess(child.ProcessId)!;
        var childThread = process.Threads[0];
        Assert.Equal(NtStatus.Success, childThread.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out _));
        Assert.Equal(1, process.HandleTableCount);

        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, child.Process, NtHandle.CurrentProcess, out var weak, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, DuplicateOptions.None));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtTerminateProcess(weak, NtStatus.Success));
        Assert.Equal(NtStatus.Success, t.Nt.NtTerminateProcess(child.Process, new NtStatus(3)));
        Assert.True(process.IsTerminated);
        Assert.True(childThread.IsTerminated);
        Assert.Equal(0, process.HandleTableCount);
        Assert.Equal(NtStatus.ProcessIsTerminating, t.Nt.NtTerminateProcess(child.Process, NtStatus.Success));
        // The handle still refers to the exited process until it is closed.
        Assert.False(process.IsDeleted);
        Assert.Equal(NtStatus.Success, t.Nt.NtClose(child.Process));
        Assert.Equal(NtStatus.Success, t.Nt.NtClose(child.Thread));
        Assert.Equal(NtStatus.Success, t.Nt.NtClose(weak));
        Assert.True(process.IsDeleted);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Named objects

    [Fact]
    public void NtCreateObject_gives_the_creator_its_access_and_the_default_descriptor()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtCreateObject(ObjectTypes.Key, new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Test"), AccessMask.GenericRead, out var h));
        Assert.Equal(NtStatus.Success, nt.NtQueryObject(h, out var info));
        Assert.Equal(KeyRead, info.GrantedAccess);
        var created = system.FindObject(@"\REGISTRY\MACHINE\SOFTWARE\Test")!;
        Assert.Equal(KernelFixtures.Alice, created.SecurityDescriptor.Owner);
        Assert.Equal(KernelFixtures.DomainUsers, created.SecurityDescriptor.Group);
        // Alice's default DACL, with GENERIC_ALL mapped for keys.
        Assert.Contains(created.SecurityDescriptor.Dacl!.Aces, a => a.Sid == KernelFixtures.Alice && a.Mask == KeyAllAccess);

        Assert.Equal(NtStatus.ObjectNameCollision, nt.NtCreateObject(ObjectTypes.Key, new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Test"), KeyRead, out var collision));
        Assert.True(collision.IsNull);
        Assert.Equal(NtStatus.ObjectNameExists, nt.NtCreateObject(ObjectTypes.Key, new ObjectAttributes(@"\registry\machine\software\test", HandleAttributes.OpenIf), KeyRead, out var existing));
        Assert.False(existing.IsNull);
        Assert.Equal(NtStatus.ObjectTypeMismatch, nt.NtCreateObject(ObjectTypes.Event, new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Test", HandleAttributes.OpenIf), 0x1F0003, out _));

        // A named object that is not permanent goes with its last handle.
        Assert.Equal(NtStatus.Success, nt.NtClose(h));
        Assert.Equal(NtStatus.Success, nt.NtClose(existing));
        Assert.Null(system.FindObject(@"\REGISTRY\MACHINE\SOFTWARE\Test"));
    }

    [Fact]
    public void A_low_integrity_creator_labels_what_it_creates()
    {
        var system = new EmulatedSystem();
        var b = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
        b.IntegrityLevel = WellKnownSids.LowIntegrity;
        var low = system.CreateProcess(b.Build(), "low.exe").Threads[0].Nt;
        Assert.Equal(NtStatus.Success, low.NtCreateObject(ObjectTypes.Event, new ObjectAttributes(@"\BaseNamedObjects\low"), 0x1F0003, out _));
        var label = system.FindObject(@"\BaseNamedObjects\low")!.SecurityDescriptor.Sacl!.Aces.Single();
        Assert.Equal(WellKnownSids.LowIntegrity, label.Sid);
    }

    [Fact]
    public void NtOpenObject_is_an_access_check_against_the_descriptor()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Key, @"\REGISTRY\MACHINE\SOFTWARE\Shared", SddlParser.Parse($"O:SYG:SYD:(D;;KA;;;{KernelFixtures.Bob})(A;;KA;;;{KernelFixtures.Alice})(A;;KR;;;BU)"));
        var a = alice.Threads[0].Nt;
        var b = bob.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, a.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Shared"), KeyAllAccess, out var full));
        Assert.Equal(NtStatus.AccessDenied, b.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Shared"), KeyRead, out var denied));
        Assert.True(denied.IsNull);
        Assert.Equal(NtStatus.Success, a.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Shared"), AccessMask.MaximumAllowed, out var max));
        Assert.Equal(NtStatus.Success, a.NtQueryObject(max, out var info));
        Assert.Equal(KeyAllAccess, info.GrantedAccess);

        Assert.Equal(NtStatus.ObjectNameNotFound, a.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Missing"), KeyRead, out _));
        Assert.Equal(NtStatus.ObjectNameNotFound, a.NtOpenObject(new ObjectAttributes(), KeyRead, out _));
        Assert.Equal(NtStatus.ObjectTypeMismatch, a.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Shared"), KeyRead, out _, ObjectTypes.Event));
        Assert.Equal(NtStatus.AccessDenied, a.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Shared"), 0x0400_0000, out _));
        Assert.Equal(NtStatus.Success, a.NtClose(full));
    }

    [Fact]
    public void Opening_an_object_as_an_identification_or_anonymous_level_client_fails()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Key, @"\REGISTRY\MACHINE\SOFTWARE\Open", SddlParser.Parse("O:SYG:SYD:(A;;KA;;;WD)"));
        var t = alice.Threads[0];
        foreach (var level in new[] { SecurityImpersonationLevel.Anonymous, SecurityImpersonationLevel.Identification })
        {
            Assert.True(t.Win32.ImpersonateSelf(level));
            Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Open"), KeyRead, out _));
            Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtCreateObject(ObjectTypes.Event, new ObjectAttributes(), 0x1F0003, out _));
            Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtOpenProcess(out _, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.ProcessId));
            // Kernel mode does not check, so it does not care.
            Assert.Equal(NtStatus.Success, t.Zw.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Open"), KeyRead, out _));
            Assert.True(t.Win32.RevertToSelf());
        }
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation));
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Open"), KeyRead, out _));
    }

    [Fact]
    public void Opening_while_impersonating_uses_the_impersonation_token()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Key, @"\REGISTRY\MACHINE\SOFTWARE\BobOnly", SddlParser.Parse($"O:SYG:SYD:(A;;KA;;;{KernelFixtures.Bob})"));
        var service = system.CreateProcess(KernelFixtures.ServiceToken(Sid.Parse("S-1-5-80-1-2-3-4-5"), 0x3003), "service.exe").Threads[0];
        Assert.Equal(NtStatus.AccessDenied, service.Nt.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\BobOnly"), KeyRead, out _));
        // Bob's token handed to the service, which holds SeImpersonatePrivilege.
        Assert.True(bob.Threads[0].Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var bobToken));
        var given = KernelFixtures.Give(system, bob, bobToken, service.Process);
        Assert.True(service.Win32.ImpersonateLoggedOnUser(given));
        Assert.Equal(NtStatus.Success, service.Nt.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\BobOnly"), KeyRead, out _));
        Assert.True(service.Win32.RevertToSelf());
        Assert.Equal(NtStatus.AccessDenied, service.Nt.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\BobOnly"), KeyRead, out _));
    }

    [Fact]
    public void Security_of_an_object_is_read_with_READ_CONTROL_and_written_with_WRITE_DAC_or_WRITE_OWNER()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Key, @"\REGISTRY\MACHINE\SOFTWARE\Sec", SddlParser.Parse($"O:{KernelFixtures.Alice}G:SYD:(A;;KA;;;{KernelFixtures.Alice})"));
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Sec"), KeyRead & ~AccessMask.ReadControl, out var noRead));
        Assert.Equal(NtStatus.AccessDenied, nt.NtQuerySecurityObject(noRead, SecurityInformation.Dacl, out var none));
        Assert.Null(none);
        Assert.Equal(NtStatus.Success, nt.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Sec"), AccessMask.ReadControl, out var read));
        Assert.Equal(NtStatus.Success, nt.NtQuerySecurityObject(read, SecurityInformation.Owner | SecurityInformation.Dacl, out var sd));
        Assert.Equal(KernelFixtures.Alice, sd!.Owner);
        Assert.Null(sd.Group);
        Assert.Equal(NtStatus.AccessDenied, nt.NtQuerySecurityObject(read, SecurityInformation.Sacl, out _));
        Assert.Equal(NtStatus.AccessDenied, nt.NtSetSecurityObject(read, SecurityInformation.Dacl, SddlParser.Parse("D:")));

        Assert.Equal(NtStatus.Success, nt.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Sec"), AccessMask.WriteDac | AccessMask.WriteOwner | AccessMask.ReadControl, out var write));
        Assert.Equal(NtStatus.Success, nt.NtSetSecurityObject(write, SecurityInformation.Dacl, SddlParser.Parse("D:(A;;GR;;;WD)")));
        // Generic rights are mapped when stored.
        Assert.Equal(KeyRead, system.FindObject(@"\REGISTRY\MACHINE\SOFTWARE\Sec")!.SecurityDescriptor.Dacl!.Aces.Single().Mask);
    }

    [Fact]
    public void A_new_owner_must_be_the_user_or_an_owner_group_unless_SeRestorePrivilege()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Key, @"\REGISTRY\MACHINE\SOFTWARE\Own", SddlParser.Parse("O:SYG:SYD:(A;;KA;;;WD)"));
        var nt = alice.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, nt.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Own"), AccessMask.WriteOwner, out var h));
        Assert.Equal(NtStatus.InvalidOwner, nt.NtSetSecurityObject(h, SecurityInformation.Owner, SddlParser.Parse($"O:{KernelFixtures.Bob}")));
        // Users is one of Alice's groups, but not marked SE_GROUP_OWNER.
        Assert.Equal(NtStatus.InvalidOwner, nt.NtSetSecurityObject(h, SecurityInformation.Owner, SddlParser.Parse("O:BU")));
        Assert.Equal(NtStatus.InvalidOwner, nt.NtSetSecurityObject(h, SecurityInformation.Owner, SddlParser.Parse("D:")));
        Assert.Equal(NtStatus.Success, nt.NtSetSecurityObject(h, SecurityInformation.Owner, SddlParser.Parse($"O:{KernelFixtures.Alice}")));
        Assert.Equal(KernelFixtures.Alice, system.FindObject(@"\REGISTRY\MACHINE\SOFTWARE\Own")!.SecurityDescriptor.Owner);

        var restore = KernelFixtures.UserBuilder(KernelFixtures.Bob, KernelFixtures.BobLogon, 0x1002).AddPrivilege("SeRestorePrivilege").Build();
        var backup = system.CreateProcess(restore, "restore.exe").Threads[0].Nt;
        Assert.Equal(NtStatus.Success, backup.NtOpenObject(new ObjectAttributes(@"\REGISTRY\MACHINE\SOFTWARE\Own"), AccessMask.WriteOwner, out var h2));
        Assert.Equal(NtStatus.Success, backup.NtSetSecurityObject(h2, SecurityInformation.Owner, SddlParser.Parse("O:BA")));
        Assert.Equal(WellKnownSids.BuiltinAdministrators, system.FindObject(@"\REGISTRY\MACHINE\SOFTWARE\Own")!.SecurityDescriptor.Owner);
    }
}
