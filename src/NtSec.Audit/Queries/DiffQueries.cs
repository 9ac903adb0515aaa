using NtSec.Audit.Store;

namespace NtSec.Audit.Queries;

/// <summary>One change between a baseline scan and the current one.</summary>
/// <param name="Change">added, removed, descriptor, access or principal.</param>
/// <param name="Path">The object's path (empty for a principal change).</param>
/// <param name="Principal">The principal whose access changed; null for object changes.</param>
/// <param name="Before">The baseline's SDDL or effective grant (hexadecimal).</param>
/// <param name="After">The current SDDL or effective grant.</param>
/// <param name="Node">For a directory scan's access change: the node of the object type tree whose grant changed,
/// named as <c>ntsec audit ad where</c> names it (empty for the object as a whole); null otherwise.</param>
public sealed record DiffRow(string Change, string Path, string? Principal, string? Before, string? After, string? Node = null);

/// <summary>
/// Compares two estate databases by path and by principal name. Access is compared on the paths whose descriptor
/// changed (or that appeared or vanished), and on every path for principals whose token changed.
/// </summary>
public static class DiffQueries
{
    /// <summary>The changes from <paramref name="baselinePath"/> to the store's scan.</summary>
    public static IEnumerable<DiffRow> Compare(EstateStore store, string baselinePath)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(baselinePath);
        using (EstateStore.Open(baselinePath, readOnly: true)) { }
        store.Execute($"ATTACH '{baselinePath.Replace("'", "''", StringComparison.Ordinal)}' AS base (READ_ONLY)");
        try
        {
            const string Paths = """
                WITH cur AS (SELECT o.path, d.sddl, o.descriptor_id FROM objects o LEFT JOIN descriptors d USING (descriptor_id)),
                     old AS (SELECT o.path, d.sddl, o.descriptor_id FROM base.objects o LEFT JOIN base.descriptors d USING (descriptor_id))
                SELECT CASE WHEN old.path IS NULL THEN 'added' WHEN cur.path IS NULL THEN 'removed' ELSE 'descriptor' END,
                       coalesce(cur.path, old.path), old.sddl, cur.sddl
                FROM cur FULL JOIN old ON cur.path = old.path
                WHERE cur.path IS NULL OR old.path IS NULL OR cur.sddl IS DISTINCT FROM old.sddl
                ORDER BY 2
                """;
            foreach (var row in Read(store, Paths, r => new DiffRow(r.GetString(0), r.GetString(1), null, r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3))))
                yield return row;
            const string Principals = """
                SELECT CASE WHEN o.name IS NULL THEN 'principal added' WHEN c.name IS NULL THEN 'principal removed' ELSE 'principal token changed' END, coalesce(c.name, o.name)
                FROM (SELECT p.name, t.token_json FROM principals p JOIN tokens t USING (token_id)) c
                FULL JOIN (SELECT p.name, t.token_json FROM base.principals p JOIN base.tokens t USING (token_id)) o ON c.name = o.name
                WHERE c.name IS NULL OR o.name IS NULL OR c.token_json <> o.token_json ORDER BY 2
                """;
            foreach (var row in Read(store, Principals, r => new DiffRow(r.GetString(0), "", r.GetString(1), null, null))) yield return row;
            const string Access = """
                WITH changed_paths AS (
                    SELECT coalesce(c.path, o.path) AS path FROM objects c FULL JOIN base.objects o ON c.path = o.path
                    LEFT JOIN descriptors cd ON cd.descriptor_id = c.descriptor_id LEFT JOIN base.descriptors od ON od.descriptor_id = o.descriptor_id
                    WHERE c.path IS NULL OR o.path IS NULL OR cd.sddl IS DISTINCT FROM od.sddl),
                changed_principals AS (
                    SELECT c.name FROM (SELECT p.name, t.token_json FROM principals p JOIN tokens t USING (token_id)) c
                    JOIN (SELECT p.name, t.token_json FROM base.principals p JOIN base.tokens t USING (token_id)) o ON c.name = o.name WHERE c.token_json <> o.token_json),
                cur AS (SELECT o.path, p.name, m.effective FROM objects o JOIN matrix m USING (descriptor_id) JOIN principals p USING (token_id)
                        WHERE o.path IN (SELECT path FROM changed_paths) OR p.name IN (SELECT name FROM changed_principals)),
                old AS (SELECT o.path, p.name, m.effective FROM base.objects o JOIN base.matrix m USING (descriptor_id) JOIN base.principals p USING (token_id)
                        WHERE o.path IN (SELECT path FROM changed_paths) OR p.name IN (SELECT name FROM changed_principals))
                SELECT coalesce(cur.path, old.path), coalesce(cur.name, old.name), coalesce(old.effective, 0), coalesce(cur.effective, 0)
                FROM cur FULL JOIN old ON cur.path = old.path AND cur.name = old.name
                WHERE coalesce(old.effective, 0) <> coalesce(cur.effective, 0) ORDER BY 1, 2
                """;
            if (store.IsDirectory)
            {
                foreach (var row in Read(store, DirectoryAccess, r => new DiffRow("access", r.GetString(0), r.GetString(1), Hex((uint)r.GetValue(3)), Hex((uint)r.GetValue(4)), r.GetString(2))))
                    yield return row;
            }
            else
            {
                foreach (var row in Read(store, Access, r => new DiffRow("access", r.GetString(0), r.GetString(1), Hex((uint)r.GetValue(2)), Hex((uint)r.GetValue(3)))))
                    yield return row;
            }
        }
        finally
        {
            store.Execute("DETACH base");
        }
    }

    // A directory cell lives at (object, node, token): ad_nodes gives the node's variant, ad_matrix its grant, and
    // ad_self replaces it where PRINCIPAL_SELF matches. A scan stores only the nodes its DACL names; any other node is
    // answered by the variant the scan itself would use (S/G by S/*, then by the object's own), so both sides are
    // read at the union of their nodes and a node one side lacks resolves to that side's answer for it.
    // Both scans must be directory scans; a baseline of another kind has no ad_ tables and the query fails.
    private static readonly string DirectoryAccess = $$$"""
        WITH changed_paths AS (
            SELECT coalesce(c.dn_key, o.dn_key) AS dn_key FROM ad_objects c FULL JOIN base.ad_objects o ON c.dn_key = o.dn_key
            LEFT JOIN objects co ON co.path = c.dn LEFT JOIN base.objects oo ON oo.path = o.dn
            LEFT JOIN descriptors cd ON cd.descriptor_id = co.descriptor_id LEFT JOIN base.descriptors od ON od.descriptor_id = oo.descriptor_id
            WHERE c.dn_key IS NULL OR o.dn_key IS NULL OR cd.sddl IS DISTINCT FROM od.sddl OR c.object_class IS DISTINCT FROM o.object_class
               OR c.sid IS DISTINCT FROM o.sid),
        changed_principals AS (
            SELECT c.name FROM (SELECT p.name, t.token_json FROM principals p JOIN tokens t USING (token_id)) c
            JOIN (SELECT p.name, t.token_json FROM base.principals p JOIN base.tokens t USING (token_id)) o ON c.name = o.name WHERE c.token_json <> o.token_json),
        {{{DirectoryNodes("cur", "")}}},
        {{{DirectoryNodes("old", "base.")}}},
        all_nodes AS (SELECT dn_key, node FROM cur_nodes UNION SELECT dn_key, node FROM old_nodes),
        {{{DirectoryCells("cur", "")}}},
        {{{DirectoryCells("old", "base.")}}},
        names AS (SELECT guid, name FROM ad_schema UNION SELECT guid, name FROM base.ad_schema),
        diff AS (
            SELECT coalesce(cur.dn_key, old.dn_key) AS dn_key, coalesce(cur.node, old.node) AS node, coalesce(cur.name, old.name) AS name,
                   coalesce(old.granted, 0) AS before, coalesce(cur.granted, 0) AS after
            FROM cur FULL JOIN old ON cur.dn_key = old.dn_key AND cur.node = old.node AND cur.name = old.name
            WHERE coalesce(old.granted, 0) <> coalesce(cur.granted, 0))
        SELECT coalesce((SELECT dn FROM ad_objects WHERE dn_key = d.dn_key LIMIT 1), (SELECT dn FROM base.ad_objects WHERE dn_key = d.dn_key LIMIT 1)),
               d.name,
               CASE WHEN d.node = '' THEN ''
                    WHEN NOT contains(d.node, '/') THEN coalesce((SELECT min(name) FROM names WHERE guid = d.node), d.node)
                    ELSE coalesce((SELECT min(name) FROM names WHERE guid = split_part(d.node, '/', 1)), split_part(d.node, '/', 1)) || '/'
                         || CASE WHEN split_part(d.node, '/', 2) = '*' THEN '*' ELSE coalesce((SELECT min(name) FROM names WHERE guid = split_part(d.node, '/', 2)), split_part(d.node, '/', 2)) END
               END,
               d.before, d.after
        FROM diff d ORDER BY 1, 2, 3
        """;

    // One side of the directory comparison: SIDE_nodes lists the nodes each compared object's scan stored, and SIDE
    // gives the cell at every node of all_nodes, resolved in that scan. DB is "" for the store or "base." for the
    // baseline.
    private static string DirectoryNodes(string side, string db) => $$"""
        {{side}}_obj AS (SELECT a.* FROM {{db}}ad_objects a WHERE a.dn_key IN (SELECT dn_key FROM changed_paths) OR EXISTS (SELECT 1 FROM changed_principals)),
        {{side}}_nodes AS (SELECT o.dn_key, n.node, n.variant_id, o.seq FROM {{side}}_obj o JOIN {{db}}ad_nodes n USING (key_id))
        """;

    private static string DirectoryCells(string side, string db) => $$"""
        {{side}}_res AS (
            SELECT a.dn_key, a.node, coalesce(e.node, s.node, r.node) AS at, coalesce(e.variant_id, s.variant_id, r.variant_id) AS variant_id, r.seq
            FROM all_nodes a JOIN {{side}}_nodes r ON r.dn_key = a.dn_key AND r.node = ''
            LEFT JOIN {{side}}_nodes e ON e.dn_key = a.dn_key AND e.node = a.node
            LEFT JOIN {{side}}_nodes s ON s.dn_key = a.dn_key AND contains(a.node, '/') AND s.node = split_part(a.node, '/', 1) || '/*'),
        {{side}} AS (
            SELECT x.dn_key, x.node, p.name, coalesce(sf.granted, m.granted, 0) AS granted
            FROM {{side}}_res x CROSS JOIN {{db}}principals p
            LEFT JOIN {{db}}ad_matrix m ON m.variant_id = x.variant_id AND m.token_id = p.token_id
            LEFT JOIN {{db}}ad_self sf ON sf.seq = x.seq AND sf.token_id = p.token_id AND sf.node = x.at
            WHERE x.dn_key IN (SELECT dn_key FROM changed_paths) OR p.name IN (SELECT name FROM changed_principals))
        """;

    private static string Hex(uint v) => "0x" + v.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<DiffRow> Read(EstateStore store, string sql, Func<System.Data.Common.DbDataReader, DiffRow> row)
    {
        using var cmd = store.Command(sql);
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return row(r);
    }
}
