using System.Buffers.Binary;
using System.Text;
using NtSec.Descriptors;

namespace NtSec.Import;

/// <summary>The hash types of a Samba <c>security.NTACL</c> blob (XATTR_SD_HASH_TYPE_*).</summary>
public enum SambaNtAclHashType : ushort
{
    /// <summary>No hash: smbd serves the stored descriptor as it is.</summary>
    None = 0,
    /// <summary>SHA-256 over the descriptor smbd derives from the file's POSIX ACL.</summary>
    Sha256 = 1,
}

/// <summary>How far the stored descriptor of a <c>security.NTACL</c> blob is what smbd serves.</summary>
public enum SambaNtAclTrust
{
    /// <summary>Versions 1 and 2: smbd serves the stored descriptor without checking any hash.</summary>
    Stored,
    /// <summary>Versions 3 and 4 with hash type NONE: smbd serves the stored descriptor without checking.</summary>
    StoredNoHash,
    /// <summary>
    /// Versions 3 and 4 with a SHA-256 hash: smbd serves the stored descriptor only when the hash equals its hash of
    /// the descriptor it maps from the file's POSIX ACL (and, for version 4, when the hash of the raw POSIX ACL
    /// matches). NtSec does not reproduce smbd's POSIX ACL mapping, so it cannot confirm the match: the descriptor is
    /// unverified. When the POSIX ACL was changed outside Samba, smbd serves the mapped ACL instead.
    /// </summary>
    Unverified,
    /// <summary>A hash type smbd does not know: smbd ignores the blob and serves the POSIX ACL mapping.</summary>
    Ignored,
}

/// <summary>
/// Samba's <c>security.NTACL</c> extended attribute: the NT security descriptor smbd (with <c>vfs_acl_xattr</c>)
/// keeps for a file, NDR-encoded as the <c>xattr_NTACL</c> structure of Samba's <c>xattr.idl</c>, versions 1 to 4.
/// </summary>
/// <remarks>
/// <para>Layout (little-endian NDR): <c>uint16 version</c>, <c>uint16</c> union level (equal to the version), a
/// 4-byte unique-pointer referent, then the pointed-to structure: version 1 the descriptor itself; version 2 a
/// descriptor pointer and a 16-byte MD5 hash; version 3 a descriptor pointer, <c>uint16 hash_type</c> and a 64-byte
/// hash; version 4 as version 3, then a NUL-terminated UTF-8 description, an NTTIME (aligned to 4) and a 64-byte
/// hash of the POSIX ACL. The descriptor follows, aligned to 4. Its SID and ACL offsets count from the start of the
/// blob, not from the descriptor (NDR relative pointers share the buffer's base), which python3-samba's
/// <c>ndr_pack</c> confirms.</para>
/// <para>smbd checks no hash of versions 1 and 2. For versions 3 and 4 the hash covers the descriptor smbd maps
/// from the POSIX ACL, which is what <see cref="Trust"/> reports.</para>
/// </remarks>
public sealed class SambaNtAcl
{
    /// <summary>The extended attribute's name.</summary>
    public const string AttributeName = "security.NTACL";

    private const int HashV2Length = 16;
    private const int HashLength = 64;
    private const uint Referent = 0x00020000;

