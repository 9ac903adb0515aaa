namespace NtSec.Audit.ActiveDirectory;

/// <summary>The BloodHound node kinds a directory object is written as (SharpHound's labels).</summary>
[Flags]
public enum BloodHoundLabel
{
    /// <summary>Not written.</summary>
    None = 0,
    /// <summary><c>users.json</c>: objects of class user (not computer) or inetOrgPerson.</summary>
    User = 1,
    /// <summary><c>computers.json</c>.</summary>
    Computer = 2,
    /// <summary><c>groups.json</c>.</summary>
    Group = 4,
    /// <summary><c>domains.json</c>: domainDNS.</summary>
    Domain = 8,
    /// <summary><c>ous.json</c>: organizationalUnit.</summary>
    OU = 16,
    /// <summary><c>containers.json</c>: container, builtinDomain.</summary>
    Container = 32,
    /// <summary><c>gpos.json</c>: groupPolicyContainer.</summary>
    GPO = 64,
    /// <summary>Every kind.</summary>
    All = User | Computer | Group | Domain | OU | Container | GPO,
}

/// <summary>Which of an object's stored cells a BloodHound right is read from.</summary>
public enum BloodHoundScope
{
    /// <summary>The object as a whole (the class alone in the object type list).</summary>
    Object,
    /// <summary>Every node the object's DACL names and the object itself: the right holds on everything.</summary>
    EveryNode,
    /// <summary>The object and every attribute node: the right holds on every attribute.</summary>
    EveryAttribute,
    /// <summary>The object and every extended-right node: the right holds for every extended right.</summary>
    EveryExtendedRight,
    /// <summary>One node (an attribute, extended right or validated write), resolved as <c>who-can</c> resolves it.</summary>
    Node,
    /// <summary>Every attribute of a property set: the set's other attributes and each of its attributes an ACE names.</summary>
    PropertySet,
}

/// <summary>
/// One edge kind of the BloodHound export: its <c>RightName</c>, the object kinds SharpHound emits it on, the
/// access bits it needs, and which cells hold them. The single declaration of the mapping (docs/audit-ad.md,
/// "BloodHound").
/// </summary>
/// <param name="Name">The RightName.</param>
/// <param name="Flag">Its bit in a capability set.</param>
/// <param name="AppliesTo">The object kinds it is emitted on.</param>
/// <param name="Bits">The directory access bits it needs.</param>
/// <param name="Scope">Where the bits must be granted.</param>
/// <param name="Target">For <see cref="BloodHoundScope.Node"/> and <see cref="BloodHoundScope.PropertySet"/>, the question as <c>who-can --right</c> takes it.</param>
public sealed record BloodHoundRight(string Name, ushort Flag, BloodHoundLabel AppliesTo, uint Bits, BloodHoundScope Scope, string? Target = null)
{
    private const uint Self = DirectoryServiceAccessRights.Self, WriteProperty = DirectoryServiceAccessRights.WriteProperty,
        ControlAccess = DirectoryServiceAccessRights.ControlAccess;

    /// <summary>Every standard and DS right: what ADS_RIGHT_GENERIC_ALL maps to on a directory object (0x000F01FF).</summary>
    public const uint FullControl = DirectoryServiceAccessRights.AllAccess;

    private const BloodHoundLabel Written = BloodHoundLabel.User | BloodHoundLabel.Group | BloodHoundLabel.Computer | BloodHoundLabel.GPO | BloodHoundLabel.OU | BloodHoundLabel.Domain;

