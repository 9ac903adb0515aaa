using System.Globalization;
using NtSec.Audit.Store;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>
/// The stored cells of a directory scan in memory, read cell by cell: the variant of the node a question resolves
/// to on the object's key, unless the object has cells of its own for the token (PRINCIPAL_SELF), which then
/// replace all of its cells. For explanations and tests; the reports query the database.
/// </summary>
public sealed class DirectoryCells
{
    private readonly Dictionary<long, int> _keyOf = [];
    private readonly Dictionary<int, Dictionary<DirectoryNode, int>> _nodes = [];
    private readonly Dictionary<(int Variant, int Token), uint> _matrix = [];
    private readonly Dictionary<(long Seq, int Token), Dictionary<string, uint>> _own = [];

    private DirectoryCells()
    {
    }

    /// <summary>Loads every cell, or those of one object.</summary>
    public static DirectoryCells Load(EstateStore store, long? seq = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var cells = new DirectoryCells();
        string only = seq is null ? "" : " AND seq = $1";
        object?[] ps = seq is null ? [] : [seq.Value];
        using (var cmd = store.Command("SELECT seq, key_id FROM ad_objects WHERE key_id IS NOT NULL" + only, ps))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) cells._keyOf[r.GetInt64(0)] = r.GetInt32(1);
        var keys = cells._keyOf.Values.ToHashSet();
        using (var cmd = store.Command("SELECT key_id, node, variant_id FROM ad_nodes"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                int k = r.GetInt32(0);
                if (!keys.Contains(k) || !DirectoryNode.TryParse(r.GetString(1), out var node)) continue;
                if (!cells._nodes.TryGetValue(k, out var m)) cells._nodes[k] = m = [];
                m[node] = r.GetInt32(2);
            }
        }
        var variants = cells._nodes.Values.SelectMany(m => m.Values).ToHashSet();
        using (var cmd = store.Command("SELECT variant_id, token_id, granted FROM ad_matrix"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (variants.Contains(r.GetInt32(0))) cells._matrix[(r.GetInt32(0), r.GetInt32(1))] = Convert.ToUInt32(r.GetValue(2), CultureInfo.InvariantCulture);
        using (var cmd = store.Command("SELECT seq, token_id, node, granted FROM ad_self WHERE true" + only, ps))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var key = (r.GetInt64(0), r.GetInt32(1));
                if (!cells._own.TryGetValue(key, out var m)) cells._own[key] = m = [];
                m[r.GetString(2)] = Convert.ToUInt32(r.GetValue(3), CultureInfo.InvariantCulture);
            }
        }
        return cells;
    }

    /// <summary>The grant of token <paramref name="tokenId"/> on object <paramref name="seq"/> at <paramref name="wanted"/>; null when the object has no descriptor.</summary>
    public uint? Grant(long seq, int tokenId, DirectoryNode wanted)
    {
        if (!_keyOf.TryGetValue(seq, out int key) || !_nodes.TryGetValue(key, out var nodes)) return null;
        var node = DirectoryAccess.Resolve(wanted, nodes.Keys);
        if (!nodes.TryGetValue(node, out int variant)) return null;
        if (_own.TryGetValue((seq, tokenId), out var own)) return own.GetValueOrDefault(node.Key);
        return _matrix.GetValueOrDefault((variant, tokenId));
    }
}
