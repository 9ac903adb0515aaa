using NtSec.Authorization;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>A question about a directory object: rights at a node of its object type tree.</summary>
/// <param name="Name">The question as shown (<c>WriteProperty:member</c>).</param>
/// <param name="Mask">The rights; all must be granted.</param>
/// <param name="Node">Where they are checked; the root for rights on the object as a whole.</param>
/// <param name="Target">The GUID named, when the question names one.</param>
public sealed record DirectoryRight(string Name, uint Mask, DirectoryNode Node, Guid? Target)
{
    /// <summary>
    /// The names of the directory rights, as System.DirectoryServices.ActiveDirectoryRights spells them (the names
    /// PowerShell's Get-Acl and BloodHound show); their bits are ADS_RIGHTS_ENUM's, the generic ones as mapped
    /// for directory objects (docs/audit-ad.md). The one declaration of these names.
    /// </summary>
    public static IReadOnlyList<(string Name, uint Mask)> Names { get; } =
    [
        ("GenericAll", DirectoryServiceAccessRights.AllAccess), ("GenericRead", DirectoryServiceAccessRights.GenericRead),
        ("GenericWrite", DirectoryServiceAccessRights.GenericWrite), ("GenericExecute", DirectoryServiceAccessRights.GenericExecute),
        ("CreateChild", DirectoryServiceAccessRights.CreateChild), ("DeleteChild", DirectoryServiceAccessRights.DeleteChild),
        ("ListChildren", DirectoryServiceAccessRights.List), ("Self", DirectoryServiceAccessRights.Self),
        ("ReadProperty", DirectoryServiceAccessRights.ReadProperty), ("WriteProperty", DirectoryServiceAccessRights.WriteProperty),
        ("DeleteTree", DirectoryServiceAccessRights.DeleteTree), ("ListObject", DirectoryServiceAccessRights.ListObject),
        ("ExtendedRight", DirectoryServiceAccessRights.ControlAccess),
        ("Delete", AccessMask.Delete), ("ReadControl", AccessMask.ReadControl), ("WriteDacl", AccessMask.WriteDac), ("WriteOwner", AccessMask.WriteOwner),
    ];

    /// <summary>Other spellings: BloodHound's AllExtendedRights, the ADS_RIGHT_DS_CONTROL_ACCESS meaning.</summary>
    private static readonly (string Alias, string Name)[] Aliases = [("AllExtendedRights", "ExtendedRight"), ("ControlAccess", "ExtendedRight")];

    // Format's table: GenericAll (named only when all its bits are there), then the one-bit rights. The other
    // generic names are left out, so that a mask short of GenericAll shows right by right.
    private static readonly (string Name, uint Mask)[] FormatOrder =
        [.. Names.Where(n => n.Name == "GenericAll" || !n.Name.StartsWith("Generic", StringComparison.Ordinal))];

    /// <summary>The rights of a mask by name, composites first (GenericAll covers all its bits).</summary>
    public static string Format(uint mask)
    {
        if (mask == 0) return "(nothing)";
        return string.Join(", ", BitNames.Of(mask, FormatOrder, requireAllBits: true));
    }

    private static bool TryMask(string text, out uint mask)
    {
        var name = text;
        foreach (var (alias, target) in Aliases)
            if (alias.Equals(text, StringComparison.OrdinalIgnoreCase)) name = target;
        foreach (var (n, bits) in Names)
        {
            if (!n.Equals(name, StringComparison.OrdinalIgnoreCase)) continue;
            mask = bits;
            return true;
        }
        // ADS_RIGHT_* names, SDDL codes (WP, CR ...) and masks, mapped as for any directory object.
        if (AccessRightNames.TryParse(text, ObjectTypes.DirectoryServiceObject, out mask, out _))
        {
            mask = DirectoryAccess.Mapping.Map(mask);
            return mask != 0;
        }
        return false;
    }

    /// <summary>
    /// Reads a question: a right (<c>GenericAll</c>, <c>WriteDacl</c>, <c>WriteProperty</c>, an SDDL code, a mask),
    /// a schema name or GUID (an extended right asks ExtendedRight, an attribute or property set WriteProperty, a
    /// validated write Self, a class CreateChild), or <c>RIGHT:NAME</c> for another right at that node
    /// (<c>ReadProperty:member</c>).
    /// </summary>
    public static bool TryParse(string text, DirectorySchema schema, out DirectoryRight? right, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(schema);
        right = null;
        error = null;
        text = text.Trim();
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            if (!TryMask(text[..colon], out uint m))
            {
                error = $"'{text[..colon]}' is not a directory right (" + string.Join(", ", Names.Select(n => n.Name)) + ")";
                return false;
            }
            return TryTarget(text[(colon + 1)..], m, schema, out right, out error);
        }
        if (TryMask(text, out uint mask))
        {
            right = new DirectoryRight(Format(mask), mask, DirectoryNode.Root, null);
            return true;
        }
        return TryTarget(text, null, schema, out right, out error);
    }

    // Roles in the order a bare GUID is read: the question auditors ask of each.
    private static readonly DirectoryGuidKind[] RoleOrder =
        [DirectoryGuidKind.ExtendedRight, DirectoryGuidKind.Property, DirectoryGuidKind.PropertySet, DirectoryGuidKind.ValidatedWrite, DirectoryGuidKind.Class];

    private static bool TryTarget(string name, uint? mask, DirectorySchema schema, out DirectoryRight? right, out string? error)
    {
        right = null;
        error = null;
        var roles = schema.Resolve(name);
        if (roles.Count == 0)
        {
            error = $"'{name}' is neither a directory right nor a name in the schema (an attribute, property set, extended right, validated write or class)";
            return false;
        }
        DirectoryGuid? chosen = null;
        if (mask is uint m)
        {
            // The role the rights ask about: CR an extended right, SW a validated write, RP/WP an attribute or set, CC/DC a class.
            DirectoryGuidKind[] wanted = (m & 0x100) != 0 ? [DirectoryGuidKind.ExtendedRight]
                : (m & 0x8) != 0 ? [DirectoryGuidKind.ValidatedWrite]
                : (m & 0x30) != 0 ? [DirectoryGuidKind.Property, DirectoryGuidKind.PropertySet]
                : (m & 0x3) != 0 ? [DirectoryGuidKind.Class] : RoleOrder;
            chosen = roles.FirstOrDefault(r => wanted.Contains(r.Kind)) ?? roles[0];
        }
        else
        {
            foreach (var kind in RoleOrder)
            {
                chosen = roles.FirstOrDefault(r => r.Kind == kind);
                if (chosen is not null) break;
            }
        }
        var e = chosen!;
        uint bits = mask ?? e.Kind switch
        {
            DirectoryGuidKind.ExtendedRight => 0x100u,
            DirectoryGuidKind.ValidatedWrite => 0x8u,
            DirectoryGuidKind.Class => 0x1u,
            _ => 0x20u,
        };
        var node = e.Kind switch
        {
            DirectoryGuidKind.Property => new DirectoryNode(e.PropertySet, e.Guid),
            DirectoryGuidKind.PropertySet => new DirectoryNode(e.Guid, null),
            _ => new DirectoryNode(null, e.Guid),
        };
        right = new DirectoryRight($"{Format(bits)}:{e.Name}", bits, node, e.Guid);
        return true;
    }
}
