using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Kernel;
using NtSec.Tokens;

namespace NtSec.Scenarios;

/// <summary>A part of an <see cref="Expectation"/> a step did not meet.</summary>
public enum ExpectationField
{
    /// <summary>The NTSTATUS (<see cref="Expectation.Status"/>).</summary>
    Status,

    /// <summary>The Win32 error (<see cref="Expectation.Error"/>).</summary>
    Error,

    /// <summary>The granted access (<see cref="Expectation.Granted"/>).</summary>
    Granted,

    /// <summary>The BOOL answer (<see cref="Expectation.Result"/>).</summary>
    Result,

    /// <summary>The queried value's text (<see cref="Expectation.Value"/>).</summary>
    Value,

    /// <summary>The step was expected to run and could not (<see cref="StepResult.NotRunProcess"/>).</summary>
    Ran,
}

/// <summary>
/// What one step did, as data: the call, its NTSTATUS or Win32 error, what it granted, answered or saved, the kernel's
/// record of the call (<see cref="Diagnostic"/>), what the step kind adds (<see cref="Detail"/>), and which parts of
/// the expectation it missed. Text for a person is rendered from these by the caller (the <c>ntsec</c> command's
/// renderer); nothing here is prose.
/// </summary>
/// <param name="Number">The step's number, from 1.</param>
/// <param name="Step">The step.</param>
/// <param name="Call">The call as Windows spells it, with its arguments (<c>NtOpenThreadToken(NtCurrentThread, TOKEN_QUERY, OpenAsSelf=FALSE)</c>).</param>
/// <param name="Status">The NTSTATUS (for a Win32 function, the one behind its last error).</param>
public sealed record StepResult(int Number, ScenarioStep Step, string Call, NtStatus Status)
{
    /// <summary>The scenario the step belongs to (its token names and SID context name what the result holds).</summary>
    public required Scenario Scenario { get; init; }

    /// <summary>For a user32 step, which has no NTSTATUS, the last error it set (0 on success); null otherwise.</summary>
    public int? Win32Error { get; init; }

    /// <summary>The access granted to the handle the step made, or for an access check, the granted access.</summary>
    public uint? Granted { get; init; }

    /// <summary>The object type <see cref="Granted"/> is named for.</summary>
    public ObjectTypeInfo? RightsType { get; init; }

    /// <summary>What a query returned, as text (<see cref="ScenarioValues.Format"/>); null when nothing was queried.</summary>
    public string? Value { get; init; }

    /// <summary>The BOOL answer of a question (restricted? member? granted? found? delivered?).</summary>
    public bool? Answer { get; init; }

    /// <summary>The name the step saved its new handle (or window, or process) under, or null.</summary>
    public string? SavedAs { get; init; }

    /// <summary>What the kernel recorded for the step's call (its reason, access check, impersonation, desktop refusal); null when the step could not run.</summary>
    public CallDiagnostic? Diagnostic { get; init; }

    /// <summary>The explained access check behind a failed call, when there was one.</summary>
    public ObjectAccessCheck? AccessCheck { get; init; }

    /// <summary>What this step kind records besides the call (<see cref="ProcessDetail"/>, <see cref="AccessCheckDetail"/> ...), or null.</summary>
    public StepDetail? Detail { get; init; }

    /// <summary>The image name of the calling thread's process.</summary>
    public string? CallerProcess { get; init; }

    /// <summary>The calling thread's desktop after the call (<c>WinSta0\Default</c>), or null for none.</summary>
    public string? CallerDesktop { get; init; }

    /// <summary>When the step was not run: the process it runs on or names that a failed create-process step never made.</summary>
    public string? NotRunProcess { get; init; }

    /// <summary>The parts of the step's expectation it did not meet; empty when it met it or had none.</summary>
    public IReadOnlyList<ExpectationField> Unmet { get; init; } = [];

    /// <summary>True when the step met its expectation (or had none).</summary>
    public bool Met => Unmet.Count == 0;

    /// <summary>True when the call succeeded (a success status, and no Win32 error).</summary>
    public bool Succeeded => Status.IsSuccess && Win32Error is null or 0;
}

