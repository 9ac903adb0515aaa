using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>
/// A leaf of the object type tree a domain controller checks an object with: the object itself (<see cref="Root"/>),
/// a level-1 node (an attribute outside any property set, an extended right, a validated write, a child class), an
/// attribute under its property set, or an attribute of a set that no ACE names by itself (<see cref="Guid"/> null).
/// </summary>
/// <param name="Set">The property set above the node, if any.</param>
/// <param name="Guid">The node's GUID; null for the root or for "any other attribute of <paramref name="Set"/>".</param>
public readonly record struct DirectoryNode(Guid? Set, Guid? Guid)
{
    /// <summary>The object itself: the object type list holds only the class.</summary>
    public static DirectoryNode Root => default;

    /// <summary>Whether this is the root.</summary>
    public bool IsRoot => Set is null && Guid is null;

    /// <summary>The stored form: empty for the root, <c>G</c>, <c>S/G</c>, or <c>S/*</c>.</summary>
    public string Key => (Set, Guid) switch
    {
        (null, null) => "",
        (null, { } g) => g.ToString(),
        ({ } s, null) => s + "/*",
        ({ } s, { } g) => s + "/" + g,
    };

    /// <summary>Reads <see cref="Key"/>.</summary>
    public static bool TryParse(string key, out DirectoryNode node)
    {
        node = Root;
        if (string.IsNullOrEmpty(key)) return true;
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            if (!System.Guid.TryParse(key, out var g)) return false;
            node = new(null, g);
            return true;
        }
        if (!System.Guid.TryParse(key.AsSpan(0, slash), out var s)) return false;
        var rest = key.AsSpan(slash + 1);
        if (rest.SequenceEqual("*"))
        {
            node = new(s, null);
            return true;
        }
        if (!System.Guid.TryParse(rest, out var p)) return false;
        node = new(s, p);
        return true;
    }

    /// <summary>
    /// The object type list Windows checks this node with (MS-ADTS 5.1.3.3.3 for attributes, the class at level 0
    /// and the right at level 1 for extended rights and validated writes). An unnamed attribute of a set gets a
    /// GUID no ACE names (all zeros but the last byte), which is what any such attribute sees.
    /// </summary>
    public ObjectTypeEntry[] ObjectTypes(Guid classGuid)
    {
        if (IsRoot) return [new(0, classGuid)];
        if (Set is Guid s) return [new(0, classGuid), new(1, s), new(2, Guid ?? Unnamed)];
        return [new(0, classGuid), new(1, Guid!.Value)];
    }

    /// <summary>The stand-in GUID of an attribute no ACE names (a GUID AD never assigns).</summary>
    public static readonly Guid Unnamed = new("00000000-0000-0000-0000-000000000001");
}

/// <summary>
/// How a directory object's cells are computed exactly with the compiled matrix engine, which checks without an
/// object type list. The grant at a leaf of an object type tree depends only on the ACEs whose object type lies on
/// the leaf's path (the class, the property set, the leaf): an allow or deny ACE for a node acts on that node's
/// subtree, and what propagates upwards (a deny, or the intersection of children's grants) reaches only ancestors,
/// never a leaf (AccessCheck's EvaluateDacl). So the leaf's grant equals a plain check of a descriptor that keeps
/// those ACEs as plain ACEs and drops every other object ACE: the <see cref="Variant"/>. The audit's tests compare
/// both on sampled cells against AccessCheckByTypeResultList with the whole tree.
/// </summary>
public static class DirectoryAccess
{
    /// <summary>The generic mapping of directory objects.</summary>
    public static GenericMapping Mapping => NtSec.Authorization.ObjectTypes.DirectoryServiceObject.GenericMapping;

    /// <summary>Whether an ACE takes part in a check at all: an allow or deny ACE that is not inherit-only.</summary>
    private static bool Effective(Ace ace) => !ace.IsRaw && !ace.IsInheritOnly && (ace.IsAccessAllowed || ace.IsAccessDenied);

    /// <summary>
    /// The leaves other than the root whose grant can differ from the root's: one per role of each GUID an
    /// effective object ACE names (other than the class itself).
    /// </summary>
    public static IReadOnlyList<DirectoryNode> Nodes(SecurityDescriptor sd, Guid classGuid, DirectorySchema schema)
    {
        ArgumentNullException.ThrowIfNull(sd);
        ArgumentNullException.ThrowIfNull(schema);
        var nodes = new List<DirectoryNode>();
        if (sd.Dacl is null) return nodes;
        var seen = new HashSet<Guid>();
        foreach (var ace in sd.Dacl.Aces)
        {
            if (!Effective(ace) || !ace.IsObjectAce || ace.ObjectType is not Guid g || g == classGuid || !seen.Add(g)) continue;
            foreach (var node in NodesOf(g, schema))
                if (!nodes.Contains(node)) nodes.Add(node);
        }
        return nodes;
    }

