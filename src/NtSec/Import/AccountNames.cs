using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NtSec.Principals;

namespace NtSec.Import;

/// <summary>
/// Turns the account names Windows tools print (<c>NT AUTHORITY\SYSTEM</c>, <c>BUILTIN\Users</c>,
/// <c>NT SERVICE\TrustedInstaller</c>, <c>NT AUTHORITY\LogonSessionId_0_208120</c>) back into SIDs, without a
/// domain controller: names whose SID follows from the name alone, plus a caller-supplied map for the rest.
/// </summary>
/// <remarks>
/// Domain and local accounts (<c>CONTOSO\Finance</c>, <c>DESKTOP-7H2K1Q\dana</c>) have SIDs only their domain
/// knows, so they resolve only through the map. Tools print an unresolvable SID as the bare <c>S-1-...</c> string,
/// which is accepted as is.
/// </remarks>
public static class AccountNames
{
    /// <summary>S-1-5-80-0, <c>NT SERVICE\ALL SERVICES</c>.</summary>
    public static readonly Sid AllServices = Sid.Create(5, 80, 0);

    /// <summary>
    /// Resolves, in this order: a name in <paramref name="map"/> (case-insensitive); an <c>S-1-...</c> string;
    /// a constant well-known account (<see cref="WellKnownSids.TryLookupName"/>); a logon session SID's name
    /// (<c>NT AUTHORITY\LogonSessionId_X_Y</c> is S-1-5-5-X-Y); a service SID (<c>NT SERVICE\name</c>).
    /// </summary>
    /// <param name="name">The name as printed.</param>
    /// <param name="map">Names the catalogue cannot know, mapped to their SIDs; null for none.</param>
    /// <param name="sid">The SID.</param>
    public static bool TryResolve(string name, IReadOnlyDictionary<string, Sid>? map, out Sid sid)
    {
        ArgumentNullException.ThrowIfNull(name);
        string trimmed = name.Trim();
        sid = default;
        if (trimmed.Length == 0) return false;
        if (map is not null && TryMap(map, trimmed, out sid)) return true;
        if (trimmed.StartsWith("S-", StringComparison.OrdinalIgnoreCase)) return Sid.TryParse(trimmed, out sid);
        if (WellKnownSids.TryLookupName(trimmed, out sid)) return true;
        if (TryLogonSession(trimmed, out sid)) return true;
        return TryServiceSid(trimmed, out sid);
    }

    private static bool TryMap(IReadOnlyDictionary<string, Sid> map, string name, out Sid sid)
    {
        if (map.TryGetValue(name, out sid)) return true;
        foreach (var (key, value) in map)
        {
            if (key.Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                sid = value;
                return true;
            }
        }
        sid = default;
        return false;
    }

    // LookupAccountSid names a logon session SID S-1-5-5-X-Y "NT AUTHORITY\LogonSessionId_X_Y", with X and Y in decimal.
    private static bool TryLogonSession(string name, out Sid sid)
    {
        sid = default;
        const string Prefix = "LogonSessionId_";
        var rest = StripDomain(name, "NT AUTHORITY");
        if (!rest.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) return false;
        rest = rest[Prefix.Length..];
        int underscore = rest.IndexOf('_');
        if (underscore <= 0) return false;
        if (!uint.TryParse(rest[..underscore], NumberStyles.None, CultureInfo.InvariantCulture, out uint high)
            || !uint.TryParse(rest[(underscore + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out uint low)) return false;
        sid = Sid.Create(5, 5, high, low);
        return true;
    }

    /// <summary>
    /// The SID of a service: S-1-5-80 followed by the SHA-1 of the upper-cased service name in UTF-16LE, read as five
    /// little-endian 32-bit sub-authorities (what <c>sc showsid</c> prints); <c>ALL SERVICES</c> is S-1-5-80-0.
    /// </summary>
    /// <param name="name"><c>NT SERVICE\name</c>.</param>
    /// <param name="sid">The service SID.</param>
    public static bool TryServiceSid(string name, out Sid sid)
    {
        ArgumentNullException.ThrowIfNull(name);
        sid = default;
        var trimmed = name.AsSpan().Trim();
        var rest = StripDomain(trimmed, "NT SERVICE");
        if (rest.Length == trimmed.Length || rest.IsWhiteSpace() || rest.Length > 256) return false;
        if (rest.Equals("ALL SERVICES", StringComparison.OrdinalIgnoreCase))
        {
            sid = AllServices;
            return true;
        }
#pragma warning disable CA5350 // Not protection: SHA-1 is how Windows derives a service's SID (NT SERVICE\name).
        byte[] hash = SHA1.HashData(Encoding.Unicode.GetBytes(rest.ToString().ToUpperInvariant()));
#pragma warning restore CA5350
        Span<uint> sub = stackalloc uint[6];
        sub[0] = 80;
        for (int i = 0; i < 5; i++) sub[i + 1] = BinaryPrimitives.ReadUInt32LittleEndian(hash.AsSpan(4 * i));
        sid = Sid.Create(5, sub);
        return true;
    }

    // "DOMAIN\rest" -> rest when the domain matches, else the whole name.
    private static ReadOnlySpan<char> StripDomain(ReadOnlySpan<char> name, string domain)
        => name.Length > domain.Length && name[domain.Length] == '\\' && name[..domain.Length].Equals(domain, StringComparison.OrdinalIgnoreCase)
            ? name[(domain.Length + 1)..]
            : name;
}
