using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NtSec.Acls;
using NtSec.Authorization.FastPath;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Authorization.Matrix;

/// <summary>Receives one row of a matrix: the results of one descriptor against every token, in token order.</summary>
/// <param name="descriptorIndex">The descriptor's index in the list given to <see cref="AccessMatrix.Compile"/>.</param>
/// <param name="results">One result per token (index = token index); valid only during the call.</param>
public delegate void MatrixRowHandler(int descriptorIndex, ReadOnlySpan<AccessCheckResult> results);

/// <summary>One cell of a matrix.</summary>
/// <param name="DescriptorIndex">The descriptor's index in the list given to <see cref="AccessMatrix.Compile"/>.</param>
/// <param name="TokenIndex">The token's index in the list given to <see cref="AccessMatrix.Compile"/>.</param>
/// <param name="Result">Exactly what <see cref="AccessCheck.Check"/> returns for the pair.</param>
public readonly record struct MatrixCell(int DescriptorIndex, int TokenIndex, AccessCheckResult Result)
{
    /// <summary>The granted rights: the result's mask when access was granted, else 0.</summary>
    public uint Granted => Result.IsGranted ? Result.GrantedAccess : 0;
}

/// <summary>
/// A set of security descriptors and a set of tokens compiled once, so that the access of every token to every
/// descriptor (MAXIMUM_ALLOWED or a requested right) is computed in bulk: the basis of the estate audit.
/// </summary>
/// <remarks>
/// <para>Compiling interns every SID a token can match to an index and builds, per SID, two bitsets over the tokens:
/// the tokens it lets through an allow ACE and those it lets through a deny ACE. Each descriptor becomes a flat list
/// of (bitset row, mapped mask, allow or deny) plus its owner's rows and its label. Evaluation then runs each
/// descriptor's DACL once for eight tokens at a time in vector lanes (column-wise across principals), on all cores.</para>
/// <para>Every cell equals <see cref="AccessCheck.Check"/> with no object type list and no PRINCIPAL_SELF. The
/// compiled form covers every token the call accepts (impersonation tokens at Identification or above), with the
/// restricted, write-restricted and AppContainer passes as second and third walks over the same ACEs with the
/// restricting SIDs' and the AppContainer SIDs' bitsets, intersected as the check intersects them, against
/// descriptors with an owner, a group and no conditional ACE: privileges, integrity, the owner's implied rights,
/// OWNER RIGHTS, deny-only SIDs and ACE order. Every other cell (a token the call refuses, a conditional ACE, a
/// request holding generic rights or nothing) is computed by <see cref="AccessCheck.Check"/> itself; nothing is
/// approximated.</para>
/// <para>Equal descriptors (value equality) are compiled once. Rows are delivered in descriptor order on the
/// calling thread while the next block is computed in parallel. See docs/matrix.md.</para>
/// </remarks>
public sealed class AccessMatrix
{
    private const int Lanes = 8;
    private const uint OwnerImplied = AccessMask.ReadControl | AccessMask.WriteDac;

    private readonly SecurityDescriptor[] _descriptors;
    private readonly Token[] _tokens;
    private readonly TokenFacts[] _tokenFacts;
    private readonly GenericMapping _mapping;
    private readonly int _parallelism;

    // Per original index, its distinct descriptor; per distinct descriptor, its compiled form.
    private readonly int[] _distinctOf;
    private readonly SecurityDescriptor[] _distinct;
    private readonly Compiled[] _compiled;
    private readonly CompiledAce[] _aces;

    // The member bitsets: row r occupies bytes [r * _groups, (r + 1) * _groups); bit i of byte g is token 8g + i.
    private readonly byte[] _members;
    private readonly int _groups;
    private readonly int[] _fallbackTokens;
    private readonly (long Rank, uint Policy)[] _labels;

    // The second and third passes, present only when some token needs them: per ACE (parallel to _aces) the row of
    // its SID among the restricting SIDs and among the AppContainer SIDs; per group of eight tokens, the lanes of
    // the tokens that take each pass and what a lane's pass leaves unconstrained (a token without the pass: all
    // rights; a write-restricted token: every right but the write rights).
    private readonly int[]? _restrictedRows;
    private readonly int[]? _appRows;
    private readonly Vector256<uint>[] _restrictedFree, _appFree;
    private readonly bool[] _groupRestricted, _groupApp;

