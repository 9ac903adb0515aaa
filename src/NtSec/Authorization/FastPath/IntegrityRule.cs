using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;

namespace NtSec.Authorization.FastPath;

/// <summary>
/// The mandatory integrity rule, written once for the full check, the fast path and the matrix: which label an
/// object has, and what a token below it keeps.
/// </summary>
internal static class IntegrityRule
{
    /// <summary>
    /// The first effective mandatory label ACE of the SACL (raw and inherit-only ones do not count); true when there
    /// is one. An object without one has the implicit Medium label with NO_WRITE_UP.
    /// </summary>
    public static bool FindLabel(SecurityDescriptor sd, out Sid label, out uint policy)
    {
        if (sd.Sacl is { } sacl)
        {
            foreach (var ace in sacl.Aces)
            {
                if (ace.Type != AceType.SystemMandatoryLabel || ace.IsRaw || ace.IsInheritOnly) continue;
                label = ace.Sid;
                policy = ace.Mask;
                return true;
            }
        }
        label = WellKnownSids.MediumIntegrity;
        policy = LabelPolicies.NoWriteUp;
        return false;
    }

    /// <summary>
    /// What a token below the label keeps of the type's rights: the mapped generic read rights unless the policy has
    /// NO_READ_UP and the mapped generic execute rights unless it has NO_EXECUTE_UP; never the write rights.
    /// </summary>
    public static uint BelowLabel(uint policy, GenericMapping mapping)
        => ((policy & LabelPolicies.NoReadUp) == 0 ? mapping.GenericRead : 0)
         | ((policy & LabelPolicies.NoExecuteUp) == 0 ? mapping.GenericExecute : 0);
}
