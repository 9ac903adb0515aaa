using System.Buffers.Binary;
using NtSec.Principals;

namespace NtSec.Claims;

/// <summary>The value types of a claim security attribute (MS-DTYP 2.4.10.1, CLAIM_SECURITY_ATTRIBUTE_TYPE_*).</summary>
public enum ClaimValueType : ushort
{
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_TYPE_INT64: signed 64-bit integers (SDDL <c>TI</c>).</summary>
    Int64 = 0x0001,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_TYPE_UINT64: unsigned 64-bit integers (SDDL <c>TU</c>).</summary>
    UInt64 = 0x0002,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_TYPE_STRING: Unicode strings (SDDL <c>TS</c>).</summary>
    String = 0x0003,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_TYPE_FQBN: fully qualified binary names; tokens only, with no relative form.</summary>
    Fqbn = 0x0004,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_TYPE_SID: SIDs, stored as octet strings (SDDL <c>TD</c>).</summary>
    Sid = 0x0005,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_TYPE_BOOLEAN: booleans, stored as 64-bit 0 or 1 (SDDL <c>TB</c>).</summary>
    Boolean = 0x0006,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_TYPE_OCTET_STRING: byte strings (SDDL <c>TX</c>).</summary>
    OctetString = 0x0010,
}

/// <summary>The flags of a claim security attribute (MS-DTYP 2.4.10.1); the high 16 bits are free for custom use.</summary>
[Flags]
public enum ClaimSecurityAttributeFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_NON_INHERITABLE: not inherited across processes.</summary>
    NonInheritable = 0x0001,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_VALUE_CASE_SENSITIVE: string values compare case-sensitively.</summary>
    ValueCaseSensitive = 0x0002,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_USE_FOR_DENY_ONLY: considered only by deny ACEs.</summary>
    UseForDenyOnly = 0x0004,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_DISABLED_BY_DEFAULT.</summary>
    DisabledByDefault = 0x0008,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_DISABLED.</summary>
    Disabled = 0x0010,
    /// <summary>CLAIM_SECURITY_ATTRIBUTE_MANDATORY.</summary>
    Mandatory = 0x0020,
}

/// <summary>A fully qualified binary name claim value (CLAIM_SECURITY_ATTRIBUTE_FQBN_VALUE): a version and a name.</summary>
/// <param name="Version">The version, four 16-bit fields packed high to low.</param>
/// <param name="Name">The fully qualified binary name.</param>
public readonly record struct FqbnValue(ulong Version, string Name);

/// <summary>
/// A claim security attribute: a name, a value type, flags and a list of values. It is what a resource attribute
/// ACE (<c>RA</c>) carries, and what a token's user and device claims are made of.
/// </summary>
/// <remarks>
/// Values are boxed by type: <see cref="long"/> for <see cref="ClaimValueType.Int64"/>, <see cref="ulong"/> for
/// <see cref="ClaimValueType.UInt64"/>, <see cref="string"/> for <see cref="ClaimValueType.String"/>,
/// <see cref="Principals.Sid"/> for <see cref="ClaimValueType.Sid"/>, <see cref="bool"/> for
/// <see cref="ClaimValueType.Boolean"/>, <see cref="FqbnValue"/> for <see cref="ClaimValueType.Fqbn"/> and <see cref="ReadOnlyMemory{T}"/> of bytes for
/// <see cref="ClaimValueType.OctetString"/>. One list of one shape keeps the model small; the constructor checks
/// every element so a reader can cast without testing.
/// </remarks>
public sealed class ClaimSecurityAttribute
{
    private const int HeaderLength = 16;