    private const byte NormalPass = 0, RestrictedPass = 1, AppContainerPass = 2;

    private readonly struct CompiledAce(int row, uint mask, bool deny)
    {
        public readonly int Row = row;
        public readonly uint Mask = mask;
        public readonly bool Deny = deny;
    }

    private readonly struct Compiled(bool fallback, bool daclPresent, bool ownerRightsAce, int ownerAllowRow, int restrictedOwnerAllowRow, int label, int aceStart, int aceCount)
    {
        public readonly bool Fallback = fallback;
        public readonly bool DaclPresent = daclPresent;
        public readonly bool OwnerRightsAce = ownerRightsAce;
        public readonly int OwnerAllowRow = ownerAllowRow;
        public readonly int RestrictedOwnerAllowRow = restrictedOwnerAllowRow;
        public readonly int Label = label;
        public readonly int AceStart = aceStart;
        public readonly int AceCount = aceCount;
    }

    private AccessMatrix(IReadOnlyList<SecurityDescriptor> descriptors, IReadOnlyList<Token> tokens, GenericMapping mapping, int parallelism)
    {
        _descriptors = [.. descriptors];
        _tokens = [.. tokens];
        _mapping = mapping;
        _parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;
        int t = _tokens.Length;
        _groups = Math.Max(1, (t + Lanes - 1) / Lanes);

        // Tokens: facts, and the SIDs each pass can match, interned per pass (one table a pass, keyed by the SID
        // alone). Row 0 is empty (a SID no token matches); the k-th SID
        // interned, whatever its pass, has its allow row at 1 + 2k and its deny row at 2 + 2k.
        _tokenFacts = new TokenFacts[t];
        var fallback = new List<int>();
        var sidIndex = new[] { new Dictionary<Sid, int>(), new Dictionary<Sid, int>(), new Dictionary<Sid, int>() };
        int interned = 0;
        var tokenSids = new List<(byte Pass, Sid Sid, byte Match)>[t];
        var restrictedLanes = new uint[_groups * Lanes];
        var writeRestrictedLanes = new uint[_groups * Lanes];
        var appLanes = new uint[_groups * Lanes];
        bool anyRestricted = false, anyApp = false;
        for (int i = 0; i < t; i++)
        {
            var token = _tokens[i];
            var f = _tokenFacts[i] = TokenFacts.For(token);
            // A token the call refuses needs the refusal in Windows' order: the full check gives it.
            if (token.Type != TokenType.Impersonation || token.ImpersonationLevel < SecurityImpersonationLevel.Identification)
            {
                fallback.Add(i);
                continue;
            }
            var sids = tokenSids[i] = [];
            foreach (var (sid, match) in f.Sids) sids.Add((NormalPass, sid, match));
            if (token.IsRestricted)
            {
                anyRestricted = true;
                restrictedLanes[i] = uint.MaxValue;
                if (token.WriteRestricted) writeRestrictedLanes[i] = uint.MaxValue;
                // The token's own lookup merges a SID listed twice; asking it keeps that rule in one place.
                foreach (var r in token.RestrictedSids)
                    sids.Add((RestrictedPass, r.Sid, Match(token.MatchesRestrictedSid(r.Sid, false), token.MatchesRestrictedSid(r.Sid, true))));
            }
            if (token.AppContainer is { } app)
            {
                anyApp = true;
                appLanes[i] = uint.MaxValue;
                // The package and ALL APPLICATION PACKAGES match every ACE naming them; a capability as its attributes say.
                sids.Add((AppContainerPass, app.PackageSid, TokenFacts.MatchAllow | TokenFacts.MatchDeny));
                sids.Add((AppContainerPass, WellKnownSids.AllApplicationPackages, TokenFacts.MatchAllow | TokenFacts.MatchDeny));
                foreach (var c in app.Capabilities)
                    sids.Add((AppContainerPass, c.Sid, Match(token.MatchesCapability(c.Sid, false), token.MatchesCapability(c.Sid, true))));
            }
            foreach (var (pass, sid, _) in sids)
                if (sidIndex[pass].TryAdd(sid, interned)) interned++;
        }
        _fallbackTokens = [.. fallback];
        _members = new byte[(1 + (2 * interned)) * _groups];
        for (int i = 0; i < t; i++)
        {
            if (tokenSids[i] is not { } sids) continue;
            byte bit = (byte)(1 << (i % Lanes));
            foreach (var (pass, sid, match) in sids)
            {
                int k = sidIndex[pass][sid];
                if ((match & TokenFacts.MatchAllow) != 0) _members[((1 + (2 * k)) * _groups) + (i / Lanes)] |= bit;
                if ((match & TokenFacts.MatchDeny) != 0) _members[((2 + (2 * k)) * _groups) + (i / Lanes)] |= bit;
            }
        }
        // A write-restricted token's restricting SIDs are checked for the write rights only (AccessCheck.WriteRights).
        uint notWrite = ~AccessCheck.WriteRights(mapping);
        _restrictedFree = new Vector256<uint>[_groups];
        _appFree = new Vector256<uint>[_groups];
        _groupRestricted = new bool[_groups];
        _groupApp = new bool[_groups];
        for (int g = 0; g < _groups; g++)
        {
            var r = Vector256.Create(restrictedLanes.AsSpan(g * Lanes, Lanes));
            var w = Vector256.Create(writeRestrictedLanes.AsSpan(g * Lanes, Lanes));
            var a = Vector256.Create(appLanes.AsSpan(g * Lanes, Lanes));
            _restrictedFree[g] = ~r | (w & Vector256.Create(notWrite));
            _appFree[g] = ~a;
            _groupRestricted[g] = r != Vector256<uint>.Zero;
            _groupApp[g] = a != Vector256<uint>.Zero;
        }

        // Descriptors: distinct ones, each reduced to rows and masks.
        // Hashing a descriptor walks every ACE and SID it holds, most of a compile's memory traffic: done on all
        // cores first, so the table below, keyed by the descriptor's index, only compares on a hash match.
        _distinctOf = new int[_descriptors.Length];
        var hashes = new int[_descriptors.Length];
        Parallel.For(0, hashes.Length, Options(), i => hashes[i] = _descriptors[i].GetHashCode());
        var distinct = new Dictionary<int, int>(_descriptors.Length, new DescriptorIndexComparer(_descriptors, hashes));
        var distinctList = new List<SecurityDescriptor>();
        for (int i = 0; i < _descriptors.Length; i++)
        {
            if (!distinct.TryGetValue(i, out int d))
            {
                d = distinctList.Count;
                distinct.Add(i, d);
                distinctList.Add(_descriptors[i]);
            }
            _distinctOf[i] = d;
        }
        _distinct = [.. distinctList];
        int n = _distinct.Length;
        // Two passes over the ACEs, straight from the descriptors (no object per descriptor): count, then fill.
        var starts = new int[n + 1];
        var plain = new bool[n];
        var labelKeys = new (long, uint)[n];
        Parallel.For(0, n, Options(), i =>
        {
            var sd = _distinct[i];
            bool ok = sd.Owner is not null && sd.Group is not null;
            int count = 0;
            if (ok && sd.Dacl is { } dacl)
            {
                foreach (var ace in dacl.Aces)
                {
                    byte k = DescriptorFacts.Classify(ace);
                    if (k == DescriptorFacts.Conditional)
                    {
                        ok = false;
                        break;
                    }
                    if (k != 0) count++;
                }
            }
            plain[i] = ok;
            starts[i + 1] = ok ? count : 0;
            DescriptorFacts.Label(sd, out long rank, out uint policy);
            labelKeys[i] = (rank, policy);
        });
        var labels = new Dictionary<(long, uint), int>();
        var labelOf = new int[n];
        for (int i = 0; i < n; i++)
        {
            starts[i + 1] += starts[i];
            if (!labels.TryGetValue(labelKeys[i], out int l)) labels.Add(labelKeys[i], l = labels.Count);
            labelOf[i] = l;
        }
        _labels = new (long, uint)[labels.Count];
        foreach (var (key, l) in labels) _labels[l] = key;
        _aces = new CompiledAce[starts[n]];
        _compiled = new Compiled[n];
        var restrictedRows = _restrictedRows = anyRestricted ? new int[starts[n]] : null;
        var appRows = _appRows = anyApp ? new int[starts[n]] : null;
        int Row(byte pass, Sid sid, bool deny) => sidIndex[pass].TryGetValue(sid, out int k) ? (deny ? 2 + (2 * k) : 1 + (2 * k)) * _groups : 0;
        Parallel.For(0, n, Options(), i =>
        {
            if (!plain[i])
            {
                _compiled[i] = new Compiled(true, false, false, 0, 0, 0, 0, 0);
                return;
            }
            var sd = _distinct[i];
            var owner = sd.Owner!.Value;
            int at = starts[i];
            bool ownerRightsAce = false;
            if (sd.Dacl is { } dacl)
            {
                ownerRightsAce = dacl.HasEffectiveOwnerRightsAce;
                foreach (var ace in dacl.Aces)
                {
                    byte kind = DescriptorFacts.Classify(ace);
                    if (kind == 0) continue;
                    bool deny = (kind & FastAce.Deny) != 0;
                    bool ownerRights = (kind & FastAce.OwnerRights) != 0;
                    var sid = ownerRights ? owner : ace.Sid;
                    uint mask = (kind & FastAce.Generic) != 0 ? mapping.Map(ace.Mask) : ace.Mask;
                    // OWNER RIGHTS means the owner in the restricted pass too, and no one in the AppContainer pass
                    // (an AppContainer's package and capabilities are never the owner).
                    if (restrictedRows is not null) restrictedRows[at] = Row(RestrictedPass, sid, deny);
                    if (appRows is not null) appRows[at] = ownerRights ? 0 : Row(AppContainerPass, sid, deny);
                    _aces[at++] = new CompiledAce(Row(NormalPass, sid, deny), mask, deny);
                }
            }
            _compiled[i] = new Compiled(false, sd.DaclState == AclState.Present, ownerRightsAce, Row(NormalPass, owner, false), Row(RestrictedPass, owner, false),
                labelOf[i], starts[i], at - starts[i]);
        });
    }

