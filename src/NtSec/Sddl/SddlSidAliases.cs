using NtSec.Principals;

namespace NtSec.Sddl;

/// <summary>
/// SDDL's two-letter SID aliases (<c>BA</c>, <c>SY</c>, <c>DA</c>, <c>LA</c> ...): reading them, case-insensitively,
/// and choosing them when writing, as Windows does.
/// </summary>
public static class SddlSidAliases
{
    private static readonly Dictionary<string, WellKnownSid> ByAlias = Build();

    private static Dictionary<string, WellKnownSid> Build()
    {
        var map = new Dictionary<string, WellKnownSid>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in WellKnownSids.All)
            if (e.Alias is not null) map.Add(e.Alias, e);
        return map;
    }

    /// <summary>Every alias with its catalogue entry.</summary>
    public static IEnumerable<WellKnownSid> All => ByAlias.Values;

    /// <summary>True when <paramref name="alias"/> (two letters, any case) is an SDDL alias, resolvable or not.</summary>
    public static bool IsAlias(ReadOnlySpan<char> alias) => alias.Length == 2 && ByAlias.GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(alias);

    // The same entries by their two letters, any case, for the parser's hot path: one array index per alias.
    private static readonly WellKnownSid?[] BySlot = BuildSlots();

    private static WellKnownSid?[] BuildSlots()
    {
        var slots = new WellKnownSid?[26 * 26];
        foreach (var (alias, entry) in ByAlias) slots[Slot(alias[0], alias[1])] = entry;
        return slots;
    }

    // The SIDs of the constant aliases by the same slots (default for the domain-relative ones): the parser's path,
    // which most aliases take, without the resolution a domain-relative alias needs.
    private static readonly Sid[] ConstantBySlot = BuildConstantSlots();

    private static Sid[] BuildConstantSlots()
    {
        var slots = new Sid[26 * 26];
        for (int i = 0; i < slots.Length; i++)
            if (BySlot[i] is { Scope: SidScope.Constant } e) slots[i] = e.ConstantSid;
        return slots;
    }

    /// <summary>The SID of a constant alias (two ASCII letters, any case); false for a domain-relative alias, or none.</summary>
    internal static bool TryConstant(char a, char b, out Sid sid)
    {
        sid = char.IsAsciiLetter(a) && char.IsAsciiLetter(b) ? ConstantBySlot[Slot(a, b)] : default;
        return !sid.IsDefault;
    }

    private static int Slot(char a, char b) => (((a | 0x20) - 'a') * 26) + ((b | 0x20) - 'a');

    /// <summary>Finds the catalogue entry of an alias.</summary>
    public static WellKnownSid? Find(ReadOnlySpan<char> alias)
    {
        if (alias.Length != 2) return null;
        if (char.IsAsciiLetter(alias[0]) && char.IsAsciiLetter(alias[1])) return BySlot[Slot(alias[0], alias[1])];
        // Only the dictionary's ordinal case-insensitive compare can still match (U+017F folds to S).
        return ByAlias.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(alias, out var e) ? e : null;
    }

    /// <summary>
    /// Resolves an alias. A domain-relative alias needs the matching domain in <paramref name="context"/>; without it
    /// the result is an error (<see cref="ParseErrorKind.DomainSidNeeded"/>) that says which domain is missing; a
    /// string that is no alias is <see cref="ParseErrorKind.UnknownSidAlias"/>. Positions are relative to the alias.
    /// </summary>
    public static bool TryResolve(ReadOnlySpan<char> alias, SidContext? context, out Sid sid, out ParseError? error)
    {
        sid = default;
        var entry = Find(alias);
        if (entry is null)
        {
            error = new ParseError(ParseErrorKind.UnknownSidAlias, 0, $"'{alias}' is not an SDDL SID alias", Win32Error.InvalidSid);
            return false;
        }
        var resolved = entry.Resolve(context ?? SidContext.None);
        if (resolved is null)
        {
            string which = entry.Scope switch
            {
                SidScope.Machine => "the machine's account domain",
                SidScope.ForestRoot => "the forest root domain",
                _ => "the domain",
            };
            error = new ParseError(ParseErrorKind.DomainSidNeeded, 0, $"alias '{entry.Alias}' is relative to {which}, and no domain SID was given", Win32Error.NoneMapped);
            return false;
        }
        sid = resolved.Value;
        error = null;
        return true;
    }

    /// <summary>The alias Windows writes for a SID, or null when it writes the SID in full.</summary>
    public static string? AliasFor(Sid sid, SidContext? context) => WellKnownSids.Lookup(sid, context)?.Alias;

    /// <summary>
    /// Parses a SID as <c>ConvertStringSidToSid</c> does: an <c>S-1-...</c> string or an alias, in any case, with
    /// nothing else around it.
    /// </summary>
    public static bool TryParseSid(ReadOnlySpan<char> text, SidContext? context, out Sid sid, out ParseError? error)
    {
        return text.Length == 2 && Find(text) is not null ? TryResolve(text, context, out sid, out error) : Sid.TryParse(text, out sid, out error);
    }
}
