using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;
using NtSec.Sddl;

namespace NtSec.Tests.Authorization;

/// <summary>
/// One access check's inputs: a token, a descriptor, the desired access, an optional object type list and an
/// optional PRINCIPAL_SELF substitute. <see cref="ToString"/> prints everything needed to replay a failure by hand.
/// </summary>
public sealed record World(Token Token, SecurityDescriptor Descriptor, uint Desired, ObjectTypeEntry[] ObjectTypes, Sid? Self)
{
    /// <summary>The check of <paramref name="desired"/> against this world, optionally with another token or descriptor.</summary>
    public AccessCheckResult Check(uint desired, Token? token = null, SecurityDescriptor? descriptor = null, AccessCheckExplanation? explanation = null)
        => AccessCheck.Check(descriptor ?? Descriptor, token ?? Token, desired, AccessCheckGenerators.FileMapping, ObjectTypes, Self, explanation);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("desired 0x").Append(Desired.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        sb.Append(" self ").Append(Self?.ToString() ?? "none");
        sb.Append("\n  sd    ").Append(Descriptor.ToSddl());
        if (ObjectTypes.Length > 0) sb.Append("\n  types ").Append(string.Join(' ', ObjectTypes.Select(t => $"{t.Level}:{t.ObjectType}")));
        sb.Append("\n  token ").Append(AccessCheckGenerators.Describe(Token));
        return sb.ToString();
    }
}

/// <summary>What to pass to <see cref="TokenFilter.Filter"/>.</summary>
public sealed record FilterSpec(FilterTokenFlags Flags, Sid[] SidsToDisable, Luid[] PrivilegesToDelete, Sid[] SidsToRestrict)
{
    /// <summary>Filters <paramref name="token"/>; the spec only ever holds valid arguments, so this must succeed.</summary>
    public Token Apply(Token token)
    {
        var status = TokenFilter.Filter(token, Flags,
            SidsToDisable.Select(s => new SidAndAttributes(s, GroupAttributes.None)),
            PrivilegesToDelete,
            SidsToRestrict.Length == 0 ? null : SidsToRestrict.Select(s => new SidAndAttributes(s, GroupAttributes.None)),
            out var filtered);
        if (status != NtStatus.Success || filtered is null) throw new InvalidOperationException($"TokenFilter.Filter refused valid arguments: {status.Name}");
        return filtered;
    }

    /// <inheritdoc />
    public override string ToString()
        => $"filter flags {Flags}; disable [{string.Join(", ", SidsToDisable.Select(s => s.ToString()))}]; delete [{string.Join(", ", PrivilegesToDelete.Select(Privileges.NameOf))}]; restrict [{string.Join(", ", SidsToRestrict.Select(s => s.ToString()))}]";
}

/// <summary>
/// FsCheck generators over small realistic worlds: a pool of about a dozen SIDs (a user, domain groups, builtin and
/// well-known groups, OWNER RIGHTS, CREATOR OWNER, PRINCIPAL_SELF, and the AppContainer SIDs), tokens with random
/// group attributes, privileges, integrity, restricting SIDs and AppContainers, and file descriptors with every DACL
/// state, 0-12 ACEs of the four access types and an optional mandatory label.
/// </summary>
public static class AccessCheckGenerators
{
    /// <summary>The file type's generic mapping; every world is a file.</summary>
    public static readonly GenericMapping FileMapping = ObjectTypes.File.GenericMapping;

    /// <summary>FILE_ALL_ACCESS: the rights a request is drawn from.</summary>
    public const uint FileRights = 0x001F_01FF;

