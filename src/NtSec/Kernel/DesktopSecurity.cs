using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Kernel;

/// <summary>
/// The security descriptors of the interactive window station and its desktops as a logon sets them up, and the
/// descriptor a new desktop gets. The decisions and their evidence are in docs/desktops.md.
/// </summary>
public static class DesktopSecurity
{
    /// <summary>
    /// WinSta0's descriptor for the logon session whose logon SID is <paramref name="logonSid"/>: the logon SID and
    /// SYSTEM have every window station right, and each has an inherit-only GENERIC_ALL ACE that desktops created
    /// on the window station without a descriptor inherit. Owner the logon SID, group SYSTEM, labelled Low
    /// (no-write-up).
    /// </summary>
    /// <param name="logonSid">The interactive logon session's logon SID (S-1-5-5-X-Y).</param>
    public static SecurityDescriptor InteractiveWindowStation(Sid logonSid)
    {
        if (logonSid.IsDefault) throw new ArgumentException("A logon SID is needed.", nameof(logonSid));
        const AceFlags inheritOnly = AceFlags.ObjectInherit | AceFlags.ContainerInherit | AceFlags.InheritOnly;
        var dacl = new Acl([
            Ace.Allow(logonSid, WindowStationAccessRights.AllAccessWithStandard),
            Ace.Allow(logonSid, AccessMask.GenericAll, inheritOnly),
            Ace.Allow(WellKnownSids.LocalSystem, WindowStationAccessRights.AllAccessWithStandard),
            Ace.Allow(WellKnownSids.LocalSystem, AccessMask.GenericAll, inheritOnly),
        ]);
        return new SecurityDescriptor(logonSid, WellKnownSids.LocalSystem, dacl, LowLabel());
    }

    /// <summary>
    /// WinSta0\Default's descriptor: the application desktop only SYSTEM and the interactive logon session may
    /// use, each with every desktop right. Owner the logon SID, group SYSTEM, labelled Low (no-write-up) so Low
    /// integrity processes can create windows on it.
    /// </summary>
    /// <param name="logonSid">The interactive logon session's logon SID.</param>
    public static SecurityDescriptor DefaultDesktop(Sid logonSid)
    {
        if (logonSid.IsDefault) throw new ArgumentException("A logon SID is needed.", nameof(logonSid));
        var dacl = new Acl([
            Ace.Allow(logonSid, DesktopAccessRights.AllAccess),
            Ace.Allow(WellKnownSids.LocalSystem, DesktopAccessRights.AllAccess),
        ]);
        return new SecurityDescriptor(logonSid, WellKnownSids.LocalSystem, dacl, LowLabel());
    }

    /// <summary>WinSta0\Winlogon's descriptor: the secure desktop, for SYSTEM only.</summary>
    public static SecurityDescriptor WinlogonDesktop()
    {
        var dacl = new Acl([Ace.Allow(WellKnownSids.LocalSystem, DesktopAccessRights.AllAccess)]);
        return new SecurityDescriptor(WellKnownSids.LocalSystem, WellKnownSids.LocalSystem, dacl);
    }

    /// <summary>
    /// The descriptor of a desktop created on <paramref name="windowStation"/> by <paramref name="creator"/>: what
    /// SeAssignSecurity gives a non-container child. Without <paramref name="supplied"/>, owner and group come
    /// from the creator's token and the DACL is inherited from the window station's object-inheritable ACEs (with
    /// CREATOR OWNER and CREATOR GROUP replaced and generic rights mapped for desktops), or is the creator's
    /// default DACL when nothing is inheritable; a creator below Medium integrity labels the desktop with its own
    /// level. A supplied descriptor is completed the same way where it has no owner, group or DACL.
    /// </summary>
    /// <param name="windowStation">The parent window station's descriptor.</param>
    /// <param name="creator">The creator's effective token.</param>
    /// <param name="supplied">The descriptor the caller gave, or null.</param>
    public static SecurityDescriptor ForNewDesktop(SecurityDescriptor windowStation, Token creator, SecurityDescriptor? supplied)
    {
        ArgumentNullException.ThrowIfNull(windowStation);
        ArgumentNullException.ThrowIfNull(creator);
        var type = ObjectTypes.Desktop;
        var owner = supplied?.Owner ?? creator.Owner;
        var group = supplied?.Group ?? creator.PrimaryGroup;
        var inherited = InheritedAcl(windowStation.Dacl, owner, group, type.GenericMapping);
        if (supplied is not null)
        {
            var sd = supplied;
            if (sd.DaclState == AclState.Absent && inherited is not null) sd = sd.WithDacl(inherited, AclState.Present);
            return ObjectSecurity.ForNewObject(creator, type, sd);
        }
        Sid? label = creator.IntegrityLevel.Rid < WellKnownSids.MediumIntegrity.Rid ? creator.IntegrityLevel : null;
        if (inherited is null) return ObjectSecurity.ForNewObject(creator, type, label, ObjectSecurity.NoWriteUp);
        Acl? sacl = label is { } l ? new Acl([new Ace(AceType.SystemMandatoryLabel, AceFlags.None, ObjectSecurity.NoWriteUp, l)]) : null;
        return new SecurityDescriptor(owner, group, inherited, sacl);
    }

    // A desktop holds no objects of its own, so it inherits as a leaf: only object-inherit ACEs apply, and they
    // arrive with every inheritance flag cleared and INHERITED_ACE set.
    private static Acl? InheritedAcl(Acl? parent, Sid owner, Sid group, GenericMapping mapping)
    {
        if (parent is null) return null;
        var aces = new List<Ace>();
        foreach (var ace in parent.Aces)
        {
            if (ace.IsRaw || (ace.Flags & AceFlags.ObjectInherit) == 0) continue;
            var flags = (ace.Flags & ~(AceFlags.ObjectInherit | AceFlags.ContainerInherit | AceFlags.NoPropagateInherit | AceFlags.InheritOnly)) | AceFlags.Inherited;
            var sid = ace.Sid == WellKnownSids.CreatorOwner ? owner : ace.Sid == WellKnownSids.CreatorGroup ? group : ace.Sid;
            aces.Add(ace.WithFlags(flags).WithSid(sid).WithMask(mapping.Map(ace.Mask)));
        }
        return aces.Count == 0 ? null : new Acl(aces);
    }

    private static Acl LowLabel() => new([new Ace(AceType.SystemMandatoryLabel, AceFlags.None, ObjectSecurity.NoWriteUp, WellKnownSids.LowIntegrity)]);
}
