using System.Runtime.CompilerServices;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Win32;

/// <summary>
/// advapi32-style functions: they return BOOL (<c>bool</c>) and set the thread's last error
/// (<see cref="Win32Error.GetLastError"/>) the way Windows does.
/// </summary>
public static partial class Advapi32
{
    /// <summary>SDDL_REVISION_1, the only revision the SDDL functions accept.</summary>
    public const uint SddlRevision1 = 1;

    /// <summary>
    /// ConvertStringSecurityDescriptorToSecurityDescriptorW: SDDL to a self-relative descriptor.
    /// NULL string: ERROR_INVALID_PARAMETER; revision other than 1: ERROR_UNKNOWN_REVISION; bad text: the parser's
    /// error (ERROR_INVALID_PARAMETER for the outer structure, ERROR_INVALID_ACL inside an ACE, ERROR_INVALID_SID ...).
    /// </summary>
    public static bool ConvertStringSecurityDescriptorToSecurityDescriptor(string? stringSecurityDescriptor, uint revision, out byte[]? securityDescriptor, SidContext? context = null)
    {
        securityDescriptor = null;
        if (stringSecurityDescriptor is null) return Win32Error.Fail(Win32Error.InvalidParameter);
        if (revision != SddlRevision1) return Win32Error.Fail(Win32Error.UnknownRevision);
        if (!SddlParser.TryParse(stringSecurityDescriptor, context, out var sd, out var error)) return Win32Error.Fail(error!.Win32Error);
        securityDescriptor = sd!.ToBinary();
        return Win32Error.Succeed();
    }

    /// <summary>ConvertSecurityDescriptorToStringSecurityDescriptorW for a self-relative descriptor.</summary>
    public static bool ConvertSecurityDescriptorToStringSecurityDescriptor(ReadOnlySpan<byte> securityDescriptor, uint revision, SecurityInformation securityInformation, out string? stringSecurityDescriptor, SidContext? context = null)
    {
        stringSecurityDescriptor = null;
        if (revision != SddlRevision1) return Win32Error.Fail(Win32Error.UnknownRevision);
        if (!SecurityDescriptor.TryRead(securityDescriptor, out var sd, out _, out var error)) return Win32Error.Fail(error!.Win32Error);
        return ConvertSecurityDescriptorToStringSecurityDescriptor(sd!, revision, securityInformation, out stringSecurityDescriptor, context);
    }

    /// <summary>ConvertSecurityDescriptorToStringSecurityDescriptorW for a descriptor value.</summary>
    public static bool ConvertSecurityDescriptorToStringSecurityDescriptor(SecurityDescriptor securityDescriptor, uint revision, SecurityInformation securityInformation, out string? stringSecurityDescriptor, SidContext? context = null)
    {
        stringSecurityDescriptor = null;
        if (revision != SddlRevision1) return Win32Error.Fail(Win32Error.UnknownRevision);
        if (!SddlWriter.TryFormat(securityDescriptor, context, securityInformation, out stringSecurityDescriptor, out _))
            return Win32Error.Fail(Win32Error.InvalidAcl);
        return Win32Error.Succeed();
    }

    /// <summary>ConvertStringSidToSidW: an S-1-... string or an SDDL alias. NULL: ERROR_INVALID_PARAMETER; bad: ERROR_INVALID_SID.</summary>
    public static bool ConvertStringSidToSid(string? stringSid, out Sid sid, SidContext? context = null)
    {
        sid = default;
        if (stringSid is null) return Win32Error.Fail(Win32Error.InvalidParameter);
        if (!SddlSidAliases.TryParseSid(stringSid, context, out sid, out _)) return Win32Error.Fail(Win32Error.InvalidSid);
        return Win32Error.Succeed();
    }

