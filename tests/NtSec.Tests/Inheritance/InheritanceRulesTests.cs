using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Inheritance;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Inheritance;

/// <summary>The rules of docs/inheritance.md that the corpus cases do not pin alone.</summary>
public sealed class InheritanceRulesTests
{
    private static readonly Sid Alice = Sid.Parse("S-1-5-21-1-2-3-1001");
    private static readonly Sid Users = Sid.Parse("S-1-5-21-1-2-3-513");
    private static readonly GenericMapping File = ObjectTypes.File.GenericMapping;
    private static readonly GenericMapping Ds = ObjectTypes.DirectoryServiceObject.GenericMapping;
    private static readonly SecuritySubject Subject = new(Alice, Users, SddlParser.Parse($"D:(A;;GA;;;{Alice})").Dacl, [Alice]);

    private static SecurityDescriptor Create(string parent, string? creator, bool container, GenericMapping? mapping = null, IReadOnlyList<Guid>? types = null,
        AutoInheritFlags flags = AutoInheritFlags.None, SecuritySubject? subject = null)
    {
        var r = SecurityInheritance.CreatePrivateObjectSecurity(SddlParser.Parse(parent), creator is null ? null : SddlParser.Parse(creator), container,
            subject ?? Subject, mapping ?? File, types, flags);
        Assert.True(r.IsSuccess, r.Status + " " + r.Failure);
        return r.Descriptor!;
    }

    /// <summary>Microsoft's "ACE inheritance rules" table (learn.microsoft.com, secauthz/ace-inheritance-rules): the effect of each parent flag combination on child objects and child containers.</summary>
    [Theory]
    [InlineData("OI", "(A;;FR;;;WD)", "(A;OIIO;FR;;;WD)")]
    [InlineData("CI", null, "(A;CI;FR;;;WD)")]
    [InlineData("OICI", "(A;;FR;;;WD)", "(A;OICI;FR;;;WD)")]
    [InlineData("OINP", "(A;;FR;;;WD)", null)]
    [InlineData("CINP", null, "(A;;FR;;;WD)")]
    [InlineData("OICINP", "(A;;FR;;;WD)", "(A;;FR;;;WD)")]
    public void The_ACE_inheritance_rules_table(string flags, string? onObject, string? onContainer)
    {
        var parent = $"O:BAG:SYD:(A;{flags};FR;;;WD)";
        var file = Create(parent, null, false);
        var dir = Create(parent, null, true);
        var token = Subject.DefaultDacl!.Aces.Select(a => AceInheritance.StoreExplicit(a, File)).ToList();
        Assert.Equal(onObject is null ? new Acl(token) : new Acl([SddlParser.Parse("D:" + onObject).Dacl!.Aces[0]]), file.Dacl);
        Assert.Equal(onContainer is null ? new Acl(token) : new Acl([SddlParser.Parse("D:" + onContainer).Dacl!.Aces[0]]), dir.Dacl);
    }

    [Fact]
    public void OWNER_RIGHTS_is_inherited_unchanged_and_without_a_split()
    {
        var dir = Create("O:BAG:SYD:(A;OICI;0x1200a9;;;OW)", null, true);
        Assert.Equal("D:(A;OICI;0x1200a9;;;OW)", dir.ToSddlPart(SecurityInformation.Dacl));
        // With a generic right the effective copy is mapped, the SID still OWNER RIGHTS.
        var split = Create("O:BAG:SYD:(A;OICI;GR;;;OW)", null, true);
        Assert.Equal("D:(A;;FR;;;OW)(A;OICIIO;GR;;;OW)", split.ToSddlPart(SecurityInformation.Dacl));
    }

    [Fact]
    public void CREATOR_GROUP_and_the_SERVER_forms_become_the_new_group_and_owner()
    {
        var file = Create("O:BAG:SYD:(A;OI;FR;;;CG)(A;OI;FW;;;S-1-3-2)(A;OI;FX;;;S-1-3-3)", null, false);
        Assert.Equal($"D:(A;;FR;;;{Users})(A;;FW;;;{Alice})(A;;FX;;;{Users})", file.ToSddlPart(SecurityInformation.Dacl));
    }