    public static readonly Sid Domain = Sid.Parse("S-1-5-21-1111-2222-3333");
    public static readonly Sid Alice = Domain.Append(1001);
    public static readonly Sid Bob = Domain.Append(1002);
    public static readonly Sid DomainAdmins = Domain.Append(512);
    public static readonly Sid DomainUsers = Domain.Append(513);
    public static readonly Sid Finance = Domain.Append(1105);
    public static readonly Sid Package = Sid.Parse("S-1-15-2-1111-2222-3333-4444-5555-6666-7777");
    public static readonly Sid InternetClient = Sid.Parse("S-1-15-3-1");
    public static readonly Sid PicturesLibrary = Sid.Parse("S-1-15-3-4");

    /// <summary>Groups a token may carry.</summary>
    public static readonly Sid[] GroupPool =
    [
        DomainUsers, DomainAdmins, Finance, WellKnownSids.BuiltinAdministrators, WellKnownSids.BuiltinUsers,
        WellKnownSids.World, WellKnownSids.AuthenticatedUsers, WellKnownSids.Interactive, WellKnownSids.Restricted,
    ];

    /// <summary>The SIDs ACEs name: the token's possible SIDs, another user, and the special ones.</summary>
    public static readonly Sid[] AceSidPool =
    [
        Alice, Bob, DomainUsers, DomainAdmins, Finance, WellKnownSids.BuiltinAdministrators, WellKnownSids.BuiltinUsers,
        WellKnownSids.World, WellKnownSids.AuthenticatedUsers, WellKnownSids.OwnerRights, WellKnownSids.CreatorOwner,
        WellKnownSids.PrincipalSelf, WellKnownSids.Restricted, WellKnownSids.WriteRestricted,
    ];

    /// <summary>AppContainer SIDs, named by ACEs now and then.</summary>
    public static readonly Sid[] AppContainerSidPool = [Package, WellKnownSids.AllApplicationPackages, InternetClient, PicturesLibrary];

    /// <summary>Owners and groups of descriptors.</summary>
    public static readonly Sid[] OwnerPool = [Alice, Bob, DomainUsers, Finance, WellKnownSids.BuiltinAdministrators, WellKnownSids.World, WellKnownSids.AuthenticatedUsers];

    /// <summary>Restricting SIDs CreateRestrictedToken callers use.</summary>
    public static readonly Sid[] RestrictingPool = [Alice, DomainUsers, Finance, WellKnownSids.BuiltinUsers, WellKnownSids.World, WellKnownSids.AuthenticatedUsers, WellKnownSids.Restricted, WellKnownSids.WriteRestricted];

    /// <summary>Object type GUIDs: a property set with two properties, and one unrelated GUID.</summary>
    public static readonly Guid[] GuidPool =
    [
        new("bf967a86-0de6-11d0-a285-00aa003049e2"), new("4c164200-20c0-11d0-a768-00aa006e0529"),
        new("bf967950-0de6-11d0-a285-00aa003049e2"), new("bf967953-0de6-11d0-a285-00aa003049e2"),
    ];

    /// <summary>The privileges the access check looks at, and one it does not.</summary>
    public static readonly Luid[] PrivilegePool = [Privileges.Security, Privileges.TakeOwnership, Privileges.Relabel, Privileges.ChangeNotify];

    /// <summary>Integrity levels, lowest first.</summary>
    public static readonly Sid[] IntegrityLevels =
    [
        WellKnownSids.UntrustedIntegrity, WellKnownSids.LowIntegrity, WellKnownSids.MediumIntegrity,
        WellKnownSids.MediumPlusIntegrity, WellKnownSids.HighIntegrity, WellKnownSids.SystemIntegrity,
    ];

    private static readonly uint[] RightBits =
    [
        0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100,
        AccessMask.Delete, AccessMask.ReadControl, AccessMask.WriteDac, AccessMask.WriteOwner, AccessMask.Synchronize,
    ];

    private static readonly uint[] NamedMasks =
    [
        FileRights, 0x0012_0089, 0x0012_0116, 0x0012_00A0, 0x0013_01BF,
        AccessMask.GenericAll, AccessMask.GenericRead, AccessMask.GenericWrite, AccessMask.GenericExecute,
        AccessMask.GenericRead | AccessMask.GenericExecute,
    ];

