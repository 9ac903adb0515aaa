using NtSec.Acls;
using NtSec.Principals;
using NtSec.Sddl;
using Xunit;

namespace NtSec.Tests.Descriptors;

// The ACE type table is the one declaration the codec, SDDL and the renderers read: these pin its rows against
// winnt.h and MS-DTYP written out independently here, and check that the readers follow the rows.
public sealed class AceTypeTableTests
{
    [Fact]
    public void RowsAreIndexedByValue()
    {
        Assert.Equal(0x16, AceTypes.All.Count);
        for (int i = 0; i < AceTypes.All.Count; i++)
        {
            Assert.Equal(i, AceTypes.All[i].Value);
            Assert.Same(AceTypes.All[i], AceTypes.Find((AceType)i));
        }
        Assert.Null(AceTypes.Find((AceType)0x16));
        Assert.Equal("ACE type 0x7f", AceTypes.SdkName((AceType)0x7f));
    }

    [Theory]
    [InlineData(0x00, "ACCESS_ALLOWED_ACE_TYPE", "A", AceLayout.Basic, AclKinds.Dacl)]
    [InlineData(0x02, "SYSTEM_AUDIT_ACE_TYPE", "AU", AceLayout.Basic, AclKinds.Sacl)]
    [InlineData(0x04, "ACCESS_ALLOWED_COMPOUND_ACE_TYPE", null, AceLayout.Compound, AclKinds.Dacl)]
    [InlineData(0x05, "ACCESS_ALLOWED_OBJECT_ACE_TYPE", "OA", AceLayout.Object, AclKinds.Dacl)]
    [InlineData(0x09, "ACCESS_ALLOWED_CALLBACK_ACE_TYPE", "XA", AceLayout.Callback, AclKinds.Dacl)]
    [InlineData(0x0B, "ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE", "ZA", AceLayout.CallbackObject, AclKinds.Dacl)]
    [InlineData(0x0C, "ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE", null, AceLayout.CallbackObject, AclKinds.Dacl)]
    [InlineData(0x0D, "SYSTEM_AUDIT_CALLBACK_ACE_TYPE", "XU", AceLayout.Callback, AclKinds.Sacl)]
    [InlineData(0x11, "SYSTEM_MANDATORY_LABEL_ACE_TYPE", "ML", AceLayout.MandatoryLabel, AclKinds.Sacl)]
    [InlineData(0x12, "SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE", "RA", AceLayout.ResourceAttribute, AclKinds.Sacl)]
    [InlineData(0x13, "SYSTEM_SCOPED_POLICY_ID_ACE_TYPE", "SP", AceLayout.ScopedPolicyId, AclKinds.Sacl)]
    [InlineData(0x14, "SYSTEM_PROCESS_TRUST_LABEL_ACE_TYPE", "TL", AceLayout.ProcessTrustLabel, AclKinds.Sacl)]
    [InlineData(0x15, "SYSTEM_ACCESS_FILTER_ACE_TYPE", "FL", AceLayout.AccessFilter, AclKinds.Sacl)]
    public void RowMatchesWinnt(int value, string sdkName, string? sddl, AceLayout layout, AclKinds acl)
    {
        var row = AceTypes.Find((AceType)value)!;
        Assert.Equal(sdkName, row.SdkName);
        Assert.Equal(sddl, row.SddlCode);
        Assert.Equal(layout, row.Layout);
        Assert.Equal(acl, row.AllowedIn);
    }

    [Fact]
    public void ObjectAndCallbackSetsAreWinnts()
    {
        Assert.Equal([5, 6, 7, 8, 0x0B, 0x0C, 0x0F, 0x10], AceTypes.All.Where(t => t.IsObject).Select(t => (int)t.Value));
        Assert.Equal(Enumerable.Range(9, 8), AceTypes.All.Where(t => t.IsCallback).Select(t => (int)t.Value));
        // Every object type's plain counterpart has its effect and ACL, without GUIDs.
        foreach (var t in AceTypes.All.Where(t => t.IsObject))
        {
            var plain = AceTypes.Find(t.PlainType)!;
            Assert.False(plain.IsObject);
            Assert.Equal(t.Effect, plain.Effect);
            Assert.Equal(t.AllowedIn, plain.AllowedIn);
            Assert.Equal(t.IsCallback, plain.IsCallback);
        }
    }

