using System.Globalization;

namespace NtSec;

/// <summary>
/// Win32 error codes, and the calling thread's last error as <c>GetLastError</c>/<c>SetLastError</c> keep it for the
/// functions that run on no emulated thread; the state itself is <see cref="LastErrorState"/>.
/// </summary>
public static class Win32Error
{
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
    /// <summary>ERROR_INVALID_DATATYPE (a conditional expression or claim value of the wrong type).</summary>
    public const int InvalidDatatype = 1804;

    // The ERROR_ name of each code above: the one table scenarios, renderers and parsers name errors from.
    private static readonly (int Code, string Name)[] Names =
    [
        (Success, "ERROR_SUCCESS"), (FileNotFound, "ERROR_FILE_NOT_FOUND"), (AccessDenied, "ERROR_ACCESS_DENIED"),
        (InvalidHandle, "ERROR_INVALID_HANDLE"), (InvalidParameter, "ERROR_INVALID_PARAMETER"),
        (InsufficientBuffer, "ERROR_INSUFFICIENT_BUFFER"), (Busy, "ERROR_BUSY"), (AlreadyExists, "ERROR_ALREADY_EXISTS"),
        (InvalidWindowHandle, "ERROR_INVALID_WINDOW_HANDLE"), (NotEnoughQuota, "ERROR_NOT_ENOUGH_QUOTA"),
        (NonAccountSid, "ERROR_NON_ACCOUNT_SID"), (NonDomainSid, "ERROR_NON_DOMAIN_SID"),
        (UnknownRevision, "ERROR_UNKNOWN_REVISION"), (NoneMapped, "ERROR_NONE_MAPPED"), (InvalidAcl, "ERROR_INVALID_ACL"),
        (InvalidSid, "ERROR_INVALID_SID"), (InvalidSecurityDescriptor, "ERROR_INVALID_SECURITY_DESCR"),
        (InvalidDatatype, "ERROR_INVALID_DATATYPE"),
    ];

    /// <summary>The <c>ERROR_</c> name of a code NtSec knows, or the decimal number.</summary>
    public static string Name(int code)
    {
        foreach (var (c, n) in Names)
            if (c == code) return n;
        return code.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Parses an <c>ERROR_</c> name NtSec knows (any case) or a decimal number.</summary>
    public static bool TryParse(string text, out int code)
    {
        foreach (var (c, n) in Names)
        {
            if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase))
            {
                code = c;
                return true;
            }
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code);
    }

    /// <summary>GetLastError for the functions that run on no emulated thread (<see cref="LastErrorState.Current"/>).</summary>
    public static int GetLastError() => LastErrorState.Current.Error;

    /// <summary>SetLastError, likewise.</summary>
    public static void SetLastError(int error) => LastErrorState.Current.Error = error;

    internal static bool Fail(int error) => LastErrorState.Current.Fail(error);

    // advapi32's SDDL functions set ERROR_SUCCESS on success; callers that test GetLastError after TRUE see 0.
    internal static bool Succeed() => LastErrorState.Current.Succeed();
}
