using System.Buffers.Binary;
using NtSec.Acls;
using NtSec.Principals;

namespace NtSec.Descriptors;

/// <summary>SECURITY_DESCRIPTOR_CONTROL bits (MS-DTYP 2.4.6).</summary>
[Flags]
public enum SecurityDescriptorControl : ushort
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>SE_OWNER_DEFAULTED (OD).</summary>
    OwnerDefaulted = 0x0001,
    /// <summary>SE_GROUP_DEFAULTED (GD).</summary>
    GroupDefaulted = 0x0002,
    /// <summary>SE_DACL_PRESENT (DP): without it the descriptor has no DACL and grants everything.</summary>
    DaclPresent = 0x0004,
    /// <summary>SE_DACL_DEFAULTED (DD).</summary>
    DaclDefaulted = 0x0008,
    /// <summary>SE_SACL_PRESENT (SP).</summary>
    SaclPresent = 0x0010,
    /// <summary>SE_SACL_DEFAULTED (SD).</summary>
    SaclDefaulted = 0x0020,
    /// <summary>DT (MS-DTYP "DACL Trusted"; winnt.h names the bit SE_DACL_UNTRUSTED).</summary>
    DaclTrusted = 0x0040,
    /// <summary>SE_SERVER_SECURITY (SS).</summary>
    ServerSecurity = 0x0080,
    /// <summary>SE_DACL_AUTO_INHERIT_REQ (DC; SDDL flag AR on the DACL).</summary>
    DaclAutoInheritRequired = 0x0100,
    /// <summary>SE_SACL_AUTO_INHERIT_REQ (SC; SDDL flag AR on the SACL).</summary>
    SaclAutoInheritRequired = 0x0200,
    /// <summary>SE_DACL_AUTO_INHERITED (DI; SDDL flag AI on the DACL).</summary>
    DaclAutoInherited = 0x0400,
    /// <summary>SE_SACL_AUTO_INHERITED (SI; SDDL flag AI on the SACL).</summary>
    SaclAutoInherited = 0x0800,
    /// <summary>SE_DACL_PROTECTED (PD; SDDL flag P on the DACL).</summary>
    DaclProtected = 0x1000,
    /// <summary>SE_SACL_PROTECTED (PS; SDDL flag P on the SACL).</summary>
    SaclProtected = 0x2000,
    /// <summary>SE_RM_CONTROL_VALID (RM): the Sbz1 byte holds resource-manager control bits.</summary>
    RmControlValid = 0x4000,
    /// <summary>SE_SELF_RELATIVE (SR).</summary>
    SelfRelative = 0x8000,
}

/// <summary>The three states a DACL (or SACL) can be in, which Windows treats very differently.</summary>
public enum AclState
{
    /// <summary>SE_DACL_PRESENT is clear: no DACL, every access is granted.</summary>
    Absent,
    /// <summary>Present with a NULL pointer (SDDL <c>D:NO_ACCESS_CONTROL</c>): every access is granted.</summary>
    Null,
    /// <summary>Present with an ACL, possibly empty (an empty DACL grants nothing).</summary>
    Present,
}

/// <summary>
/// A security descriptor: owner, group, DACL, SACL and control flags, immutable. Reads and writes the
/// self-relative binary form byte for byte as Windows does. SDDL is a layer above (NtSec.Sddl: <c>SddlParser</c>,
/// <c>SddlWriter</c>, and the <c>FromSddl</c>/<c>ToSddl</c> extensions).
/// </summary>
public sealed class SecurityDescriptor : IEquatable<SecurityDescriptor>
{
    /// <summary>SECURITY_DESCRIPTOR_REVISION.</summary>
    public const byte CurrentRevision = 1;

    /// <summary>The size of the self-relative header.</summary>
    public const int HeaderLength = 20;

    private const SecurityDescriptorControl PresenceBits = SecurityDescriptorControl.DaclPresent | SecurityDescriptorControl.SaclPresent;

