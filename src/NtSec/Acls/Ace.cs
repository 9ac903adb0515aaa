using System.Buffers.Binary;
using NtSec.Principals;

namespace NtSec.Acls;

/// <summary>ACE types (MS-DTYP 2.4.4.1, winnt.h).</summary>
public enum AceType : byte
{
    /// <summary>ACCESS_ALLOWED_ACE_TYPE (SDDL A).</summary>
    AccessAllowed = 0x00,
    /// <summary>ACCESS_DENIED_ACE_TYPE (SDDL D).</summary>
    AccessDenied = 0x01,
    /// <summary>SYSTEM_AUDIT_ACE_TYPE (SDDL AU).</summary>
    SystemAudit = 0x02,
    /// <summary>SYSTEM_ALARM_ACE_TYPE (SDDL AL; reserved, never enforced).</summary>
    SystemAlarm = 0x03,
    /// <summary>ACCESS_ALLOWED_COMPOUND_ACE_TYPE (reserved; kept as raw bytes).</summary>
    AccessAllowedCompound = 0x04,
    /// <summary>ACCESS_ALLOWED_OBJECT_ACE_TYPE (SDDL OA).</summary>
    AccessAllowedObject = 0x05,
    /// <summary>ACCESS_DENIED_OBJECT_ACE_TYPE (SDDL OD).</summary>
    AccessDeniedObject = 0x06,
    /// <summary>SYSTEM_AUDIT_OBJECT_ACE_TYPE (SDDL OU).</summary>
    SystemAuditObject = 0x07,
    /// <summary>SYSTEM_ALARM_OBJECT_ACE_TYPE (SDDL OL).</summary>
    SystemAlarmObject = 0x08,
    /// <summary>ACCESS_ALLOWED_CALLBACK_ACE_TYPE (SDDL XA).</summary>
    AccessAllowedCallback = 0x09,
    /// <summary>ACCESS_DENIED_CALLBACK_ACE_TYPE (SDDL XD).</summary>
    AccessDeniedCallback = 0x0A,
    /// <summary>ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE (SDDL ZA).</summary>
    AccessAllowedCallbackObject = 0x0B,
    /// <summary>ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE.</summary>
    AccessDeniedCallbackObject = 0x0C,
    /// <summary>SYSTEM_AUDIT_CALLBACK_ACE_TYPE (SDDL XU).</summary>
    SystemAuditCallback = 0x0D,
    /// <summary>SYSTEM_ALARM_CALLBACK_ACE_TYPE.</summary>
    SystemAlarmCallback = 0x0E,
    /// <summary>SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE.</summary>
    SystemAuditCallbackObject = 0x0F,
    /// <summary>SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE.</summary>
    SystemAlarmCallbackObject = 0x10,
    /// <summary>SYSTEM_MANDATORY_LABEL_ACE_TYPE (SDDL ML).</summary>
    SystemMandatoryLabel = 0x11,
    /// <summary>SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE (SDDL RA).</summary>
    SystemResourceAttribute = 0x12,
    /// <summary>SYSTEM_SCOPED_POLICY_ID_ACE_TYPE (SDDL SP).</summary>
    SystemScopedPolicyId = 0x13,
    /// <summary>SYSTEM_PROCESS_TRUST_LABEL_ACE_TYPE (SDDL TL).</summary>
    SystemProcessTrustLabel = 0x14,
    /// <summary>SYSTEM_ACCESS_FILTER_ACE_TYPE (SDDL FL).</summary>
    SystemAccessFilter = 0x15,
}

/// <summary>ACE header flags (MS-DTYP 2.4.4.1).</summary>
[Flags]
public enum AceFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>OBJECT_INHERIT_ACE (OI).</summary>
    ObjectInherit = 0x01,
    /// <summary>CONTAINER_INHERIT_ACE (CI).</summary>
    ContainerInherit = 0x02,
    /// <summary>NO_PROPAGATE_INHERIT_ACE (NP).</summary>
    NoPropagateInherit = 0x04,
    /// <summary>INHERIT_ONLY_ACE (IO): the ACE is skipped by the access check.</summary>
    InheritOnly = 0x08,
    /// <summary>INHERITED_ACE (ID).</summary>
    Inherited = 0x10,
    /// <summary>CRITICAL_ACE_FLAG (CR), bit 0x20: the ACE cannot be removed.</summary>
    Critical = 0x20,
    /// <summary>SUCCESSFUL_ACCESS_ACE_FLAG (SA); on an access filter ACE the same bit is TRUST_PROTECTED_FILTER (TP).</summary>
    SuccessfulAccess = 0x40,
    /// <summary>FAILED_ACCESS_ACE_FLAG (FA).</summary>
    FailedAccess = 0x80,
}

