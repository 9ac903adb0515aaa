using System.Globalization;
using NtSec.Authorization;

namespace NtSec.Cli.Input;

/// <summary>The parts of an access check request given as text, shared by <c>ntsec check</c> and its batch mode.</summary>
internal static class CheckInputs
{
    /// <summary>
    /// Parses an object type list written <c>level:guid,level:guid,...</c> (the GUID with or without braces). Only the
    /// syntax is checked here; the tree's shape (one root at level 0, steps of one) is the access check's to refuse,
    /// with STATUS_INVALID_PARAMETER as Windows does.
    /// </summary>
    public static bool TryParseObjectTypes(string text, out ObjectTypeEntry[] list, out string? error)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        return TryParseObjectTypes(parts, out list, out error);
    }

    /// <summary>Parses object type list entries, one <c>level:guid</c> each.</summary>
    public static bool TryParseObjectTypes(IReadOnlyList<string> parts, out ObjectTypeEntry[] list, out string? error)
    {
        list = new ObjectTypeEntry[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            string part = parts[i];
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !ushort.TryParse(part.AsSpan(0, colon).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ushort level))
            {
                error = $"entry {i} '{part}': expected level:guid, e.g. 0:{{bf967aba-0de6-11d0-a285-00aa003049e2}}";
                return false;
            }
            if (!Guid.TryParse(part.AsSpan(colon + 1).Trim(), out var guid))
            {
                error = $"entry {i} '{part}': '{part[(colon + 1)..].Trim()}' is not a GUID";
                return false;
            }
            list[i] = new ObjectTypeEntry(level, guid);
        }
        error = list.Length == 0 ? "no entries" : null;
        return list.Length > 0;
    }

    /// <summary>
    /// Parses the desired access (a number or right names, see <see cref="AccessRightNames.TryParse"/>) and maps its
    /// generic bits with <paramref name="mapping"/>: the access check refuses generic bits (STATUS_GENERIC_NOT_MAPPED),
    /// so callers of AccessCheck map them first, and so does ntsec.
    /// </summary>
    /// <param name="text">The rights as typed.</param>
    /// <param name="type">The object type whose right names are accepted; null accepts every type's names.</param>
    /// <param name="mapping">The generic mapping.</param>
    /// <param name="requested">The mask as typed, generic bits included.</param>
    /// <param name="desired">The mask passed to the check: generic bits mapped.</param>
    /// <param name="error">Why the text was rejected.</param>
    public static bool TryParseDesired(string text, ObjectTypeInfo? type, GenericMapping mapping, out uint requested, out uint desired, out string? error)
    {
        desired = 0;
        if (!AccessRightNames.TryParse(text, type, out requested, out error)) return false;
        desired = mapping.Map(requested);
        return true;
    }
}
