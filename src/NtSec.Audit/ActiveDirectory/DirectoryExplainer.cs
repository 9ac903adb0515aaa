using System.Globalization;
using System.Text;
using NtSec.Audit.Queries;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>The explanation of one directory cell: the check Windows makes, run again with its account of each ACE.</summary>
/// <param name="Dn">The object.</param>
/// <param name="ObjectClass">Its structural class.</param>
/// <param name="ObjectSid">Its objectSid (what PRINCIPAL_SELF stands for), if any.</param>
/// <param name="Principal">The principal's name.</param>
/// <param name="Right">The question; null for everything granted on the object as a whole.</param>
/// <param name="Descriptor">The stored descriptor; null when the export had none.</param>
/// <param name="ObjectTypes">The object type list checked (the class, then the property set and attribute, or the right).</param>
/// <param name="Check">The explanation of AccessCheckByTypeResultList; null without a descriptor.</param>
/// <param name="Granted">What the check grants at the question's node (MAXIMUM_ALLOWED).</param>
/// <param name="Answer">Whether the question's rights are all granted.</param>
/// <param name="Stored">The grant the database holds for the cell, or null when it holds none.</param>
/// <param name="Schema">The scan's schema, for the names of GUIDs.</param>
/// <param name="Names">The principals' names by SID.</param>
public sealed record DirectoryCellExplanation(string Dn, string ObjectClass, Sid? ObjectSid, string Principal, DirectoryRight? Right,
    SecurityDescriptor? Descriptor, ObjectTypeEntry[] ObjectTypes, AccessCheckExplanation? Check, uint Granted, bool Answer, uint? Stored,
    DirectorySchema Schema, IReadOnlyDictionary<Sid, string> Names);

