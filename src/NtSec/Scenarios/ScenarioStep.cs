namespace NtSec.Scenarios;

/// <summary>
/// One step of a scenario: one call made on one thread, with an optional expectation. Each step kind is a record
/// deriving from this one (<see cref="OpenStep"/>, <see cref="ImpersonateSelfStep"/> ...) that holds its arguments,
/// reads them from a document and makes its call; <see cref="StepKinds.All"/> lists the kinds.
/// </summary>
public abstract record ScenarioStep
{
    private protected ScenarioStep()
    {
    }

    /// <summary>The calling thread: a process name (its main thread) or <c>process/thread</c>; null for the first declared process's main thread.</summary>
    public string? Thread { get; init; }

    /// <summary>What the step expects, or null.</summary>
    public Expectation? Expect { get; init; }

    /// <summary>A note printed with the step, or null.</summary>
    public string? Note { get; init; }

    /// <summary>Where the step is in its source ((0, 0) when built in code).</summary>
    public SourceMark At { get; init; }

    /// <summary>The step's kind, from the registry.</summary>
    public StepKind Kind => StepKinds.Of(GetType());

    /// <summary>The other thread the step acts on (<c>target</c> or <c>client</c>), or null.</summary>
    public virtual string? TargetThread => null;

    /// <summary>The process the step names (<c>process</c> or <c>to</c>), or null.</summary>
    public virtual string? TargetProcess => null;

    /// <summary>The handle argument the step passes (<c>token</c> or <c>handle</c>), or null.</summary>
    public virtual HandleRef? HandleArgument => null;

    /// <summary>The name the step saves what it makes under (<c>as</c>), or null.</summary>
    public virtual string? SavesAs => null;

    /// <summary>Makes the step's call on the running machine.</summary>
    internal abstract StepOutcome Run(StepContext context);

    /// <summary>Names the step declares for later steps (handles, windows, processes).</summary>
    internal virtual IEnumerable<(DefinedName Kind, string Name)> Defines => SavesAs is { } name ? [(DefinedName.Handle, name)] : [];
}

/// <summary>What a name a step declares refers to.</summary>
internal enum DefinedName
{
    Handle,
    Window,
    Process,
}

/// <summary>
/// A step kind: its name in a scenario file, the Windows function it calls, the argument keys it takes (besides
/// <c>thread</c>), its record type, and how it reads its arguments. One entry in <see cref="StepKinds.All"/> a kind.
/// </summary>
public sealed class StepKind
{
    internal StepKind(string name, string function, Type type, string[] keys, Func<StepReader, ScenarioStep> read)
    {
        Name = name;
        Function = function;
        Type = type;
        Keys = keys;
        Read = read;
    }

    /// <summary>The kind's name (<c>open-thread-token</c>).</summary>
    public string Name { get; }

    /// <summary>The Windows function it calls (<c>NtOpenThreadToken</c>).</summary>
    public string Function { get; }

    /// <summary>The step record type.</summary>
    public Type Type { get; }

    /// <summary>The argument keys it accepts, besides <c>thread</c>.</summary>
    public IReadOnlyList<string> Keys { get; }

    internal Func<StepReader, ScenarioStep> Read { get; }

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}