/// <summary>A run of a scenario.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Steps">Each step's result.</param>
public sealed record ScenarioRun(Scenario Scenario, IReadOnlyList<StepResult> Steps)
{
    /// <summary>Steps whose expectation was not met.</summary>
    public int Unmet => Steps.Count(s => !s.Met);
}

/// <summary>What a step kind records about its call beyond the kernel's diagnostic: the state it saw when the call returned.</summary>
public abstract record StepDetail
{
    private protected StepDetail()
    {
    }
}

/// <summary><c>set-thread-token</c>: whether the call cleared the thread's token (a NULL token handle).</summary>
/// <param name="Cleared">True when the thread stopped impersonating.</param>
public sealed record ThreadTokenDetail(bool Cleared) : StepDetail;

/// <summary>A token the step looked at (<c>is-token-restricted</c>, <c>create-object</c>'s creator), as it was when the call returned.</summary>
/// <param name="Token">The token, or null when the handle named none.</param>
public sealed record TokenDetail(Token? Token) : StepDetail;

/// <summary><c>access-check</c>: the client token checked and the check's explanation.</summary>
/// <param name="Subject">The client token, or null when the handle named none.</param>
/// <param name="Explanation">The explanation of the check.</param>
public sealed record AccessCheckDetail(Token? Subject, AccessCheckExplanation Explanation) : StepDetail;

/// <summary><c>create-process</c>: the new process as it was when the call returned.</summary>
/// <param name="Name">Its name in the scenario (and image name).</param>
/// <param name="Token">Its primary token.</param>
/// <param name="Suspended">True when it was created suspended and is still alive.</param>
/// <param name="Terminated">True when it ended at once.</param>
/// <param name="ExitStatus">Its exit status when it ended.</param>
/// <param name="Desktop">The desktop it is connected to (or will connect to when it resumes), or null.</param>
/// <param name="Refusal">The window station or desktop that refused it, when one did.</param>
public sealed record ProcessDetail(string Name, Token Token, bool Suspended, bool Terminated, NtStatus ExitStatus, string? Desktop, DesktopRefusal? Refusal) : StepDetail;

/// <summary><c>resume-thread</c>: the thread's process after the call.</summary>
/// <param name="PreviousSuspendCount">The suspend count before the call (0: the thread was not suspended).</param>
/// <param name="Process">The process's image name.</param>
/// <param name="ExitStatus">Its exit status when it ended.</param>
/// <param name="Refusal">The window station or desktop that refused it when its thread ran, when one did.</param>
/// <param name="ConnectedDesktop">The desktop the process is connected to, or null.</param>
/// <param name="ConnectedWith">The token it connected with, or null.</param>
public sealed record ResumeDetail(int PreviousSuspendCount, string Process, NtStatus ExitStatus, DesktopRefusal? Refusal, string? ConnectedDesktop, Token? ConnectedWith) : StepDetail;

/// <summary><c>duplicate-handle</c>: the process the new handle is in.</summary>
/// <param name="Owner">That process's image name.</param>
public sealed record DuplicatedHandleDetail(string Owner) : StepDetail;

/// <summary><c>create-object</c>: who created it inside what, and the descriptor it got.</summary>
/// <param name="Creator">The caller's effective token.</param>
/// <param name="ParentType">The container's type.</param>
/// <param name="Type">The new object's type.</param>
/// <param name="Descriptor">The new object's descriptor, or null when it was not made.</param>
public sealed record CreatedObjectDetail(Token? Creator, ObjectTypeInfo ParentType, ObjectTypeInfo Type, SecurityDescriptor? Descriptor) : StepDetail;

/// <summary>A user32 step on a window: where the window is and whose it is.</summary>
/// <param name="Desktop">The window's desktop (<c>WinSta0\Default</c>), or null when there is no such window.</param>
/// <param name="Owner">The image name of the process whose thread owns it, or null.</param>
public sealed record WindowDetail(string? Desktop, string? Owner) : StepDetail;

/// <summary>What a step's call gave back, before the runner adds what every step has.</summary>
internal sealed record StepOutcome(string Call, NtStatus Status)
{
    public uint? Granted { get; init; }

    public ObjectTypeInfo? RightsType { get; init; }

    public string? Value { get; init; }

    public bool? Answer { get; init; }

    public int? Error { get; init; }

    public string? SavedAs { get; init; }

    public StepDetail? Detail { get; init; }
}
