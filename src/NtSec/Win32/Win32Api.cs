using System.Runtime.CompilerServices;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Kernel;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Win32;

/// <summary>PROCESS_INFORMATION, as CreateProcessAsUser fills it.</summary>
/// <param name="Process">A handle to the new process (PROCESS_ALL_ACCESS).</param>
/// <param name="Thread">A handle to its first thread (THREAD_ALL_ACCESS).</param>
/// <param name="ProcessId">The process ID.</param>
/// <param name="ThreadId">The thread ID.</param>
public readonly record struct ProcessInformation(NtHandle Process, NtHandle Thread, int ProcessId, int ThreadId);

/// <summary>The Win32 layer of an emulated thread, reached from the thread as <c>thread.Win32</c>.</summary>
public static class ThreadWin32Extensions
{
    extension(ThreadObject thread)
    {
        /// <summary>The advapi32/kernel32-style functions, returning BOOL and setting this thread's last error.</summary>
        /// <remarks>A view: all its state (the last error) lives in the thread, so each read may give a new view.</remarks>
        public Win32Api Win32 => new(thread);
    }
}

/// <summary>
/// advapi32/kernel32-style functions of one emulated thread, over its <see cref="ThreadObject.Nt"/> calls. Each
/// returns BOOL (a null handle where Windows returns one) and on failure sets the thread's last error from the
/// NTSTATUS as <c>RtlNtStatusToDosError</c> maps it (ERROR_NO_TOKEN, ERROR_CANT_OPEN_ANONYMOUS,
/// ERROR_BAD_IMPERSONATION_LEVEL ...).
/// </summary>
public sealed partial class Win32Api
{
    private readonly ThreadObject _thread;

    internal Win32Api(ThreadObject thread) => _thread = thread;

    private NtCalls Nt => _thread.Nt;

    /// <summary>GetLastError: the calling thread's last error.</summary>
    public int GetLastError() => _thread.LastError;

    /// <summary>SetLastError.</summary>
    public void SetLastError(int error) => _thread.LastError = error;

    /// <summary>RtlGetLastNtStatus: the NTSTATUS behind the last error a function set.</summary>
    public NtStatus GetLastNtStatus() => _thread.LastStatus;

    private bool Fail(NtStatus status)
    {
        SetError(status);
        return false;
    }

    // The last error from a status, recorded in the function's diagnostic as well.
    private void SetError(NtStatus status)
    {
        _thread.ErrorState.Fail(status);
        int error = _thread.LastError;
        _thread.Recorder.NoteFunction(d => d with { Status = status, Win32Error = error });
    }

    // A Win32-layer function records one diagnostic for itself, with the Nt calls it makes inside.
    private CallRecorder.Scope Scope([CallerMemberName] string function = "") => _thread.Recorder.BeginScope(function);

    private bool Check(NtStatus status) => status.IsSuccess || Fail(status);

    /// <summary>GetCurrentProcess: the pseudo-handle (HANDLE)-1.</summary>
    public static NtHandle GetCurrentProcess() => NtHandle.CurrentProcess;

    /// <summary>GetCurrentThread: the pseudo-handle (HANDLE)-2.</summary>
    public static NtHandle GetCurrentThread() => NtHandle.CurrentThread;

    /// <summary>GetCurrentProcessToken (Windows 8+): the pseudo-handle (HANDLE)-4.</summary>
    public static NtHandle GetCurrentProcessToken() => NtHandle.CurrentProcessToken;

    /// <summary>GetCurrentThreadToken (Windows 8+): the pseudo-handle (HANDLE)-5.</summary>
    public static NtHandle GetCurrentThreadToken() => NtHandle.CurrentThreadToken;

    /// <summary>GetCurrentThreadEffectiveToken (Windows 8+): the pseudo-handle (HANDLE)-6.</summary>
    public static NtHandle GetCurrentThreadEffectiveToken() => NtHandle.CurrentThreadEffectiveToken;

    /// <summary>CloseHandle. Closing a pseudo-handle has no effect and succeeds, as documented.</summary>
    public bool CloseHandle(NtHandle handle) => handle.IsPseudo || Check(Nt.NtClose(handle));

    /// <summary>DuplicateHandle (DUPLICATE_CLOSE_SOURCE, DUPLICATE_SAME_ACCESS).</summary>
    public bool DuplicateHandle(NtHandle sourceProcess, NtHandle sourceHandle, NtHandle targetProcess, out NtHandle targetHandle, uint desiredAccess, bool inheritHandle, DuplicateOptions options)
        => Check(Nt.NtDuplicateObject(sourceProcess, sourceHandle, targetProcess, out targetHandle, desiredAccess, inheritHandle ? HandleAttributes.Inherit : HandleAttributes.None, options));