/// <summary>The Flags field of an object ACE.</summary>
[Flags]
public enum ObjectAceFlags : uint
{
    /// <summary>Neither GUID present.</summary>
    None = 0,
    /// <summary>ACE_OBJECT_TYPE_PRESENT.</summary>
    ObjectTypePresent = 1,
    /// <summary>ACE_INHERITED_OBJECT_TYPE_PRESENT.</summary>
    InheritedObjectTypePresent = 2,
}

/// <summary>
/// An access control entry: any type of MS-DTYP 2.4.4, immutable. Types NtSec does not know are kept as their raw
/// body and written back unchanged.
/// </summary>
/// <remarks>
/// One class serves every layout so the access check walks a flat array of the same type. Bytes an ACE carries
/// after its known fields (a callback condition, a resource attribute block, or padding) are kept in
/// <see cref="ApplicationData"/>, which makes the binary round trip exact.
/// </remarks>
public sealed class Ace : IEquatable<Ace>
{
    // What most ACEs lack, kept apart so that a plain ACE is small (issue 10: a parsed descriptor is mostly ACEs;
    // 48 bytes for a plain ACE, 112 with these fields inline): an object ACE's flags and GUIDs, application data,
    // or a raw ACE's body. Null when there is none of it.
    private readonly Extra? _extra;

    private sealed class Extra(ObjectAceFlags objectFlags, Guid? objectType, Guid? inheritedObjectType, byte[] applicationData, byte[]? rawBody)
    {
        public readonly ObjectAceFlags ObjectFlags = objectFlags;
        public readonly Guid? ObjectType = objectType;
        public readonly Guid? InheritedObjectType = inheritedObjectType;
        public readonly byte[] ApplicationData = applicationData;
        public readonly byte[]? RawBody = rawBody;
    }

    private static Extra? ExtraFor(ObjectAceFlags objectFlags, Guid? objectType, Guid? inheritedObjectType, byte[] applicationData, byte[]? rawBody)
        => objectFlags == ObjectAceFlags.None && objectType is null && inheritedObjectType is null && applicationData.Length == 0 && rawBody is null ? null
            : new Extra(objectFlags, objectType, inheritedObjectType, applicationData, rawBody);

    private byte[] ApplicationDataArray => _extra?.ApplicationData ?? [];

    /// <summary>Creates an ACE of a known layout.</summary>
    /// <param name="type">The ACE type; must not be <see cref="AceType.AccessAllowedCompound"/> or unknown (use <see cref="CreateRaw"/>).</param>
    /// <param name="flags">The header flags.</param>
    /// <param name="mask">The access mask (for a label ACE: NO_WRITE_UP 1, NO_READ_UP 2, NO_EXECUTE_UP 4).</param>
    /// <param name="sid">The trustee.</param>
    /// <param name="objectType">For object ACE types, the object type GUID.</param>
    /// <param name="inheritedObjectType">For object ACE types, the inherited object type GUID.</param>
    /// <param name="applicationData">Bytes after the SID: the callback condition (<c>artx</c>...), the resource attribute, or padding.</param>
    public Ace(AceType type, AceFlags flags, uint mask, Sid sid, Guid? objectType = null, Guid? inheritedObjectType = null, ReadOnlySpan<byte> applicationData = default)
    {
        if (!AceTypes.HasKnownLayout((byte)type)) throw new ArgumentException($"ACE type 0x{(byte)type:x2} has no known layout; use Ace.CreateRaw.", nameof(type));
        if (sid.IsDefault) throw new ArgumentException("An ACE needs a SID.", nameof(sid));
        if (!AceTypes.IsObject(type) && (objectType.HasValue || inheritedObjectType.HasValue))
            throw new ArgumentException("Only object ACE types carry GUIDs.", nameof(objectType));
        Type = type;
        Flags = flags;
        Mask = mask;
        Sid = sid;
        _extra = ExtraFor((objectType.HasValue ? ObjectAceFlags.ObjectTypePresent : 0) | (inheritedObjectType.HasValue ? ObjectAceFlags.InheritedObjectTypePresent : 0),
            objectType, inheritedObjectType, applicationData.ToArray(), null);
        Kind = Classify();
        if (GetBinaryLength() > ushort.MaxValue) throw new ArgumentException("The ACE would exceed 65535 bytes.", nameof(applicationData));
    }

