using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Tokens;

namespace NtSec.Kernel;

public sealed partial class NtCalls
{
    /// <summary>NtOpenProcess by process ID: an access check on the process's descriptor (SeDebugPrivilege grants all). STATUS_INVALID_CID for an unknown ID.</summary>
    public NtStatus NtOpenProcess(out NtHandle processHandle, uint desiredAccess, HandleAttributes attributes, int processId)
    {
        Begin(nameof(NtOpenProcess));
        lock (Sys.SyncRoot) return Done(OpenByIdLocked(Sys.FindProcessLocked(processId), desiredAccess, attributes, out processHandle));
    }

    /// <summary>NtOpenThread by thread ID: an access check on the thread's descriptor (SeDebugPrivilege grants all). STATUS_INVALID_CID for an unknown ID.</summary>
    public NtStatus NtOpenThread(out NtHandle threadHandle, uint desiredAccess, HandleAttributes attributes, int threadId)
    {
        Begin(nameof(NtOpenThread));
        lock (Sys.SyncRoot) return Done(OpenByIdLocked(Sys.FindThreadLocked(threadId), desiredAccess, attributes, out threadHandle));
    }

    // NtOpenProcess and NtOpenThread open by client ID alike: a terminating caller and bad handle attributes fail
    // first, an ID naming nothing is STATUS_INVALID_CID, then the access check on the object's descriptor.
    private NtStatus OpenByIdLocked(KernelObject? target, uint desiredAccess, HandleAttributes attributes, out NtHandle handle)
    {
        handle = NtHandle.Null;
        if (Thread.IsTerminated) return NtStatus.ThreadIsTerminating;
        if (!ValidAttributes(attributes)) return NtStatus.InvalidParameter;
        if (target is null) return NtStatus.InvalidCid;
        var status = AccessCheckLocked(target, desiredAccess, EffectiveTokenLocked(), attributes, out uint granted);
        if (!status.IsSuccess) return status;
        handle = InsertLocked(target, granted, attributes);
        return NtStatus.Success;
    }