    [Fact]
    public void Several_classes_select_an_ACE_for_any_of_them()
    {
        var user = Guid.Parse("bf967aba-0de6-11d0-a285-00aa003049e2");
        var aux = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        var parent = $"O:DAG:DAD:PAI(OA;CINP;RP;;{aux};AU)";
        var context = new SidContext(Sid.Parse("S-1-5-21-9-9-9"));
        var r = SecurityInheritance.CreatePrivateObjectSecurity(SddlParser.Parse(parent, context), null, true, Subject, Ds, [user, aux],
            AutoInheritFlags.DaclAutoInherit);
        Assert.Equal("D:AI(A;ID;RP;;;AU)", r.Descriptor!.ToSddlPart(SecurityInformation.Dacl, context));
        var other = SecurityInheritance.CreatePrivateObjectSecurity(SddlParser.Parse(parent, context), null, true, Subject, Ds, [user], AutoInheritFlags.DaclAutoInherit);
        Assert.Equal(ComponentSource.Token, other.Trace!.Dacl);
    }

    [Fact]
    public void A_protected_creator_DACL_takes_nothing_from_the_parent_even_with_auto_inherit()
    {
        var sd = Create("O:BAG:SYD:(A;OICI;FA;;;SY)", "D:P(A;;FA;;;BA)", false, flags: AutoInheritFlags.DaclAutoInherit);
        Assert.Equal("D:PAI(A;;FA;;;BA)", sd.ToSddlPart(SecurityInformation.Dacl));
        // Merged otherwise, explicit ACEs first; a creator ACE marked INHERITED_ACE is not explicit and goes.
        var merged = Create("O:BAG:SYD:(A;OICI;FA;;;SY)", "D:(A;ID;FA;;;WD)(A;;FA;;;BA)", false, flags: AutoInheritFlags.DaclAutoInherit);
        Assert.Equal("D:AI(A;;FA;;;BA)(A;ID;FA;;;SY)", merged.ToSddlPart(SecurityInformation.Dacl));
        // Without the flag (NTFS) the explicit DACL wins alone.
        Assert.Equal("D:(A;ID;FA;;;WD)(A;;FA;;;BA)", Create("O:BAG:SYD:(A;OICI;FA;;;SY)", "D:(A;ID;FA;;;WD)(A;;FA;;;BA)", false).ToSddlPart(SecurityInformation.Dacl));
    }

    [Fact]
    public void A_SACL_needs_SeSecurityPrivilege_unless_it_is_a_label_or_the_check_is_avoided()
    {
        var audit = SddlParser.Parse("S:(AU;SA;FA;;;WD)");
        var r = SecurityInheritance.CreatePrivateObjectSecurity(null, audit, false, Subject, File);
        Assert.Equal((NtStatus.PrivilegeNotHeld, InheritanceFailure.SaclNeedsSecurityPrivilege), (r.Status, r.Failure));
        Assert.True(SecurityInheritance.CreatePrivateObjectSecurity(null, audit, false, Subject, File, null, AutoInheritFlags.AvoidPrivilegeCheck).IsSuccess);
        Assert.True(SecurityInheritance.CreatePrivateObjectSecurity(null, audit, false, Subject with { SecurityPrivilege = true }, File).IsSuccess);
        Assert.True(SecurityInheritance.CreatePrivateObjectSecurity(null, SddlParser.Parse("S:(ML;;NW;;;LW)"), false, Subject, File).IsSuccess);
        // Inherited audit ACEs need no privilege.
        Assert.Equal("S:(AU;SA;FA;;;WD)", Create("O:BAG:SYS:(AU;OISA;FA;;;WD)", null, false).ToSddlPart(SecurityInformation.Sacl));
    }

