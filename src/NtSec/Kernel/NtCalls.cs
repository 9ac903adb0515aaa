using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Descriptors;
using NtSec.Tokens;

namespace NtSec.Kernel;

/// <summary>SECURITY_QUALITY_OF_SERVICE: what a client lets a server do with its identity.</summary>
/// <param name="ImpersonationLevel">The level the server gets.</param>
/// <param name="EffectiveOnly">Only the enabled groups and privileges travel; disabled ones are dropped.</param>
/// <param name="DynamicTracking">Dynamic context tracking (recorded; NtSec's tokens are snapshots either way).</param>
public sealed record SecurityQualityOfService(SecurityImpersonationLevel ImpersonationLevel, bool EffectiveOnly = false, bool DynamicTracking = false);

/// <summary>OBJECT_ATTRIBUTES: a name, handle attributes, and the optional descriptor and quality of service.</summary>
/// <param name="Name">The object's name, or null.</param>
/// <param name="Attributes">OBJ_* flags.</param>
/// <param name="SecurityDescriptor">The descriptor for a new object, or null for the creator's defaults.</param>
/// <param name="SecurityQualityOfService">The quality of service (NtDuplicateToken takes the impersonation level from it).</param>
public sealed record ObjectAttributes(
    string? Name = null,
    HandleAttributes Attributes = HandleAttributes.None,
    SecurityDescriptor? SecurityDescriptor = null,
    SecurityQualityOfService? SecurityQualityOfService = null);

/// <summary>OBJECT_BASIC_INFORMATION, as NtQueryObject returns it, with the type name and object name added.</summary>
/// <param name="Attributes">The handle's attributes.</param>
/// <param name="GrantedAccess">The handle's granted access.</param>
/// <param name="HandleCount">Open handles to the object.</param>
/// <param name="PointerCount">References to the object, handles included.</param>
/// <param name="TypeName">The object type's name (<c>Token</c>).</param>
/// <param name="Name">The object's name, or null.</param>
public readonly record struct ObjectBasicInformation(HandleAttributes Attributes, uint GrantedAccess, int HandleCount, int PointerCount, string TypeName, string? Name);

/// <summary>
/// The system calls of one emulated thread, made from one processor mode. Every call returns the NTSTATUS Windows
/// returns and never throws for a failure Windows reports; output handles are NULL on failure (as on Windows 7 and
/// later).
/// </summary>
/// <remarks>
/// From user mode (<see cref="ThreadObject.Nt"/>) every handle is checked against the access it was granted and
/// every open is an access check against the object's descriptor with the caller's effective token: the thread's
/// impersonation token if it has one, else its process's primary token. From kernel mode
/// (<see cref="ThreadObject.Zw"/>) handles are trusted and opens skip the access check, unless
/// OBJ_FORCE_ACCESS_CHECK is given.
/// </remarks>
public sealed partial class NtCalls
{
    // Bits of an access mask that no right uses; a request for them is refused.
    private const uint ReservedAccessBits = 0x0CE0_0000;
    private const uint ValidHandleAttributes = 0x1FF3;

    internal NtCalls(ThreadObject thread, ProcessorMode mode)
    {
        Thread = thread;
        PreviousMode = mode;
    }

    /// <summary>The calling thread.</summary>
    public ThreadObject Thread { get; }

    /// <summary>The mode the calls are made from.</summary>
    public ProcessorMode PreviousMode { get; }

    private EmulatedSystem Sys => Thread.System;

    private bool UserMode => PreviousMode == ProcessorMode.User;

    /// <summary>The caller's effective token: the impersonation token, else the process's primary token.</summary>
    internal Token EffectiveTokenLocked() => Thread.ImpersonationTokenLocked?.TokenLocked ?? Thread.Process.PrimaryTokenLocked.TokenLocked;

    internal Token ProcessTokenLocked() => Thread.Process.PrimaryTokenLocked.TokenLocked;