    private Ace(AceType type, AceFlags flags, uint mask, Sid sid, ObjectAceFlags objectFlags, Guid? objectType, Guid? inheritedObjectType, byte[] applicationData, byte[]? rawBody)
    {
        Type = type;
        Flags = flags;
        Mask = mask;
        Sid = sid;
        _extra = ExtraFor(objectFlags, objectType, inheritedObjectType, applicationData, rawBody);
        Kind = Classify();
    }

    /// <summary>What the access check does with this ACE, decided once when the ACE is made.</summary>
    internal CheckKind Kind { get; }

    [Flags]
    internal enum CheckKind : byte
    {
        Ignore = 0,
        Allow = 1,
        Deny = 2,
        InheritOnly = 4,
        Callback = 8,
        OwnerRightsSid = 16,
        PrincipalSelfSid = 32,
    }

    private CheckKind Classify()
    {
        // One read of the type's row (every ACE the SDDL parser or the codec makes passes here).
        if (RawBody is not null || AceTypes.Find(Type) is not { } info) return CheckKind.Ignore;
        var k = info.Effect switch { AceEffect.Allow => CheckKind.Allow, AceEffect.Deny => CheckKind.Deny, _ => CheckKind.Ignore };
        if (k == CheckKind.Ignore) return k;
        if (IsInheritOnly) k |= CheckKind.InheritOnly;
        if (info.IsCallback) k |= CheckKind.Callback;
        if (Sid == WellKnownSids.OwnerRights) k |= CheckKind.OwnerRightsSid;
        if (Sid == WellKnownSids.PrincipalSelf) k |= CheckKind.PrincipalSelfSid;
        return k;
    }

    /// <summary>
    /// Creates an ACE of a type NtSec has no layout for (the reserved compound type 4, or above 0x15) from its body
    /// (everything after the 4-byte header), kept as is. Known types must be built with the constructor, so that
    /// their fields are what the binary reader would find.
    /// </summary>
    /// <exception cref="ArgumentException">The type has a known layout, or the ACE would exceed 65535 bytes.</exception>
    public static Ace CreateRaw(byte type, AceFlags flags, ReadOnlySpan<byte> body)
    {
        if (AceTypes.HasKnownLayout(type)) throw new ArgumentException($"ACE type 0x{type:x2} has a known layout; use the Ace constructor.", nameof(type));
        if (body.Length + 4 > ushort.MaxValue) throw new ArgumentException("The ACE would exceed 65535 bytes.", nameof(body));
        uint mask = body.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(body) : 0;
        return new Ace((AceType)type, flags, mask, default, ObjectAceFlags.None, null, null, [], body.ToArray());
    }

    /// <summary>An ACCESS_ALLOWED ACE.</summary>
    public static Ace Allow(Sid sid, uint mask, AceFlags flags = AceFlags.None) => new(AceType.AccessAllowed, flags, mask, sid);

    /// <summary>An ACCESS_DENIED ACE.</summary>
    public static Ace Deny(Sid sid, uint mask, AceFlags flags = AceFlags.None) => new(AceType.AccessDenied, flags, mask, sid);

    /// <summary>The ACE type.</summary>
    public AceType Type { get; }

    /// <summary>The header flags.</summary>
    public AceFlags Flags { get; }

    /// <summary>The access mask (for a raw ACE, the first four body bytes, if any).</summary>
    public uint Mask { get; }

    /// <summary>The trustee; <c>default</c> for a raw ACE.</summary>
    public Sid Sid { get; }

    /// <summary>For object ACEs, the Flags field that says which GUIDs are present.</summary>
    public ObjectAceFlags ObjectFlags => _extra?.ObjectFlags ?? ObjectAceFlags.None;

    /// <summary>For object ACEs, the object type (property, property set, extended right or child class).</summary>
    public Guid? ObjectType => _extra?.ObjectType;

    /// <summary>For object ACEs, the object class that may inherit the ACE.</summary>
    public Guid? InheritedObjectType => _extra?.InheritedObjectType;

    /// <summary>The bytes after the SID: a callback condition, a resource attribute, or padding.</summary>
    public ReadOnlySpan<byte> ApplicationData => ApplicationDataArray;

    /// <summary>For an ACE of unknown layout, its body after the header; null otherwise.</summary>
    public byte[]? RawBody => _extra?.RawBody;

    /// <summary>True when NtSec does not know the layout and keeps the body as bytes.</summary>
    public bool IsRaw => RawBody is not null;

