using System.Text;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>
/// Distinguished names as an export writes them (RFC 4514): RDNs separated by unescaped commas. The key form
/// compares names the way AD does for the names an export holds: case-insensitively, with the spaces around the
/// separators dropped.
/// </summary>
public static class DistinguishedName
{
    /// <summary>The RDNs, first (the object's own) first; a comma after a backslash or inside quotes does not split.</summary>
    public static IReadOnlyList<string> Split(string dn)
    {
        ArgumentNullException.ThrowIfNull(dn);
        var parts = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < dn.Length; i++)
        {
            char c = dn[i];
            if (c == '\\' && i + 1 < dn.Length)
            {
                current.Append(c).Append(dn[++i]);
                continue;
            }
            if (c == '"') quoted = !quoted;
            if ((c == ',' || c == ';') && !quoted)
            {
                parts.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0 || parts.Count > 0) parts.Add(current.ToString().Trim());
        return parts;
    }

    /// <summary>The comparison key: RDNs trimmed, spaces around <c>=</c> dropped, lower-cased, joined by commas.</summary>
    public static string Key(string dn)
    {
        var parts = Split(dn);
        var sb = new StringBuilder(dn.Length);
        for (int i = 0; i < parts.Count; i++)
        {
            if (i > 0) sb.Append(',');
            var p = parts[i];
            int eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) sb.Append(p.AsSpan(0, eq).Trim()).Append('=').Append(p.AsSpan(eq + 1).Trim());
            else sb.Append(p);
        }
        return sb.ToString().ToLowerInvariant();
    }

    /// <summary>The parent's DN (the name without its first RDN), or null for a one-RDN name.</summary>
    public static string? Parent(string dn)
    {
        var parts = Split(dn);
        return parts.Count <= 1 ? null : string.Join(",", parts.Skip(1));
    }
}