    // ------------------------------------------------------------------------------------------------------------
    // Diagnostics: each public call begins a record on its thread, notes its decisions where it makes them, and
    // publishes the record with the status it returns (ThreadObject.LastCall).

    private void Begin(string call) => Thread.Recorder.Begin(call);

    private NtStatus Done(NtStatus status) => Thread.Recorder.End(status);

    /// <summary>Adds a decision to the record of the call being made on this thread.</summary>
    internal void Note(Func<CallDiagnostic, CallDiagnostic> change) => Thread.Recorder.Note(change);

    /// <summary>Notes that <paramref name="privilege"/> is needed and not enabled; STATUS_PRIVILEGE_NOT_HELD.</summary>
    internal NtStatus Missing(Luid privilege)
    {
        Note(d => d with { Reason = CallReason.PrivilegeNotHeld, Privilege = privilege });
        return NtStatus.PrivilegeNotHeld;
    }

    /// <summary>Notes <paramref name="reason"/> and returns <paramref name="status"/>, for a refusal made on the spot.</summary>
    internal NtStatus Refuse(NtStatus status, CallReason reason)
    {
        Note(d => d with { Reason = reason });
        return status;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Handles

    /// <summary>
    /// ObReferenceObjectByHandle: resolves a handle of the caller's process, checks its type and access. The token
    /// pseudo-handles (-4, -5, -6) resolve only when <paramref name="tokenPseudoHandles"/> is set: Windows accepts them
    /// for queries only (GetTokenInformation); elsewhere they are STATUS_INVALID_HANDLE.
    /// </summary>
    internal NtStatus ReferenceLocked(NtHandle handle, uint desiredAccess, ObjectTypeInfo? type, out KernelObject? obj, out uint granted, bool tokenPseudoHandles = false)
    {
        obj = null;
        granted = 0;
        if (!ResolveLocked(Thread.Process, handle, out var entry, out var status, tokenPseudoHandles)) return status;
        if (type is not null && !ReferenceEquals(entry.Object.Type, type))
        {
            Note(d => d with { Reason = CallReason.HandleTypeMismatch, Handle = new HandleUse(entry.Object.Type, desiredAccess, entry.GrantedAccess, type) });
            return NtStatus.ObjectTypeMismatch;
        }
        if (UserMode && (desiredAccess & ~entry.GrantedAccess) != 0)
        {
            Note(d => d with { Reason = CallReason.HandleLacksAccess, Handle = new HandleUse(entry.Object.Type, desiredAccess, entry.GrantedAccess) });
            return NtStatus.AccessDenied;
        }
        obj = entry.Object;
        granted = entry.GrantedAccess;
        return NtStatus.Success;
    }

    /// <summary>
    /// Looks a handle up in <paramref name="process"/>'s table (pseudo-handles relative to the caller). The token
    /// pseudo-handles of GetCurrentProcessToken, GetCurrentThreadToken and GetCurrentThreadEffectiveToken resolve only
    /// for <paramref name="tokenPseudoHandles"/>: Microsoft documents that they cannot be duplicated by DuplicateHandle
    /// or DuplicateToken, and CreateProcessAsUser(GetCurrentProcessToken()) fails with ERROR_INVALID_HANDLE on Windows
    /// (Wine's test_create_process_token).
    /// </summary>
    internal bool ResolveLocked(ProcessObject process, NtHandle handle, out HandleEntry entry, out NtStatus status, bool tokenPseudoHandles = false)
    {
        entry = default;
        status = NtStatus.InvalidHandle;
        if (Thread.IsTerminated)
        {
            status = Refuse(NtStatus.ThreadIsTerminating, CallReason.ThreadTerminated);
            return false;
        }
        if (!ResolveHandleLocked(process, handle, ref entry, ref status, tokenPseudoHandles))
        {
            if (status == NtStatus.InvalidHandle) Note(d => d with { Reason = CallReason.HandleNotOpen });
            return false;
        }
        return true;
    }

    private bool ResolveHandleLocked(ProcessObject process, NtHandle handle, ref HandleEntry entry, ref NtStatus status, bool tokenPseudoHandles)
    {
        if (handle.IsNull) return false;
        if (handle.IsPseudo)
        {
            // Pseudo-handles only mean something in the caller's own process.
            if (!ReferenceEquals(process, Thread.Process)) return false;
            if (handle.Value <= -4 && !tokenPseudoHandles) return false;
            const uint tokenPseudoAccess = TokenAccessRights.Query | TokenAccessRights.QuerySource;
            switch (handle.Value)
            {
                case -1:
                    entry = new HandleEntry(Thread.Process, ProcessAccessRights.AllAccess, HandleAttributes.None);
                    return true;
                case -2:
                    entry = new HandleEntry(Thread, ThreadAccessRights.AllAccess, HandleAttributes.None);
                    return true;
                case -4:
                    entry = new HandleEntry(Thread.Process.PrimaryTokenLocked, tokenPseudoAccess, HandleAttributes.None);
                    return true;
                case -5:
                    if (Thread.ImpersonationTokenLocked is not { } t)
                    {
                        status = Refuse(NtStatus.NoToken, CallReason.NotImpersonating);
                        return false;
                    }
                    entry = new HandleEntry(t, tokenPseudoAccess, HandleAttributes.None);
                    return true;
                case -6:
                    entry = new HandleEntry(Thread.ImpersonationTokenLocked ?? Thread.Process.PrimaryTokenLocked, tokenPseudoAccess, HandleAttributes.None);
                    return true;
                default:
                    return false;
            }
        }
        if (handle.IsKernelHandle)
            return !UserMode && Sys.KernelHandles.TryGet(handle.Value, out entry);
        return process.Handles.TryGet(handle.Value, out entry);
    }

    /// <summary>Inserts a handle into the caller's table, or the kernel's for OBJ_KERNEL_HANDLE from kernel mode.</summary>
    internal NtHandle InsertLocked(KernelObject obj, uint granted, HandleAttributes attributes)
    {
        bool kernel = !UserMode && (attributes & HandleAttributes.KernelHandle) != 0;
        var table = kernel ? Sys.KernelHandles : Thread.Process.Handles;
        return new NtHandle(table.Insert(obj, granted, attributes));
    }

    /// <summary>
    /// The access check of an open (SeAccessCheck with the caller's subject context). Returns the NTSTATUS the open
    /// fails with, or success and the granted access.
    /// </summary>
    internal NtStatus AccessCheckLocked(KernelObject obj, uint desired, Token subject, HandleAttributes attributes, out uint granted, SubjectChoice choice = SubjectChoice.EffectiveToken)
        => AccessCheckLocked(obj, desired, subject, attributes, out granted, out _, choice);

    /// <summary>The access check of an open, giving the check it made (null when it made none).</summary>
    internal NtStatus AccessCheckLocked(KernelObject obj, uint desired, Token subject, HandleAttributes attributes, out uint granted, out ObjectAccessCheck? made, SubjectChoice choice = SubjectChoice.EffectiveToken)
    {
        granted = 0;
        made = null;
        if ((desired & ReservedAccessBits) != 0) return Refuse(NtStatus.AccessDenied, CallReason.ReservedAccessBits);
        var type = obj.Type;
        uint mapped = type.GenericMapping.Map(desired);
        bool check = UserMode || (attributes & HandleAttributes.ForceAccessCheck) != 0;
        if (!check)
        {
            granted = (mapped & AccessMask.MaximumAllowed) != 0 ? (mapped & ~AccessMask.MaximumAllowed) | type.ValidAccessMask : mapped;
            Note(d => d with { Reason = CallReason.KernelMode });
            return NtStatus.Success;
        }
        // An identification-level (or anonymous-level) client cannot be used to open objects.
        if (subject.Type == TokenType.Impersonation && subject.ImpersonationLevel < SecurityImpersonationLevel.Impersonation)
        {
            var refused = new ObjectAccessCheck(obj, subject, choice, mapped, 0, null, 0, NtStatus.BadImpersonationLevel);
            Note(d => d with { Reason = CallReason.ClientLevelTooLow, AccessCheck = refused });
            return NtStatus.BadImpersonationLevel;
        }
        // OpenProcess/OpenThread: "If the caller has enabled the SeDebugPrivilege privilege, the requested access is
        // granted regardless of the contents of the security descriptor."
        if (obj is ProcessObject or ThreadObject && subject.IsPrivilegeEnabled(Privileges.Debug))
        {
            granted = (mapped & AccessMask.MaximumAllowed) != 0 ? (mapped & ~AccessMask.MaximumAllowed) | type.ValidAccessMask : mapped;
            Note(d => d with { Reason = CallReason.DebugPrivilege, Privilege = Privileges.Debug });
            return NtStatus.Success;
        }
        var explanation = Sys.ExplainAccessChecks ? new AccessCheckExplanation() : null;
        var sd = obj.SecurityDescriptorLocked;
        var policies = Sys.CentralAccessPolicies;
        // Central access policies cost nothing unless the machine has some and the object names one.
        bool central = !policies.IsDefaultOrEmpty && CentralAccessCheck.ScopedPolicyId(sd.Sacl) is not null;
        CentralAccessCheckResult? centralResult = null;
        AccessCheckResult result;
        if (central)
        {
            centralResult = CentralAccessCheck.CheckSubject(sd, subject, mapped, type.GenericMapping, policies, explanation);
            result = centralResult.Effective;
        }
        else
        {
            result = AccessCheck.CheckSubject(sd, subject, mapped, type.GenericMapping, explanation);
        }
        uint maximum = 0;
        if (explanation is not null)
        {
            // What the subject could have had: lets a report say which of the wanted rights were missing.
            var max = central
                ? CentralAccessCheck.CheckSubject(sd, subject, AccessMask.MaximumAllowed, type.GenericMapping, policies, null).Effective
                : AccessCheck.CheckSubject(sd, subject, AccessMask.MaximumAllowed, type.GenericMapping, null);
            maximum = max.IsGranted ? max.GrantedAccess : 0;
        }
        var outcome = result.Status != NtStatus.Success ? result.Status : result.AccessStatus;
        if (outcome == NtStatus.Success) granted = result.GrantedAccess | ImpliedRights(obj, result.GrantedAccess);
        var record = new ObjectAccessCheck(obj, subject, choice, mapped, maximum, explanation, granted, outcome, centralResult);
        made = record;
        Note(d => d with { Reason = CallReason.AccessCheck, AccessCheck = record });
        return outcome;
    }

    // Windows grants the limited query/set rights of processes and threads with the full ones.
    private static uint ImpliedRights(KernelObject obj, uint granted) => obj switch
    {
        ProcessObject => ((granted & ProcessAccessRights.QueryInformation) != 0 ? ProcessAccessRights.QueryLimitedInformation : 0)
                       | ((granted & ProcessAccessRights.SetInformation) != 0 ? ProcessAccessRights.SetLimitedInformation : 0),
        ThreadObject => ((granted & ThreadAccessRights.QueryInformation) != 0 ? ThreadAccessRights.QueryLimitedInformation : 0)
                      | ((granted & ThreadAccessRights.SetInformation) != 0 ? ThreadAccessRights.SetLimitedInformation : 0),
        _ => 0,
    };

    /// <summary>The access the creator of a new object gets: what it asked for (MAXIMUM_ALLOWED meaning all of it).</summary>
    private static uint CreatorAccess(ObjectTypeInfo type, uint desired)
    {
        uint mapped = type.GenericMapping.Map(desired);
        return (mapped & AccessMask.MaximumAllowed) != 0 ? (mapped & ~AccessMask.MaximumAllowed) | type.ValidAccessMask : mapped;
    }

    private static bool ValidAttributes(HandleAttributes attributes) => ((uint)attributes & ~ValidHandleAttributes) == 0;

    /// <summary>NtClose: closes a handle of the caller's process (or a kernel handle, from kernel mode).</summary>
    /// <returns>STATUS_INVALID_HANDLE for NULL, a pseudo-handle, or a handle that is not open; STATUS_HANDLE_NOT_CLOSABLE for a protected one.</returns>
    public NtStatus NtClose(NtHandle handle)
    {
        Begin(nameof(NtClose));
        lock (Sys.SyncRoot)
        {
            if (Thread.IsTerminated) return Done(NtStatus.ThreadIsTerminating);
            if (handle.IsNull || handle.IsPseudo) return Done(NtStatus.InvalidHandle);
            HandleTable table;
            if (handle.IsKernelHandle)
            {
                if (UserMode) return Done(NtStatus.InvalidHandle);
                table = Sys.KernelHandles;
            }
            else
            {
                table = Thread.Process.Handles;
            }
            if (!table.TryGet(handle.Value, out var entry)) return Done(NtStatus.InvalidHandle);
            if ((entry.Attributes & HandleAttributes.ProtectFromClose) != 0) return Done(NtStatus.HandleNotClosable);
            table.TryRemove(handle.Value, out _);
            entry.Object.RemoveHandle();
            return Done(NtStatus.Success);
        }
    }

    /// <summary>NtSetInformationObject(ObjectHandleFlagInformation): sets a handle's inherit and protect-from-close flags.</summary>
    public NtStatus NtSetHandleAttributes(NtHandle handle, HandleAttributes attributes)
    {
        Begin(nameof(NtSetHandleAttributes));
        lock (Sys.SyncRoot)
        {
            if (!ResolveLocked(Thread.Process, handle, out _, out var status)) return Done(status);
            if (handle.IsPseudo || handle.IsKernelHandle) return Done(NtStatus.InvalidHandle);
            Thread.Process.Handles.SetAttributes(handle.Value, attributes & (HandleAttributes.Inherit | HandleAttributes.ProtectFromClose));
            return Done(NtStatus.Success);
        }
    }

    /// <summary>NtQueryObject(ObjectBasicInformation). Needs no access on the handle.</summary>
    public NtStatus NtQueryObject(NtHandle handle, out ObjectBasicInformation information)
    {
        Begin(nameof(NtQueryObject));
        information = default;
        lock (Sys.SyncRoot)
        {
            if (!ResolveLocked(Thread.Process, handle, out var entry, out var status)) return Done(status);
            var o = entry.Object;
            information = new ObjectBasicInformation(entry.Attributes, entry.GrantedAccess, o.HandleCount, o.PointerCount, o.Type.Name, o.Name);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtDuplicateObject: copies a handle from one process's table into another's. Both process handles need
    /// PROCESS_DUP_HANDLE. With DUPLICATE_SAME_ACCESS the copy has the source's access; asking for no more than the
    /// source has needs no check; asking for more is an access check against the object, made in the target process's
    /// context: with the calling thread's impersonation token when it has one, otherwise with the target process's
    /// primary token — never the caller's own primary token when the target is another process (observed: tok-54;
    /// ReactOS's ObDuplicateObject likewise attaches to the target process before it captures the subject context).
    /// DUPLICATE_CLOSE_SOURCE closes the source handle whatever the outcome (a kernel handle too, from kernel mode). A
    /// source or target process that has exited gives STATUS_PROCESS_IS_TERMINATING.
    /// </summary>
    public NtStatus NtDuplicateObject(NtHandle sourceProcessHandle, NtHandle sourceHandle, NtHandle targetProcessHandle, out NtHandle targetHandle, uint desiredAccess, HandleAttributes attributes, DuplicateOptions options)
    {
        Begin(nameof(NtDuplicateObject));
        targetHandle = NtHandle.Null;
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(sourceProcessHandle, ProcessAccessRights.DupHandle, ObjectTypes.Process, out var sp, out _);
            if (!status.IsSuccess) return Done(status);
            var sourceProcess = (ProcessObject)sp!;
            // An exited process's handle table is gone (ObReferenceProcessHandleTable fails), not merely empty.
            if (sourceProcess.IsTerminated) return Done(NtStatus.ProcessIsTerminating);
            if (!ResolveLocked(sourceProcess, sourceHandle, out var source, out status)) return Done(status);
            try
            {
                if (targetProcessHandle.IsNull) return Done((options & DuplicateOptions.CloseSource) != 0 ? NtStatus.Success : NtStatus.InvalidHandle);
                status = ReferenceLocked(targetProcessHandle, ProcessAccessRights.DupHandle, ObjectTypes.Process, out var tp, out _);
                if (!status.IsSuccess) return Done(status);
                var targetProcess = (ProcessObject)tp!;
                if (targetProcess.IsTerminated) return Done(NtStatus.ProcessIsTerminating);
                if (!ValidAttributes(attributes)) return Done(NtStatus.InvalidParameter);

                uint access;
                if ((options & DuplicateOptions.SameAccess) != 0)
                {
                    access = source.GrantedAccess;
                }
                else
                {
                    uint mapped = source.Object.Type.GenericMapping.Map(desiredAccess);
                    if ((mapped & AccessMask.MaximumAllowed) == 0 && (mapped & ~source.GrantedAccess) == 0)
                    {
                        access = mapped;
                    }
                    else
                    {
                        var impersonation = Thread.ImpersonationTokenLocked?.TokenLocked;
                        var subject = impersonation ?? targetProcess.PrimaryTokenLocked.TokenLocked;
                        status = AccessCheckLocked(source.Object, desiredAccess, subject, attributes, out access,
                            impersonation is null ? SubjectChoice.TargetProcessToken : SubjectChoice.ImpersonationToken);
                        if (!status.IsSuccess) return Done(status);
                    }
                }
                var attrs = (options & DuplicateOptions.SameAttributes) != 0 ? source.Attributes : attributes;
                targetHandle = new NtHandle(targetProcess.Handles.Insert(source.Object, access, attrs));
                return Done(NtStatus.Success);
            }
            finally
            {
                // The source was resolved above, so a kernel handle here comes from kernel mode and is closed in the
                // kernel's table, as NtClose would close it; leaving it open would leak it.
                var sourceTable = sourceHandle.IsKernelHandle ? Sys.KernelHandles : sourceProcess.Handles;
                if ((options & DuplicateOptions.CloseSource) != 0 && !sourceHandle.IsPseudo
                    && sourceTable.TryGet(sourceHandle.Value, out var e) && (e.Attributes & HandleAttributes.ProtectFromClose) == 0)
                {
                    sourceTable.TryRemove(sourceHandle.Value, out _);
                    e.Object.RemoveHandle();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Named objects

    /// <summary>
    /// Creates a named (or unnamed) object of a plain type — an event, a file, a key — the way NtCreateEvent,
    /// NtCreateFile or NtCreateKey create theirs: the descriptor is the one given, completed from the creator's
    /// token, and the creator gets the access it asked for. An existing name fails with
    /// STATUS_OBJECT_NAME_COLLISION, or with OBJ_OPENIF opens the existing object (an access check).
    /// </summary>
    public NtStatus NtCreateObject(ObjectTypeInfo? type, ObjectAttributes? objectAttributes, uint desiredAccess, out NtHandle handle)
    {
        Begin(nameof(NtCreateObject));
        handle = NtHandle.Null;
        // A NULL pointer argument is STATUS_ACCESS_VIOLATION, as the kernel's probe of it faults; never a throw.
        if (objectAttributes is null) return Done(NtStatus.AccessViolation);
        // The type stands for the NtCreateXxx function called; without one there is no such call.
        if (type is null) return Done(NtStatus.InvalidParameter);
        lock (Sys.SyncRoot)
        {
            if (Thread.IsTerminated) return Done(NtStatus.ThreadIsTerminating);
            if (!ValidAttributes(objectAttributes.Attributes)) return Done(NtStatus.InvalidParameter);
            if ((desiredAccess & ReservedAccessBits) != 0) return Done(NtStatus.AccessDenied);
            var subject = EffectiveTokenLocked();
            if (UserMode && subject.Type == TokenType.Impersonation && subject.ImpersonationLevel < SecurityImpersonationLevel.Impersonation)
                return Done(Refuse(NtStatus.BadImpersonationLevel, CallReason.ClientLevelTooLow));
            string? name = objectAttributes.Name;
            if (name is not null && Sys.FindObjectLocked(name) is { } existing)
            {
                if ((objectAttributes.Attributes & HandleAttributes.OpenIf) == 0) return Done(NtStatus.ObjectNameCollision);
                if (!ReferenceEquals(existing.Type, type)) return Done(NtStatus.ObjectTypeMismatch);
                var st = AccessCheckLocked(existing, desiredAccess, subject, objectAttributes.Attributes, out uint g);
                if (!st.IsSuccess) return Done(st);
                handle = InsertLocked(existing, g, objectAttributes.Attributes);
                return Done(NtStatus.ObjectNameExists);
            }
            var sd = objectAttributes.SecurityDescriptor is { } given
                ? ObjectSecurity.ForNewObject(subject, type, given)
                : ObjectSecurity.ForNewObject(subject, type, subject.IntegrityLevel.Rid < 0x2000 ? subject.IntegrityLevel : null, ObjectSecurity.NoWriteUp);
            var obj = new NamedObject(Sys, type, name, sd);
            if (name is not null) Sys.AddName(obj, permanent: false);
            handle = InsertLocked(obj, CreatorAccess(type, desiredAccess), objectAttributes.Attributes);
            obj.Release();
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// Opens a named object (NtOpenEvent, NtOpenFile, NtOpenKey ... and window stations and desktops by name): an
    /// access check against its descriptor with the caller's effective token.
    /// </summary>
    /// <param name="objectAttributes">The name and handle attributes.</param>
    /// <param name="desiredAccess">The access wanted; generic rights are mapped for the object's type.</param>
    /// <param name="handle">The new handle, or NULL.</param>
    /// <param name="expectedType">The type the caller's function opens (NtOpenEvent opens events); null for any.</param>
    public NtStatus NtOpenObject(ObjectAttributes? objectAttributes, uint desiredAccess, out NtHandle handle, ObjectTypeInfo? expectedType = null)
    {
        Begin(nameof(NtOpenObject));
        handle = NtHandle.Null;
        // A NULL pointer argument is STATUS_ACCESS_VIOLATION, as the kernel's probe of it faults; never a throw.
        if (objectAttributes is null) return Done(NtStatus.AccessViolation);
        lock (Sys.SyncRoot)
        {
            if (Thread.IsTerminated) return Done(NtStatus.ThreadIsTerminating);
            if (!ValidAttributes(objectAttributes.Attributes)) return Done(NtStatus.InvalidParameter);
            if (objectAttributes.Name is not { } name || Sys.FindObjectLocked(name) is not { } obj) return Done(NtStatus.ObjectNameNotFound);
            if (expectedType is not null && !ReferenceEquals(obj.Type, expectedType)) return Done(NtStatus.ObjectTypeMismatch);
            var status = AccessCheckLocked(obj, desiredAccess, EffectiveTokenLocked(), objectAttributes.Attributes, out uint granted);
            if (!status.IsSuccess) return Done(status);
            handle = InsertLocked(obj, granted, objectAttributes.Attributes);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtQuerySecurityObject: the parts of an object's descriptor the handle may read — READ_CONTROL for owner,
    /// group and DACL, ACCESS_SYSTEM_SECURITY for the SACL.
    /// </summary>
    public NtStatus NtQuerySecurityObject(NtHandle handle, SecurityInformation parts, out SecurityDescriptor? securityDescriptor)
    {
        Begin(nameof(NtQuerySecurityObject));
        securityDescriptor = null;
        uint needed = ((parts & (SecurityInformation.Owner | SecurityInformation.Group | SecurityInformation.Dacl)) != 0 ? AccessMask.ReadControl : 0)
                    | ((parts & SecurityInformation.Sacl) != 0 ? AccessMask.AccessSystemSecurity : 0);
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(handle, needed, null, out var obj, out _);
            if (!status.IsSuccess) return Done(status);
            securityDescriptor = obj!.SecurityDescriptorLocked.Select(parts);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtSetSecurityObject: replaces the given parts of an object's descriptor. The owner and group need
    /// WRITE_OWNER, the DACL WRITE_DAC, the SACL ACCESS_SYSTEM_SECURITY; a new owner must be the caller's user or one
    /// of its groups marked SE_GROUP_OWNER (STATUS_INVALID_OWNER), unless SeRestorePrivilege is enabled.
    /// </summary>
    public NtStatus NtSetSecurityObject(NtHandle handle, SecurityInformation parts, SecurityDescriptor? securityDescriptor)
    {
        Begin(nameof(NtSetSecurityObject));
        // A NULL pointer argument is STATUS_ACCESS_VIOLATION, as the kernel's probe of it faults; never a throw.
        if (securityDescriptor is null) return Done(NtStatus.AccessViolation);
        uint needed = ((parts & (SecurityInformation.Owner | SecurityInformation.Group)) != 0 ? AccessMask.WriteOwner : 0)
                    | ((parts & SecurityInformation.Dacl) != 0 ? AccessMask.WriteDac : 0)
                    | ((parts & SecurityInformation.Sacl) != 0 ? AccessMask.AccessSystemSecurity : 0);
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(handle, needed, null, out var obj, out _);
            if (!status.IsSuccess) return Done(status);
            var sd = obj!.SecurityDescriptorLocked;
            var subject = EffectiveTokenLocked();
            if ((parts & SecurityInformation.Owner) != 0)
            {
                if (securityDescriptor.Owner is not { } owner) return Done(NtStatus.InvalidOwner);
                bool canOwn = owner == subject.User.Sid && !subject.User.IsDenyOnly
                    || subject.Groups.Any(g => g.Sid == owner && (g.Attributes & GroupAttributes.Owner) != 0 && !g.IsDenyOnly);
                if (UserMode && !canOwn && !subject.IsPrivilegeEnabled(Privileges.Restore)) return Done(NtStatus.InvalidOwner);
                sd = sd.WithOwner(owner);
            }
            if ((parts & SecurityInformation.Group) != 0)
            {
                if (securityDescriptor.Group is not { } group) return Done(NtStatus.InvalidPrimaryGroup);
                sd = sd.WithGroup(group);
            }
            if ((parts & SecurityInformation.Dacl) != 0) sd = sd.WithDacl(securityDescriptor.Dacl, securityDescriptor.DaclState);
            if ((parts & SecurityInformation.Sacl) != 0) sd = sd.WithSacl(securityDescriptor.Sacl, securityDescriptor.SaclState);
            obj.SecurityDescriptor = ObjectSecurity.MapGenericRights(sd, obj.Type.GenericMapping);
            return Done(NtStatus.Success);
        }
    }
}
