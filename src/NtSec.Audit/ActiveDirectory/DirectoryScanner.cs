using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using NtSec.Audit.Engine;
using NtSec.Audit.Principals;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Authorization.Matrix;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>What <c>ntsec audit scan EXPORT.ldif</c> was asked to do.</summary>
/// <param name="Source">The LDIF file.</param>
/// <param name="Principals">Null for every enabled user; else a file naming principals (SIDs, sAMAccountNames or DNs, one a line) or holding token JSON / whoami captures.</param>
/// <param name="Out">The database file (must not exist).</param>
public sealed record DirectoryScanOptions(string Source, string? Principals, string Out)
{
    /// <summary>Evaluation threads; 0 for every core.</summary>
    public int Workers { get; init; }

    /// <summary>DuckDB's memory limit.</summary>
    public string MemoryLimit { get; init; } = "1GB";
}

/// <summary>The outcome of a directory scan.</summary>
/// <param name="Objects">Objects stored.</param>
/// <param name="Descriptors">Distinct descriptors.</param>
/// <param name="Keys">Distinct (descriptor, class) pairs.</param>
/// <param name="Variants">Distinct per-node descriptors evaluated.</param>
/// <param name="Tokens">Distinct tokens.</param>
/// <param name="Principals">Principals.</param>
/// <param name="SelfCells">Cells computed with the object's own SID for PRINCIPAL_SELF.</param>
/// <param name="SchemaEntries">Schema and Extended-Rights entries read from the export.</param>
/// <param name="Warnings">Warnings stored in <c>ad_warnings</c>.</param>
/// <param name="Elapsed">The run's duration.</param>
public sealed record DirectoryScanResult(long Objects, int Descriptors, int Keys, int Variants, int Tokens, int Principals, long SelfCells,
    int SchemaEntries, int Warnings, TimeSpan Elapsed);

/// <summary>
/// Scans an LDIF export: streams its records into the store (objects, distinct descriptors, accounts, schema),
/// builds each principal's token from the membership the export holds, then computes every cell exactly: per
/// distinct (descriptor, class) the root and each node its DACL names, as variants the compiled matrix engine
/// evaluates against every token (<see cref="DirectoryAccess"/>), and the cells PRINCIPAL_SELF changes with the
/// library's check.
/// </summary>
public static class DirectoryScanner
{
    /// <summary>Runs a scan.</summary>
    /// <exception cref="LdifException">The file is not LDIF at some line.</exception>
    /// <exception cref="FormatException">The principals file does not parse, or names no principal of the export.</exception>
    /// <exception cref="InvalidOperationException">The database exists.</exception>
    public static DirectoryScanResult Run(DirectoryScanOptions options, Action<ScanProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        if (File.Exists(options.Out)) throw new InvalidOperationException($"{options.Out} exists: remove it first");
        using var store = EstateStore.Create(options.Out);
        try
        {
            return Scan(options, store, clock, progress, cancellation);
        }
        catch
        {
            store.Dispose();
            File.Delete(options.Out);
            throw;
        }
    }

    private sealed record KeyInfo(int DescriptorId, string ObjectClass);

