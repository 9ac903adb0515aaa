using System.Buffers.Binary;
using System.Globalization;

namespace NtSec.Principals;

/// <summary>
/// A security identifier (MS-DTYP 2.4.2): revision 1, a 48-bit identifier authority and up to 15 sub-authorities.
/// </summary>
/// <remarks>
/// The value keeps its binary form (the bytes Windows stores) and a hash computed once, so that equality and
/// dictionary lookups on the access-check path cost one length compare and one vectorised memory compare.
/// <c>default(Sid)</c> is the "no SID" value; check <see cref="IsDefault"/> before using one of unknown origin.
/// </remarks>
public readonly struct Sid : IEquatable<Sid>, IComparable<Sid>, ISpanFormattable
{
    /// <summary>The only SID revision Windows accepts (SID_REVISION).</summary>
    public const byte Revision = 1;

    /// <summary>SID_MAX_SUB_AUTHORITIES.</summary>
    public const int MaxSubAuthorities = 15;

    /// <summary>The largest identifier authority: 48 bits.</summary>
    public const ulong MaxIdentifierAuthority = 0xFFFF_FFFF_FFFF;

    /// <summary>The length of the longest SID in binary form (8 + 15 * 4).</summary>
    public const int MaxBinaryLength = 8 + (4 * MaxSubAuthorities);

    private readonly byte[]? _bytes;
    private readonly int _hash;

    private Sid(byte[] bytes)
    {
        _bytes = bytes;
        _hash = ComputeHash(bytes);
    }

    private Sid(byte[] bytes, int hash)
    {
        _bytes = bytes;
        _hash = hash;
    }

    // SID strings repeat: a domain's groups and accounts appear in ACL after ACL of an estate. A SID parsed from a
    // string is looked up by its binary form in a small table kept per thread and shared when found, so a repeated
    // string allocates nothing and equal SIDs share one array (a reference compare on the access-check path).
    // A SID is immutable, so sharing it is invisible to callers. Direct-mapped: a collision only replaces the slot.
    [ThreadStatic] private static Sid[]? t_recent;
    private const int RecentSlots = 256;

    private static Sid Shared(ulong identifierAuthority, ReadOnlySpan<uint> subAuthorities)
    {
        Span<byte> buffer = stackalloc byte[MaxBinaryLength];
        var bytes = buffer[..(8 + (4 * subAuthorities.Length))];
        bytes[0] = Revision;
        bytes[1] = (byte)subAuthorities.Length;
        for (int i = 0; i < 6; i++) bytes[2 + i] = (byte)(identifierAuthority >> (8 * (5 - i)));
        for (int i = 0; i < subAuthorities.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes[(8 + (4 * i))..], subAuthorities[i]);
        var hasher = new HashCode();
        hasher.AddBytes(bytes);
        int hash = hasher.ToHashCode();
        var recent = t_recent ??= new Sid[RecentSlots];
        ref var slot = ref recent[hash & (RecentSlots - 1)];
        if (slot._bytes is { } known && slot._hash == hash && known.AsSpan().SequenceEqual(bytes)) return slot;
        return slot = new Sid(bytes.ToArray(), hash);
    }

    /// <summary>True for <c>default(Sid)</c>, which stands for "no SID".</summary>
    public bool IsDefault => _bytes is null;

    /// <summary>The identifier authority (S-1-<b>5</b>-...).</summary>
    public ulong IdentifierAuthority
    {
        get
        {
            var b = Bytes;
            return ((ulong)b[2] << 40) | ((ulong)b[3] << 32) | ((ulong)b[4] << 24) | ((ulong)b[5] << 16) | ((ulong)b[6] << 8) | b[7];
        }
    }

    /// <summary>The number of sub-authorities (0 to 15).</summary>
    public int SubAuthorityCount => Bytes[1];

    /// <summary>The last sub-authority (the relative identifier), or 0 when there is none.</summary>
    public uint Rid => SubAuthorityCount == 0 ? 0 : GetSubAuthority(SubAuthorityCount - 1);

    /// <summary>The binary form, as Windows lays it out (authority big-endian, sub-authorities little-endian).</summary>
    public ReadOnlySpan<byte> BinaryForm => Bytes;

    /// <summary>The length of the binary form: 8 + 4 * <see cref="SubAuthorityCount"/>.</summary>
    public int BinaryLength => Bytes.Length;

    private byte[] Bytes => _bytes ?? throw new InvalidOperationException("default(Sid) has no value.");

    /// <summary>Returns sub-authority <paramref name="index"/>.</summary>
    public uint GetSubAuthority(int index)
    {
        if ((uint)index >= (uint)SubAuthorityCount) throw new ArgumentOutOfRangeException(nameof(index));
        return BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(8 + (4 * index)));
    }

    /// <summary>Creates a SID from its authority and sub-authorities.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The authority exceeds 48 bits or there are more than 15 sub-authorities.</exception>
    public static Sid Create(ulong identifierAuthority, params ReadOnlySpan<uint> subAuthorities)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(identifierAuthority, MaxIdentifierAuthority);
        if (subAuthorities.Length > MaxSubAuthorities) throw new ArgumentOutOfRangeException(nameof(subAuthorities));
        var bytes = new byte[8 + (4 * subAuthorities.Length)];
        bytes[0] = Revision;
        bytes[1] = (byte)subAuthorities.Length;
        for (int i = 0; i < 6; i++) bytes[2 + i] = (byte)(identifierAuthority >> (8 * (5 - i)));
        for (int i = 0; i < subAuthorities.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8 + (4 * i)), subAuthorities[i]);
        return new Sid(bytes);
    }

    /// <summary>This SID with one more sub-authority appended (a domain SID plus a RID).</summary>
    public Sid Append(uint rid)
    {
        var b = Bytes;
        if (b[1] >= MaxSubAuthorities) throw new InvalidOperationException("A SID has at most 15 sub-authorities.");
        var bytes = new byte[b.Length + 4];
        b.CopyTo(bytes, 0);
        bytes[1]++;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(b.Length), rid);
        return new Sid(bytes);
    }

    /// <summary>This SID without its last sub-authority (the domain of an account SID).</summary>
    public Sid Parent()
    {
        var b = Bytes;
        if (b[1] == 0) throw new InvalidOperationException("The SID has no sub-authority.");
        var bytes = b.AsSpan(0, b.Length - 4).ToArray();
        bytes[1]--;
        return new Sid(bytes);
    }

    /// <summary>True when this SID is <paramref name="domain"/> plus exactly one RID.</summary>
    public bool IsInDomain(Sid domain)
    {
        if (IsDefault || domain.IsDefault) return false;
        var b = Bytes;
        var d = domain.Bytes;
        return b.Length == d.Length + 4 && b[1] == d[1] + 1 && b.AsSpan(2, 6).SequenceEqual(d.AsSpan(2, 6))
               && b.AsSpan(8, d.Length - 8).SequenceEqual(d.AsSpan(8));
    }

    /// <summary>
    /// The Windows account domain of this SID, as GetWindowsAccountDomainSid gives it: for a SID of the NT
    /// authority's account domains (S-1-5-21-a-b-c, with or without a RID after it), the SID of its first four
    /// sub-authorities, S-1-5-21-a-b-c (24 bytes; observed: tok-57). Any other SID (well-known, BUILTIN, service,
    /// an AppContainer's) has no account domain.
    /// </summary>
    /// <param name="domain">The domain SID, or the default SID when there is none.</param>
    public bool TryGetWindowsAccountDomain(out Sid domain)
    {
        domain = default;
        if (IsDefault || IdentifierAuthority != 5 || SubAuthorityCount < 4 || GetSubAuthority(0) != 21) return false;
        domain = Create(5, GetSubAuthority(0), GetSubAuthority(1), GetSubAuthority(2), GetSubAuthority(3));
        return true;
    }

    // ----- binary codec -------------------------------------------------------------------------------------

    /// <summary>Reads a SID from the start of <paramref name="source"/> as <c>RtlValidSid</c> would accept it.</summary>
    /// <param name="source">The bytes; may be longer than the SID.</param>
    /// <param name="sid">The SID read.</param>
    /// <param name="bytesRead">How many bytes the SID occupies.</param>
    /// <param name="error">Why the bytes are not a SID; positions are relative to <paramref name="source"/>.</param>
    public static bool TryRead(ReadOnlySpan<byte> source, out Sid sid, out int bytesRead, out ParseError? error)
    {
        sid = default;
        bytesRead = 0;
        if (source.Length < 8)
        {
            error = new ParseError(ParseErrorKind.Truncated, 0, $"a SID needs at least 8 bytes, {source.Length} left", Win32Error.InvalidSid);
            return false;
        }
        if (source[0] != Revision)
        {
            error = new ParseError(ParseErrorKind.UnknownRevision, 0, $"SID revision {source[0]} is not 1", Win32Error.InvalidSid);
            return false;
        }
        int count = source[1];
        if (count > MaxSubAuthorities)
        {
            error = new ParseError(ParseErrorKind.OutOfRange, 1, $"SID has {count} sub-authorities; at most 15 are allowed", Win32Error.InvalidSid);
            return false;
        }
        int length = 8 + (4 * count);
        if (source.Length < length)
        {
            error = new ParseError(ParseErrorKind.Truncated, source.Length, $"SID with {count} sub-authorities needs {length} bytes, {source.Length} left", Win32Error.InvalidSid);
            return false;
        }
        sid = new Sid(source[..length].ToArray());
        bytesRead = length;
        error = null;
        return true;
    }

    /// <summary>Writes the binary form into <paramref name="destination"/>.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        var b = Bytes;
        if (destination.Length < b.Length)
        {
            bytesWritten = 0;
            return false;
        }
        b.CopyTo(destination);
        bytesWritten = b.Length;
        return true;
    }

    /// <summary>Reads a SID from a complete binary form.</summary>
    /// <exception cref="NtSecFormatException">The bytes are not exactly one valid SID.</exception>
    public static Sid FromBinary(ReadOnlySpan<byte> bytes)
    {
        if (!TryRead(bytes, out var sid, out int read, out var error)) throw new NtSecFormatException(error!);
        if (read != bytes.Length) throw new NtSecFormatException(new ParseError(ParseErrorKind.TrailingData, read, "bytes follow the SID", Win32Error.InvalidSid));
        return sid;
    }

    // ----- string form --------------------------------------------------------------------------------------

    /// <summary>
    /// Parses the <c>S-1-...</c> string form the way <c>ConvertStringSidToSid</c> reads it (no SDDL aliases:
    /// see <see cref="NtSec.Sddl.SddlSidAliases"/> for those).
    /// </summary>
    /// <remarks>
    /// Windows' leniencies are kept: <c>s-</c> in lower case, <c>0x</c>/<c>0X</c> hexadecimal in any field,
    /// white space before a number, sub-authorities that overflow 32 bits clamped to 4294967295. It rejects
    /// a revision other than 1, an authority wider than 48 bits, a SID without sub-authorities, more than
    /// 15 sub-authorities and anything after the last number.
    /// </remarks>
    public static bool TryParse(ReadOnlySpan<char> text, out Sid sid, out ParseError? error)
    {
        int pos = 0;
        if (!TryParsePrefix(text, ref pos, out sid, out error)) return false;
        if (pos != text.Length)
        {
            sid = default;
            error = new ParseError(ParseErrorKind.TrailingData, pos, "unexpected characters after the SID", Win32Error.InvalidSid);
            return false;
        }
        return true;
    }

    /// <summary>Parses the <c>S-1-...</c> string form; see <see cref="TryParse(ReadOnlySpan{char}, out Sid, out ParseError?)"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Sid sid) => TryParse(text, out sid, out _);

    /// <summary>Parses the <c>S-1-...</c> string form.</summary>
    /// <exception cref="NtSecFormatException">The text is not a SID.</exception>
    public static Sid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var sid, out var error) ? sid : throw new NtSecFormatException(error!);
    }

    /// <summary>
    /// Parses a SID string that starts at <paramref name="pos"/> and stops at the first character that cannot
    /// continue it, as the SDDL parser needs (<c>O:S-1-5-18G:...</c>).
    /// </summary>
    internal static bool TryParsePrefix(ReadOnlySpan<char> text, ref int pos, out Sid sid, out ParseError? error)
    {
        // The plain decimal form (nearly every SID string) is looked up by its text first: a SID string seen before
        // on this thread costs a compare, not a parse. Only text the full parse read whole, to the same length,
        // is remembered, so a hit gives exactly what the parse would.
        int length = DecimalForm(text, pos);
        if (length == 0) return TryParseFull(text, ref pos, out sid, out error);
        var form = text.Slice(pos, length);
        var recent = t_recentText ??= new (string?, Sid)[RecentSlots];
        ref var slot = ref recent[TextSlot(form)];
        if (slot.Item1 is { } known && form.SequenceEqual(known))
        {
            sid = slot.Item2;
            pos += length;
            error = null;
            return true;
        }
        int start = pos;
        if (!TryParseFull(text, ref pos, out sid, out error)) return false;
        if (pos - start == length) slot = (form.ToString(), sid);
        return true;
    }

    [ThreadStatic] private static (string?, Sid)[]? t_recentText;

    // The length of "S-1-" and decimal numbers joined by single dashes at pos, when what follows cannot continue a
    // SID in any reading (a blank may precede a number, an x makes a hexadecimal one); else 0 (the full parse decides).
    private static int DecimalForm(ReadOnlySpan<char> text, int pos)
    {
        var t = text[pos..];
        if (t.Length < 6 || t[0] != 'S' || t[1] != '-' || t[2] != '1' || t[3] != '-') return 0;
        int i = 4;
        bool digit = false;
        for (; i < t.Length; i++)
        {
            char c = t[i];
            if (c is >= '0' and <= '9')
            {
                digit = true;
                continue;
            }
            if (c != '-' || !digit) break;
            digit = false;
        }
        if (!digit || (i < t.Length && (IsBlank(t[i]) || t[i] is 'x' or 'X'))) return 0;
        return i;
    }

    // Domain SIDs differ at their end: the last characters and the length choose the slot.
    private static int TextSlot(ReadOnlySpan<char> form)
    {
        int h = form.Length;
        foreach (char c in form[Math.Max(0, form.Length - 12)..]) h = (h * 31) + c;
        return h & (RecentSlots - 1);
    }

    private static bool TryParseFull(ReadOnlySpan<char> text, ref int pos, out Sid sid, out ParseError? error)
    {
        sid = default;
        int start = pos;
        if (pos + 1 >= text.Length || (text[pos] != 'S' && text[pos] != 's') || text[pos + 1] != '-')
        {
            error = new ParseError(ParseErrorKind.Syntax, pos, "a SID string starts with 'S-'", Win32Error.InvalidSid);
            return false;
        }
        pos += 2;
        // Windows reads every later field in hexadecimal once the revision is written in hex: "S-0x1-20-0-579"
        // is S-1-32-0-1401 (windows_is_weird.txt). Each field may still carry its own 0x.
        int revisionPos = pos;
        while (revisionPos < text.Length && IsBlank(text[revisionPos])) revisionPos++;
        bool hexMode = revisionPos + 1 < text.Length && text[revisionPos] == '0' && (text[revisionPos + 1] == 'x' || text[revisionPos + 1] == 'X');
        if (!TryParseSidNumber(text, ref pos, false, out ulong revision, out bool overflow) || overflow || revision != Revision)
        {
            error = new ParseError(ParseErrorKind.UnknownRevision, start + 2, "the SID revision must be 1", Win32Error.InvalidSid);
            return false;
        }
        if (pos >= text.Length || text[pos] != '-')
        {
            error = new ParseError(ParseErrorKind.Syntax, pos, "expected '-' and the identifier authority", Win32Error.InvalidSid);
            return false;
        }
        pos++;
        int authorityPos = pos;
        if (!TryParseSidNumber(text, ref pos, hexMode, out ulong authority, out overflow) || overflow || authority > MaxIdentifierAuthority)
        {
            error = new ParseError(ParseErrorKind.OutOfRange, authorityPos, "the identifier authority must be a number below 2^48", Win32Error.InvalidSid);
            return false;
        }
        Span<uint> subs = stackalloc uint[MaxSubAuthorities];
        int count = 0;
        while (pos < text.Length && text[pos] == '-')
        {
            int subPos = pos + 1;
            int probe = subPos;
            if (!TryParseSidNumber(text, ref probe, hexMode, out ulong value, out overflow))
            {
                // A '-' not followed by a number ends the SID badly: "S-1-5-" is not a SID.
                error = new ParseError(ParseErrorKind.Syntax, subPos, "expected a sub-authority after '-'", Win32Error.InvalidSid);
                return false;
            }
            if (count == MaxSubAuthorities)
            {
                error = new ParseError(ParseErrorKind.OutOfRange, pos, "a SID has at most 15 sub-authorities", Win32Error.InvalidSid);
                return false;
            }
            // Windows clamps an oversized sub-authority instead of rejecting it (windows_is_weird.txt).
            subs[count++] = overflow || value > uint.MaxValue ? uint.MaxValue : (uint)value;
            pos = probe;
        }
        if (count == 0)
        {
            error = new ParseError(ParseErrorKind.Missing, pos, "a SID needs at least one sub-authority", Win32Error.InvalidSid);
            return false;
        }
        sid = Shared(authority, subs[..count]);
        error = null;
        return true;
    }

    // Decimal, or hexadecimal after 0x/0X (or always, in hex mode); leading blanks are skipped as wcstoul does.
    // Saturates instead of overflowing, so a thousand-digit field costs time proportional to its length and no memory.
    private static bool TryParseSidNumber(ReadOnlySpan<char> text, ref int pos, bool hexMode, out ulong value, out bool overflow)
    {
        value = 0;
        overflow = false;
        int p = pos;
        while (p < text.Length && IsBlank(text[p])) p++;
        bool prefixed = p + 1 < text.Length && text[p] == '0' && (text[p + 1] == 'x' || text[p + 1] == 'X');
        if (prefixed) p += 2;
        bool hex = prefixed || hexMode;
        int digitsStart = p;
        const ulong limit = 1UL << 52;
        while (p < text.Length)
        {
            int d = hex ? HexValue(text[p]) : DecimalValue(text[p]);
            if (d < 0) break;
            if (!overflow)
            {
                value = (value * (hex ? 16UL : 10UL)) + (ulong)d;
                if (value >= limit) overflow = true;
            }
            p++;
        }
        if (p == digitsStart) return false;
        pos = p;
        return true;
    }

    // Space, or tab through carriage return (\t \n \v \f \r are U+0009-U+000D): what wcstoul skips.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static bool IsBlank(char c) => c == ' ' || (uint)(c - '\t') <= '\r' - '\t';

    private static int DecimalValue(char c) => c is >= '0' and <= '9' ? c - '0' : -1;

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>
    /// The string form as <c>ConvertSidToStringSid</c> writes it: the authority in decimal when it is below
    /// 2^32, otherwise <c>0x</c> and upper-case hexadecimal without padding.
    /// </summary>
    public override string ToString()
    {
        if (_bytes is null) return "";
        Span<char> buffer = stackalloc char[8 + 14 + (11 * MaxSubAuthorities)];
        TryFormat(buffer, out int written, default, null);
        return new string(buffer[..written]);
    }

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        charsWritten = 0;
        if (_bytes is null) return true;
        ulong authority = IdentifierAuthority;
        bool ok = authority < 0x1_0000_0000
            ? destination.TryWrite(CultureInfo.InvariantCulture, $"S-1-{authority}", out int n)
            : destination.TryWrite(CultureInfo.InvariantCulture, $"S-1-0x{authority:X}", out n);
        if (!ok) return false;
        int total = n;
        for (int i = 0; i < SubAuthorityCount; i++)
        {
            if (!destination[total..].TryWrite(CultureInfo.InvariantCulture, $"-{GetSubAuthority(i)}", out n)) return false;
            total += n;
        }
        charsWritten = total;
        return true;
    }

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    // ----- equality -----------------------------------------------------------------------------------------

    // The same value as Shared computes over a span.
    private static int ComputeHash(byte[] bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public bool Equals(Sid other)
    {
        if (ReferenceEquals(_bytes, other._bytes)) return true;
        if (_bytes is null || other._bytes is null || _hash != other._hash) return false;
        return _bytes.AsSpan().SequenceEqual(other._bytes);
    }

    /// <summary>Compares with a binary SID without allocating.</summary>
    public bool Equals(ReadOnlySpan<byte> binarySid) => _bytes is not null && _bytes.AsSpan().SequenceEqual(binarySid);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Sid other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hash;

    /// <summary>Orders SIDs by their binary form (a stable order, not a meaningful one).</summary>
    public int CompareTo(Sid other) => MemoryExtensions.SequenceCompareTo(_bytes.AsSpan(), other._bytes.AsSpan());

    /// <summary>Value equality.</summary>
    public static bool operator ==(Sid left, Sid right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Sid left, Sid right) => !left.Equals(right);
}
