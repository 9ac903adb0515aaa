using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Authorization.FastPath;

/// <summary>
/// What an access check needs from a token, computed once per token: whether the token takes the fast path, the
/// privileges the check looks at, the integrity level as a rank, and a table of the SIDs that can match an ACE.
/// </summary>
/// <remarks>
/// The table holds only SIDs that match something (a disabled group matches no ACE, so it is left out) with two
/// bits: matches an allow ACE, matches a deny ACE. Well-known SIDs are stored as the catalogue's instances, so a
/// descriptor built from SDDL aliases hits them with a reference compare.
/// </remarks>
internal sealed class TokenFacts
{
    public const byte MatchAllow = 1;
    public const byte MatchDeny = 2;

    private readonly Entry[] _entries;
    private readonly int _mask;

    private struct Entry
    {
        public int Hash;
        public byte Match;
        public Sid Sid;
    }

    private TokenFacts(Token token)
    {
        // A restricted or AppContainer token needs the extra passes, and a token the call refuses needs the refusal
        // in Windows' order: both stay on the full path.
        Plain = token.Type == TokenType.Impersonation && token.ImpersonationLevel >= SecurityImpersonationLevel.Identification
                && !token.IsRestricted && token.AppContainer is null;
        SecurityEnabled = token.IsPrivilegeEnabled(Privileges.Security);
        TakeOwnershipEnabled = token.IsPrivilegeEnabled(Privileges.TakeOwnership);
        RelabelEnabled = token.IsPrivilegeEnabled(Privileges.Relabel);
        NoWriteUp = (token.MandatoryPolicy & MandatoryPolicy.NoWriteUp) != 0;
        IntegrityRank = Rank(token.IntegrityLevel);

        var sids = new List<(Sid Sid, byte Match)>(token.Groups.Length + 1);
        Add(token, token.User.Sid, sids);
        foreach (var g in token.Groups) Add(token, g.Sid, sids);
        int size = 8;
        // At most a quarter full: most probes are misses (an ACE for a SID the token lacks), and a linear-probing
        // miss costs about 1.4 slots at a quarter, 2.5 at half.
        while (size < sids.Count * 4) size <<= 1;
        _entries = new Entry[size];
        _mask = size - 1;
        foreach (var (sid, match) in sids)
        {
            int h = sid.GetHashCode();
            int i = h & _mask;
            while (_entries[i].Match != 0)
            {
                if (_entries[i].Sid == sid) break;
                i = (i + 1) & _mask;
            }
            _entries[i] = new Entry { Hash = h, Match = match, Sid = sid };
        }
    }

    // The token's own lookup merges a SID listed twice; asking it keeps that rule in one place.
    private static void Add(Token token, Sid sid, List<(Sid, byte)> sids)
    {
        byte match = (byte)((token.MatchesSid(sid, false) ? MatchAllow : 0) | (token.MatchesSid(sid, true) ? MatchDeny : 0));
        if (match != 0) sids.Add((WellKnownSids.Canonical(sid), match));
    }

    /// <summary>The facts of <paramref name="token"/>, computed on first use and kept on the token.</summary>
    public static TokenFacts For(Token token) => (TokenFacts)(token.CheckFacts ??= new TokenFacts(token));

    /// <summary>An impersonation token at Identification or above, neither restricted nor an AppContainer.</summary>
    public bool Plain { get; }

    public bool SecurityEnabled { get; }

    public bool TakeOwnershipEnabled { get; }

    public bool RelabelEnabled { get; }

    /// <summary>The token's mandatory policy has NO_WRITE_UP (else integrity never limits it).</summary>
    public bool NoWriteUp { get; }

    /// <summary>The integrity level's rank for SidDominates; see <see cref="Rank"/>.</summary>
    public long IntegrityRank { get; }

    /// <summary>
    /// SidDominates on integrity SIDs compares last sub-authorities; a SID without sub-authorities is dominated by
    /// every level and dominates only its like. The rank is the last sub-authority, or -1 for none.
    /// </summary>
    public static long Rank(Sid level) => level.SubAuthorityCount == 0 ? -1 : level.GetSubAuthority(level.SubAuthorityCount - 1);

    /// <summary>The token's level is at least <paramref name="labelRank"/> (a rank from <see cref="Rank"/>).</summary>
    public static bool Dominates(long tokenRank, long labelRank) => tokenRank < 0 || labelRank < 0 ? labelRank < 0 : tokenRank >= labelRank;

    /// <summary>Which ACEs a SID lets the token through: <see cref="MatchAllow"/>, <see cref="MatchDeny"/>, both or none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Match(Sid sid)
    {
        int h = sid.GetHashCode();
        // The index is masked to the table's power-of-two length, so the bounds check is left out.
        ref var first = ref MemoryMarshal.GetArrayDataReference(_entries);
        int mask = _mask;
        int i = h & mask;
        while (true)
        {
            ref var e = ref Unsafe.Add(ref first, i);
            if (e.Match == 0) return 0;
            if (e.Hash == h && e.Sid.Equals(sid)) return e.Match;
            i = (i + 1) & mask;
        }
    }

    /// <summary>Every SID that matches an ACE, with its match bits (for the matrix compiler).</summary>
    public IEnumerable<(Sid Sid, byte Match)> Sids
    {
        get
        {
            foreach (var e in _entries)
                if (e.Match != 0) yield return (e.Sid, e.Match);
        }
    }
}
