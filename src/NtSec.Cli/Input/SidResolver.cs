using NtSec.Import;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Cli.Input;

/// <summary>Turns what a user types for a principal into a SID.</summary>
internal static class SidResolver
{
    /// <summary>
    /// Resolves, in this order: an <c>S-1-...</c> string; a two-letter SDDL alias (domain-relative ones need the
    /// domain in <paramref name="context"/>); a constant well-known account name (<c>NT AUTHORITY\SYSTEM</c>,
    /// <c>Everyone</c>, case-insensitive); a name whose SID follows from it (<c>NT SERVICE\TrustedInstaller</c>,
    /// <c>NT AUTHORITY\LogonSessionId_0_208120</c>, see <see cref="AccountNames"/>); a domain-relative account name
    /// (<c>Domain Admins</c>, also written <c>CONTOSO\Domain Admins</c>), which needs the domain as well.
    /// </summary>
    public static bool TryResolve(string text, SidContext context, out Sid sid, out ParseError? error)
    {
        string trimmed = text.Trim();
        int offset = text.IndexOf(trimmed, StringComparison.Ordinal);
        if (trimmed.StartsWith("S-", StringComparison.OrdinalIgnoreCase))
        {
            if (Sid.TryParse(trimmed, out sid, out error)) return true;
            error = error! with { Position = error.Position + offset };
            return false;
        }
        if (SddlSidAliases.IsAlias(trimmed))
        {
            if (SddlSidAliases.TryParseSid(trimmed, context, out sid, out error)) return true;
            error = error! with { Position = error.Position + offset, Reason = error.Reason + " (give it with --domain)" };
            return false;
        }
        if (WellKnownSids.TryLookupName(trimmed, out sid) || AccountNames.TryResolve(trimmed, null, out sid))
        {
            error = null;
            return true;
        }
        string bare = trimmed[(trimmed.LastIndexOf('\\') + 1)..];
        foreach (var entry in WellKnownSids.All)
        {
            if (entry.Scope == SidScope.Constant || !entry.Name.Equals(bare, StringComparison.OrdinalIgnoreCase)) continue;
            if (entry.Resolve(context) is { } resolved)
            {
                sid = resolved;
                error = null;
                return true;
            }
            string which = entry.Scope == SidScope.Machine ? "the machine's account domain (--machine or --domain)" : "the domain (--domain)";
            sid = default;
            error = new ParseError(offset, $"'{entry.Name}' is relative to {which}, and no domain SID was given", ParseError.ErrorNoneMapped);
            return false;
        }
        sid = default;
        error = new ParseError(offset, $"'{trimmed}' is not a SID, an SDDL alias or a well-known account name", ParseError.ErrorNoneMapped);
        return false;
    }
}