/// <summary>The registry of step kinds: reading, key validation, the documentation test and <c>ntsec demo --print-scenario</c> all use it.</summary>
public static class StepKinds
{
    /// <summary>Every step kind, in the order docs/scenarios.md lists them.</summary>
    public static IReadOnlyList<StepKind> All { get; } =
    [
        new("impersonate-self", "ImpersonateSelf", typeof(ImpersonateSelfStep), ["level"], ImpersonateSelfStep.Read),
        new("impersonate", "ImpersonateLoggedOnUser", typeof(ImpersonateStep), ["token"], ImpersonateStep.Read),
        new("set-thread-token", "NtSetInformationThread", typeof(SetThreadTokenStep), ["target", "token"], SetThreadTokenStep.Read),
        new("revert", "RevertToSelf", typeof(RevertStep), [], RevertStep.Read),
        new("impersonate-anonymous", "NtImpersonateAnonymousToken", typeof(ImpersonateAnonymousStep), ["target"], ImpersonateAnonymousStep.Read),
        new("impersonate-thread", "NtImpersonateThread", typeof(ImpersonateThreadStep), ["client", "level", "effective-only"], ImpersonateThreadStep.Read),
        new("open-process-token", "NtOpenProcessToken", typeof(OpenProcessTokenStep), ["process", "handle", "access", "as"], OpenProcessTokenStep.Read),
        new("open-thread-token", "NtOpenThreadToken", typeof(OpenThreadTokenStep), ["target", "handle", "access", "open-as-self", "as"], OpenThreadTokenStep.Read),
        new("duplicate-token", "NtDuplicateToken", typeof(DuplicateTokenStep), ["token", "access", "level", "type", "effective-only", "as"], DuplicateTokenStep.Read),
        new("restrict-token", "CreateRestrictedToken", typeof(RestrictTokenStep), ["token", "disable-max-privilege", "write-restricted", "sandbox-inert", "lua-token", "deny-only", "delete-privileges", "restricting-sids", "as"], RestrictTokenStep.Read),
        new("adjust-privileges", "NtAdjustPrivilegesToken", typeof(AdjustPrivilegesStep), ["token", "enable", "disable", "remove", "disable-all"], AdjustPrivilegesStep.Read),
        new("adjust-groups", "NtAdjustGroupsToken", typeof(AdjustGroupsStep), ["token", "enable", "disable", "reset"], AdjustGroupsStep.Read),
        new("query-token", "NtQueryInformationToken", typeof(QueryTokenStep), ["token", "class"], QueryTokenStep.Read),
        new("set-token", "NtSetInformationToken", typeof(SetTokenStep), ["token", "class", "value"], SetTokenStep.Read),
        new("is-token-restricted", "IsTokenRestricted", typeof(IsTokenRestrictedStep), ["token"], IsTokenRestrictedStep.Read),
        new("check-membership", "CheckTokenMembership", typeof(CheckMembershipStep), ["token", "sid"], CheckMembershipStep.Read),
        new("create-process", "CreateProcessAsUser", typeof(CreateProcessStep), ["token", "image", "desktop", "inherit-handles", "suspended", "as"], CreateProcessStep.Read),
        new("resume-thread", "ResumeThread", typeof(ResumeThreadStep), ["target"], ResumeThreadStep.Read),
        new("open", "NtOpenObject", typeof(OpenStep), ["object", "access", "as"], OpenStep.Read),
        new("open-process", "NtOpenProcess", typeof(OpenProcessStep), ["process", "access", "as"], OpenProcessStep.Read),
        new("open-thread", "NtOpenThread", typeof(OpenThreadStep), ["target", "access", "as"], OpenThreadStep.Read),
        new("duplicate-handle", "NtDuplicateObject", typeof(DuplicateHandleStep), ["handle", "to", "access", "same-access", "close-source", "as"], DuplicateHandleStep.Read),
        new("close", "NtClose", typeof(CloseStep), ["handle"], CloseStep.Read),
        new("access-check", "NtAccessCheck", typeof(AccessCheckStep), ["token", "object", "sddl", "type", "access"], AccessCheckStep.Read),
        new("create-object", "NtCreateFile", typeof(CreateObjectStep), ["object", "name", "type", "sddl", "access", "as"], CreateObjectStep.Read),
        new("create-window", "CreateWindow", typeof(CreateWindowStep), ["name", "as"], CreateWindowStep.Read),
        new("find-window", "FindWindow", typeof(FindWindowStep), ["name", "as"], FindWindowStep.Read),
        new("send-message", "SendMessage", typeof(SendMessageStep), ["window", "message"], SendMessageStep.Read),
        new("post-message", "PostMessage", typeof(PostMessageStep), ["window", "message"], PostMessageStep.Read),
        new("set-thread-desktop", "SetThreadDesktop", typeof(SetThreadDesktopStep), ["desktop"], SetThreadDesktopStep.Read),
    ];

    private static readonly Dictionary<string, StepKind> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);
    private static readonly Dictionary<Type, StepKind> ByType = All.ToDictionary(k => k.Type);

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static StepKind? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The kind of a step record type.</summary>
    public static StepKind Of(Type stepType) => ByType.TryGetValue(stepType, out var k) ? k
        : throw new ArgumentException($"{stepType.Name} is not a registered step kind.", nameof(stepType));
}