    /// <summary>OpenProcess: a handle, or NULL with the last error set.</summary>
    public NtHandle OpenProcess(uint desiredAccess, bool inheritHandle, int processId)
    {
        using var scope = Scope();
        var status = Nt.NtOpenProcess(out var h, desiredAccess, inheritHandle ? HandleAttributes.Inherit : HandleAttributes.None, processId);
        return Check(status) ? h : NtHandle.Null;
    }

    /// <summary>OpenThread: a handle, or NULL with the last error set.</summary>
    public NtHandle OpenThread(uint desiredAccess, bool inheritHandle, int threadId)
    {
        using var scope = Scope();
        var status = Nt.NtOpenThread(out var h, desiredAccess, inheritHandle ? HandleAttributes.Inherit : HandleAttributes.None, threadId);
        return Check(status) ? h : NtHandle.Null;
    }

    /// <summary>OpenProcessToken.</summary>
    public bool OpenProcessToken(NtHandle processHandle, uint desiredAccess, out NtHandle tokenHandle)
        => Check(Nt.NtOpenProcessToken(processHandle, desiredAccess, out tokenHandle));

    /// <summary>OpenThreadToken: ERROR_NO_TOKEN when the thread is not impersonating, ERROR_CANT_OPEN_ANONYMOUS for an anonymous-level token, ERROR_BAD_IMPERSONATION_LEVEL when opening as an identification-level client.</summary>
    public bool OpenThreadToken(NtHandle threadHandle, uint desiredAccess, bool openAsSelf, out NtHandle tokenHandle)
        => Check(Nt.NtOpenThreadToken(threadHandle, desiredAccess, openAsSelf, out tokenHandle));

    /// <summary>DuplicateToken: an impersonation token at <paramref name="level"/>, with TOKEN_IMPERSONATE | TOKEN_QUERY.</summary>
    public bool DuplicateToken(NtHandle existingToken, SecurityImpersonationLevel level, out NtHandle newToken)
        => DuplicateTokenEx(existingToken, TokenAccessRights.Impersonate | TokenAccessRights.Query, null, level, TokenType.Impersonation, out newToken);

    /// <summary>DuplicateTokenEx: NtDuplicateToken with a quality of service at <paramref name="level"/>; a desired access of 0 copies the source handle's.</summary>
    public bool DuplicateTokenEx(NtHandle existingToken, uint desiredAccess, SecurityDescriptor? securityDescriptor, SecurityImpersonationLevel level, TokenType tokenType, out NtHandle newToken)
    {
        using var scope = Scope();
        var oa = new ObjectAttributes(SecurityDescriptor: securityDescriptor, SecurityQualityOfService: new SecurityQualityOfService(level));
        return Check(Nt.NtDuplicateToken(existingToken, desiredAccess, oa, effectiveOnly: false, tokenType, out newToken));
    }

    /// <summary>CreateRestrictedToken: NtFilterToken; the new handle has the existing handle's access.</summary>
    public bool CreateRestrictedToken(NtHandle existingToken, FilterTokenFlags flags, IEnumerable<SidAndAttributes>? sidsToDisable, IEnumerable<Luid>? privilegesToDelete, IEnumerable<SidAndAttributes>? sidsToRestrict, out NtHandle newToken)
        => Check(Nt.NtFilterToken(existingToken, flags, sidsToDisable, privilegesToDelete, sidsToRestrict, out newToken));

    /// <summary>IsTokenRestricted: TRUE when the token has restricting SIDs; FALSE with the last error set when it cannot be queried.</summary>
    public bool IsTokenRestricted(NtHandle token)
    {
        using var scope = Scope();
        var status = Nt.NtQueryInformationToken(token, TokenInformationClass.TokenRestrictedSids, out var info);
        if (!status.IsSuccess) return Fail(status);
        _thread.ErrorState.Succeed();
        return info is System.Collections.Immutable.ImmutableArray<SidAndAttributes> { Length: > 0 };
    }

