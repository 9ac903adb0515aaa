using System.Globalization;
using NtSec.Audit.Engine;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Tokens;
using NtSec.Sddl;

namespace NtSec.Audit.Queries;

/// <summary>The explanation of one cell: the stored answer, and the access check run again with its account of each decision.</summary>
/// <param name="Path">The object's path as stored.</param>
/// <param name="Status">The object's status (ok, unverified, missing ...).</param>
/// <param name="Principal">The principal's name.</param>
/// <param name="Descriptor">The object's descriptor as stored; null when it had none.</param>
/// <param name="OwnerKnown">False when the source gave no owner (icacls /save): nobody was treated as the owner.</param>
/// <param name="IsDirectory">Whether the object is a directory, when the source said.</param>
/// <param name="Desired">The access asked: MAXIMUM_ALLOWED or a right.</param>
/// <param name="StoredGranted">The effective grant the matrix holds.</param>
/// <param name="File">The check of the object's own descriptor.</param>
/// <param name="Share">The check of the share's ACL, when the scan had one.</param>
/// <param name="Effective">What the check grants now: the file's grant, intersected with the share's.</param>
/// <param name="Names">The scan's principal names by user SID, for the rendering.</param>
public sealed record CellExplanation(string Path, string Status, string Principal, SecurityDescriptor? Descriptor, bool OwnerKnown, bool? IsDirectory,
    uint Desired, uint? StoredGranted, AccessCheckExplanation? File, AccessCheckExplanation? Share, uint Effective, IReadOnlyDictionary<NtSec.Principals.Sid, string> Names);

/// <summary>Explains cells of the matrix with the library's access check explanation.</summary>
public static class CellExplainer
{
    /// <summary>The objects whose path equals <paramref name="path"/> (case-insensitive, either separator).</summary>
    public static IReadOnlyList<(long Seq, string Path)> FindObjects(EstateStore store, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        var list = new List<(long, string)>();
        using var cmd = store.Command("SELECT seq, path FROM objects WHERE replace(lower(path), '\\', '/') = replace(lower($1), '\\', '/') ORDER BY seq", path);
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add((r.GetInt64(0), r.GetString(1)));
        return list;
    }

    /// <summary>Explains the cell of object <paramref name="seq"/> and principal <paramref name="principalId"/>.</summary>
    /// <param name="store">The database.</param>
    /// <param name="seq">The object.</param>
    /// <param name="principalId">The principal.</param>
    /// <param name="desired">The rights asked; <see cref="AccessMask.MaximumAllowed"/> for the stored grant.</param>
    public static CellExplanation Explain(EstateStore store, long seq, int principalId, uint desired)
    {
        ArgumentNullException.ThrowIfNull(store);
        string path, status, name, tokenJson;
        int? descriptorId;
        bool? isDir;
        int tokenId;
        using (var cmd = store.Command("SELECT o.path, o.status, o.descriptor_id, o.is_directory, p.name, t.token_json, p.token_id FROM objects o, principals p JOIN tokens t ON t.token_id = p.token_id WHERE o.seq = $1 AND p.principal_id = $2", seq, principalId))
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read()) throw new InvalidOperationException("no such object or principal");
            path = r.GetString(0);
            status = r.GetString(1);
            descriptorId = r.IsDBNull(2) ? null : r.GetInt32(2);
            isDir = r.IsDBNull(3) ? null : r.GetBoolean(3);
            name = r.GetString(4);
            tokenJson = r.GetString(5);
            tokenId = r.GetInt32(6);
        }
        if (!TokenJson.TryRead(tokenJson, null, out var token, out var tokenError)) throw new InvalidDataException($"stored token of {name}: {tokenError}");
        var mapping = ObjectTypes.File.GenericMapping;
        SecurityDescriptor? sd = null;
        uint? stored = null;
        AccessCheckExplanation? file = null, share = null;
        uint effective = 0;
        if (descriptorId is int id)
        {
            sd = SecurityDescriptor.FromBinary(Blob(store, "SELECT sd_binary FROM descriptors WHERE descriptor_id = $1", id));
            stored = store.Scalar("SELECT effective FROM matrix WHERE descriptor_id = $1 AND token_id = $2", id, tokenId) is uint g ? g : null;
            file = new AccessCheckExplanation();
            var result = AccessCheck.Check(AccessEvaluators.ForCheck(sd), token!, desired, mapping, explanation: file);
            effective = result.IsGranted ? result.GrantedAccess : 0;
            if (store.GetState("share_acl") is { } shareSddl)
            {
                share = new AccessCheckExplanation();
                var s = AccessCheck.Check(AccessEvaluators.ForCheck(SecurityDescriptor.FromSddl(shareSddl)), token!, desired, mapping, explanation: share);
                effective &= s.IsGranted ? s.GrantedAccess : 0;
            }
        }
        var names = new Dictionary<NtSec.Principals.Sid, string>();
        using (var cmd = store.Command("SELECT sid, name FROM principals ORDER BY principal_id"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (NtSec.Principals.Sid.TryParse(r.GetString(0), out var sid)) names.TryAdd(sid, r.GetString(1));
        return new CellExplanation(path, status, name, sd, sd?.Owner is not null, isDir, desired, stored, file, share, effective, names);
    }

    internal static byte[] Blob(EstateStore store, string sql, params object?[] ps)
    {
        using var cmd = store.Command(sql, ps);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new InvalidOperationException("no row");
        using var s = r.GetStream(0);
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>The explanation as text.</summary>
    public static string ToText(CellExplanation cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var type = cell.IsDirectory == true ? ObjectTypes.Directory : ObjectTypes.File;
        var sb = new System.Text.StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"path:       {cell.Path} ({cell.Status})\n");
        sb.Append(CultureInfo.InvariantCulture, $"principal:  {cell.Principal}\n");
        if (cell.Descriptor is null)
        {
            sb.Append("descriptor: none stored: nothing is granted (the audit fails closed)\n");
            return sb.ToString();
        }
        sb.Append(CultureInfo.InvariantCulture, $"descriptor: {cell.Descriptor.ToSddl()}\n");
        if (!cell.OwnerKnown) sb.Append("owner:      not in the source (icacls /save stores only the DACL): checked as owned by nobody (S-1-0-0), so no owner rights\n");
        if (cell.Status == "unverified") sb.Append("note:       smbd serves this stored ACL only while its hash matches the POSIX ACL, which ntsec cannot confirm\n");
        // The library's one renderer, with the scan's principal names for their SIDs.
        string? Name(NtSec.Principals.Sid sid) => cell.Names.TryGetValue(sid, out var n) ? n : null;
        sb.Append('\n').Append(ExplanationText.Render(cell.File!, type, Name));
        if (cell.Share is not null)
        {
            sb.Append("\nshare ACL (access through the share is the intersection):\n").Append(ExplanationText.Render(cell.Share, type, Name));
        }
        sb.Append(CultureInfo.InvariantCulture, $"\neffective:  {type.FormatRights(cell.Effective)} (0x{cell.Effective:x8})\n");
        if (cell.Desired == AccessMask.MaximumAllowed && cell.StoredGranted is uint stored)
            sb.Append(stored == cell.Effective ? "matrix:     the stored cell agrees\n" : $"matrix:     the stored cell says 0x{stored:x8}: the database is stale or was written by another version\n");
        return sb.ToString();
    }
}
