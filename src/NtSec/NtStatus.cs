using System.Globalization;

namespace NtSec;

/// <summary>An NTSTATUS value, with the names and Win32 error mapping (<c>RtlNtStatusToDosError</c>) NtSec uses.</summary>
public readonly record struct NtStatus(uint Value)
{
    /// <summary>STATUS_SUCCESS.</summary>
    public static readonly NtStatus Success = new(0x0000_0000);
    /// <summary>STATUS_NOT_ALL_ASSIGNED (a success code).</summary>
    public static readonly NtStatus NotAllAssigned = new(0x0000_0106);
    /// <summary>STATUS_BUFFER_OVERFLOW.</summary>
    public static readonly NtStatus BufferOverflow = new(0x8000_0005);
    /// <summary>STATUS_NOT_IMPLEMENTED.</summary>
    public static readonly NtStatus NotImplemented = new(0xC000_0002);
    /// <summary>STATUS_INVALID_INFO_CLASS.</summary>
    public static readonly NtStatus InvalidInfoClass = new(0xC000_0003);
    /// <summary>STATUS_INFO_LENGTH_MISMATCH.</summary>
    public static readonly NtStatus InfoLengthMismatch = new(0xC000_0004);
    /// <summary>STATUS_ACCESS_VIOLATION.</summary>
    public static readonly NtStatus AccessViolation = new(0xC000_0005);
    /// <summary>STATUS_INVALID_HANDLE.</summary>
    public static readonly NtStatus InvalidHandle = new(0xC000_0008);
    /// <summary>STATUS_INVALID_PARAMETER.</summary>
    public static readonly NtStatus InvalidParameter = new(0xC000_000D);
    /// <summary>STATUS_ACCESS_DENIED.</summary>
    public static readonly NtStatus AccessDenied = new(0xC000_0022);
    /// <summary>STATUS_BUFFER_TOO_SMALL.</summary>
    public static readonly NtStatus BufferTooSmall = new(0xC000_0023);
    /// <summary>STATUS_OBJECT_TYPE_MISMATCH.</summary>
    public static readonly NtStatus ObjectTypeMismatch = new(0xC000_0024);
    /// <summary>STATUS_INVALID_OWNER.</summary>
    public static readonly NtStatus InvalidOwner = new(0xC000_005A);
    /// <summary>STATUS_INVALID_PRIMARY_GROUP.</summary>
    public static readonly NtStatus InvalidPrimaryGroup = new(0xC000_005B);
    /// <summary>STATUS_NO_IMPERSONATION_TOKEN.</summary>
    public static readonly NtStatus NoImpersonationToken = new(0xC000_005C);
    /// <summary>STATUS_CANT_DISABLE_MANDATORY.</summary>
    public static readonly NtStatus CantDisableMandatory = new(0xC000_005D);
    /// <summary>STATUS_PRIVILEGE_NOT_HELD.</summary>
    public static readonly NtStatus PrivilegeNotHeld = new(0xC000_0061);
    /// <summary>STATUS_REVISION_MISMATCH.</summary>
    public static readonly NtStatus RevisionMismatch = new(0xC000_0059);
    /// <summary>STATUS_INVALID_ACL.</summary>
    public static readonly NtStatus InvalidAcl = new(0xC000_0077);
    /// <summary>STATUS_INVALID_SID.</summary>
    public static readonly NtStatus InvalidSid = new(0xC000_0078);
    /// <summary>STATUS_INVALID_SECURITY_DESCR.</summary>
    public static readonly NtStatus InvalidSecurityDescriptor = new(0xC000_0079);
    /// <summary>STATUS_NO_TOKEN.</summary>
    public static readonly NtStatus NoToken = new(0xC000_007C);
    /// <summary>STATUS_BAD_IMPERSONATION_LEVEL.</summary>
    public static readonly NtStatus BadImpersonationLevel = new(0xC000_00A5);
    /// <summary>STATUS_CANT_OPEN_ANONYMOUS.</summary>
    public static readonly NtStatus CantOpenAnonymous = new(0xC000_00A6);
    /// <summary>STATUS_BAD_TOKEN_TYPE.</summary>
    public static readonly NtStatus BadTokenType = new(0xC000_00A8);
    /// <summary>STATUS_GENERIC_NOT_MAPPED.</summary>
    public static readonly NtStatus GenericNotMapped = new(0xC000_00E6);
    /// <summary>STATUS_ALLOTTED_SPACE_EXCEEDED.</summary>
    public static readonly NtStatus AllottedSpaceExceeded = new(0xC000_0099);
    /// <summary>STATUS_INVALID_GROUP_ATTRIBUTES.</summary>
    public static readonly NtStatus InvalidGroupAttributes = new(0xC000_00A4);

    /// <summary>STATUS_OBJECT_NAME_EXISTS (informational: an existing object was opened).</summary>
    public static readonly NtStatus ObjectNameExists = new(0x4000_0000);
    /// <summary>STATUS_NO_SUCH_LOGON_SESSION.</summary>
    public static readonly NtStatus NoSuchLogonSession = new(0xC000_005F);
    /// <summary>STATUS_OBJECT_NAME_NOT_FOUND.</summary>
    public static readonly NtStatus ObjectNameNotFound = new(0xC000_0034);
    /// <summary>STATUS_OBJECT_NAME_COLLISION.</summary>
    public static readonly NtStatus ObjectNameCollision = new(0xC000_0035);
    /// <summary>STATUS_INVALID_CID.</summary>
    public static readonly NtStatus InvalidCid = new(0xC000_000B);
    /// <summary>STATUS_NO_SUCH_PRIVILEGE.</summary>
    public static readonly NtStatus NoSuchPrivilege = new(0xC000_0060);
    /// <summary>STATUS_THREAD_IS_TERMINATING.</summary>
    public static readonly NtStatus ThreadIsTerminating = new(0xC000_004B);
    /// <summary>STATUS_PROCESS_IS_TERMINATING.</summary>
    public static readonly NtStatus ProcessIsTerminating = new(0xC000_010A);
    /// <summary>STATUS_TOKEN_ALREADY_IN_USE.</summary>
    public static readonly NtStatus TokenAlreadyInUse = new(0xC000_012B);
    /// <summary>STATUS_DLL_INIT_FAILED.</summary>
    public static readonly NtStatus DllInitFailed = new(0xC000_0142);
    /// <summary>STATUS_HANDLE_NOT_CLOSABLE.</summary>
    public static readonly NtStatus HandleNotClosable = new(0xC000_0235);
    /// <summary>STATUS_CANT_ENABLE_DENY_ONLY.</summary>
    public static readonly NtStatus CantEnableDenyOnly = new(0xC000_02B3);
    /// <summary>STATUS_NOT_SUPPORTED.</summary>
    public static readonly NtStatus NotSupported = new(0xC000_00BB);

    private static readonly (NtStatus Status, string Name, int Win32)[] Table =
    [
        (Success, "STATUS_SUCCESS", 0),
        (NotAllAssigned, "STATUS_NOT_ALL_ASSIGNED", 1300),
        (BufferOverflow, "STATUS_BUFFER_OVERFLOW", 234),
        (NotImplemented, "STATUS_NOT_IMPLEMENTED", 1),
        (InvalidInfoClass, "STATUS_INVALID_INFO_CLASS", 87),
        (InfoLengthMismatch, "STATUS_INFO_LENGTH_MISMATCH", 24),
        (AccessViolation, "STATUS_ACCESS_VIOLATION", 998),
        (InvalidHandle, "STATUS_INVALID_HANDLE", 6),
        (InvalidParameter, "STATUS_INVALID_PARAMETER", 87),
        (AccessDenied, "STATUS_ACCESS_DENIED", 5),
        (BufferTooSmall, "STATUS_BUFFER_TOO_SMALL", 122),
        (ObjectTypeMismatch, "STATUS_OBJECT_TYPE_MISMATCH", 6),
        (InvalidOwner, "STATUS_INVALID_OWNER", 1307),
        (InvalidPrimaryGroup, "STATUS_INVALID_PRIMARY_GROUP", 1308),
        (NoImpersonationToken, "STATUS_NO_IMPERSONATION_TOKEN", 1309),
        (CantDisableMandatory, "STATUS_CANT_DISABLE_MANDATORY", 1310),
        (PrivilegeNotHeld, "STATUS_PRIVILEGE_NOT_HELD", 1314),
        (RevisionMismatch, "STATUS_REVISION_MISMATCH", 1306),
        (InvalidAcl, "STATUS_INVALID_ACL", 1336),
        (InvalidSid, "STATUS_INVALID_SID", 1337),
        (InvalidSecurityDescriptor, "STATUS_INVALID_SECURITY_DESCR", 1338),
        (NoToken, "STATUS_NO_TOKEN", 1008),
        (BadImpersonationLevel, "STATUS_BAD_IMPERSONATION_LEVEL", 1346),
        (CantOpenAnonymous, "STATUS_CANT_OPEN_ANONYMOUS", 1347),
        (BadTokenType, "STATUS_BAD_TOKEN_TYPE", 1349),
        (GenericNotMapped, "STATUS_GENERIC_NOT_MAPPED", 1360),
        (InvalidGroupAttributes, "STATUS_INVALID_GROUP_ATTRIBUTES", 1345),
        (AllottedSpaceExceeded, "STATUS_ALLOTTED_SPACE_EXCEEDED", 1344),
        (ObjectNameExists, "STATUS_OBJECT_NAME_EXISTS", 183),
        (NoSuchLogonSession, "STATUS_NO_SUCH_LOGON_SESSION", 1312),
        (ObjectNameNotFound, "STATUS_OBJECT_NAME_NOT_FOUND", 2),
        (ObjectNameCollision, "STATUS_OBJECT_NAME_COLLISION", 183),
        (InvalidCid, "STATUS_INVALID_CID", 87),
        (NoSuchPrivilege, "STATUS_NO_SUCH_PRIVILEGE", 1313),
        (ThreadIsTerminating, "STATUS_THREAD_IS_TERMINATING", 5),
        (ProcessIsTerminating, "STATUS_PROCESS_IS_TERMINATING", 5),
        (TokenAlreadyInUse, "STATUS_TOKEN_ALREADY_IN_USE", 1375),
        (DllInitFailed, "STATUS_DLL_INIT_FAILED", 1114),
        (HandleNotClosable, "STATUS_HANDLE_NOT_CLOSABLE", 6),
        (CantEnableDenyOnly, "STATUS_CANT_ENABLE_DENY_ONLY", 629),
        (NotSupported, "STATUS_NOT_SUPPORTED", 50),
    ];

    /// <summary>True for success and informational codes (the top two bits are 00 or 01).</summary>
    public bool IsSuccess => Value < 0x8000_0000;

    /// <summary>The symbolic name (<c>STATUS_ACCESS_DENIED</c>), or the hex value when NtSec does not name it.</summary>
    public string Name
    {
        get
        {
            foreach (var (s, n, _) in Table)
                if (s.Value == Value) return n;
            return ToHex();
        }
    }

    /// <summary>The Win32 error <c>RtlNtStatusToDosError</c> gives (ERROR_MR_MID_NOT_FOUND, 317, for unknown codes).</summary>
    public int ToWin32Error()
    {
        foreach (var (s, _, w) in Table)
            if (s.Value == Value) return w;
        return 317;
    }

    /// <summary>Finds a status by name.</summary>
    public static bool TryParse(string name, out NtStatus status)
    {
        foreach (var (s, n, _) in Table)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                status = s;
                return true;
            }
        }
        status = default;
        return false;
    }

    /// <summary><c>0xC0000022</c>.</summary>
    public string ToHex() => "0x" + Value.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>Name and hex: <c>STATUS_ACCESS_DENIED (0xC0000022)</c>.</summary>
    public override string ToString() => $"{Name} ({ToHex()})";
}
