using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Kernel;

/// <summary>
/// Why an emulated call came out as it did, as a kind. Where a status has one cause only (STATUS_CANT_DISABLE_MANDATORY,
/// STATUS_INVALID_OWNER ...) the kind is <see cref="None"/> and the status says it all; the kinds below name the causes
/// a status alone does not tell apart.
/// </summary>
public enum CallReason
{
    /// <summary>Nothing beyond the status.</summary>
    None = 0,

    /// <summary>The calling thread has exited (its process ended).</summary>
    ThreadTerminated,

    /// <summary>No open handle of that value in the caller's process (or a pseudo-handle the call does not take).</summary>
    HandleNotOpen,

    /// <summary>The handle refers to an object of another type (<see cref="CallDiagnostic.Handle"/>).</summary>
    HandleTypeMismatch,

    /// <summary>The handle was not granted the access the call needs (<see cref="CallDiagnostic.Handle"/>).</summary>
    HandleLacksAccess,

    /// <summary>The desired access asks for bits no right uses.</summary>
    ReservedAccessBits,

    /// <summary>An access check against the object's descriptor decided (<see cref="CallDiagnostic.AccessCheck"/>).</summary>
    AccessCheck,

    /// <summary>SeDebugPrivilege opened the process or thread without looking at its descriptor.</summary>
    DebugPrivilege,

    /// <summary>The call came from kernel mode, which opens without an access check.</summary>
    KernelMode,

    /// <summary>The subject is an impersonation token below SecurityImpersonation, which cannot open objects.</summary>
    ClientLevelTooLow,

    /// <summary>The thread is not impersonating, so it has no token of its own.</summary>
    NotImpersonating,

    /// <summary>The thread's token is at SecurityAnonymous, which cannot be opened.</summary>
    AnonymousLevel,

    /// <summary>An impersonation token cannot be copied to a higher level than its own.</summary>
    LevelAboveSource,

    /// <summary>An impersonation token below SecurityImpersonation cannot become a primary token.</summary>
    PrimaryBelowImpersonation,

    /// <summary>The impersonation level is not one of the four.</summary>
    UnknownLevel,

    /// <summary>A privilege the call needs is not enabled (<see cref="CallDiagnostic.Privilege"/>).</summary>
    PrivilegeNotHeld,

    /// <summary>The new process's token is a child or sibling of the caller's own: no privilege needed.</summary>
    ChildOrSiblingToken,

    /// <summary>The new process's token is someone else's and the caller holds SeAssignPrimaryTokenPrivilege.</summary>
    AssignPrimaryTokenPrivilege,

    /// <summary>The new process runs with its creator's own token.</summary>
    CreatorToken,

    /// <summary>Some privileges or groups to change are not in the token (<see cref="CallDiagnostic.NotAssigned"/>).</summary>
    NotAllAssigned,

    /// <summary>No object of that name.</summary>
    ObjectNameNotFound,

    /// <summary>The arguments are outside what Windows accepts.</summary>
    InvalidParameter,

    /// <summary>The thread has no desktop (its process is not connected to one).</summary>
    NoDesktop,

    /// <summary>The thread's desktop handle lacks a right the call needs (<see cref="CallDiagnostic.Handle"/>).</summary>
    DesktopLacksAccess,

    /// <summary>The process's window station handle lacks a right the call needs (<see cref="CallDiagnostic.Handle"/>).</summary>
    WindowStationLacksAccess,

    /// <summary>The window is on another desktop than the caller's: messages never cross desktops.</summary>
    OtherDesktop,

    /// <summary>User Interface Privilege Isolation: the sender's integrity level is below the window's process's.</summary>
    UipiBlocked,

    /// <summary>No window of that handle (destroyed, or never there).</summary>
    NoSuchWindow,

    /// <summary>No window matches on the caller's desktop.</summary>
    WindowNotFound,

    /// <summary>The thread has windows on its desktop, so it cannot move to another.</summary>
    ThreadHasWindows,

    /// <summary>Only the thread that created a window may destroy it.</summary>
    NotWindowOwner,

