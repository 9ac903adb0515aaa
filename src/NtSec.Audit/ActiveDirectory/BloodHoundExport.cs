using System.Globalization;
using System.Text.Json;
using NtSec.Acls;
using NtSec.Audit.Engine;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Authorization.Matrix;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>What a BloodHound export wrote.</summary>
/// <param name="Counts">Objects per file type (<c>users</c>, <c>groups</c> ...).</param>
/// <param name="GroupEdges">Edges whose principal is a group.</param>
/// <param name="UserEdges">Edges whose principal is an audited account.</param>
/// <param name="Files">The files written.</param>
public sealed record BloodHoundResult(IReadOnlyDictionary<string, int> Counts, long GroupEdges, long UserEdges, IReadOnlyList<string> Files);

/// <summary>
/// Writes a directory scan as the JSON files SharpHound writes (format version 6: <c>users.json</c>,
/// <c>groups.json</c>, <c>computers.json</c>, <c>domains.json</c>, <c>ous.json</c>, <c>containers.json</c>,
/// <c>gpos.json</c>), with every ACL edge read from the exact cells of the scan rather than from single ACEs.
/// An edge names the principal that holds the right: a group when a token holding only that group is granted it
/// and every audited member of the group is granted it too (so no path through the group is false), otherwise
/// each audited account granted it that no such group edge covers. See docs/audit-ad.md, "BloodHound".
/// </summary>
public static class BloodHoundExport
{
    /// <summary>The collection methods the files say they hold: Group, ACL, Container, ObjectProps (SharpHound's flags 1, 64, 128, 512).</summary>
    public const int Methods = 1 | 64 | 128 | 512;

    /// <summary>The file format version (SharpHound 2 / BloodHound CE).</summary>
    public const int Version = 6;

    private static readonly (BloodHoundLabel Label, string Type)[] Files =
    [
        (BloodHoundLabel.User, "users"), (BloodHoundLabel.Group, "groups"), (BloodHoundLabel.Computer, "computers"), (BloodHoundLabel.Domain, "domains"),
        (BloodHoundLabel.OU, "ous"), (BloodHoundLabel.Container, "containers"), (BloodHoundLabel.GPO, "gpos"),
    ];

    private sealed class Obj
    {
        public long Seq;
        public string Dn = "";
        public string DnKey = "";
        public string? ParentKey;
        public string ObjectClass = "";
        public string Kind = "";
        public Sid? Sid;
        public string? Guid;
        public string? Sam;
        public uint? Uac;
        public int? KeyId;
        public string? Owner;
        public bool Protected;
        public uint? PrimaryGroupId;
        public bool? SecurityGroup;
        public string? SidHistory;
        public BloodHoundLabel Label;
        public string Id = "";
        public List<Obj> Children = [];
        public List<Obj> Members = [];
        public string? GpLink;
    }

    // Per (key, label): the group edges, and the accounts' edges no group edge covers, for objects without cells of their own.
    private sealed class KeyEdges
    {
        public required ushort[] GroupCaps;
        public required Dictionary<int, int[]> Lack;
        public required Dictionary<int, ushort> GroupEdges;
        public required List<(int Token, ushort Caps)> Uncovered;
        public required (string Sid, uint Mask)[] Explicit;
        public required (DirectoryNode Node, int Variant)[][] Cells;
    }