    private const GroupAttributes EnabledMandatory = GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled;

    /// <summary>True with the given chance in percent.</summary>
    public static Gen<bool> Chance(int percent) => Gen.Choose(0, 99).Select(x => x < percent);

    /// <summary>A subset of <paramref name="items"/>, each kept with the given chance.</summary>
    public static Gen<T[]> SubsetOf<T>(IReadOnlyList<T> items, int percent)
        => Gen.CollectToArray(items.Select(_ => Chance(percent))).Select(keep => items.Where((_, i) => keep[i]).ToArray());

    /// <summary>A mask of file rights, named combinations and generic rights, as ACEs carry them.</summary>
    public static Gen<uint> AceMask { get; } = Gen.Frequency(
        (6, SubsetOf(RightBits, 30).Select(Or)),
        (3, Gen.Elements(NamedMasks)),
        (1, Gen.Elements(RightBits)));

    /// <summary>A non-empty request of file rights only (no generic bits, no MAXIMUM_ALLOWED, no ACCESS_SYSTEM_SECURITY).</summary>
    public static Gen<uint> FileRequest { get; } = Gen.Frequency(
        (5, SubsetOf(RightBits, 25).Select(Or)),
        (3, Gen.Elements(RightBits)),
        (2, Gen.Elements(FileRights, 0x0012_0089u, 0x0012_0116u, 0x0012_00A0u, AccessMask.ReadControl | AccessMask.WriteDac, AccessMask.WriteOwner, AccessMask.Delete)))
        .Select(m => m == 0 ? 0x1u : m);

    /// <summary>The desired access of a world: a file request, now and then with MAXIMUM_ALLOWED or ACCESS_SYSTEM_SECURITY.</summary>
    public static Gen<uint> Desired { get; } =
        from request in FileRequest
        from extra in Gen.Frequency(
            (6, Gen.Constant(0u)),
            (2, Gen.Constant(AccessMask.MaximumAllowed)),
            (1, Gen.Constant(AccessMask.AccessSystemSecurity)))
        from onlyExtra in Chance(30)
        select extra != 0 && onlyExtra ? extra : request | extra;

    private static uint Or(uint[] bits) => bits.Aggregate(0u, (a, b) => a | b);

    private static Gen<GroupAttributes> GroupAttributesGen { get; } = Gen.Frequency(
        (6, Gen.Constant(EnabledMandatory)),
        (2, Gen.Constant(GroupAttributes.EnabledByDefault | GroupAttributes.Enabled)),
        (1, Gen.Constant(EnabledMandatory | GroupAttributes.Owner)),
        (1, Gen.Constant(GroupAttributes.None)),
        (1, Gen.Constant(GroupAttributes.EnabledByDefault)),
        (2, Gen.Constant(GroupAttributes.UseForDenyOnly)));

    private static Gen<PrivilegeAttributes?> PrivilegeStateGen { get; } = Gen.Frequency(
        (2, Gen.Constant<PrivilegeAttributes?>(null)),
        (1, Gen.Constant<PrivilegeAttributes?>(PrivilegeAttributes.None)),
        (2, Gen.Constant<PrivilegeAttributes?>(PrivilegeAttributes.Enabled | PrivilegeAttributes.EnabledByDefault)));

    private static Gen<AppContainerInfo?> AppContainerGen { get; } = Gen.Frequency(
        (6, Gen.Constant<AppContainerInfo?>(null)),
        (1, from internet in Chance(70)
            from pictures in Chance(40)
            from picturesEnabled in Chance(50)
            select (AppContainerInfo?)new AppContainerInfo(Package,
                [.. Capabilities(internet, pictures, picturesEnabled)], 7)));

