using System.Buffers.Binary;
using System.Globalization;

namespace NtSec.Benchmarks;

/// <summary>
/// The SDDL floor: the round trip of the 10-ACE case into flat records (type, flags, mask, GUID, SID bytes in one
/// buffer) and back into a reused character buffer, with a small alias and rights table. Only the SDDL forms the
/// case uses are read; it is a yardstick for the library's round trip, not an SDDL parser.
/// </summary>
internal static class SddlFloor
{
    private struct Record
    {
        public char Type0, Type1;
        public string Flags;
        public uint Mask;
        public Guid Object;
        public bool HasObject;
        public int SidStart, SidLength;
    }

    [ThreadStatic] private static Record[]? t_records;
    [ThreadStatic] private static byte[]? t_sids;
    [ThreadStatic] private static char[]? t_out;

    private static readonly (string Alias, byte[] Sid)[] Aliases =
    [
        ("BG", Sid(5, 32, 546)), ("SY", Sid(5, 18)), ("BA", Sid(5, 32, 544)), ("CO", Sid(3, 0)), ("AU", Sid(5, 11)), ("BU", Sid(5, 32, 545)), ("PS", Sid(5, 10)),
    ];

    private static readonly (string Name, uint Mask)[] Rights = [("FA", 0x1f01ff), ("FR", 0x120089), ("FX", 0x1200a0), ("FW", 0x120116), ("CR", 0x100)];
    private static readonly string[] FlagNames = ["OI", "CI", "NP", "IO", "ID"];