    /// <summary>Every leaf a GUID can stand for: an attribute under its set (or at level 1), a set's other attributes, a level-1 right or class.</summary>
    public static IEnumerable<DirectoryNode> NodesOf(Guid guid, DirectorySchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var roles = schema.Lookup(guid);
        bool level1 = roles.Count == 0;
        foreach (var e in roles)
        {
            if (e.Kind == DirectoryGuidKind.Property) yield return new DirectoryNode(e.PropertySet, guid);
            else if (e.Kind != DirectoryGuidKind.PropertySet) level1 = true;
        }
        if (schema.IsPropertySet(guid)) yield return new DirectoryNode(guid, null);
        if (level1) yield return new DirectoryNode(null, guid);
    }

    /// <summary>
    /// Where a question about <paramref name="wanted"/> is answered for an object whose descriptor names
    /// <paramref name="present"/>: the node itself, else its set's other attributes, else the root.
    /// </summary>
    public static DirectoryNode Resolve(DirectoryNode wanted, IReadOnlyCollection<DirectoryNode> present)
    {
        ArgumentNullException.ThrowIfNull(present);
        if (wanted.IsRoot) return wanted;
        if (present.Contains(wanted)) return wanted;
        if (wanted.Set is Guid s && wanted.Guid is not null && present.Contains(new DirectoryNode(s, null))) return new DirectoryNode(s, null);
        return DirectoryNode.Root;
    }

    /// <summary>
    /// The descriptor whose plain check gives the grant at <paramref name="node"/> of an object of class
    /// <paramref name="classGuid"/>: allow and deny ACEs without an object type, or whose object type is on the
    /// node's path, become plain ACEs; other object ACEs and inherit-only ACEs are dropped; PRINCIPAL_SELF becomes
    /// <paramref name="self"/> when it is given (as AccessCheckByType's PrincipalSelfSid does). Owner, group, SACL
    /// and control stay, so integrity labels and resource attributes still apply.
    /// </summary>
    public static SecurityDescriptor Variant(SecurityDescriptor sd, Guid classGuid, DirectoryNode node, Sid? self = null)
    {
        ArgumentNullException.ThrowIfNull(sd);
        if (sd.Dacl is null) return sd;
        var aces = new List<Ace>(sd.Dacl.Count);
        foreach (var ace in sd.Dacl.Aces)
        {
            if (ace.IsRaw || !(ace.IsAccessAllowed || ace.IsAccessDenied))
            {
                // Ignored by every check; kept so that nothing else about the DACL changes.
                aces.Add(ace);
                continue;
            }
            if (ace.IsInheritOnly) continue;
            var sid = self is Sid s && ace.Sid == WellKnownSids.PrincipalSelf ? s : ace.Sid;
            if (!ace.IsObjectAce)
            {
                aces.Add(sid == ace.Sid ? ace : ace.WithSid(sid));
                continue;
            }
            if (ace.ObjectType is Guid g && g != classGuid && g != node.Set && g != node.Guid)
            {
                // An OWNER RIGHTS ACE for another node still takes the owner's implied rights away on every node
                // (Acl.HasEffectiveOwnerRightsAce counts it): a stand-in that grants nothing keeps that.
                if (ace.Sid == WellKnownSids.OwnerRights) aces.Add(new Ace(AceType.AccessAllowed, ace.Flags, 0, WellKnownSids.OwnerRights));
                continue;
            }
            aces.Add(new Ace(ace.TypeInfo!.PlainType, ace.Flags, ace.Mask, sid, null, null, ace.ApplicationData));
        }
        return sd.WithDacl(new Acl(aces));
    }

    /// <summary>Whether the descriptor has an effective ACE for PRINCIPAL_SELF, so the object's own SID changes some cells.</summary>
    public static bool UsesPrincipalSelf(SecurityDescriptor sd)
    {
        ArgumentNullException.ThrowIfNull(sd);
        if (sd.Dacl is null) return false;
        foreach (var ace in sd.Dacl.Aces)
            if (Effective(ace) && ace.Sid == WellKnownSids.PrincipalSelf) return true;
        return false;
    }
}