    /// <summary>Descriptors by index, equal when the descriptors are (value equality), with their hashes computed once.</summary>
    private sealed class DescriptorIndexComparer(SecurityDescriptor[] descriptors, int[] hashes) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) => x == y || (hashes[x] == hashes[y] && descriptors[x].Equals(descriptors[y]));

        public int GetHashCode(int i) => hashes[i];
    }

    private static byte Match(bool allow, bool deny) => (byte)((allow ? TokenFacts.MatchAllow : 0) | (deny ? TokenFacts.MatchDeny : 0));

    /// <summary>
    /// Compiles <paramref name="descriptors"/> against <paramref name="tokens"/> for an object type with
    /// <paramref name="mapping"/>. The inputs are immutable and may be shared with other checks.
    /// </summary>
    /// <param name="descriptors">The descriptors (rows); duplicates are compiled once.</param>
    /// <param name="tokens">The tokens (columns).</param>
    /// <param name="mapping">The object type's generic mapping.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; 0 or less for every core.</param>
    public static AccessMatrix Compile(IReadOnlyList<SecurityDescriptor> descriptors, IReadOnlyList<Token> tokens, GenericMapping mapping, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        ArgumentNullException.ThrowIfNull(tokens);
        return new AccessMatrix(descriptors, tokens, mapping, maxDegreeOfParallelism);
    }

    /// <summary>The number of descriptors (rows), duplicates included.</summary>
    public int DescriptorCount => _descriptors.Length;

    /// <summary>The number of distinct descriptors compiled.</summary>
    public int DistinctDescriptorCount => _distinct.Length;

    /// <summary>The number of tokens (columns).</summary>
    public int TokenCount => _tokens.Length;

    /// <summary>Tokens whose cells <see cref="AccessCheck.Check"/> computes: those the call refuses (primary tokens, levels below Identification).</summary>
    public int FullCheckTokenCount => _fallbackTokens.Length;

    /// <summary>Distinct descriptors whose cells <see cref="AccessCheck.Check"/> computes (a conditional ACE, no owner or group).</summary>
    public int FullCheckDescriptorCount
    {
        get
        {
            int n = 0;
            foreach (var c in _compiled)
                if (c.Fallback) n++;
            return n;
        }
    }

    /// <summary>The reference result of one cell: <see cref="AccessCheck.Check"/> on the pair.</summary>
    public AccessCheckResult CheckCell(int descriptorIndex, int tokenIndex, uint desiredAccess)
        => AccessCheck.Check(_descriptors[descriptorIndex], _tokens[tokenIndex], desiredAccess, _mapping);

    private ParallelOptions Options(CancellationToken cancellationToken = default) => new() { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken };

    /// <summary>
    /// Evaluates every cell for <paramref name="desiredAccess"/> (mapped rights, MAXIMUM_ALLOWED allowed) and calls
    /// <paramref name="onRow"/> once per descriptor, in descriptor order, on the calling thread. While a block of rows
    /// is delivered the next one is computed on the other cores; a slow handler slows only the delivery.
    /// </summary>
    /// <param name="desiredAccess">The request, as <see cref="AccessCheck.Check"/> takes it.</param>
    /// <param name="onRow">Receives each row; the span is reused after the call returns.</param>
    /// <param name="cancellationToken">Stops the evaluation between blocks (throws <see cref="OperationCanceledException"/>).</param>
    public void Evaluate(uint desiredAccess, MatrixRowHandler onRow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onRow);
        int t = _tokens.Length;
        if (_descriptors.Length == 0) return;
        var query = new Query(this, desiredAccess);
        int block = BlockRows(_descriptors.Length, t);
        var buffers = new[] { new AccessCheckResult[block * t], new AccessCheckResult[block * t] };
        int blocks = (_descriptors.Length + block - 1) / block;
        Task Compute(int b) => Task.Run(() =>
        {
            int first = b * block, count = Math.Min(block, _descriptors.Length - first);
            var buffer = buffers[b & 1];
            Parallel.For(0, count, Options(cancellationToken), () => new uint[Lanes * 2], (i, _, scratch) =>
            {
                EvaluateRow(query, first + i, buffer.AsSpan(i * t, t), scratch);
                return scratch;
            }, _ => { });
        }, cancellationToken);
        var next = Compute(0);
        for (int b = 0; b < blocks; b++)
        {
            next.GetAwaiter().GetResult();
            cancellationToken.ThrowIfCancellationRequested();
            var current = buffers[b & 1];
            next = b + 1 < blocks ? Compute(b + 1) : Task.CompletedTask;
            int first = b * block, count = Math.Min(block, _descriptors.Length - first);
            try
            {
                for (int i = 0; i < count; i++) onRow(first + i, current.AsSpan(i * t, t));
            }
            catch
            {
                // Let the block being computed finish before its buffer is abandoned.
                try { next.GetAwaiter().GetResult(); } catch (Exception) { }
                throw;
            }
        }
    }

    /// <summary>
    /// The rows of one result block: about 4M cells, at most 1,024 rows, and never more rows than there are
    /// descriptors, so that a small matrix does not pay for two full-size buffers.
    /// </summary>
    internal static int BlockRows(int descriptors, int tokens)
        => Math.Max(1, Math.Min(Math.Clamp((1 << 22) / Math.Max(1, tokens), 1, 1024), descriptors));

    /// <summary>
    /// Every cell for <paramref name="desiredAccess"/>, descriptor by descriptor and token by token: the same
    /// evaluation as <see cref="Evaluate"/> on a background thread, through a bounded queue.
    /// </summary>
    public IEnumerable<MatrixCell> Cells(uint desiredAccess, CancellationToken cancellationToken = default)
    {
        using var queue = new BlockingCollection<(int, AccessCheckResult[])>(64);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() =>
        {
            try
            {
                Evaluate(desiredAccess, (d, row) => queue.Add((d, row.ToArray()), stop.Token), stop.Token);
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, stop.Token);
        try
        {
            foreach (var (d, row) in queue.GetConsumingEnumerable(cancellationToken))
                for (int i = 0; i < row.Length; i++) yield return new MatrixCell(d, i, row[i]);
            producer.GetAwaiter().GetResult();
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(CancellationToken.None); } catch (AggregateException) { }
        }
    }

    /// <summary>What a request makes of each token before any descriptor is read: privileges and integrity limits.</summary>
    private sealed class Query
    {
        public readonly uint Desired, Wanted;
        public readonly bool MaxAllowed, AllFullCheck;
        public readonly Vector256<uint>[] PrivilegeGrant;
        public readonly bool[] PrivilegeNotHeld;
        public readonly PrivilegesUsed[] Used;
        // Per label: the rights integrity leaves each token, and whether SeRelabelPrivilege was used for it.
        public readonly Vector256<uint>[][] Mandatory;
        public readonly bool[][] Relabel;

        public Query(AccessMatrix m, uint desired)
        {
            Desired = desired;
            Wanted = desired & ~AccessMask.MaximumAllowed;
            MaxAllowed = (desired & AccessMask.MaximumAllowed) != 0;
            // The full check refuses generic rights and denies an empty request, with its own reasons.
            AllFullCheck = (desired & AccessMask.GenericMask) != 0 || desired == 0;
            int t = m._tokens.Length, groups = m._groups;
            var grant = new uint[groups * Lanes];
            PrivilegeNotHeld = new bool[t];
            Used = new PrivilegesUsed[t];
            bool wantSecurity = (Wanted & AccessMask.AccessSystemSecurity) != 0;
            bool wantOwner = MaxAllowed || (Wanted & AccessMask.WriteOwner) != 0;
            for (int i = 0; i < t; i++)
            {
                var f = m._tokenFacts[i];
                if (wantSecurity)
                {
                    if (f.SecurityEnabled)
                    {
                        grant[i] |= AccessMask.AccessSystemSecurity;
                        Used[i] |= PrivilegesUsed.Security;
                    }
                    else
                    {
                        PrivilegeNotHeld[i] = true;
                    }
                }
                if (wantOwner && f.TakeOwnershipEnabled)
                {
                    grant[i] |= AccessMask.WriteOwner;
                    Used[i] |= PrivilegesUsed.TakeOwnership;
                }
            }
            PrivilegeGrant = Pack(grant, groups);
            Mandatory = new Vector256<uint>[m._labels.Length][];
            Relabel = new bool[m._labels.Length][];
            var limit = new uint[groups * Lanes];
            for (int l = 0; l < m._labels.Length; l++)
            {
                var (rank, policy) = m._labels[l];
                var relabel = Relabel[l] = new bool[t];
                for (int i = 0; i < t; i++)
                {
                    var f = m._tokenFacts[i];
                    if (!f.NoWriteUp || TokenFacts.Dominates(f.IntegrityRank, rank))
                    {
                        limit[i] = uint.MaxValue;
                        continue;
                    }
                    uint allowed = AccessMask.AccessSystemSecurity | IntegrityRule.BelowLabel(policy, m._mapping);
                    if (f.RelabelEnabled)
                    {
                        allowed |= AccessMask.WriteOwner;
                        relabel[i] = true;
                    }
                    limit[i] = allowed;
                }
                Mandatory[l] = Pack(limit, groups);
            }
        }

        private static Vector256<uint>[] Pack(uint[] values, int groups)
        {
            var v = new Vector256<uint>[groups];
            for (int g = 0; g < groups; g++) v[g] = Vector256.Create(values.AsSpan(g * Lanes, Lanes));
            return v;
        }
    }

    private static readonly Vector256<uint> LaneBits = Vector256.Create(1u, 2, 4, 8, 16, 32, 64, 128);

    /// <summary>Eight lanes, all ones where the byte's bit for that lane is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Expand(byte bits) => Vector256.Equals(Vector256.Create((uint)bits) & LaneBits, LaneBits);

    /// <summary>
    /// The restricted or AppContainer pass over a descriptor's ACEs for eight tokens, from <paramref name="allowed"/>
    /// (the privileges and the owner's implied rights). Unlike the first pass, its early end can change the result:
    /// for a request without MAXIMUM_ALLOWED the single check ends a pass at the first ACE that denies a wanted right
    /// not yet granted, and for a write-restricted token a denied right that is not a write right does not decide
    /// the check, while the rights later ACEs would have granted are lost. So each lane stops where the check stops.
    /// </summary>
    private Vector256<uint> LaterPass(Vector256<uint> allowed, ReadOnlySpan<CompiledAce> aces, ReadOnlySpan<int> rows, int g, bool stopOnDeny, Vector256<uint> wanted)
    {
        var members = _members;
        var denied = Vector256<uint>.Zero;
        var stopped = Vector256<uint>.Zero;
        for (int i = 0; i < aces.Length; i++)
        {
            byte bits = members[rows[i] + g];
            if (bits == 0) continue;
            ref readonly var ace = ref aces[i];
            var mask = Expand(bits) & Vector256.Create(ace.Mask);
            if (ace.Deny)
            {
                var hit = Vector256.AndNot(mask, allowed);
                denied |= hit;
                if (stopOnDeny) stopped |= ~Vector256.Equals(hit & wanted, Vector256<uint>.Zero);
            }
            else
            {
                allowed |= Vector256.AndNot(Vector256.AndNot(mask, denied), stopped);
            }
        }
        return allowed;
    }

    private void EvaluateRow(Query q, int descriptorIndex, Span<AccessCheckResult> results, uint[] scratch)
    {
        int d = _distinctOf[descriptorIndex];
        var c = _compiled[d];
        int t = _tokens.Length;
        if (q.AllFullCheck || c.Fallback)
        {
            var sd = _distinct[d];
            for (int i = 0; i < t; i++) results[i] = AccessCheck.Check(sd, _tokens[i], q.Desired, _mapping);
            return;
        }
        var members = _members;
        var aces = _aces.AsSpan(c.AceStart, c.AceCount);
        var mandatory = q.Mandatory[c.Label];
        var relabel = q.Relabel[c.Label];
        var implied = Vector256.Create(OwnerImplied);
        var everything = Vector256.Create(q.MaxAllowed ? _mapping.GenericAll | q.Wanted : q.Wanted);
        var granted = scratch.AsSpan(0, Lanes);
        var wantedV = Vector256.Create(q.Wanted);
        for (int g = 0; g < _groups; g++)
        {
            var allowed = q.PrivilegeGrant[g];
            if (!c.DaclPresent)
            {
                // Every pass grants everything: no pass can take anything away.
                allowed |= everything;
            }
            else
            {
                var privileges = allowed;
                if (!c.OwnerRightsAce) allowed |= Expand(members[c.OwnerAllowRow + g]) & implied;
                var denied = Vector256<uint>.Zero;
                foreach (ref readonly var ace in aces)
                {
                    byte bits = members[ace.Row + g];
                    if (bits == 0) continue;
                    var mask = Expand(bits) & Vector256.Create(ace.Mask);
                    if (ace.Deny) denied |= Vector256.AndNot(mask, allowed);
                    else allowed |= Vector256.AndNot(mask, denied);
                }
                // Every pass a token takes must grant a right (a write-restricted token's: a write right).
                if (_groupRestricted[g])
                {
                    var pass = privileges;
                    if (!c.OwnerRightsAce) pass |= Expand(members[c.RestrictedOwnerAllowRow + g]) & implied;
                    pass = LaterPass(pass, aces, _restrictedRows.AsSpan(c.AceStart, c.AceCount), g, !q.MaxAllowed, wantedV);
                    allowed &= pass | _restrictedFree[g];
                }
                if (_groupApp[g])
                    allowed &= LaterPass(privileges, aces, _appRows.AsSpan(c.AceStart, c.AceCount), g, !q.MaxAllowed, wantedV) | _appFree[g];
            }
            var gv = allowed & mandatory[g];
            gv.CopyTo(granted);
            int baseToken = g * Lanes, end = Math.Min(Lanes, t - baseToken);
            for (int lane = 0; lane < end; lane++)
            {
                int i = baseToken + lane;
                uint v = granted[lane];
                if (q.PrivilegeNotHeld[i])
                    results[i] = new AccessCheckResult(NtStatus.Success, NtStatus.PrivilegeNotHeld, 0, PrivilegesUsed.None);
                else if ((q.Wanted & ~v) == 0 && (!q.MaxAllowed || v != 0))
                    results[i] = new AccessCheckResult(NtStatus.Success, NtStatus.Success, q.MaxAllowed ? v : q.Wanted, q.Used[i] | (relabel[i] ? PrivilegesUsed.Relabel : 0));
                else
                    results[i] = new AccessCheckResult(NtStatus.Success, NtStatus.AccessDenied, 0, PrivilegesUsed.None);
            }
        }
        var sdRef = _distinct[d];
        foreach (int i in _fallbackTokens) results[i] = AccessCheck.Check(sdRef, _tokens[i], q.Desired, _mapping);
    }
}