    [Fact]
    public void An_owner_is_checked_against_the_token_unless_SeRestorePrivilege_or_SEF_AVOID_OWNER_CHECK()
    {
        var creator = SddlParser.Parse("O:BA");
        var r = SecurityInheritance.CreatePrivateObjectSecurity(null, creator, false, Subject, File);
        Assert.Equal((NtStatus.InvalidOwner, InheritanceFailure.OwnerNotAssignable, WellKnownSids.BuiltinAdministrators), (r.Status, r.Failure, r.FailureSid));
        Assert.Equal(OwnerCheck.RestorePrivilege, SecurityInheritance.CreatePrivateObjectSecurity(null, creator, false, Subject with { RestorePrivilege = true }, File).Trace!.OwnerCheck);
        // SeTakeOwnershipPrivilege does not let one assign another owner.
        Assert.False(SecurityInheritance.CreatePrivateObjectSecurity(null, creator, false, Subject with { TakeOwnershipPrivilege = true }, File).IsSuccess);
        Assert.Equal(OwnerCheck.NotChecked, SecurityInheritance.CreatePrivateObjectSecurity(null, creator, false, Subject, File, null, AutoInheritFlags.AvoidOwnerCheck).Trace!.OwnerCheck);
        // The same rule on a set.
        var set = SecurityInheritance.SetPrivateObjectSecurity(SddlParser.Parse($"O:{Alice}G:{Users}D:"), creator, SecurityInformation.Owner, Subject, File);
        Assert.Equal(NtStatus.InvalidOwner, set.Status);
        Assert.Equal(NtStatus.InvalidOwner, SecurityInheritance.SetPrivateObjectSecurity(SddlParser.Parse("O:BAG:BAD:"), SddlParser.Parse("D:"), SecurityInformation.Owner, Subject, File).Status);
    }

    [Fact]
    public void Owner_and_group_can_come_from_the_parent()
    {
        var sd = Create("O:BAG:SYD:", null, false, flags: AutoInheritFlags.DefaultOwnerFromParent | AutoInheritFlags.DefaultGroupFromParent);
        Assert.Equal((WellKnownSids.BuiltinAdministrators, WellKnownSids.LocalSystem), (sd.Owner, sd.Group));
        var noGroup = SecurityInheritance.CreatePrivateObjectSecurity(SddlParser.Parse("O:BA"), null, false, Subject, File, null, AutoInheritFlags.DefaultGroupFromParent);
        Assert.Equal((NtStatus.InvalidPrimaryGroup, InheritanceFailure.NoParentGroup), (noGroup.Status, noGroup.Failure));
    }

    [Fact]
    public void A_token_without_a_default_DACL_gives_no_DACL_not_a_NULL_DACL()
    {
        var sd = Create("O:BAG:SYD:(A;CI;FA;;;SY)", null, false, subject: Subject with { DefaultDacl = null });
        Assert.Equal(AclState.Absent, sd.DaclState);
    }

    [Fact]
    public void A_low_integrity_creator_labels_its_objects_with_the_SEF_MACL_policy()
    {
        var low = Subject with { IntegrityLevel = WellKnownSids.LowIntegrity };
        Assert.Equal("S:(ML;;NW;;;LW)", Create("O:BAG:SYD:", null, false, subject: low).ToSddlPart(SecurityInformation.Sacl));
        Assert.Equal("S:(ML;;NWNR;;;LW)", Create("O:BAG:SYD:", null, false, subject: low, flags: AutoInheritFlags.MaclNoWriteUp | AutoInheritFlags.MaclNoReadUp).ToSddlPart(SecurityInformation.Sacl));
        Assert.Equal(AclState.Absent, Create("O:BAG:SYD:", null, false, subject: Subject with { IntegrityLevel = WellKnownSids.MediumIntegrity }).SaclState);
    }

    [Fact]
    public void A_protected_SACL_still_merges_resource_attributes()
    {
        var parent = SddlParser.Parse("O:BAG:SYS:(AU;OISA;FA;;;WD)(RA;OI;;;;WD;(\"Project\",TS,0x0,\"x\"))");
        var r = SecurityInheritance.CreatePrivateObjectSecurity(parent, SddlParser.Parse("S:P"), false, Subject with { SecurityPrivilege = true }, File, null, AutoInheritFlags.SaclAutoInherit);
        var sacl = r.Descriptor!.Sacl!;
        Assert.Equal(AceType.SystemResourceAttribute, Assert.Single(sacl.Aces).Type);
    }

    [Fact]
    public void Set_with_auto_inherit_and_no_parent_keeps_the_current_inherited_ACEs()
    {
        var current = SddlParser.Parse("O:BAG:BAD:AI(A;;FA;;;BA)(A;ID;FR;;;WD)");
        var r = SecurityInheritance.SetPrivateObjectSecurity(current, SddlParser.Parse("D:(A;;FA;;;SY)"), SecurityInformation.Dacl, Subject, File, AutoInheritFlags.DaclAutoInherit);
        Assert.Equal("D:AI(A;;FA;;;SY)(A;ID;FR;;;WD)", r.Descriptor!.ToSddlPart(SecurityInformation.Dacl));
        // Protected: the inherited ones go.
        var p = SecurityInheritance.SetPrivateObjectSecurity(current, SddlParser.Parse("D:P(A;;FA;;;SY)"), SecurityInformation.Dacl, Subject, File, AutoInheritFlags.DaclAutoInherit);
        Assert.Equal("D:PAI(A;;FA;;;SY)", p.Descriptor!.ToSddlPart(SecurityInformation.Dacl));
    }

