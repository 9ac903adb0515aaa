using System.Buffers.Binary;
using System.Text;

namespace NtSec.Tests.Fuzzing;

/// <summary>Mutations of text inputs (SDDL strings, SID strings).</summary>
public static class TextMutator
{
    /// <summary>Tokens worth inserting: SDDL punctuation and keywords, number edge cases, blanks, odd characters.</summary>
    internal static readonly string[] Tokens =
    [
        "(", ")", ";", ":", "-", "S-", "S-1-", "s-1-5-", "S-1-5-21-", "0x", "0X", "-0x", "+", "0", "00", "1", "15", "16",
        "4294967295", "4294967296", "18446744073709551615", "18446744073709551616", "281474976710655", "281474976710656",
        "99999999999999999999999999999999999999", "0xFFFFFFFFFFFFFFFFFFFF", "-9876543210",
        " ", "  ", "\t", "\r\n", "\v", "\f", "\u00a0", "\u3000", "\0", "\ufeff", "\u0100", "\u0131", "\u017f", "\u212a", "\ud800", "\udc00", "\ud83d\ude00",
        "O:", "G:", "D:", "S:", "d:", "P", "AI", "AR", "NO_ACCESS_CONTROL", "no_access_control",
        "A", "D", "OA", "OD", "AU", "AL", "OU", "OL", "ML", "SP", "TL", "FL", "XA", "XD", "ZA", "XU", "RA",
        "OI", "CI", "NP", "IO", "ID", "SA", "FA", "TP", "CR",
        "GA", "GR", "GW", "GX", "FA", "KA", "NW", "NR", "NX", "RPWP", "CCDCLCSWRPWPDTLOCRSDRCWDWO",
        "WD", "SY", "BA", "LA", "LG", "DA", "EA", "AN", "ZZ",
        "(A;;GA;;;WD)", "(D;OICI;FA;;;BG)", "(AU;SAFA;FA;;;WD)", "(ML;;NW;;;HI)", "(OA;;RP;bf967a68-0de6-11d0-a285-00aa003049e2;;PS)",
        "bf967a68-0de6-11d0-a285-00aa003049e2", "{bf967a68-0de6-11d0-a285-00aa003049e2}", "00000000-0000-0000-0000-000000000000",
        "(@User.Title == \"x\")", "\"", "((((((((", "))))))))",
    ];

    /// <summary>A mutation of <paramref name="input"/>: one to four edits, rarely a large repetition.</summary>
    public static string Mutate(Random rng, string input, IReadOnlyList<string> corpus)
    {
        var sb = new StringBuilder(input);
        int edits = 1 + rng.Next(4);
        for (int e = 0; e < edits; e++)
        {
            int kind = rng.Next(100);
            int pos = sb.Length == 0 ? 0 : rng.Next(sb.Length + 1);
            if (sb.Length == 0 && kind < 30) kind = 30; // nothing to replace: insert instead
            if (kind < 20)
            {
                // Replace one character.
                sb[Math.Min(pos, sb.Length - 1)] = RandomChar(rng);
            }
            else if (kind < 30)
            {
                // Flip the case of one character.
                int i = Math.Min(pos, sb.Length - 1);
                char c = sb[i];
                sb[i] = char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c);
            }
            else if (kind < 55)
            {
                sb.Insert(pos, Tokens[rng.Next(Tokens.Length)]);
            }
            else if (kind < 70)
            {
                // Delete a range.
                if (sb.Length == 0) continue;
                int i = Math.Min(pos, sb.Length - 1);
                sb.Remove(i, Math.Min(1 + rng.Next(8), sb.Length - i));
            }
            else if (kind < 80)
            {
                // Splice: this seed's head, another seed's tail.
                var other = corpus[rng.Next(corpus.Count)];
                int cut = rng.Next(other.Length + 1);
                sb.Length = Math.Min(pos, sb.Length);
                sb.Append(other, cut, other.Length - cut);
            }
            else if (kind < 88)
            {
                sb.Length = Math.Min(pos, sb.Length); // truncate
            }
            else if (kind < 95)
            {
                // Duplicate a range in place.
                if (sb.Length == 0) continue;
                int i = Math.Min(pos, sb.Length - 1);
                int len = Math.Min(1 + rng.Next(24), sb.Length - i);
                sb.Insert(i, sb.ToString(i, len));
            }
            else if (kind < 99)
            {
                sb.Insert(pos, Tokens[rng.Next(16, 27)]); // an edge-case number
            }
            else
            {
                // A large repetition: many ACEs, a long number, deep nesting, many sub-authorities.
                string unit = rng.Next(4) switch
                {
                    0 => "(A;;GA;;;WD)",
                    1 => "9",
                    2 => "(",
                    _ => "-1",
                };
                sb.Insert(pos, string.Concat(Enumerable.Repeat(unit, 1 + rng.Next(6000))));
            }
        }
        return sb.ToString();
    }

    private static char RandomChar(Random rng) => rng.Next(10) switch
    {
        < 6 => (char)rng.Next(0x20, 0x7f),
        6 => (char)rng.Next(0, 0x20),
        7 => "();:-Sx0 "[rng.Next(9)],
        8 => (char)rng.Next(0x80, 0x800),
        _ => (char)rng.Next(0xd800, 0x10000),
    };
}