    /// <summary>
    /// The table. Object kinds follow SharpHound's ACL processor (which kinds each edge is emitted on); the cells are
    /// NtSec's: every right is read from the exact grant, never from one ACE.
    /// </summary>
    public static IReadOnlyList<BloodHoundRight> All { get; } =
    [
        new("GenericAll", 1 << 0, BloodHoundLabel.All, FullControl, BloodHoundScope.EveryNode),
        new("WriteDacl", 1 << 1, BloodHoundLabel.All, AccessMask.WriteDac, BloodHoundScope.Object),
        new("WriteOwner", 1 << 2, BloodHoundLabel.All, AccessMask.WriteOwner, BloodHoundScope.Object),
        new("GenericWrite", 1 << 3, Written, WriteProperty, BloodHoundScope.EveryAttribute),
        new("AllExtendedRights", 1 << 4, BloodHoundLabel.User | BloodHoundLabel.Domain, ControlAccess, BloodHoundScope.EveryExtendedRight),
        new("ForceChangePassword", 1 << 5, BloodHoundLabel.User, ControlAccess, BloodHoundScope.Node, "ExtendedRight:User-Force-Change-Password"),
        new("GetChanges", 1 << 6, BloodHoundLabel.Domain, ControlAccess, BloodHoundScope.Node, "ExtendedRight:DS-Replication-Get-Changes"),
        new("GetChangesAll", 1 << 7, BloodHoundLabel.Domain, ControlAccess, BloodHoundScope.Node, "ExtendedRight:DS-Replication-Get-Changes-All"),
        new("GetChangesInFilteredSet", 1 << 8, BloodHoundLabel.Domain, ControlAccess, BloodHoundScope.Node, "ExtendedRight:DS-Replication-Get-Changes-In-Filtered-Set"),
        new("AddMember", 1 << 9, BloodHoundLabel.Group, WriteProperty, BloodHoundScope.Node, "WriteProperty:member"),
        new("AddSelf", 1 << 10, BloodHoundLabel.Group, Self, BloodHoundScope.Node, "Self:Self-Membership"),
        new("AddKeyCredentialLink", 1 << 11, BloodHoundLabel.User | BloodHoundLabel.Computer, WriteProperty, BloodHoundScope.Node, "WriteProperty:msDS-KeyCredentialLink"),
        new("AddAllowedToAct", 1 << 12, BloodHoundLabel.Computer, WriteProperty, BloodHoundScope.Node, "WriteProperty:msDS-AllowedToActOnBehalfOfOtherIdentity"),
        new("WriteSPN", 1 << 13, BloodHoundLabel.User, WriteProperty, BloodHoundScope.Node, "WriteProperty:servicePrincipalName"),
        new("WriteAccountRestrictions", 1 << 14, BloodHoundLabel.Computer, WriteProperty, BloodHoundScope.PropertySet, "WriteProperty:User-Account-Restrictions"),
        new("WriteGPLink", 1 << 15, BloodHoundLabel.OU | BloodHoundLabel.Domain, WriteProperty, BloodHoundScope.Node, "WriteProperty:gPLink"),
    ];

    /// <summary>The right with this name.</summary>
    public static BloodHoundRight Named(string name) => All.First(r => r.Name == name);

    /// <summary>
    /// The edges written for a set of rights held, redundant ones left out as SharpHound leaves them out of one
    /// ACE: GenericAll stands for everything but the replication rights (kept so that BloodHound's DCSync
    /// post-processing, which reads GetChanges and GetChangesAll, sees them); GenericWrite stands for the single
    /// attribute writes; AddMember for AddSelf.
    /// </summary>
    public static ushort Emitted(ushort held)
    {
        ushort replication = (ushort)(Named("GetChanges").Flag | Named("GetChangesAll").Flag | Named("GetChangesInFilteredSet").Flag);
        if ((held & Named("GenericAll").Flag) != 0) return (ushort)(held & (Named("GenericAll").Flag | replication));
        if ((held & Named("GenericWrite").Flag) != 0)
        {
            foreach (var name in (string[])["AddMember", "AddSelf", "AddKeyCredentialLink", "AddAllowedToAct", "WriteSPN", "WriteAccountRestrictions", "WriteGPLink"])
                held = (ushort)(held & ~Named(name).Flag);
        }
        if ((held & Named("AddMember").Flag) != 0) held = (ushort)(held & ~Named("AddSelf").Flag);
        return held;
    }
}