    private static byte[] Sid(ulong authority, params uint[] subs)
    {
        var b = new byte[8 + (4 * subs.Length)];
        b[0] = 1;
        b[1] = (byte)subs.Length;
        for (int i = 0; i < 6; i++) b[2 + i] = (byte)(authority >> (8 * (5 - i)));
        for (int i = 0; i < subs.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8 + (4 * i)), subs[i]);
        return b;
    }

    /// <summary>Parses and writes back; returns the length written.</summary>
    public static int RoundTrip(string sddl)
    {
        var records = t_records ??= new Record[64];
        var sids = t_sids ??= new byte[64 * 68];
        var output = t_out ??= new char[4096];
        ReadOnlySpan<char> s = sddl;
        int pos = 0, sidPos = 0, count = 0;
        int ownerStart = 0, ownerLength = 0, groupStart = 0, groupLength = 0;
        ReadOnlySpan<char> daclFlags = default;
        while (pos < s.Length)
        {
            char part = s[pos];
            pos += 2;
            if (part is 'O' or 'G')
            {
                int start = sidPos;
                int length = ReadSid(s, ref pos, sids.AsSpan(sidPos));
                sidPos += length;
                if (part == 'O') { ownerStart = start; ownerLength = length; }
                else { groupStart = start; groupLength = length; }
                continue;
            }
            int flagsStart = pos;
            while (pos < s.Length && s[pos] != '(') pos++;
            daclFlags = s[flagsStart..pos];
            while (pos < s.Length && s[pos] == '(')
            {
                pos++;
                ref var r = ref records[count++];
                int end = s[pos..].IndexOf(';') + pos;
                r.Type0 = s[pos];
                r.Type1 = end - pos > 1 ? s[pos + 1] : '\0';
                pos = end + 1;
                end = s[pos..].IndexOf(';') + pos;
                r.Flags = s[pos..end].Length == 0 ? "" : FlagsString(s[pos..end]);
                pos = end + 1;
                end = s[pos..].IndexOf(';') + pos;
                r.Mask = ReadRights(s[pos..end]);
                pos = end + 1;
                end = s[pos..].IndexOf(';') + pos;
                r.HasObject = end > pos;
                if (r.HasObject) r.Object = Guid.Parse(s[pos..end]);
                pos = end + 1;
                end = s[pos..].IndexOf(';') + pos;
                pos = end + 1;
                r.SidStart = sidPos;
                r.SidLength = ReadSid(s, ref pos, sids.AsSpan(sidPos));
                sidPos += r.SidLength;
                pos++; // ')'
            }
        }

        var o = output.AsSpan();
        int w = 0;
        "O:".CopyTo(o[w..]); w += 2;
        w += WriteSid(sids.AsSpan(ownerStart, ownerLength), o[w..]);
        "G:".CopyTo(o[w..]); w += 2;
        w += WriteSid(sids.AsSpan(groupStart, groupLength), o[w..]);
        "D:".CopyTo(o[w..]); w += 2;
        daclFlags.CopyTo(o[w..]); w += daclFlags.Length;
        for (int i = 0; i < count; i++)
        {
            ref var r = ref records[i];
            o[w++] = '(';
            o[w++] = r.Type0;
            if (r.Type1 != '\0') o[w++] = r.Type1;
            o[w++] = ';';
            r.Flags.CopyTo(o[w..]); w += r.Flags.Length;
            o[w++] = ';';
            w += WriteRights(r.Mask, o[w..]);
            o[w++] = ';';
            if (r.HasObject) { r.Object.TryFormat(o[w..], out int n); w += n; }
            o[w++] = ';';
            o[w++] = ';';
            w += WriteSid(sids.AsSpan(r.SidStart, r.SidLength), o[w..]);
            o[w++] = ')';
        }
        return w;
    }

    private static string FlagsString(ReadOnlySpan<char> flags)
    {
        // The flag combinations of the case, kept as the interned strings a writer would emit.
        foreach (var f in (string[])["OICI", "OICIIO", "CI", "ID", "OI", "OICIID"])
            if (flags.SequenceEqual(f)) return f;
        return flags.ToString();
    }

    private static uint ReadRights(ReadOnlySpan<char> text)
    {
        if (text.StartsWith("0x")) return uint.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        uint mask = 0;
        for (int i = 0; i + 1 < text.Length; i += 2)
            foreach (var (name, m) in Rights)
                if (text[i] == name[0] && text[i + 1] == name[1]) mask |= m;
        return mask;
    }

    private static int WriteRights(uint mask, Span<char> o)
    {
        foreach (var (name, m) in Rights)
            if (m == mask) { name.CopyTo(o); return 2; }
        "0x".CopyTo(o);
        mask.TryFormat(o[2..], out int n, "x", CultureInfo.InvariantCulture);
        return n + 2;
    }

    private static int ReadSid(ReadOnlySpan<char> s, ref int pos, Span<byte> into)
    {
        if (s[pos] != 'S')
        {
            foreach (var (alias, sid) in Aliases)
                if (s[pos] == alias[0] && s[pos + 1] == alias[1])
                {
                    pos += 2;
                    sid.CopyTo(into);
                    return sid.Length;
                }
            throw new FormatException("alias");
        }
        pos += 4; // "S-1-"
        ulong authority = 0;
        while (char.IsAsciiDigit(s[pos])) authority = (authority * 10) + (uint)(s[pos++] - '0');
        int count = 0;
        while (pos < s.Length && s[pos] == '-')
        {
            pos++;
            uint v = 0;
            while (pos < s.Length && char.IsAsciiDigit(s[pos])) v = (v * 10) + (uint)(s[pos++] - '0');
            BinaryPrimitives.WriteUInt32LittleEndian(into[(8 + (4 * count))..], v);
            count++;
        }
        into[0] = 1;
        into[1] = (byte)count;
        for (int i = 0; i < 6; i++) into[2 + i] = (byte)(authority >> (8 * (5 - i)));
        return 8 + (4 * count);
    }

    private static int WriteSid(ReadOnlySpan<byte> sid, Span<char> o)
    {
        foreach (var (alias, bytes) in Aliases)
            if (sid.SequenceEqual(bytes)) { alias.CopyTo(o); return 2; }
        "S-1-".CopyTo(o);
        int w = 4;
        ulong authority = 0;
        for (int i = 2; i < 8; i++) authority = (authority << 8) | sid[i];
        authority.TryFormat(o[w..], out int n, default, CultureInfo.InvariantCulture);
        w += n;
        for (int i = 0; i < sid[1]; i++)
        {
            o[w++] = '-';
            BinaryPrimitives.ReadUInt32LittleEndian(sid[(8 + (4 * i))..]).TryFormat(o[w..], out n, default, CultureInfo.InvariantCulture);
            w += n;
        }
        return w;
    }
}