    /// <summary>
    /// ImpersonateLoggedOnUser: a primary token (TOKEN_QUERY | TOKEN_DUPLICATE) is first copied to an
    /// impersonation token at SecurityImpersonation; an impersonation token (TOKEN_QUERY | TOKEN_IMPERSONATE) is used
    /// as it is. The thread then wears it, or an identification-level copy when the impersonation rules refuse.
    /// </summary>
    public bool ImpersonateLoggedOnUser(NtHandle token)
    {
        using var scope = Scope();
        var status = Nt.NtQueryInformationToken(token, TokenInformationClass.TokenType, out var type);
        if (!status.IsSuccess) return Fail(status);
        if (type is TokenType.Impersonation) return Check(Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, token));
        var oa = new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(SecurityImpersonationLevel.Impersonation));
        status = Nt.NtDuplicateToken(token, TokenAccessRights.Impersonate | TokenAccessRights.Query, oa, effectiveOnly: false, TokenType.Impersonation, out var copy);
        if (!status.IsSuccess) return Fail(status);
        status = Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, copy);
        Nt.NtClose(copy);
        return Check(status);
    }

    /// <summary>ImpersonateSelf: the thread impersonates a copy of its process's token at <paramref name="level"/>.</summary>
    public bool ImpersonateSelf(SecurityImpersonationLevel level)
    {
        using var scope = Scope();
        var status = Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var process);
        if (!status.IsSuccess) return Fail(status);
        var oa = new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(level));
        status = Nt.NtDuplicateToken(process, TokenAccessRights.Impersonate, oa, effectiveOnly: false, TokenType.Impersonation, out var copy);
        Nt.NtClose(process);
        if (!status.IsSuccess) return Fail(status);
        status = Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, copy);
        Nt.NtClose(copy);
        return Check(status);
    }

    /// <summary>SetThreadToken: <paramref name="thread"/> (null for the calling thread) wears <paramref name="token"/>, or stops impersonating when it is NULL.</summary>
    public bool SetThreadToken(NtHandle? thread, NtHandle token)
        => Check(Nt.NtSetInformationThread(thread ?? NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, token));

    /// <summary>RevertToSelf: the calling thread stops impersonating.</summary>
    public bool RevertToSelf() => Check(Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, NtHandle.Null));

    /// <summary>
    /// AdjustTokenPrivileges. It returns TRUE when the call was made, and sets the last error either way:
    /// ERROR_SUCCESS, or ERROR_NOT_ALL_ASSIGNED when a privilege was not in the token.
    /// </summary>
    public bool AdjustTokenPrivileges(NtHandle token, bool disableAllPrivileges, IReadOnlyList<Privilege>? newState, List<Privilege>? previousState = null)
    {
        using var scope = Scope();
        var status = Nt.NtAdjustPrivilegesToken(token, disableAllPrivileges, newState, previousState);
        if (!status.IsSuccess) return Fail(status);
        SetError(status);
        return true;
    }

    /// <summary>AdjustTokenGroups: as <see cref="AdjustTokenPrivileges"/>, for groups.</summary>
    public bool AdjustTokenGroups(NtHandle token, bool resetToDefault, IReadOnlyList<SidAndAttributes>? newState, List<SidAndAttributes>? previousState = null)
    {
        using var scope = Scope();
        var status = Nt.NtAdjustGroupsToken(token, resetToDefault, newState, previousState);
        if (!status.IsSuccess) return Fail(status);
        SetError(status);
        return true;
    }

    /// <summary>GetTokenInformation: the value of the type <see cref="TokenInformationClass"/> names.</summary>
    public bool GetTokenInformation(NtHandle token, TokenInformationClass informationClass, out object? information)
        => Check(Nt.NtQueryInformationToken(token, informationClass, out information));

    /// <summary>GetTokenInformation, typed: false (with ERROR_INVALID_PARAMETER) when the class's value is not a <typeparamref name="T"/>.</summary>
    public bool GetTokenInformation<T>(NtHandle token, TokenInformationClass informationClass, out T? information)
    {
        using var scope = Scope();
        information = default;
        if (!GetTokenInformation(token, informationClass, out var value)) return false;
        if (value is T t)
        {
            information = t;
            return true;
        }
        if (value is null && default(T) is null) return true;
        return FailWith(Win32Error.InvalidParameter, CallReason.InvalidParameter);
    }

    /// <summary>
    /// SetTokenInformation: NtSetInformationToken with the caller's buffer length. A null
    /// <paramref name="information"/> with a length is a NULL pointer, ERROR_NOACCESS, found before the handle is
    /// looked at, as Windows probes the buffer first; a length shorter than the class's structure is ERROR_BAD_LENGTH,
    /// found after the handle and the class (a class that cannot be set is ERROR_INVALID_PARAMETER whatever the
    /// length).
    /// </summary>
    public bool SetTokenInformation(NtHandle token, TokenInformationClass informationClass, object? information, int length)
        => Check(Nt.NtSetInformationToken(token, informationClass, information, length));

    /// <summary>
    /// CheckTokenMembership: is <paramref name="sid"/> an enabled group of the token (and, for a restricted token, a
    /// restricting SID)? A NULL token means the calling thread's impersonation token, or its process's token when it
    /// is not impersonating. A given token must be an impersonation token (ERROR_NO_IMPERSONATION_TOKEN) with
    /// TOKEN_QUERY.
    /// </summary>
    public bool CheckTokenMembership(NtHandle token, Sid sid, out bool isMember)
    {
        using var scope = Scope();
        isMember = false;
        var status = token.IsNull
            ? Nt.ReferenceToken(NtHandle.CurrentThreadEffectiveToken, TokenAccessRights.Query, out var subject, tokenPseudoHandles: true)
            : Nt.ReferenceToken(token, TokenAccessRights.Query, out subject);
        if (!status.IsSuccess) return Fail(status);
        if (!token.IsNull)
        {
            if (subject!.Type != TokenType.Impersonation) return Fail(NtStatus.NoImpersonationToken);
            if (subject.ImpersonationLevel < SecurityImpersonationLevel.Identification) return Fail(NtStatus.BadImpersonationLevel);
        }
        isMember = subject!.CheckMembership(sid);
        return true;
    }

    /// <summary>
    /// AccessCheck over a token handle: TRUE when the check ran, with <paramref name="accessStatus"/> telling whether
    /// access was granted (when it is not, the last error is ERROR_ACCESS_DENIED or ERROR_PRIVILEGE_NOT_HELD).
    /// </summary>
    public bool AccessCheck(SecurityDescriptor? securityDescriptor, NtHandle clientToken, uint desiredAccess, GenericMapping mapping, out uint grantedAccess, out bool accessStatus)
    {
        using var scope = Scope();
        accessStatus = false;
        var status = Nt.NtAccessCheck(securityDescriptor, clientToken, desiredAccess, mapping, out grantedAccess, out var result);
        if (!status.IsSuccess) return Fail(status);
        accessStatus = result.IsSuccess;
        if (!accessStatus) SetError(result);
        return true;
    }

    /// <summary>
    /// AccessCheck as a C caller makes it, with the PRIVILEGE_SET buffer and its length: FALSE with ERROR_NOACCESS
    /// for a NULL pointer, ERROR_INSUFFICIENT_BUFFER (the needed length written back) for a short buffer,
    /// ERROR_GENERIC_NOT_MAPPED, ERROR_NO_IMPERSONATION_TOKEN ...; TRUE when the check ran, with
    /// <paramref name="accessStatus"/> and, on a denial, the last error set.
    /// </summary>
    public bool AccessCheck(SecurityDescriptor? securityDescriptor, NtHandle clientToken, uint desiredAccess, GenericMapping mapping, PrivilegeSetBuffer? privilegeSet, StrongBox<int>? privilegeSetLength, out uint grantedAccess, out bool accessStatus)
    {
        using var scope = Scope();
        accessStatus = false;
        var status = Nt.NtAccessCheck(securityDescriptor, clientToken, desiredAccess, mapping, privilegeSet, privilegeSetLength, out grantedAccess, out var result);
        if (!status.IsSuccess) return Fail(status);
        accessStatus = result.IsSuccess;
        _thread.LastError = result.ToWin32Error();
        return true;
    }

    /// <summary>PrivilegeCheck: are the privileges enabled in a token (an impersonation token at SecurityIdentification or above, or a primary token)?</summary>
    public bool PrivilegeCheck(NtHandle clientToken, IReadOnlyList<Luid>? privileges, bool requireAll, out bool result)
        => Check(Nt.NtPrivilegeCheck(clientToken, privileges, requireAll, out result));

    /// <summary>
    /// CreateProcessAsUser. A NULL token runs the caller's own token, as CreateProcess does. Otherwise the handle needs
    /// TOKEN_QUERY and TOKEN_ASSIGN_PRIMARY (ERROR_ACCESS_DENIED; observed: tok-52, and Wine's
    /// test_create_process_token, where a handle with just those two rights succeeds on Windows 7 and later); a token
    /// pseudo-handle is ERROR_INVALID_HANDLE. An impersonation token at SecurityImpersonation or above is made
    /// primary by the kernel (ERROR_BAD_IMPERSONATION_LEVEL below). Without SeAssignPrimaryTokenPrivilege the token
    /// must be a restricted version (or copy) of the caller's own token: ERROR_PRIVILEGE_NOT_HELD otherwise.
    /// </summary>
    /// <param name="token">The new process's token, or NULL for the caller's.</param>
    /// <param name="imageName">A name for the process.</param>
    /// <param name="desktop">STARTUPINFO.lpDesktop (<c>WinSta0\Default</c>), or null for the caller's desktop.</param>
    /// <param name="inheritHandles">bInheritHandles.</param>
    /// <param name="information">The handles and IDs of the new process and thread.</param>
    public bool CreateProcessAsUser(NtHandle token, string? imageName, string? desktop, bool inheritHandles, out ProcessInformation information)
        => CreateProcessAsUser(token, imageName, desktop, inheritHandles, suspended: false, out information);

    /// <summary>
    /// CreateProcessAsUser with CREATE_SUSPENDED when <paramref name="suspended"/> is set: the first thread waits for
    /// <see cref="ResumeThread"/>, and the process connects to its desktop only then, with that thread's effective
    /// token (<see cref="NtCalls.NtResumeThread"/>).
    /// </summary>
    /// <param name="token">The new process's token, or NULL for the caller's.</param>
    /// <param name="imageName">A name for the process.</param>
    /// <param name="desktop">STARTUPINFO.lpDesktop, or null for the caller's desktop.</param>
    /// <param name="inheritHandles">bInheritHandles.</param>
    /// <param name="suspended">CREATE_SUSPENDED.</param>
    /// <param name="information">The handles and IDs of the new process and thread.</param>
    public bool CreateProcessAsUser(NtHandle token, string? imageName, string? desktop, bool inheritHandles, bool suspended, out ProcessInformation information)
    {
        using var scope = Scope();
        information = default;
        if (!token.IsNull)
        {
            const uint needed = TokenAccessRights.Query | TokenAccessRights.AssignPrimary;
            var status = Nt.NtQueryObject(token, out var basic);
            if (!status.IsSuccess) return Fail(status);
            if (basic.TypeName != ObjectTypes.Token.Name) return Fail(NtStatus.ObjectTypeMismatch);
            if ((basic.GrantedAccess & needed) != needed)
            {
                _thread.Recorder.NoteFunction(d => d with { Reason = CallReason.HandleLacksAccess, Handle = new HandleUse(ObjectTypes.Token, needed, basic.GrantedAccess) });
                return Fail(NtStatus.AccessDenied);
            }
        }
        return CreateProcess(token, imageName, desktop, inheritHandles, suspended, out information);
    }

    /// <summary>ResumeThread: the thread's previous suspend count, or -1 with the last error set (the handle needs THREAD_SUSPEND_RESUME).</summary>
    public int ResumeThread(NtHandle thread)
    {
        using var scope = Scope();
        var status = Nt.NtResumeThread(thread, out int previous);
        return Check(status) ? previous : -1;
    }

    // The ID comes from the thread handle, which holds the thread: by the time the call returns, another thread may
    // have terminated the new process (it can open it by its ID), leaving its thread list empty.
    private int ThreadIdOf(NtHandle thread)
    {
        lock (_thread.System.SyncRoot)
        {
            var status = Nt.ReferenceLocked(thread, 0, ObjectTypes.Thread, out var t, out _);
            return status.IsSuccess ? ((ThreadObject)t!).ThreadId : 0;
        }
    }

    /// <summary>CreateProcess: a process with the caller's own token.</summary>
    public bool CreateProcess(string? imageName, string? desktop, bool inheritHandles, out ProcessInformation information)
        => CreateProcess(imageName, desktop, inheritHandles, suspended: false, out information);

    /// <summary>CreateProcess, with CREATE_SUSPENDED when <paramref name="suspended"/> is set.</summary>
    public bool CreateProcess(string? imageName, string? desktop, bool inheritHandles, bool suspended, out ProcessInformation information)
    {
        using var scope = Scope();
        return CreateProcess(NtHandle.Null, imageName, desktop, inheritHandles, suspended, out information);
    }

    private bool CreateProcess(NtHandle token, string? imageName, string? desktop, bool inheritHandles, bool suspended, out ProcessInformation information)
    {
        information = default;
        var status = Nt.NtCreateUserProcess(out var hProcess, out var hThread, token, imageName, desktop, inheritHandles, suspended, out var process);
        if (!status.IsSuccess) return Fail(status);
        information = new ProcessInformation(hProcess, hThread, process!.ProcessId, ThreadIdOf(hThread));
        return true;
    }
}