    /// <summary>Creates a blob's content.</summary>
    /// <param name="version">1 to 4.</param>
    /// <param name="descriptor">The stored descriptor.</param>
    /// <param name="hashType">The hash type (versions 3 and 4).</param>
    /// <param name="hash">The hash: 16 bytes for version 2, up to 64 for versions 3 and 4 (padded with zeros); empty otherwise.</param>
    /// <param name="description">Version 4: what created the hash (smbd writes <c>posix_acl</c>).</param>
    /// <param name="time">Version 4: the NTTIME the blob was written.</param>
    /// <param name="sysAclHash">Version 4: the hash of the raw POSIX ACL, up to 64 bytes.</param>
    public SambaNtAcl(ushort version, SecurityDescriptor descriptor, SambaNtAclHashType hashType = SambaNtAclHashType.None,
        ReadOnlySpan<byte> hash = default, string? description = null, ulong time = 0, ReadOnlySpan<byte> sysAclHash = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, (ushort)1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, (ushort)4);
        Version = version;
        Descriptor = descriptor;
        HashType = version >= 3 ? hashType : SambaNtAclHashType.None;
        Hash = version switch
        {
            2 => Fixed(hash, HashV2Length),
            3 or 4 => Fixed(hash, HashLength),
            _ => [],
        };
        Description = version == 4 ? description ?? "" : null;
        Time = version == 4 ? time : 0;
        SysAclHash = version == 4 ? Fixed(sysAclHash, HashLength) : [];
    }

    private static byte[] Fixed(ReadOnlySpan<byte> value, int length)
    {
        if (value.Length > length) throw new ArgumentException($"a hash of at most {length} bytes", nameof(value));
        var bytes = new byte[length];
        value.CopyTo(bytes);
        return bytes;
    }

    /// <summary>The blob's version, 1 to 4.</summary>
    public ushort Version { get; }

    /// <summary>The stored descriptor.</summary>
    public SecurityDescriptor Descriptor { get; }

    /// <summary>The hash type (NONE for versions 1 and 2).</summary>
    public SambaNtAclHashType HashType { get; }

    /// <summary>The stored hash: 16 bytes (MD5, version 2), 64 bytes (versions 3 and 4), else empty.</summary>
    public ReadOnlyMemory<byte> Hash { get; }

    /// <summary>Version 4: the description of what created the hash; else null.</summary>
    public string? Description { get; }

    /// <summary>Version 4: when the blob was written (NTTIME); else 0.</summary>
    public ulong Time { get; }

    /// <summary>Version 4: the hash of the raw POSIX ACL; else empty.</summary>
    public ReadOnlyMemory<byte> SysAclHash { get; }

    /// <summary>Whether smbd serves <see cref="Descriptor"/> as stored, and what NtSec can confirm of it.</summary>
    public SambaNtAclTrust Trust => Version switch
    {
        1 or 2 => SambaNtAclTrust.Stored,
        _ => HashType switch
        {
            SambaNtAclHashType.None => SambaNtAclTrust.StoredNoHash,
            SambaNtAclHashType.Sha256 => SambaNtAclTrust.Unverified,
            _ => SambaNtAclTrust.Ignored,
        },
    };

    // The offset of the descriptor in the blob, and the end of the fixed part before it.
    private int DescriptorOffset()
    {
        int end = Version switch
        {
            1 => 8,
            2 => 8 + 4 + HashV2Length,
            3 => 8 + 4 + 2 + HashLength,
            _ => Align4(Align4(8 + 4 + 2 + HashLength + Encoding.UTF8.GetByteCount(Description!) + 1) + 8 + HashLength),
        };
        return Align4(end);
    }

    private static int Align4(int n) => (n + 3) & ~3;

    /// <summary>The length of the encoded blob.</summary>
    public int GetBinaryLength() => DescriptorOffset() + Descriptor.GetBinaryLength();

    /// <summary>Encodes the blob as smbd writes it.</summary>
    /// <returns>False when <paramref name="destination"/> is too short.</returns>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        int sdOffset = DescriptorOffset();
        int total = sdOffset + Descriptor.GetBinaryLength();
        if (destination.Length < total) return false;
        var d = destination[..total];
        d.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(d, Version);
        BinaryPrimitives.WriteUInt16LittleEndian(d[2..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Referent);
        if (Version >= 2) BinaryPrimitives.WriteUInt32LittleEndian(d[8..], Referent + 4);
        if (Version == 2) Hash.Span.CopyTo(d[12..]);
        if (Version >= 3)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(d[12..], (ushort)HashType);
            Hash.Span.CopyTo(d[14..]);
        }
        if (Version == 4)
        {
            int p = 14 + HashLength;
            p += Encoding.UTF8.GetBytes(Description!, d[p..]);
            d[p++] = 0;
            p = Align4(p);
            BinaryPrimitives.WriteUInt64LittleEndian(d[p..], Time);
            SysAclHash.Span.CopyTo(d[(p + 8)..]);
        }
        if (!Descriptor.TryWrite(d[sdOffset..], out _)) return false;
        // NDR relative pointers count from the start of the blob.
        for (int field = 4; field <= 16; field += 4)
        {
            var slot = d[(sdOffset + field)..];
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(slot);
            if (offset != 0) BinaryPrimitives.WriteUInt32LittleEndian(slot, offset + (uint)sdOffset);
        }
        bytesWritten = total;
        return true;
    }

    /// <summary>The encoded blob.</summary>
    public byte[] ToBinary()
    {
        var bytes = new byte[GetBinaryLength()];
        TryWrite(bytes, out _);
        return bytes;
    }

    /// <summary>Decodes a blob; never throws for bad input.</summary>
    /// <param name="source">The attribute's value.</param>
    /// <param name="blob">The decoded blob.</param>
    /// <param name="error">Where (byte offset) and why the value was rejected.</param>
    public static bool TryRead(ReadOnlySpan<byte> source, out SambaNtAcl? blob, out ParseError? error)
    {
        blob = null;
        if (source.Length < 8)
        {
            error = new ParseError(ParseErrorKind.Truncated, 0, $"a security.NTACL blob starts with 8 bytes (version, level, pointer); {source.Length} given", Win32Error.InvalidSecurityDescriptor);
            return false;
        }
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(source);
        ushort level = BinaryPrimitives.ReadUInt16LittleEndian(source[2..]);
        if (version is < 1 or > 4)
        {
            error = new ParseError(ParseErrorKind.UnknownRevision, 0, $"security.NTACL version {version} is not 1 to 4", Win32Error.UnknownRevision);
            return false;
        }
        if (level != version)
        {
            error = new ParseError(ParseErrorKind.BadStructure, 2, $"the union level {level} differs from the version {version}", Win32Error.InvalidSecurityDescriptor);
            return false;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) == 0)
        {
            error = new ParseError(ParseErrorKind.Missing, 4, "the blob's pointer is null: there is no descriptor", Win32Error.InvalidSecurityDescriptor);
            return false;
        }
        var hashType = SambaNtAclHashType.None;
        ReadOnlySpan<byte> hash = default, sysAclHash = default;
        string? description = null;
        ulong time = 0;
        int sdOffset;
        switch (version)
        {
            case 1:
                sdOffset = 8;
                break;
            case 2:
                if (!Need(source, 8 + 4 + HashV2Length, "the version 2 header", out error)) return false;
                if (!NonNullPointer(source, 8, out error)) return false;
                hash = source.Slice(12, HashV2Length);
                sdOffset = 8 + 4 + HashV2Length;
                break;
            default:
                if (!Need(source, 8 + 4 + 2 + HashLength, $"the version {version} header", out error)) return false;
                if (!NonNullPointer(source, 8, out error)) return false;
                hashType = (SambaNtAclHashType)BinaryPrimitives.ReadUInt16LittleEndian(source[12..]);
                hash = source.Slice(14, HashLength);
                sdOffset = 14 + HashLength;
                if (version == 4)
                {
                    int nul = source[sdOffset..].IndexOf((byte)0);
                    if (nul < 0)
                    {
                        error = new ParseError(ParseErrorKind.Truncated, sdOffset, "the version 4 description has no terminating NUL", Win32Error.InvalidSecurityDescriptor);
                        return false;
                    }
                    var text = source.Slice(sdOffset, nul);
                    if (!System.Text.Unicode.Utf8.IsValid(text))
                    {
                        error = new ParseError(ParseErrorKind.BadEncoding, sdOffset, "the version 4 description is not UTF-8", Win32Error.InvalidSecurityDescriptor);
                        return false;
                    }
                    description = Encoding.UTF8.GetString(text);
                    int p = Align4(sdOffset + nul + 1);
                    if (!Need(source, p + 8 + HashLength, "the version 4 time and POSIX ACL hash", out error)) return false;
                    time = BinaryPrimitives.ReadUInt64LittleEndian(source[p..]);
                    sysAclHash = source.Slice(p + 8, HashLength);
                    sdOffset = p + 8 + HashLength;
                }
                break;
        }
        sdOffset = Align4(sdOffset);
        if (!Need(source, sdOffset + SecurityDescriptor.HeaderLength, "the descriptor's header", out error)) return false;

        // Rebase the descriptor's offsets, which count from the start of the blob, onto the descriptor.
        var rest = source[sdOffset..];
        Span<byte> copy = rest.Length <= 1024 ? stackalloc byte[rest.Length] : new byte[rest.Length];
        rest.CopyTo(copy);
        for (int field = 4; field <= 16; field += 4)
        {
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(copy[field..]);
            if (offset == 0) continue;
            if (offset < (uint)(sdOffset + SecurityDescriptor.HeaderLength))
            {
                error = new ParseError(ParseErrorKind.BadStructure, sdOffset + field, $"the descriptor's offset {offset} points before the descriptor (which starts at {sdOffset})", Win32Error.InvalidSecurityDescriptor);
                return false;
            }
            BinaryPrimitives.WriteUInt32LittleEndian(copy[field..], offset - (uint)sdOffset);
        }
        if (!SecurityDescriptor.TryRead(copy, out var descriptor, out _, out var sdError))
        {
            error = sdError!.Within(sdOffset, "descriptor: ");
            return false;
        }
        blob = new SambaNtAcl(version, descriptor!, hashType, hash, description, time, sysAclHash);
        error = null;
        return true;
    }

    private static bool Need(ReadOnlySpan<byte> source, int length, string what, out ParseError? error)
    {
        error = source.Length >= length ? null
            : new ParseError(ParseErrorKind.Truncated, source.Length, $"{what} needs {length} bytes; the blob has {source.Length}", Win32Error.InvalidSecurityDescriptor);
        return error is null;
    }

    private static bool NonNullPointer(ReadOnlySpan<byte> source, int at, out ParseError? error)
    {
        error = BinaryPrimitives.ReadUInt32LittleEndian(source[at..]) != 0 ? null
            : new ParseError(ParseErrorKind.Missing, at, "the descriptor pointer is null", Win32Error.InvalidSecurityDescriptor);
        return error is null;
    }
}
