using System.Globalization;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Audit.Sources;

/// <summary>
/// A share's ACL, from SDDL or from Samba's <c>sharesec SHARE --view</c> output (the ACL Samba keeps in
/// <c>share_info.tdb</c>): lines <c>ACL:SID-OR-NAME:ALLOWED|DENIED/FLAGS/RIGHTS</c>, rights <c>FULL</c>,
/// <c>CHANGE</c>, <c>READ</c> or a hexadecimal mask; <c>REVISION</c>, <c>CONTROL</c>, <c>OWNER</c> and <c>GROUP</c>
/// lines are read past.
/// </summary>
public static class ShareAcl
{
    // The share rights of Windows' share permission dialog, which sharesec prints by name: the masks icacls calls
    // F, M and RX.
    private static readonly (string Name, uint Mask)[] Rights =
    [
        ("FULL", IcaclsRights.Full), ("CHANGE", IcaclsRights.Modify), ("READ", IcaclsRights.ReadExecute), ("R", IcaclsRights.ReadExecute),
    ];

    /// <summary>Parses SDDL or sharesec output.</summary>
    /// <exception cref="FormatException">Neither; the message says where.</exception>
    public static SecurityDescriptor Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().TrimStart('\uFEFF');
        if (t.Length >= 2 && t[1] == ':' && t[0] is 'O' or 'G' or 'D' or 'S' && !t.StartsWith("REVISION", StringComparison.Ordinal))
        {
            if (!SddlParser.TryParse(t, null, out var sd, out var e)) throw new FormatException($"share ACL SDDL at {e!.Position}: {e.Reason}");
            return sd!;
        }
        var aces = new List<Ace>();
        int line = 0;
        foreach (var raw in t.Split('\n'))
        {
            line++;
            var l = raw.Trim();
            if (l.Length == 0 || l.StartsWith("REVISION:", StringComparison.Ordinal) || l.StartsWith("CONTROL:", StringComparison.Ordinal)
                || l.StartsWith("OWNER:", StringComparison.Ordinal) || l.StartsWith("GROUP:", StringComparison.Ordinal)) continue;
            if (!l.StartsWith("ACL:", StringComparison.Ordinal)) throw new FormatException($"share ACL line {line}: expected SDDL or sharesec output (ACL:SID:ALLOWED/0x0/FULL)");
            var body = l[4..];
            int slash = body.IndexOf('/', StringComparison.Ordinal);
            int colon = slash < 0 ? -1 : body.LastIndexOf(':', slash);
            if (colon < 0) throw new FormatException($"share ACL line {line}: expected ACL:SID:TYPE/FLAGS/RIGHTS");
            string who = body[..colon].TrimStart('\\');
            var parts = body[(colon + 1)..].Split('/');
            if (parts.Length != 3) throw new FormatException($"share ACL line {line}: expected TYPE/FLAGS/RIGHTS after the SID");
            if (!Sid.TryParse(who, out var sid) && !AccountNames.TryResolve(who, null, out sid))
                throw new FormatException($"share ACL line {line}: '{who}' is neither a SID nor a well-known account");
            bool allow = parts[0] switch
            {
                "ALLOWED" => true,
                "DENIED" => false,
                _ => throw new FormatException($"share ACL line {line}: '{parts[0]}' is neither ALLOWED nor DENIED"),
            };
            if (!TryNumber(parts[1], out uint flags) || flags > 0xFF) throw new FormatException($"share ACL line {line}: bad flags '{parts[1]}'");
            uint mask = 0;
            foreach (var r in parts[2].Split('|'))
            {
                var named = Array.Find(Rights, x => x.Name.Equals(r, StringComparison.OrdinalIgnoreCase));
                if (named.Name is not null) mask |= named.Mask;
                else if (TryNumber(r, out uint m)) mask |= m;
                else throw new FormatException($"share ACL line {line}: unknown right '{r}' (FULL, CHANGE, READ or 0x...)");
            }
            aces.Add(new Ace(allow ? AceType.AccessAllowed : AceType.AccessDenied, (AceFlags)flags, mask, sid));
        }
        if (aces.Count == 0) throw new FormatException("share ACL: no ACL: lines");
        return new SecurityDescriptor(dacl: new Acl(aces), control: SecurityDescriptorControl.SelfRelative);
    }

    private static bool TryNumber(string s, out uint value)
        => s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