    /// <summary>The handle is the one the process's desktop connection uses.</summary>
    ConnectionHandle,

    /// <summary>The posting thread's queue is full.</summary>
    QueueFull,

    /// <summary>A process at Low integrity or below may not change message filters.</summary>
    LowIntegrityProcess,
}

/// <summary>Which token an access check was made with, and why that one.</summary>
public enum SubjectChoice
{
    /// <summary>The caller's effective token: its impersonation token, else its process's primary token.</summary>
    EffectiveToken,

    /// <summary>The caller's process's primary token, because the call asked to open as self (OpenAsSelf).</summary>
    ProcessTokenOpenAsSelf,

    /// <summary>The target process's primary token: NtDuplicateObject checks in the target's context when the caller is not impersonating.</summary>
    TargetProcessToken,

    /// <summary>The new process's own token, connecting to its window station and desktop as user32 does when it loads.</summary>
    NewProcessToken,

    /// <summary>The caller's impersonation token, which NtDuplicateObject uses in preference to the target process's.</summary>
    ImpersonationToken,

    /// <summary>A token the caller passed by handle (NtAccessCheck).</summary>
    ClientToken,
}

/// <summary>An access check the kernel made for a call, with the token it used and why.</summary>
/// <param name="Object">The object.</param>
/// <param name="Subject">The token the check used.</param>
/// <param name="Choice">Why that token.</param>
/// <param name="DesiredAccess">The access asked for, generic rights mapped.</param>
/// <param name="MaximumAllowed">What a MAXIMUM_ALLOWED request would have been granted (0 when nothing); filled only when explaining.</param>
/// <param name="Explanation">Every stage and ACE of the check, when <see cref="EmulatedSystem.ExplainAccessChecks"/> is on; null otherwise.</param>
/// <param name="Granted">The access granted (0 on a denial).</param>
/// <param name="Status">The check's outcome: STATUS_SUCCESS, STATUS_ACCESS_DENIED, STATUS_PRIVILEGE_NOT_HELD ...</param>
/// <param name="CentralAccess">When the object names a central access policy the machine applies: each rule, what it
/// took away and what staging would change; null otherwise.</param>
public sealed record ObjectAccessCheck(KernelObject Object, Token Subject, SubjectChoice Choice, uint DesiredAccess, uint MaximumAllowed,
    AccessCheckExplanation? Explanation, uint Granted, NtStatus Status, CentralAccessCheckResult? CentralAccess = null);

/// <summary>A handle a call used, the access the call needed on it and the access it has.</summary>
/// <param name="Type">The handle's object type (the one it is, not the one wanted, for a mismatch).</param>
/// <param name="Needed">The access the call needs.</param>
/// <param name="Granted">The access the handle was granted.</param>
/// <param name="Expected">The type the call wanted, for a type mismatch.</param>
public sealed record HandleUse(ObjectTypeInfo Type, uint Needed, uint Granted, ObjectTypeInfo? Expected = null);

/// <summary>Why <see cref="ImpersonationRules"/> refused a token its level.</summary>
public enum ImpersonationRefusal
{
    /// <summary>Not refused.</summary>
    None = 0,
    /// <summary>Another user's token, not made in the process's logon session, and no SeImpersonatePrivilege.</summary>
    OtherUser,
    /// <summary>The token's integrity level is above the process's.</summary>
    IntegrityAbove,
    /// <summary>A restricted process may only impersonate a restricted token.</summary>
    RestrictedProcess,
    /// <summary>An AppContainer process may only impersonate a token of its own AppContainer.</summary>
    OtherAppContainer,
    /// <summary>The token belongs to another session.</summary>
    OtherSession,
}

/// <summary>What an impersonation call gave the thread, by <see cref="ImpersonationRules"/>.</summary>
/// <param name="Thread">The thread that wears the token.</param>
/// <param name="Requested">The token the thread was to wear.</param>
/// <param name="Worn">The token it wears (an identification-level copy when downgraded).</param>
/// <param name="Outcome">Granted or downgraded.</param>
/// <param name="Refusal">Why the level was refused.</param>
/// <param name="ProcessToken">The primary token of the thread's process, which the rules compare with.</param>
public sealed record ImpersonationDecision(ThreadObject Thread, Token Requested, Token Worn, ImpersonationOutcome Outcome, ImpersonationRefusal Refusal, Token ProcessToken);