/// <summary>
/// Mutations of binary inputs: generic byte edits plus structure-aware corruption of the fields the readers trust
/// (offsets, AclSize, AceCount, AceSize, SubAuthorityCount), set to boundary values.
/// </summary>
public static class BinaryMutator
{
    /// <summary>What a buffer holds, so that the structure-aware edits know where its fields are.</summary>
    public enum Shape
    {
        /// <summary>A self-relative security descriptor.</summary>
        Descriptor,
        /// <summary>An ACL.</summary>
        Acl,
        /// <summary>An ACE.</summary>
        Ace,
        /// <summary>A SID.</summary>
        Sid,
    }

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0f, 0x10, 0x11, 0x14, 0x15, 0x16, 0x7f, 0x80, 0xfe, 0xff];

    /// <summary>A mutation of <paramref name="input"/>: one to four edits.</summary>
    public static byte[] Mutate(Random rng, byte[] input, IReadOnlyList<byte[]> corpus, Shape shape)
    {
        var b = new List<byte>(input);
        int edits = 1 + rng.Next(4);
        for (int e = 0; e < edits; e++)
        {
            if (rng.Next(100) < 45) Structured(rng, b, shape);
            else Generic(rng, b, corpus);
        }
        return [.. b];
    }

    private static void Generic(Random rng, List<byte> b, IReadOnlyList<byte[]> corpus)
    {
        int pos = b.Count == 0 ? 0 : rng.Next(b.Count);
        switch (rng.Next(9))
        {
            case 0: // flip bits
            case 1:
                if (b.Count == 0) break;
                for (int i = 0, n = 1 + rng.Next(4); i < n; i++) b[rng.Next(b.Count)] ^= (byte)(1 << rng.Next(8));
                break;
            case 2: // set a byte to an interesting value
                if (b.Count == 0) break;
                b[pos] = InterestingBytes[rng.Next(InterestingBytes.Length)];
                break;
            case 3: // truncate
                b.RemoveRange(pos, b.Count - pos);
                break;
            case 4: // insert random bytes
                {
                    var extra = new byte[1 + rng.Next(16)];
                    rng.NextBytes(extra);
                    b.InsertRange(rng.Next(b.Count + 1), extra);
                }
                break;
            case 5: // delete a range
                if (b.Count == 0) break;
                b.RemoveRange(pos, Math.Min(1 + rng.Next(16), b.Count - pos));
                break;
            case 6: // splice with another seed
                {
                    var other = corpus[rng.Next(corpus.Count)];
                    int cut = rng.Next(other.Length + 1);
                    b.RemoveRange(pos, b.Count - pos);
                    b.AddRange(other.AsSpan(cut).ToArray());
                }
                break;
            case 7: // duplicate a range
                if (b.Count == 0) break;
                {
                    int len = Math.Min(1 + rng.Next(32), b.Count - pos);
                    b.InsertRange(pos, b.GetRange(pos, len));
                }
                break;
            default: // append trailing bytes
                {
                    var extra = new byte[1 + rng.Next(8)];
                    rng.NextBytes(extra);
                    b.AddRange(extra);
                }
                break;
        }
    }

    private static void Structured(Random rng, List<byte> b, Shape shape)
    {
        switch (shape)
        {
            case Shape.Descriptor: Descriptor(rng, b); break;
            case Shape.Acl: Acl(rng, b, 0); break;
            case Shape.Ace: Ace(rng, b, 0); break;
            default: Sid(rng, b, 0); break;
        }
    }

    private static void Descriptor(Random rng, List<byte> b)
    {
        if (b.Count < 20)
        {
            Generic(rng, b, [[1, 0, 4, 0x80]]);
            return;
        }
        switch (rng.Next(6))
        {
            case 0: // an offset field (owner, group, SACL, DACL) to a boundary value
                WriteU32(b, 4 + (4 * rng.Next(4)), BoundaryU32(rng, b.Count));
                break;
            case 1: // control flags
                {
                    ushort control = (ushort)(b[2] | (b[3] << 8));
                    control = rng.Next(3) switch
                    {
                        0 => (ushort)(control ^ (1 << rng.Next(16))),
                        1 => (ushort)rng.Next(0x10000),
                        _ => (ushort)(control ^ 0x0014), // DACL and SACL present bits
                    };
                    WriteU16(b, 2, control);
                }
                break;
            case 2: // revision or Sbz1
                b[rng.Next(2)] = InterestingBytes[rng.Next(InterestingBytes.Length)];
                break;
            default: // something an offset points at
                {
                    int field = rng.Next(4);
                    uint offset = ReadU32(b, 4 + (4 * field));
                    if (offset < 20 || offset >= b.Count) goto case 0;
                    if (field < 2) Sid(rng, b, (int)offset);
                    else Acl(rng, b, (int)offset);
                }
                break;
        }
    }

    private static void Acl(Random rng, List<byte> b, int at)
    {
        if (b.Count < at + 8)
        {
            Generic(rng, b, [[2, 0, 8, 0, 0, 0, 0, 0]]);
            return;
        }
        switch (rng.Next(5))
        {
            case 0:
                b[at] = InterestingBytes[rng.Next(InterestingBytes.Length)]; // revision
                break;
            case 1:
                WriteU16(b, at + 2, BoundaryU16(rng, ReadU16(b, at + 2), b.Count - at)); // AclSize
                break;
            case 2:
                WriteU16(b, at + 4, BoundaryU16(rng, ReadU16(b, at + 4), (b.Count - at - 8) / 4)); // AceCount
                break;
            default: // one of its ACEs
                {
                    int count = ReadU16(b, at + 4);
                    int end = Math.Min(b.Count, at + ReadU16(b, at + 2));
                    int pos = at + 8;
                    int target = count == 0 ? 0 : rng.Next(count);
                    for (int i = 0; i < target && pos + 4 <= end; i++)
                    {
                        int size = ReadU16(b, pos + 2);
                        if (size < 4) break;
                        pos += size;
                    }
                    if (pos + 4 <= b.Count) Ace(rng, b, pos);
                    else WriteU16(b, at + 4, (ushort)(count + 1));
                }
                break;
        }
    }

    private static void Ace(Random rng, List<byte> b, int at)
    {
        if (b.Count < at + 4)
        {
            Generic(rng, b, [[0, 0, 4, 0]]);
            return;
        }
        byte type = b[at];
        bool isObject = type is 5 or 6 or 7 or 8 or 0x0b or 0x0c or 0x0f or 0x10;
        switch (rng.Next(6))
        {
            case 0: // type: a known one, an object one, an unknown one
                b[at] = rng.Next(3) switch { 0 => (byte)rng.Next(0x16), 1 => (byte)(5 + rng.Next(4)), _ => InterestingBytes[rng.Next(InterestingBytes.Length)] };
                break;
            case 1:
                b[at + 1] = (byte)rng.Next(256); // flags
                break;
            case 2:
            case 3:
                WriteU16(b, at + 2, BoundaryU16(rng, ReadU16(b, at + 2), b.Count - at)); // AceSize
                break;
            default:
                if (isObject && b.Count >= at + 12 && rng.Next(2) == 0)
                {
                    // Object flags: which GUIDs are present.
                    WriteU32(b, at + 8, rng.Next(4) switch { 0 => 0u, 1 => 3u, 2 => 0xffffffffu, _ => (uint)rng.Next(8) });
                    break;
                }
                {
                    int sidAt = at + 8;
                    if (isObject && b.Count >= at + 12)
                    {
                        uint flags = ReadU32(b, at + 8);
                        sidAt = at + 12 + ((flags & 1) != 0 ? 16 : 0) + ((flags & 2) != 0 ? 16 : 0);
                    }
                    Sid(rng, b, sidAt);
                }
                break;
        }
    }

    private static void Sid(Random rng, List<byte> b, int at)
    {
        if (b.Count < at + 2)
        {
            Generic(rng, b, [[1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]]);
            return;
        }
        if (rng.Next(4) == 0)
        {
            b[at] = InterestingBytes[rng.Next(InterestingBytes.Length)]; // revision
            return;
        }
        int count = b[at + 1];
        b[at + 1] = rng.Next(6) switch
        {
            0 => 0,
            1 => 15,
            2 => 16,
            3 => 0xff,
            4 => (byte)(count + 1),
            _ => (byte)(count - 1),
        };
    }

    private static uint BoundaryU32(Random rng, int length) => rng.Next(14) switch
    {
        0 => 0,
        1 => 1,
        2 => 19,
        3 => 20,
        4 => 21,
        5 => (uint)Math.Max(0, length - 1),
        6 => (uint)length,
        7 => (uint)length + 1,
        8 => 0xffff,
        9 => 0x10000,
        10 => 0x7fffffff,
        11 => 0x80000000,
        12 => 0xffffffff,
        _ => (uint)rng.Next(Math.Max(1, length + 8)),
    };

    private static ushort BoundaryU16(Random rng, int current, int room) => (ushort)(rng.Next(14) switch
    {
        0 => 0,
        1 => 1,
        2 => 3,
        3 => 4,
        4 => 7,
        5 => 8,
        6 => current + 1,
        7 => current - 1,
        8 => current + 4,
        9 => current - 4,
        10 => room,
        11 => room + 1,
        12 => 0xffff,
        _ => 0x8000,
    });

    private static int ReadU16(List<byte> b, int at) => at + 2 <= b.Count ? b[at] | (b[at + 1] << 8) : 0;

    private static uint ReadU32(List<byte> b, int at)
        => at + 4 <= b.Count ? BinaryPrimitives.ReadUInt32LittleEndian([b[at], b[at + 1], b[at + 2], b[at + 3]]) : 0;

    private static void WriteU16(List<byte> b, int at, ushort value)
    {
        if (at + 2 > b.Count) return;
        b[at] = (byte)value;
        b[at + 1] = (byte)(value >> 8);
    }

    private static void WriteU32(List<byte> b, int at, uint value)
    {
        if (at + 4 > b.Count) return;
        for (int i = 0; i < 4; i++) b[at + i] = (byte)(value >> (8 * i));
    }
}
