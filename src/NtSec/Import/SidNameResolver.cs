using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Import;

/// <summary>
/// The one resolver between what users write for a principal and SIDs, in both directions: text (a SID, an SDDL
/// alias, an account name) to a SID, and a SID to the best name known. It remembers the names the user gave (a
/// <c>--map</c> entry, a whoami file's group names, a name typed that the catalogue cannot name), so every output
/// can name a SID as the user named it.
/// </summary>
public sealed class SidNameResolver
{
    private readonly Dictionary<string, Sid> _map = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<Sid, string> _given = [];
    private readonly Dictionary<Sid, string> _typed = [];

    /// <summary>A resolver for the domains in <paramref name="context"/>, with the account names in <paramref name="map"/>.</summary>
    public SidNameResolver(SidContext? context = null, IReadOnlyDictionary<string, Sid>? map = null)
    {
        Context = context ?? new SidContext();
        if (map is null) return;
        foreach (var (name, sid) in map) Give(name.Trim(), sid);
    }

    /// <summary>The domains domain-relative aliases and names resolve against.</summary>
    public SidContext Context { get; }

    /// <summary>The account names given (<c>--map</c>), by name.</summary>
    public IReadOnlyDictionary<string, Sid> Map => _map;

    /// <summary>
    /// Records a name the user gave a SID (a map entry, a whoami file's group): it resolves to the SID, and it is the
    /// SID's name in output from now on. The first name given for a SID is kept.
    /// </summary>
    public void Give(string name, Sid sid)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0) return;
        _map.TryAdd(name, sid);
        _given.TryAdd(sid, name);
    }

    /// <summary>
    /// The best name known for a SID: one the user gave; else the catalogue's (<c>BUILTIN\Users</c>, domain-relative
    /// names in the resolver's domains); else a name the user typed that resolved to it
    /// (<c>NT SERVICE\TrustedInstaller</c>); else null.
    /// </summary>
    public string? NameOf(Sid sid)
    {
        if (_given.TryGetValue(sid, out var given)) return given;
        if (WellKnownSids.GetAccountName(sid, Context) is { } known) return known;
        return _typed.TryGetValue(sid, out var typed) ? typed : null;
    }

    /// <summary>
    /// Resolves what a user typed, in this order: an <c>S-1-...</c> string; a two-letter SDDL alias
    /// (domain-relative ones need the domain); an account name (see <see cref="TryResolveName"/>). A name that
    /// resolves is remembered for <see cref="NameOf"/>.
    /// </summary>
    public bool TryResolve(string text, out Sid sid, out ParseError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        int offset = text.IndexOf(trimmed, StringComparison.Ordinal);
        if (trimmed.StartsWith("S-", StringComparison.OrdinalIgnoreCase))
        {
            if (Sid.TryParse(trimmed, out sid, out error)) return true;
            error = error!.Within(offset);
            return false;
        }
        if (SddlSidAliases.IsAlias(trimmed))
        {
            if (SddlSidAliases.TryParseSid(trimmed, Context, out sid, out error)) return true;
            error = error!.Within(offset);
            return false;
        }
        if (TryResolveAccount(trimmed, out sid, out string? relativeTo))
        {
            error = null;
            return true;
        }
        error = relativeTo is not null
            ? new ParseError(ParseErrorKind.DomainSidNeeded, offset, $"'{trimmed}' is relative to {relativeTo}, and no domain SID was given", Win32Error.NoneMapped)
            : new ParseError(ParseErrorKind.UnmappedName, offset, $"'{trimmed}' is not a SID, an SDDL alias or a well-known account name", Win32Error.NoneMapped);
        return false;
    }

    /// <summary>
    /// Resolves an account name as Windows tools print it: a name given (<see cref="Give"/>, case-insensitive); an
    /// <c>S-1-...</c> string; a constant well-known account; a name whose SID follows from it (logon sessions,
    /// <c>NT SERVICE\...</c>, see <see cref="AccountNames"/>); a domain-relative account (<c>Domain Users</c>, also
    /// written <c>CONTOSO\Domain Users</c>) in the resolver's domains. A name that resolves is remembered.
    /// </summary>
    public bool TryResolveName(string name, out Sid sid) => TryResolveAccount(name, out sid, out _);

    private bool TryResolveAccount(string name, out Sid sid, out string? relativeTo)
    {
        relativeTo = null;
        string trimmed = name.Trim();
        if (AccountNames.TryResolve(trimmed, _map, out sid))
        {
            if (!trimmed.StartsWith("S-", StringComparison.OrdinalIgnoreCase)) _typed.TryAdd(sid, trimmed);
            return true;
        }
        string bare = trimmed[(trimmed.LastIndexOf('\\') + 1)..];
        foreach (var entry in WellKnownSids.All)
        {
            if (entry.Scope == SidScope.Constant || !string.Equals(entry.Name, bare, StringComparison.OrdinalIgnoreCase)) continue;
            if (entry.Resolve(Context) is { } resolved)
            {
                sid = resolved;
                _typed.TryAdd(sid, trimmed);
                return true;
            }
            relativeTo ??= entry.Scope == SidScope.Machine ? "the machine's account domain" : "the domain";
        }
        sid = default;
        return false;
    }
}
