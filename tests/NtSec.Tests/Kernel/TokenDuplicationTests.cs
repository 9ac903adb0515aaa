using NtSec.Win32;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using global::NtSec;
using global::NtSec.Authorization;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Sddl;
using global::NtSec.Tokens;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>NtDuplicateToken and NtFilterToken on handles.</summary>
public class TokenDuplicationTests
{
    private static (ThreadObject Thread, NtHandle Token) AliceWithToken(uint access = TokenAccessRights.Query | TokenAccessRights.Duplicate)
    {
        var t = KernelFixtures.Machine().Alice.Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, access, out var h));
        return (t, h);
    }

    private static T Query<T>(ThreadObject t, NtHandle h, TokenInformationClass c)
    {
        KernelFixtures.Check(t.Nt.NtQueryInformationToken(h, c, out var value));
        return (T)value!;
    }

    private static ObjectAttributes Qos(SecurityImpersonationLevel level, bool effectiveOnly = false) => new(SecurityQualityOfService: new SecurityQualityOfService(level, effectiveOnly));

    [Fact]
    public void Without_a_quality_of_service_the_copy_is_at_SecurityAnonymous()
    {
        var (t, h) = AliceWithToken();
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, 0, null, false, TokenType.Impersonation, out var a));
        Assert.Equal(SecurityImpersonationLevel.Anonymous, Query<SecurityImpersonationLevel>(t, a, TokenInformationClass.TokenImpersonationLevel));
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, 0, new ObjectAttributes(), false, TokenType.Impersonation, out var b));
        Assert.Equal(SecurityImpersonationLevel.Anonymous, Query<SecurityImpersonationLevel>(t, b, TokenInformationClass.TokenImpersonationLevel));
        foreach (var level in Enum.GetValues<SecurityImpersonationLevel>())
        {
            Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, 0, Qos(level), false, TokenType.Impersonation, out var c));
            Assert.Equal(level, Query<SecurityImpersonationLevel>(t, c, TokenInformationClass.TokenImpersonationLevel));
        }
    }

    [Fact]
    public void An_impersonation_token_cannot_be_raised_and_only_Impersonation_or_above_becomes_primary()
    {
        var (t, h) = AliceWithToken();
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, TokenAccessRights.Duplicate | TokenAccessRights.Query, Qos(SecurityImpersonationLevel.Identification), false, TokenType.Impersonation, out var ident));
        Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtDuplicateToken(ident, 0, Qos(SecurityImpersonationLevel.Impersonation), false, TokenType.Impersonation, out var raised));
        Assert.True(raised.IsNull);
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(ident, 0, Qos(SecurityImpersonationLevel.Identification), false, TokenType.Impersonation, out _));
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(ident, 0, Qos(SecurityImpersonationLevel.Anonymous), false, TokenType.Impersonation, out _));
        // Identification to primary fails whatever level is asked; Impersonation to primary works.
        Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtDuplicateToken(ident, 0, Qos(SecurityImpersonationLevel.Identification), false, TokenType.Primary, out _));
        Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtDuplicateToken(ident, 0, null, false, TokenType.Primary, out _));
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, TokenAccessRights.Duplicate | TokenAccessRights.Query, Qos(SecurityImpersonationLevel.Impersonation), false, TokenType.Impersonation, out var imp));
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(imp, 0, Qos(SecurityImpersonationLevel.Impersonation), false, TokenType.Primary, out var primary));
        Assert.Equal(TokenType.Primary, Query<TokenType>(t, primary, TokenInformationClass.TokenType));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var (t, h) = AliceWithToken();
        Assert.Equal(NtStatus.AccessViolation, t.Nt.NtDuplicateToken(h, 0, null, false, TokenType.Primary, (StrongBox<NtHandle>?)null));
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtDuplicateToken(h, 0, null, false, (TokenType)3, out _));
        Assert.Equal(NtStatus.BadImpersonationLevel, t.Nt.NtDuplicateToken(h, 0, Qos((SecurityImpersonationLevel)7), false, TokenType.Impersonation, out _));
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtDuplicateToken(h, 0, new ObjectAttributes(Attributes: (HandleAttributes)0x8000), false, TokenType.Primary, out _));
        Assert.Equal(NtStatus.ObjectTypeMismatch, t.Nt.NtDuplicateToken(NtHandle.CurrentThread, 0, null, false, TokenType.Primary, out _));
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var queryOnly));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtDuplicateToken(queryOnly, 0, null, false, TokenType.Primary, out _));
    }

    [Fact]
    public void The_copy_has_a_new_TokenId_and_the_same_ModifiedId_and_logon_session()
    {
        var (t, h) = AliceWithToken();
        var source = Query<TokenStatistics>(t, h, TokenInformationClass.TokenStatistics);
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, 0, Qos(SecurityImpersonationLevel.Impersonation), false, TokenType.Primary, out var copy));
        var dup = Query<TokenStatistics>(t, copy, TokenInformationClass.TokenStatistics);
        Assert.NotEqual(source.TokenId, dup.TokenId);
        Assert.Equal(source.ModifiedId, dup.ModifiedId);
        Assert.Equal(source.AuthenticationId, dup.AuthenticationId);
        Assert.Equal((source.GroupCount, source.PrivilegeCount), (dup.GroupCount, dup.PrivilegeCount));
        // tok-25: a primary copy reports the level it was made at; the process token reports SecurityAnonymous.
        Assert.Equal(SecurityImpersonationLevel.Impersonation, dup.ImpersonationLevel);
        Assert.Equal(SecurityImpersonationLevel.Anonymous, source.ImpersonationLevel);
        // The copy is a separate token: adjusting it changes its ModifiedId, not the source's.
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, TokenAccessRights.AdjustPrivileges | TokenAccessRights.Query, Qos(SecurityImpersonationLevel.Impersonation), false, TokenType.Primary, out var adjustable));
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustPrivilegesToken(adjustable, true, null));
        Assert.NotEqual(source.ModifiedId, Query<TokenStatistics>(t, adjustable, TokenInformationClass.TokenStatistics).ModifiedId);
        Assert.Equal(source.ModifiedId, Query<TokenStatistics>(t, h, TokenInformationClass.TokenStatistics).ModifiedId);
        Assert.True(t.Process.PrimaryToken.Token.IsPrivilegeEnabled(Privileges.ChangeNotify));
    }

    [Fact]
    public void EffectiveOnly_drops_disabled_groups_and_privileges()
    {
        // A token with a disabled group (the fixture's groups are all mandatory and enabled) and two disabled privileges.
        var b = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001).AddGroup(Sid.Parse("S-1-5-21-1111-2222-3333-2000"), GroupAttributes.EnabledByDefault);
        var t = new EmulatedSystem().CreateProcess(b.Build()).Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var h));

        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, 0, Qos(SecurityImpersonationLevel.Impersonation), true, TokenType.Impersonation, out var effective));
        var groups = Query<ImmutableArray<SidAndAttributes>>(t, effective, TokenInformationClass.TokenGroups);
        var privileges = Query<ImmutableArray<Privilege>>(t, effective, TokenInformationClass.TokenPrivileges);
        Assert.DoesNotContain(groups, g => g.Sid == Sid.Parse("S-1-5-21-1111-2222-3333-2000"));
        Assert.All(privileges, p => Assert.True(p.IsEnabled));
        Assert.Contains(privileges, p => p.Luid == Privileges.ChangeNotify);
        // The integrity label is still there.
        Assert.Contains(groups, g => (g.Attributes & GroupAttributes.Integrity) != 0);

        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, 0, Qos(SecurityImpersonationLevel.Impersonation), false, TokenType.Impersonation, out var whole));
        Assert.Contains(Query<ImmutableArray<SidAndAttributes>>(t, whole, TokenInformationClass.TokenGroups), g => g.Sid == Sid.Parse("S-1-5-21-1111-2222-3333-2000"));
        Assert.Equal(3, Query<ImmutableArray<Privilege>>(t, whole, TokenInformationClass.TokenPrivileges).Length);
    }

    [Fact]
    public void The_new_handle_has_the_access_asked_for_or_the_source_handle_access_for_zero()
    {
        var (t, h) = AliceWithToken();
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, 0, null, false, TokenType.Primary, out var same));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(same, out var info));
        Assert.Equal(TokenAccessRights.Query | TokenAccessRights.Duplicate, info.GrantedAccess);
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, AccessMask.GenericRead, null, false, TokenType.Primary, out var read));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(read, out info));
        Assert.Equal(TokenAccessRights.Read, info.GrantedAccess);
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, AccessMask.MaximumAllowed, null, false, TokenType.Primary, out var max));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(max, out info));
        Assert.Equal(TokenAccessRights.AllAccess, info.GrantedAccess);
    }

    [Fact]
    public void The_copy_gets_the_descriptor_given_or_the_callers_default()
    {
        var (t, h) = AliceWithToken();
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, 0, null, false, TokenType.Primary, out var plain));
        var plainObject = (TokenObject)t.Process.GetHandles().Single(e => e.Handle == plain).Entry.Object;
        Assert.Equal(KernelFixtures.Alice, plainObject.SecurityDescriptor.Owner);
        Assert.Contains(plainObject.SecurityDescriptor.Dacl!.Aces, a => a.Sid == KernelFixtures.Alice && a.Mask == TokenAccessRights.AllAccess);

        var locked = SddlParser.Parse("D:(A;;GR;;;SY)");
        Assert.Equal(NtStatus.Success, t.Nt.NtDuplicateToken(h, 0, new ObjectAttributes(SecurityDescriptor: locked), false, TokenType.Primary, out var copy));
        var lockedObject = (TokenObject)t.Process.GetHandles().Single(e => e.Handle == copy).Entry.Object;
        Assert.Equal(TokenAccessRights.Read, lockedObject.SecurityDescriptor.Dacl!.Aces.Single().Mask);
        // The owner and group the descriptor left out come from the caller's token.
        Assert.Equal(KernelFixtures.Alice, lockedObject.SecurityDescriptor.Owner);
        Assert.Equal(KernelFixtures.DomainUsers, lockedObject.SecurityDescriptor.Group);
    }

    [Fact]
    public void NtFilterToken_keeps_the_source_handle_access_and_makes_a_restricted_token()
    {
        var (t, h) = AliceWithToken(TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AssignPrimary);
        Assert.False(t.Win32.IsTokenRestricted(h));
        Assert.Equal(NtStatus.Success, t.Nt.NtFilterToken(h, FilterTokenFlags.DisableMaxPrivilege, [new SidAndAttributes(WellKnownSids.BuiltinUsers, GroupAttributes.None)], null, [new SidAndAttributes(WellKnownSids.Restricted, GroupAttributes.None)], out var restricted));
        Assert.Equal(NtStatus.Success, t.Nt.NtQueryObject(restricted, out var info));
        Assert.Equal(TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AssignPrimary, info.GrantedAccess);
        Assert.True(t.Win32.IsTokenRestricted(restricted));
        Assert.Equal(0, t.Win32.GetLastError());
        Assert.True((bool)Query<bool>(t, restricted, TokenInformationClass.TokenIsRestricted));
        Assert.True((bool)Query<bool>(t, restricted, TokenInformationClass.TokenHasRestrictions));
        Assert.Equal([Privileges.ChangeNotify], Query<ImmutableArray<Privilege>>(t, restricted, TokenInformationClass.TokenPrivileges).Select(p => p.Luid));
        Assert.Equal(TokenType.Primary, Query<TokenType>(t, restricted, TokenInformationClass.TokenType));
        var parent = Query<TokenStatistics>(t, h, TokenInformationClass.TokenStatistics);
        var child = Query<TokenStatistics>(t, restricted, TokenInformationClass.TokenStatistics);
        Assert.NotEqual(parent.TokenId, child.TokenId);
        Assert.Equal(parent.AuthenticationId, child.AuthenticationId);
    }

    [Fact]
    public void NtFilterToken_needs_TOKEN_DUPLICATE_and_refuses_restricting_SIDs_with_attributes()
    {
        var (t, h) = AliceWithToken(TokenAccessRights.Query);
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtFilterToken(h, FilterTokenFlags.None, null, null, null, out var none));
        Assert.True(none.IsNull);
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var dup));
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtFilterToken(dup, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, GroupAttributes.Enabled)], out none));
        Assert.True(none.IsNull);
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtFilterToken(dup, (FilterTokenFlags)0x100, null, null, null, out _));
        // IsTokenRestricted needs TOKEN_QUERY: FALSE with the error set.
        Assert.Equal(NtStatus.Success, t.Nt.NtFilterToken(dup, FilterTokenFlags.None, null, null, [new SidAndAttributes(WellKnownSids.Restricted, GroupAttributes.None)], out var noQuery));
        Assert.False(t.Win32.IsTokenRestricted(noQuery));
        Assert.Equal(5, t.Win32.GetLastError());
    }

    [Fact]
    public void A_filtered_impersonation_token_stays_an_impersonation_token_at_its_level()
    {
        var (t, h) = AliceWithToken();
        KernelFixtures.Check(t.Nt.NtDuplicateToken(h, TokenAccessRights.Query | TokenAccessRights.Duplicate, Qos(SecurityImpersonationLevel.Identification), false, TokenType.Impersonation, out var ident));
        Assert.Equal(NtStatus.Success, t.Nt.NtFilterToken(ident, FilterTokenFlags.None, null, null, null, out var filtered));
        Assert.Equal(TokenType.Impersonation, Query<TokenType>(t, filtered, TokenInformationClass.TokenType));
        Assert.Equal(SecurityImpersonationLevel.Identification, Query<SecurityImpersonationLevel>(t, filtered, TokenInformationClass.TokenImpersonationLevel));
    }
}
