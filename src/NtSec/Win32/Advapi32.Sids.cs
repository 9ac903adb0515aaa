using System.Runtime.CompilerServices;
using NtSec.Principals;

namespace NtSec.Win32;

public static partial class Advapi32
{
    /// <summary>
    /// CreateWellKnownSid, with its size protocol: <paramref name="sidLength"/> is cbSid. A buffer (or length)
    /// smaller than the SID is FALSE with ERROR_INSUFFICIENT_BUFFER and the needed length written back; a NULL buffer
    /// with a large enough length is ERROR_INVALID_PARAMETER (observed: Wine's test_CreateWellKnownSid, run on
    /// Windows); on success the length is set to the SID's. Account-domain types (WinAccountAdministratorSid ...)
    /// append their RID to <paramref name="domainSid"/>, which is not checked to look like a domain (observed: a
    /// six-sub-authority domain is accepted); with none they use the machine's account domain from
    /// <paramref name="context"/>, as Windows uses the local computer's, and fail with ERROR_INVALID_PARAMETER when
    /// there is none. Other types ignore the domain (observed). A type outside the enumeration, or one NtSec does not
    /// make (see <see cref="WellKnownSidTypes"/>), is ERROR_INVALID_PARAMETER.
    /// </summary>
    /// <param name="type">WellKnownSidType.</param>
    /// <param name="domainSid">DomainSid, or null.</param>
    /// <param name="sid">pSid: the buffer the binary SID is written to, or null.</param>
    /// <param name="sidLength">cbSid: in, the buffer's usable length; out, the SID's length. Null is ERROR_INVALID_PARAMETER.</param>
    /// <param name="context">The machine's account domain for a null <paramref name="domainSid"/>; null for none.</param>
    public static bool CreateWellKnownSid(WellKnownSidType type, Sid? domainSid, byte[]? sid, StrongBox<int>? sidLength, SidContext? context = null)
    {
        if (sidLength is null) return Win32Error.Fail(Win32Error.InvalidParameter);
        if (!TryMakeWellKnownSid(type, domainSid, context, out var made)) return Win32Error.Fail(Win32Error.InvalidParameter);
        int needed = made.BinaryLength;
        if (sidLength.Value < needed || (sid is not null && sid.Length < needed))
        {
            sidLength.Value = needed;
            return Win32Error.Fail(Win32Error.InsufficientBuffer);
        }
        if (sid is null) return Win32Error.Fail(Win32Error.InvalidParameter);
        made.TryWrite(sid, out _);
        sidLength.Value = needed;
        return Win32Error.Succeed();
    }

    /// <summary>CreateWellKnownSid without the buffer protocol: the SID, or false with the last error set.</summary>
    public static bool CreateWellKnownSid(WellKnownSidType type, Sid? domainSid, out Sid sid, SidContext? context = null)
    {
        if (!TryMakeWellKnownSid(type, domainSid, context, out sid)) return Win32Error.Fail(Win32Error.InvalidParameter);
        return Win32Error.Succeed();
    }

    private static bool TryMakeWellKnownSid(WellKnownSidType type, Sid? domainSid, SidContext? context, out Sid sid)
    {
        sid = default;
        if (!WellKnownSidTypes.TryGet(type, out var fixedSid, out var rid)) return false;
        if (fixedSid is { } f)
        {
            sid = f;
            return true;
        }
        if (rid is not { } r) return false;
        var domain = domainSid is { IsDefault: false } d ? d : context?.MachineDomain;
        if (domain is not { IsDefault: false } dom || dom.SubAuthorityCount >= 15) return false;
        sid = dom.Append(r);
        return true;
    }

    /// <summary>
    /// EqualDomainSid: whether two SIDs are from the same domain. Each must be an account domain SID
    /// (S-1-5-21-a-b-c, with or without a RID after it; its domain is those first four sub-authorities) or a BUILTIN SID
    /// (S-1-5-32, with or without a RID); otherwise FALSE with ERROR_NON_DOMAIN_SID (Microsoft's documentation).
    /// A SID that is not valid (default) is ERROR_INVALID_SID and a NULL pfEqual ERROR_INVALID_PARAMETER (decided).
    /// </summary>
    /// <param name="sid1">pSid1.</param>
    /// <param name="sid2">pSid2.</param>
    /// <param name="equal">pfEqual: set to whether the domains are equal when the call succeeds.</param>
    public static bool EqualDomainSid(Sid sid1, Sid sid2, StrongBox<bool>? equal)
    {
        if (sid1.IsDefault || sid2.IsDefault) return Win32Error.Fail(Win32Error.InvalidSid);
        if (equal is null) return Win32Error.Fail(Win32Error.InvalidParameter);
        if (DomainOf(sid1) is not { } d1 || DomainOf(sid2) is not { } d2) return Win32Error.Fail(Win32Error.NonDomainSid);
        equal.Value = d1 == d2;
        return Win32Error.Succeed();
    }

    /// <summary>EqualDomainSid with the result as an out value.</summary>
    public static bool EqualDomainSid(Sid sid1, Sid sid2, out bool equal)
    {
        var box = new StrongBox<bool>();
        bool ok = EqualDomainSid(sid1, sid2, box);
        equal = box.Value;
        return ok;
    }

    // The domain part of an account domain or BUILTIN SID, or null when the SID has none.
    private static Sid? DomainOf(Sid sid)
    {
        if (sid.IdentifierAuthority != 5 || sid.SubAuthorityCount == 0) return null;
        uint first = sid.GetSubAuthority(0);
        if (first == 32) return Sid.Create(5, 32);
        if (first == 21 && sid.SubAuthorityCount >= 4) return Sid.Create(5, 21, sid.GetSubAuthority(1), sid.GetSubAuthority(2), sid.GetSubAuthority(3));
        return null;
    }
}
