using System.Runtime.CompilerServices;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Tokens;

namespace NtSec.Win32;

public static partial class Advapi32
{
    /// <summary>
    /// AccessCheck: FALSE with the last error from <c>RtlNtStatusToDosError</c> when the call itself fails
    /// (ERROR_NOACCESS for a bad pointer, ERROR_INSUFFICIENT_BUFFER with the needed length written back,
    /// ERROR_GENERIC_NOT_MAPPED, ERROR_NO_IMPERSONATION_TOKEN ...). When it succeeds it returns TRUE and sets
    /// <paramref name="accessStatus"/>; a denial also sets the last error (ERROR_ACCESS_DENIED, or
    /// ERROR_PRIVILEGE_NOT_HELD for ACCESS_SYSTEM_SECURITY without its privilege).
    /// </summary>
    public static bool AccessCheck(
        SecurityDescriptor securityDescriptor,
        Token? clientToken,
        uint desiredAccess,
        GenericMapping genericMapping,
        PrivilegeSetBuffer? privilegeSet,
        StrongBox<int>? privilegeSetLength,
        out uint grantedAccess,
        out bool accessStatus)
    {
        accessStatus = false;
        var status = Ntdll.NtAccessCheck(securityDescriptor, clientToken, desiredAccess, genericMapping, privilegeSet, privilegeSetLength, out grantedAccess, out var access);
        var lastError = LastErrorState.Current;
        if (status != NtStatus.Success) return lastError.Fail(status);
        accessStatus = access == NtStatus.Success;
        if (!accessStatus) lastError.Fail(access);
        else lastError.Succeed();
        return true;
    }
}
