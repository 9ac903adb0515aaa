using System.Text;
using NtSec.Acls;
using NtSec.Import;
using NtSec.Principals;

namespace NtSec.Inheritance;

/// <summary>
/// An ACE or ACL the way <c>icacls</c> lists it: <c>NAME:(I)(OI)(CI)(NP)(IO)(DENY)(rights)</c>, one ACE a line, so
/// what NtSec computes can be compared with what Windows shows.
/// </summary>
/// <remarks>
/// The rights are one simple right (F, M, RX, R, W) when the mask is exactly that; otherwise a comma-separated
/// list in one pair of parentheses: first the simple rights the mask contains (largest first, each adding bits the
/// earlier ones lack), then the specific rights left over, in the order of <see cref="IcaclsRights.SpecificRights"/>. A mask
/// of GENERIC_ALL alone shows as F, as icacls shows the CREATOR OWNER entry of a volume root. Label ACEs show
/// their policy (NW, NR, NX).
/// </remarks>
public static class IcaclsDisplay
{
    // The simple rights icacls prints: all but D, whose one bit it prints as the specific right DE.
    private static readonly (string Code, uint Mask)[] Simple = [.. IcaclsRights.SimpleRights.Where(r => r.Mask != IcaclsRights.Delete)];

    private static readonly (string Code, uint Mask)[] LabelPolicyCodes =
        [.. IcaclsRights.Codes.Where(c => c.Kind == IcaclsRights.CodeKind.LabelPolicy).Select(c => (c.Code, c.Mask))];

    /// <summary>The name icacls prints for a SID: the account name when NtSec knows it, else the SID string.</summary>
    public static string NameOf(Sid sid, SidContext? context = null, IReadOnlyDictionary<Sid, string>? names = null)
        => names is not null && names.TryGetValue(sid, out var n) ? n : WellKnownSids.GetAccountName(sid, context) ?? sid.ToString();

    /// <summary>One ACE as an icacls line (without the path).</summary>
    public static string FormatAce(Ace ace, SidContext? context = null, IReadOnlyDictionary<Sid, string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(ace);
        var sb = new StringBuilder();
        sb.Append(ace.IsRaw ? "<raw ACE>" : NameOf(ace.Sid, context, names)).Append(':');
        var f = ace.Flags;
        if ((f & AceFlags.Inherited) != 0) sb.Append("(I)");
        if ((f & AceFlags.ObjectInherit) != 0) sb.Append("(OI)");
        if ((f & AceFlags.ContainerInherit) != 0) sb.Append("(CI)");
        if ((f & AceFlags.NoPropagateInherit) != 0) sb.Append("(NP)");
        if ((f & AceFlags.InheritOnly) != 0) sb.Append("(IO)");
        if (ace.IsAccessDenied) sb.Append("(DENY)");
        if (ace.IsRaw) return sb.Append("(?)").ToString();
        sb.Append('(').Append(ace.Type == AceType.SystemMandatoryLabel ? FormatLabelPolicy(ace.Mask) : FormatRights(ace.Mask)).Append(')');
        return sb.ToString();
    }

    /// <summary>Every ACE of an ACL, one line each, in ACL order.</summary>
    public static IReadOnlyList<string> FormatAcl(Acl acl, SidContext? context = null, IReadOnlyDictionary<Sid, string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(acl);
        return acl.Aces.Select(a => FormatAce(a, context, names)).ToList();
    }

    /// <summary>The rights part of an icacls line for an access mask, without the parentheses.</summary>
    public static string FormatRights(uint mask)
    {
        if (mask == 0) return "N";
        if (mask == AccessMask.GenericAll) return "F";
        foreach (var (code, m) in Simple)
            if (mask == m) return code;
        var parts = new List<string>();
        uint covered = 0;
        foreach (var (code, m) in Simple)
        {
            if ((mask & m) == m && (m & ~covered) != 0)
            {
                parts.Add(code);
                covered |= m;
            }
        }
        BitNames.Append(parts, mask & ~covered, IcaclsRights.SpecificRights, requireAllBits: true);
        return string.Join(',', parts);
    }

    // Only the policy bits (NW, NR, NX) are named; other bits of a label ACE's mask are not shown, and a mask with
    // no policy bit shows as 0x0.
    private static string FormatLabelPolicy(uint mask)
    {
        var parts = new List<string>();
        BitNames.AppendNames(parts, mask, LabelPolicyCodes);
        return parts.Count == 0 ? "0x0" : string.Join(',', parts);
    }
}