/// <summary>The step of a new process's desktop connection that refused it.</summary>
public enum ConnectionPass
{
    /// <summary>The desktop named in STARTUPINFO does not exist.</summary>
    DesktopNotFound,
    /// <summary>Opening the window station for MAXIMUM_ALLOWED granted nothing.</summary>
    WindowStation,
    /// <summary>Opening the desktop for MAXIMUM_ALLOWED granted nothing.</summary>
    Desktop,
}

/// <summary>
/// A new process that could not connect to its window station or desktop, so it ended with STATUS_DLL_INIT_FAILED.
/// </summary>
/// <param name="Process">The process.</param>
/// <param name="Pass">Which step refused it.</param>
/// <param name="Object">The window station or desktop that refused it (null when the desktop was not found).</param>
/// <param name="AccessCheck">The check that granted nothing.</param>
/// <param name="UngrantedLogonSid">A logon SID the object's DACL grants that the token does not have, when that is why.</param>
/// <param name="DesktopName">The desktop asked for, when it was not found.</param>
public sealed record DesktopRefusal(ProcessObject Process, ConnectionPass Pass, KernelObject? Object, ObjectAccessCheck? AccessCheck, Sid? UngrantedLogonSid, string? DesktopName = null);

/// <summary>
/// What one emulated call decided: the status, the reason as a kind, and the decisions behind it (the access check with
/// its subject token and explanation, the impersonation rule applied, the window station or desktop that refused a
/// connection). The calling thread's <see cref="ThreadObject.LastCall"/> holds the last one; a Win32-layer function
/// that makes several Nt calls records one diagnostic for itself, with theirs as <see cref="Inner"/>.
/// </summary>
/// <param name="Call">The function's name (<c>NtOpenThreadTokenEx</c>, <c>ImpersonateLoggedOnUser</c>).</param>
public sealed record CallDiagnostic(string Call)
{
    /// <summary>The NTSTATUS the call returned (for a Win32-layer function, the one behind its last error).</summary>
    public NtStatus Status { get; init; }

    /// <summary>The Win32 error a Win32-layer function set, or null for an Nt call.</summary>
    public int? Win32Error { get; init; }

    /// <summary>Why, as a kind.</summary>
    public CallReason Reason { get; init; }

    /// <summary>The access check that decided, or the last one the call made.</summary>
    public ObjectAccessCheck? AccessCheck { get; init; }

    /// <summary>The handle whose type or access decided.</summary>
    public HandleUse? Handle { get; init; }

    /// <summary>The impersonation the call gave a thread.</summary>
    public ImpersonationDecision? Impersonation { get; init; }

    /// <summary>The window station or desktop that refused a new process's connection.</summary>
    public DesktopRefusal? Desktop { get; init; }

    /// <summary>
    /// A logon SID the object's DACL grants that the token does not hold, when that is why the window station or
    /// desktop refused (the interactive ones grant the logon session's SID and SYSTEM only).
    /// </summary>
    public Sid? UngrantedLogonSid { get; init; }

    /// <summary>The privilege the decision turned on (held and used, or needed and missing).</summary>
    public Luid? Privilege { get; init; }

    /// <summary>Privileges or group SIDs the call could not change because the token lacks them.</summary>
    public IReadOnlyList<object> NotAssigned { get; init; } = [];

    /// <summary>The previous state of each privilege or group the call changed.</summary>
    public IReadOnlyList<object> Changed { get; init; } = [];

    /// <summary>The process a call created.</summary>
    public ProcessObject? CreatedProcess { get; init; }

    /// <summary>The Nt calls a Win32-layer function made, in order.</summary>
    public IReadOnlyList<CallDiagnostic> Inner { get; init; } = [];
}
