using System.Globalization;
using System.Text;
using NtSec.Audit.Store;
using NtSec.Principals;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>One answer: a principal holds a right on an object.</summary>
/// <param name="Seq">The object's sequence number.</param>
/// <param name="Dn">The object's DN.</param>
/// <param name="Sid">The principal's user SID.</param>
/// <param name="Principal">The principal's name.</param>
/// <param name="Right">The right, as the question names it.</param>
/// <param name="Granted">All the principal is granted at that node (MAXIMUM_ALLOWED).</param>
public sealed record DirectoryAccessRow(long Seq, string Dn, string Sid, string Principal, string Right, uint Granted);

/// <summary>A dangerous right held by a principal.</summary>
/// <param name="Finding">Its kind (<c>generic-all</c>, <c>dcsync</c> ...).</param>
/// <param name="Row">The object, principal and right.</param>
public sealed record DangerousRow(string Finding, DirectoryAccessRow Row);

/// <summary>The queries of <c>ntsec audit ad</c> over a directory scan.</summary>
public static class DirectoryQueries
{
    /// <summary>The schema the scan stored (the export's entries and the built-in table).</summary>
    public static DirectorySchema Schema(EstateStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var b = new DirectorySchema.Builder();
        using var cmd = store.Command("SELECT guid, name, kind, property_set FROM ad_schema");
        using var r = cmd.ExecuteReader();
        var entries = new List<DirectoryGuid>();
        while (r.Read())
        {
            var kind = Enum.Parse<DirectoryGuidKind>(r.GetString(2));
            Guid? set = r.IsDBNull(3) ? null : Guid.Parse(r.GetString(3));
            entries.Add(new DirectoryGuid(Guid.Parse(r.GetString(0)), r.GetString(1), kind, set));
        }
        return DirectorySchema.FromEntries(entries);
    }

