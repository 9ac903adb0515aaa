using NtSec.Acls;
using NtSec.Audit.Queries;
using NtSec.Audit.Store;
using NtSec.Descriptors;
using NtSec.Inheritance;
using NtSec.Principals;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>
/// Drift over a directory scan. Two kinds mean something else than over a file tree, because a directory object
/// starts from its class's <c>defaultSecurityDescriptor</c> and inherits by object type:
/// <see cref="DriftKind.Explicit"/> lists the explicit ACEs that are not in the class's default (and
/// <see cref="DriftKind.DefaultMissing"/> the default ACEs an object lost), and <see cref="DriftKind.ParentDiffers"/>
/// compares the inherited ACEs with what the parent's give an object of that class (the library's inheritance
/// with the object's class as its object type). The other kinds are the estate's.
/// </summary>
public static class DirectoryDrift
{
    /// <summary>The findings of the kinds asked, kind by kind, optionally only for DNs matching a glob.</summary>
    public static IEnumerable<DriftRow> Find(EstateStore store, IEnumerable<DriftKind> kinds, string? pathGlob)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(kinds);
        var context = new Context(store);
        foreach (var kind in kinds)
        {
            var rows = kind switch
            {
                DriftKind.Explicit => NotFromDefault(context, pathGlob, extra: true),
                DriftKind.DefaultMissing => NotFromDefault(context, pathGlob, extra: false),
                DriftKind.ParentDiffers => ParentDiffers(context, pathGlob),
                _ => DriftQueries.Find(store, [kind], pathGlob),
            };
            foreach (var row in rows) yield return row;
        }
    }

    // What the directory kinds share: descriptors by ID, the domain SID, the class defaults.
    private sealed class Context(EstateStore store)
    {
        private readonly Dictionary<int, SecurityDescriptor> _descriptors = [];
        private readonly Dictionary<string, (SecurityDescriptor? Sd, string Source)> _defaults = new(StringComparer.OrdinalIgnoreCase);
        private Dictionary<string, string>? _exported;
        private Sid? _domain;
        private bool _domainRead;

        public EstateStore Store { get; } = store;

        public SecurityDescriptor Descriptor(int id)
        {
            if (!_descriptors.TryGetValue(id, out var sd))
                _descriptors[id] = sd = SecurityDescriptor.FromBinary(CellExplainer.Blob(Store, "SELECT sd_binary FROM descriptors WHERE descriptor_id = $1", id));
            return sd;
        }

        private Sid? Domain
        {
            get
            {
                if (_domainRead) return _domain;
                _domainRead = true;
                if (Store.Scalar("SELECT sid FROM ad_objects WHERE lower(object_class) = 'domaindns' AND sid IS NOT NULL ORDER BY seq LIMIT 1") is string s && Sid.TryParse(s, out var d))
                    return _domain = d;
                using var cmd = Store.Command("SELECT sid FROM ad_objects WHERE sid LIKE 'S-1-5-21-%' LIMIT 1");
                using var r = cmd.ExecuteReader();
                if (r.Read() && Sid.TryParse(r.GetString(0), out var a) && a.TryGetWindowsAccountDomain(out var ad)) _domain = ad;
                return _domain;
            }
        }

        /// <summary>The class's default: the export's schema, else the built-in table; null when neither has it.</summary>
        public (SecurityDescriptor? Sd, string Source) Default(string objectClass)
        {
            if (_defaults.TryGetValue(objectClass, out var d)) return d;
            if (_exported is null)
            {
                _exported = new(StringComparer.OrdinalIgnoreCase);
                // Scans made before the table existed have no class defaults from the export.
                if (Convert.ToInt64(Store.Scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ad_defaults'"), System.Globalization.CultureInfo.InvariantCulture) > 0)
                {
                    using var cmd = Store.Command("SELECT object_class, sddl FROM ad_defaults");
                    using var r = cmd.ExecuteReader();
                    while (r.Read()) _exported[r.GetString(0)] = r.GetString(1);
                }
            }
            if (_exported.TryGetValue(objectClass, out var sddl)) d = (DirectoryDefaults.Parse(sddl, Domain), "the export's schema");
            else if (DirectoryDefaults.Sddl(objectClass) is { } builtIn) d = (DirectoryDefaults.Parse(builtIn, Domain), "the built-in table (Windows Server 2016 schema)");
            else d = (null, "");
            return _defaults[objectClass] = d;
        }
    }

    // An ACE as the comparison sees it: inherited flag off, generic rights mapped as the DC stores them.
    private static Ace Normal(Ace ace)
    {
        if (ace.IsRaw) return ace;
        return new Ace(ace.Type, ace.Flags & ~AceFlags.Inherited, DirectoryAccess.Mapping.Map(ace.Mask), ace.Sid, ace.ObjectType, ace.InheritedObjectType, ace.ApplicationData);
    }

    // A default ACE for CREATOR OWNER or CREATOR GROUP also matches the same ACE for the object's owner or group
    // (decided without Windows evidence: the export shows either form).
    private static bool Matches(Ace fromDefault, Ace stored, SecurityDescriptor sd)
    {
        if (fromDefault.Equals(stored)) return true;
        Sid? stand = fromDefault.Sid == WellKnownSids.CreatorOwner ? sd.Owner : fromDefault.Sid == WellKnownSids.CreatorGroup ? sd.Group : null;
        return stand is Sid s && fromDefault.WithSid(s).Equals(stored);
    }

    private static IEnumerable<DriftRow> NotFromDefault(Context context, string? pathGlob, bool extra)
    {
        var ps = new List<object?>();
        string where = pathGlob is null ? "" : " AND " + AccessQueries.PathGlob(ps, pathGlob);
        var verdicts = new Dictionary<(int, string), List<string>>();
        using var cmd = context.Store.Command(
            $"SELECT o.path, o.descriptor_id, a.object_class FROM objects o JOIN ad_objects a ON a.seq = o.seq WHERE o.descriptor_id IS NOT NULL{where} ORDER BY o.seq", [.. ps]);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var key = (r.GetInt32(1), r.GetString(2));
            if (!verdicts.TryGetValue(key, out var found))
                verdicts[key] = found = Compare(context, context.Descriptor(key.Item1), key.Item2, extra);
            foreach (var detail in found) yield return new DriftRow(extra ? DriftKind.Explicit : DriftKind.DefaultMissing, r.GetString(0), detail);
        }
    }

    // Pairs the explicit ACEs with the default's ACEs one to one, in order; what is left over on either side is drift.
    private static List<string> Compare(Context context, SecurityDescriptor sd, string objectClass, bool extra)
    {
        var found = new List<string>();
        var aces = sd.Dacl is { } dacl ? dacl.Aces : [];
        var (def, source) = context.Default(objectClass);
        if (def is null)
        {
            // No default known: every explicit ACE is reported, with the reason.
            if (extra)
                for (int i = 0; i < aces.Length; i++)
                    if (!aces[i].IsInherited) found.Add($"explicit ACE #{i} {aces[i]}: no defaultSecurityDescriptor known for class '{objectClass}' (export the schema)");
            return found;
        }
        var left = (def.Dacl?.Aces ?? []).Select(Normal).ToList();
        var unmatched = new List<int>();
        for (int i = 0; i < aces.Length; i++)
        {
            if (aces[i].IsInherited) continue;
            var stored = Normal(aces[i]);
            int j = left.FindIndex(d => Matches(d, stored, sd));
            if (j >= 0) left.RemoveAt(j);
            else unmatched.Add(i);
        }
        if (extra)
            foreach (int i in unmatched) found.Add($"explicit ACE #{i} {aces[i]} is not in {objectClass}'s defaultSecurityDescriptor (from {source})");
        else
            foreach (var d in left) found.Add($"{objectClass}'s default ACE {d} (from {source}) is not on the object");
        return found;
    }

    private static IEnumerable<DriftRow> ParentDiffers(Context context, string? pathGlob)
    {
        var ps = new List<object?>();
        string where = pathGlob is null ? "" : " AND " + AccessQueries.PathGlob(ps, pathGlob);
        var verdicts = new Dictionary<(int, int, string), string?>();
        using var cmd = context.Store.Command(
            "SELECT o.path, o.descriptor_id, p.descriptor_id, k.class_guid FROM objects o JOIN objects p ON p.path = o.parent JOIN ad_objects a ON a.seq = o.seq JOIN ad_keys k ON k.key_id = a.key_id "
            + $"WHERE o.descriptor_id IS NOT NULL AND p.descriptor_id IS NOT NULL{where} ORDER BY o.seq", [.. ps]);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            string classGuid = r.IsDBNull(3) ? "" : r.GetString(3);
            var key = (r.GetInt32(1), r.GetInt32(2), classGuid);
            if (!verdicts.TryGetValue(key, out var verdict))
            {
                var child = context.Descriptor(key.Item1);
                verdict = null;
                if ((child.Control & SecurityDescriptorControl.DaclProtected) == 0 && child.DaclState == AclState.Present)
                {
                    // Every directory object inherits as a container (the DC creates with IsDirectoryObject), with
                    // its class as the object type inherited-object-type ACEs are matched against. A class neither
                    // the schema nor the built-in table knows matches none.
                    IReadOnlyList<Guid> types = Guid.TryParse(classGuid, out var g) ? [g] : [];
                    var node = SecurityTreeNode.Leaf("", true, child, types);
                    var expected = Propagation.Inherit(context.Descriptor(key.Item2), node, DirectoryAccess.Mapping, out _);
                    verdict = DriftQueries.InheritedDiffers(child, expected);
                }
                verdicts[key] = verdict;
            }
            if (verdict is not null) yield return new DriftRow(DriftKind.ParentDiffers, r.GetString(0), verdict);
        }
    }
}
