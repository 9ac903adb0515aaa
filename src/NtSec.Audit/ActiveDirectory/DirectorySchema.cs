namespace NtSec.Audit.ActiveDirectory;

/// <summary>
/// The names of a directory's GUIDs: its classes, attributes (with their property sets), property sets, extended
/// rights and validated writes. Built from the schema and Extended-Rights entries of an export; the built-in table
/// (<see cref="DirectoryGuids"/>) fills in whatever the export does not carry. One GUID may have several roles
/// (<c>member</c> is an attribute and the Self-Membership validated write).
/// </summary>
public sealed class DirectorySchema
{
    private readonly Dictionary<Guid, List<DirectoryGuid>> _byGuid = [];
    private readonly Dictionary<string, List<DirectoryGuid>> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _defaultSd = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<Guid> _propertySets = [];

    private DirectorySchema()
    {
    }

    /// <summary>The built-in table alone: what an export without a schema is read with.</summary>
    public static DirectorySchema BuiltIn { get; } = new Builder().Build();

    /// <summary>How many of the entries came from the export (0 when it carried no schema).</summary>
    public int FromExport { get; private set; }

    /// <summary>Every entry, export first.</summary>
    public IEnumerable<DirectoryGuid> All => _byGuid.Values.SelectMany(l => l);

    /// <summary>The entries for a GUID (several roles possible); empty when unknown.</summary>
    public IReadOnlyList<DirectoryGuid> Lookup(Guid guid) => _byGuid.TryGetValue(guid, out var l) ? l : [];

    /// <summary>The entries with this name (lDAPDisplayName, a right's cn, or an alias such as Reset-Password).</summary>
    public IReadOnlyList<DirectoryGuid> Lookup(string name) => _byName.TryGetValue(name, out var l) ? l : [];

    /// <summary>The first name of a GUID, or null when it is unknown.</summary>
    public string? NameOf(Guid guid) => _byGuid.TryGetValue(guid, out var l) ? l[0].Name : null;

    /// <summary>A GUID's name, or the GUID itself.</summary>
    public string Display(Guid guid) => NameOf(guid) ?? guid.ToString();

    /// <summary>The property set an attribute belongs to (its <c>attributeSecurityGUID</c>), if any.</summary>
    public Guid? PropertySetOf(Guid attribute)
    {
        foreach (var e in Lookup(attribute))
            if (e.Kind == DirectoryGuidKind.Property) return e.PropertySet;
        return null;
    }

    /// <summary>Whether attributes point at this GUID as their property set, or a right entry says it is one.</summary>
    public bool IsPropertySet(Guid guid) => _propertySets.Contains(guid);

    /// <summary>The <c>schemaIDGUID</c> of a class by its lDAPDisplayName.</summary>
    public Guid? ClassGuid(string ldapDisplayName)
    {
        foreach (var e in Lookup(ldapDisplayName))
            if (e.Kind == DirectoryGuidKind.Class) return e.Guid;
        return null;
    }

    /// <summary>The <c>defaultSecurityDescriptor</c> (SDDL) of a class, when the export's schema holds it.</summary>
    public string? DefaultSecurityDescriptor(string ldapDisplayName) => _defaultSd.TryGetValue(ldapDisplayName, out var s) ? s : null;

    /// <summary>Every class whose <c>defaultSecurityDescriptor</c> the export's schema holds, with that SDDL.</summary>
    public IEnumerable<(string ObjectClass, string Sddl)> DefaultSecurityDescriptors => _defaultSd.Select(p => (p.Key, p.Value));