    [Fact]
    public void SddlReadsAndWritesEveryCodeInTheRightAcl()
    {
        foreach (var t in AceTypes.All.Where(t => t.SddlCode is not null))
        {
            string tail = t.IsCallback ? ";(Member_of {SID(BA)})" : t.Layout == AceLayout.ResourceAttribute ? ";(\"x\",TI,0x0,1)" : "";
            string mask = t.Layout is AceLayout.MandatoryLabel ? "NW" : "0x1";
            string sid = t.Layout is AceLayout.ProcessTrustLabel ? "S-1-19-512-1024" : t.Layout is AceLayout.MandatoryLabel ? "LW" : "WD";
            string ace = $"({t.SddlCode!.ToLowerInvariant()};;{mask};;;{sid}{tail})";
            string right = (t.AllowedIn == AclKinds.Dacl ? "D:" : "S:") + ace;
            string wrong = (t.AllowedIn == AclKinds.Dacl ? "S:" : "D:") + ace;
            Assert.True(SddlParser.TryParse(right, null, out var sd, out var error), $"{right}: {error}");
            var parsed = (t.AllowedIn == AclKinds.Dacl ? sd!.Dacl : sd!.Sacl)!.Aces[0];
            Assert.Equal(t.Type, parsed.Type);
            Assert.StartsWith((t.AllowedIn == AclKinds.Dacl ? "D:(" : "S:(") + t.SddlCode + ";", SddlWriter.Format(sd));
            Assert.False(SddlParser.TryParse(wrong, null, out _, out error));
            Assert.Contains($"ACE type {t.SddlCode} belongs in a", error!.Reason);
        }
    }

    [Fact]
    public void FlagNamesFollowTheType()
    {
        var flags = AceFlags.ObjectInherit | AceFlags.SuccessfulAccess;
        Assert.Equal(["OBJECT_INHERIT_ACE", "SUCCESSFUL_ACCESS_ACE_FLAG"], AceFlagTable.Set(flags, AceType.SystemAudit).Select(f => f.SdkName));
        Assert.Equal(["OBJECT_INHERIT_ACE", "TRUST_PROTECTED_FILTER_ACE_FLAG"], AceFlagTable.Set(flags, AceType.SystemAccessFilter).Select(f => f.SdkName));
        Assert.Equal("OISA", SddlWriter.FormatAceFlags(flags, AceType.SystemAudit));
        Assert.Equal("OITP", SddlWriter.FormatAceFlags(flags, AceType.SystemAccessFilter));
        Assert.Equal("OICINPIOIDCRSAFA", string.Concat(AceFlagTable.Bits.Select(f => f.SddlCode)));
    }

    [Fact]
    public void AcePredicatesReadTheTable()
    {
        var sid = WellKnownSids.World;
        foreach (var t in AceTypes.All.Where(t => t.HasKnownLayout))
        {
            var ace = new Ace(t.Type, AceFlags.None, 1, sid, t.IsObject ? Guid.NewGuid() : null);
            Assert.Equal(t.IsObject, ace.IsObjectAce);
            Assert.Equal(t.IsCallback, ace.IsCallback);
            Assert.Equal(t.Effect == AceEffect.Allow, ace.IsAccessAllowed);
            Assert.Equal(t.Effect == AceEffect.Deny, ace.IsAccessDenied);
            Assert.Equal(t.AllowedIn == AclKinds.Sacl, ace.IsSystemAce);
        }
        var compound = Ace.CreateRaw(4, AceFlags.None, new byte[8]);
        Assert.False(compound.IsAccessAllowed);
    }

    [Fact]
    public void LabelPolicyNamesAreOneTable()
    {
        Assert.Equal(["NO_WRITE_UP", "NO_READ_UP", "NO_EXECUTE_UP"], LabelPolicies.All.Select(p => p.ShortName));
        Assert.Equal([("NW", 1u), ("NR", 2u), ("NX", 4u)], SddlRights.LabelCodes);
        Assert.Equal("NWNX", SddlRights.Format(LabelPolicies.NoWriteUp | LabelPolicies.NoExecuteUp, labelAce: true));
        Assert.True(NtSec.Import.IcaclsRights.TryGetCode("nr", out uint mask, out var kind));
        Assert.Equal((LabelPolicies.NoReadUp, NtSec.Import.IcaclsRights.CodeKind.LabelPolicy), (mask, kind));
    }
}