    /// <summary>True for INHERIT_ONLY ACEs, which the access check skips.</summary>
    public bool IsInheritOnly => (Flags & AceFlags.InheritOnly) != 0;

    /// <summary>True for the INHERITED flag.</summary>
    public bool IsInherited => (Flags & AceFlags.Inherited) != 0;

    /// <summary>The type's row in the ACE type table; null for a type Windows does not define.</summary>
    public AceTypeInfo? TypeInfo => AceTypes.Find(Type);

    /// <summary>True for the object layouts (types 5-8, 0x0B, 0x0C, 0x0F, 0x10).</summary>
    public bool IsObjectAce => !IsRaw && AceTypes.IsObject(Type);

    /// <summary>True for the callback types (9-0x10), whose application data holds a condition.</summary>
    public bool IsCallback => AceTypes.Find(Type)?.IsCallback == true;

    /// <summary>True for the allow types that grant through the DACL (0x00, 0x05, 0x09, 0x0B).</summary>
    public bool IsAccessAllowed => !IsRaw && AceTypes.Find(Type)?.Effect == AceEffect.Allow;

    /// <summary>True for the deny types (0x01, 0x06, 0x0A, 0x0C).</summary>
    public bool IsAccessDenied => !IsRaw && AceTypes.Find(Type)?.Effect == AceEffect.Deny;

    /// <summary>True for the types that belong in a SACL (audit, alarm, label, resource attribute, scoped policy, trust label, access filter).</summary>
    public bool IsSystemAce => AceTypes.Find(Type)?.AllowedIn == AclKinds.Sacl;

    /// <summary>A copy with other flags.</summary>
    public Ace WithFlags(AceFlags flags) => new(Type, flags, Mask, Sid, ObjectFlags, ObjectType, InheritedObjectType, ApplicationDataArray, RawBody);

    /// <summary>A copy with another mask (not for raw ACEs).</summary>
    public Ace WithMask(uint mask) => IsRaw ? throw new InvalidOperationException("A raw ACE has no mask field to change.")
        : new(Type, Flags, mask, Sid, ObjectFlags, ObjectType, InheritedObjectType, ApplicationDataArray, null);

    /// <summary>A copy with another SID (not for raw ACEs).</summary>
    public Ace WithSid(Sid sid) => IsRaw ? throw new InvalidOperationException("A raw ACE has no SID field to change.")
        : new(Type, Flags, Mask, sid, ObjectFlags, ObjectType, InheritedObjectType, ApplicationDataArray, null);

    // ----- binary codec -------------------------------------------------------------------------------------

    /// <summary>The size of the ACE in bytes (its AceSize).</summary>
    public int GetBinaryLength()
    {
        if (RawBody is not null) return 4 + RawBody.Length;
        int length = 8 + Sid.BinaryLength + ApplicationDataArray.Length;
        if (AceTypes.IsObject(Type))
        {
            length += 4;
            if (ObjectType.HasValue) length += 16;
            if (InheritedObjectType.HasValue) length += 16;
        }
        return length;
    }

