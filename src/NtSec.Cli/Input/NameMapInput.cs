using NtSec.Principals;

namespace NtSec.Cli.Input;

/// <summary>
/// The <c>--map NAME=SID</c> values: account names the well-known catalogue cannot resolve (domain and local
/// accounts such as <c>CONTOSO\Finance</c>), for reading icacls output.
/// </summary>
internal static class NameMapInput
{
    /// <summary>
    /// Parses each value at its last '=' (account names cannot contain one). The SID side may be a SID, an SDDL
    /// alias or a well-known name, as for <c>ntsec sid</c>. A name given twice with different SIDs is an error.
    /// </summary>
    public static bool TryParse(IEnumerable<string>? values, SidContext context, out Dictionary<string, Sid> map, out string? error)
    {
        map = new Dictionary<string, Sid>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values ?? [])
        {
            int equals = value.LastIndexOf('=');
            string name = equals < 0 ? "" : value[..equals].Trim();
            if (name.Length == 0)
            {
                error = $"'{value}': expected NAME=SID, e.g. CONTOSO\\Finance=S-1-5-21-1004336348-1177238915-682003330-1120";
                return false;
            }
            if (!SidResolver.TryResolve(value[(equals + 1)..], context, out var sid, out var sidError))
            {
                error = $"'{value}': {sidError!.Reason}{InputHints.Domain(sidError)}";
                return false;
            }
            if (map.TryGetValue(name, out var existing) && existing != sid)
            {
                error = $"'{name}' is mapped to both {existing} and {sid}";
                return false;
            }
            map[name] = sid;
        }
        error = null;
        return true;
    }
}
