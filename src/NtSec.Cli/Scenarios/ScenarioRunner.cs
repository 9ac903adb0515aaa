using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Kernel;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using NtSec.Win32;
using NtSec.Descriptors;

namespace NtSec.Cli.Scenarios;

/// <summary>What one step did.</summary>
/// <param name="Number">The step's number, from 1.</param>
/// <param name="Step">The step.</param>
/// <param name="Call">The call as Windows would spell it, with its arguments.</param>
/// <param name="Status">The NTSTATUS (for Win32 functions, the one behind their last error).</param>
/// <param name="Granted">The access granted to the handle the step made, or for an access check, the granted access.</param>
/// <param name="RightsType">The object type <paramref name="Granted"/> is named for.</param>
/// <param name="Why">One sentence on why the call came out as it did.</param>
/// <param name="Value">What a query returned, as text.</param>
/// <param name="Answer">The BOOL answer of a question (restricted? member? granted?).</param>
/// <param name="AccessCheck">The explained access check of a failed open, when there was one.</param>
/// <param name="Mismatch">How the outcome differs from the step's expectation; null when it met it (or had none).</param>
/// <param name="Win32Error">For a user32 step, which has no NTSTATUS, the last error it set (0 on success); null otherwise.</param>
/// <param name="Diagnostic">What the kernel recorded for the step's call (its reason, access check, impersonation, desktop refusal); null when the step could not run.</param>
internal sealed record StepResult(int Number, Step Step, string Call, NtStatus Status, uint? Granted, ObjectTypeInfo? RightsType,
    string Why, string? Value, bool? Answer, ObjectAccessCheck? AccessCheck, string? Mismatch, int? Win32Error = null, CallDiagnostic? Diagnostic = null)
{
    /// <summary>True when the step met its expectation (or had none).</summary>
    public bool Met => Mismatch is null;
}

/// <summary>A run of a scenario.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Steps">Each step's result.</param>
internal sealed record ScenarioRun(Scenario Scenario, IReadOnlyList<StepResult> Steps)
{
    /// <summary>Steps whose expectation was not met.</summary>
    public int Unmet => Steps.Count(s => !s.Met);
}

/// <summary>
/// Runs a scenario on a fresh <see cref="EmulatedSystem"/>: sets up its desktops, objects and processes, then makes
/// each step's call on its thread.
/// </summary>
internal sealed partial class ScenarioRunner
{
    private readonly Scenario _scenario;
    private readonly EmulatedSystem _system = new() { ExplainAccessChecks = true };
    private readonly Dictionary<string, ProcessObject> _processes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ThreadObject> _threads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (NtHandle Handle, ObjectTypeInfo? Type)> _handles = new(StringComparer.Ordinal);
    private readonly Dictionary<Sid, string> _tokenNames = [];

    private ScenarioRunner(Scenario scenario)
    {
        _scenario = scenario;
        _system.CentralAccessPolicies = scenario.Policies;
        foreach (var (name, token) in scenario.Tokens) _tokenNames.TryAdd(token.User.Sid, name);
    }

    /// <summary>The machine the scenario ran on (for tests and hosts that look further).</summary>
    public EmulatedSystem System => _system;

    /// <summary>Runs <paramref name="scenario"/> from a fresh machine.</summary>
    public static ScenarioRun Run(Scenario scenario) => Run(scenario, out _);