    /// <summary>Per key, the variant of each node it stores.</summary>
    private static Dictionary<int, Dictionary<DirectoryNode, int>> Nodes(EstateStore store)
    {
        var map = new Dictionary<int, Dictionary<DirectoryNode, int>>();
        using var cmd = store.Command("SELECT key_id, node, variant_id FROM ad_nodes");
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            int k = r.GetInt32(0);
            if (!map.TryGetValue(k, out var m)) map[k] = m = [];
            if (DirectoryNode.TryParse(r.GetString(1), out var node)) m[node] = r.GetInt32(2);
        }
        return map;
    }

    /// <summary>
    /// Every (object, principal) holding <paramref name="right"/>, object by object (by <c>seq</c>), principals in
    /// <c>principal_id</c> order: the cell of the node the question resolves to on each object's descriptor, or the
    /// cell computed with the object's SID for SELF.
    /// </summary>
    /// <remarks>
    /// Streams with memory bounded by the stored cells, not by the answer: the answer is objects x principals (tens
    /// of millions of rows on a large domain), the cells are variants x tokens. The cells of the variants the question
    /// resolves to are held per variant as the principals they grant, in order; objects then come from the database
    /// in <c>seq</c> order, each object's PRINCIPAL_SELF cells merged in from a second ordered stream. The database
    /// sorts only those two narrow streams, never the joined answer.
    /// </remarks>
    /// <param name="store">The database.</param>
    /// <param name="right">The question.</param>
    /// <param name="onSuffix">Only objects at or under this DN.</param>
    /// <param name="objectClass">Only objects whose structural class is one of these (lDAPDisplayName); null for all.</param>
    /// <param name="principalId">Only this principal; null for all.</param>
    public static IEnumerable<DirectoryAccessRow> WhoCan(EstateStore store, DirectoryRight right, string? onSuffix, IReadOnlyCollection<string>? objectClass = null, int? principalId = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(right);
        // The node and variant each key answers the question with.
        var values = new StringBuilder();
        var keyVariant = new Dictionary<int, int>();
        foreach (var (key, nodes) in Nodes(store))
        {
            var node = DirectoryAccess.Resolve(right.Node, nodes.Keys);
            if (!nodes.TryGetValue(node, out int variant)) continue;
            keyVariant[key] = variant;
            if (values.Length > 0) values.Append(',');
            values.Append(CultureInfo.InvariantCulture, $"({key},{variant},'{node.Key}')");
        }
        if (values.Length == 0) yield break;

        // The principals in principal_id order; a cell names a principal by its index here.
        var principals = new List<(string Sid, string Name, int Token)>();
        var ofToken = new Dictionary<int, List<int>>();
        string only = principalId is null ? "" : " WHERE principal_id = $1";
        using (var cmd = store.Command($"SELECT sid, name, token_id FROM principals{only} ORDER BY principal_id", principalId is int pid ? [pid] : []))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                int token = r.GetInt32(2);
                if (!ofToken.TryGetValue(token, out var l)) ofToken[token] = l = [];
                l.Add(principals.Count);
                principals.Add((r.GetString(0), r.GetString(1), token));
            }
        }

        // Per variant, the principals (index, grant) whose token holds the right, in principal order.
        uint mask = right.Mask;
        var granting = new Dictionary<int, List<(int Principal, uint Granted)>>();
        string variantList = string.Join(",", keyVariant.Values.Distinct().Order().Select(v => v.ToString(CultureInfo.InvariantCulture)));
        using (var cmd = store.Command($"SELECT variant_id, token_id, granted FROM ad_matrix WHERE (granted & $1) = $1 AND variant_id IN ({variantList})", mask))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                if (!ofToken.TryGetValue(r.GetInt32(1), out var holders)) continue;
                int v = r.GetInt32(0);
                uint g = Convert.ToUInt32(r.GetValue(2), CultureInfo.InvariantCulture);
                if (!granting.TryGetValue(v, out var l)) granting[v] = l = [];
                foreach (int p in holders) l.Add((p, g));
            }
        }
        foreach (var l in granting.Values) l.Sort((a, b) => a.Principal.CompareTo(b.Principal));

        var ps = new List<object?>();
        var filter = new StringBuilder();
        if (onSuffix is not null)
        {
            ps.Add(DistinguishedName.Key(onSuffix));
            filter.Append(CultureInfo.InvariantCulture, $" AND (o.dn_key = ${ps.Count} OR ends_with(o.dn_key, ',' || ${ps.Count}))");
        }
        if (objectClass is not null)
        {
            var names = objectClass.Select(c => "'" + c.Replace("'", "''", StringComparison.Ordinal).ToLowerInvariant() + "'");
            filter.Append(CultureInfo.InvariantCulture, $" AND lower(o.object_class) IN ({string.Join(",", names)})");
        }
        string keyList = string.Join(",", keyVariant.Keys.Order().Select(k => k.ToString(CultureInfo.InvariantCulture)));

        // Every (object, token) with SELF cells has them at every node of its key: the one at the resolved node
        // replaces the general cell, granted or not.
        using var selfCmd = store.Command($"""
            WITH kv(key_id, variant_id, node) AS (VALUES {values})
            SELECT s.seq, s.token_id, s.granted FROM ad_self s JOIN ad_objects o ON o.seq = s.seq JOIN kv ON kv.key_id = o.key_id AND kv.node = s.node
            WHERE true {filter} ORDER BY s.seq
            """, [.. ps]);
        using var self = selfCmd.ExecuteReader();
        bool selfMore = self.Read();
        using var objectsCmd = store.Command($"SELECT o.seq, o.dn, o.key_id FROM ad_objects o WHERE o.key_id IN ({keyList}){filter} ORDER BY o.seq", [.. ps]);
        using var objects = objectsCmd.ExecuteReader();
        var own = new Dictionary<int, uint>();
        var merged = new List<(int Principal, uint Granted)>();
        while (objects.Read())
        {
            long seq = objects.GetInt64(0);
            string dn = objects.GetString(1);
            own.Clear();
            while (selfMore && self.GetInt64(0) <= seq)
            {
                if (self.GetInt64(0) == seq) own[self.GetInt32(1)] = Convert.ToUInt32(self.GetValue(2), CultureInfo.InvariantCulture);
                selfMore = self.Read();
            }
            granting.TryGetValue(keyVariant[objects.GetInt32(2)], out var general);
            IReadOnlyList<(int Principal, uint Granted)> cells = general is null ? [] : general;
            if (own.Count > 0)
            {
                merged.Clear();
                if (general is not null)
                    foreach (var c in general)
                        if (!own.ContainsKey(principals[c.Principal].Token)) merged.Add(c);
                foreach (var (token, g) in own)
                    if ((g & mask) == mask && ofToken.TryGetValue(token, out var holders))
                        foreach (int p in holders) merged.Add((p, g));
                merged.Sort((a, b) => a.Principal.CompareTo(b.Principal));
                cells = merged;
            }
            foreach (var (p, g) in cells)
                yield return new DirectoryAccessRow(seq, dn, principals[p].Sid, principals[p].Name, right.Name, g);
        }
    }

    /// <summary>
    /// Everything one principal holds, object by object: the rights on the object as a whole, then each right at
    /// a node its descriptor names that goes beyond them (<c>WriteProperty:member</c>, <c>ExtendedRight:User-Force-Change-Password</c>).
    /// </summary>
    public static IEnumerable<DirectoryAccessRow> Where(EstateStore store, int principalId, string? onSuffix)
    {
        ArgumentNullException.ThrowIfNull(store);
        var schema = Schema(store);
        var nodes = Nodes(store);
        string sid, name;
        int tokenId;
        using (var cmd = store.Command("SELECT sid, name, token_id FROM principals WHERE principal_id = $1", principalId))
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read()) yield break;
            sid = r.GetString(0);
            name = r.GetString(1);
            tokenId = r.GetInt32(2);
        }
        var granted = new Dictionary<int, uint>();
        using (var cmd = store.Command("SELECT variant_id, granted FROM ad_matrix WHERE token_id = $1", tokenId))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) granted[r.GetInt32(0)] = Convert.ToUInt32(r.GetValue(1), CultureInfo.InvariantCulture);
        var own = new Dictionary<long, Dictionary<string, uint>>();
        using (var cmd = store.Command("SELECT seq, node, granted FROM ad_self WHERE token_id = $1", tokenId))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                long seq = r.GetInt64(0);
                if (!own.TryGetValue(seq, out var m)) own[seq] = m = [];
                m[r.GetString(1)] = Convert.ToUInt32(r.GetValue(2), CultureInfo.InvariantCulture);
            }
        }
        var ps = new List<object?>();
        string filter = "";
        if (onSuffix is not null)
        {
            ps.Add(DistinguishedName.Key(onSuffix));
            filter = " AND (dn_key = $1 OR ends_with(dn_key, ',' || $1))";
        }
        using var objects = store.Command($"SELECT seq, dn, key_id FROM ad_objects WHERE key_id IS NOT NULL{filter} ORDER BY seq", [.. ps]);
        using var rows = objects.ExecuteReader();
        while (rows.Read())
        {
            long seq = rows.GetInt64(0);
            string dn = rows.GetString(1);
            if (!nodes.TryGetValue(rows.GetInt32(2), out var keyNodes)) continue;
            own.TryGetValue(seq, out var self);
            uint Cell(DirectoryNode node, int variant)
                => self is not null && self.TryGetValue(node.Key, out uint g) ? g : granted.GetValueOrDefault(variant);
            uint root = keyNodes.TryGetValue(DirectoryNode.Root, out int rv) ? Cell(DirectoryNode.Root, rv) : 0;
            if (root != 0) yield return new DirectoryAccessRow(seq, dn, sid, name, DirectoryRight.Format(root), root);
            foreach (var (node, variant) in keyNodes)
            {
                if (node.IsRoot) continue;
                uint g = Cell(node, variant);
                uint extra = g & ~root;
                if (extra == 0) continue;
                yield return new DirectoryAccessRow(seq, dn, sid, name, $"{DirectoryRight.Format(extra)}:{NodeName(node, schema)}", g);
            }
        }
    }

    /// <summary>A node by name: the attribute or right, or "other attributes of SET".</summary>
    public static string NodeName(DirectoryNode node, DirectorySchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (node.IsRoot) return "(object)";
        if (node.Guid is Guid g) return schema.Display(g);
        return schema.Display(node.Set!.Value) + " (attributes not named by an ACE)";
    }

    /// <summary>The well-known RIDs of a domain's privileged groups: the groups AdminSDHolder protects (docs/audit-ad.md).</summary>
    private static readonly uint[] PrivilegedDomainRids = [512, 516, 518, 519, 521, 526, 527];

    /// <summary>The BUILTIN groups AdminSDHolder protects: Administrators, Account, Server, Print and Backup Operators, Replicator.</summary>
    private static readonly uint[] PrivilegedBuiltinRids = [544, 548, 549, 550, 551, 552];

    /// <summary>Whether a SID is one of the privileged groups (see <see cref="PrivilegedDomainRids"/>).</summary>
    public static bool IsPrivilegedGroup(Sid sid)
    {
        if (sid.IdentifierAuthority != 5 || sid.SubAuthorityCount == 0) return false;
        if (sid.SubAuthorityCount == 2 && sid.GetSubAuthority(0) == 32) return PrivilegedBuiltinRids.Contains(sid.Rid);
        return sid.SubAuthorityCount == 5 && sid.GetSubAuthority(0) == 21 && PrivilegedDomainRids.Contains(sid.Rid);
    }

    /// <summary>
    /// The dangerous rights: full control, WriteDacl and WriteOwner on any object; DCSync (both replication rights)
    /// on a domain head; RBCD and shadow credentials (writing msDS-AllowedToActOnBehalfOfOtherIdentity,
    /// msDS-KeyCredentialLink); GPO control (writing a groupPolicyContainer, or gPLink where it links GPOs);
    /// adding members to a privileged group (WriteProperty on member or the Self-Membership validated write);
    /// Reset-Password on a user. Principals that are already administrators (their token holds Administrators,
    /// Domain Admins or Enterprise Admins) are left out unless <paramref name="includeAdmins"/>.
    /// </summary>
    public static IEnumerable<DangerousRow> Dangerous(EstateStore store, bool includeAdmins)
    {
        ArgumentNullException.ThrowIfNull(store);
        var schema = Schema(store);
        var admins = new HashSet<string>(StringComparer.Ordinal);
        if (!includeAdmins)
        {
            using var cmd = store.Command("SELECT DISTINCT p.sid, ts.sid FROM principals p JOIN token_sids ts ON ts.token_id = p.token_id WHERE NOT ts.deny_only");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (!Sid.TryParse(r.GetString(1), out var g)) continue;
                bool admin = (g.IdentifierAuthority == 5 && g.SubAuthorityCount == 2 && g.GetSubAuthority(0) == 32 && g.Rid == 544)
                    || (g.IdentifierAuthority == 5 && g.SubAuthorityCount == 5 && g.GetSubAuthority(0) == 21 && g.Rid is 512 or 519);
                if (admin) admins.Add(r.GetString(0));
            }
        }
        DirectoryRight Right(string text) => DirectoryRight.TryParse(text, schema, out var r, out var e) ? r! : throw new InvalidOperationException(e);
        IEnumerable<DangerousRow> Ask(string finding, DirectoryRight right, IReadOnlyCollection<string>? classes, Func<DirectoryAccessRow, bool>? keep = null)
            => WhoCan(store, right, null, classes).Where(r => !admins.Contains(r.Sid) && (keep is null || keep(r))).Select(r => new DangerousRow(finding, r));

        var full = new HashSet<(long, string)>();
        foreach (var row in Ask("generic-all", Right("GenericAll"), null))
        {
            full.Add((row.Row.Seq, row.Row.Sid));
            yield return row;
        }
        foreach (var row in Ask("write-dacl", Right("WriteDacl"), null, r => !full.Contains((r.Seq, r.Sid)))) yield return row;
        foreach (var row in Ask("write-owner", Right("WriteOwner"), null, r => !full.Contains((r.Seq, r.Sid)))) yield return row;

        // DCSync needs both rights on the domain head.
        var changes = WhoCan(store, Right("DS-Replication-Get-Changes"), null, ["domainDNS"]).Select(r => (r.Seq, r.Sid)).ToHashSet();
        foreach (var row in Ask("dcsync", Right("DS-Replication-Get-Changes-All"), ["domainDNS"], r => changes.Contains((r.Seq, r.Sid))))
            yield return row with { Row = row.Row with { Right = "ExtendedRight:DS-Replication-Get-Changes+DS-Replication-Get-Changes-All" } };

        foreach (var row in Ask("rbcd", Right("msDS-AllowedToActOnBehalfOfOtherIdentity"), ["computer"], r => !full.Contains((r.Seq, r.Sid)))) yield return row;
        foreach (var row in Ask("shadow-credentials", Right("msDS-KeyCredentialLink"), ["user", "computer", "inetOrgPerson"], r => !full.Contains((r.Seq, r.Sid)))) yield return row;
        foreach (var row in Ask("gpo-control", Right("WriteProperty"), ["groupPolicyContainer"], r => !full.Contains((r.Seq, r.Sid)))) yield return row;
        foreach (var row in Ask("gpo-link", Right("gPLink"), ["domainDNS", "organizationalUnit", "site"], r => !full.Contains((r.Seq, r.Sid)))) yield return row;

        var privileged = new HashSet<long>();
        using (var cmd = store.Command("SELECT seq, sid FROM ad_objects WHERE kind = 'group' AND sid IS NOT NULL"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (Sid.TryParse(r.GetString(1), out var g) && IsPrivilegedGroup(g)) privileged.Add(r.GetInt64(0));
        foreach (var row in Ask("add-member", Right("member"), ["group"], r => privileged.Contains(r.Seq) && !full.Contains((r.Seq, r.Sid)))) yield return row;
        foreach (var row in Ask("add-member", Right("Self-Membership"), ["group"], r => privileged.Contains(r.Seq) && !full.Contains((r.Seq, r.Sid)))) yield return row;
        foreach (var row in Ask("reset-password", Right("Reset-Password"), ["user", "inetOrgPerson"], r => !full.Contains((r.Seq, r.Sid)))) yield return row;
    }

    /// <summary>
    /// The grant the database holds for object <paramref name="seq"/>, token <paramref name="tokenId"/> at
    /// <paramref name="wanted"/> (resolved as <see cref="WhoCan"/> resolves it); null when the object has no descriptor.
    /// </summary>
    public static uint? StoredGrant(EstateStore store, long seq, int tokenId, DirectoryNode wanted)
        => DirectoryCells.Load(store, seq).Grant(seq, tokenId, wanted);

    /// <summary>The objects whose DN is <paramref name="dn"/> (compared as DNs are).</summary>
    public static IReadOnlyList<(long Seq, string Dn)> FindObjects(EstateStore store, string dn)
    {
        ArgumentNullException.ThrowIfNull(store);
        var list = new List<(long, string)>();
        using var cmd = store.Command("SELECT seq, dn FROM ad_objects WHERE dn_key = $1 ORDER BY seq", DistinguishedName.Key(dn));
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add((r.GetInt64(0), r.GetString(1)));
        return list;
    }

    /// <summary>The principals named: by name, user SID, or an account name of the export (sAMAccountName or DN).</summary>
    public static IReadOnlyList<(int Id, string Name, string Sid)> FindPrincipals(EstateStore store, string text)
    {
        ArgumentNullException.ThrowIfNull(store);
        var found = Queries.AccessQueries.FindPrincipals(store, text);
        if (found.Count > 0) return found;
        var list = new List<(int, string, string)>();
        using var cmd = store.Command("SELECT p.principal_id, p.name, p.sid FROM principals p JOIN ad_objects o ON o.sid = p.sid WHERE lower(o.sam) = lower($1) OR o.dn_key = $2 ORDER BY p.principal_id", text, DistinguishedName.Key(text));
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add((r.GetInt32(0), r.GetString(1), r.GetString(2)));
        return list;
    }
}
