namespace NtSec;

// The specific rights of the object types the emulated kernel implements, and of the types SDDL and icacls name
// codes for (files, keys, directory objects), as constants for code. Their names are given once, in
// NtSec.Authorization.ObjectTypes, whose rows take the values from here; they sit in the root namespace, beside
// AccessMask's standard rights, so that the object type table, the SDDL and icacls codes and the kernel all read
// the one value.

/// <summary>FILE_* access rights (winnt.h), with the directory and pipe names of the same bits.</summary>
public static class FileAccessRights
{
    /// <summary>FILE_READ_DATA (a file, a pipe).</summary>
    public const uint ReadData = 0x0001;
    /// <summary>FILE_LIST_DIRECTORY (a directory): the bit of FILE_READ_DATA.</summary>
    public const uint ListDirectory = ReadData;
    /// <summary>FILE_WRITE_DATA (a file, a pipe).</summary>
    public const uint WriteData = 0x0002;
    /// <summary>FILE_ADD_FILE (a directory): the bit of FILE_WRITE_DATA.</summary>
    public const uint AddFile = WriteData;
    /// <summary>FILE_APPEND_DATA (a file).</summary>
    public const uint AppendData = 0x0004;
    /// <summary>FILE_ADD_SUBDIRECTORY (a directory): the bit of FILE_APPEND_DATA.</summary>
    public const uint AddSubdirectory = AppendData;
    /// <summary>FILE_CREATE_PIPE_INSTANCE (a pipe): the bit of FILE_APPEND_DATA.</summary>
    public const uint CreatePipeInstance = AppendData;
    /// <summary>FILE_READ_EA.</summary>
    public const uint ReadEa = 0x0008;
    /// <summary>FILE_WRITE_EA.</summary>
    public const uint WriteEa = 0x0010;
    /// <summary>FILE_EXECUTE (a file).</summary>
    public const uint Execute = 0x0020;
    /// <summary>FILE_TRAVERSE (a directory): the bit of FILE_EXECUTE.</summary>
    public const uint Traverse = Execute;
    /// <summary>FILE_DELETE_CHILD.</summary>
    public const uint DeleteChild = 0x0040;
    /// <summary>FILE_READ_ATTRIBUTES.</summary>
    public const uint ReadAttributes = 0x0080;
    /// <summary>FILE_WRITE_ATTRIBUTES.</summary>
    public const uint WriteAttributes = 0x0100;
    /// <summary>FILE_ALL_ACCESS: STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF (0x1F01FF).</summary>
    public const uint AllAccess = AccessMask.StandardRightsRequired | AccessMask.Synchronize | 0x01FF;
    /// <summary>FILE_GENERIC_READ (0x120089).</summary>
    public const uint GenericRead = AccessMask.StandardRightsRead | ReadData | ReadAttributes | ReadEa | AccessMask.Synchronize;
    /// <summary>FILE_GENERIC_WRITE (0x120116).</summary>
    public const uint GenericWrite = AccessMask.StandardRightsRead | WriteData | WriteAttributes | WriteEa | AppendData | AccessMask.Synchronize;
    /// <summary>FILE_GENERIC_EXECUTE (0x1200A0).</summary>
    public const uint GenericExecute = AccessMask.StandardRightsRead | ReadAttributes | Execute | AccessMask.Synchronize;
}

/// <summary>KEY_* access rights (winnt.h).</summary>
public static class KeyAccessRights
{
    /// <summary>KEY_QUERY_VALUE.</summary>
    public const uint QueryValue = 0x0001;
    /// <summary>KEY_SET_VALUE.</summary>
    public const uint SetValue = 0x0002;
    /// <summary>KEY_CREATE_SUB_KEY.</summary>
    public const uint CreateSubKey = 0x0004;
    /// <summary>KEY_ENUMERATE_SUB_KEYS.</summary>
    public const uint EnumerateSubKeys = 0x0008;
    /// <summary>KEY_NOTIFY.</summary>
    public const uint Notify = 0x0010;
    /// <summary>KEY_CREATE_LINK.</summary>
    public const uint CreateLink = 0x0020;
    /// <summary>KEY_WOW64_64KEY.</summary>
    public const uint Wow64Key64 = 0x0100;
    /// <summary>KEY_WOW64_32KEY.</summary>
    public const uint Wow64Key32 = 0x0200;
    /// <summary>KEY_READ (0x20019).</summary>
    public const uint Read = AccessMask.StandardRightsRead | QueryValue | EnumerateSubKeys | Notify;
    /// <summary>KEY_WRITE (0x20006).</summary>
    public const uint Write = AccessMask.StandardRightsRead | SetValue | CreateSubKey;
    /// <summary>KEY_EXECUTE: the same bits as KEY_READ.</summary>
    public const uint Execute = Read;
    /// <summary>KEY_ALL_ACCESS (0xF003F).</summary>
    public const uint AllAccess = AccessMask.StandardRightsRequired | QueryValue | SetValue | CreateSubKey | EnumerateSubKeys | Notify | CreateLink;
}

