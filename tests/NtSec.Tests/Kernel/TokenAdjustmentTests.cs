using NtSec.Win32;
using System.Collections.Immutable;
using global::NtSec;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Tokens;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>NtAdjustPrivilegesToken and NtAdjustGroupsToken.</summary>
public class TokenAdjustmentTests
{
    private static readonly Luid Shutdown = Privilege.Create("SeShutdownPrivilege", PrivilegeAttributes.None).Luid;
    private static readonly Luid Undock = Privilege.Create("SeUndockPrivilege", PrivilegeAttributes.None).Luid;
    private static readonly Sid Optional = Sid.Parse("S-1-5-21-1111-2222-3333-2001");
    private static readonly Sid DenyOnly = Sid.Parse("S-1-5-21-1111-2222-3333-2002");

    /// <summary>Alice's process with an optional (disabled-by-default-able) group and a deny-only group, and a token handle.</summary>
    private static (ThreadObject Thread, NtHandle Token) Alice(uint access)
    {
        var b = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001)
            .AddGroup(Optional, GroupAttributes.EnabledByDefault | GroupAttributes.Enabled)
            .AddGroup(DenyOnly, GroupAttributes.UseForDenyOnly);
        var t = new EmulatedSystem().CreateProcess(b.Build()).Threads[0];
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, access, out var h));
        return (t, h);
    }

    private static Token Current(ThreadObject t) => t.Process.PrimaryToken.Token;

    private static GroupAttributes GroupOf(ThreadObject t, Sid sid) => Current(t).Groups.Single(g => g.Sid == sid).Attributes;

    [Fact]
    public void Privileges_are_enabled_and_disabled_and_the_previous_state_lists_what_changed()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustPrivileges | TokenAccessRights.Query);
        var previous = new List<Privilege>();
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustPrivilegesToken(h, false, [new Privilege(Shutdown, PrivilegeAttributes.Enabled), new Privilege(Privileges.ChangeNotify, PrivilegeAttributes.Enabled)], previous));
        Assert.True(Current(t).IsPrivilegeEnabled(Shutdown));
        // ChangeNotify was enabled already: only Shutdown changed.
        Assert.Equal([Shutdown], previous.Select(p => p.Luid));
        Assert.False(previous[0].IsEnabled);

        // Putting the previous state back undoes the change.
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustPrivilegesToken(h, false, previous));
        Assert.False(Current(t).IsPrivilegeEnabled(Shutdown));
        Assert.True(Current(t).HasPrivilege(Shutdown));
    }

    [Fact]
    public void A_privilege_the_token_lacks_is_STATUS_NOT_ALL_ASSIGNED_and_the_others_still_change()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustPrivileges);
        var status = t.Nt.NtAdjustPrivilegesToken(h, false, [new Privilege(Privileges.Debug, PrivilegeAttributes.Enabled), new Privilege(Undock, PrivilegeAttributes.Enabled)]);
        Assert.Equal(NtStatus.NotAllAssigned, status);
        Assert.True(status.IsSuccess);
        Assert.True(Current(t).IsPrivilegeEnabled(Undock));
        Assert.False(Current(t).HasPrivilege(Privileges.Debug));
        // AdjustTokenPrivileges: TRUE, with ERROR_NOT_ALL_ASSIGNED in the last error.
        Assert.True(t.Win32.AdjustTokenPrivileges(h, false, [new Privilege(Privileges.Tcb, PrivilegeAttributes.Enabled)]));
        Assert.Equal(1300, t.Win32.GetLastError());
        Assert.True(t.Win32.AdjustTokenPrivileges(h, false, [new Privilege(Undock, PrivilegeAttributes.None)]));
        Assert.Equal(0, t.Win32.GetLastError());
    }

    [Fact]
    public void A_removed_privilege_is_gone_for_good()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustPrivileges | TokenAccessRights.Query);
        var previous = new List<Privilege>();
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustPrivilegesToken(h, false, [new Privilege(Privileges.ChangeNotify, PrivilegeAttributes.Removed)], previous));
        Assert.False(Current(t).HasPrivilege(Privileges.ChangeNotify));
        Assert.Equal([Privileges.ChangeNotify], previous.Select(p => p.Luid));
        Assert.Equal(NtStatus.NotAllAssigned, t.Nt.NtAdjustPrivilegesToken(h, false, [new Privilege(Privileges.ChangeNotify, PrivilegeAttributes.Enabled)]));
        Assert.False(Current(t).HasPrivilege(Privileges.ChangeNotify));
        KernelFixtures.Check(t.Nt.NtQueryInformationToken(h, TokenInformationClass.TokenPrivileges, out var privileges));
        Assert.DoesNotContain((ImmutableArray<Privilege>)privileges!, p => p.Luid == Privileges.ChangeNotify);
    }

    [Fact]
    public void Disable_all_disables_every_privilege_and_ignores_the_new_state()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustPrivileges | TokenAccessRights.Query);
        KernelFixtures.Check(t.Nt.NtAdjustPrivilegesToken(h, false, [new Privilege(Shutdown, PrivilegeAttributes.Enabled)]));
        var previous = new List<Privilege>();
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustPrivilegesToken(h, true, [new Privilege(Undock, PrivilegeAttributes.Enabled)], previous));
        Assert.All(Current(t).Privileges, p => Assert.False(p.IsEnabled));
        Assert.Equal(3, Current(t).Privileges.Length);
        Assert.Equal(new[] { Privileges.ChangeNotify.Value, Shutdown.Value }.Order(), previous.Select(p => p.Luid.Value).Order());
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustPrivilegesToken(h, true, null));
    }

    [Fact]
    public void Adjusting_privileges_needs_the_rights_and_a_new_state()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustPrivileges);
        Assert.Equal(NtStatus.InvalidParameter, t.Nt.NtAdjustPrivilegesToken(h, false, null));
        // The previous state needs TOKEN_QUERY too.
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtAdjustPrivilegesToken(h, false, [new Privilege(Shutdown, PrivilegeAttributes.Enabled)], []));
        Assert.False(Current(t).IsPrivilegeEnabled(Shutdown));
        KernelFixtures.Check(t.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var query));
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtAdjustPrivilegesToken(query, false, [new Privilege(Shutdown, PrivilegeAttributes.Enabled)]));
        Assert.False(t.Win32.AdjustTokenPrivileges(query, false, [new Privilege(Shutdown, PrivilegeAttributes.Enabled)]));
        Assert.Equal(5, t.Win32.GetLastError());
        Assert.Equal(NtStatus.InvalidHandle, t.Nt.NtAdjustPrivilegesToken(NtHandle.Null, true, null));
    }

    [Fact]
    public void Adjusting_changes_the_ModifiedId_but_not_the_TokenId()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustPrivileges | TokenAccessRights.AdjustGroups);
        var before = Current(t);
        KernelFixtures.Check(t.Nt.NtAdjustPrivilegesToken(h, false, [new Privilege(Shutdown, PrivilegeAttributes.Enabled)]));
        var afterPrivileges = Current(t);
        Assert.Equal(before.TokenId, afterPrivileges.TokenId);
        Assert.NotEqual(before.ModifiedId, afterPrivileges.ModifiedId);
        KernelFixtures.Check(t.Nt.NtAdjustGroupsToken(h, false, [new SidAndAttributes(Optional, GroupAttributes.None)]));
        Assert.NotEqual(afterPrivileges.ModifiedId, Current(t).ModifiedId);
        // A call that changes nothing keeps it.
        var unchanged = Current(t).ModifiedId;
        KernelFixtures.Check(t.Nt.NtAdjustPrivilegesToken(h, false, [new Privilege(Shutdown, PrivilegeAttributes.Enabled)]));
        Assert.Equal(unchanged, Current(t).ModifiedId);
    }

    [Fact]
    public void Groups_are_disabled_and_enabled_with_the_previous_state()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustGroups | TokenAccessRights.Query);
        var previous = new List<SidAndAttributes>();
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustGroupsToken(h, false, [new SidAndAttributes(Optional, GroupAttributes.None)], previous));
        Assert.Equal(GroupAttributes.EnabledByDefault, GroupOf(t, Optional));
        Assert.False(Current(t).CheckMembership(Optional));
        Assert.Equal([Optional], previous.Select(g => g.Sid));
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustGroupsToken(h, false, [new SidAndAttributes(Optional, GroupAttributes.Enabled)]));
        Assert.True(Current(t).CheckMembership(Optional));
    }

    [Fact]
    public void A_mandatory_group_cannot_be_disabled_and_a_deny_only_group_cannot_be_enabled_and_nothing_changes()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustGroups);
        var before = Current(t);
        Assert.Equal(NtStatus.CantDisableMandatory, t.Nt.NtAdjustGroupsToken(h, false, [new SidAndAttributes(Optional, GroupAttributes.None), new SidAndAttributes(WellKnownSids.World, GroupAttributes.None)]));
        Assert.Same(before, Current(t));
        Assert.Equal(NtStatus.CantEnableDenyOnly, t.Nt.NtAdjustGroupsToken(h, false, [new SidAndAttributes(Optional, GroupAttributes.None), new SidAndAttributes(DenyOnly, GroupAttributes.Enabled)]));
        Assert.Same(before, Current(t));
        Assert.False(t.Win32.AdjustTokenGroups(h, false, [new SidAndAttributes(DenyOnly, GroupAttributes.Enabled)]));
        Assert.Equal(629, t.Win32.GetLastError());
        Assert.False(t.Win32.AdjustTokenGroups(h, false, [new SidAndAttributes(WellKnownSids.World, GroupAttributes.None)]));
        Assert.Equal(1310, t.Win32.GetLastError());
    }

    [Fact]
    public void A_group_the_token_lacks_is_STATUS_NOT_ALL_ASSIGNED()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustGroups);
        Assert.Equal(NtStatus.NotAllAssigned, t.Nt.NtAdjustGroupsToken(h, false, [new SidAndAttributes(KernelFixtures.Bob, GroupAttributes.None), new SidAndAttributes(Optional, GroupAttributes.None)]));
        Assert.False(Current(t).CheckMembership(Optional));
        // The integrity label is not a group that can be adjusted.
        Assert.Equal(NtStatus.NotAllAssigned, t.Nt.NtAdjustGroupsToken(h, false, [new SidAndAttributes(WellKnownSids.MediumIntegrity, GroupAttributes.None)]));
        Assert.True(t.Win32.AdjustTokenGroups(h, false, [new SidAndAttributes(KernelFixtures.Bob, GroupAttributes.None)]));
        Assert.Equal(1300, t.Win32.GetLastError());
    }

    [Fact]
    public void Reset_to_default_restores_enabled_by_default_groups()
    {
        var (t, h) = Alice(TokenAccessRights.AdjustGroups | TokenAccessRights.Query);
        KernelFixtures.Check(t.Nt.NtAdjustGroupsToken(h, false, [new SidAndAttributes(Optional, GroupAttributes.None)]));
        var previous = new List<SidAndAttributes>();
        Assert.Equal(NtStatus.Success, t.Nt.NtAdjustGroupsToken(h, true, null, previous));
        Assert.True(Current(t).CheckMembership(Optional));
        Assert.Equal([Optional], previous.Select(g => g.Sid));
        // Deny-only and mandatory groups are left as they are.
        Assert.Equal(GroupAttributes.UseForDenyOnly, GroupOf(t, DenyOnly));
    }

    [Fact]
    public void Adjusting_groups_needs_TOKEN_ADJUST_GROUPS_and_a_new_state()
    {
        var (t, h) = Alice(TokenAccessRights.Duplicate);
        Assert.Equal(NtStatus.AccessDenied, t.Nt.NtAdjustGroupsToken(h, true, null));
        var (t2, h2) = Alice(TokenAccessRights.AdjustGroups);
        Assert.Equal(NtStatus.InvalidParameter, t2.Nt.NtAdjustGroupsToken(h2, false, null));
        Assert.Equal(NtStatus.AccessDenied, t2.Nt.NtAdjustGroupsToken(h2, true, null, []));
        Assert.Equal(NtStatus.Success, t2.Nt.NtAdjustGroupsToken(h2, true, null));
    }
}
