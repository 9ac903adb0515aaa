using System.Globalization;

namespace NtSec;

/// <summary>
/// Names the set bits of a mask from a table of (name, bits): the one place where access rights, SEF_ flags,
/// token and claim attributes, label policies and control bits become lists of names, with whatever bits no name
/// covers as one hexadecimal remainder (<c>0x</c> and lower-case digits), so no bit is ever dropped from sight.
/// </summary>
/// <remarks>
/// What a caller renders for zero, how it joins the names and any whole-mask codes it tries first (icacls' F and
/// N) stay with the caller: they differ from one format to the next, while the walk over the table does not.
/// </remarks>
public static class BitNames
{
    /// <summary>
    /// Appends to <paramref name="names"/>, in table order, the name of each entry whose bits are set in
    /// <paramref name="value"/> and not already taken by an earlier entry; returns the bits no entry took.
    /// </summary>
    /// <param name="names">Where the names go; what it holds already stays in front.</param>
    /// <param name="value">The mask.</param>
    /// <param name="table">The names and their bits, in the order they are to be listed. Entries of no bits are never named.</param>
    /// <param name="requireAllBits">
    /// True: an entry of several bits is named only when all of them are left (a composite such as
    /// <c>GenericAll</c>, which must not stand for part of itself). False: when any of them is, and all of them are
    /// taken. The two agree for entries of one bit.
    /// </param>
    /// <returns>The bits of <paramref name="value"/> that no entry named, for the caller to name from another table or to show.</returns>
    public static uint AppendNames(List<string> names, uint value, IReadOnlyList<(string Name, uint Bits)> table, bool requireAllBits = false)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(table);
        uint rest = value;
        // Entries are tested against what is left, not against the whole value, so that bits two entries share
        // are named once, by the first.
        for (int i = 0; i < table.Count; i++)
        {
            var (name, bits) = table[i];
            uint left = rest & bits;
            if (left == 0 || (requireAllBits && left != bits)) continue;
            names.Add(name);
            rest &= ~bits;
        }
        return rest;
    }

    /// <summary>
    /// <see cref="AppendNames"/>, then the bits no entry named, if any, as one hexadecimal number (<c>0x30</c>).
    /// </summary>
    /// <param name="names">Where the names go; what it holds already stays in front.</param>
    /// <param name="value">The mask.</param>
    /// <param name="table">The names and their bits, in the order they are to be listed.</param>
    /// <param name="requireAllBits">Whether an entry of several bits needs all of them (see <see cref="AppendNames"/>).</param>
    public static void Append(List<string> names, uint value, IReadOnlyList<(string Name, uint Bits)> table, bool requireAllBits = false)
    {
        uint rest = AppendNames(names, value, table, requireAllBits);
        if (rest != 0) names.Add("0x" + rest.ToString("x", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The names of the set bits of <paramref name="value"/> in table order, then the bits no entry named as one
    /// hexadecimal number; an empty list for zero.
    /// </summary>
    /// <param name="value">The mask.</param>
    /// <param name="table">The names and their bits, in the order they are to be listed.</param>
    /// <param name="requireAllBits">Whether an entry of several bits needs all of them (see <see cref="AppendNames"/>).</param>
    public static List<string> Of(uint value, IReadOnlyList<(string Name, uint Bits)> table, bool requireAllBits = false)
    {
        var names = new List<string>();
        Append(names, value, table, requireAllBits);
        return names;
    }
}
