using System.Buffers.Binary;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Descriptors;

public sealed class SecurityDescriptorTests
{
    [Fact]
    public void NullEmptyAndAbsentDaclsAreThreeThings()
    {
        var absent = SddlParser.Parse("O:SY");
        var nullDacl = SddlParser.Parse("O:SYD:NO_ACCESS_CONTROL");
        var empty = SddlParser.Parse("O:SYD:");
        Assert.Equal(AclState.Absent, absent.DaclState);
        Assert.Equal(AclState.Null, nullDacl.DaclState);
        Assert.True(nullDacl.HasNullDacl);
        Assert.Equal(AclState.Present, empty.DaclState);
        Assert.Equal(0, empty.Dacl!.Count);
        Assert.NotEqual(absent, nullDacl);
        Assert.NotEqual(nullDacl, empty);

        // In binary: no DP bit; DP with offset 0; DP with an 8-byte ACL.
        var b1 = absent.ToBinary();
        var b2 = nullDacl.ToBinary();
        var b3 = empty.ToBinary();
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(b1.AsSpan(2)) & 0x4);
        Assert.Equal(0x4, BinaryPrimitives.ReadUInt16LittleEndian(b2.AsSpan(2)) & 0x4);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(b2.AsSpan(16)));
        Assert.Equal(20u, BinaryPrimitives.ReadUInt32LittleEndian(b3.AsSpan(16)));
        foreach (var (sd, bytes) in new[] { (absent, b1), (nullDacl, b2), (empty, b3) })
            Assert.Equal(sd, SecurityDescriptor.FromBinary(bytes));
        Assert.Equal("O:SYD:NO_ACCESS_CONTROL", nullDacl.ToSddl());
        Assert.Equal("O:SYD:", empty.ToSddl());
    }

    [Fact]
    public void LayoutIsHeaderSaclDaclOwnerGroup()
    {
        var sd = SddlParser.Parse("O:BAG:SYD:(A;;FA;;;WD)S:(AU;SA;FA;;;WD)");
        var bytes = sd.ToBinary();
        uint owner = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        uint group = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        uint sacl = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        uint dacl = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16));
        Assert.Equal(20u, sacl);
        Assert.True(sacl < dacl && dacl < owner && owner < group);
        Assert.Equal((ushort)0x8014, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2)));
    }

    [Fact]
    public void ObjectAcesMakeRevisionFourAcls()
    {
        var sd = SddlParser.Parse("D:(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;WD)(A;;RP;;;AU)");
        Assert.Equal(Acl.RevisionDs, sd.Dacl!.Revision);
        var ace = sd.Dacl.Aces[0];
        Assert.True(ace.IsObjectAce);
        Assert.Equal(ObjectAceFlags.ObjectTypePresent, ace.ObjectFlags);
        Assert.Equal(new Guid("00299570-246d-11d0-a768-00aa006e0529"), ace.ObjectType);
        Assert.Null(ace.InheritedObjectType);
        Assert.Equal(Acl.Revision2, SddlParser.Parse("D:(A;;RP;;;AU)").Dacl!.Revision);
    }

    [Fact]
    public void UnknownAceTypesAreKeptAsRawBytes()
    {
        // An ACL with one ACE of type 0x42, body "ABCDEFGH".
        byte[] acl = [2, 0, 20, 0, 1, 0, 0, 0, 0x42, 0x03, 12, 0, (byte)'A', (byte)'B', (byte)'C', (byte)'D', (byte)'E', (byte)'F', (byte)'G', (byte)'H'];
        Assert.True(Acl.TryRead(acl, out var parsed, out int read, out var error), error?.ToString());
        Assert.Equal(20, read);
        var ace = parsed!.Aces[0];
        Assert.True(ace.IsRaw);
        Assert.Equal((AceType)0x42, ace.Type);
        Assert.Equal(acl, parsed.ToBinary());
        var sd = new SecurityDescriptor(dacl: parsed);
        Assert.False(SddlWriter.TryFormat(sd, null, SecurityInformation.All, out _, out var why));
        Assert.Contains("0x42", why);
    }

    [Fact]
    public void AclSlackIsPreservedAndCompactRemovesIt()
    {
        byte[] acl = [2, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.True(Acl.TryRead(acl, out var parsed, out _, out _));
        Assert.Equal(4, parsed!.Slack.Length);
        Assert.Equal(acl, parsed.ToBinary());
        Assert.Equal(8, parsed.Compact().GetBinaryLength());
    }

    [Theory]
    [InlineData("0100048000000000000000000000000014000000", "DACL offset", 16)]
    [InlineData("0100040000000000000000000000000000000000", "SE_SELF_RELATIVE", 2)]
    [InlineData("02000480000000000000000000000000", "header", 0)]
    [InlineData("0200048000000000000000000000000000000000", "revision", 0)]
    [InlineData("0100008014000000000000000000000000000000010200000000000520", "owner", 29)]
    [InlineData("010004800000000000000000000000001400000002000c000100000000000400", "too short", 32)]
    [InlineData("01000480000000000000000000000000140000000200080005000000", "AceCount", 24)]
    [InlineData("01000480000000000000000000000000140000000200200001000000050018000000000000000000010100000000000100000000", "revision 4", 28)]
    public void MalformedBinaryGetsPositionAndReason(string hex, string reasonFragment, int position)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.False(SecurityDescriptor.TryRead(bytes, out _, out _, out var error));
        Assert.Contains(reasonFragment, error!.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(position, error.Position);
    }

    [Fact]
    public void CanonicalOrder()
    {
        Assert.True(SddlParser.Parse("D:(D;;FA;;;BG)(A;;FA;;;BA)(A;ID;FR;;;WD)(D;ID;FW;;;WD)").Dacl!.IsCanonical());
        Assert.False(SddlParser.Parse("D:(A;;FA;;;BA)(D;;FA;;;BG)").Dacl!.IsCanonical());
        Assert.False(SddlParser.Parse("D:(A;ID;FR;;;WD)(A;;FA;;;BA)").Dacl!.IsCanonical());
    }

    [Fact]
    public void SelectKeepsOnlyTheRequestedPartsAndTheirControlBits()
    {
        var sd = SddlParser.Parse("O:SYG:BAD:PAI(A;;FA;;;WD)S:AI(AU;SA;FA;;;WD)");
        var dacl = sd.Select(SecurityInformation.Dacl);
        Assert.Null(dacl.Owner);
        Assert.Equal(AclState.Absent, dacl.SaclState);
        Assert.Equal("D:PAI(A;;FA;;;WD)", dacl.ToSddl());
        Assert.Equal(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent | SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclAutoInherited, dacl.Control);
    }
}
