using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Inheritance;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Inheritance;

/// <summary>
/// Ports of smbtorture's inheritance tests, which run against Windows file servers (samba-team/samba
/// source4/torture/raw/acls.c and smb2/acls.c: test_inheritance, test_inheritance_flags). The parent directory's
/// DACL is set over SMB (NtSetSecurityObject on NTFS: SetPrivateObjectSecurity without flags), then a file and a
/// directory are created in it without a descriptor (SeAssignSecurityEx). The assertions are the ones the tests make
/// hard (they fail the run), not the ones they only warn about.
/// </summary>
public sealed class SmbtortureInheritanceTests
{
    private static readonly Sid Owner = Sid.Parse("S-1-5-21-1-2-3-1106");
    private static readonly Sid Group = Sid.Parse("S-1-5-21-1-2-3-513");
    private static readonly GenericMapping File = ObjectTypes.File.GenericMapping;
    private static readonly SecuritySubject User = new(Owner, Group, SddlParser.Parse($"D:(A;;GA;;;{Owner})(A;;GA;;;SY)").Dacl, [Owner]);
    private const uint WriteData = 0x2;
    private const AceFlags OI = AceFlags.ObjectInherit, CI = AceFlags.ContainerInherit, NP = AceFlags.NoPropagateInherit, IO = AceFlags.InheritOnly;

    /// <summary>test_flags[]: the parent's CREATOR OWNER ACE flags, and the flags the test expects on the file and directory ACEs.</summary>
    public static TheoryData<AceFlags, AceFlags, AceFlags> TestFlags() => new()
    {
        { 0, 0, 0 },
        { OI, 0, OI | IO },
        { CI, 0, CI },
        { OI | CI, 0, OI | CI },
        { NP, 0, 0 },
        { NP | OI, 0, 0 },
        { NP | CI, 0, 0 },
        { NP | CI | OI, 0, 0 },
        { IO, 0, 0 },
        { IO | OI, 0, OI | IO },
        { IO | CI, 0, CI },
        { IO | CI | OI, 0, CI | OI },
        { IO | NP, 0, 0 },
        { IO | NP | OI, 0, 0 },
        { IO | NP | CI, 0, 0 },
        { IO | NP | CI | OI, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(TestFlags))]
    public void test_inheritance(AceFlags parentFlags, AceFlags fileFlags, AceFlags dirFlags)
    {
        var current = new SecurityDescriptor(Owner, Group, Acl.Empty);
        var modification = new SecurityDescriptor(dacl: new Acl([Ace.Allow(WellKnownSids.CreatorOwner, WriteData, parentFlags), Ace.Allow(WellKnownSids.World, 0x1F01FF)]));
        var parent = SecurityInheritance.SetPrivateObjectSecurity(current, modification, SecurityInformation.Dacl, User, File).Descriptor!;

        var file = SecurityInheritance.CreatePrivateObjectSecurity(parent, null, false, User, File).Descriptor!;
        if ((parentFlags & OI) != 0)
        {
            var ace = Assert.Single(file.Dacl!.Aces);
            Assert.Equal(WriteData, ace.Mask);
            Assert.Equal(Owner, ace.Sid);
            Assert.Equal(fileFlags, ace.Flags);
        }

        var dir = SecurityInheritance.CreatePrivateObjectSecurity(parent, null, true, User, File).Descriptor!;
        bool ci = (parentFlags & CI) != 0, oi = (parentFlags & OI) != 0, np = (parentFlags & NP) != 0;
        if (!ci && (!oi || np)) return; // the default descriptor; the test only warns here
        var aces = dir.Dacl!.Aces;
        if (ci && np)
        {
            var ace = Assert.Single(aces);
            Assert.Equal((WriteData, Owner, dirFlags), (ace.Mask, ace.Sid, ace.Flags));
        }
        else if (ci)
        {
            Assert.Equal(2, aces.Length);
            Assert.Equal((WriteData, Owner, (AceFlags)0), (aces[0].Mask, aces[0].Sid, aces[0].Flags));
            Assert.Equal((WriteData, WellKnownSids.CreatorOwner, dirFlags | IO), (aces[1].Mask, aces[1].Sid, aces[1].Flags));
        }
        else
        {
            var ace = Assert.Single(aces);
            Assert.Equal((WriteData, WellKnownSids.CreatorOwner, dirFlags), (ace.Mask, ace.Sid, ace.Flags));
        }
    }

    /// <summary>
    /// test_inheritance_flags: the parent's DACL is set with each combination of AUTO_INHERITED, AUTO_INHERIT_REQ,
    /// PROTECTED and an INHERITED_ACE flag on its ACE; what is stored, and what a new file gets.
    /// </summary>
    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(6)] [InlineData(7)]
    [InlineData(8)] [InlineData(9)] [InlineData(10)] [InlineData(11)] [InlineData(12)] [InlineData(13)] [InlineData(14)]
    public void test_inheritance_flags(int i)
    {
        var setControl = ((i & 1) != 0 ? SecurityDescriptorControl.DaclAutoInherited : 0)
                       | ((i & 2) != 0 ? SecurityDescriptorControl.DaclAutoInheritRequired : 0)
                       | ((i & 4) != 0 ? SecurityDescriptorControl.DaclProtected : 0);
        var aceInherit = (i & 8) != 0 ? AceFlags.Inherited : 0;
        var getControl = setControl & SecurityDescriptorControl.DaclProtected;
        var childControl = (SecurityDescriptorControl)0;
        var childAce = (AceFlags)0;
        if ((setControl & (SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclAutoInheritRequired))
            == (SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclAutoInheritRequired))
        {
            getControl |= SecurityDescriptorControl.DaclAutoInherited;
            childControl |= SecurityDescriptorControl.DaclAutoInherited;
            childAce |= AceFlags.Inherited;
        }
        const uint mask = WriteData | AccessMask.WriteDac;
        var modification = new SecurityDescriptor(dacl: new Acl([Ace.Allow(Owner, mask, OI | CI | aceInherit), Ace.Allow(WellKnownSids.World, 0x1F01FF)]), control: setControl);
        var parent = SecurityInheritance.SetPrivateObjectSecurity(new SecurityDescriptor(Owner, Group, Acl.Empty), modification, SecurityInformation.Dacl, User, File).Descriptor!;

        const SecurityDescriptorControl daclBits = SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclAutoInheritRequired | SecurityDescriptorControl.DaclProtected;
        Assert.Equal(getControl, parent.Control & daclBits);
        Assert.Equal(OI | CI | aceInherit, parent.Dacl!.Aces[0].Flags);

        var child = SecurityInheritance.CreatePrivateObjectSecurity(parent, null, false, User, File).Descriptor!;
        Assert.Equal(childControl, child.Control & daclBits);
        var ace = Assert.Single(child.Dacl!.Aces);
        Assert.Equal((mask, Owner, childAce), (ace.Mask, ace.Sid, ace.Flags));
    }
}
