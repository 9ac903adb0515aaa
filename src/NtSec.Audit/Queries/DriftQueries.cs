using NtSec.Audit.Store;

namespace NtSec.Audit.Queries;

/// <summary>The kinds of drift <c>ntsec audit drift</c> reports.</summary>
public enum DriftKind
{
    /// <summary>
    /// A non-root object with explicit (not inherited) ACEs; in a directory scan, an explicit ACE that is not in the
    /// object's class's <c>defaultSecurityDescriptor</c>.
    /// </summary>
    Explicit,
    /// <summary>A DACL protected from inheritance (SE_DACL_PROTECTED).</summary>
    Protected,
    /// <summary>A DACL whose ACEs are not in Windows' canonical order (explicit deny, explicit allow, inherited).</summary>
    NonCanonical,
    /// <summary>An account SID (S-1-5-21-...) in an ACE or the owner that no principal of the scan holds: a deleted account, or one not given with --principals.</summary>
    OrphanedSid,
    /// <summary>A deny ACE that never applies: inherit-only, or for a SID no principal's token holds.</summary>
    DenyNeverMatches,
    /// <summary>
    /// A DACL that is not protected but whose inherited ACEs are not what its parent's inheritable ACEs give it
    /// (by the library's inheritance algorithm, <see cref="NtSec.Inheritance.Propagation.Inherit"/>): a copy that
    /// was never re-propagated, an ACE added with the inherited flag, or a parent changed without propagation.
    /// </summary>
    ParentDiffers,
    /// <summary>
    /// A directory object that lacks an ACE of its class's <c>defaultSecurityDescriptor</c> (directory scans only;
    /// see <see cref="NtSec.Audit.ActiveDirectory.DirectoryDrift"/>).
    /// </summary>
    DefaultMissing,
    /// <summary>An object whose stored descriptor could not be used (missing, invalid) or not confirmed (unverified, ignored).</summary>
    Unreadable,
}

/// <summary>One finding.</summary>
/// <param name="Kind">What kind.</param>
/// <param name="Path">The object's path.</param>
/// <param name="Detail">The ACE, SID or status concerned.</param>
public sealed record DriftRow(DriftKind Kind, string Path, string Detail);

/// <summary>The drift queries; each is SQL over the stored descriptors, ACEs and tokens.</summary>
public static class DriftQueries
{
    /// <summary>The <c>--kind</c> names.</summary>
    public static string Name(DriftKind kind) => kind switch
    {
        DriftKind.Explicit => "explicit",
        DriftKind.Protected => "protected",
        DriftKind.NonCanonical => "non-canonical",
        DriftKind.OrphanedSid => "orphaned-sid",
        DriftKind.DenyNeverMatches => "deny-never-matches",
        DriftKind.ParentDiffers => "parent-differs",
        DriftKind.DefaultMissing => "default-missing",
        _ => "unreadable",
    };

    private static string Sql(DriftKind kind) => kind switch
    {
        DriftKind.Explicit => "SELECT o.path, 'explicit ACE #' || a.ace_index || ' ' || a.ace_type || ' 0x' || lpad(to_hex(a.mask), 8, '0') || ' ' || a.sid FROM objects o JOIN aces a USING (descriptor_id) "
            + "WHERE NOT a.inherited AND o.parent IS NOT NULL AND o.parent IN (SELECT path FROM objects) ORDER BY o.seq, a.ace_index",
        DriftKind.Protected => "SELECT o.path, CASE WHEN o.parent IS NULL OR o.parent NOT IN (SELECT path FROM objects) THEN 'protected (root of the scan)' ELSE 'protected: inherits nothing from its parent' END "
            + "FROM objects o JOIN descriptors d USING (descriptor_id) WHERE d.dacl_protected ORDER BY o.seq",
        DriftKind.NonCanonical => "SELECT o.path, 'ACEs out of canonical order' FROM objects o JOIN descriptors d USING (descriptor_id) WHERE NOT d.canonical ORDER BY o.seq",
        DriftKind.OrphanedSid => "WITH known AS (SELECT DISTINCT sid FROM token_sids), sids AS (SELECT descriptor_id, 'ACE #' || ace_index AS what, sid FROM aces UNION ALL SELECT descriptor_id, 'owner', owner FROM descriptors WHERE owner IS NOT NULL) "
            + "SELECT o.path, s.what || ' ' || s.sid FROM objects o JOIN sids s USING (descriptor_id) WHERE s.sid LIKE 'S-1-5-21-%' AND s.sid NOT IN (SELECT sid FROM known) ORDER BY o.seq, s.what",
        DriftKind.DenyNeverMatches => "WITH known AS (SELECT DISTINCT sid FROM token_sids) SELECT o.path, 'deny ACE #' || a.ace_index || ' ' || a.sid || CASE WHEN a.inherit_only THEN ' is inherit-only: it never applies to this object' ELSE ' matches no principal''s token' END "
            + "FROM objects o JOIN aces a USING (descriptor_id) WHERE a.ace_type LIKE 'AccessDenied%' AND (a.inherit_only OR a.sid NOT IN (SELECT sid FROM known) AND a.sid NOT IN ('S-1-3-4', 'S-1-5-10')) ORDER BY o.seq, a.ace_index",
        _ => "SELECT path, status || coalesce(': ' || error, '') FROM objects WHERE status IN ('missing', 'invalid', 'unverified', 'ignored') ORDER BY seq",
    };