    /// <summary>
    /// Creates a descriptor. The DACL-present and SACL-present bits follow <paramref name="daclState"/> and
    /// <paramref name="saclState"/>; every other control bit comes from <paramref name="control"/>.
    /// </summary>
    public SecurityDescriptor(
        Sid? owner = null,
        Sid? group = null,
        Acl? dacl = null,
        Acl? sacl = null,
        SecurityDescriptorControl control = SecurityDescriptorControl.None,
        AclState? daclState = null,
        AclState? saclState = null,
        byte rmControl = 0)
    {
        Owner = owner is { IsDefault: false } o ? o : null;
        Group = group is { IsDefault: false } g ? g : null;
        DaclState = daclState ?? (dacl is null ? AclState.Absent : AclState.Present);
        SaclState = saclState ?? (sacl is null ? AclState.Absent : AclState.Present);
        if (DaclState != AclState.Present && dacl is not null) throw new ArgumentException("A DACL was given but its state is not Present.", nameof(dacl));
        if (SaclState != AclState.Present && sacl is not null) throw new ArgumentException("A SACL was given but its state is not Present.", nameof(sacl));
        if (DaclState == AclState.Present && dacl is null) throw new ArgumentException("DACL state Present needs an ACL.", nameof(dacl));
        if (SaclState == AclState.Present && sacl is null) throw new ArgumentException("SACL state Present needs an ACL.", nameof(sacl));
        Dacl = dacl;
        Sacl = sacl;
        var c = control & ~PresenceBits;
        if (DaclState != AclState.Absent) c |= SecurityDescriptorControl.DaclPresent;
        if (SaclState != AclState.Absent) c |= SecurityDescriptorControl.SaclPresent;
        Control = c;
        RmControl = rmControl;
    }

    /// <summary>
    /// What the access check's fast path precomputed from this immutable descriptor (Authorization/FastPath);
    /// built on first use, and a race only builds it twice.
    /// </summary>
    // Typed object because the access check's layer sits above this one; only DescriptorFacts.For stores here.
    internal object? CheckFacts;

    /// <summary>The owner, or null when the descriptor has none.</summary>
    public Sid? Owner { get; }

    /// <summary>The primary group, or null.</summary>
    public Sid? Group { get; }

    /// <summary>The DACL when <see cref="DaclState"/> is <see cref="AclState.Present"/>; null otherwise.</summary>
    public Acl? Dacl { get; }

    /// <summary>The SACL when <see cref="SaclState"/> is <see cref="AclState.Present"/>; null otherwise.</summary>
    public Acl? Sacl { get; }

    /// <summary>Absent, NULL or present.</summary>
    public AclState DaclState { get; }

    /// <summary>Absent, NULL or present.</summary>
    public AclState SaclState { get; }

    /// <summary>The control flags as stored (SE_SELF_RELATIVE included when the descriptor was read from binary).</summary>
    public SecurityDescriptorControl Control { get; }

    /// <summary>The Sbz1 byte: resource-manager control bits when <see cref="SecurityDescriptorControl.RmControlValid"/> is set.</summary>
    public byte RmControl { get; }

    /// <summary>True when the DACL is present but NULL: everyone gets every access.</summary>
    public bool HasNullDacl => DaclState == AclState.Null;

    /// <summary>A copy with another owner.</summary>
    public SecurityDescriptor WithOwner(Sid? owner) => new(owner, Group, Dacl, Sacl, Control, DaclState, SaclState, RmControl);

    /// <summary>A copy with another group.</summary>
    public SecurityDescriptor WithGroup(Sid? group) => new(Owner, group, Dacl, Sacl, Control, DaclState, SaclState, RmControl);

    /// <summary>A copy with another DACL (null with <paramref name="state"/> Null for a NULL DACL).</summary>
    public SecurityDescriptor WithDacl(Acl? dacl, AclState? state = null) => new(Owner, Group, dacl, Sacl, Control, state, SaclState, RmControl);

    /// <summary>A copy with another SACL.</summary>
    public SecurityDescriptor WithSacl(Acl? sacl, AclState? state = null) => new(Owner, Group, Dacl, sacl, Control, DaclState, state, RmControl);

    /// <summary>A copy with other control flags (the presence bits still follow the ACL states).</summary>
    public SecurityDescriptor WithControl(SecurityDescriptorControl control) => new(Owner, Group, Dacl, Sacl, control, DaclState, SaclState, RmControl);

    /// <summary>
    /// The parts of this descriptor named by <paramref name="parts"/>, as <c>GetPrivateObjectSecurity</c> returns
    /// them: the other components are dropped together with the control bits that describe them.
    /// </summary>
    public SecurityDescriptor Select(SecurityInformation parts)
    {
        var c = Control;
        bool owner = (parts & SecurityInformation.Owner) != 0, group = (parts & SecurityInformation.Group) != 0;
        bool dacl = (parts & SecurityInformation.Dacl) != 0, sacl = (parts & SecurityInformation.Sacl) != 0;
        if (!owner) c &= ~SecurityDescriptorControl.OwnerDefaulted;
        if (!group) c &= ~SecurityDescriptorControl.GroupDefaulted;
        if (!dacl) c &= ~(SecurityDescriptorControl.DaclPresent | SecurityDescriptorControl.DaclDefaulted | SecurityDescriptorControl.DaclAutoInheritRequired
                         | SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclTrusted);
        if (!sacl) c &= ~(SecurityDescriptorControl.SaclPresent | SecurityDescriptorControl.SaclDefaulted | SecurityDescriptorControl.SaclAutoInheritRequired
                         | SecurityDescriptorControl.SaclAutoInherited | SecurityDescriptorControl.SaclProtected);
        return new SecurityDescriptor(owner ? Owner : null, group ? Group : null, dacl ? Dacl : null, sacl ? Sacl : null, c,
            dacl ? DaclState : AclState.Absent, sacl ? SaclState : AclState.Absent, RmControl);
    }

