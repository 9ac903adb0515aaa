using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Cli.Scenarios;

/// <summary>A place in the scenario file: 1-based line and column.</summary>
/// <param name="Line">The line.</param>
/// <param name="Column">The column.</param>
internal readonly record struct Mark(int Line, int Column)
{
    /// <summary><c>line:column</c>.</summary>
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>A mistake in a scenario file, with where it is.</summary>
/// <param name="At">Where.</param>
/// <param name="Message">What is wrong.</param>
internal sealed record ScenarioError(Mark At, string Message)
{
    /// <summary><c>line:column: message</c>.</summary>
    public override string ToString() => $"{At}: {Message}";
}

/// <summary>A scenario: the machine to set up and the steps to run on it.</summary>
internal sealed class Scenario
{
    /// <summary>The scenario's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>What the scenario shows, if said.</summary>
    public string? Description { get; init; }

    /// <summary>The domain and machine SIDs aliases resolve against.</summary>
    public SidContext Context { get; init; } = new();

    /// <summary>Tokens by name.</summary>
    public Dictionary<string, Token> Tokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Desktops to create besides WinSta0\Default, with optional descriptors.</summary>
    public List<DesktopDeclaration> Desktops { get; } = [];

    /// <summary>Securable objects.</summary>
    public List<ObjectDeclaration> Objects { get; } = [];

    /// <summary>Processes started before the first step.</summary>
    public List<ProcessDeclaration> Processes { get; } = [];

    /// <summary>The steps, in order.</summary>
    public List<Step> Steps { get; } = [];

    /// <summary>The central access policies the machine has (the <c>policies</c> key); empty for none.</summary>
    public System.Collections.Immutable.ImmutableArray<NtSec.Authorization.Conditions.CentralAccessPolicy> Policies { get; set; } = [];
}

/// <summary>A desktop to create in WinSta0.</summary>
/// <param name="Name">The desktop's name in WinSta0.</param>
/// <param name="Descriptor">Its descriptor, or null for Windows' default for a new desktop.</param>
/// <param name="At">Where it is declared.</param>
internal sealed record DesktopDeclaration(string Name, SecurityDescriptor? Descriptor, Mark At);

/// <summary>A named securable object.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Descriptor">Its descriptor.</param>
/// <param name="At">Where it is declared.</param>
internal sealed record ObjectDeclaration(string Name, ObjectTypeInfo Type, SecurityDescriptor Descriptor, Mark At);

/// <summary>A process running before the first step.</summary>
/// <param name="Name">Its name in the scenario (and image name).</param>
/// <param name="Token">The name of its token.</param>
/// <param name="Desktop">The desktop it runs on (<c>WinSta0\Default</c> when not said).</param>
/// <param name="Threads">Names of its threads; the first is its main thread.</param>
/// <param name="At">Where it is declared.</param>
internal sealed record ProcessDeclaration(string Name, string Token, string Desktop, IReadOnlyList<string> Threads, Mark At);

/// <summary>What a step expects.</summary>
/// <param name="Status">The NTSTATUS, or null to not check it.</param>
/// <param name="Granted">The granted access of the handle the step opens, or null.</param>
/// <param name="Result">The BOOL answer of a question step (is restricted, member, access granted), or null.</param>
/// <param name="Value">The text of a queried value, or null.</param>
/// <param name="Error">The Win32 error of a user32 step (ERROR_ACCESS_DENIED ...), or null.</param>
internal sealed record Expectation(NtStatus? Status, uint? Granted, bool? Result, string? Value, int? Error = null);

/// <summary>A reference to a handle: a name a step saved, a pseudo-handle, NULL or a number.</summary>
/// <param name="Text">As written.</param>
internal sealed record HandleRef(string Text);

/// <summary>One step: a call made on one thread.</summary>
/// <param name="Kind">The step kind (<c>open-thread-token</c>).</param>
/// <param name="Thread">The calling thread: <c>process</c> or <c>process/thread</c>.</param>
/// <param name="At">Where the step is.</param>
/// <param name="Args">The step's arguments, checked at load time.</param>
/// <param name="Expect">The expectation, or null.</param>
/// <param name="Note">A note to print with the step, or null.</param>
internal sealed record Step(string Kind, string Thread, Mark At, StepArgs Args, Expectation? Expect, string? Note);

/// <summary>A step's arguments, typed: each kind uses the fields its table in docs/scenarios.md lists.</summary>
internal sealed record StepArgs
{
    /// <summary>An access mask (already parsed for the object type the step opens).</summary>
    public uint? Access { get; init; }

    /// <summary>The access as written (for printing).</summary>
    public string? AccessText { get; init; }

    /// <summary>A token handle.</summary>
    public HandleRef? Token { get; init; }

    /// <summary>A handle (close, duplicate-handle).</summary>
    public HandleRef? Handle { get; init; }

    /// <summary>A target thread (<c>process</c> or <c>process/thread</c>).</summary>
    public string? Target { get; init; }

    /// <summary>A process name.</summary>
    public string? Process { get; init; }

    /// <summary>An object name.</summary>
    public string? Object { get; init; }

    /// <summary>A name to save the result under.</summary>
    public string? As { get; init; }

    /// <summary>An impersonation level.</summary>
    public SecurityImpersonationLevel? Level { get; init; }

    /// <summary>A token type.</summary>
    public TokenType? TokenType { get; init; }

    /// <summary>OpenAsSelf, EffectiveOnly, DisableAll, Reset, InheritHandles, SameAccess, CloseSource, ...</summary>
    public IReadOnlySet<string> Flags { get; init; } = new HashSet<string>();

    /// <summary>SIDs (deny-only, restricting, membership).</summary>
    public IReadOnlyList<Sid> Sids { get; init; } = [];

    /// <summary>Second SID list (restricting SIDs of restrict-token).</summary>
    public IReadOnlyList<Sid> RestrictingSids { get; init; } = [];

    /// <summary>Privileges (delete, enable).</summary>
    public IReadOnlyList<Luid> Privileges { get; init; } = [];

    /// <summary>Privileges to disable.</summary>
    public IReadOnlyList<Luid> DisablePrivileges { get; init; } = [];

    /// <summary>Privileges to remove.</summary>
    public IReadOnlyList<Luid> RemovePrivileges { get; init; } = [];

    /// <summary>A token information class.</summary>
    public Kernel.TokenInformationClass? InformationClass { get; init; }

    /// <summary>A value to set.</summary>
    public object? Value { get; init; }

    /// <summary>A descriptor (access-check).</summary>
    public SecurityDescriptor? Descriptor { get; init; }

    /// <summary>An object type (access-check, create-object).</summary>
    public ObjectTypeInfo? ObjectType { get; init; }

    /// <summary>create-object: the new object's name inside its parent.</summary>
    public string? Name { get; init; }

    /// <summary>A desktop name (create-process).</summary>
    public string? Desktop { get; init; }

    /// <summary>A window name (send-message, post-message).</summary>
    public string? Window { get; init; }

    /// <summary>A window message number.</summary>
    public uint? Message { get; init; }

    /// <summary>A window's title (create-window, find-window).</summary>
    public string? WindowName { get; init; }
}