    /// <summary>The findings of the kinds asked, kind by kind, optionally only under a path glob.</summary>
    public static IEnumerable<DriftRow> Find(EstateStore store, IEnumerable<DriftKind> kinds, string? pathGlob)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(kinds);
        foreach (var kind in kinds)
        {
            // A file has no class default to lose.
            if (kind == DriftKind.DefaultMissing) continue;
            if (kind == DriftKind.ParentDiffers)
            {
                foreach (var row in ParentDiffers(store, pathGlob)) yield return row;
                continue;
            }
            var ps = new List<object?>();
            string sql = Sql(kind);
            if (pathGlob is not null) sql = $"SELECT * FROM ({sql}) q(path, detail) WHERE replace(lower(q.path), '\\', '/') GLOB $1";
            if (pathGlob is not null) ps.Add(pathGlob.Replace('\\', '/').ToLowerInvariant());
            using var cmd = store.Command(sql, [.. ps]);
            using var r = cmd.ExecuteReader();
            while (r.Read()) yield return new DriftRow(kind, r.GetString(0), r.GetString(1));
        }
    }

    // Each distinct (parent descriptor, child descriptor, container) triple is computed once, then fanned out to paths.
    private static IEnumerable<DriftRow> ParentDiffers(EstateStore store, string? pathGlob)
    {
        var mapping = NtSec.Authorization.ObjectTypes.File.GenericMapping;
        var descriptors = new Dictionary<int, NtSec.Descriptors.SecurityDescriptor>();
        var verdicts = new Dictionary<(int, int, bool), string?>();
        NtSec.Descriptors.SecurityDescriptor Load(int id)
        {
            if (!descriptors.TryGetValue(id, out var sd))
                descriptors[id] = sd = NtSec.Descriptors.SecurityDescriptor.FromBinary(CellExplainer.Blob(store, "SELECT sd_binary FROM descriptors WHERE descriptor_id = $1", id));
            return sd;
        }
        var ps = new List<object?>();
        string where = pathGlob is null ? "" : " AND " + AccessQueries.PathGlob(ps, pathGlob);
        string sql = "SELECT o.path, o.descriptor_id, p.descriptor_id, coalesce(o.is_directory, EXISTS (SELECT 1 FROM objects c WHERE c.parent = o.path)), p.path "
            + $"FROM objects o JOIN objects p ON p.path = o.parent WHERE o.descriptor_id IS NOT NULL AND p.descriptor_id IS NOT NULL{where} ORDER BY o.seq";
        using var cmd = store.Command(sql, [.. ps]);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var key = (r.GetInt32(1), r.GetInt32(2), r.GetBoolean(3));
            if (!verdicts.TryGetValue(key, out var verdict))
            {
                var child = Load(key.Item1);
                verdict = null;
                if ((child.Control & NtSec.Descriptors.SecurityDescriptorControl.DaclProtected) == 0 && child.DaclState == NtSec.Descriptors.AclState.Present)
                {
                    var node = NtSec.Inheritance.SecurityTreeNode.Leaf("", key.Item3, child);
                    var expected = NtSec.Inheritance.Propagation.Inherit(Load(key.Item2), node, mapping, out _);
                    verdict = InheritedDiffers(child, expected);
                }
                verdicts[key] = verdict;
            }
            if (verdict is not null) yield return new DriftRow(DriftKind.ParentDiffers, r.GetString(0), verdict);
        }
    }

    /// <summary>
    /// How a stored descriptor's inherited ACEs differ from those of <paramref name="expected"/> (what the parent
    /// gives it): null when they are the same, in the same order.
    /// </summary>
    internal static string? InheritedDiffers(NtSec.Descriptors.SecurityDescriptor stored, NtSec.Descriptors.SecurityDescriptor expected)
    {
        var have = stored.Dacl?.Aces.Where(a => a.IsInherited).ToList() ?? [];
        var want = expected.Dacl?.Aces.Where(a => a.IsInherited).ToList() ?? [];
        if (have.SequenceEqual(want)) return null;
        var missing = want.Where(a => !have.Contains(a)).ToList();
        var extra = have.Where(a => !want.Contains(a)).ToList();
        return missing.Count == 0 && extra.Count == 0
            ? "inherited ACEs in another order than the parent gives them"
            : $"inherited ACEs differ from what the parent gives: {missing.Count} missing{(missing.Count > 0 ? " (" + missing[0] + (missing.Count > 1 ? ", ..." : "") + ")" : "")}, {extra.Count} not from the parent{(extra.Count > 0 ? " (" + extra[0] + (extra.Count > 1 ? ", ..." : "") + ")" : "")}";
    }
}