    /// <summary>Entries named by <paramref name="text"/>: a name, an alias, or a GUID with or without braces.</summary>
    public IReadOnlyList<DirectoryGuid> Resolve(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Guid.TryParse(text.Trim(), out var g))
        {
            var known = Lookup(g);
            return known.Count > 0 ? known : [new DirectoryGuid(g, g.ToString(), DirectoryGuidKind.ExtendedRight)];
        }
        return Lookup(text.Trim());
    }

    /// <summary>Collects the schema entries of an export, then adds the built-in table under them.</summary>
    public sealed class Builder
    {
        private readonly List<DirectoryGuid> _export = [];
        private readonly Dictionary<string, string> _defaultSd = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// Takes the object when it is a schema or Extended-Rights entry (<c>classSchema</c>, <c>attributeSchema</c>,
        /// <c>controlAccessRight</c>); returns whether it was one.
        /// </summary>
        public bool Add(DirectoryObject entry)
        {
            ArgumentNullException.ThrowIfNull(entry);
            if (entry.Is("classSchema") && entry.SchemaIdGuid is Guid c && entry.LdapDisplayName is { } cn)
            {
                _export.Add(new DirectoryGuid(c, cn, DirectoryGuidKind.Class));
                if (entry.DefaultSecurityDescriptor is { } sd) _defaultSd[cn] = sd;
                return true;
            }
            if (entry.Is("attributeSchema") && entry.SchemaIdGuid is Guid a && entry.LdapDisplayName is { } an)
            {
                _export.Add(new DirectoryGuid(a, an, DirectoryGuidKind.Property, entry.AttributeSecurityGuid));
                return true;
            }
            if (entry.Is("controlAccessRight") && entry.RightsGuid is Guid r)
            {
                string name = entry.Cn ?? FirstRdnValue(entry.Dn);
                // validAccesses: CR is an extended right, RP/WP a property set, SW a validated write
                // (MS-ADTS 3.1.1.2.3.3 and 5.1.3.2.1).
                uint valid = entry.ValidAccesses ?? 0x100;
                var kind = (valid & 0x100) != 0 ? DirectoryGuidKind.ExtendedRight
                    : (valid & 0x30) != 0 ? DirectoryGuidKind.PropertySet
                    : (valid & 0x8) != 0 ? DirectoryGuidKind.ValidatedWrite : DirectoryGuidKind.ExtendedRight;
                _export.Add(new DirectoryGuid(r, name, kind, AppliesTo: entry.AppliesTo));
                return true;
            }
            return false;
        }

        /// <summary>The schema: the export's entries, then each built-in entry whose GUID and role the export lacks.</summary>
        public DirectorySchema Build()
        {
            var schema = new DirectorySchema { FromExport = _export.Count };
            foreach (var e in _export) schema.Add(e);
            foreach (var e in DirectoryGuids.All)
            {
                bool have = false;
                foreach (var x in schema.Lookup(e.Guid))
                    if (x.Kind == e.Kind) have = true;
                if (!have) schema.Add(e);
            }
            schema.AddAliases();
            foreach (var (k, v) in _defaultSd) schema._defaultSd[k] = v;
            return schema;
        }
    }

    /// <summary>A schema of exactly these entries (as a scan stored them), with the aliases.</summary>
    public static DirectorySchema FromEntries(IEnumerable<DirectoryGuid> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var schema = new DirectorySchema();
        foreach (var e in entries) schema.Add(e);
        schema.AddAliases();
        return schema;
    }

    private void AddAliases()
    {
        foreach (var (alias, name) in DirectoryGuids.Aliases)
            foreach (var e in Lookup(name).ToArray())
                AddName(alias, e);
    }

    private void Add(DirectoryGuid e)
    {
        if (!_byGuid.TryGetValue(e.Guid, out var l)) _byGuid[e.Guid] = l = [];
        l.Add(e);
        AddName(e.Name, e);
        if (e.Kind == DirectoryGuidKind.PropertySet) _propertySets.Add(e.Guid);
        if (e.Kind == DirectoryGuidKind.Property && e.PropertySet is Guid set) _propertySets.Add(set);
    }

    private void AddName(string name, DirectoryGuid e)
    {
        if (!_byName.TryGetValue(name, out var l)) _byName[name] = l = [];
        if (!l.Contains(e)) l.Add(e);
    }

    private static string FirstRdnValue(string dn)
    {
        var rdn = DistinguishedName.Split(dn).FirstOrDefault() ?? dn;
        int eq = rdn.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? rdn : rdn[(eq + 1)..];
    }
}
