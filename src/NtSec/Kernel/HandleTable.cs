namespace NtSec.Kernel;

/// <summary>One entry of a handle table: the object, the access the handle was granted, and its attributes.</summary>
/// <param name="Object">The object the handle refers to.</param>
/// <param name="GrantedAccess">The access granted when the handle was made; every use is checked against it.</param>
/// <param name="Attributes">Inherit and protect-from-close.</param>
public readonly record struct HandleEntry(KernelObject Object, uint GrantedAccess, HandleAttributes Attributes);

/// <summary>
/// A process's handle table. Handle values are multiples of 4 starting at 4, and a closed value is reused first,
/// as Windows does.
/// </summary>
internal sealed class HandleTable(long baseValue)
{
    private readonly Dictionary<long, HandleEntry> _entries = [];
    private readonly Stack<long> _free = new();
    private long _next = 4;

    public int Count => _entries.Count;

    public long Insert(KernelObject obj, uint grantedAccess, HandleAttributes attributes)
    {
        long value;
        do
        {
            value = _free.Count > 0 ? _free.Pop() : baseValue + (_next += 4) - 4;
        }
        while (_entries.ContainsKey(value));
        obj.AddHandle();
        _entries[value] = new HandleEntry(obj, grantedAccess, attributes & (HandleAttributes.Inherit | HandleAttributes.ProtectFromClose));
        return value;
    }

    /// <summary>Puts an entry at a given value (an inherited handle keeps its value in the child).</summary>
    public void InsertAt(long value, HandleEntry entry)
    {
        entry.Object.AddHandle();
        _entries[value] = entry;
    }

    public bool TryGet(long value, out HandleEntry entry) => _entries.TryGetValue(value, out entry);

    public void SetAttributes(long value, HandleAttributes attributes)
    {
        if (_entries.TryGetValue(value, out var e)) _entries[value] = e with { Attributes = attributes };
    }

    /// <summary>Removes the entry; the caller drops the object's handle count afterwards.</summary>
    public bool TryRemove(long value, out HandleEntry entry)
    {
        if (!_entries.Remove(value, out entry)) return false;
        _free.Push(value);
        return true;
    }

    public List<(long Value, HandleEntry Entry)> Snapshot() => [.. _entries.OrderBy(e => e.Key).Select(e => (e.Key, e.Value))];

    /// <summary>Closes every handle (process exit); returns how many.</summary>
    public int CloseAll()
    {
        var all = _entries.Values.ToList();
        _entries.Clear();
        _free.Clear();
        foreach (var e in all) e.Object.RemoveHandle();
        return all.Count;
    }
}