    [Fact]
    public void ConvertToAutoInherit_marks_what_the_parent_gives_or_protects_what_it_cannot_explain()
    {
        var parent = SddlParser.Parse("O:BAG:SYD:(A;OICI;FA;;;SY)(A;OI;FR;;;BU)");
        var old = SddlParser.Parse("O:BAG:SYD:(A;;FA;;;SY)(A;;FA;;;WD)(A;;FR;;;BU)");
        var converted = SecurityInheritance.ConvertToAutoInherit(parent, old, false, File).Descriptor!;
        Assert.Equal("D:AI(A;;FA;;;WD)(A;ID;FA;;;SY)(A;ID;FR;;;BU)", converted.ToSddlPart(SecurityInformation.Dacl));
        var edited = SddlParser.Parse("O:BAG:SYD:(A;;FA;;;SY)(A;;FA;;;WD)");
        Assert.Equal("D:PAI(A;;FA;;;SY)(A;;FA;;;WD)", SecurityInheritance.ConvertToAutoInherit(parent, edited, false, File).Descriptor!.ToSddlPart(SecurityInformation.Dacl));
    }

    [Fact]
    public void Propagation_leaves_a_protected_subtree_alone_and_reports_every_object()
    {
        var root = SddlParser.Parse("O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FR;;;BU)");
        var stale = SddlParser.Parse("O:BAG:SYD:AI(A;;FA;;;WD)(A;ID;FA;;;SY)");
        var locked = SddlParser.Parse("O:BAG:SYD:PAI(A;OICI;FA;;;BA)");
        var tree = new SecurityTreeNode("root", true, root,
        [
            SecurityTreeNode.Leaf("a.txt", false, stale),
            new SecurityTreeNode("locked", true, locked, [SecurityTreeNode.Leaf("b.txt", false, stale)]),
        ]);
        var result = Propagation.Propagate(tree, File, out var changes);
        Assert.Equal(["root\\a.txt", "root\\locked", "root\\locked\\b.txt"], changes.Select(c => c.Path));
        Assert.Equal("D:AI(A;;FA;;;WD)(A;ID;FA;;;SY)(A;ID;FR;;;BU)", result.Children[0].Descriptor.ToSddlPart(SecurityInformation.Dacl));
        Assert.True(changes[1].Protected);
        Assert.False(changes[1].Changed);
        // Below the protected folder, b.txt inherits from it (BA), not from the root.
        Assert.Equal("D:AI(A;;FA;;;WD)(A;ID;FA;;;BA)", result.Children[1].Children[0].Descriptor.ToSddlPart(SecurityInformation.Dacl));
    }

    [Fact]
    public void A_deep_tree_propagates_without_recursion()
    {
        var sd = SddlParser.Parse("O:BAG:SYD:AI(A;OICI;FA;;;SY)");
        SecurityTreeNode node = SecurityTreeNode.Leaf("leaf", false, SddlParser.Parse("O:BAG:SYD:AI"));
        var empty = SddlParser.Parse("O:BAG:SYD:AI");
        for (int i = 0; i < 5000; i++) node = new SecurityTreeNode("d" + i, true, empty, [node]);
        var result = Propagation.Propagate(node with { Descriptor = sd }, File, out var changes);
        Assert.Equal(5000, changes.Count);
        Assert.Equal("D:AI(A;ID;FA;;;SY)", changes[^1].After.ToSddlPart(SecurityInformation.Dacl));
        Assert.NotNull(result);
    }

    [Theory]
    [InlineData(0x001F01FFu, "F")]
    [InlineData(0x001301BFu, "M")]
    [InlineData(0x001200A9u, "RX")]
    [InlineData(0x00120089u, "R")]
    [InlineData(0x00100116u, "W")]
    [InlineData(0x001201BFu, "RX,W")]
    [InlineData(0x00100004u, "S,AD")]
    [InlineData(0x001B01BFu, "M,WO")]
    [InlineData(0x10000000u, "F")]
    [InlineData(0xA0000000u, "GR,GE")]
    [InlineData(0x00010000u, "DE")]
    [InlineData(0u, "N")]
    public void Icacls_rights(uint mask, string expected) => Assert.Equal(expected, IcaclsDisplay.FormatRights(mask));