    /// <summary>Creates an attribute, checking that every value has the CLR type <paramref name="valueType"/> calls for.</summary>
    /// <param name="name">The attribute name; at least one character.</param>
    /// <param name="valueType">The value type; <see cref="ClaimValueType.Fqbn"/> is allowed on tokens but has no relative form.</param>
    /// <param name="flags">The attribute flags.</param>
    /// <param name="values">The values, each of the CLR type listed in the remarks of this class.</param>
    /// <exception cref="ArgumentException">The name is empty, the type unsupported, or a value of the wrong type.</exception>
    public ClaimSecurityAttribute(string name, ClaimValueType valueType, ClaimSecurityAttributeFlags flags, IEnumerable<object> values)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(values);
        if (name.Length == 0) throw new ArgumentException("A claim attribute needs a name.", nameof(name));
        if (!IsSupported(valueType) && valueType != ClaimValueType.Fqbn) throw new ArgumentException($"Claim value type 0x{(ushort)valueType:x4} has no relative form.", nameof(valueType));
        var list = new List<object>();
        foreach (var value in values)
        {
            object? checkedValue = (valueType, value) switch
            {
                (ClaimValueType.Int64, long v) => v,
                (ClaimValueType.UInt64, ulong v) => v,
                (ClaimValueType.String, string v) => v,
                (ClaimValueType.Sid, Sid v) when !v.IsDefault => v,
                (ClaimValueType.Boolean, bool v) => v,
                (ClaimValueType.Fqbn, FqbnValue v) when v.Name is not null => v,
                // Copy so that a caller's array cannot change the attribute afterwards.
                (ClaimValueType.OctetString, byte[] v) => new ReadOnlyMemory<byte>(v.ToArray()),
                (ClaimValueType.OctetString, ReadOnlyMemory<byte> v) => new ReadOnlyMemory<byte>(v.ToArray()),
                _ => null,
            };
            if (checkedValue is null)
                throw new ArgumentException($"A {valueType} claim cannot hold a value of type {value?.GetType().Name ?? "null"}.", nameof(values));
            list.Add(checkedValue);
        }
        Name = name;
        ValueType = valueType;
        Flags = flags;
        Values = list.AsReadOnly();
    }

    /// <summary>The attribute name.</summary>
    public string Name { get; }

    /// <summary>The type of every value.</summary>
    public ClaimValueType ValueType { get; }

    /// <summary>The attribute flags.</summary>
    public ClaimSecurityAttributeFlags Flags { get; }

    /// <summary>The values, boxed as described in the remarks of this class.</summary>
    public IReadOnlyList<object> Values { get; }

    /// <summary>True for the value types that have a CLAIM_SECURITY_ATTRIBUTE_RELATIVE_V1 form.</summary>
    public static bool IsSupported(ClaimValueType type) => type is ClaimValueType.Int64 or ClaimValueType.UInt64 or ClaimValueType.String
        or ClaimValueType.Sid or ClaimValueType.Boolean or ClaimValueType.OctetString;

    /// <summary>
    /// The CLAIM_SECURITY_ATTRIBUTE_RELATIVE_V1 block a resource attribute ACE stores after its SID: the header and
    /// value-offset array, the NUL-terminated name, then each value in order, zero-padded to a multiple of 4 bytes.
    /// </summary>
    /// <remarks>
    /// Windows packs the name and values one after the other with no alignment of their own (a string value starts
    /// right after the name's NUL, at an offset that is only 2-aligned), and pads the whole block so that the ACE
    /// stays 4-aligned. The same packing is used here for every type.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The attribute is of type <see cref="ClaimValueType.Fqbn"/>, which has no relative form.</exception>
    public byte[] ToRelative()
    {
        if (!IsSupported(ValueType)) throw new InvalidOperationException("A FQBN claim attribute has no relative form.");
        int count = Values.Count;
        long length = HeaderLength + (4L * count) + (2L * (Name.Length + 1));
        foreach (var value in Values) length += ValueLength(value);
        long padded = (length + 3) & ~3L;
        if (padded > int.MaxValue) throw new InvalidOperationException("The claim attribute is too large to serialise.");
        var buffer = new byte[padded];
        var span = buffer.AsSpan();
        int nameOffset = HeaderLength + (4 * count);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)nameOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], (ushort)ValueType);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)count);
        int pos = nameOffset + WriteString(span[nameOffset..], Name);
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[(HeaderLength + (4 * i))..], (uint)pos);
            var target = span[pos..];
            switch (Values[i])
            {
                case long v:
                    BinaryPrimitives.WriteInt64LittleEndian(target, v);
                    pos += 8;
                    break;
                case ulong v:
                    BinaryPrimitives.WriteUInt64LittleEndian(target, v);
                    pos += 8;
                    break;
                case bool v:
                    BinaryPrimitives.WriteUInt64LittleEndian(target, v ? 1UL : 0UL);
                    pos += 8;
                    break;
                case string v:
                    pos += WriteString(target, v);
                    break;
                case Sid v:
                    BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)v.BinaryLength);
                    v.BinaryForm.CopyTo(target[4..]);
                    pos += 4 + v.BinaryLength;
                    break;
                case ReadOnlyMemory<byte> v:
                    BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)v.Length);
                    v.Span.CopyTo(target[4..]);
                    pos += 4 + v.Length;
                    break;
            }
        }
        return buffer;
    }

    private static long ValueLength(object value) => value switch
    {
        string s => 2L * (s.Length + 1),
        Sid sid => 4L + sid.BinaryLength,
        ReadOnlyMemory<byte> octets => 4L + octets.Length,
        _ => 8,
    };

    private static int WriteString(Span<byte> target, string value)
    {
        int written = Utf16Le.Write(target, value);
        target[written] = 0;
        target[written + 1] = 0;
        return written + 2;
    }

    /// <summary>
    /// Reads a CLAIM_SECURITY_ATTRIBUTE_RELATIVE_V1 block. Offsets are taken relative to the start of
    /// <paramref name="data"/>; bytes after the last value (padding) are allowed.
    /// </summary>
    /// <param name="data">The block, as it follows the SID of a resource attribute ACE.</param>
    /// <param name="attribute">The attribute, when the block is valid.</param>
    /// <param name="error">Why it is not; the position is a byte offset into <paramref name="data"/>.</param>
    public static bool TryReadRelative(ReadOnlySpan<byte> data, out ClaimSecurityAttribute? attribute, out ParseError? error)
    {
        attribute = null;
        if (data.Length < HeaderLength)
        {
            error = Fail(ParseErrorKind.Truncated, 0, $"a claim attribute block needs at least {HeaderLength} bytes, {data.Length} given");
            return false;
        }
        uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var type = (ClaimValueType)BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        var flags = (ClaimSecurityAttributeFlags)BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
        if (!IsSupported(type))
        {
            error = Fail(ParseErrorKind.Unsupported, 4, $"claim value type 0x{(ushort)type:x4} has no relative form");
            return false;
        }
        if (HeaderLength + (4L * count) > data.Length)
        {
            error = Fail(ParseErrorKind.BadStructure, 12, $"{count} value offsets do not fit in {data.Length} bytes");
            return false;
        }
        if (!TryReadString(data, nameOffset, out string? name, out error)) return false;
        if (name!.Length == 0)
        {
            error = Fail(ParseErrorKind.Missing, (int)nameOffset, "the claim attribute name is empty");
            return false;
        }
        var values = new List<object>((int)count);
        for (int i = 0; i < count; i++)
        {
            int offsetPos = HeaderLength + (4 * i);
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(data[offsetPos..]);
            if (!TryReadValue(data, type, offset, out object? value, out error)) return false;
            values.Add(value!);
        }
        attribute = new ClaimSecurityAttribute(name, type, flags, values);
        error = null;
        return true;
    }

    private static bool TryReadValue(ReadOnlySpan<byte> data, ClaimValueType type, uint offset, out object? value, out ParseError? error)
    {
        value = null;
        switch (type)
        {
            case ClaimValueType.String:
                if (!TryReadString(data, offset, out string? s, out error)) return false;
                value = s;
                return true;
            case ClaimValueType.Int64:
            case ClaimValueType.UInt64:
            case ClaimValueType.Boolean:
                if (offset > data.Length - 8L)
                {
                    error = Fail(ParseErrorKind.Truncated, (int)Math.Min(offset, (uint)data.Length), "a 64-bit claim value runs past the end of the block");
                    return false;
                }
                ulong raw = BinaryPrimitives.ReadUInt64LittleEndian(data[(int)offset..]);
                if (type == ClaimValueType.Boolean && raw > 1)
                {
                    error = Fail(ParseErrorKind.OutOfRange, (int)offset, $"a boolean claim value must be 0 or 1, not {raw}");
                    return false;
                }
                value = type switch
                {
                    ClaimValueType.Int64 => (long)raw,
                    ClaimValueType.UInt64 => raw,
                    _ => raw == 1,
                };
                error = null;
                return true;
            default:
                // SID and octet string values are both CLAIM_SECURITY_ATTRIBUTE_OCTET_STRING_RELATIVE: a length, then bytes.
                if (offset > data.Length - 4L)
                {
                    error = Fail(ParseErrorKind.Truncated, (int)Math.Min(offset, (uint)data.Length), "an octet string claim value runs past the end of the block");
                    return false;
                }
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(data[(int)offset..]);
                if (length > data.Length - offset - 4L)
                {
                    error = Fail(ParseErrorKind.Truncated, (int)offset, $"an octet string claim value of {length} bytes runs past the end of the block");
                    return false;
                }
                var bytes = data.Slice((int)offset + 4, (int)length);
                if (type == ClaimValueType.Sid)
                {
                    if (!Sid.TryRead(bytes, out var sid, out int read, out var sidError) || read != bytes.Length)
                    {
                        error = Fail(sidError?.Kind ?? ParseErrorKind.TrailingData, (int)offset + 4, sidError is null ? "bytes follow the SID of a SID claim value" : $"a SID claim value is not a SID: {sidError.Reason}");
                        return false;
                    }
                    value = sid;
                }
                else
                {
                    value = new ReadOnlyMemory<byte>(bytes.ToArray());
                }
                error = null;
                return true;
        }
    }

    private static bool TryReadString(ReadOnlySpan<byte> data, uint offset, out string? value, out ParseError? error)
    {
        value = null;
        if (offset >= data.Length)
        {
            error = Fail(ParseErrorKind.BadStructure, data.Length, $"a string offset {offset} points past the end of the block");
            return false;
        }
        var rest = data[(int)offset..];
        for (int i = 0; i + 1 < rest.Length; i += 2)
        {
            if (rest[i] == 0 && rest[i + 1] == 0)
            {
                value = Utf16Le.GetString(rest[..i]);
                error = null;
                return true;
            }
        }
        error = Fail(ParseErrorKind.Truncated, (int)offset, "a string in the claim attribute block has no terminating NUL");
        return false;
    }

    private static ParseError Fail(ParseErrorKind kind, int position, string reason) => new(kind, position, reason, Win32Error.InvalidAcl);
}
