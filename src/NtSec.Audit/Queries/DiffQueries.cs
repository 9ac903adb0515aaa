using NtSec.Audit.Store;

namespace NtSec.Audit.Queries;

/// <summary>One change between a baseline scan and the current one.</summary>
/// <param name="Change">added, removed, descriptor, access or principal.</param>
/// <param name="Path">The object's path (empty for a principal change).</param>
/// <param name="Principal">The principal whose access changed; null for object changes.</param>
/// <param name="Before">The baseline's SDDL or effective grant (hexadecimal).</param>
/// <param name="After">The current SDDL or effective grant.</param>
public sealed record DiffRow(string Change, string Path, string? Principal, string? Before, string? After);

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
            foreach (var row in Read(store, Access, r => new DiffRow("access", r.GetString(0), r.GetString(1), Hex((uint)r.GetValue(2)), Hex((uint)r.GetValue(3)))))
                yield return row;
        }
        finally
        {
            store.Execute("DETACH base");
        }
    }

    private static string Hex(uint v) => "0x" + v.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<DiffRow> Read(EstateStore store, string sql, Func<System.Data.Common.DbDataReader, DiffRow> row)
    {
        using var cmd = store.Command(sql);
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return row(r);
    }
}