    /// <summary>
    /// NtCreateThreadEx (the part that matters here): a new thread in a process. The process handle needs
    /// PROCESS_CREATE_THREAD; the caller gets the access it asks for on the new thread.
    /// </summary>
    public NtStatus NtCreateThread(out NtHandle threadHandle, uint desiredAccess, NtHandle processHandle, out ThreadObject? thread)
    {
        Begin(nameof(NtCreateThread));
        threadHandle = NtHandle.Null;
        thread = null;
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(processHandle, ProcessAccessRights.CreateThread, ObjectTypes.Process, out var p, out _);
            if (!status.IsSuccess) return Done(status);
            var process = (ProcessObject)p!;
            if (process.IsTerminated) return Done(NtStatus.ProcessIsTerminating);
            var sd = ObjectSecurity.ForNewObject(EffectiveTokenLocked(), ObjectTypes.Thread, process.PrimaryTokenLocked.TokenLocked.IntegrityLevel, ObjectSecurity.NoWriteUp | ObjectSecurity.NoReadUp);
            thread = Sys.CreateThreadLocked(process, sd);
            threadHandle = InsertLocked(thread, CreatorAccess(ObjectTypes.Thread, desiredAccess), HandleAttributes.None);
            thread.Release();
            return Done(NtStatus.Success);
        }
    }

    /// <summary>NtTerminateThread: the handle needs THREAD_TERMINATE. A process ends with its last thread.</summary>
    public NtStatus NtTerminateThread(NtHandle threadHandle, NtStatus exitStatus)
    {
        Begin(nameof(NtTerminateThread));
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(threadHandle, ThreadAccessRights.Terminate, ObjectTypes.Thread, out var t, out _);
            if (!status.IsSuccess) return Done(status);
            Sys.TerminateThreadLocked((ThreadObject)t!, exitStatus);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>NtTerminateProcess: the handle needs PROCESS_TERMINATE. Its threads end and its handles close.</summary>
    public NtStatus NtTerminateProcess(NtHandle processHandle, NtStatus exitStatus)
    {
        Begin(nameof(NtTerminateProcess));
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(processHandle, ProcessAccessRights.Terminate, ObjectTypes.Process, out var p, out _);
            if (!status.IsSuccess) return Done(status);
            var process = (ProcessObject)p!;
            if (process.IsTerminated) return Done(NtStatus.ProcessIsTerminating);
            Sys.TerminateProcessLocked(process, exitStatus);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtSetInformationThread(ThreadImpersonationToken): the thread handle needs THREAD_SET_THREAD_TOKEN. A NULL token
    /// handle ends the impersonation (RevertToSelf). Otherwise the token handle needs TOKEN_IMPERSONATE and must be an
    /// impersonation token (STATUS_BAD_TOKEN_TYPE); the thread then wears it at its level, or — when
    /// <see cref="ImpersonationRules"/> refuse that level — an identification-level copy, without any error.
    /// </summary>
    public NtStatus NtSetInformationThread(NtHandle threadHandle, ThreadInformationClass informationClass, NtHandle tokenHandle)
    {
        Begin(nameof(NtSetInformationThread));
        lock (Sys.SyncRoot)
        {
            if (informationClass != ThreadInformationClass.ThreadImpersonationToken) return Done(NtStatus.InvalidInfoClass);
            var status = ReferenceLocked(threadHandle, ThreadAccessRights.SetThreadToken, ObjectTypes.Thread, out var t, out _);
            if (!status.IsSuccess) return Done(status);
            var thread = (ThreadObject)t!;
            if (tokenHandle.IsNull)
            {
                thread.ImpersonationTokenLocked = null;
                Note(d => d with { Reason = CallReason.None });
                return Done(NtStatus.Success);
            }
            status = ReferenceLocked(tokenHandle, TokenAccessRights.Impersonate, ObjectTypes.Token, out var o, out _);
            if (!status.IsSuccess) return Done(status);
            var token = (TokenObject)o!;
            if (token.TokenLocked.Type != TokenType.Impersonation) return Done(NtStatus.BadTokenType);
            ImpersonateLocked(thread, token);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// Gives <paramref name="thread"/> <paramref name="token"/> to wear, by <see cref="ImpersonationRules"/>: as it
    /// is, or as an identification-level copy.
    /// </summary>
    internal ImpersonationOutcome ImpersonateLocked(ThreadObject thread, TokenObject token)
    {
        var processToken = thread.Process.PrimaryTokenLocked.TokenLocked;
        var requested = token.TokenLocked;
        var refusal = ImpersonationRules.Refusal(processToken, requested);
        if (refusal == ImpersonationRefusal.None)
        {
            thread.ImpersonationTokenLocked = token;
            Note(d => d with { Impersonation = new ImpersonationDecision(thread, requested, requested, ImpersonationOutcome.Granted, refusal, processToken) });
            return ImpersonationOutcome.Granted;
        }
        var copy = Copy(requested, TokenType.Impersonation, SecurityImpersonationLevel.Identification, effectiveOnly: false);
        var downgraded = new TokenObject(Sys, copy, token.SecurityDescriptorLocked) { LinkedTokenLocked = token.LinkedTokenLocked };
        thread.ImpersonationTokenLocked = downgraded;
        downgraded.Release();
        Note(d => d with { Impersonation = new ImpersonationDecision(thread, requested, copy, ImpersonationOutcome.DowngradedToIdentification, refusal, processToken) });
        return ImpersonationOutcome.DowngradedToIdentification;
    }

    /// <summary>
    /// NtImpersonateThread: the server thread (handle needs THREAD_IMPERSONATE) takes on the security context of the
    /// client thread (handle needs THREAD_DIRECT_IMPERSONATION): a copy of the client's effective token at the quality
    /// of service's level. A client that is itself impersonating at a lower level cannot pass on more
    /// (STATUS_BAD_IMPERSONATION_LEVEL). The copy is assigned by <see cref="ImpersonationRules"/>.
    /// </summary>
    public NtStatus NtImpersonateThread(NtHandle serverThreadHandle, NtHandle clientThreadHandle, SecurityQualityOfService? securityQualityOfService)
    {
        Begin(nameof(NtImpersonateThread));
        // A NULL pointer argument is STATUS_ACCESS_VIOLATION, as the kernel's probe of it faults; never a throw.
        if (securityQualityOfService is null) return Done(NtStatus.AccessViolation);
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(serverThreadHandle, ThreadAccessRights.Impersonate, ObjectTypes.Thread, out var s, out _);
            if (!status.IsSuccess) return Done(status);
            status = ReferenceLocked(clientThreadHandle, ThreadAccessRights.DirectImpersonation, ObjectTypes.Thread, out var c, out _);
            if (!status.IsSuccess) return Done(status);
            var server = (ThreadObject)s!;
            var client = (ThreadObject)c!;
            var level = securityQualityOfService.ImpersonationLevel;
            if (!Enum.IsDefined(level)) return Done(Refuse(NtStatus.BadImpersonationLevel, CallReason.UnknownLevel));
            var clientToken = client.ImpersonationTokenLocked ?? client.Process.PrimaryTokenLocked;
            var source = clientToken.TokenLocked;
            if (source.Type == TokenType.Impersonation && source.ImpersonationLevel < level) return Done(Refuse(NtStatus.BadImpersonationLevel, CallReason.LevelAboveSource));
            var copy = Copy(source, TokenType.Impersonation, level, securityQualityOfService.EffectiveOnly);
            // The copy is the server's object: its descriptor comes from the server's defaults, which is what lets a
            // server open its client's token with OpenAsSelf.
            var sd = ObjectSecurity.ForNewObject(EffectiveTokenLocked(), ObjectTypes.Token, copy.IntegrityLevel, ObjectSecurity.NoWriteUp);
            var created = new TokenObject(Sys, copy, sd) { LinkedTokenLocked = clientToken.LinkedTokenLocked };
            ImpersonateLocked(server, created);
            created.Release();
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtImpersonateAnonymousToken: the thread (handle needs THREAD_IMPERSONATE) impersonates ANONYMOUS LOGON, at
    /// SecurityImpersonation. The anonymous token has the Everyone group only under the EveryoneIncludesAnonymous
    /// policy (<see cref="EmulatedSystem.EveryoneIncludesAnonymous"/>).
    /// </summary>
    public NtStatus NtImpersonateAnonymousToken(NtHandle threadHandle)
    {
        Begin(nameof(NtImpersonateAnonymousToken));
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(threadHandle, ThreadAccessRights.Impersonate, ObjectTypes.Thread, out var t, out _);
            if (!status.IsSuccess) return Done(status);
            var anonymous = Sys.AnonymousToken();
            var sd = ObjectSecurity.ForNewObject(Sys.SystemToken, ObjectTypes.Token, anonymous.IntegrityLevel, ObjectSecurity.NoWriteUp);
            var token = new TokenObject(Sys, anonymous, sd);
            var thread = (ThreadObject)t!;
            thread.ImpersonationTokenLocked = token;
            token.Release();
            Note(d => d with { Impersonation = new ImpersonationDecision(thread, anonymous, anonymous, ImpersonationOutcome.Granted, ImpersonationRefusal.None, thread.Process.PrimaryTokenLocked.TokenLocked) });
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// The kernel half of CreateProcess and CreateProcessAsUser (NtCreateUserProcess): a new process with its first
    /// thread.
    /// <list type="bullet">
    /// <item>With a token handle, it needs TOKEN_ASSIGN_PRIMARY. An impersonation token is accepted at
    /// SecurityImpersonation or above and made primary, as Windows 7 and later do (Wine's test_create_process_token:
    /// ERROR_BAD_TOKEN_TYPE before Windows 7, success after); below that level it is STATUS_BAD_IMPERSONATION_LEVEL
    /// (decided: the copy to a primary token that NtDuplicateToken refuses).</item>
    /// <item>Unless the token is a child of the caller's primary token (filtered from it) or a sibling (a copy of the
    /// same parent in the same logon session), the caller needs SeAssignPrimaryTokenPrivilege enabled
    /// (STATUS_PRIVILEGE_NOT_HELD). This is what lets an ordinary program start a restricted copy of itself.</item>
    /// <item>The process runs with its own copy of the token, and on <paramref name="desktop"/>
    /// (<c>WinSta0\Default</c>, or a desktop name alone for one on the caller's window station), or the caller's
    /// desktop when null. It connects to the window station and desktop as user32 does when it loads: each is
    /// opened for MAXIMUM_ALLOWED with the new token, and if either grants nothing, or the desktop does not exist,
    /// the process exits with STATUS_DLL_INIT_FAILED, though this call succeeds.</item>
    /// <item>The process and thread descriptors come from the caller's token, with the new token's integrity
    /// label.</item>
    /// <item>With <paramref name="inheritHandles"/>, the caller's inheritable handles are copied at the same
    /// values.</item>
    /// </list>
    /// </summary>
    public NtStatus NtCreateUserProcess(out NtHandle processHandle, out NtHandle threadHandle, NtHandle tokenHandle, string? imageName, string? desktop, bool inheritHandles, out ProcessObject? process)
        => NtCreateUserProcess(out processHandle, out threadHandle, tokenHandle, imageName, desktop, inheritHandles, createSuspended: false, out process);

    /// <summary>
    /// <see cref="NtCreateUserProcess(out NtHandle, out NtHandle, NtHandle, string?, string?, bool, out ProcessObject?)"/>,
    /// optionally with the first thread suspended (CREATE_SUSPENDED). A suspended process has not run user32's
    /// initialisation yet: it connects to its window station and desktop when its first thread is resumed
    /// (<see cref="NtResumeThread"/>), with that thread's effective token — which lets a sandbox start a process
    /// under a token too weak to connect, give its first thread a stronger impersonation token, resume it, and
    /// lower it after start-up, as Chromium does.
    /// </summary>
    public NtStatus NtCreateUserProcess(out NtHandle processHandle, out NtHandle threadHandle, NtHandle tokenHandle, string? imageName, string? desktop, bool inheritHandles, bool createSuspended, out ProcessObject? process)
    {
        Begin(nameof(NtCreateUserProcess));
        processHandle = NtHandle.Null;
        threadHandle = NtHandle.Null;
        process = null;
        // No image name: nothing to run (decided; a status, never a throw).
        if (imageName is null) return Done(NtStatus.InvalidParameter);
        lock (Sys.SyncRoot)
        {
            if (Thread.IsTerminated) return Done(NtStatus.ThreadIsTerminating);
            var callerPrimary = ProcessTokenLocked();
            Token token = callerPrimary;
            if (!tokenHandle.IsNull)
            {
                var status = ReferenceLocked(tokenHandle, TokenAccessRights.AssignPrimary, ObjectTypes.Token, out var o, out _);
                if (!status.IsSuccess) return Done(status);
                token = ((TokenObject)o!).TokenLocked;
                if (token.Type == TokenType.Impersonation && token.ImpersonationLevel < SecurityImpersonationLevel.Impersonation)
                    return Done(Refuse(NtStatus.BadImpersonationLevel, CallReason.PrimaryBelowImpersonation));
                bool related = IsChildOrSibling(token, callerPrimary);
                if (UserMode && !related && !EffectiveTokenLocked().IsPrivilegeEnabled(Privileges.AssignPrimaryToken))
                    return Done(Missing(Privileges.AssignPrimaryToken));
                Note(d => related || !UserMode
                    ? d with { Reason = CallReason.ChildOrSiblingToken }
                    : d with { Reason = CallReason.AssignPrimaryTokenPrivilege, Privilege = Privileges.AssignPrimaryToken });
            }
            else
            {
                Note(d => d with { Reason = CallReason.CreatorToken });
            }
            // lpDesktop is only read when the new process connects: a name that leads nowhere fails it then.
            var target = desktop is null ? Thread.DesktopLocked : Sys.ResolveStartupDesktopLocked(desktop, Thread.Process);
            var processToken = Copy(token, TokenType.Primary, SecurityImpersonationLevel.Impersonation, effectiveOnly: false);
            process = Sys.CreateProcessLocked(processToken, imageName, target, Thread.Process, out var thread, EffectiveTokenLocked());
            if (inheritHandles)
            {
                foreach (var (value, entry) in Thread.Process.Handles.Snapshot())
                    if ((entry.Attributes & HandleAttributes.Inherit) != 0) process.Handles.InsertAt(value, entry);
            }
            processHandle = InsertLocked(process, ProcessAccessRights.AllAccess, HandleAttributes.None);
            threadHandle = InsertLocked(thread, ThreadAccessRights.AllAccess, HandleAttributes.None);
            // user32's initialisation in the new process: a token that may not use the desktop ends the process
            // with STATUS_DLL_INIT_FAILED, while the call itself succeeds. A suspended process does it on resuming.
            bool notFound = desktop is not null && target is null;
            var created = process;
            if (createSuspended)
            {
                thread.SuspendCountLocked = 1;
                process.PendingConnection = (notFound, desktop);
                Note(d => d with { CreatedProcess = created });
            }
            else
            {
                var refusal = Sys.ConnectToDesktopLocked(process, notFound, desktopName: desktop);
                Note(d => d with { CreatedProcess = created, Desktop = refusal });
            }
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtResumeThread: the handle needs THREAD_SUSPEND_RESUME; the suspend count drops by one and the previous count is
    /// returned. When the first thread of a process created suspended runs for the first time, the process connects to
    /// its window station and desktop with that thread's effective token (its impersonation token when the creator
    /// gave it one, else the process's token); a refused connection ends the process with STATUS_DLL_INIT_FAILED
    /// while this call succeeds, and the refusal is in the diagnostic.
    /// </summary>
    public NtStatus NtResumeThread(NtHandle threadHandle, out int previousSuspendCount)
    {
        Begin(nameof(NtResumeThread));
        previousSuspendCount = 0;
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(threadHandle, ThreadAccessRights.SuspendResume, ObjectTypes.Thread, out var t, out _);
            if (!status.IsSuccess) return Done(status);
            var thread = (ThreadObject)t!;
            if (thread.IsTerminated) return Done(NtStatus.ThreadIsTerminating);
            previousSuspendCount = thread.SuspendCountLocked;
            if (thread.SuspendCountLocked == 0) return Done(NtStatus.Success);
            if (--thread.SuspendCountLocked == 0 && thread.Process.PendingConnection is { } pending && ReferenceEquals(thread.Process.ThreadsLocked[0], thread))
            {
                thread.Process.PendingConnection = null;
                var token = (thread.ImpersonationTokenLocked ?? thread.Process.PrimaryTokenLocked).TokenLocked;
                var refusal = Sys.ConnectToDesktopLocked(thread.Process, pending.DesktopNotFound, token, pending.DesktopName);
                Note(d => d with { Desktop = refusal });
            }
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// Windows lets a process assign, without SeAssignPrimaryTokenPrivilege, a token filtered from its own (a child)
    /// or a copy sharing its token's parent in the same logon session (a sibling). NtSec also asks a sibling to be of
    /// the same user: in Windows a logon session has one user, but NtSec's tokens can share a logon ID by accident.
    /// </summary>
    /// <param name="token">The token the new process is to run with.</param>
    /// <param name="callerPrimary">The creating process's primary token.</param>
    public static bool IsChildOrSibling(Token token, Token callerPrimary) =>
        token.ParentTokenId == callerPrimary.TokenId
        || token.ParentTokenId == callerPrimary.ParentTokenId && token.AuthenticationId == callerPrimary.AuthenticationId && token.User.Sid == callerPrimary.User.Sid;
}
