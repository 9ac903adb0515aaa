using FsCheck;
using FsCheck.Fluent;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tests.Fuzzing;

namespace NtSec.Tests.Properties;

/// <summary>FsCheck generators for the security model's values, biased towards boundary values.</summary>
public static class Generators
{
    /// <summary>Any 32-bit value, boundaries often.</summary>
    public static Gen<uint> UInt32 { get; } = Gen.Frequency(
        (2, Gen.Elements(0u, 1u, 0x7fffffffu, 0x80000000u, 0xfffffffeu, uint.MaxValue)),
        (8, Gen.Zip(Gen.Choose(0, 0xffff), Gen.Choose(0, 0xffff), (hi, lo) => ((uint)hi << 16) | (uint)lo)));

    /// <summary>A byte.</summary>
    public static Gen<byte> Byte { get; } = Gen.Choose(0, 255).Select(i => (byte)i);

    /// <summary>Bytes, up to <paramref name="max"/> of them.</summary>
    public static Gen<byte[]> Bytes(int max) => Gen.Choose(0, max).SelectMany(n => Gen.ArrayOf(Byte, n));

    /// <summary>A GUID from 16 random bytes.</summary>
    public static Gen<Guid> Guid { get; } = Gen.ArrayOf(Byte, 16).Select(b => new Guid(b));

    /// <summary>
    /// A 48-bit identifier authority: the usual small ones, the values on either side of 2^32 (where Windows
    /// switches to hex), the largest, and any.
    /// </summary>
    public static Gen<ulong> Authority { get; } = Gen.Frequency(
        (5, Gen.Elements(0UL, 1UL, 2UL, 3UL, 5UL, 9UL, 15UL, 16UL, 17UL, 18UL, 19UL)),
        (3, Gen.Elements(0xffff_ffffUL, 0x1_0000_0000UL, 0x1_0000_0001UL, 0x131313131313UL, global::NtSec.Principals.Sid.MaxIdentifierAuthority)),
        (2, Gen.Zip(Gen.Choose(0, 0xffff), UInt32, (hi, lo) => ((ulong)hi << 32) | lo)));

    /// <summary>A sub-authority: well-known RIDs and boundaries often.</summary>
    public static Gen<uint> SubAuthority { get; } = Gen.Frequency(
        (3, Gen.Elements(0u, 1u, 18u, 21u, 32u, 500u, 512u, 544u, 1000u, uint.MaxValue)),
        (7, UInt32));

    /// <summary>A SID with <paramref name="minSubAuthorities"/> to 15 sub-authorities.</summary>
    public static Gen<Sid> Sid(int minSubAuthorities = 0) =>
        from authority in Authority
        from count in Gen.Frequency((6, Gen.Choose(Math.Max(minSubAuthorities, 1), 5)), (2, Gen.Choose(minSubAuthorities, 15)), (1, Gen.Constant(15)))
        from subs in Gen.ArrayOf(SubAuthority, count)
        select global::NtSec.Principals.Sid.Create(authority, subs);

    /// <summary>Every SID an SDDL alias stands for in <see cref="FuzzCorpus.Context"/>.</summary>
    public static Sid[] AliasSids { get; } =
        [.. SddlSidAliases.All.Select(e => e.Resolve(FuzzCorpus.Context)).OfType<Sid>().Distinct()];

    /// <summary>A SID SDDL can write: an aliased one, a domain account, or any with at least one sub-authority.</summary>
    public static Gen<Sid> SddlSid { get; } = Gen.Frequency(
        (3, Gen.Elements(AliasSids)),
        (2, Gen.Elements(FuzzCorpus.Context.Domain!.Value, FuzzCorpus.Context.MachineDomain!.Value, FuzzCorpus.Context.ForestRootDomain!.Value)
            .SelectMany(d => SubAuthority.Select(d.Append))),
        (5, Sid(1)));

    /// <summary>Every ACE type with a known layout (0x00-0x15 except the compound type 0x04).</summary>
    public static AceType[] KnownTypes { get; } =
        [.. AceTypes.All.Where(t => t.HasKnownLayout).Select(t => t.Type)];

    private static bool IsCallback(AceType t) => AceTypes.Find(t)?.IsCallback == true;

    private static Gen<Guid?> OptionalGuid { get; } = Gen.Frequency((1, Gen.Constant<Guid?>(null)), (2, Guid.Select(g => (Guid?)g)));

    /// <summary>Application data: a callback condition ("artx" and byte code), a resource attribute, or padding.</summary>
    private static Gen<byte[]> ApplicationData(AceType type)
    {
        if (IsCallback(type))
            return Gen.Frequency((1, Gen.Constant(Array.Empty<byte>())), (3, Bytes(40).Select(b => "artx"u8.ToArray().Concat(b).ToArray())), (1, Bytes(12)));
        if (type == AceType.SystemResourceAttribute) return Bytes(48);
        return Gen.Frequency((6, Gen.Constant(Array.Empty<byte>())), (1, Bytes(12)));
    }

    /// <summary>
    /// Any ACE: every known type (object types with and without each GUID, callback types with and without
    /// application data, padding after the SID) and raw ACEs of unknown types.
    /// </summary>
    public static Gen<Ace> Ace { get; } = Gen.Frequency((8, KnownAce()), (2, RawAce()));