    private static DirectoryScanResult Scan(DirectoryScanOptions options, EstateStore store, Stopwatch clock, Action<ScanProgress>? progress, CancellationToken cancellation)
    {
        store.Execute($"SET memory_limit = '{options.MemoryLimit.Replace("'", "", StringComparison.Ordinal)}'");
        store.CreateDirectoryTables();
        store.SetState("source", Path.GetFullPath(options.Source));
        store.SetState("format", "ldif");
        store.SetState("started", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        store.SetState("complete", "false");
        store.SetState("engine", "AccessMatrix (per-node variants) + AccessCheck.Check (PRINCIPAL_SELF cells)");

        // Pass over the file: objects and descriptors go to the store as they come; accounts, schema and the
        // distinct (descriptor, class) keys stay in memory.
        var schemaBuilder = new DirectorySchema.Builder();
        var membership = new DirectoryMembership();
        var byBytes = new Dictionary<byte[], int>(AuditScanner.ByteKey.Instance);
        var descriptors = new List<SecurityDescriptor>();
        var keys = new Dictionary<(int, string), int>();
        var keyList = new List<KeyInfo>();
        var accountKey = new Dictionary<long, int>();
        var warnings = new List<(string Kind, string Dn, string Detail)>();
        var bySddl = new Dictionary<string, int>(StringComparer.Ordinal);
        var pendingSddl = new List<(int Id, string Text, long Line)>();
        Sid? domainSid = null;
        var gpLinks = new List<(long Seq, string Link)>();
        long seq = 0;
        long lastReport = -1000;
        using (var file = new FileStream(options.Source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        using (var reader = new LdifReader(new StreamReader(file, new UTF8Encoding(false), true, 1 << 16), ownsReader: true))
        {
            var objects = store.Connection.CreateAppender("objects");
            var adObjects = store.Connection.CreateAppender("ad_objects");
            var sdTable = store.Connection.CreateAppender("descriptors");
            var aceTable = store.Connection.CreateAppender("aces");
            try
            {
                while (reader.TryRead(out var record))
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (!DirectoryObject.TryFrom(record!, out var entry, out var error)) throw new LdifException(error!);
                    schemaBuilder.Add(entry!);
                    membership.Add(entry!, seq);
                    if (entry!.GpLink is { } link) gpLinks.Add((seq, link));
                    int? descriptorId = null, keyId = null;
                    string status = "ok";
                    string? problem = null;
                    if (domainSid is null && entry!.ObjectSid is Sid head && entry.Is("domainDNS")) domainSid = head;
                    if (entry!.NtSecurityDescriptor is { } sd)
                    {
                        var bytes = sd.ToBinary();
                        if (!byBytes.TryGetValue(bytes, out int id))
                        {
                            id = descriptors.Count;
                            byBytes[bytes] = id;
                            descriptors.Add(sd);
                            AuditScanner.AppendDescriptor(sdTable, aceTable, id, sd, bytes, null);
                        }
                        descriptorId = id;
                    }
                    else if (entry.NtSecurityDescriptorSddl is { } text)
                    {
                        // Parsed after the pass, once per distinct text (see ParseSddl).
                        if (!bySddl.TryGetValue(text, out int id))
                        {
                            id = descriptors.Count;
                            bySddl[text] = id;
                            descriptors.Add(null!);
                            pendingSddl.Add((id, text, entry.Line));
                        }
                        descriptorId = id;
                    }
                    if (descriptorId is int did)
                    {
                        var key = (did, entry.StructuralClass);
                        if (!keys.TryGetValue(key, out int k))
                        {
                            k = keyList.Count;
                            keys[key] = k;
                            keyList.Add(new KeyInfo(did, entry.StructuralClass));
                        }
                        keyId = k;
                        if (entry.ObjectSid is not null) accountKey[seq] = k;
                    }
                    else
                    {
                        // Nothing is granted on an object whose descriptor the export lacks (fail closed).
                        status = "missing";
                        problem = "no nTSecurityDescriptor in the export (ldapsearch needs the SD_FLAGS control, -E 1.2.840.113556.1.4.801=::MAMCAQc=)";
                    }
                    AppendObject(objects, adObjects, seq, entry, descriptorId, keyId, status, problem);
                    seq++;
                    if (progress is not null && (seq & 0x3FF) == 0 && clock.ElapsedMilliseconds - lastReport >= 250)
                    {
                        lastReport = clock.ElapsedMilliseconds;
                        double fraction = file.Length == 0 ? 1 : (double)file.Position / file.Length;
                        progress(Report(seq, descriptors.Count, 0, fraction, clock.Elapsed));
                    }
                }
                if (reader.Error is not null) throw new LdifException(reader.Error);
            }
            finally
            {
                objects.Close();
                adObjects.Close();
                sdTable.Close();
                aceTable.Close();
            }
        }

        if (pendingSddl.Count > 0) ParseSddl(store, pendingSddl, descriptors, domainSid);
        var schema = schemaBuilder.Build();
        WriteSchema(store, schema);
        WriteAccounts(store, membership, schema, gpLinks);
        foreach (var dn in membership.RangedGroups)
            warnings.Add(("ranged-members", dn, "the export holds part of this group's member list (member;range=): memberships are also taken from memberOf, but may be incomplete"));

        // Principals and their tokens.
        var principals = LoadPrincipals(options.Principals, membership, warnings);
        var (tokens, tokenJson, principalToken) = AuditScanner.DistinctTokens(principals);
        AuditScanner.WritePrincipals(store, principals, tokens, tokenJson, principalToken);

        // Keys: each distinct (descriptor, class) with the nodes its DACL names, each node a variant descriptor.
        var variantIds = new Dictionary<SecurityDescriptor, int>();
        var variants = new List<SecurityDescriptor>();
        var keyNodes = new List<(DirectoryNode Node, int Variant)>[keyList.Count];
        var keyClass = new Guid[keyList.Count];
        var unknownClasses = new SortedSet<string>(StringComparer.Ordinal);
        using (var keyTable = store.Connection.CreateAppender("ad_keys"))
        using (var nodeTable = store.Connection.CreateAppender("ad_nodes"))
        {
            for (int k = 0; k < keyList.Count; k++)
            {
                var info = keyList[k];
                var sd = AccessEvaluators.ForCheck(descriptors[info.DescriptorId]);
                Guid? classGuid = schema.ClassGuid(info.ObjectClass);
                if (classGuid is null) unknownClasses.Add(info.ObjectClass);
                keyClass[k] = classGuid ?? Guid.Empty;
                var list = new List<(DirectoryNode, int)>();
                foreach (var node in new[] { DirectoryNode.Root }.Concat(DirectoryAccess.Nodes(sd, keyClass[k], schema)))
                {
                    var variant = DirectoryAccess.Variant(sd, keyClass[k], node);
                    if (!variantIds.TryGetValue(variant, out int v))
                    {
                        v = variants.Count;
                        variantIds[variant] = v;
                        variants.Add(variant);
                    }
                    list.Add((node, v));
                    nodeTable.CreateRow().AppendValue(k).AppendValue(node.Key).AppendValue(v).EndRow();
                }
                keyNodes[k] = list;
                var row = keyTable.CreateRow().AppendValue(k).AppendValue(info.DescriptorId).AppendValue(info.ObjectClass);
                row = classGuid is Guid cg ? row.AppendValue(cg.ToString()) : row.AppendNullValue();
                row.AppendValue(DirectoryAccess.UsesPrincipalSelf(sd)).EndRow();
            }
        }
        foreach (var c in unknownClasses)
            warnings.Add(("unknown-class", "", $"objectClass '{c}' is not in the export's schema nor the built-in table: ACEs naming its schemaIDGUID as object type are not matched on its objects"));

        // The matrix: every variant against every token, exactly (AccessMatrix equals AccessCheck.Check per cell).
        progress?.Invoke(Report(seq, descriptors.Count, 0, 1, clock.Elapsed));
        var matrix = AccessMatrix.Compile(variants, tokens, DirectoryAccess.Mapping, options.Workers);
        int evaluatedRows = 0;
        using (var cells = store.Connection.CreateAppender("ad_matrix"))
        {
            matrix.Evaluate(AccessMask.MaximumAllowed, (d, row) =>
            {
                for (int t = 0; t < row.Length; t++)
                    if (row[t].IsGranted && row[t].GrantedAccess != 0) cells.CreateRow().AppendValue(d).AppendValue(t).AppendValue(row[t].GrantedAccess).EndRow();
                if ((++evaluatedRows & 0xFF) == 0 && progress is not null && clock.ElapsedMilliseconds - lastReport >= 250)
                {
                    lastReport = clock.ElapsedMilliseconds;
                    progress(Report(seq, descriptors.Count, evaluatedRows, 1, clock.Elapsed));
                }
            }, cancellation);
        }

        // PRINCIPAL_SELF: on an object with an objectSid, an ACE for SELF applies to tokens that hold that SID (the
        // account itself, or a group's members). Those cells are computed with the object's SID in place of SELF.
        long selfCells = ComputeSelfCells(store, membership, accountKey, keyList, keyNodes, keyClass, descriptors, tokens);

        using (var w = store.Connection.CreateAppender("ad_warnings"))
            foreach (var (kind, dn, detail) in warnings) w.CreateRow().AppendValue(kind).AppendValue(dn).AppendValue(detail).EndRow();
        store.SetState("objects", seq.ToString(CultureInfo.InvariantCulture));
        store.SetState("variants", variants.Count.ToString(CultureInfo.InvariantCulture));
        store.SetState("schema_entries", schema.FromExport.ToString(CultureInfo.InvariantCulture));
        store.SetState("elapsed_seconds", clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
        store.SetState("complete", "true");
        progress?.Invoke(Report(seq, descriptors.Count, variants.Count, 1, clock.Elapsed));
        return new DirectoryScanResult(seq, descriptors.Count, keyList.Count, variants.Count, tokens.Count, principals.Count, selfCells,
            schema.FromExport, warnings.Count, clock.Elapsed);
    }

    /// <summary>
    /// Parses the descriptors an export gave as SDDL (Samba's <c>ldbsearch</c> prints them so), each distinct text
    /// once, with the domain aliases (DA, DU, CA ...) relative to the export's domain head and the forest-root ones
    /// (EA, SA, RO) too: Samba, the one tool that writes them, encodes both with its own domain's SID.
    /// </summary>
    /// <exception cref="LdifException">A text is not SDDL, or uses a domain alias and the export has no domain head.</exception>
    private static void ParseSddl(EstateStore store, List<(int Id, string Text, long Line)> pending, List<SecurityDescriptor> descriptors, Sid? domainSid)
    {
        var context = domainSid is null ? null : new SidContext(domainSid, domainSid, domainSid);
        using var sdTable = store.Connection.CreateAppender("descriptors");
        using var aceTable = store.Connection.CreateAppender("aces");
        foreach (var (id, text, line) in pending)
        {
            if (!NtSec.Sddl.SddlParser.TryParse(text, context, out var sd, out var error))
            {
                string why = domainSid is null ? " (the export holds no domainDNS object with an objectSid, which domain aliases are relative to)" : "";
                throw new LdifException(new LdifError(line, $"nTSecurityDescriptor: SDDL: {error!.Reason} at character {error.Position}{why}"));
            }
            descriptors[id] = sd!;
            AuditScanner.AppendDescriptor(sdTable, aceTable, id, sd!, sd!.ToBinary(), null);
        }
    }

    private static long ComputeSelfCells(EstateStore store, DirectoryMembership membership, Dictionary<long, int> accountKey, List<KeyInfo> keyList,
        List<(DirectoryNode Node, int Variant)>[] keyNodes, Guid[] keyClass, List<SecurityDescriptor> descriptors, List<Token> tokens)
    {
        var holders = new Dictionary<Sid, List<int>>();
        for (int t = 0; t < tokens.Count; t++)
        {
            void Hold(Sid sid)
            {
                if (!holders.TryGetValue(sid, out var l)) holders[sid] = l = [];
                if (l.Count == 0 || l[^1] != t) l.Add(t);
            }
            Hold(tokens[t].User.Sid);
            foreach (var g in tokens[t].Groups) Hold(g.Sid);
        }
        long cells = 0;
        var usesSelf = new bool?[keyList.Count];
        using var table = store.Connection.CreateAppender("ad_self");
        foreach (var account in membership.Accounts)
        {
            if (!accountKey.TryGetValue(account.Seq, out int k) || !holders.TryGetValue(account.Sid, out var list)) continue;
            var sd = AccessEvaluators.ForCheck(descriptors[keyList[k].DescriptorId]);
            usesSelf[k] ??= DirectoryAccess.UsesPrincipalSelf(sd);
            if (usesSelf[k] != true) continue;
            foreach (var (node, _) in keyNodes[k])
            {
                var variant = DirectoryAccess.Variant(sd, keyClass[k], node, account.Sid);
                foreach (int t in list)
                {
                    var r = AccessCheck.Check(variant, tokens[t], AccessMask.MaximumAllowed, DirectoryAccess.Mapping);
                    table.CreateRow().AppendValue(account.Seq).AppendValue(t).AppendValue(node.Key).AppendValue(r.IsGranted ? r.GrantedAccess : 0u).EndRow();
                    cells++;
                }
            }
        }
        return cells;
    }

    /// <summary>
    /// The principals: every enabled user when no file is given; else the file's token JSON or whoami captures as
    /// given, or its lines, each a SID, sAMAccountName or DN of an account in the export (<c>#</c> comments).
    /// </summary>
    internal static List<AuditPrincipal> LoadPrincipals(string? path, DirectoryMembership membership, List<(string, string, string)> warnings)
    {
        var result = new List<AuditPrincipal>();
        if (path is null)
        {
            foreach (var a in membership.Accounts)
                if (a.Kind == AccountKind.User && !a.IsDisabled) result.Add(membership.Principal(a));
            if (result.Count == 0) throw new FormatException("the export holds no enabled user (objectClass user with objectSid and userAccountControl without ACCOUNTDISABLE): name principals with --principals");
            return result;
        }
        if (Directory.Exists(path)) return [.. PrincipalLoader.Load(path, LogonKind.Network, network: true)];
        string text = File.ReadAllText(path);
        var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (trimmed.StartsWith('{') || NtSec.Import.WindowsOutput.Detect(text) == NtSec.Import.WindowsOutputKind.Whoami)
            return [.. PrincipalLoader.Load(path, LogonKind.Network, network: true)];
        int line = 0;
        foreach (var raw in text.Split('\n'))
        {
            line++;
            var name = raw.Trim().TrimStart('\uFEFF');
            if (name.Length == 0 || name[0] == '#') continue;
            var found = Sid.TryParse(name, out var sid) ? (membership.Find(sid) is { } a ? [a] : []) : membership.FindByName(name).ToList();
            if (found.Count == 0) throw new FormatException($"{path}: line {line}: '{name}' is no account of the export (a SID, sAMAccountName or DN)");
            foreach (var account in found)
            {
                if (account.IsDisabled)
                {
                    warnings.Add(("disabled-principal", account.Dn, $"{path}: line {line}: the account is disabled: no logon builds its token, so it is left out"));
                    continue;
                }
                result.Add(membership.Principal(account));
            }
        }
        if (result.Count == 0) throw new FormatException($"{path}: no principals");
        return result;
    }

    private static void WriteSchema(EstateStore store, DirectorySchema schema)
    {
        using var a = store.Connection.CreateAppender("ad_schema");
        foreach (var e in schema.All)
        {
            var row = a.CreateRow().AppendValue(e.Guid.ToString()).AppendValue(e.Name).AppendValue(e.Kind.ToString());
            row = e.PropertySet is Guid s ? row.AppendValue(s.ToString()) : row.AppendNullValue();
            row.EndRow();
        }
    }

    // What the BloodHound export and directory drift read beside the cells: accounts' primary group, group type and
    // sIDHistory, the direct memberships, gPLink values, and the defaultSecurityDescriptor of each class the
    // export's schema holds.
    private static void WriteAccounts(EstateStore store, DirectoryMembership membership, DirectorySchema schema, List<(long Seq, string Link)> gpLinks)
    {
        using (var a = store.Connection.CreateAppender("ad_accounts"))
        {
            foreach (var account in membership.Accounts)
            {
                var row = a.CreateRow().AppendValue(account.Seq);
                row = account.PrimaryGroupId is uint pg ? row.AppendValue(pg) : row.AppendNullValue();
                row = account.GroupType is int gt ? row.AppendValue(gt) : row.AppendNullValue();
                row = account.Kind == AccountKind.Group ? row.AppendValue(account.IsSecurityGroup) : row.AppendNullValue();
                row = account.SidHistory.Count > 0 ? row.AppendValue(string.Join(",", account.SidHistory)) : row.AppendNullValue();
                row.EndRow();
            }
        }
        using (var m = store.Connection.CreateAppender("ad_members"))
            foreach (var (group, member) in membership.DirectLinks()) m.CreateRow().AppendValue(group).AppendValue(member).EndRow();
        using (var l = store.Connection.CreateAppender("ad_gplinks"))
            foreach (var (seq, link) in gpLinks) l.CreateRow().AppendValue(seq).AppendValue(link).EndRow();
        using var d = store.Connection.CreateAppender("ad_defaults");
        foreach (var (objectClass, sddl) in schema.DefaultSecurityDescriptors) d.CreateRow().AppendValue(objectClass).AppendValue(sddl).EndRow();
    }

    private static void AppendObject(DuckDBAppender objects, DuckDBAppender adObjects, long seq, DirectoryObject entry, int? descriptorId, int? keyId, string status, string? problem)
    {
        var rdns = DistinguishedName.Split(entry.Dn);
        string? parent = DistinguishedName.Parent(entry.Dn);
        var row = objects.CreateRow().AppendValue(seq).AppendValue(entry.Dn);
        row = parent is null ? row.AppendNullValue() : row.AppendValue(parent);
        row = row.AppendValue(rdns.Count).AppendNullValue();
        row = descriptorId is int d ? row.AppendValue(d) : row.AppendNullValue();
        row = row.AppendValue(status);
        row = problem is null ? row.AppendNullValue() : row.AppendValue(problem);
        row.EndRow();
        var kind = entry.Is("computer") ? "computer" : entry.Is("user") ? "user" : entry.Is("group") ? "group" : "other";
        var a = adObjects.CreateRow().AppendValue(seq).AppendValue(entry.Dn).AppendValue(DistinguishedName.Key(entry.Dn)).AppendValue(entry.StructuralClass).AppendValue(kind);
        a = entry.ObjectSid is Sid sid ? a.AppendValue(sid.ToString()) : a.AppendNullValue();
        a = entry.ObjectGuid is Guid g ? a.AppendValue(g.ToString()) : a.AppendNullValue();
        a = entry.SamAccountName is { } sam ? a.AppendValue(sam) : a.AppendNullValue();
        a = entry.UserAccountControl is uint uac ? a.AppendValue(uac) : a.AppendNullValue();
        a = keyId is int k ? a.AppendValue(k) : a.AppendNullValue();
        a.EndRow();
    }

    private static ScanProgress Report(long objects, int descriptors, int evaluated, double fraction, TimeSpan elapsed)
    {
        double rate = objects / Math.Max(0.001, elapsed.TotalSeconds);
        TimeSpan? eta = fraction > 0.001 && fraction < 1 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction) : null;
        return new ScanProgress(objects, rate, descriptors, evaluated, fraction, elapsed, eta);
    }
}