/// <summary>Explains cells of a directory scan.</summary>
public static class DirectoryExplainer
{
    /// <summary>Explains the cell of object <paramref name="seq"/>, principal <paramref name="principalId"/> and <paramref name="right"/>.</summary>
    public static DirectoryCellExplanation Explain(EstateStore store, long seq, int principalId, DirectoryRight? right)
    {
        ArgumentNullException.ThrowIfNull(store);
        var schema = DirectoryQueries.Schema(store);
        string dn, objectClass, principal, tokenJson;
        Sid? objectSid = null;
        int? descriptorId, keyId;
        int tokenId;
        Guid classGuid = Guid.Empty;
        using (var cmd = store.Command("""
            SELECT a.dn, a.object_class, a.sid, o.descriptor_id, a.key_id, k.class_guid, p.name, t.token_json, p.token_id
            FROM ad_objects a JOIN objects o ON o.seq = a.seq LEFT JOIN ad_keys k ON k.key_id = a.key_id, principals p JOIN tokens t ON t.token_id = p.token_id
            WHERE a.seq = $1 AND p.principal_id = $2
            """, seq, principalId))
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read()) throw new InvalidOperationException("no such object or principal");
            dn = r.GetString(0);
            objectClass = r.GetString(1);
            if (!r.IsDBNull(2) && Sid.TryParse(r.GetString(2), out var s)) objectSid = s;
            descriptorId = r.IsDBNull(3) ? null : r.GetInt32(3);
            keyId = r.IsDBNull(4) ? null : r.GetInt32(4);
            if (!r.IsDBNull(5)) classGuid = Guid.Parse(r.GetString(5));
            principal = r.GetString(6);
            tokenJson = r.GetString(7);
            tokenId = r.GetInt32(8);
        }
        if (!TokenJson.TryRead(tokenJson, null, out var token, out var tokenError)) throw new InvalidDataException($"stored token of {principal}: {tokenError}");
        var names = new Dictionary<Sid, string>();
        // Principals by their names, then the export's accounts (groups too) by sAMAccountName.
        using (var cmd = store.Command("SELECT sid, name FROM principals UNION ALL SELECT sid, sam FROM ad_objects WHERE sid IS NOT NULL AND sam IS NOT NULL"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (Sid.TryParse(r.GetString(0), out var sid)) names.TryAdd(sid, r.GetString(1));
        var node = right?.Node ?? DirectoryNode.Root;
        var list = node.ObjectTypes(classGuid);
        if (descriptorId is not int id)
            return new DirectoryCellExplanation(dn, objectClass, objectSid, principal, right, null, list, null, 0, false, null, schema, names);

        var sd = Engine.AccessEvaluators.ForCheck(SecurityDescriptor.FromBinary(CellExplainer.Blob(store, "SELECT sd_binary FROM descriptors WHERE descriptor_id = $1", id)));
        var explanation = new AccessCheckExplanation();
        var granted = new uint[list.Length];
        var statuses = new NtStatus[list.Length];
        // The question's rights, as the DC asks them, with the explanation; MAXIMUM_ALLOWED for what the matrix stores.
        AccessCheck.CheckResultList(sd, token!, right?.Mask ?? AccessMask.MaximumAllowed, DirectoryAccess.Mapping, list, granted, statuses, objectSid, explanation);
        var max = new uint[list.Length];
        AccessCheck.CheckResultList(sd, token!, AccessMask.MaximumAllowed, DirectoryAccess.Mapping, list, max, statuses, objectSid);
        uint leaf = max[^1];
        bool answer = right is null ? leaf != 0 : (leaf & right.Mask) == right.Mask;
        uint? stored = DirectoryQueries.StoredGrant(store, seq, tokenId, node);
        return new DirectoryCellExplanation(dn, objectClass, objectSid, principal, right, sd, list, explanation, leaf, answer, stored, schema, names);
    }

    /// <summary>The explanation as text.</summary>
    public static string ToText(DirectoryCellExplanation cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var type = ObjectTypes.DirectoryServiceObject;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"object:     {cell.Dn} ({cell.ObjectClass})\n");
        sb.Append(CultureInfo.InvariantCulture, $"principal:  {cell.Principal}\n");
        sb.Append(CultureInfo.InvariantCulture, $"question:   {cell.Right?.Name ?? "everything granted on the object as a whole (MAXIMUM_ALLOWED)"}\n");
        if (cell.Descriptor is null)
        {
            sb.Append("descriptor: none in the export: nothing is granted (the audit fails closed)\n");
            return sb.ToString();
        }
        sb.Append(CultureInfo.InvariantCulture, $"descriptor: {cell.Descriptor.ToSddl()}\n");
        if (cell.ObjectSid is Sid self) sb.Append(CultureInfo.InvariantCulture, $"self:       PRINCIPAL_SELF (PS) stands for the object's SID {self}\n");
        sb.Append("object types (AccessCheckByTypeResultList):\n");
        foreach (var e in cell.ObjectTypes)
        {
            string name = e.ObjectType == DirectoryNode.Unnamed ? "(an attribute of the set that no ACE names)" : cell.Schema.Display(e.ObjectType);
            sb.Append(CultureInfo.InvariantCulture, $"  level {e.Level}  {e.ObjectType}  {name}\n");
        }
        string? Name(Sid sid) => cell.Names.TryGetValue(sid, out var n) ? n : null;
        sb.Append('\n').Append(ExplanationText.Render(cell.Check!, type, Name));
        sb.Append(CultureInfo.InvariantCulture, $"\ngranted at the last entry: {DirectoryRight.Format(cell.Granted)} (0x{cell.Granted:x8})\n");
        if (cell.Right is not null) sb.Append(CultureInfo.InvariantCulture, $"answer:     {(cell.Answer ? "yes" : "no")}: {cell.Right.Name} is {(cell.Answer ? "" : "not ")}granted\n");
        sb.Append(cell.Stored is uint stored
            ? stored == cell.Granted ? "matrix:     the stored cell agrees\n" : $"matrix:     the stored cell says 0x{stored:x8}: the database is stale or was written by another version\n"
            : "matrix:     no stored cell\n");
        return sb.ToString();
    }
}
