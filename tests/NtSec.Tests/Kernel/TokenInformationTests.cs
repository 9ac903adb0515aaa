using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using global::NtSec;
using global::NtSec.Acls;
using global::NtSec.Authorization;
using global::NtSec.Descriptors;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Sddl;
using global::NtSec.Tokens;
using global::NtSec.Win32;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>NtQueryInformationToken, NtSetInformationToken, NtCompareTokens, NtCreateToken, NtPrivilegeCheck, NtAccessCheck.</summary>
public class TokenInformationTests
{
    private static (ThreadObject Thread, NtHandle Token) AliceToken(uint access)
    {
        var t = KernelFixtures.Machine().Alice.Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, access, out var h));
        return (t, h);
    }

    private static object? Query(ThreadObject t, NtHandle h, TokenInformationClass c)
    {
        KernelFixtures.Check(t.Nt.NtQueryInformationToken(h, c, out var value));
        return value;
    }

    [Fact]
    public void Every_class_answers_a_primary_token_with_the_documented_type()
    {
        var (t, h) = AliceToken(TokenAccessRights.Query | TokenAccessRights.QuerySource);
        var token = t.Process.PrimaryToken.Token;
        foreach (var c in Enum.GetValues<TokenInformationClass>())
        {
            var status = t.Nt.NtQueryInformationToken(h, c, out var value);
            switch (c)
            {
                case TokenInformationClass.TokenImpersonationLevel:
                    Assert.Equal(NtStatus.InvalidParameter, status);
                    Assert.Null(value);
                    continue;
                case TokenInformationClass.TokenLinkedToken:
                    Assert.Equal(NtStatus.NoSuchLogonSession, status);
                    continue;
            }
            Assert.True(status == NtStatus.Success, $"{c}: {status}");
            object? expected = c switch
            {
                TokenInformationClass.TokenUser => token.User,
                TokenInformationClass.TokenOwner => KernelFixtures.Alice,
                TokenInformationClass.TokenPrimaryGroup => KernelFixtures.DomainUsers,
                TokenInformationClass.TokenSource => token.Source,
                TokenInformationClass.TokenType => TokenType.Primary,
                TokenInformationClass.TokenSessionId => token.SessionId,
                TokenInformationClass.TokenSandBoxInert => false,
                TokenInformationClass.TokenOrigin => token.Origin,
                TokenInformationClass.TokenElevationType => TokenElevationType.Default,
                TokenInformationClass.TokenElevation => false,
                TokenInformationClass.TokenHasRestrictions => false,
                TokenInformationClass.TokenVirtualizationAllowed => false,
                TokenInformationClass.TokenVirtualizationEnabled => false,
                TokenInformationClass.TokenIntegrityLevel => new SidAndAttributes(WellKnownSids.MediumIntegrity, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled),
                TokenInformationClass.TokenUIAccess => false,
                TokenInformationClass.TokenMandatoryPolicy => MandatoryPolicy.NoWriteUp | MandatoryPolicy.NewProcessMin,
                TokenInformationClass.TokenIsAppContainer => false,
                TokenInformationClass.TokenAppContainerSid => null,
                TokenInformationClass.TokenAppContainerNumber => 0u,
                TokenInformationClass.TokenIsRestricted => false,
                _ => value,
            };
            Assert.True(Equals(expected, value), $"{c}: {value}, expected {expected}");
        }

        var groups = (ImmutableArray<SidAndAttributes>)Query(t, h, TokenInformationClass.TokenGroups)!;
        Assert.Equal(token.Groups.Length + 1, groups.Length);
        Assert.Contains(groups, g => g.Sid == WellKnownSids.MediumIntegrity && g.Attributes == (GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled));
        Assert.Equal(token.Privileges, (ImmutableArray<Privilege>)Query(t, h, TokenInformationClass.TokenPrivileges)!);
        Assert.Equal(token.DefaultDacl, ((TokenDefaultDacl)Query(t, h, TokenInformationClass.TokenDefaultDacl)!).DefaultDacl);
        Assert.Empty((ImmutableArray<SidAndAttributes>)Query(t, h, TokenInformationClass.TokenRestrictedSids)!);
        Assert.Empty((ImmutableArray<SidAndAttributes>)Query(t, h, TokenInformationClass.TokenCapabilities)!);
        Assert.Empty((ImmutableArray<SidAndAttributes>)Query(t, h, TokenInformationClass.TokenDeviceGroups)!);
        var logon = (ImmutableArray<SidAndAttributes>)Query(t, h, TokenInformationClass.TokenLogonSid)!;
        Assert.Equal(KernelFixtures.AliceLogon, logon.Single().Sid);

        var stats = (TokenStatistics)Query(t, h, TokenInformationClass.TokenStatistics)!;
        Assert.Equal((token.TokenId, token.AuthenticationId, token.ModifiedId, TokenType.Primary), (stats.TokenId, stats.AuthenticationId, stats.ModifiedId, stats.TokenType));
        Assert.Equal((groups.Length, token.Privileges.Length), (stats.GroupCount, stats.PrivilegeCount));
        Assert.Equal(long.MaxValue, stats.ExpirationTime);

        var all = (TokenGroupsAndPrivileges)Query(t, h, TokenInformationClass.TokenGroupsAndPrivileges)!;
        Assert.Equal(token.User, all.Sids[0]);
        Assert.Equal(groups.Length + 1, all.Sids.Length);
        Assert.Equal(token.AuthenticationId, all.AuthenticationId);
    }

    [Fact]
    public void Queries_need_TOKEN_QUERY_and_the_source_needs_TOKEN_QUERY_SOURCE()
    {
        var (t, h) = AliceToken(TokenAccessRights.QuerySource);
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtQueryInformationToken(h, TokenInformationClass.TokenUser, out var value));
        Assert.Null(value);
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryInformationToken(h, TokenInformationClass.TokenSource, out _));
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var query));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtQueryInformationToken(query, TokenInformationClass.TokenSource, out _));
        Assert.Equal(NtStatus.InvalidInfoClass, t.Nt.NtQueryInformationToken(query, (TokenInformationClass)14, out _));
        Assert.Equal(NtStatus.ObjectTypeMismatch, t.Nt.NtQueryInformationToken(NtHandle.CurrentProcess, TokenInformationClass.TokenUser, out _));
        // The token pseudo-handles carry TOKEN_QUERY and TOKEN_QUERY_SOURCE.
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryInformationToken(NtHandle.CurrentProcessToken, TokenInformationClass.TokenSource, out _));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryInformationToken(NtHandle.CurrentThreadEffectiveToken, TokenInformationClass.TokenUser, out _));
        Assert.Equal(NtStatus.NoToken, t.Nt.NtQueryInformationToken(NtHandle.CurrentThreadToken, TokenInformationClass.TokenUser, out _));
    }

    [Fact]
    public void An_impersonation_token_reports_its_level_and_statistics()
    {
        var (t, _) = AliceToken(TokenAccessRights.Query);
        Assert.True(t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Identification));
        Assert.Equal(SecurityImpersonationLevel.Identification, Query(t, NtHandle.CurrentThreadToken, TokenInformationClass.TokenImpersonationLevel));
        var stats = (TokenStatistics)Query(t, NtHandle.CurrentThreadEffectiveToken, TokenInformationClass.TokenStatistics)!;
        Assert.Equal((TokenType.Impersonation, SecurityImpersonationLevel.Identification), (stats.TokenType, stats.ImpersonationLevel));
    }

    [Fact]
    public void The_linked_token_is_an_identification_copy_without_SeTcbPrivilege_and_the_token_itself_with_it()
    {
        var system = new EmulatedSystem();
        var limited = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
        limited.ElevationType = TokenElevationType.Limited;
        var full = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1005);
        full.ElevationType = TokenElevationType.Full;
        full.AddGroup(WellKnownSids.BuiltinAdministrators);
        full.IntegrityLevel = WellKnownSids.HighIntegrity;
        var process = system.CreateProcess(limited.Build(), full.Build(), "alice.exe");
        var t = process.Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var h));
        Assert.False((bool)Query(t, h, TokenInformationClass.TokenElevation)!);

        var linked = (NtHandle)Query(t, h, TokenInformationClass.TokenLinkedToken)!;
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(linked, out var info));
        Assert.Equal(TokenAccessRights.AllAccess, info.GrantedAccess);
        Assert.Equal(TokenElevationType.Full, Query(t, linked, TokenInformationClass.TokenElevationType));
        Assert.True((bool)Query(t, linked, TokenInformationClass.TokenElevation)!);
        Assert.Equal(TokenType.Impersonation, Query(t, linked, TokenInformationClass.TokenType));
        Assert.Equal(SecurityImpersonationLevel.Identification, Query(t, linked, TokenInformationClass.TokenImpersonationLevel));
        // Each query makes a new token; the copy's own linked token is the limited half again.
        var again = (NtHandle)Query(t, h, TokenInformationClass.TokenLinkedToken)!;
        Assert.NotEqual(((TokenStatistics)Query(t, linked, TokenInformationClass.TokenStatistics)!).TokenId, ((TokenStatistics)Query(t, again, TokenInformationClass.TokenStatistics)!).TokenId);
        var back = (NtHandle)Query(t, linked, TokenInformationClass.TokenLinkedToken)!;
        Assert.Equal(TokenElevationType.Limited, Query(t, back, TokenInformationClass.TokenElevationType));
        // An identification-level copy cannot become a process's token.
        Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtDuplicateToken(linked, 0, null, false, TokenType.Primary, out _));

        // SYSTEM (SeTcbPrivilege) gets the linked primary token itself.
        var given = KernelFixtures.Give(system, process, h, system.SystemProcess);
        var sys = system.SystemProcess.Threads[0];
        var elevated = (NtHandle)Query(sys, given, TokenInformationClass.TokenLinkedToken)!;
        Assert.Equal(TokenType.Primary, Query(sys, elevated, TokenInformationClass.TokenType));
        Assert.Equal(TokenElevationType.Full, Query(sys, elevated, TokenInformationClass.TokenElevationType));
    }

    [Fact]
    public void The_default_owner_must_be_the_user_or_a_group_with_SE_GROUP_OWNER()
    {
        var b = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001)
            .AddGroup(WellKnownSids.BuiltinAdministrators, GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled | GroupAttributes.Owner)
            .AddGroup(Sid.Parse("S-1-5-21-1111-2222-3333-3000"), GroupAttributes.Owner | GroupAttributes.UseForDenyOnly);
        var t = new EmulatedSystem().CreateProcess(b.Build()).Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.AdjustDefault, out var h));
        var nt = t.Nt;
        Assert.Equal(NtStatus.Success, nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, WellKnownSids.BuiltinAdministrators));
        Assert.Equal(WellKnownSids.BuiltinAdministrators, Query(t, h, TokenInformationClass.TokenOwner));
        Assert.Equal(NtStatus.InvalidOwner, nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, WellKnownSids.BuiltinUsers));
        Assert.Equal(NtStatus.InvalidOwner, nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, Sid.Parse("S-1-5-21-1111-2222-3333-3000")));
        Assert.Equal(NtStatus.InvalidOwner, nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, KernelFixtures.Bob));
        Assert.Equal(NtStatus.Success, nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, KernelFixtures.Alice));
        Assert.Equal(NtStatus.InvalidParameter, nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, "S-1-5-32-544"));
        // New objects take the default owner.
        KernelFixtures.Check(nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, WellKnownSids.BuiltinAdministrators));
        KernelFixtures.Check(nt.NtCreateObject(ObjectTypes.Event, new ObjectAttributes(@"\BaseNamedObjects\owned"), 0x1F0003, out _));
        Assert.Equal(WellKnownSids.BuiltinAdministrators, t.System.FindObject(@"\BaseNamedObjects\owned")!.SecurityDescriptor.Owner);
    }

    [Fact]
    public void The_primary_group_must_be_the_user_or_one_of_the_groups()
    {
        var (t, h) = AliceToken(TokenAccessRights.Query | TokenAccessRights.AdjustDefault);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenPrimaryGroup, WellKnownSids.BuiltinUsers));
        Assert.Equal(WellKnownSids.BuiltinUsers, Query(t, h, TokenInformationClass.TokenPrimaryGroup));
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenPrimaryGroup, KernelFixtures.Alice));
        Assert.Equal(NtStatus.InvalidPrimaryGroup, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenPrimaryGroup, WellKnownSids.BuiltinAdministrators));
    }

    [Fact]
    public void The_default_DACL_can_be_replaced_or_removed_with_TOKEN_ADJUST_DEFAULT()
    {
        var (t, h) = AliceToken(TokenAccessRights.Query | TokenAccessRights.AdjustDefault);
        var dacl = new Acl([Ace.Allow(WellKnownSids.LocalSystem, AccessMask.GenericAll)]);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenDefaultDacl, new TokenDefaultDacl(dacl)));
        Assert.Equal(dacl, ((TokenDefaultDacl)Query(t, h, TokenInformationClass.TokenDefaultDacl)!).DefaultDacl);
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenDefaultDacl, new TokenDefaultDacl(null)));
        Assert.Null(((TokenDefaultDacl)Query(t, h, TokenInformationClass.TokenDefaultDacl)!).DefaultDacl);
        // An object created now has no DACL at all (SE_DACL_PRESENT clear), not a NULL DACL: ReactOS' SeInheritance
        // kmtest, run on Windows, "Test with NULL DACL in Token" expects DACL present = FALSE.
        KernelFixtures.Check(t.Nt.NtCreateObject(ObjectTypes.Event, new ObjectAttributes(@"\BaseNamedObjects\open"), 0x1F0003, out _));
        Assert.Equal(AclState.Absent, t.System.FindObject(@"\BaseNamedObjects\open")!.SecurityDescriptor.DaclState);

        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var query));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtSetInformationToken(query, TokenInformationClass.TokenDefaultDacl, new TokenDefaultDacl(dacl)));
    }

    [Fact]
    public void The_session_ID_needs_SeTcbPrivilege_and_TOKEN_ADJUST_SESSIONID()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AdjustDefault | TokenAccessRights.AdjustSessionId, out var h));
        Assert.Equal(NtStatus.PrivilegeNotHeld, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenSessionId, 2u));
        Assert.Equal(1u, Query(t, h, TokenInformationClass.TokenSessionId));

        var sys = system.SystemProcess.Threads[0];
        var given = KernelFixtures.Give(system, alice, h, system.SystemProcess);
        Assert.Equal(NtStatus.Success, sys.Nt.NtSetInformationToken(given, TokenInformationClass.TokenSessionId, 2u));
        Assert.Equal(2u, Query(t, h, TokenInformationClass.TokenSessionId));

        KernelFixtures.Check(sys.Nt.NtDuplicateObject(NtHandle.CurrentProcess, given, NtHandle.CurrentProcess, out var noSession, TokenAccessRights.AdjustDefault, HandleAttributes.None, DuplicateOptions.None));
        Assert.Equal(NtStatus.AccessDenied, sys.Nt.NtSetInformationToken(noSession, TokenInformationClass.TokenSessionId, 3u));
    }

    [Fact]
    public void The_integrity_level_may_be_lowered_freely_and_raised_only_with_SeTcbPrivilege()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AdjustDefault, out var own));
        KernelFixtures.Check(t.Nt.NtDuplicateToken(own, 0, null, false, TokenType.Primary, out var h));
        Assert.Equal(NtStatus.PrivilegeNotHeld, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenIntegrityLevel, new SidAndAttributes(WellKnownSids.HighIntegrity, GroupAttributes.Integrity)));
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenIntegrityLevel, new SidAndAttributes(WellKnownSids.LowIntegrity, GroupAttributes.Integrity)));
        Assert.Equal(WellKnownSids.LowIntegrity, ((SidAndAttributes)Query(t, h, TokenInformationClass.TokenIntegrityLevel)!).Sid);
        var groups = (ImmutableArray<SidAndAttributes>)Query(t, h, TokenInformationClass.TokenGroups)!;
        Assert.Equal(WellKnownSids.LowIntegrity, groups.Single(g => (g.Attributes & GroupAttributes.Integrity) != 0).Sid);
        // Back up to Medium is a raise too.
        Assert.Equal(NtStatus.PrivilegeNotHeld, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenIntegrityLevel, WellKnownSids.MediumIntegrity));
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenIntegrityLevel, WellKnownSids.World));

        var given = KernelFixtures.Give(system, alice, h, system.SystemProcess);
        Assert.Equal(NtStatus.Success, system.SystemProcess.Threads[0].Nt.NtSetInformationToken(given, TokenInformationClass.TokenIntegrityLevel, WellKnownSids.HighIntegrity));
        Assert.Equal(WellKnownSids.HighIntegrity, ((SidAndAttributes)Query(t, h, TokenInformationClass.TokenIntegrityLevel)!).Sid);
    }

    [Fact]
    public void Policy_and_origin_need_SeTcbPrivilege_and_the_origin_is_set_once()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.AdjustDefault, out var h));
        Assert.Equal(NtStatus.PrivilegeNotHeld, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenMandatoryPolicy, MandatoryPolicy.Off));
        Assert.Equal(NtStatus.PrivilegeNotHeld, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenOrigin, new Luid(0x3E7, 0)));
        var given = KernelFixtures.Give(system, alice, h, system.SystemProcess);
        var sys = system.SystemProcess.Threads[0].Nt;
        Assert.Equal(NtStatus.Success, sys.NtSetInformationToken(given, TokenInformationClass.TokenMandatoryPolicy, MandatoryPolicy.Off));
        Assert.Equal(MandatoryPolicy.Off, Query(t, h, TokenInformationClass.TokenMandatoryPolicy));
        Assert.Equal(NtStatus.Success, sys.NtSetInformationToken(given, TokenInformationClass.TokenOrigin, new Luid(0x3E7, 0)));
        Assert.Equal(NtStatus.Success, sys.NtSetInformationToken(given, TokenInformationClass.TokenOrigin, new Luid(0x3E5, 0)));
        Assert.Equal(new Luid(0x3E7, 0), Query(t, h, TokenInformationClass.TokenOrigin));
    }

    [Fact]
    public void Classes_that_cannot_be_set_are_refused()
    {
        var (t, h) = AliceToken(TokenAccessRights.AllAccess);
        var before = t.Process.PrimaryToken.Token;
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenElevationType, TokenElevationType.Full));
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenElevation, true));
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenUser, new SidAndAttributes(KernelFixtures.Bob, GroupAttributes.None)));
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenType, TokenType.Impersonation));
        Assert.Equal(NtStatus.InvalidInfoClass, t.Nt.NtSetInformationToken(h, (TokenInformationClass)0xa0a, null, 0));
        Assert.Same(before, t.Process.PrimaryToken.Token);
    }

    [Fact]
    public void The_buffer_is_probed_first_the_length_checked_after_the_handle()
    {
        var (t, h) = AliceToken(TokenAccessRights.AdjustDefault);
        Assert.Equal(NtStatus.AccessViolation, t.Nt.NtSetInformationToken(NtHandle.Null, TokenInformationClass.TokenOwner, null, 8));
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtSetInformationToken(NtHandle.Null, TokenInformationClass.TokenOwner, null, 0));
        Assert.Equal(NtStatus.InfoLengthMismatch, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, null, 0));
        Assert.Equal(NtStatus.InfoLengthMismatch, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenIntegrityLevel, WellKnownSids.LowIntegrity, 8));
        Assert.Equal(NtStatus.InfoLengthMismatch, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, KernelFixtures.Alice, 4));
        Assert.Equal(NtStatus.Success, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, KernelFixtures.Alice, 8));
        Assert.Equal(NtStatus.AccessViolation, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenOwner, KernelFixtures.Alice, -1));
        // A class that cannot be set is refused whatever the length.
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenElevation, null, 0));
        // SetTokenInformation: the same order, as Win32 errors.
        Assert.False(t.Win32.SetTokenInformation(NtHandle.Null, TokenInformationClass.TokenOwner, null, 0));
        Assert.Equal(6, t.Win32.GetLastError());
        Assert.False(t.Win32.SetTokenInformation(h, TokenInformationClass.TokenMandatoryPolicy, MandatoryPolicy.Off, 2));
        Assert.Equal(24, t.Win32.GetLastError());
        Assert.False(t.Win32.SetTokenInformation(h, TokenInformationClass.TokenMandatoryPolicy, null, 4));
        Assert.Equal(998, t.Win32.GetLastError());
        // The handle's access is checked before the length: a session ID needs TOKEN_ADJUST_SESSIONID too.
        Assert.False(t.Win32.SetTokenInformation(h, TokenInformationClass.TokenSessionId, 1u, 2));
        Assert.Equal(5, t.Win32.GetLastError());
    }

    [Fact]
    public void Tokens_compare_equal_when_they_have_the_same_SIDs_restrictions_and_privileges()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var h));
        KernelFixtures.Check(t.Nt.NtDuplicateToken(h, 0, null, false, TokenType.Impersonation, out var copy));
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(h, copy, out bool equal));
        Assert.True(equal);
        // Making a group deny-only changes what AccessCheck does with it: not equal (decided, as for privilege state).
        KernelFixtures.Check(t.Nt.NtFilterToken(h, FilterTokenFlags.None, [new SidAndAttributes(WellKnownSids.BuiltinUsers, GroupAttributes.None)], null, null, out var denyOnly));
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(h, denyOnly, out equal));
        Assert.False(equal);
        KernelFixtures.Check(t.Nt.NtFilterToken(h, FilterTokenFlags.None, null, [Privileges.ChangeNotify], null, out var fewer));
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(h, fewer, out equal));
        Assert.False(equal);
        KernelFixtures.Check(t.Nt.NtFilterToken(h, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, GroupAttributes.None)], out var restricted));
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(h, restricted, out equal));
        Assert.False(equal);

        KernelFixtures.Check(bob.Threads[0].Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var bobToken));
        var bobs = KernelFixtures.Give(system, bob, bobToken, alice);
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(h, bobs, out equal));
        Assert.False(equal);

        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var noQuery));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtCompareTokens(h, noQuery, out _));
        Assert.Equal(NtStatus.AccessViolation, t.Nt.NtCompareTokens(h, h, (StrongBox<bool>?)null));
    }

    [Fact]
    public void NtCreateToken_needs_SeCreateTokenPrivilege()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var template = KernelFixtures.UserBuilder(KernelFixtures.Bob, KernelFixtures.BobLogon, 0x1002);
        Assert.Equal(NtStatus.PrivilegeNotHeld, alice.Threads[0].Nt.NtCreateToken(out var none, TokenAccessRights.AllAccess, null, template));
        Assert.True(none.IsNull);

        var sys = system.SystemProcess.Threads[0];
        Assert.Equal(NtStatus.Success, sys.Nt.NtCreateToken(out var h, AccessMask.MaximumAllowed, null, template));
        Assert.Equal(KernelFixtures.Bob, ((SidAndAttributes)Query(sys, h, TokenInformationClass.TokenUser)!).Sid);
        Assert.Equal(NtStatus.Success, sys.Nt.NtQueryObject(h, out var info));
        Assert.Equal(TokenAccessRights.AllAccess, info.GrantedAccess);

        var impersonation = KernelFixtures.UserBuilder(KernelFixtures.Bob, KernelFixtures.BobLogon, 0x1002);
        impersonation.Type = TokenType.Impersonation;
        var oa = new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(SecurityImpersonationLevel.Identification));
        Assert.Equal(NtStatus.Success, sys.Nt.NtCreateToken(out var imp, TokenAccessRights.Query, oa, impersonation));
        Assert.Equal(SecurityImpersonationLevel.Identification, Query(sys, imp, TokenInformationClass.TokenImpersonationLevel));

        var badOwner = KernelFixtures.UserBuilder(KernelFixtures.Bob, KernelFixtures.BobLogon, 0x1002);
        badOwner.Owner = WellKnownSids.BuiltinAdministrators;
        Assert.Equal(NtStatus.InvalidOwner, sys.Nt.NtCreateToken(out _, TokenAccessRights.AllAccess, null, badOwner));
        var badGroup = KernelFixtures.UserBuilder(KernelFixtures.Bob, KernelFixtures.BobLogon, 0x1002);
        badGroup.PrimaryGroup = WellKnownSids.BuiltinAdministrators;
        Assert.Equal(NtStatus.InvalidPrimaryGroup, sys.Nt.NtCreateToken(out _, TokenAccessRights.AllAccess, null, badGroup));

        // A disabled SeCreateTokenPrivilege is not enough.
        var holder = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001).AddPrivilege("SeCreateTokenPrivilege", PrivilegeAttributes.None).Build();
        Assert.Equal(NtStatus.PrivilegeNotHeld, system.CreateProcess(holder).Threads[0].Nt.NtCreateToken(out _, TokenAccessRights.AllAccess, null, template));
    }

    [Fact]
    public void NtPrivilegeCheck_takes_a_primary_token_or_an_impersonation_token_at_identification_or_above()
    {
        var (t, h) = AliceToken(TokenAccessRights.Query | TokenAccessRights.Duplicate);
        var shutdown = Privilege.Create("SeShutdownPrivilege", PrivilegeAttributes.None).Luid;
        Assert.Equal(NtStatus.Success, t.Nt.NtPrivilegeCheck(h, [Privileges.ChangeNotify], true, out bool primary));
        Assert.True(primary);
        Assert.Equal(NtStatus.Success, t.Nt.NtPrivilegeCheck(h, [shutdown], true, out primary));
        Assert.False(primary);
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var noQuery));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtPrivilegeCheck(noQuery, [Privileges.ChangeNotify], true, out _));
        KernelFixtures.Check(t.Nt.NtDuplicateToken(h, TokenAccessRights.Query, new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(SecurityImpersonationLevel.Anonymous)), false, TokenType.Impersonation, out var anonymous));
        Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtPrivilegeCheck(anonymous, [Privileges.ChangeNotify], true, out _));
        KernelFixtures.Check(t.Nt.NtDuplicateToken(h, TokenAccessRights.Query, new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(SecurityImpersonationLevel.Identification)), false, TokenType.Impersonation, out var ident));
        Assert.Equal(NtStatus.Success, t.Nt.NtPrivilegeCheck(ident, [Privileges.ChangeNotify, shutdown], true, out bool all));
        Assert.False(all);
        Assert.Equal(NtStatus.Success, t.Nt.NtPrivilegeCheck(ident, [Privileges.ChangeNotify, shutdown], false, out bool any));
        Assert.True(any);
        Assert.True(t.Win32.PrivilegeCheck(ident, [Privileges.ChangeNotify], true, out bool one));
        Assert.True(one);
    }

    [Fact]
    public void NtAccessCheck_over_a_handle_needs_TOKEN_QUERY_and_an_impersonation_token()
    {
        var (t, h) = AliceToken(TokenAccessRights.Query | TokenAccessRights.Duplicate);
        var sd = SddlParser.Parse("O:BAG:BAD:(A;;KR;;;BU)");
        var key = ObjectTypes.Key.GenericMapping;
        Assert.Equal(NtStatus.NoImpersonationToken, t.Nt.NtAccessCheck(sd, h, 0x20019, key, out _, out _));
        KernelFixtures.Check(t.Nt.NtDuplicateToken(h, TokenAccessRights.Impersonate, new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(SecurityImpersonationLevel.Identification)), false, TokenType.Impersonation, out var noQuery));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtAccessCheck(sd, noQuery, 0x20019, key, out _, out _));
        KernelFixtures.Check(t.Nt.NtDuplicateToken(h, TokenAccessRights.Query, new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(SecurityImpersonationLevel.Identification)), false, TokenType.Impersonation, out var client));
        Assert.Equal(NtStatus.Success, t.Nt.NtAccessCheck(sd, client, 0x20019, key, out uint granted, out var access));
        Assert.Equal((0x20019u, NtStatus.Success), (granted, access));
        Assert.Equal(NtStatus.Success, t.Nt.NtAccessCheck(sd, client, 0x20006, key, out granted, out access));
        Assert.Equal((0u, NtStatus.AccessDenied), (granted, access));
        // With the C pointers: a short privilege set is reported with the length it needs.
        var length = new StrongBox<int>(4);
        Assert.Equal(NtStatus.BufferTooSmall, t.Nt.NtAccessCheck(sd, client, 0x20019, key, new PrivilegeSetBuffer(), length, out _, out _));
        Assert.Equal(PrivilegeSetBuffer.MinimumLength, length.Value);
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtAccessCheck(sd, noQuery, 0x20019, key, new PrivilegeSetBuffer(), length, out _, out _));
        Assert.True(t.Win32.AccessCheck(sd, client, 0x20006, key, out _, out bool ok));
        Assert.False(ok);
        Assert.Equal(5, t.Win32.GetLastError());
    }

    /// <summary>
    /// ReactOS' NtCompareTokens test, which passes on Windows: a process token equals its SecurityIdentification
    /// duplicate (type and level are not compared) until AdjustTokenPrivileges(DisableAllPrivileges) runs on one.
    /// </summary>
    [Fact]
    public void A_token_differs_from_its_duplicate_once_its_privileges_are_disabled()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.AdjustPrivileges | TokenAccessRights.Duplicate, out var process));
        Assert.True(t.Win32.DuplicateToken(process, SecurityImpersonationLevel.Identification, out var duplicate));
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(process, process, out bool equal));
        Assert.True(equal);
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(process, duplicate, out equal));
        Assert.True(equal);

        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustPrivilegesToken(process, true, null));
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(process, duplicate, out equal));
        Assert.False(equal);
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(duplicate, process, out equal));
        Assert.False(equal);

        // Enabling it again makes them equal again: the state counts, not the history.
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustPrivilegesToken(process, false, [Privilege.Create("SeChangeNotifyPrivilege", PrivilegeAttributes.Enabled)]));
        Assert.Equal(NtStatus.Success, t.Nt.NtCompareTokens(process, duplicate, out equal));
        Assert.True(equal);
    }

    [Fact]
    public void TokenComparison_compares_what_the_access_check_uses()
    {
        var alice = KernelFixtures.AliceToken();
        Assert.True(TokenComparison.AreEquivalent(alice, KernelFixtures.AliceToken()));
        var b = alice.ToBuilder();
        b.Type = TokenType.Impersonation;
        b.ImpersonationLevel = SecurityImpersonationLevel.Delegation;
        b.Owner = KernelFixtures.Alice;
        b.DefaultDacl = null;
        Assert.True(TokenComparison.AreEquivalent(alice, b.Build()));

        b = alice.ToBuilder();
        b.IntegrityLevel = WellKnownSids.LowIntegrity;
        Assert.False(TokenComparison.AreEquivalent(alice, b.Build()));
        b = alice.ToBuilder();
        b.WriteRestricted = true;
        b.RestrictedSids.Add(new SidAndAttributes(WellKnownSids.World, GroupAttributes.Enabled | GroupAttributes.EnabledByDefault | GroupAttributes.Mandatory));
        Assert.False(TokenComparison.AreEquivalent(alice, b.Build()));
    }
}