    /// <summary>
    /// GetWindowsAccountDomainSid: the account domain of <paramref name="sid"/> (S-1-5-21-a-b-c for
    /// S-1-5-21-a-b-c-rid) and its size, 24 bytes. In Windows' order (observed by Wine's test on Windows): a NULL or
    /// invalid SID is ERROR_INVALID_SID; a NULL size pointer ERROR_INVALID_PARAMETER; a SID with no account domain
    /// ERROR_NON_ACCOUNT_SID (decided, no observation: NtSec never guesses a domain); a NULL domain buffer
    /// ERROR_INVALID_PARAMETER and a size below 24 ERROR_INSUFFICIENT_BUFFER, both with the needed size written back.
    /// </summary>
    /// <param name="sid">pSid; null for a NULL pointer.</param>
    /// <param name="domainSid">pDomainSid, which receives the domain SID; null for a NULL pointer.</param>
    /// <param name="domainSidSize">cbDomainSid: the buffer's size in, the domain SID's size out; null for a NULL pointer.</param>
    public static bool GetWindowsAccountDomainSid(Sid? sid, StrongBox<Sid>? domainSid, StrongBox<int>? domainSidSize)
    {
        if (sid is not { IsDefault: false } s) return Win32Error.Fail(Win32Error.InvalidSid);
        if (domainSidSize is null) return Win32Error.Fail(Win32Error.InvalidParameter);
        if (!s.TryGetWindowsAccountDomain(out var domain)) return Win32Error.Fail(Win32Error.NonAccountSid);
        int required = domain.BinaryLength;
        if (domainSid is null || domainSidSize.Value < required)
        {
            domainSidSize.Value = required;
            return Win32Error.Fail(domainSid is null ? Win32Error.InvalidParameter : Win32Error.InsufficientBuffer);
        }
        domainSid.Value = domain;
        domainSidSize.Value = required;
        return Win32Error.Succeed();
    }

    /// <summary>ConvertSidToStringSidW.</summary>
    public static bool ConvertSidToStringSid(Sid sid, out string? stringSid)
    {
        stringSid = null;
        if (sid.IsDefault) return Win32Error.Fail(Win32Error.InvalidSid);
        stringSid = sid.ToString();
        return Win32Error.Succeed();
    }

    /// <summary>
    /// SetSecurityDescriptorControl: only the auto-inherit-required, auto-inherited and protected bits of the DACL
    /// and SACL may be changed; asking for any other bit is ERROR_INVALID_PARAMETER, as on Windows.
    /// </summary>
    public static bool SetSecurityDescriptorControl(SecurityDescriptor? securityDescriptor, SecurityDescriptorControl bitsOfInterest, SecurityDescriptorControl bitsToSet, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out SecurityDescriptor result)
    {
        // No descriptor: FALSE with ERROR_INVALID_SECURITY_DESCR, never a throw (decided; Windows would fault).
        if (securityDescriptor is null)
        {
            result = null;
            return Win32Error.Fail(Win32Error.InvalidSecurityDescriptor);
        }
        const SecurityDescriptorControl settable = SecurityDescriptorControl.DaclAutoInheritRequired | SecurityDescriptorControl.SaclAutoInheritRequired
            | SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.SaclAutoInherited
            | SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.SaclProtected;
        result = securityDescriptor;
        if (((bitsOfInterest | bitsToSet) & ~settable) != 0) return Win32Error.Fail(Win32Error.InvalidParameter);
        var control = (securityDescriptor.Control & ~bitsOfInterest) | (bitsToSet & bitsOfInterest);
        result = securityDescriptor.WithControl(control);
        return Win32Error.Succeed();
    }

    /// <summary>The buffer size MakeSelfRelativeSD asks for (ERROR_INSUFFICIENT_BUFFER with this size on a NULL buffer).</summary>
    /// <remarks>0 for no descriptor.</remarks>
    public static int GetSelfRelativeLength(SecurityDescriptor? securityDescriptor) => securityDescriptor?.GetBinaryLength() ?? 0;
}