/// <summary>The directory service (Active Directory) object rights: ADS_RIGHTS_ENUM's ADS_RIGHT_DS_* (iads.h).</summary>
public static class DirectoryServiceAccessRights
{
    /// <summary>ADS_RIGHT_DS_CREATE_CHILD.</summary>
    public const uint CreateChild = 0x0001;
    /// <summary>ADS_RIGHT_DS_DELETE_CHILD.</summary>
    public const uint DeleteChild = 0x0002;
    /// <summary>ADS_RIGHT_ACTRL_DS_LIST: list the children.</summary>
    public const uint List = 0x0004;
    /// <summary>ADS_RIGHT_DS_SELF: a validated write.</summary>
    public const uint Self = 0x0008;
    /// <summary>ADS_RIGHT_DS_READ_PROP.</summary>
    public const uint ReadProperty = 0x0010;
    /// <summary>ADS_RIGHT_DS_WRITE_PROP.</summary>
    public const uint WriteProperty = 0x0020;
    /// <summary>ADS_RIGHT_DS_DELETE_TREE.</summary>
    public const uint DeleteTree = 0x0040;
    /// <summary>ADS_RIGHT_DS_LIST_OBJECT.</summary>
    public const uint ListObject = 0x0080;
    /// <summary>ADS_RIGHT_DS_CONTROL_ACCESS: an extended right.</summary>
    public const uint ControlAccess = 0x0100;
    /// <summary>Every DS right with STANDARD_RIGHTS_REQUIRED (0xF01FF): what ADS_RIGHT_GENERIC_ALL maps to.</summary>
    public const uint AllAccess = AccessMask.StandardRightsRequired | 0x01FF;
    /// <summary>What ADS_RIGHT_GENERIC_READ maps to on a directory object (0x20094).</summary>
    public const uint GenericRead = AccessMask.StandardRightsRead | List | ReadProperty | ListObject;
    /// <summary>What ADS_RIGHT_GENERIC_WRITE maps to on a directory object (0x20028).</summary>
    public const uint GenericWrite = AccessMask.StandardRightsRead | Self | WriteProperty;
    /// <summary>What ADS_RIGHT_GENERIC_EXECUTE maps to on a directory object (0x20004).</summary>
    public const uint GenericExecute = AccessMask.StandardRightsRead | List;
}

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
    /// <summary>THREAD_ALERT.</summary>
    public const uint Alert = 0x0004;
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

/// <summary>WINSTA_* access rights (winuser.h).</summary>
public static class WindowStationAccessRights
{
    /// <summary>WINSTA_ENUMDESKTOPS.</summary>
    public const uint EnumDesktops = 0x0001;
    /// <summary>WINSTA_READATTRIBUTES.</summary>
    public const uint ReadAttributes = 0x0002;
    /// <summary>WINSTA_ACCESSCLIPBOARD.</summary>
    public const uint AccessClipboard = 0x0004;
    /// <summary>WINSTA_CREATEDESKTOP: needed on the process's window station handle to create a desktop.</summary>
    public const uint CreateDesktop = 0x0008;
    /// <summary>WINSTA_WRITEATTRIBUTES.</summary>
    public const uint WriteAttributes = 0x0010;
    /// <summary>WINSTA_ACCESSGLOBALATOMS.</summary>
    public const uint AccessGlobalAtoms = 0x0020;
    /// <summary>WINSTA_EXITWINDOWS.</summary>
    public const uint ExitWindows = 0x0040;
    /// <summary>WINSTA_ENUMERATE.</summary>
    public const uint Enumerate = 0x0100;
    /// <summary>WINSTA_READSCREEN.</summary>
    public const uint ReadScreen = 0x0200;
    /// <summary>WINSTA_ALL_ACCESS: the specific rights only (0x37F), as winuser.h defines it.</summary>
    public const uint AllAccess = 0x037F;
    /// <summary>WINSTA_ALL_ACCESS with STANDARD_RIGHTS_REQUIRED (0xF037F): every right a window station has.</summary>
    public const uint AllAccessWithStandard = 0x000F_037F;
}

/// <summary>DESKTOP_* access rights (winuser.h).</summary>
public static class DesktopAccessRights
{
    /// <summary>DESKTOP_READOBJECTS.</summary>
    public const uint ReadObjects = 0x0001;
    /// <summary>DESKTOP_CREATEWINDOW: needed (on the thread's desktop handle) to create a window.</summary>
    public const uint CreateWindow = 0x0002;
    /// <summary>DESKTOP_CREATEMENU.</summary>
    public const uint CreateMenu = 0x0004;
    /// <summary>DESKTOP_HOOKCONTROL.</summary>
    public const uint HookControl = 0x0008;
    /// <summary>DESKTOP_JOURNALRECORD.</summary>
    public const uint JournalRecord = 0x0010;
    /// <summary>DESKTOP_JOURNALPLAYBACK.</summary>
    public const uint JournalPlayback = 0x0020;
    /// <summary>DESKTOP_ENUMERATE.</summary>
    public const uint Enumerate = 0x0040;
    /// <summary>DESKTOP_WRITEOBJECTS.</summary>
    public const uint WriteObjects = 0x0080;
    /// <summary>DESKTOP_SWITCHDESKTOP.</summary>
    public const uint SwitchDesktop = 0x0100;
    /// <summary>Every desktop right with STANDARD_RIGHTS_REQUIRED (0xF01FF), what GENERIC_ALL maps to.</summary>
    public const uint AllAccess = 0x000F_01FF;
}