    /// <summary>Runs <paramref name="scenario"/> and gives the runner, to look at the machine afterwards.</summary>
    public static ScenarioRun Run(Scenario scenario, out ScenarioRunner runner)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        runner = new ScenarioRunner(scenario);
        runner.SetUp();
        var results = new List<StepResult>();
        for (int i = 0; i < scenario.Steps.Count; i++) results.Add(runner.Execute(i + 1, scenario.Steps[i]));
        return new ScenarioRun(scenario, results);
    }

    private void SetUp()
    {
        var desktops = SetUpDesktops();
        foreach (var o in _scenario.Objects) _system.CreateObject(o.Type, o.Name, o.Descriptor);
        foreach (var p in _scenario.Processes)
        {
            var process = _system.CreateProcess(_scenario.Tokens[p.Token], p.Name, p.Desktop == "none" ? null : desktops[p.Desktop]);
            AddProcess(p.Name, process);
            foreach (var t in p.Threads.Skip(1)) _threads[p.Name + "/" + t] = _system.CreateThread(process);
        }
    }

    private void AddProcess(string name, ProcessObject process, ThreadObject? mainThread = null)
    {
        // A process that died at start (it could not use its desktop) has no threads left; its first thread object
        // still exists, and steps on it fail as calls from an exited thread do.
        var main = mainThread ?? process.InitialThread!;
        _processes[name] = process;
        _threads[name] = main;
        _threads[name + "/main"] = main;
    }

    private StepResult Execute(int number, Step step)
    {
        if (Unavailable(step) is { } missing)
        {
            // A process whose create-process step failed never existed: a step on it or naming it cannot be made.
            var skipped = new StepResult(number, step, step.Kind, NtStatus.InvalidCid, null, null,
                $"not run: process '{missing}' does not exist (its create-process step failed)", null, null, null, null);
            return skipped with { Mismatch = step.Expect is null ? null : $"not run: process '{missing}' does not exist" };
        }
        var thread = _threads[step.Thread];
        var outcome = Dispatch(step, thread);
        var diagnostic = outcome.Diagnostic;
        bool failed = !(outcome.Status.IsSuccess && outcome.Error is null or 0) && outcome.Status != NtStatus.NotAllAssigned;
        var check = failed && diagnostic?.AccessCheck is { Explanation: not null } c && !c.Status.IsSuccess ? c : null;
        string why = outcome.Why ?? WhyFailed(step, diagnostic, outcome.Status);
        var result = new StepResult(number, step, outcome.Call, outcome.Status, outcome.Granted, outcome.RightsType, why, outcome.Value, outcome.Answer, check, null, outcome.Error, diagnostic);
        return result with { Mismatch = Compare(step.Expect, result) };
    }

    // The process a step runs on or names that a failed create-process step never made, if any.
    private string? Unavailable(Step step)
    {
        foreach (var name in new[] { step.Thread, step.Args.Target, step.Args.Process })
        {
            if (name is null or "self") continue;
            if (!_threads.ContainsKey(name) && !_processes.ContainsKey(name)) return name.Split('/')[0];
        }
        return null;
    }

    private static string? Compare(Expectation? e, StepResult r)
    {
        if (e is null) return null;
        var problems = new List<string>();
        if (e.Status is { } s && (r.Win32Error is not null || s != r.Status)) problems.Add($"expected {s.Name}, got {(r.Win32Error is { } we ? Win32ErrorNames.Name(we) : r.Status.Name)}");
        if (e.Error is { } err && err != r.Win32Error) problems.Add($"expected {Win32ErrorNames.Name(err)}, got {(r.Win32Error is { } re ? Win32ErrorNames.Name(re) : r.Status.Name)}");
        if (e.Granted is { } g && g != r.Granted)
            problems.Add($"expected granted {Rights(g, r.RightsType)}, got {(r.Granted is { } rg ? Rights(rg, r.RightsType) : "no handle")}");
        if (e.Result is { } b && b != r.Answer) problems.Add($"expected {(b ? "TRUE" : "FALSE")}, got {(r.Answer is { } a ? (a ? "TRUE" : "FALSE") : "no answer")}");
        if (e.Value is { } v && !string.Equals(v, r.Value, StringComparison.Ordinal)) problems.Add($"expected value '{v}', got '{r.Value}'");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>Rights by name for a type (<c>TOKEN_QUERY | TOKEN_DUPLICATE</c>), or the hex mask.</summary>
    internal static string Rights(uint mask, ObjectTypeInfo? type)
    {
        if (mask == 0) return "none";
        return type is null ? "0x" + mask.ToString("x", CultureInfo.InvariantCulture) : type.FormatRights(mask);
    }

    private readonly record struct Outcome(string Call, NtStatus Status, string? Why = null, uint? Granted = null, ObjectTypeInfo? RightsType = null, string? Value = null, bool? Answer = null, int? Error = null)
    {
        public CallDiagnostic? Diagnostic { get; init; }
    }

    private NtHandle H(HandleRef? r) => r?.Text switch
    {
        null or "NULL" => NtHandle.Null,
        "current-process" => NtHandle.CurrentProcess,
        "current-thread" => NtHandle.CurrentThread,
        "current-process-token" => NtHandle.CurrentProcessToken,
        "current-thread-token" => NtHandle.CurrentThreadToken,
        "current-thread-effective-token" => NtHandle.CurrentThreadEffectiveToken,
        { } t when AccessRightNames.TryParseNumber(t, out uint n) => new NtHandle(n),
        { } t => _handles.TryGetValue(t, out var h) ? h.Handle : NtHandle.Null,
    };

    private static string HName(HandleRef? r) => r?.Text ?? "NULL";

    // A thread reference as a handle in the caller's process: the caller itself is NtCurrentThread; any other
    // thread is opened (from kernel mode, so the step's own call is the only one checked) and closed afterwards.
    private NtHandle ThreadHandle(ThreadObject caller, string? target, uint access, List<NtHandle> toClose)
    {
        if (target is null || ReferenceEquals(_threads[target], caller)) return NtHandle.CurrentThread;
        caller.Zw.NtOpenThread(out var h, access, HandleAttributes.None, _threads[target].ThreadId);
        toClose.Add(h);
        return h;
    }

    private NtHandle ProcessHandle(ThreadObject caller, string? process, uint access, List<NtHandle> toClose)
    {
        if (process is null or "self" || ReferenceEquals(_processes[process], caller.Process)) return NtHandle.CurrentProcess;
        caller.Zw.NtOpenProcess(out var h, access, HandleAttributes.None, _processes[process].ProcessId);
        toClose.Add(h);
        return h;
    }

    private Outcome Dispatch(Step step, ThreadObject t)
    {
        var toClose = new List<NtHandle>();
        try
        {
            // The step's call is the last one made on the thread: the runner's own lookups make no calls.
            var outcome = DispatchCore(step, t, toClose);
            return outcome with { Diagnostic = t.LastCall };
        }
        finally
        {
            foreach (var h in toClose) t.Zw.NtClose(h);
        }
    }

    private Outcome Saved(Step step, ThreadObject t, string call, NtStatus status, NtHandle handle, ObjectTypeInfo type, string successWhy)
    {
        if (!status.IsSuccess) return new Outcome(call, status);
        uint granted = t.Process.GetHandles().FirstOrDefault(e => e.Handle == handle).Entry.GrantedAccess;
        if (step.Args.As is not { } name) return new Outcome(call, status, successWhy, granted, type);
        _handles[name] = (handle, type);
        return new Outcome(call, status, $"{successWhy}; handle '{name}' has {Rights(granted, type)}", granted, type);
    }

    private string Who(Token token)
    {
        string user = _tokenNames.TryGetValue(token.User.Sid, out var n) ? n : WellKnownSids.GetAccountName(token.User.Sid, _scenario.Context) ?? token.User.Sid.ToString();
        var traits = new List<string>();
        if (token.IsRestricted) traits.Add(token.WriteRestricted ? "write-restricted" : "restricted");
        if (token.Type == TokenType.Impersonation) traits.Add(LevelName(token.ImpersonationLevel));
        traits.Add(IntegrityName(token.IntegrityLevel));
        return $"{user} ({string.Join(", ", traits)})";
    }

    private static string LevelName(SecurityImpersonationLevel level) => "Security" + level;

    private static string IntegrityName(Sid label) => (WellKnownSids.GetAccountName(label) ?? label.ToString()).Replace("Mandatory Label\\", "", StringComparison.Ordinal);

    // The kernel's own view of a handle's token: state for display, not a rule restated.
    private static Token? TokenOf(ThreadObject t, NtHandle handle) => t.InspectToken(handle);

    // What the impersonation call the kernel just made gave the thread, by its record of the rule it applied.
    private string Impersonating(ThreadObject caller)
    {
        if (caller.LastCall?.Impersonation is not { } d) return "the thread is not impersonating";
        string s = $"{d.Thread.Process.ImageName} now impersonates {Who(d.Worn)}";
        if (d.Outcome == ImpersonationOutcome.DowngradedToIdentification)
            s += $", downgraded from {LevelName(d.Requested.ImpersonationLevel)} because {ImpersonationRules.Describe(d.Refusal, d.ProcessToken, d.Requested)}";
        return s;
    }

    // Who the access check of the call just made let in, and why that token.
    private string Passed(ThreadObject caller, string what)
    {
        var d = caller.LastCall;
        if (d?.Reason == CallReason.DebugPrivilege) return $"SeDebugPrivilege opens any {what}";
        if (d?.AccessCheck is not { } check) return $"the {what} was opened";
        return $"{Who(check.Subject)} passes the {what}'s DACL" + (PolicyName(check) is { } policy ? $" and central access policy {policy}" : "");
    }

    // The central access policy the check applied (its rules ran), by name; null when none did.
    private static string? PolicyName(ObjectAccessCheck check)
        => check.CentralAccess is { Rules.IsEmpty: false } c ? (c.Rules[0].IsRecovery ? $"{c.PolicyId} (not on this machine: the recovery policy)" : c.Rules[0].PolicyName) : null;

    private Outcome DispatchCore(Step step, ThreadObject t, List<NtHandle> toClose)
    {
        var a = step.Args;
        var nt = t.Nt;
        switch (step.Kind)
        {
            case "impersonate-self":
            {
                bool ok = t.Win32.ImpersonateSelf(a.Level!.Value);
                return new Outcome($"ImpersonateSelf({LevelName(a.Level.Value)})", ok ? NtStatus.Success : t.Win32.GetLastNtStatus(),
                    ok ? Impersonating(t) : null);
            }
            case "impersonate":
            {
                bool ok = t.Win32.ImpersonateLoggedOnUser(H(a.Token));
                return new Outcome($"ImpersonateLoggedOnUser({HName(a.Token)})", ok ? NtStatus.Success : t.Win32.GetLastNtStatus(),
                    ok ? Impersonating(t) : null);
            }
            case "set-thread-token":
            {
                var target = ThreadHandle(t, a.Target, ThreadAccessRights.SetThreadToken, toClose);
                var status = nt.NtSetInformationThread(target, ThreadInformationClass.ThreadImpersonationToken, H(a.Token));
                return new Outcome($"NtSetInformationThread({a.Target ?? "NtCurrentThread"}, ThreadImpersonationToken, {HName(a.Token)})", status,
                    status.IsSuccess ? (H(a.Token).IsNull ? "the thread stops impersonating" : Impersonating(t)) : null);
            }
            case "revert":
            {
                bool ok = t.Win32.RevertToSelf();
                return new Outcome("RevertToSelf()", ok ? NtStatus.Success : t.Win32.GetLastNtStatus(), ok ? "the thread acts as its process again" : null);
            }
            case "impersonate-anonymous":
            {
                var target = ThreadHandle(t, a.Target, ThreadAccessRights.Impersonate, toClose);
                var status = nt.NtImpersonateAnonymousToken(target);
                return new Outcome($"NtImpersonateAnonymousToken({a.Target ?? "NtCurrentThread"})", status,
                    status.IsSuccess ? "the thread now impersonates ANONYMOUS LOGON at SecurityImpersonation" : null);
            }
            case "impersonate-thread":
            {
                var client = ThreadHandle(t, a.Target, ThreadAccessRights.DirectImpersonation, toClose);
                var status = nt.NtImpersonateThread(NtHandle.CurrentThread, client, new SecurityQualityOfService(a.Level!.Value, a.Flags.Contains("effective-only")));
                return new Outcome($"NtImpersonateThread(NtCurrentThread, {a.Target}, {LevelName(a.Level.Value)})", status,
                    status.IsSuccess ? Impersonating(t) : null);
            }
            case "open-process-token":
            {
                var process = a.Handle is not null ? H(a.Handle) : ProcessHandle(t, a.Process, ProcessAccessRights.QueryLimitedInformation, toClose);
                var status = nt.NtOpenProcessToken(process, a.Access!.Value, out var h);
                return Saved(step, t, $"NtOpenProcessToken({(a.Handle is not null ? HName(a.Handle) : a.Process ?? "NtCurrentProcess")}, {a.AccessText})", status, h, ObjectTypes.Token,
                    Passed(t, "token"));
            }
            case "open-thread-token":
            {
                var target = a.Handle is not null ? H(a.Handle) : ThreadHandle(t, a.Target, ThreadAccessRights.QueryLimitedInformation, toClose);
                bool self = a.Flags.Contains("open-as-self");
                var status = nt.NtOpenThreadToken(target, a.Access!.Value, self, out var h);
                var check = t.LastCall?.AccessCheck;
                string checkedWith = check is null ? "opened"
                    : $"checked with {(check.Choice == SubjectChoice.ProcessTokenOpenAsSelf ? "the process's token" : "the caller's effective token")}, {Who(check.Subject)}, which the token's DACL lets in";
                return Saved(step, t, $"NtOpenThreadToken({(a.Handle is not null ? HName(a.Handle) : a.Target ?? "NtCurrentThread")}, {a.AccessText}, OpenAsSelf={(self ? "TRUE" : "FALSE")})", status, h, ObjectTypes.Token,
                    checkedWith);
            }
            case "duplicate-token":
            {
                var type = a.TokenType ?? TokenType.Impersonation;
                var level = a.Level ?? SecurityImpersonationLevel.Impersonation;
                var oa = new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(level));
                var status = nt.NtDuplicateToken(H(a.Token), a.Access ?? 0, oa, a.Flags.Contains("effective-only"), type, out var h);
                string what = type == TokenType.Primary ? "a primary token" : $"an impersonation token at {LevelName(level)}";
                return Saved(step, t, $"NtDuplicateToken({HName(a.Token)}, {a.AccessText ?? "0"}, {LevelName(level)}, {type})", status, h, ObjectTypes.Token, $"a copy made as {what}");
            }
            case "restrict-token":
            {
                var flags = FilterTokenFlags.None;
                if (a.Flags.Contains("disable-max-privilege")) flags |= FilterTokenFlags.DisableMaxPrivilege;
                if (a.Flags.Contains("write-restricted")) flags |= FilterTokenFlags.WriteRestricted;
                if (a.Flags.Contains("sandbox-inert")) flags |= FilterTokenFlags.SandboxInert;
                if (a.Flags.Contains("lua-token")) flags |= FilterTokenFlags.LuaToken;
                var status = nt.NtFilterToken(H(a.Token), flags, a.Sids.Select(s => new SidAndAttributes(s, GroupAttributes.None)), a.Privileges,
                    a.RestrictingSids.Select(s => new SidAndAttributes(s, GroupAttributes.None)), out var h);
                var parts = new List<string>();
                if (a.Sids.Count > 0) parts.Add($"{a.Sids.Count} SID(s) deny-only");
                if ((flags & FilterTokenFlags.DisableMaxPrivilege) != 0) parts.Add("all privileges but SeChangeNotifyPrivilege removed");
                else if (a.Privileges.Count > 0) parts.Add($"{a.Privileges.Count} privilege(s) removed");
                if (a.RestrictingSids.Count > 0) parts.Add($"{a.RestrictingSids.Count} restricting SID(s){((flags & FilterTokenFlags.WriteRestricted) != 0 ? " for writes" : "")}: every access is checked twice");
                return Saved(step, t, $"CreateRestrictedToken({HName(a.Token)}, {(flags == FilterTokenFlags.None ? "0" : flags.ToString().Replace(", ", "|", StringComparison.Ordinal))})", status, h, ObjectTypes.Token,
                    parts.Count == 0 ? "a restricted copy with nothing taken away" : "a restricted copy: " + string.Join("; ", parts));
            }
            case "adjust-privileges":
            {
                var changes = a.Privileges.Select(p => new Privilege(p, PrivilegeAttributes.Enabled))
                    .Concat(a.DisablePrivileges.Select(p => new Privilege(p, PrivilegeAttributes.None)))
                    .Concat(a.RemovePrivileges.Select(p => new Privilege(p, PrivilegeAttributes.Removed))).ToList();
                // No previous state is asked for (it would need TOKEN_QUERY); the kernel's record says what changed.
                var status = nt.NtAdjustPrivilegesToken(H(a.Token), a.Flags.Contains("disable-all"), changes);
                var previous = t.LastCall?.Changed ?? [];
                string missing = string.Join(", ", (t.LastCall?.NotAssigned ?? []).OfType<Luid>().Select(l => Tokens.Privileges.NameOf(l)));
                string call = $"NtAdjustPrivilegesToken({HName(a.Token)}, {(a.Flags.Contains("disable-all") ? "DisableAllPrivileges" : string.Join(", ", changes.Select(c => $"{c.Name}={(c.Attributes == PrivilegeAttributes.None ? "disabled" : c.Attributes.ToString().ToLowerInvariant())}")))})";
                return new Outcome(call, status,
                    status == NtStatus.Success ? $"{previous.Count} privilege(s) changed"
                    : status == NtStatus.NotAllAssigned ? $"{missing} {(missing.Contains(',', StringComparison.Ordinal) ? "are" : "is")} not in the token (removed privileges never come back); {previous.Count} other privilege(s) changed"
                    : null);
            }
            case "adjust-groups":
            {
                var changes = a.Sids.Select(s => new SidAndAttributes(s, GroupAttributes.Enabled))
                    .Concat(a.RestrictingSids.Select(s => new SidAndAttributes(s, GroupAttributes.None))).ToList();
                var status = nt.NtAdjustGroupsToken(H(a.Token), a.Flags.Contains("reset"), changes);
                var previous = t.LastCall?.Changed ?? [];
                return new Outcome($"NtAdjustGroupsToken({HName(a.Token)}{(a.Flags.Contains("reset") ? ", ResetToDefault" : "")})", status,
                    status == NtStatus.Success ? $"{previous.Count} group(s) changed" : status == NtStatus.NotAllAssigned ? $"{previous.Count} group(s) changed; the others are not in the token" : null);
            }
            case "query-token":
            {
                var status = nt.NtQueryInformationToken(H(a.Token), a.InformationClass!.Value, out var info);
                string? value = status.IsSuccess ? Format(info) : null;
                if (info is NtHandle linked && status.IsSuccess)
                {
                    _handles[$"{HName(a.Token)}.linked"] = (linked, ObjectTypes.Token);
                    value = $"handle '{HName(a.Token)}.linked'";
                }
                return new Outcome($"NtQueryInformationToken({HName(a.Token)}, {a.InformationClass})", status, status.IsSuccess ? $"{a.InformationClass} = {value}" : null, Value: value);
            }
            case "set-token":
            {
                var value = a.InformationClass == TokenInformationClass.TokenIntegrityLevel ? new SidAndAttributes((Sid)a.Value!, GroupAttributes.Integrity) : a.Value;
                var status = nt.NtSetInformationToken(H(a.Token), a.InformationClass!.Value, value);
                return new Outcome($"NtSetInformationToken({HName(a.Token)}, {a.InformationClass}, {Format(a.Value)})", status, status.IsSuccess ? $"{a.InformationClass} is now {Format(a.Value)}" : null);
            }
            case "is-token-restricted":
            {
                bool answer = t.Win32.IsTokenRestricted(H(a.Token));
                var status = answer || t.Win32.GetLastError() == 0 ? NtStatus.Success : t.Win32.GetLastNtStatus();
                var token = TokenOf(t, H(a.Token));
                return new Outcome($"IsTokenRestricted({HName(a.Token)})", status,
                    status.IsSuccess ? (answer ? $"the token has {token?.RestrictedSids.Length} restricting SID(s)" : "the token has no restricting SIDs") : null, Answer: status.IsSuccess ? answer : null);
            }
            case "check-membership":
            {
                bool ok = t.Win32.CheckTokenMembership(H(a.Token), a.Sids[0], out bool member);
                string sid = WellKnownSids.GetAccountName(a.Sids[0], _scenario.Context) ?? a.Sids[0].ToString();
                return new Outcome($"CheckTokenMembership({HName(a.Token)}, {sid})", ok ? NtStatus.Success : t.Win32.GetLastNtStatus(),
                    ok ? (member ? $"{sid} is an enabled SID of the token" : $"{sid} is not an enabled SID of the token (absent, deny-only, disabled, or not among its restricting SIDs)") : null,
                    Answer: ok ? member : null);
            }
            case "create-process":
            {
                string image = a.As!;
                bool inherit = a.Flags.Contains("inherit-handles");
                bool suspended = a.Flags.Contains("suspended");
                bool ok;
                ProcessInformation info;
                string call;
                if (a.Token is null)
                {
                    ok = t.Win32.CreateProcess(image, a.Desktop, inherit, suspended, out info);
                    call = $"CreateProcess({image}{(a.Desktop is null ? "" : ", desktop " + a.Desktop)}{(suspended ? ", CREATE_SUSPENDED" : "")})";
                }
                else
                {
                    ok = t.Win32.CreateProcessAsUser(H(a.Token), image, a.Desktop, inherit, suspended, out info);
                    call = $"CreateProcessAsUser({HName(a.Token)}, {image}{(a.Desktop is null ? "" : ", desktop " + a.Desktop)}{(suspended ? ", CREATE_SUSPENDED" : "")})";
                }
                if (!ok) return new Outcome(call, t.Win32.GetLastNtStatus());
                var process = _system.FindProcess(info.ProcessId) ?? LostProcess(info, t);
                var mainThread = t.Process.GetHandles().Select(e => e.Entry.Object).OfType<ThreadObject>().First(th => th.ThreadId == info.ThreadId);
                AddProcess(a.As!, process, mainThread);
                _handles[a.As + ".process"] = (info.Process, ObjectTypes.Process);
                _handles[a.As + ".thread"] = (info.Thread, ObjectTypes.Thread);
                var d = t.LastCall;
                string runs = suspended && !process.IsTerminated
                    ? $"'{a.As}' is created as {Who(process.PrimaryToken.Token)}, suspended: it connects to {process.Desktop?.Name ?? "no desktop"} when its thread resumes"
                    : process.IsTerminated
                    ? $"the process started but ended at once with {process.ExitStatus.Name}" + ((d?.Desktop ?? process.ConnectionRefusal) is { } refusal ? ": " + Refused(refusal) : "")
                    : $"'{a.As}' runs as {Who(process.PrimaryToken.Token)} on {process.Desktop?.Name ?? "no desktop"}";
                string why = d?.Reason switch
                {
                    CallReason.AssignPrimaryTokenPrivilege => $"{runs}; the caller holds SeAssignPrimaryTokenPrivilege",
                    CallReason.ChildOrSiblingToken => $"{runs}; no SeAssignPrimaryTokenPrivilege needed: the token is a restricted version (or copy) of the caller's own",
                    _ => runs,
                };
                return new Outcome(call, NtStatus.Success, why);
            }
            case "resume-thread":
            {
                var target = ThreadHandle(t, a.Target, ThreadAccessRights.SuspendResume, toClose);
                int previous = t.Win32.ResumeThread(target);
                var thread = _threads[a.Target!];
                string call = $"ResumeThread({a.Target})";
                if (previous < 0) return new Outcome(call, t.Win32.GetLastNtStatus());
                var process = thread.Process;
                var d = t.LastCall;
                string why = d?.Desktop is { } refused
                    ? $"the thread ran and its process ended at once with {process.ExitStatus.Name}: {Refused(refused)}"
                    : previous == 0 ? "the thread was not suspended"
                    : _system.GetDesktopConnection(process) is { Token: { } connected } c
                        ? $"the thread runs; {process.ImageName} connected to {c.Desktop.Name} with {Who(connected)}{(connected.Type == TokenType.Impersonation ? ", the thread's impersonation token" : "")}"
                        : "the thread runs";
                return new Outcome(call, NtStatus.Success, why);
            }
            case "open":
            {
                var type = (_system.FindObject(a.Object!)?.Type) ?? ObjectTypes.Generic;
                var status = nt.NtOpenObject(new ObjectAttributes(a.Object), a.Access!.Value, out var h);
                return Saved(step, t, $"NtOpen{type.Name}({a.Object}, {a.AccessText})", status, h, type, Passed(t, type.Name.ToLowerInvariant()));
            }
            case "open-process":
            {
                var status = nt.NtOpenProcess(out var h, a.Access!.Value, HandleAttributes.None, _processes[a.Process!].ProcessId);
                return Saved(step, t, $"OpenProcess({a.Process}, {a.AccessText})", status, h, ObjectTypes.Process, Passed(t, "process"));
            }
            case "open-thread":
            {
                var status = nt.NtOpenThread(out var h, a.Access!.Value, HandleAttributes.None, _threads[a.Target!].ThreadId);
                return Saved(step, t, $"OpenThread({a.Target}, {a.AccessText})", status, h, ObjectTypes.Thread, Passed(t, "thread"));
            }
            case "duplicate-handle":
            {
                var target = ProcessHandle(t, a.Process, ProcessAccessRights.DupHandle, toClose);
                var options = (a.Flags.Contains("same-access") ? DuplicateOptions.SameAccess : 0) | (a.Flags.Contains("close-source") ? DuplicateOptions.CloseSource : 0);
                var sourceType = a.Handle is { } hr && _handles.TryGetValue(hr.Text, out var known) ? known.Type : null;
                var status = nt.NtDuplicateObject(NtHandle.CurrentProcess, H(a.Handle), target, out var h, a.Access ?? 0, HandleAttributes.None, options);
                if (!status.IsSuccess || a.As is not { } name) return new Outcome($"DuplicateHandle({HName(a.Handle)}, {(a.Flags.Contains("same-access") ? "DUPLICATE_SAME_ACCESS" : a.AccessText)})", status, status.IsSuccess ? "duplicated" : null);
                _handles[name] = (h, sourceType);
                var owner = a.Process is null or "self" ? t.Process : _processes[a.Process];
                uint granted = owner.GetHandles().FirstOrDefault(e => e.Handle == h).Entry.GrantedAccess;
                return new Outcome($"DuplicateHandle({HName(a.Handle)}, {(a.Flags.Contains("same-access") ? "DUPLICATE_SAME_ACCESS" : a.AccessText)})", status,
                    $"handle '{name}' in {owner.ImageName} has {Rights(granted, sourceType)}", granted, sourceType);
            }
            case "close":
            {
                // The name keeps its value: a later step that uses it uses a stale handle, as a buggy program would.
                var status = nt.NtClose(H(a.Handle));
                return new Outcome($"NtClose({HName(a.Handle)})", status, status.IsSuccess ? "the handle is closed; the object goes when its last reference does" : null);
            }
            case "create-object":
            {
                // NtCreateFile/NtCreateKey inside a container: the handle to the parent needs its create-child right;
                // the new object's descriptor is inherited from the parent, the explicit one and the caller's token.
                var type = a.ObjectType!;
                var parentType = _system.FindObject(a.Object!)?.Type ?? ObjectTypes.Generic;
                var call = $"NtCreate{type.Name}({a.Object}\\{a.Name}, {a.AccessText})";
                var st = nt.NtOpenObject(new ObjectAttributes(a.Object), ObjectInheritance.CreateChildRight(parentType, ObjectInheritance.IsContainer(type)), out var parent);
                if (!st.IsSuccess) return new Outcome(call, st);
                toClose.Add(parent);
                var status = nt.NtCreateObjectInContainer(parent, type, a.Name!, a.Descriptor, a.Access!.Value, out var h);
                string made = _system.FindObject(a.Object + "\\" + a.Name) is { } o ? o.SecurityDescriptor.ToString() : "";
                return Saved(step, t, call, status, h, type, $"{Who(TokenOf(t, NtHandle.CurrentThreadEffectiveToken)!)} may add to the {parentType.Name.ToLowerInvariant()}; the new {type.Name.ToLowerInvariant()} inherits {made}");
            }
            case "access-check":
            {
                var type = a.ObjectType ?? ObjectTypes.Generic;
                var sd = a.Descriptor ?? _system.FindObject(a.Object!)!.SecurityDescriptor;
                var explanation = new AccessCheckExplanation();
                var status = nt.NtAccessCheck(sd, H(a.Token), a.Access!.Value, type.GenericMapping, out uint granted, out var accessStatus, explanation);
                string call = $"AccessCheck({a.Object ?? "sd"}, {HName(a.Token)}, {a.AccessText})";
                if (!status.IsSuccess) return new Outcome(call, status);
                var token = TokenOf(t, H(a.Token));
                string why = accessStatus.IsSuccess
                    ? $"granted {Rights(granted, type)} to {(token is null ? "the token" : Who(token))}" + (token?.IsRestricted == true ? ", in both passes" : "")
                    : $"denied to {(token is null ? "the token" : Who(token))}: {LastReason(explanation)}";
                return new Outcome(call, accessStatus, why, granted, type, Answer: accessStatus.IsSuccess);
            }
            default:
                return DispatchUser(step, t, toClose);
        }
    }

    private ProcessObject LostProcess(ProcessInformation info, ThreadObject t) =>
        t.Process.GetHandles().Select(e => e.Entry.Object).OfType<ProcessObject>().First(p => p.ProcessId == info.ProcessId);

    /// <summary>Which window station or desktop refused a new process, in which pass, and why.</summary>
    internal string Refused(DesktopRefusal r)
    {
        if (r.Pass == ConnectionPass.DesktopNotFound) return $"there is no desktop '{r.DesktopName}' to connect to";
        string what = r.Pass == ConnectionPass.WindowStation ? "window station" : "desktop";
        string who = r.AccessCheck is { } c ? Who(c.Subject) : "its token";
        string s = $"the {what} {r.Object?.Name} granted {who} nothing when user32 connected (MAXIMUM_ALLOWED)";
        if (r.UngrantedLogonSid is { } logon) s += $"; {r.Object?.Name} grants the logon SID {logon}, which the token does not hold{(r.AccessCheck?.Subject.IsRestricted == true ? " among both its groups and its restricting SIDs" : "")}";
        else if (r.AccessCheck?.Explanation is { } e) s += $": {LastReason(e)}";
        return s;
    }

    private static string LastReason(AccessCheckExplanation explanation)
    {
        var failed = explanation.Steps.LastOrDefault(s => !s.Applied && s.Ace is null) ?? explanation.Steps.LastOrDefault();
        return failed?.Message ?? "no ACE grants the access";
    }

    // English for a failure, from the kernel's record of why: the runner restates no rule.
    private string WhyFailed(Step step, CallDiagnostic? d, NtStatus status)
    {
        var a = step.Args;
        var reason = d?.Reason ?? CallReason.None;
        switch (reason)
        {
            case CallReason.NotImpersonating:
                return $"{a.Target ?? step.Thread} is not impersonating: a thread has a token of its own only while it impersonates";
            case CallReason.AnonymousLevel:
                return "the thread's token is at SecurityAnonymous, and an anonymous-level token cannot be opened";
            case CallReason.ClientLevelTooLow:
                var level = d?.AccessCheck?.Subject.ImpersonationLevel;
                return $"the caller impersonates at {(level is { } l ? LevelName(l) : "a level below SecurityImpersonation")}, which cannot open objects"
                    + (step.Kind == "open-thread-token" ? "; OpenAsSelf would check with the process's token instead" : "");
            case CallReason.LevelAboveSource:
                return "an impersonation token cannot be copied to a higher level than its own";
            case CallReason.PrimaryBelowImpersonation:
                return "an impersonation token below SecurityImpersonation cannot become a primary token";
            case CallReason.UnknownLevel:
                return "the impersonation level is not one of the four";
            case CallReason.HandleNotOpen:
                return $"no open handle '{HName(a.Token ?? a.Handle)}' in {_threads[step.Thread].Process.ImageName}";
            case CallReason.HandleTypeMismatch:
                return $"the handle refers to {(d?.Handle is { } ht ? "a " + ht.Type.Name.ToLowerInvariant() : "an object of another type")}, not {(d?.Handle?.Expected is { } ex ? "a " + ex.Name.ToLowerInvariant() : "what the call takes")}";
            case CallReason.HandleLacksAccess when d?.Handle is { } hu:
                return $"the {hu.Type.Name.ToLowerInvariant()} handle lacks {Rights(hu.Needed & ~hu.Granted, hu.Type)}, which this call needs";
            case CallReason.ReservedAccessBits:
                return "the access asks for reserved bits no right uses";
            case CallReason.AccessCheck when d?.AccessCheck is { } check && !check.Status.IsSuccess:
                return Denied(check);
            case CallReason.PrivilegeNotHeld when d?.Privilege is { } p:
                return p == Tokens.Privileges.AssignPrimaryToken
                    ? "the token is not a restricted version (or copy) of the caller's own, so the caller needs SeAssignPrimaryTokenPrivilege, which it does not have enabled"
                    : $"the call needs {Tokens.Privileges.NameOf(p)}, which the caller does not have enabled";
            case CallReason.ThreadTerminated:
                return "the calling thread has exited (its process ended)";
        }
        if (status == NtStatus.CantDisableMandatory) return "a mandatory group cannot be disabled";
        if (status == NtStatus.CantEnableDenyOnly) return "a deny-only group cannot be enabled again";
        if (status == NtStatus.BadTokenType) return "the call needs the other kind of token (primary or impersonation)";
        if (status == NtStatus.InvalidOwner) return "the owner must be the token's user or a group with SE_GROUP_OWNER";
        if (status == NtStatus.InvalidPrimaryGroup) return "the primary group must be one of the token's SIDs";
        if (status == NtStatus.NoImpersonationToken) return "the call needs an impersonation token";
        if (status == NtStatus.NoSuchLogonSession) return "the token has no linked token (its elevation type is Default)";
        if (status == NtStatus.ObjectNameNotFound) return "no object of that name";
        if (status == NtStatus.ObjectNameCollision) return "an object of that name exists already";
        if (status == NtStatus.InvalidParameter) return "Windows refuses these arguments";
        if (status == NtStatus.ThreadIsTerminating) return "the calling thread has exited (its process ended)";
        return status.Name;
    }

    // An access check that refused: what the subject is granted and which of the wanted rights it is not.
    private string Denied(ObjectAccessCheck check)
    {
        uint missing = check.DesiredAccess & ~check.MaximumAllowed & ~AccessMask.MaximumAllowed;
        string has = check.MaximumAllowed == 0 ? "nothing" : Rights(check.MaximumAllowed, check.Object.Type);
        string on = $"{Who(check.Subject)} is granted {has} on the {check.Object.Type.Name.ToLowerInvariant()}{(check.Subject.IsRestricted ? " (what both the normal and the restricting-SID pass grant)" : "")}"
            + (PolicyName(check) is { } policy ? $" after central access policy {policy}" : "");
        return (check.DesiredAccess & ~AccessMask.MaximumAllowed) == 0 ? on : $"{on}; {Rights(missing == 0 ? check.DesiredAccess : missing, check.Object.Type)} is not";
    }

    private string Format(object? value) => value switch
    {
        null => "NULL",
        Sid s => WellKnownSids.GetAccountName(s, _scenario.Context) is { } n ? $"{n} ({s})" : s.ToString(),
        SidAndAttributes sa => $"{Format(sa.Sid)} [{string.Join(", ", TokenJson.GroupAttributeNames(sa.Attributes))}]",
        Privilege p => $"{p.Name} [{string.Join(", ", TokenJson.PrivilegeAttributeNames(p.Attributes))}]",
        TokenDefaultDacl d => d.DefaultDacl is null ? "NULL" : SddlWriter.Format(new Descriptors.SecurityDescriptor(dacl: d.DefaultDacl), _scenario.Context, SecurityInformation.Dacl),
        TokenStatistics st => $"TokenId {st.TokenId}, AuthenticationId {st.AuthenticationId}, {st.TokenType}, {LevelName(st.ImpersonationLevel)}, {st.GroupCount} groups, {st.PrivilegeCount} privileges, ModifiedId {st.ModifiedId}",
        TokenSource src => $"{src.Name} {src.Identifier}",
        SecurityImpersonationLevel l => LevelName(l),
        bool b => b ? "TRUE" : "FALSE",
        string str => str,
        TokenGroupsAndPrivileges gp => $"{gp.Sids.Length} SIDs, {gp.RestrictedSids.Length} restricting SIDs, {gp.Privileges.Length} privileges",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Format)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
