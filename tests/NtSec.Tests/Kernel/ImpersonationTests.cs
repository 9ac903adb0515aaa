using NtSec.Win32;
using global::NtSec;
using global::NtSec.Authorization;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Sddl;
using global::NtSec.Tokens;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>
/// NtSetInformationThread(ThreadImpersonationToken) with the impersonation rules, NtImpersonateThread and
/// NtImpersonateAnonymousToken.
/// </summary>
public class ImpersonationTests
{
    private static NtHandle ImpersonationCopy(ThreadObject t, NtHandle primary, SecurityImpersonationLevel level = SecurityImpersonationLevel.Impersonation)
    {
        var oa = new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(level));
        KernelFixtures.Check(t.Nt.NtDuplicateToken(primary, TokenAccessRights.Impersonate | TokenAccessRights.Query | TokenAccessRights.Duplicate, oa, false, TokenType.Impersonation, out var h));
        return h;
    }

    /// <summary>A handle, in <paramref name="to"/>, to an impersonation token of <paramref name="owner"/>'s process token.</summary>
    private static NtHandle TokenOf(EmulatedSystem system, ProcessObject owner, ProcessObject to)
    {
        var t = owner.Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var primary));
        var copy = ImpersonationCopy(t, primary);
        return ReferenceEquals(owner, to) ? copy : KernelFixtures.Give(system, owner, copy, to);
    }

    private static SecurityImpersonationLevel WornLevel(ThreadObject t) => t.ImpersonationToken!.Token.ImpersonationLevel;

    [Fact]
    public void A_token_is_worn_and_a_NULL_token_reverts()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        var token = TokenOf(system, alice, alice);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, token));
        Assert.Equal(SecurityImpersonationLevel.Impersonation, WornLevel(t));
        Assert.Same(t.Process.GetHandles().Single(e => e.Handle == token).Entry.Object, t.ImpersonationToken);
        // The thread wears the object itself: the handle can be closed.
        Assert.Equal(NtStatus.Success, t.Nt.NtClose(token));
        Assert.NotNull(t.ImpersonationToken);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, NtHandle.Null));
        Assert.Null(t.ImpersonationToken);
        // Reverting when not impersonating is no error.
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, NtHandle.Null));
    }

    [Fact]
    public void The_handles_need_THREAD_SET_THREAD_TOKEN_and_TOKEN_IMPERSONATE_and_the_token_must_be_an_impersonation_token()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        var token = TokenOf(system, alice, alice);
        KernelFixtures.Check(t.Nt.NtOpenThread(out var weak, ThreadAccessRights.QueryInformation, HandleAttributes.None, t.ThreadId));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtSetInformationThread(weak, ThreadInformationClass.ThreadImpersonationToken, token));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtSetInformationThread(weak, ThreadInformationClass.ThreadImpersonationToken, NtHandle.Null));
        KernelFixtures.Check(t.Nt.NtDuplicateObject(NtHandle.CurrentProcess, token, NtHandle.CurrentProcess, out var queryOnly, TokenAccessRights.Query, HandleAttributes.None, DuplicateOptions.None));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, queryOnly));
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Impersonate, out var primary));
        Assert.Equal(NtStatus.BadTokenType, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, primary));
        Assert.Equal(NtStatus.ObjectTypeMismatch, t.Nt.NtSetInformationThread(NtHandle.CurrentProcess, ThreadInformationClass.ThreadImpersonationToken, token));
        Assert.Equal(NtStatus.InvalidInfoClass, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, (ThreadInformationClass)0, token));
        Assert.Null(t.ImpersonationToken);
    }

    [Fact]
    public void Another_thread_of_the_process_can_be_given_a_token()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        KernelFixtures.Check(t.Nt.NtCreateThread(out var worker, ThreadAccessRights.SetThreadToken, NtHandle.CurrentProcess, out var second));
        var token = TokenOf(system, alice, alice);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(worker, ThreadInformationClass.ThreadImpersonationToken, token));
        Assert.NotNull(second!.ImpersonationToken);
        Assert.Null(t.ImpersonationToken);
    }

    [Fact]
    public void Another_users_token_without_SeImpersonatePrivilege_is_silently_worn_at_Identification()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        var bobs = TokenOf(system, bob, alice);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, bobs));
        Assert.Equal(KernelFixtures.Bob, t.ImpersonationToken!.Token.User.Sid);
        Assert.Equal(SecurityImpersonationLevel.Identification, WornLevel(t));
        // The token behind the handle is unchanged: the thread wears a copy.
        KernelFixtures.Check(t.Nt.NtQueryInformationToken(bobs, TokenInformationClass.TokenImpersonationLevel, out var level));
        Assert.Equal(SecurityImpersonationLevel.Impersonation, level);
        // An identification-level client can be asked who it is, not used to open anything.
        Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtOpenProcess(out _, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, alice.ProcessId));
        Assert.True(t.Win32.ImpersonateLoggedOnUser(bobs));
        Assert.Equal(SecurityImpersonationLevel.Identification, WornLevel(t));
    }

    [Fact]
    public void With_SeImpersonatePrivilege_another_users_token_keeps_its_level()
    {
        var (system, _, bob) = KernelFixtures.Machine();
        var service = system.CreateProcess(KernelFixtures.ServiceToken(Sid.Parse("S-1-5-80-1-2-3-4-5"), 0x3003), "service.exe");
        var t = service.Threads[0];
        var bobs = TokenOf(system, bob, service);
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.AdjustPrivileges, out var own));
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, bobs));
        Assert.Equal(SecurityImpersonationLevel.Impersonation, WornLevel(t));
        Assert.Equal(KernelFixtures.Bob, t.ImpersonationToken!.Token.User.Sid);
        // Now the thread acts as Bob, who may not open the service's token.
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out _));

        // A disabled privilege does not count.
        KernelFixtures.Check(t.Nt.NtAdjustPrivilegesToken(own, false, [new Privilege(Privileges.Impersonate, PrivilegeAttributes.None)]));
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, bobs));
        Assert.Equal(SecurityImpersonationLevel.Identification, WornLevel(t));
    }

    [Fact]
    public void A_token_of_a_higher_integrity_level_is_worn_at_Identification()
    {
        var system = new EmulatedSystem();
        var medium = system.CreateProcess(KernelFixtures.AliceToken(), "medium.exe");
        var b = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
        b.IntegrityLevel = WellKnownSids.HighIntegrity;
        var high = system.CreateProcess(b.Build(), "high.exe");
        var t = medium.Threads[0];
        var highToken = TokenOf(system, high, medium);
        var mediumToken = TokenOf(system, medium, medium);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, highToken));
        Assert.Equal(SecurityImpersonationLevel.Identification, WornLevel(t));
        // The same user at the same level is worn as it is; a lower level too.
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, mediumToken));
        Assert.Equal(SecurityImpersonationLevel.Impersonation, WornLevel(t));
        var highThread = high.Threads[0];
        var mediumInHigh = TokenOf(system, medium, high);
        Assert.Equal(NtStatus.Success, highThread.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, mediumInHigh));
        Assert.Equal(SecurityImpersonationLevel.Impersonation, WornLevel(highThread));
    }

    [Fact]
    public void A_restricted_process_wears_an_unrestricted_token_at_Identification_and_a_restricted_one_as_it_is()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var parent = alice.Threads[0];
        KernelFixtures.Check(parent.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AssignPrimary, out var own));
        KernelFixtures.Check(parent.Nt.NtFilterToken(own, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, GroupAttributes.None), new SidAndAttributes(KernelFixtures.Alice, GroupAttributes.None)], out var restricted));
        Assert.True(parent.Win32.CreateProcessAsUser(restricted, "sandbox.exe", null, false, out var info));
        var sandbox = system.FindProcess(info.ProcessId)!;
        Assert.True(sandbox.PrimaryToken.Token.IsRestricted);
        var t = sandbox.Threads[0];

        var unrestricted = TokenOf(system, alice, sandbox);
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var sandboxPrimary));
        var restrictedCopy = ImpersonationCopy(t, sandboxPrimary);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, unrestricted));
        Assert.Equal(SecurityImpersonationLevel.Identification, WornLevel(t));
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, restrictedCopy));
        Assert.Equal(SecurityImpersonationLevel.Impersonation, WornLevel(t));
    }

    [Fact]
    public void A_token_of_another_session_is_worn_at_Identification()
    {
        var system = new EmulatedSystem();
        var one = system.CreateProcess(KernelFixtures.AliceToken(), "one.exe");
        var b = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
        b.SessionId = 2;
        var two = system.CreateProcess(b.Build(), "two.exe");
        var t = one.Threads[0];
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, TokenOf(system, two, one)));
        Assert.Equal(SecurityImpersonationLevel.Identification, WornLevel(t));
    }

    [Fact]
    public void Identification_and_anonymous_tokens_are_worn_at_their_level()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        KernelFixtures.Check(bob.Threads[0].Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var bobPrimary));
        var anonymous = KernelFixtures.Give(system, bob, ImpersonationCopy(bob.Threads[0], bobPrimary, SecurityImpersonationLevel.Anonymous), alice);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, anonymous));
        Assert.Equal(SecurityImpersonationLevel.Anonymous, WornLevel(t));
        Assert.Equal(NtStatus.CantOpenAnonymous, t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out _));
    }

    [Fact]
    public void NtImpersonateThread_copies_the_client_effective_token_at_the_level_asked()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var server = alice.Threads[0];
        KernelFixtures.Check(server.Nt.NtCreateThread(out var clientHandle, ThreadAccessRights.DirectImpersonation, NtHandle.CurrentProcess, out var client));
        Assert.Equal(NtStatus.Success, server.Nt.NtImpersonateThread(NtHandle.CurrentThread, clientHandle, new SecurityQualityOfService(SecurityImpersonationLevel.Identification)));
        Assert.Equal(SecurityImpersonationLevel.Identification, WornLevel(server));
        Assert.Equal(KernelFixtures.Alice, server.ImpersonationToken!.Token.User.Sid);
        Assert.Equal(NtStatus.Success, server.Nt.NtImpersonateThread(NtHandle.CurrentThread, clientHandle, new SecurityQualityOfService(SecurityImpersonationLevel.Impersonation, EffectiveOnly: true)));
        Assert.Equal(SecurityImpersonationLevel.Impersonation, WornLevel(server));
        Assert.All(server.ImpersonationToken!.Token.Privileges, p => Assert.True(p.IsEnabled));

        // A client impersonating at Identification cannot pass on more.
        Assert.True(client!.Win32.ImpersonateSelf(SecurityImpersonationLevel.Identification));
        Assert.Equal(NtStatus.BadImpersonationLevel, server.Nt.NtImpersonateThread(NtHandle.CurrentThread, clientHandle, new SecurityQualityOfService(SecurityImpersonationLevel.Impersonation)));
        Assert.Equal(NtStatus.Success, server.Nt.NtImpersonateThread(NtHandle.CurrentThread, clientHandle, new SecurityQualityOfService(SecurityImpersonationLevel.Identification)));
        Assert.Equal(NtStatus.BadImpersonationLevel, server.Nt.NtImpersonateThread(NtHandle.CurrentThread, clientHandle, new SecurityQualityOfService((SecurityImpersonationLevel)9)));
    }

    [Fact]
    public void NtImpersonateThread_needs_THREAD_IMPERSONATE_and_THREAD_DIRECT_IMPERSONATION_and_follows_the_rules()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        var server = alice.Threads[0];
        KernelFixtures.Check(server.Nt.NtOpenThread(out var self, ThreadAccessRights.DirectImpersonation, HandleAttributes.None, server.ThreadId));
        Assert.Equal(NtStatus.AccessDenied, server.Nt.NtImpersonateThread(self, NtHandle.CurrentThread, new SecurityQualityOfService(SecurityImpersonationLevel.Impersonation)));
        KernelFixtures.Check(server.Nt.NtOpenThread(out var impersonateOnly, ThreadAccessRights.Impersonate, HandleAttributes.None, server.ThreadId));
        Assert.Equal(NtStatus.AccessDenied, server.Nt.NtImpersonateThread(NtHandle.CurrentThread, impersonateOnly, new SecurityQualityOfService(SecurityImpersonationLevel.Impersonation)));

        // Bob's thread as a client: Alice lacks SeImpersonatePrivilege, so she gets Bob at Identification.
        KernelFixtures.Check(system.SystemProcess.Threads[0].Nt.NtOpenThread(out var brokered, ThreadAccessRights.DirectImpersonation, HandleAttributes.None, bob.Threads[0].ThreadId));
        var bobThread = KernelFixtures.Give(system, system.SystemProcess, brokered, alice);
        Assert.Equal(NtStatus.Success, server.Nt.NtImpersonateThread(NtHandle.CurrentThread, bobThread, new SecurityQualityOfService(SecurityImpersonationLevel.Impersonation)));
        Assert.Equal(KernelFixtures.Bob, server.ImpersonationToken!.Token.User.Sid);
        Assert.Equal(SecurityImpersonationLevel.Identification, WornLevel(server));
    }

    [Fact]
    public void NtImpersonateAnonymousToken_wears_ANONYMOUS_LOGON_at_Impersonation()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Event, @"\BaseNamedObjects\everyone", SddlParser.Parse("O:SYG:SYD:(A;;0x1f0003;;;WD)"));
        var t = alice.Threads[0];
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenObject(new ObjectAttributes(@"\BaseNamedObjects\everyone"), AccessMask.Synchronize, out _));
        Assert.Equal(NtStatus.Success, t.Nt.NtImpersonateAnonymousToken(NtHandle.CurrentThread));
        var token = t.ImpersonationToken!.Token;
        Assert.Equal(WellKnownSids.Anonymous, token.User.Sid);
        Assert.Equal((TokenType.Impersonation, SecurityImpersonationLevel.Impersonation), (token.Type, token.ImpersonationLevel));
        Assert.Equal(WellKnownSids.UntrustedIntegrity, token.IntegrityLevel);
        Assert.False(token.CheckMembership(WellKnownSids.World));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenObject(new ObjectAttributes(@"\BaseNamedObjects\everyone"), AccessMask.Synchronize, out _));
        Assert.True(t.Win32.RevertToSelf());
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenObject(new ObjectAttributes(@"\BaseNamedObjects\everyone"), AccessMask.Synchronize, out _));

        KernelFixtures.Check(t.Nt.NtOpenThread(out var weak, ThreadAccessRights.SetThreadToken, HandleAttributes.None, t.ThreadId));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtImpersonateAnonymousToken(weak));
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtImpersonateAnonymousToken(NtHandle.Null));
    }

    [Fact]
    public void Under_the_EveryoneIncludesAnonymous_policy_the_anonymous_token_is_in_Everyone()
    {
        var system = new EmulatedSystem { EveryoneIncludesAnonymous = true };
        system.CreateObject(ObjectTypes.Event, @"\BaseNamedObjects\everyone", SddlParser.Parse("O:SYG:SYD:(A;;0x1f0003;;;WD)"));
        var t = system.CreateProcess(KernelFixtures.AliceToken()).Threads[0];
        Assert.Equal(NtStatus.Success, t.Nt.NtImpersonateAnonymousToken(NtHandle.CurrentThread));
        Assert.True(t.ImpersonationToken!.Token.CheckMembership(WellKnownSids.World));
        Assert.Equal(NtStatus.Success, t.Nt.NtOpenObject(new ObjectAttributes(@"\BaseNamedObjects\everyone"), AccessMask.Synchronize, out _));
        // At Untrusted, the unlabelled (Medium, NO_WRITE_UP) object refuses anything that writes.
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtOpenObject(new ObjectAttributes(@"\BaseNamedObjects\everyone"), 0x0002, out _));
    }

    [Fact]
    public void Impersonation_tokens_are_freed_when_the_thread_reverts_and_the_handles_close()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        int before = system.LiveObjectCount;
        Assert.Equal(NtStatus.Success, t.Nt.NtImpersonateAnonymousToken(NtHandle.CurrentThread));
        Assert.Equal(before + 1, system.LiveObjectCount);
        Assert.True(t.Win32.RevertToSelf());
        Assert.Equal(before, system.LiveObjectCount);
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation));
        Assert.True(t.Win32.RevertToSelf());
        Assert.Equal(before, system.LiveObjectCount);
    }
}