    private static IEnumerable<SidAndAttributes> Capabilities(bool internet, bool pictures, bool picturesEnabled)
    {
        if (internet) yield return new SidAndAttributes(InternetClient, GroupAttributes.EnabledByDefault | GroupAttributes.Enabled);
        if (pictures) yield return new SidAndAttributes(PicturesLibrary, picturesEnabled ? GroupAttributes.EnabledByDefault | GroupAttributes.Enabled : GroupAttributes.None);
    }

    /// <summary>A token of Alice: random groups and attributes, privileges, integrity, restricting SIDs, AppContainer.</summary>
    public static Gen<Token> Token { get; } =
        from groups in Gen.CollectToArray(GroupPool.Select(sid =>
            from present in Chance(65)
            from attributes in GroupAttributesGen
            select present ? new SidAndAttributes(sid, attributes) : default))
        from userDenyOnly in Chance(8)
        from privileges in Gen.CollectToArray(PrivilegePool.Select(_ => PrivilegeStateGen))
        from integrity in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Constant(1)), (6, Gen.Constant(2)), (1, Gen.Constant(3)), (3, Gen.Constant(4)), (1, Gen.Constant(5)))
        from policy in Gen.Frequency(
            (6, Gen.Constant(MandatoryPolicy.NoWriteUp | MandatoryPolicy.NewProcessMin)),
            (1, Gen.Constant(MandatoryPolicy.NoWriteUp)),
            (1, Gen.Constant(MandatoryPolicy.Off)))
        from restricted in Gen.Frequency((3, Gen.Constant(Array.Empty<Sid>())), (1, SubsetOf(RestrictingPool, 35)))
        from writeRestricted in Chance(40)
        from appContainer in AppContainerGen
        select BuildToken(groups.Where(g => !g.Sid.IsDefault), userDenyOnly, privileges, IntegrityLevels[integrity], policy, restricted, writeRestricted, appContainer);

    private static Token BuildToken(IEnumerable<SidAndAttributes> groups, bool userDenyOnly, PrivilegeAttributes?[] privileges, Sid integrity,
        MandatoryPolicy policy, Sid[] restricted, bool writeRestricted, AppContainerInfo? appContainer)
    {
        var b = new TokenBuilder(Alice);
        if (userDenyOnly) b.User = new SidAndAttributes(Alice, GroupAttributes.UseForDenyOnly);
        b.Groups.AddRange(groups);
        b.AddGroup(Sid.Parse("S-1-5-5-0-123456"), EnabledMandatory | GroupAttributes.LogonId);
        b.AddGroup(integrity, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled);
        for (int i = 0; i < PrivilegePool.Length; i++)
            if (privileges[i] is { } attributes) b.PrivilegeList.Add(new Privilege(PrivilegePool[i], attributes));
        b.IntegrityLevel = integrity;
        b.MandatoryPolicy = policy;
        foreach (var r in restricted) b.AddRestrictedSid(r);
        b.WriteRestricted = restricted.Length > 0 && writeRestricted;
        b.AppContainer = appContainer;
        return b.Build();
    }

    /// <summary>An ACE of the four access types (plain and object allow and deny), rarely conditional, with random flags.</summary>
    public static Gen<Ace> AccessAce { get; } =
        from type in Gen.Frequency(
            (8, Gen.Constant(AceType.AccessAllowed)),
            (6, Gen.Constant(AceType.AccessDenied)),
            (2, Gen.Constant(AceType.AccessAllowedObject)),
            (2, Gen.Constant(AceType.AccessDeniedObject)),
            (1, Gen.Constant(AceType.AccessAllowedCallback)),
            (1, Gen.Constant(AceType.AccessDeniedCallback)))
        from sid in Gen.Frequency((16, Gen.Elements(AceSidPool)), (2, Gen.Constant(WellKnownSids.OwnerRights)), (2, Gen.Elements(AppContainerSidPool)))
        from mask in AceMask
        from flags in AceFlagsGen
        from objectType in Gen.Frequency((1, Gen.Constant<Guid?>(null)), (3, Gen.Elements(GuidPool).Select(g => (Guid?)g)))
        from inheritedObjectType in Gen.Frequency((4, Gen.Constant<Guid?>(null)), (1, Gen.Elements(GuidPool).Select(g => (Guid?)g)))
        select type is AceType.AccessAllowedObject or AceType.AccessDeniedObject
            ? new Ace(type, flags, mask, sid, objectType, inheritedObjectType)
            : new Ace(type, flags, mask, sid);

    /// <summary>Header flags: inheritance bits, inherited, and inherit-only about one time in five.</summary>
    public static Gen<AceFlags> AceFlagsGen { get; } =
        from inheritance in Gen.Elements(AceFlags.None, AceFlags.None, AceFlags.ObjectInherit, AceFlags.ContainerInherit, AceFlags.ObjectInherit | AceFlags.ContainerInherit, AceFlags.ContainerInherit | AceFlags.NoPropagateInherit)
        from inherited in Chance(20)
        from inheritOnly in Chance(20)
        select inheritance | (inherited ? AceFlags.Inherited : 0) | (inheritOnly ? AceFlags.InheritOnly : 0);

    /// <summary>A mandatory label ACE: a level, a policy, and now and then inherit-only.</summary>
    public static Gen<Ace> LabelAce { get; } =
        from level in Gen.Elements(WellKnownSids.LowIntegrity, WellKnownSids.MediumIntegrity, WellKnownSids.HighIntegrity, WellKnownSids.SystemIntegrity)
        from policy in Gen.Choose(0, 7)
        from inheritOnly in Chance(10)
        select new Ace(AceType.SystemMandatoryLabel, inheritOnly ? AceFlags.InheritOnly | AceFlags.ObjectInherit : AceFlags.None, (uint)policy, level);

    /// <summary>A file descriptor: owner and group from the pool, every DACL state, 0-12 ACEs, an optional label (and audit ACE).</summary>
    public static Gen<SecurityDescriptor> Descriptor { get; } =
        from owner in Gen.Elements(OwnerPool)
        from primaryGroup in Gen.Elements(OwnerPool)
        from daclState in Gen.Frequency((1, Gen.Constant(AclState.Absent)), (1, Gen.Constant(AclState.Null)), (14, Gen.Constant(AclState.Present)))
        from count in Gen.Frequency((1, Gen.Constant(0)), (8, Gen.Choose(1, 12)))
        from aces in AccessAce.ArrayOf(count)
        from labels in Gen.Frequency((5, Gen.Constant(Array.Empty<Ace>())), (3, LabelAce.ArrayOf(1)), (1, LabelAce.ArrayOf(2)))
        from audit in Chance(10)
        select new SecurityDescriptor(owner, primaryGroup,
            daclState == AclState.Present ? new Acl(aces) : null,
            labels.Length > 0 || audit ? new Acl(audit ? [.. labels, new Ace(AceType.SystemAudit, AceFlags.FailedAccess, FileRights, WellKnownSids.World)] : labels) : null,
            daclState: daclState);

    /// <summary>An object type list (a tree over <see cref="GuidPool"/>) about one time in four, else none.</summary>
    public static Gen<ObjectTypeEntry[]> ObjectTypeList { get; } = Gen.Frequency(
        (3, Gen.Constant(Array.Empty<ObjectTypeEntry>())),
        (1, Gen.Elements<ObjectTypeEntry[]>(
            [new(0, GuidPool[0]), new(1, GuidPool[1]), new(2, GuidPool[2]), new(2, GuidPool[3])],
            [new(0, GuidPool[0]), new(1, GuidPool[2]), new(1, GuidPool[3])],
            [new(0, GuidPool[1])])));

    /// <summary>A whole world.</summary>
    public static Gen<World> WorldGen { get; } =
        from token in Token
        from descriptor in Descriptor
        from desired in Desired
        from types in ObjectTypeList
        from self in Gen.Frequency((3, Gen.Constant<Sid?>(null)), (1, Gen.Elements<Sid?>(Alice, Bob, DomainUsers)))
        select new World(token, descriptor, desired, types, self);

    /// <summary>Filter arguments for a token: SIDs to disable (some absent), privileges to delete, maybe restricting SIDs and flags.</summary>
    public static Gen<FilterSpec> FilterFor(Token token)
    {
        var own = new[] { token.User.Sid }.Concat(token.Groups.Select(g => g.Sid)).Distinct().ToArray();
        return from disable in SubsetOf(own, 20)
               from absent in Chance(20)
               from delete in SubsetOf(PrivilegePool, 25)
               from restrict in Gen.Frequency(
                   (4, Gen.Constant(Array.Empty<Sid>())),
                   (2, SubsetOf(RestrictingPool, 35)),
                   (token.IsRestricted ? 2 : 0, SubsetOf(token.RestrictedSids.Select(r => r.Sid).ToArray(), 50)))
               from flags in SubsetOf(new[] { FilterTokenFlags.DisableMaxPrivilege, FilterTokenFlags.WriteRestricted, FilterTokenFlags.SandboxInert, FilterTokenFlags.LuaToken }, 15)
               select new FilterSpec(flags.Aggregate(FilterTokenFlags.None, (a, f) => a | f),
                   absent ? [.. disable, Bob] : disable, delete, restrict);
    }

    /// <summary>A world with the same world's filter arguments.</summary>
    public static Gen<(World World, FilterSpec Filter)> WorldAndFilter { get; } =
        from world in WorldGen
        from filter in FilterFor(world.Token)
        select (world, filter);

    /// <summary>Worlds shrink by dropping ACEs, the SACL and the object type list, so a failure is reported small.</summary>
    public static IEnumerable<World> Shrink(World world)
    {
        var sd = world.Descriptor;
        if (sd.Dacl is { Count: > 0 } dacl)
            for (int i = 0; i < dacl.Count; i++)
                yield return world with { Descriptor = sd.WithDacl(new Acl(dacl.Aces.RemoveAt(i))) };
        if (sd.Sacl is not null) yield return world with { Descriptor = sd.WithSacl(null) };
        if (world.ObjectTypes.Length > 0) yield return world with { ObjectTypes = [] };
        if (world.Self is not null) yield return world with { Self = null };
    }

    /// <summary>A token in one line: user, groups with attributes, privileges, integrity, restrictions, AppContainer.</summary>
    public static string Describe(Token t)
    {
        static string Attr(GroupAttributes a) => a == GroupAttributes.None ? "disabled" : a.ToString().Replace(", ", "|", StringComparison.Ordinal);
        var sb = new StringBuilder();
        sb.Append(t.User.Sid).Append(t.User.IsDenyOnly ? " (deny-only)" : "");
        sb.Append(" groups [").Append(string.Join(", ", t.Groups.Select(g => $"{g.Sid} {Attr(g.Attributes)}"))).Append(']');
        sb.Append(" privileges [").Append(string.Join(", ", t.Privileges.Select(p => $"{p.Name}{(p.IsEnabled ? "+" : "-")}"))).Append(']');
        sb.Append(" integrity ").Append(t.IntegrityLevel).Append(" policy ").Append(t.MandatoryPolicy);
        if (t.IsRestricted) sb.Append(t.WriteRestricted ? " write-restricted [" : " restricted [").Append(string.Join(", ", t.RestrictedSids.Select(r => r.Sid.ToString()))).Append(']');
        if (t.AppContainer is { } ac) sb.Append(" appcontainer ").Append(ac.PackageSid).Append(" caps [").Append(string.Join(", ", ac.Capabilities.Select(c => $"{c.Sid} {Attr(c.Attributes)}"))).Append(']');
        return sb.ToString();
    }
}
