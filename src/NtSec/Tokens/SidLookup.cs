using NtSec.Principals;

namespace NtSec.Tokens;

/// <summary>
/// A read-only open-addressing table from SID to group attributes, sized to stay at most half full. The access
/// check's inner loop asks it once per ACE; a miss (the common case) usually costs one hash compare.
/// </summary>
internal sealed class SidLookup
{
    private readonly int[] _hashes;
    private readonly Sid[] _sids;
    private readonly GroupAttributes[] _values;
    private readonly bool[] _used;
    private readonly int _mask;

    public SidLookup(IReadOnlyDictionary<Sid, GroupAttributes> entries)
    {
        int size = 4;
        while (size < entries.Count * 2) size <<= 1;
        _hashes = new int[size];
        _sids = new Sid[size];
        _values = new GroupAttributes[size];
        _used = new bool[size];
        _mask = size - 1;
        foreach (var (sid, value) in entries)
        {
            int h = sid.GetHashCode();
            int i = h & _mask;
            while (_used[i]) i = (i + 1) & _mask;
            _used[i] = true;
            _hashes[i] = h;
            _sids[i] = sid;
            _values[i] = value;
        }
    }

    public bool TryGetValue(Sid sid, out GroupAttributes value)
    {
        int h = sid.GetHashCode();
        int i = h & _mask;
        while (_used[i])
        {
            if (_hashes[i] == h && _sids[i].Equals(sid))
            {
                value = _values[i];
                return true;
            }
            i = (i + 1) & _mask;
        }
        value = default;
        return false;
    }
}