    private static Gen<Ace> KnownAce() =>
        from type in Gen.Elements(KnownTypes)
        from flags in Byte
        from mask in UInt32
        from sid in Sid()
        from objectType in AceTypes.IsObject(type) ? OptionalGuid : Gen.Constant<Guid?>(null)
        from inheritedObjectType in AceTypes.IsObject(type) ? OptionalGuid : Gen.Constant<Guid?>(null)
        from data in ApplicationData(type)
        select new Ace(type, (AceFlags)flags, mask, sid, objectType, inheritedObjectType, data);

    private static Gen<Ace> RawAce() =>
        from type in Gen.Frequency((1, Gen.Constant((byte)AceType.AccessAllowedCompound)), (4, Gen.Choose(0x16, 0xff).Select(i => (byte)i)))
        from flags in Byte
        from body in Bytes(40)
        select Acls.Ace.CreateRaw(type, (AceFlags)flags, body);

    /// <summary>An ACL of up to 8 ACEs, with the revision Windows would set or another valid for its ACEs.</summary>
    public static Gen<Acl> Acl { get; } =
        from count in Gen.Choose(0, 8)
        from aces in Gen.ArrayOf(Ace, count)
        from revision in aces.Any(a => a.IsObjectAce) ? Gen.Elements<byte>(0, Acls.Acl.RevisionDs) : Gen.Elements<byte>(0, 2, 3, 4)
        select new Acl(aces, revision);

    private static Gen<(AclState State, Acl? Acl)> AclSlot(Gen<Acl> acl) => Gen.Frequency(
        (1, Gen.Constant<(AclState, Acl?)>((AclState.Absent, null))),
        (1, Gen.Constant<(AclState, Acl?)>((AclState.Null, null))),
        (1, Gen.Constant<(AclState, Acl?)>((AclState.Present, Acls.Acl.Empty))),
        (4, acl.Select(a => (AclState.Present, (Acl?)a))));

    private static Gen<Sid?> Optional(Gen<Sid> sid) => Gen.Frequency((1, Gen.Constant<Sid?>(null)), (4, sid.Select(s => (Sid?)s)));

    /// <summary>
    /// Any security descriptor: owner and group present or not, DACL and SACL absent, NULL, empty or holding any
    /// ACEs, any control flags and resource-manager byte.
    /// </summary>
    public static Gen<SecurityDescriptor> Descriptor { get; } =
        from owner in Optional(Sid())
        from primaryGroup in Optional(Sid())
        from dacl in AclSlot(Acl)
        from sacl in AclSlot(Acl)
        from control in Gen.Choose(0, 0xffff)
        from rm in Byte
        select new SecurityDescriptor(owner, primaryGroup, dacl.Acl, sacl.Acl, (SecurityDescriptorControl)control, dacl.State, sacl.State, rm);

    /// <summary>An ACE SDDL can write and read in the given ACL: no raw, callback or resource attribute ACEs, no data after the SID.</summary>
    public static Gen<Ace> SddlAce(bool inDacl) =>
        from type in Gen.Elements(AceTypes.All
            .Where(c => c.SddlCode is not null && c.AllowedIn == (inDacl ? AclKinds.Dacl : AclKinds.Sacl) && !c.IsCallback && c.Layout != AceLayout.ResourceAttribute)
            .Select(c => c.Type).ToArray())
        from flags in Byte
        from mask in Gen.Frequency((2, Gen.Elements(SddlRights.WholeCodes.Select(c => c.Mask).Append(0u).ToArray())), (5, UInt32))
        from sid in SddlSid
        from objectType in AceTypes.IsObject(type) ? OptionalGuid : Gen.Constant<Guid?>(null)
        from inheritedObjectType in AceTypes.IsObject(type) ? OptionalGuid : Gen.Constant<Guid?>(null)
        select new Ace(type, (AceFlags)flags, mask, sid, objectType, inheritedObjectType);

    private static Gen<Acl> SddlAcl(bool inDacl) =>
        from count in Gen.Choose(0, 6)
        from aces in Gen.ArrayOf(SddlAce(inDacl), count)
        select new Acl(aces);

    private const SecurityDescriptorControl DaclFlags = SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclAutoInheritRequired | SecurityDescriptorControl.DaclAutoInherited;
    private const SecurityDescriptorControl SaclFlags = SecurityDescriptorControl.SaclProtected | SecurityDescriptorControl.SaclAutoInheritRequired | SecurityDescriptorControl.SaclAutoInherited;

    /// <summary>
    /// A descriptor SDDL can express: SDDL-writable SIDs and ACEs, ACLs absent, NULL, empty or not, and of the control
    /// flags only P, AR and AI, on the ACLs that are there.
    /// </summary>
    public static Gen<SecurityDescriptor> SddlDescriptor { get; } =
        from owner in Optional(SddlSid)
        from primaryGroup in Optional(SddlSid)
        from dacl in AclSlot(SddlAcl(true))
        from sacl in AclSlot(SddlAcl(false))
        from control in Gen.Choose(0, 0xffff)
        let flags = (SecurityDescriptorControl)control
                    & ((dacl.State == AclState.Absent ? 0 : DaclFlags) | (sacl.State == AclState.Absent ? 0 : SaclFlags))
        select new SecurityDescriptor(owner, primaryGroup, dacl.Acl, sacl.Acl, flags, dacl.State, sacl.State);
}
