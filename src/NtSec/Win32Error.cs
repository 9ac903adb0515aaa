namespace NtSec;

/// <summary>
/// The calling thread's last error, as <c>GetLastError</c>/<c>SetLastError</c> keep it: the Win32-style functions
/// of NtSec return BOOL and leave their reason here.
/// </summary>
public static class Win32Error
{
    [ThreadStatic]
    private static int _lastError;

    /// <summary>ERROR_SUCCESS.</summary>
    public const int Success = 0;
    /// <summary>ERROR_FILE_NOT_FOUND.</summary>
    public const int FileNotFound = 2;
    /// <summary>ERROR_ACCESS_DENIED.</summary>
    public const int AccessDenied = 5;
    /// <summary>ERROR_INVALID_HANDLE.</summary>
    public const int InvalidHandle = 6;
    /// <summary>ERROR_INVALID_PARAMETER.</summary>
    public const int InvalidParameter = 87;
    /// <summary>ERROR_INSUFFICIENT_BUFFER.</summary>
    public const int InsufficientBuffer = 122;
    /// <summary>ERROR_BUSY.</summary>
    public const int Busy = 170;
    /// <summary>ERROR_ALREADY_EXISTS.</summary>
    public const int AlreadyExists = 183;
    /// <summary>ERROR_INVALID_WINDOW_HANDLE.</summary>
    public const int InvalidWindowHandle = 1400;
    /// <summary>ERROR_NOT_ENOUGH_QUOTA.</summary>
    public const int NotEnoughQuota = 1816;
    /// <summary>ERROR_NON_ACCOUNT_SID: the SID is not an account SID.</summary>
    public const int NonAccountSid = 1257;
    /// <summary>ERROR_NON_DOMAIN_SID: the SID has no domain part (EqualDomainSid).</summary>
    public const int NonDomainSid = 1258;
    /// <summary>ERROR_UNKNOWN_REVISION.</summary>
    public const int UnknownRevision = 1305;
    /// <summary>ERROR_NONE_MAPPED.</summary>
    public const int NoneMapped = 1332;
    /// <summary>ERROR_INVALID_ACL.</summary>
    public const int InvalidAcl = 1336;
    /// <summary>ERROR_INVALID_SID.</summary>
    public const int InvalidSid = 1337;
    /// <summary>ERROR_INVALID_SECURITY_DESCR.</summary>
    public const int InvalidSecurityDescriptor = 1338;

    /// <summary>GetLastError.</summary>
    public static int GetLastError() => _lastError;

    /// <summary>SetLastError.</summary>
    public static void SetLastError(int error) => _lastError = error;

    internal static bool Fail(int error)
    {
        _lastError = error;
        return false;
    }

    internal static bool Succeed()
    {
        // advapi32's SDDL functions set ERROR_SUCCESS on success; callers that test GetLastError after TRUE see 0.
        _lastError = Success;
        return true;
    }
}