    /// <summary>Writes the files into <paramref name="outDir"/> (created if needed; files of the same names are replaced).</summary>
    /// <exception cref="InvalidOperationException">The database is not a directory scan, or was written before the scan stored memberships.</exception>
    public static BloodHoundResult Write(EstateStore store, string outDir, int workers = 0)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(outDir);
        if (!store.IsDirectory) throw new InvalidOperationException("the database is not a directory scan");
        if (Convert.ToInt64(store.Scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ad_members'"), CultureInfo.InvariantCulture) == 0)
            throw new InvalidOperationException("the scan predates the membership tables (ad_members): scan the export again");
        var schema = DirectoryQueries.Schema(store);

        var objects = LoadObjects(store);
        var byKey = new Dictionary<string, Obj>(StringComparer.Ordinal);
        foreach (var o in objects) byKey.TryAdd(o.DnKey, o);
        var bySeq = objects.ToDictionary(o => o.Seq);
        string domainName = DomainName(objects);
        Sid? domainSid = objects.FirstOrDefault(o => o.Label == BloodHoundLabel.Domain && o.Sid is not null)?.Sid;
        if (domainSid is null)
            foreach (var o in objects)
                if (o.Sid is Sid s && s.TryGetWindowsAccountDomain(out var d))
                {
                    domainSid = d;
                    break;
                }
        foreach (var o in objects)
        {
            o.Id = o.Label switch
            {
                BloodHoundLabel.Domain => o.Sid?.ToString() ?? Upper(o.Guid),
                BloodHoundLabel.User or BloodHoundLabel.Computer or BloodHoundLabel.Group => o.Sid is Sid s ? SidId(s, domainName) : Upper(o.Guid),
                _ => Upper(o.Guid),
            };
            if (o.ParentKey is not null && byKey.TryGetValue(o.ParentKey, out var parent) && o.Label != BloodHoundLabel.None) parent.Children.Add(o);
        }
        using (var cmd = store.Command("SELECT group_seq, member_seq FROM ad_members ORDER BY group_seq, member_seq"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (bySeq.TryGetValue(r.GetInt64(0), out var g) && bySeq.TryGetValue(r.GetInt64(1), out var m)) g.Members.Add(m);
        using (var cmd = store.Command("SELECT seq, gplink FROM ad_gplinks"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (bySeq.TryGetValue(r.GetInt64(0), out var o)) o.GpLink = r.GetString(1);

        // Audited principals, their tokens' SIDs, and the groups edges may name.
        var principals = new List<(int Token, Sid Sid, string Id, string Type)>();
        var bySid = objects.Where(o => o.Sid is not null).GroupBy(o => o.Sid!.Value).ToDictionary(g => g.Key, g => g.First());
        using (var cmd = store.Command("SELECT token_id, sid FROM principals ORDER BY principal_id"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var sid = Sid.Parse(r.GetString(1));
                string type = bySid.TryGetValue(sid, out var o) ? TypeName(o.Label) : "Base";
                principals.Add((r.GetInt32(0), sid, SidId(sid, domainName), type));
            }
        }
        int tokenCount = principals.Count == 0 ? 0 : principals.Max(p => p.Token) + 1;
        var principalsOf = new List<int>[tokenCount];
        for (int t = 0; t < tokenCount; t++) principalsOf[t] = [];
        for (int i = 0; i < principals.Count; i++) principalsOf[principals[i].Token].Add(i);
        var tokenSids = new HashSet<string>[tokenCount];
        for (int t = 0; t < tokenCount; t++) tokenSids[t] = new(StringComparer.Ordinal);
        using (var cmd = store.Command("SELECT token_id, sid FROM token_sids WHERE NOT deny_only"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (r.GetInt32(0) < tokenCount) tokenSids[r.GetInt32(0)].Add(r.GetString(1));

        var groups = Candidates(store, objects);
        var groupIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int g = 0; g < groups.Count; g++) groupIndex[groups[g].ToString()] = g;
        var tokenGroups = new int[tokenCount][];
        var groupMembers = new List<int>[groups.Count];
        for (int g = 0; g < groups.Count; g++) groupMembers[g] = [];
        for (int t = 0; t < tokenCount; t++)
        {
            var list = new List<int>();
            foreach (var s in tokenSids[t])
            {
                if (!groupIndex.TryGetValue(s, out int g)) continue;
                list.Add(g);
                groupMembers[g].Add(t);
            }
            tokenGroups[t] = [.. list];
        }
        // Well-known groups have no member list in the export: their members are the accounts whose token holds them.
        var wellKnownMembers = new Dictionary<Sid, List<Obj>>();
        foreach (var s in groups.Where(s => !bySid.ContainsKey(s)))
        {
            var members = new List<Obj>();
            foreach (int t in groupMembers[groupIndex[s.ToString()]])
                foreach (int i in principalsOf[t])
                    if (bySid.TryGetValue(principals[i].Sid, out var o)) members.Add(o);
            wellKnownMembers[s] = members;
        }

        // The cells: every stored variant against the audited tokens (from the store) and against a token of each group alone.
        var (variants, keys) = LoadVariants(store);
        var tokenGrant = new uint[variants.Count][];
        for (int v = 0; v < variants.Count; v++) tokenGrant[v] = new uint[tokenCount];
        using (var cmd = store.Command("SELECT variant_id, token_id, granted FROM ad_matrix"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (r.GetInt32(0) < variants.Count && r.GetInt32(1) < tokenCount) tokenGrant[r.GetInt32(0)][r.GetInt32(1)] = Convert.ToUInt32(r.GetValue(2), CultureInfo.InvariantCulture);
        var groupGrant = new uint[variants.Count][];
        var groupTokens = groups.Select(s => new TokenBuilder(s).Build()).ToList();
        if (variants.Count > 0 && groupTokens.Count > 0)
        {
            var matrix = AccessMatrix.Compile(variants, groupTokens, DirectoryAccess.Mapping, workers);
            matrix.Evaluate(AccessMask.MaximumAllowed, (v, row) =>
            {
                var a = new uint[row.Length];
                for (int g = 0; g < row.Length; g++) a[g] = row[g].IsGranted ? row[g].GrantedAccess : 0;
                groupGrant[v] = a;
            });
        }
        for (int v = 0; v < variants.Count; v++) groupGrant[v] ??= new uint[groups.Count];

        Directory.CreateDirectory(outDir);
        var writers = new Dictionary<BloodHoundLabel, (Utf8JsonWriter Json, FileStream File, string Path)>();
        var counts = Files.ToDictionary(f => f.Type, _ => 0);
        long groupEdges = 0, userEdges = 0;
        var cache = new Dictionary<(int, BloodHoundLabel), KeyEdges>();
        try
        {
            foreach (var (label, type) in Files)
            {
                string path = System.IO.Path.Combine(outDir, type + ".json");
                var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = false });
                json.WriteStartObject();
                json.WriteStartArray("data");
                writers[label] = (json, file, path);
            }

            using var selfCmd = store.Command("SELECT seq, token_id, node, granted FROM ad_self ORDER BY seq, token_id");
            using var self = selfCmd.ExecuteReader();
            bool selfMore = self.Read();
            foreach (var o in objects)
            {
                var own = new Dictionary<int, Dictionary<string, uint>>();
                while (selfMore && self.GetInt64(0) < o.Seq) selfMore = self.Read();
                while (selfMore && self.GetInt64(0) == o.Seq)
                {
                    int t = self.GetInt32(1);
                    if (!own.TryGetValue(t, out var m)) own[t] = m = new(StringComparer.Ordinal);
                    m[self.GetString(2)] = Convert.ToUInt32(self.GetValue(3), CultureInfo.InvariantCulture);
                    selfMore = self.Read();
                }
                if (o.Label == BloodHoundLabel.None) continue;
                var aces = new List<(string Sid, string Type, string Right, bool Inherited)>();
                if (o.KeyId is int k && keys.TryGetValue(k, out var keyInfo))
                {
                    if (!cache.TryGetValue((k, o.Label), out var edges))
                        cache[(k, o.Label)] = edges = ComputeKey(keyInfo, o.Label, schema, tokenGrant, groupGrant, groups, groupMembers, tokenGroups, tokenCount);
                    foreach (var (g, caps, t) in Edges(edges, own, tokenGrant, groupMembers, tokenGroups, o.Label))
                    {
                        if (g >= 0)
                        {
                            string sid = groups[g].ToString();
                            groupEdges += Add(aces, SidId(groups[g], domainName), "Group", caps, sid == o.Owner, s => s == sid, edges.Explicit);
                            continue;
                        }
                        foreach (int i in principalsOf[t])
                        {
                            var p = principals[i];
                            userEdges += Add(aces, p.Id, p.Type, caps, p.Sid.ToString() == o.Owner, tokenSids[t].Contains, edges.Explicit);
                        }
                    }
                }
                var (json, _, _) = writers[o.Label];
                WriteObject(json, o, aces, byKey, bySid, domainName, domainSid);
                counts[Files.First(f => f.Label == o.Label).Type]++;
            }
            // Well-known groups that edges name, written as groups with the accounts holding them as members.
            foreach (var s in groups.Where(s => !bySid.ContainsKey(s)))
            {
                var json = writers[BloodHoundLabel.Group].Json;
                json.WriteStartObject();
                json.WriteString("ObjectIdentifier", SidId(s, domainName));
                json.WriteStartObject("Properties");
                string account = WellKnownSids.GetAccountName(s) is { } n ? n[(n.IndexOf('\\', StringComparison.Ordinal) + 1)..] : s.ToString();
                json.WriteString("name", $"{account}@{domainName}".ToUpperInvariant());
                json.WriteString("domain", domainName);
                if (domainSid is Sid ds) json.WriteString("domainsid", ds.ToString());
                json.WriteEndObject();
                json.WriteStartArray("Aces");
                json.WriteEndArray();
                json.WriteStartArray("Members");
                foreach (var m in wellKnownMembers[s]) WriteTyped(json, m);
                json.WriteEndArray();
                json.WriteBoolean("IsDeleted", false);
                json.WriteBoolean("IsACLProtected", false);
                json.WriteNull("ContainedBy");
                json.WriteEndObject();
                counts["groups"]++;
            }
        }
        finally
        {
            foreach (var (label, (json, file, _)) in writers)
            {
                string type = Files.First(f => f.Label == label).Type;
                json.WriteEndArray();
                json.WriteStartObject("meta");
                json.WriteNumber("methods", Methods);
                json.WriteString("type", type);
                json.WriteNumber("count", counts[type]);
                json.WriteNumber("version", Version);
                json.WriteEndObject();
                json.WriteEndObject();
                json.Flush();
                json.Dispose();
                file.Dispose();
            }
        }
        return new BloodHoundResult(counts, groupEdges, userEdges, [.. writers.Values.Select(w => w.Path)]);
    }

    // Adds the ACE entries of one principal's emitted rights; returns how many.
    private static int Add(List<(string, string, string, bool)> aces, string id, string type, ushort caps, bool isOwner, Func<string, bool> holds, (string Sid, uint Mask)[] explicitAces)
    {
        int n = 0;
        ushort emitted = BloodHoundRight.Emitted(caps);
        var writeDacl = BloodHoundRight.Named("WriteDacl");
        if (isOwner && (caps & writeDacl.Flag) != 0)
        {
            // The owner's edge: SharpHound names it Owns. Emitted only where the owner is granted WRITE_DAC (no OWNER
            // RIGHTS ACE took the implied rights away).
            aces.Add((id, type, "Owns", false));
            n++;
            emitted = (ushort)(emitted & ~writeDacl.Flag);
        }
        foreach (var right in BloodHoundRight.All)
        {
            if ((emitted & right.Flag) == 0) continue;
            bool inherited = true;
            foreach (var (sid, mask) in explicitAces)
                if ((mask & right.Bits) != 0 && holds(sid)) inherited = false;
            aces.Add((id, type, right.Name, inherited));
            n++;
        }
        return n;
    }

    // The edges on one object: (group, caps, -) for group edges and (-1, caps, token) for accounts.
    private static IEnumerable<(int Group, ushort Caps, int Token)> Edges(KeyEdges edges, Dictionary<int, Dictionary<string, uint>> own, uint[][] tokenGrant,
        List<int>[] groupMembers, int[][] tokenGroups, BloodHoundLabel label)
    {
        if (own.Count == 0)
        {
            foreach (var (g, caps) in edges.GroupEdges) yield return (g, caps, 0);
            foreach (var (t, caps) in edges.Uncovered) yield return (-1, caps, t);
            yield break;
        }
        // PRINCIPAL_SELF gave some tokens cells of their own on this object: their rights change, and with them the
        // groups all of whose members hold a right.
        var lack = new Dictionary<int, int[]>();
        int[] LackOf(int g)
        {
            if (!lack.TryGetValue(g, out var l)) lack[g] = l = (int[])edges.Lack[g].Clone();
            return l;
        }
        var newCaps = new Dictionary<int, ushort>();
        foreach (var (t, cells) in own)
        {
            ushort before = Caps(edges.Cells, v => tokenGrant[v][t], null, label);
            ushort after = Caps(edges.Cells, v => tokenGrant[v][t], cells, label);
            newCaps[t] = after;
            if (before == after) continue;
            foreach (int g in tokenGroups[t])
            {
                if (edges.GroupCaps[g] == 0) continue;
                var l = LackOf(g);
                for (int b = 0; b < 16; b++)
                {
                    ushort bit = (ushort)(1 << b);
                    if ((edges.GroupCaps[g] & bit) == 0) continue;
                    if ((before & bit) == 0) l[b]--;
                    if ((after & bit) == 0) l[b]++;
                }
            }
        }
        var groupEdges = new Dictionary<int, ushort>(edges.GroupEdges);
        var changed = new HashSet<int>();
        foreach (var (g, l) in lack)
        {
            ushort e = GroupEdge(edges.GroupCaps[g], l);
            if (e != edges.GroupEdges.GetValueOrDefault(g))
            {
                changed.Add(g);
                if (e == 0) groupEdges.Remove(g);
                else groupEdges[g] = e;
            }
        }
        var recompute = new HashSet<int>(newCaps.Keys);
        foreach (int g in changed) recompute.UnionWith(groupMembers[g]);
        foreach (var (g, caps) in groupEdges) yield return (g, caps, 0);
        foreach (var (t, caps) in edges.Uncovered)
            if (!recompute.Contains(t)) yield return (-1, caps, t);
        foreach (int t in recompute.Order())
        {
            ushort caps = newCaps.TryGetValue(t, out var c) ? c : Caps(edges.Cells, v => tokenGrant[v][t], null, label);
            ushort covered = 0;
            foreach (int g in tokenGroups[t]) covered |= groupEdges.GetValueOrDefault(g);
            ushort left = (ushort)(caps & ~covered);
            if (left != 0) yield return (-1, left, t);
        }
    }

    private static ushort GroupEdge(ushort caps, int[] lack)
    {
        ushort e = caps;
        for (int b = 0; b < 16; b++)
            if (lack[b] > 0) e = (ushort)(e & ~(1 << b));
        return e;
    }

    private sealed record KeyInfo(SecurityDescriptor Descriptor, string ObjectClass, Dictionary<DirectoryNode, int> Nodes);

    private static KeyEdges ComputeKey(KeyInfo key, BloodHoundLabel label, DirectorySchema schema, uint[][] tokenGrant, uint[][] groupGrant,
        IReadOnlyList<Sid> groups, List<int>[] groupMembers, int[][] tokenGroups, int tokenCount)
    {
        var cells = CellsOf(key, label, schema);
        var groupCaps = new ushort[groups.Count];
        for (int g = 0; g < groups.Count; g++) groupCaps[g] = Caps(cells, v => groupGrant[v][g], null, label);
        var tokenCaps = new ushort[tokenCount];
        for (int t = 0; t < tokenCount; t++) tokenCaps[t] = Caps(cells, v => tokenGrant[v][t], null, label);
        var lack = new Dictionary<int, int[]>();
        var groupEdges = new Dictionary<int, ushort>();
        for (int g = 0; g < groups.Count; g++)
        {
            if (groupCaps[g] == 0) continue;
            var l = new int[16];
            foreach (int t in groupMembers[g])
            {
                ushort missing = (ushort)(groupCaps[g] & ~tokenCaps[t]);
                for (int b = 0; b < 16; b++)
                    if ((missing & (1 << b)) != 0) l[b]++;
            }
            lack[g] = l;
            ushort e = GroupEdge(groupCaps[g], l);
            if (e != 0) groupEdges[g] = e;
        }
        var uncovered = new List<(int, ushort)>();
        for (int t = 0; t < tokenCount; t++)
        {
            if (tokenCaps[t] == 0) continue;
            ushort covered = 0;
            foreach (int g in tokenGroups[t]) covered |= groupEdges.GetValueOrDefault(g);
            ushort left = (ushort)(tokenCaps[t] & ~covered);
            if (left != 0) uncovered.Add((t, left));
        }
        // Explicit allow ACEs that take part in the check: an edge is marked not inherited when one of them names a
        // SID of the principal and grants a bit of the right.
        var explicitAces = new List<(string, uint)>();
        if (key.Descriptor.Dacl is { } dacl)
            foreach (var ace in dacl.Aces)
                if (!ace.IsRaw && ace.IsAccessAllowed && !ace.IsInherited && !ace.IsInheritOnly)
                    explicitAces.Add((ace.Sid.ToString(), DirectoryAccess.Mapping.Map(ace.Mask)));
        return new KeyEdges { GroupCaps = groupCaps, Lack = lack, GroupEdges = groupEdges, Uncovered = uncovered, Explicit = [.. explicitAces], Cells = cells };
    }

    // Per right of the table (in its order), the nodes whose grants must all hold its bits; empty where it does not apply.
    private static (DirectoryNode Node, int Variant)[][] CellsOf(KeyInfo key, BloodHoundLabel label, DirectorySchema schema)
    {
        var result = new (DirectoryNode, int)[BloodHoundRight.All.Count][];
        var present = key.Nodes.Keys.ToList();
        (DirectoryNode, int) At(DirectoryNode wanted)
        {
            var node = DirectoryAccess.Resolve(wanted, present);
            return (node, key.Nodes[node]);
        }
        bool IsAttribute(DirectoryNode n) => n.Set is not null || (n.Guid is Guid g && schema.Lookup(g).Any(e => e.Kind == DirectoryGuidKind.Property && e.PropertySet is null));
        bool IsExtendedRight(DirectoryNode n) => n.Set is null && n.Guid is Guid g && schema.Lookup(g).Any(e => e.Kind == DirectoryGuidKind.ExtendedRight);
        for (int i = 0; i < result.Length; i++)
        {
            var right = BloodHoundRight.All[i];
            if ((right.AppliesTo & label) == 0 || !key.Nodes.ContainsKey(DirectoryNode.Root))
            {
                result[i] = [];
                continue;
            }
            var root = At(DirectoryNode.Root);
            DirectoryRight? target = null;
            if (right.Target is not null && !DirectoryRight.TryParse(right.Target, schema, out target, out _)) target = null;
            result[i] = right.Scope switch
            {
                BloodHoundScope.Object => [root],
                BloodHoundScope.EveryNode => [.. key.Nodes.Select(p => (p.Key, p.Value))],
                BloodHoundScope.EveryAttribute => [root, .. key.Nodes.Where(p => IsAttribute(p.Key)).Select(p => (p.Key, p.Value))],
                BloodHoundScope.EveryExtendedRight => [root, .. key.Nodes.Where(p => IsExtendedRight(p.Key)).Select(p => (p.Key, p.Value))],
                // A right whose name the schema does not know is never granted (fail closed).
                BloodHoundScope.Node => target is null ? [] : [At(target.Node)],
                _ => target?.Node.Set is Guid set ? [At(new DirectoryNode(set, null)), .. key.Nodes.Where(p => p.Key.Set == set && p.Key.Guid is not null).Select(p => (p.Key, p.Value))]
                    : target is null ? [] : [At(target.Node)],
            };
        }
        return result;
    }

    // The rights held, from one principal's grant at each variant (or, for a token with cells of its own, those cells).
    private static ushort Caps((DirectoryNode Node, int Variant)[][] cells, Func<int, uint> grant, Dictionary<string, uint>? own, BloodHoundLabel label)
    {
        ushort caps = 0;
        for (int i = 0; i < cells.Length; i++)
        {
            var list = cells[i];
            if (list.Length == 0) continue;
            uint bits = BloodHoundRight.All[i].Bits;
            bool all = true;
            foreach (var (node, variant) in list)
            {
                uint g = own is not null ? own.GetValueOrDefault(node.Key) : grant(variant);
                if ((g & bits) != bits)
                {
                    all = false;
                    break;
                }
            }
            if (all) caps |= BloodHoundRight.All[i].Flag;
        }
        return caps;
    }

    private static (List<SecurityDescriptor> Variants, Dictionary<int, KeyInfo> Keys) LoadVariants(EstateStore store)
    {
        var sds = new Dictionary<int, SecurityDescriptor>();
        using (var cmd = store.Command("SELECT descriptor_id, sd_binary FROM descriptors"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                using var s = r.GetStream(1);
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                sds[r.GetInt32(0)] = AccessEvaluators.ForCheck(SecurityDescriptor.FromBinary(ms.ToArray()));
            }
        }
        var keys = new Dictionary<int, KeyInfo>();
        var classOf = new Dictionary<int, Guid>();
        using (var cmd = store.Command("SELECT key_id, descriptor_id, object_class, class_guid FROM ad_keys"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                int k = r.GetInt32(0);
                keys[k] = new KeyInfo(sds[r.GetInt32(1)], r.GetString(2), []);
                classOf[k] = r.IsDBNull(3) ? Guid.Empty : Guid.Parse(r.GetString(3));
            }
        }
        var variants = new SortedDictionary<int, SecurityDescriptor>();
        using (var cmd = store.Command("SELECT key_id, node, variant_id FROM ad_nodes"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                int k = r.GetInt32(0), v = r.GetInt32(2);
                if (!keys.TryGetValue(k, out var key) || !DirectoryNode.TryParse(r.GetString(1), out var node)) continue;
                key.Nodes[node] = v;
                // The scan's variant: the same rewriting of the same descriptor, so the same descriptor the stored cells were evaluated on.
                if (!variants.ContainsKey(v)) variants[v] = DirectoryAccess.Variant(key.Descriptor, classOf[k], node);
            }
        }
        int count = variants.Count == 0 ? 0 : variants.Keys.Max() + 1;
        var list = new List<SecurityDescriptor>(count);
        for (int v = 0; v < count; v++) list.Add(variants.TryGetValue(v, out var sd) ? sd : new SecurityDescriptor());
        return (list, keys);
    }

    // Groups edges may name: every security group of the export, and the well-known groups the DACLs name (not the
    // SIDs that stand for someone else at check time, nor the local machine's accounts).
    private static List<Sid> Candidates(EstateStore store, List<Obj> objects)
    {
        var set = new HashSet<Sid>();
        foreach (var o in objects)
            if (o.Kind == "group" && o.Sid is Sid s && o.SecurityGroup != false) set.Add(s);
        using var cmd = store.Command("SELECT DISTINCT sid FROM aces WHERE ace_type LIKE 'AccessAllowed%'");
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            if (!Sid.TryParse(r.GetString(0), out var s)) continue;
            if (s.IdentifierAuthority == 5 && s.SubAuthorityCount >= 1 && s.GetSubAuthority(0) == 21) continue;
            if (s.IdentifierAuthority is 0 or 3) continue; // NULL, CREATOR OWNER/GROUP, OWNER RIGHTS
            if (s.IdentifierAuthority == 5 && s.SubAuthorityCount == 1 && s.GetSubAuthority(0) is 10 or 18 or 19 or 20) continue; // SELF, SYSTEM, LOCAL/NETWORK SERVICE
            set.Add(s);
        }
        return [.. set.OrderBy(s => s.ToString(), StringComparer.Ordinal)];
    }

    private static List<Obj> LoadObjects(EstateStore store)
    {
        var list = new List<Obj>();
        using var cmd = store.Command("""
            SELECT o.seq, o.dn, o.dn_key, o.object_class, o.kind, o.sid, o.object_guid, o.sam, o.uac, o.key_id, ob.parent, d.owner, d.dacl_protected,
                   a.primary_group_id, a.security_group, a.sid_history
            FROM ad_objects o JOIN objects ob ON ob.seq = o.seq LEFT JOIN ad_keys k ON k.key_id = o.key_id
                 LEFT JOIN descriptors d ON d.descriptor_id = k.descriptor_id LEFT JOIN ad_accounts a ON a.seq = o.seq
            ORDER BY o.seq
            """);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var o = new Obj
            {
                Seq = r.GetInt64(0), Dn = r.GetString(1), DnKey = r.GetString(2), ObjectClass = r.GetString(3), Kind = r.GetString(4),
                Sid = r.IsDBNull(5) ? null : Sid.Parse(r.GetString(5)), Guid = r.IsDBNull(6) ? null : r.GetString(6), Sam = r.IsDBNull(7) ? null : r.GetString(7),
                Uac = r.IsDBNull(8) ? null : Convert.ToUInt32(r.GetValue(8), CultureInfo.InvariantCulture), KeyId = r.IsDBNull(9) ? null : r.GetInt32(9),
                ParentKey = r.IsDBNull(10) ? null : DistinguishedName.Key(r.GetString(10)), Owner = r.IsDBNull(11) ? null : r.GetString(11),
                Protected = !r.IsDBNull(12) && r.GetBoolean(12), PrimaryGroupId = r.IsDBNull(13) ? null : Convert.ToUInt32(r.GetValue(13), CultureInfo.InvariantCulture),
                SecurityGroup = r.IsDBNull(14) ? null : r.GetBoolean(14), SidHistory = r.IsDBNull(15) ? null : r.GetString(15),
            };
            o.Label = o.Kind switch
            {
                "user" => BloodHoundLabel.User,
                "computer" => BloodHoundLabel.Computer,
                "group" => BloodHoundLabel.Group,
                _ => o.ObjectClass.ToLowerInvariant() switch
                {
                    "domaindns" => BloodHoundLabel.Domain,
                    "organizationalunit" => BloodHoundLabel.OU,
                    "grouppolicycontainer" => BloodHoundLabel.GPO,
                    "container" or "builtindomain" => BloodHoundLabel.Container,
                    _ => BloodHoundLabel.None,
                },
            };
            list.Add(o);
        }
        return list;
    }

    private static void WriteObject(Utf8JsonWriter json, Obj o, List<(string Sid, string Type, string Right, bool Inherited)> aces, Dictionary<string, Obj> byKey,
        Dictionary<Sid, Obj> bySid, string domainName, Sid? domainSid)
    {
        json.WriteStartObject();
        json.WriteString("ObjectIdentifier", o.Id);
        json.WriteStartObject("Properties");
        json.WriteString("name", Name(o, domainName));
        json.WriteString("domain", domainName);
        if (domainSid is Sid ds) json.WriteString("domainsid", ds.ToString());
        json.WriteString("distinguishedname", o.Dn.ToUpperInvariant());
        json.WriteBoolean("isaclprotected", o.Protected);
        if (o.Sam is not null) json.WriteString("samaccountname", o.Sam);
        if (o.Label is BloodHoundLabel.User or BloodHoundLabel.Computer && o.Uac is uint uac)
        {
            json.WriteBoolean("enabled", (uac & 0x2) == 0);
            json.WriteBoolean("unconstraineddelegation", (uac & 0x80000) != 0);
            if (o.Label == BloodHoundLabel.Computer) json.WriteBoolean("isdc", (uac & 0x2000) != 0);
        }
        json.WriteEndObject();
        json.WriteStartArray("Aces");
        foreach (var (sid, type, right, inherited) in aces)
        {
            json.WriteStartObject();
            json.WriteString("PrincipalSID", sid);
            json.WriteString("PrincipalType", type);
            json.WriteString("RightName", right);
            json.WriteBoolean("IsInherited", inherited);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteBoolean("IsDeleted", false);
        json.WriteBoolean("IsACLProtected", o.Protected);
        if (o.ParentKey is not null && byKey.TryGetValue(o.ParentKey, out var parent) && parent.Label is BloodHoundLabel.Domain or BloodHoundLabel.OU or BloodHoundLabel.Container)
        {
            json.WriteStartObject("ContainedBy");
            json.WriteString("ObjectIdentifier", parent.Id);
            json.WriteString("ObjectType", TypeName(parent.Label));
            json.WriteEndObject();
        }
        else json.WriteNull("ContainedBy");
        switch (o.Label)
        {
            case BloodHoundLabel.User or BloodHoundLabel.Computer:
                if (o.PrimaryGroupId is uint pg && o.Sid is Sid s && s.TryGetWindowsAccountDomain(out var dom))
                    json.WriteString("PrimaryGroupSID", $"{dom}-{pg}");
                else json.WriteNull("PrimaryGroupSID");
                json.WriteStartArray("HasSIDHistory");
                foreach (var h in (o.SidHistory ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    json.WriteStartObject();
                    json.WriteString("ObjectIdentifier", h);
                    json.WriteString("ObjectType", Sid.TryParse(h, out var hs) && bySid.TryGetValue(hs, out var ho) ? TypeName(ho.Label) : "Base");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("AllowedToDelegate");
                json.WriteEndArray();
                if (o.Label == BloodHoundLabel.Computer)
                {
                    json.WriteStartArray("AllowedToAct");
                    json.WriteEndArray();
                }
                if (o.Sid is Sid us && us.TryGetWindowsAccountDomain(out var ud)) json.WriteString("DomainSID", ud.ToString());
                break;
            case BloodHoundLabel.Group:
                json.WriteStartArray("Members");
                foreach (var m in o.Members)
                    if (m.Label is BloodHoundLabel.User or BloodHoundLabel.Computer || (m.Label == BloodHoundLabel.Group && m.SecurityGroup != false))
                        WriteTyped(json, m);
                json.WriteEndArray();
                break;
            case BloodHoundLabel.Domain or BloodHoundLabel.OU or BloodHoundLabel.Container:
                json.WriteStartArray("ChildObjects");
                foreach (var c in o.Children) WriteTyped(json, c);
                json.WriteEndArray();
                if (o.Label != BloodHoundLabel.Container)
                {
                    json.WriteStartArray("Links");
                    foreach (var (dn, enforced) in GpLinks(o.GpLink))
                    {
                        if (!byKey.TryGetValue(DistinguishedName.Key(dn), out var gpo) || gpo.Guid is null) continue;
                        json.WriteStartObject();
                        json.WriteBoolean("IsEnforced", enforced);
                        json.WriteString("GUID", gpo.Id);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                if (o.Label == BloodHoundLabel.Domain)
                {
                    json.WriteStartArray("Trusts");
                    json.WriteEndArray();
                }
                break;
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// The enabled links of a <c>gPLink</c> value: <c>[LDAP://DN;OPTIONS]</c> each, OPTIONS 1 disabled, 2 enforced
    /// (MS-GPOL 2.2.2). A malformed part is skipped.
    /// </summary>
    public static IEnumerable<(string Dn, bool Enforced)> GpLinks(string? value)
    {
        if (string.IsNullOrEmpty(value)) yield break;
        foreach (var part in value.Split('[', StringSplitOptions.RemoveEmptyEntries))
        {
            int end = part.IndexOf(']', StringComparison.Ordinal);
            var body = end < 0 ? part : part[..end];
            int semi = body.LastIndexOf(';');
            if (semi < 0 || !body.StartsWith("LDAP://", StringComparison.OrdinalIgnoreCase)) continue;
            if (!int.TryParse(body[(semi + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int options) || (options & 1) != 0) continue;
            yield return (body[7..semi], (options & 2) != 0);
        }
    }

    private static void WriteTyped(Utf8JsonWriter json, Obj o)
    {
        json.WriteStartObject();
        json.WriteString("ObjectIdentifier", o.Id);
        json.WriteString("ObjectType", TypeName(o.Label));
        json.WriteEndObject();
    }

    private static string TypeName(BloodHoundLabel label) => label switch
    {
        BloodHoundLabel.User => "User",
        BloodHoundLabel.Computer => "Computer",
        BloodHoundLabel.Group => "Group",
        BloodHoundLabel.Domain => "Domain",
        BloodHoundLabel.OU => "OU",
        BloodHoundLabel.Container => "Container",
        BloodHoundLabel.GPO => "GPO",
        _ => "Base",
    };

    // SharpHound's identifiers: a domain account's SID as it is; a SID outside any domain (BUILTIN, well-known
    // groups) prefixed with the domain's name, so that each domain has its own node for it.
    private static string SidId(Sid sid, string domainName)
        => sid.IdentifierAuthority == 5 && sid.SubAuthorityCount >= 1 && sid.GetSubAuthority(0) == 21 ? sid.ToString() : $"{domainName}-{sid}";

    private static string Upper(string? guid) => (guid ?? "").ToUpperInvariant();

    // SharpHound's names: NAME@DOMAIN for accounts, OUs, containers and GPOs (a computer as HOST.DOMAIN), the DNS name for a domain.
    private static string Name(Obj o, string domainName)
    {
        if (o.Label == BloodHoundLabel.Domain) return DnsName(o.Dn) is { Length: > 0 } n ? n : domainName;
        if (o.Label == BloodHoundLabel.Computer) return $"{(o.Sam ?? Rdn(o.Dn)).TrimEnd('$')}.{domainName}".ToUpperInvariant();
        return $"{o.Sam ?? Rdn(o.Dn)}@{domainName}".ToUpperInvariant();
    }

    private static string Rdn(string dn)
    {
        var first = DistinguishedName.Split(dn).FirstOrDefault() ?? dn;
        int eq = first.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? first : first[(eq + 1)..];
    }

    private static string DnsName(string dn)
        => string.Join('.', DistinguishedName.Split(dn).Where(r => r.StartsWith("DC=", StringComparison.OrdinalIgnoreCase)).Select(r => r[3..])).ToUpperInvariant();

    private static string DomainName(List<Obj> objects)
    {
        var domain = objects.FirstOrDefault(o => o.Label == BloodHoundLabel.Domain);
        if (domain is not null && DnsName(domain.Dn) is { Length: > 0 } n) return n;
        foreach (var o in objects)
            if (DnsName(o.Dn) is { Length: > 0 } m) return m;
        return "UNKNOWN";
    }
}
