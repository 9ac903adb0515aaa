namespace NtSec.Kernel;

/// <summary>TOKEN_* access rights (winnt.h).</summary>
public static class TokenAccessRights
{
    /// <summary>TOKEN_ASSIGN_PRIMARY.</summary>
    public const uint AssignPrimary = 0x0001;
    /// <summary>TOKEN_DUPLICATE.</summary>
    public const uint Duplicate = 0x0002;
    /// <summary>TOKEN_IMPERSONATE.</summary>
    public const uint Impersonate = 0x0004;
    /// <summary>TOKEN_QUERY.</summary>
    public const uint Query = 0x0008;
    /// <summary>TOKEN_QUERY_SOURCE.</summary>
    public const uint QuerySource = 0x0010;
    /// <summary>TOKEN_ADJUST_PRIVILEGES.</summary>
    public const uint AdjustPrivileges = 0x0020;
    /// <summary>TOKEN_ADJUST_GROUPS.</summary>
    public const uint AdjustGroups = 0x0040;
    /// <summary>TOKEN_ADJUST_DEFAULT.</summary>
    public const uint AdjustDefault = 0x0080;
    /// <summary>TOKEN_ADJUST_SESSIONID.</summary>
    public const uint AdjustSessionId = 0x0100;
    /// <summary>TOKEN_ALL_ACCESS.</summary>
    public const uint AllAccess = 0x000F_01FF;
    /// <summary>TOKEN_READ: READ_CONTROL | TOKEN_QUERY.</summary>
    public const uint Read = 0x0002_0008;
    /// <summary>TOKEN_WRITE: READ_CONTROL | TOKEN_ADJUST_PRIVILEGES | TOKEN_ADJUST_GROUPS | TOKEN_ADJUST_DEFAULT.</summary>
    public const uint Write = 0x0002_00E0;
    /// <summary>TOKEN_EXECUTE: READ_CONTROL.</summary>
    public const uint Execute = 0x0002_0000;
}

/// <summary>PROCESS_* access rights (winnt.h).</summary>
public static class ProcessAccessRights
{
    /// <summary>PROCESS_TERMINATE.</summary>
    public const uint Terminate = 0x0001;
    /// <summary>PROCESS_CREATE_THREAD.</summary>
    public const uint CreateThread = 0x0002;
    /// <summary>PROCESS_SET_SESSIONID.</summary>
    public const uint SetSessionId = 0x0004;
    /// <summary>PROCESS_VM_OPERATION.</summary>
    public const uint VmOperation = 0x0008;
    /// <summary>PROCESS_VM_READ.</summary>
    public const uint VmRead = 0x0010;
    /// <summary>PROCESS_VM_WRITE.</summary>
    public const uint VmWrite = 0x0020;
    /// <summary>PROCESS_DUP_HANDLE.</summary>
    public const uint DupHandle = 0x0040;
    /// <summary>PROCESS_CREATE_PROCESS.</summary>
    public const uint CreateProcess = 0x0080;
    /// <summary>PROCESS_SET_QUOTA.</summary>
    public const uint SetQuota = 0x0100;
    /// <summary>PROCESS_SET_INFORMATION.</summary>
    public const uint SetInformation = 0x0200;
    /// <summary>PROCESS_QUERY_INFORMATION.</summary>
    public const uint QueryInformation = 0x0400;
    /// <summary>PROCESS_SUSPEND_RESUME.</summary>
    public const uint SuspendResume = 0x0800;
    /// <summary>PROCESS_QUERY_LIMITED_INFORMATION.</summary>
    public const uint QueryLimitedInformation = 0x1000;
    /// <summary>PROCESS_SET_LIMITED_INFORMATION.</summary>
    public const uint SetLimitedInformation = 0x2000;
    /// <summary>PROCESS_ALL_ACCESS.</summary>
    public const uint AllAccess = 0x001F_FFFF;
}

/// <summary>THREAD_* access rights (winnt.h).</summary>
public static class ThreadAccessRights
{
    /// <summary>THREAD_TERMINATE.</summary>
    public const uint Terminate = 0x0001;
    /// <summary>THREAD_SUSPEND_RESUME.</summary>
    public const uint SuspendResume = 0x0002;
    /// <summary>THREAD_GET_CONTEXT.</summary>
    public const uint GetContext = 0x0008;
    /// <summary>THREAD_SET_CONTEXT.</summary>
    public const uint SetContext = 0x0010;
    /// <summary>THREAD_SET_INFORMATION.</summary>
    public const uint SetInformation = 0x0020;
    /// <summary>THREAD_QUERY_INFORMATION.</summary>
    public const uint QueryInformation = 0x0040;
    /// <summary>THREAD_SET_THREAD_TOKEN.</summary>
    public const uint SetThreadToken = 0x0080;
    /// <summary>THREAD_IMPERSONATE.</summary>
    public const uint Impersonate = 0x0100;
    /// <summary>THREAD_DIRECT_IMPERSONATION.</summary>
    public const uint DirectImpersonation = 0x0200;
    /// <summary>THREAD_SET_LIMITED_INFORMATION.</summary>
    public const uint SetLimitedInformation = 0x0400;
    /// <summary>THREAD_QUERY_LIMITED_INFORMATION.</summary>
    public const uint QueryLimitedInformation = 0x0800;
    /// <summary>THREAD_RESUME.</summary>
    public const uint Resume = 0x1000;
    /// <summary>THREAD_ALL_ACCESS.</summary>
    public const uint AllAccess = 0x001F_FFFF;
}