    [Fact]
    public void Icacls_lines_carry_every_flag_in_order()
    {
        Assert.True(SddlParser.TryParseAce("(D;OICINPIOID;0x100116;;;WD)", null, out var ace, out _));
        Assert.Equal("Everyone:(I)(OI)(CI)(NP)(IO)(DENY)(W)", IcaclsDisplay.FormatAce(ace!));
        Assert.True(SddlParser.TryParseAce("(ML;OICI;NWNR;;;HI)", null, out var label, out _));
        Assert.Equal("Mandatory Label\\High Mandatory Level:(OI)(CI)(NW,NR)", IcaclsDisplay.FormatAce(label!));
    }

    [Fact]
    public void The_flag_names_round_trip()
    {
        foreach (var name in AutoInheritFlagNames.All)
        {
            Assert.True(AutoInheritFlagNames.TryParse(name, out var f));
            Assert.Equal([name], AutoInheritFlagNames.Format(f));
        }
        Assert.True(AutoInheritFlagNames.TryParse("dacl_auto_inherit", out var short_));
        Assert.Equal(AutoInheritFlags.DaclAutoInherit, short_);
        Assert.False(AutoInheritFlagNames.TryParse("SEF_NOPE", out _));
    }

    [Fact]
    public void Each_ACE_of_a_new_descriptor_records_the_input_ACE_it_came_from_and_what_was_done_to_it()
    {
        // A directory under a parent with a CREATOR OWNER ACE (split: effective copy for alice + inherit-only copy), a
        // plain OICI ACE (one ACE), and a creator whose explicit ACE (GA, mapped) goes first under auto-inheritance.
        var r = SecurityInheritance.CreatePrivateObjectSecurity(SddlParser.Parse("O:BAG:SYD:(A;OICI;GA;;;CO)(A;OICI;FR;;;WD)(A;;FA;;;BA)"),
            SddlParser.Parse("D:(A;;GA;;;SY)"), true, Subject, File, null, AutoInheritFlags.DaclAutoInherit);
        Assert.True(r.IsSuccess);
        Assert.Equal($"D:AI(A;;FA;;;SY)(A;ID;FA;;;{Alice})(A;OICIIOID;GA;;;CO)(A;OICIID;FR;;;WD)", r.Descriptor!.ToSddlPart(SecurityInformation.Dacl));
        Assert.Equal(ComponentSource.CreatorAndParent, r.Trace!.Dacl);
        var inherited = AceOriginChanges.MarkedInherited;
        Assert.Equal(new AceOrigin[]
        {
            new(AceOriginSource.Creator, 0, AceOriginChanges.MaskMapped),
            new(AceOriginSource.Parent, 0, AceOriginChanges.EffectiveCopy | AceOriginChanges.CreatorSidReplaced | AceOriginChanges.MaskMapped | inherited),
            new(AceOriginSource.Parent, 0, AceOriginChanges.InheritOnlyCopy | inherited),
            new(AceOriginSource.Parent, 1, AceOriginChanges.AppliesAndPropagates | inherited),
        }, r.Trace.DaclOrigins);

        // Nothing inheritable and no creator DACL: the token's default DACL; a Low creator's label is added to the SACL.
        var low = Subject with { IntegrityLevel = WellKnownSids.LowIntegrity };
        r = SecurityInheritance.CreatePrivateObjectSecurity(SddlParser.Parse("O:BAG:SYD:(A;;FA;;;BA)"), null, false, low, File);
        Assert.Equal([new AceOrigin(AceOriginSource.TokenDefaultDacl, 0, AceOriginChanges.MaskMapped)], r.Trace!.DaclOrigins);
        Assert.Equal([new AceOrigin(AceOriginSource.TokenIntegrityLabel, -1, AceOriginChanges.None)], r.Trace.SaclOrigins);
        Assert.Equal(r.Descriptor!.Dacl!.Count, r.Trace.DaclOrigins.Count);
    }
}

internal static class SddlParts
{
    public static string ToSddlPart(this SecurityDescriptor sd, SecurityInformation parts, SidContext? context = null) => SddlWriter.Format(sd, context, parts);
}
