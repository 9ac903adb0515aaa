using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Inheritance;
using NtSec.Principals;

namespace NtSec.Tests.Inheritance;

/// <summary>
/// The rule ReactOS' kernel-mode test asserts for SeAssignSecurity over every combination of parent ACE flags
/// (the low nibble), explicit ACE flags (the high nibble), defaulted parent/explicit DACLs, directory or file, with
/// and without each descriptor, for plain and for generic ACEs (CREATOR OWNER GENERIC_READ, CREATOR GROUP
/// GENERIC_EXECUTE). Source: reactos/reactos modules/rostests/kmtests/ntos_se/SeInheritance.c, TestSeAssignSecurity,
/// "Different DACLs in parent and explicit descriptors" (T. Faber; the kmtests are run against Windows Server 2003).
/// The expectations below restate the test's own assertions, so each combination is checked against what the test
/// saw Windows do.
/// </summary>
public sealed class SeAssignSecurityKmtestTests
{
    private static readonly GenericMapping Mapping = new(0x0002_0000 | 0x1001, 0x0002_0000 | 0x2002, 0x0002_0000 | 0x4004, 0x001F_0000 | 0x800F);
    private static readonly Acl DefaultDacl = new([Ace.Allow(WellKnownSids.LocalSystem, AccessMask.GenericAll), Ace.Allow(WellKnownSids.BuiltinAdministrators, 0xA002_0000)]);
    private static readonly SecuritySubject System = new(WellKnownSids.BuiltinAdministrators, WellKnownSids.LocalSystem, DefaultDacl,
        [WellKnownSids.LocalSystem, WellKnownSids.BuiltinAdministrators], true, true, true);
    private static readonly Acl TokenDefaultMapped = new([Ace.Allow(WellKnownSids.LocalSystem, 0x001F_800F), Ace.Allow(WellKnownSids.BuiltinAdministrators, 0x0002_0005)]);

    public static IEnumerable<object[]> Cases()
    {
        for (int access = 0; access <= 1; access++)
            for (int canInherit = 0; canInherit <= 255; canInherit += 1)
                yield return [access, canInherit];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryFlagCombination_MatchesTheKmtestRule(int access, int canInherit)
    {
        Sid genericSid = access == 1 ? WellKnownSids.CreatorOwner : WellKnownSids.World;
        Sid specificSid = access == 1 ? WellKnownSids.BuiltinAdministrators : WellKnownSids.World;
        uint genericMask = access == 1 ? AccessMask.GenericRead : AccessMask.ReadControl;
        uint specificMask = access == 1 ? 0x0002_0001u : AccessMask.ReadControl;
        Sid genericSid2 = access == 1 ? WellKnownSids.CreatorGroup : WellKnownSids.LocalSystem;
        uint genericMask2 = access == 1 ? AccessMask.GenericExecute : AccessMask.Synchronize;
        uint specificMask2 = access == 1 ? 0x0002_0004u : AccessMask.Synchronize;
        var aceFlags = (AceFlags)(canInherit & 0xF);
        var aceFlags2 = (AceFlags)(canInherit >> 4);

        for (int usingDefault = 0; usingDefault <= 3; usingDefault++)
        {
            var parentSd = new SecurityDescriptor(dacl: new Acl([Ace.Allow(genericSid, genericMask, aceFlags)]),
                control: (usingDefault & 1) != 0 ? SecurityDescriptorControl.DaclDefaulted : 0);
            var explicitSd = new SecurityDescriptor(dacl: new Acl([Ace.Allow(genericSid2, genericMask2, aceFlags2)]),
                control: (usingDefault & 2) != 0 ? SecurityDescriptorControl.DaclDefaulted : 0);
            foreach (bool isDir in new[] { false, true })
                foreach (bool usingParent in new[] { false, true })
                    foreach (bool usingExplicit in new[] { false, true })
                    {
                        var r = SecurityInheritance.CreatePrivateObjectSecurity(usingParent ? parentSd : null, usingExplicit ? explicitSd : null, isDir, System, Mapping);
                        Assert.True(r.IsSuccess, r.Status.ToString());
                        var sd = r.Descriptor!;
                        Assert.Equal(AclState.Present, sd.DaclState);
                        Assert.Equal((SecurityDescriptorControl)0, sd.Control & SecurityDescriptorControl.DaclDefaulted);
                        Assert.Equal(WellKnownSids.BuiltinAdministrators, sd.Owner);
                        Assert.Equal(WellKnownSids.LocalSystem, sd.Group);

                        bool parentUsable = usingParent;
                        if (!isDir && (aceFlags & AceFlags.ObjectInherit) == 0) parentUsable = false;
                        else if (isDir && (aceFlags & AceFlags.ContainerInherit) == 0
                                 && ((aceFlags & AceFlags.ObjectInherit) == 0 || (aceFlags & AceFlags.NoPropagateInherit) != 0)) parentUsable = false;

                        Acl want;
                        if (usingExplicit && ((usingDefault & 2) == 0 || !parentUsable))
                            want = new Acl([Ace.Allow(genericSid2, (aceFlags2 & AceFlags.InheritOnly) != 0 ? genericMask2 : specificMask2, aceFlags2)]);
                        else if (parentUsable)
                        {
                            if (isDir && (aceFlags & AceFlags.NoPropagateInherit) == 0)
                            {
                                if ((aceFlags & AceFlags.ContainerInherit) != 0 && (specificMask != genericMask || specificSid != genericSid))
                                    want = new Acl([Ace.Allow(specificSid, specificMask),
                                        Ace.Allow(genericSid, genericMask, AceFlags.InheritOnly | AceFlags.ContainerInherit | (aceFlags & AceFlags.ObjectInherit))]);
                                else
                                    want = new Acl([Ace.Allow(genericSid, genericMask,
                                        ((aceFlags & AceFlags.ContainerInherit) != 0 ? 0 : AceFlags.InheritOnly) | (aceFlags & (AceFlags.ContainerInherit | AceFlags.ObjectInherit)))]);
                            }
                            else want = new Acl([Ace.Allow(specificSid, specificMask)]);
                        }
                        else want = TokenDefaultMapped;
                        Assert.Equal(want, sd.Dacl);
                    }
        }
    }
}