    // ----- binary codec -------------------------------------------------------------------------------------

    /// <summary>The length of the self-relative form.</summary>
    public int GetBinaryLength()
    {
        int length = HeaderLength;
        if (Sacl is not null) length += Sacl.GetBinaryLength();
        if (Dacl is not null) length += Dacl.GetBinaryLength();
        if (Owner is { } o) length += o.BinaryLength;
        if (Group is { } g) length += g.BinaryLength;
        return length;
    }

    /// <summary>
    /// Writes the self-relative form in Windows' layout: header, SACL, DACL, owner, group; SE_SELF_RELATIVE set.
    /// </summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        int length = GetBinaryLength();
        bytesWritten = 0;
        if (destination.Length < length) return false;
        destination[..HeaderLength].Clear();
        destination[0] = CurrentRevision;
        destination[1] = RmControl;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)(Control | SecurityDescriptorControl.SelfRelative));
        int pos = HeaderLength;
        if (Sacl is not null)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], (uint)pos);
            Sacl.TryWrite(destination[pos..], out int n);
            pos += n;
        }
        if (Dacl is not null)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], (uint)pos);
            Dacl.TryWrite(destination[pos..], out int n);
            pos += n;
        }
        if (Owner is { } o)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)pos);
            o.TryWrite(destination[pos..], out int n);
            pos += n;
        }
        if (Group is { } g)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], (uint)pos);
            g.TryWrite(destination[pos..], out int n);
            pos += n;
        }
        bytesWritten = pos;
        return true;
    }

    /// <summary>The self-relative binary form.</summary>
    public byte[] ToBinary()
    {
        var bytes = new byte[GetBinaryLength()];
        TryWrite(bytes, out _);
        return bytes;
    }

    /// <summary>
    /// Reads a self-relative descriptor, checking what <c>RtlValidRelativeSecurityDescriptor</c> checks: revision 1,
    /// SE_SELF_RELATIVE set, and every offset pointing at a valid SID or ACL inside the buffer.
    /// </summary>
    /// <param name="source">The bytes; may be longer than the descriptor.</param>
    /// <param name="descriptor">The descriptor read.</param>
    /// <param name="bytesRead">The extent of the descriptor: the end of its furthest component.</param>
    /// <param name="error">Why the bytes are not a descriptor, with the byte offset.</param>
    public static bool TryRead(ReadOnlySpan<byte> source, out SecurityDescriptor? descriptor, out int bytesRead, out ParseError? error)
    {
        descriptor = null;
        bytesRead = 0;
        if (source.Length < HeaderLength)
        {
            error = new ParseError(ParseErrorKind.Truncated, 0, $"a self-relative security descriptor needs a 20-byte header, {source.Length} bytes given", Win32Error.InvalidSecurityDescriptor);
            return false;
        }
        if (source[0] != CurrentRevision)
        {
            error = new ParseError(ParseErrorKind.UnknownRevision, 0, $"security descriptor revision {source[0]} is not 1", Win32Error.UnknownRevision);
            return false;
        }
        var control = (SecurityDescriptorControl)BinaryPrimitives.ReadUInt16LittleEndian(source[2..]);
        if ((control & SecurityDescriptorControl.SelfRelative) == 0)
        {
            error = new ParseError(ParseErrorKind.BadStructure, 2, "SE_SELF_RELATIVE is not set: an absolute descriptor holds pointers, not offsets", Win32Error.InvalidSecurityDescriptor);
            return false;
        }
        uint ownerOffset = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]);
        uint groupOffset = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        uint saclOffset = BinaryPrimitives.ReadUInt32LittleEndian(source[12..]);
        uint daclOffset = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]);
        int end = HeaderLength;

        if (!TryReadSid(source, ownerOffset, 4, "owner", out var owner, ref end, out error)) return false;
        if (!TryReadSid(source, groupOffset, 8, "group", out var group, ref end, out error)) return false;

        AclState daclState = AclState.Absent, saclState = AclState.Absent;
        Acl? dacl = null, sacl = null;
        if ((control & SecurityDescriptorControl.SaclPresent) != 0)
        {
            if (!TryReadAcl(source, saclOffset, 12, "SACL", out sacl, ref end, out error)) return false;
            saclState = sacl is null ? AclState.Null : AclState.Present;
        }
        if ((control & SecurityDescriptorControl.DaclPresent) != 0)
        {
            if (!TryReadAcl(source, daclOffset, 16, "DACL", out dacl, ref end, out error)) return false;
            daclState = dacl is null ? AclState.Null : AclState.Present;
        }
        descriptor = new SecurityDescriptor(owner, group, dacl, sacl, control, daclState, saclState, source[1]);
        bytesRead = end;
        error = null;
        return true;
    }

    /// <summary>Reads a self-relative descriptor that must fill the whole buffer... or at least start it; trailing bytes are allowed as Windows allows them.</summary>
    /// <exception cref="NtSecFormatException">The bytes are not a valid self-relative descriptor.</exception>
    public static SecurityDescriptor FromBinary(ReadOnlySpan<byte> bytes)
        => TryRead(bytes, out var sd, out _, out var error) ? sd! : throw new NtSecFormatException(error!);

    private static bool TryReadSid(ReadOnlySpan<byte> source, uint offset, int field, string what, out Sid? sid, ref int end, out ParseError? error)
    {
        sid = null;
        error = null;
        if (offset == 0) return true;
        if (offset < HeaderLength || offset >= (uint)source.Length)
        {
            error = new ParseError(ParseErrorKind.BadStructure, field, $"{what} offset {offset} is outside the descriptor ({source.Length} bytes)", Win32Error.InvalidSecurityDescriptor);
            return false;
        }
        if (!Sid.TryRead(source[(int)offset..], out var s, out int n, out var e))
        {
            error = e!.Within((int)offset, $"{what}: ", Win32Error.InvalidSecurityDescriptor);
            return false;
        }
        sid = s;
        end = Math.Max(end, (int)offset + n);
        return true;
    }

    private static bool TryReadAcl(ReadOnlySpan<byte> source, uint offset, int field, string what, out Acl? acl, ref int end, out ParseError? error)
    {
        acl = null;
        error = null;
        if (offset == 0) return true; // present with no ACL: a NULL ACL
        if (offset < HeaderLength || offset >= (uint)source.Length)
        {
            error = new ParseError(ParseErrorKind.BadStructure, field, $"{what} offset {offset} is outside the descriptor ({source.Length} bytes)", Win32Error.InvalidSecurityDescriptor);
            return false;
        }
        if (!Acl.TryRead(source[(int)offset..], out acl, out int n, out var e))
        {
            error = e!.Within((int)offset, $"{what}: ");
            return false;
        }
        end = Math.Max(end, (int)offset + n);
        return true;
    }

    // ----- equality -----------------------------------------------------------------------------------------

    /// <summary>
    /// Value equality: same owner, group, ACL states and contents, control flags (SE_SELF_RELATIVE aside, since it
    /// describes a storage form, not the descriptor) and resource-manager byte.
    /// </summary>
    public bool Equals(SecurityDescriptor? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        const SecurityDescriptorControl ignore = SecurityDescriptorControl.SelfRelative;
        return Nullable.Equals(Owner, other.Owner) && Nullable.Equals(Group, other.Group)
               && DaclState == other.DaclState && SaclState == other.SaclState
               && Equals(Dacl, other.Dacl) && Equals(Sacl, other.Sacl)
               && (Control & ~ignore) == (other.Control & ~ignore) && RmControl == other.RmControl;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SecurityDescriptor);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Owner, Group, Dacl, Sacl, (ushort)(Control & ~SecurityDescriptorControl.SelfRelative));

    // The SDDL layer sits above this one; it supplies the text form when the assembly loads (SddlDisplay), so the
    // model never names its codecs.
    internal static Func<SecurityDescriptor, string>? Display;

    /// <summary>
    /// The SDDL form (constant aliases only); for a descriptor holding an ACE SDDL cannot express (a raw ACE,
    /// undecodable callback data), why not, in angle brackets, as <see cref="Ace.ToString"/> does. Never throws: use
    /// <c>ToSddl</c> (NtSec.Sddl) for SDDL or an exception.
    /// </summary>
    public override string ToString() => Display?.Invoke(this) ?? base.ToString()!;
}