    /// <summary>Writes the ACE as Windows lays it out.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        int length = GetBinaryLength();
        bytesWritten = 0;
        if (destination.Length < length) return false;
        destination[0] = (byte)Type;
        destination[1] = (byte)Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)length);
        if (RawBody is not null)
        {
            RawBody.CopyTo(destination[4..]);
            bytesWritten = length;
            return true;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Mask);
        int pos = 8;
        if (AceTypes.IsObject(Type))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[pos..], (uint)ObjectFlags);
            pos += 4;
            if (ObjectType is { } ot)
            {
                ot.TryWriteBytes(destination[pos..]);
                pos += 16;
            }
            if (InheritedObjectType is { } iot)
            {
                iot.TryWriteBytes(destination[pos..]);
                pos += 16;
            }
        }
        Sid.TryWrite(destination[pos..], out int n);
        pos += n;
        ApplicationDataArray.CopyTo(destination[pos..]);
        bytesWritten = length;
        return true;
    }

    /// <summary>Reads one ACE from the start of <paramref name="source"/>.</summary>
    /// <param name="source">The bytes from the ACE's header on; may be longer than the ACE.</param>
    /// <param name="ace">The ACE read.</param>
    /// <param name="bytesRead">Its AceSize.</param>
    /// <param name="error">Why it is not an ACE; positions relative to <paramref name="source"/>.</param>
    public static bool TryRead(ReadOnlySpan<byte> source, out Ace? ace, out int bytesRead, out ParseError? error)
    {
        ace = null;
        bytesRead = 0;
        if (source.Length < 4)
        {
            error = new ParseError(ParseErrorKind.Truncated, 0, "an ACE header needs 4 bytes", Win32Error.InvalidAcl);
            return false;
        }
        byte type = source[0];
        var flags = (AceFlags)source[1];
        int size = BinaryPrimitives.ReadUInt16LittleEndian(source[2..]);
        if (size < 4)
        {
            error = new ParseError(ParseErrorKind.BadStructure, 2, $"AceSize {size} is smaller than the ACE header", Win32Error.InvalidAcl);
            return false;
        }
        if (size > source.Length)
        {
            error = new ParseError(ParseErrorKind.BadStructure, 2, $"AceSize {size} runs past the end of the ACL ({source.Length} bytes left)", Win32Error.InvalidAcl);
            return false;
        }
        var body = source[4..size];
        if (!AceTypes.HasKnownLayout(type))
        {
            ace = new Ace((AceType)type, flags, body.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(body) : 0, default, ObjectAceFlags.None, null, null, [], body.ToArray());
            bytesRead = size;
            error = null;
            return true;
        }
        if (body.Length < 4)
        {
            error = new ParseError(ParseErrorKind.Truncated, 4, $"ACE of type 0x{type:x2} is too short for its access mask", Win32Error.InvalidAcl);
            return false;
        }
        uint mask = BinaryPrimitives.ReadUInt32LittleEndian(body);
        int pos = 4;
        var objectFlags = ObjectAceFlags.None;
        Guid? objectType = null, inheritedObjectType = null;
        if (AceTypes.IsObject((AceType)type))
        {
            if (body.Length < pos + 4)
            {
                error = new ParseError(ParseErrorKind.Truncated, 4 + pos, "object ACE is too short for its Flags field", Win32Error.InvalidAcl);
                return false;
            }
            objectFlags = (ObjectAceFlags)BinaryPrimitives.ReadUInt32LittleEndian(body[pos..]);
            pos += 4;
            if ((objectFlags & ObjectAceFlags.ObjectTypePresent) != 0)
            {
                if (body.Length < pos + 16)
                {
                    error = new ParseError(ParseErrorKind.Truncated, 4 + pos, "object ACE is too short for its ObjectType GUID", Win32Error.InvalidAcl);
                    return false;
                }
                objectType = new Guid(body.Slice(pos, 16));
                pos += 16;
            }
            if ((objectFlags & ObjectAceFlags.InheritedObjectTypePresent) != 0)
            {
                if (body.Length < pos + 16)
                {
                    error = new ParseError(ParseErrorKind.Truncated, 4 + pos, "object ACE is too short for its InheritedObjectType GUID", Win32Error.InvalidAcl);
                    return false;
                }
                inheritedObjectType = new Guid(body.Slice(pos, 16));
                pos += 16;
            }
        }
        if (!Sid.TryRead(body[pos..], out var sid, out int sidLength, out var sidError))
        {
            error = sidError!.Within(4 + pos, "ACE SID: ", Win32Error.InvalidAcl);
            return false;
        }
        pos += sidLength;
        ace = new Ace((AceType)type, flags, mask, sid, objectFlags, objectType, inheritedObjectType, body[pos..].ToArray(), null);
        bytesRead = size;
        error = null;
        return true;
    }

    // ----- equality -----------------------------------------------------------------------------------------

    /// <inheritdoc />
    public bool Equals(Ace? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (Type != other.Type || Flags != other.Flags || Mask != other.Mask || ObjectFlags != other.ObjectFlags) return false;
        if (RawBody is not null || other.RawBody is not null)
            return RawBody is not null && other.RawBody is not null && RawBody.AsSpan().SequenceEqual(other.RawBody);
        return Sid == other.Sid && ObjectType == other.ObjectType && InheritedObjectType == other.InheritedObjectType
               && ApplicationDataArray.AsSpan().SequenceEqual(other.ApplicationDataArray);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Ace);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Flags, Mask, IsRaw ? 0 : Sid.GetHashCode(), ObjectType, InheritedObjectType);

    // Supplied by the SDDL layer above when the assembly loads (SddlDisplay), so the model never names its codecs.
    internal static Func<Ace, string>? Display;

    /// <summary>The ACE in SDDL form (constant aliases only; <c>SddlWriter.FormatAce</c> takes a domain context).</summary>
    public override string ToString() => Display?.Invoke(this) ?? base.ToString()!;
}
