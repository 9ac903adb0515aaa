using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Tokens;

namespace NtSec.Benchmarks;

/// <summary>
/// The practical floor the issue measures NtSec against: the same data as flat ACE records and an open-addressing
/// SID table compared with memcmp, and only the work a plain check cannot skip (the owner probe, the integrity
/// compare, the ACE walk). It is a yardstick, not an access check: it knows no privileges, object types or passes.
/// </summary>
internal static class Floor
{
    internal readonly struct FloorAce(byte allow, uint mask, int hash, byte[] sid)
    {
        public readonly byte Allow = allow;
        public readonly uint Mask = mask;
        public readonly int Hash = hash;
        public readonly byte[] Sid = sid;
    }

    internal sealed class FloorDescriptor(FloorAce[] aces, byte[] owner, int ownerHash, long labelRank)
    {
        public readonly FloorAce[] Aces = aces;
        public readonly byte[] Owner = owner;
        public readonly int OwnerHash = ownerHash;
        public readonly long LabelRank = labelRank;
    }

    internal sealed class FloorToken
    {
        public readonly int[] Hashes;
        public readonly byte[]?[] Sids;
        public readonly byte[] Flags;
        public readonly int Mask;
        public readonly long Rank;

        public FloorToken(Token token)
        {
            var sids = new[] { token.User.Sid }.Concat(token.Groups.Select(g => g.Sid)).Distinct().ToArray();
            int size = 8;
            while (size < sids.Length * 2) size <<= 1;
            Hashes = new int[size];
            Sids = new byte[]?[size];
            Flags = new byte[size];
            Mask = size - 1;
            foreach (var sid in sids)
            {
                byte f = (byte)((token.MatchesSid(sid, false) ? 1 : 0) | (token.MatchesSid(sid, true) ? 2 : 0));
                var bytes = sid.BinaryForm.ToArray();
                int h = Hash(bytes), i = h & Mask;
                while (Sids[i] is not null) i = (i + 1) & Mask;
                Hashes[i] = h;
                Sids[i] = bytes;
                Flags[i] = f;
            }
            Rank = token.IntegrityLevel.Rid;
        }

        public byte Lookup(int hash, byte[] sid)
        {
            int i = hash & Mask;
            while (Sids[i] is { } s)
            {
                if (Hashes[i] == hash && s.AsSpan().SequenceEqual(sid)) return Flags[i];
                i = (i + 1) & Mask;
            }
            return 0;
        }
    }

    public static int Hash(ReadOnlySpan<byte> bytes)
    {
        uint h = 2166136261;
        foreach (byte b in bytes) h = (h ^ b) * 16777619;
        return (int)h;
    }

    public static FloorDescriptor Compile(SecurityDescriptor sd, GenericMapping mapping)
    {
        var aces = sd.Dacl!.Aces.Where(a => !a.IsInheritOnly && (a.IsAccessAllowed || a.IsAccessDenied))
            .Select(a => { var b = a.Sid.BinaryForm.ToArray(); return new FloorAce(a.IsAccessAllowed ? (byte)1 : (byte)0, mapping.Map(a.Mask), Hash(b), b); }).ToArray();
        var owner = sd.Owner!.Value.BinaryForm.ToArray();
        long label = sd.Sacl?.Aces.FirstOrDefault(a => a.Type == AceType.SystemMandatoryLabel)?.Sid.Rid ?? 8192;
        return new FloorDescriptor(aces, owner, Hash(owner), label);
    }

    /// <summary>The granted mask for <paramref name="desired"/> (MAXIMUM_ALLOWED allowed), 0 when denied.</summary>
    public static uint Check(FloorDescriptor d, FloorToken t, uint desired)
    {
        bool max = (desired & AccessMask.MaximumAllowed) != 0;
        uint wanted = desired & ~AccessMask.MaximumAllowed;
        uint limit = t.Rank >= d.LabelRank ? uint.MaxValue : 0x1200a9;
        uint allowed = (t.Lookup(d.OwnerHash, d.Owner) & 1) != 0 ? AccessMask.ReadControl | AccessMask.WriteDac : 0, denied = 0;
        foreach (var ace in d.Aces)
        {
            if (!max && (wanted & ~allowed) == 0) break;
            byte f = t.Lookup(ace.Hash, ace.Sid);
            if (ace.Allow != 0)
            {
                if ((f & 1) != 0) allowed |= ace.Mask & ~denied;
            }
            else if ((f & 2) != 0)
            {
                denied |= ace.Mask & ~allowed;
                if (!max && (denied & wanted) != 0) return 0;
            }
        }
        uint g = allowed & limit;
        return (wanted & ~g) == 0 && g != 0 ? (max ? g : wanted) : 0;
    }
}
