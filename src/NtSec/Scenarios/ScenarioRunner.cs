using System.Collections;
using System.Globalization;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Kernel;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using NtSec.Win32;

namespace NtSec.Scenarios;

/// <summary>
/// Runs a scenario on a fresh <see cref="EmulatedSystem"/>: sets up its desktops, objects, policies and processes, then
/// makes each step's call on its thread and records the result as data (<see cref="StepResult"/>).
/// </summary>
public sealed class ScenarioRunner
{
    private readonly Scenario _scenario;
    private readonly EmulatedSystem _system = new() { ExplainAccessChecks = true };
    private readonly Dictionary<string, ProcessObject> _processes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ThreadObject> _threads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (NtHandle Handle, ObjectTypeInfo? Type)> _handles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WindowHandle> _windows = new(StringComparer.Ordinal);

    private ScenarioRunner(Scenario scenario)
    {
        _scenario = scenario;
        _system.CentralAccessPolicies = [.. scenario.Policies];
    }

    /// <summary>The machine the scenario ran on (for tests and hosts that look further).</summary>
    public EmulatedSystem System => _system;

    /// <summary>Runs <paramref name="scenario"/> from a fresh machine.</summary>
    /// <exception cref="ArgumentException">A process names a token the scenario does not declare, or a desktop it does not declare.</exception>
    public static ScenarioRun Run(Scenario scenario) => Run(scenario, out _);

    /// <summary>Runs <paramref name="scenario"/> and gives the runner, to look at the machine afterwards.</summary>
    /// <exception cref="ArgumentException">A process names a token the scenario does not declare, or a desktop it does not declare.</exception>
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
            if (!_scenario.Tokens.TryGetValue(p.Token, out var token)) throw new ArgumentException($"Process '{p.Name}' names token '{p.Token}', which the scenario does not declare.", nameof(_scenario));
            DesktopObject? desktop = null;
            if (p.Desktop != "none" && !desktops.TryGetValue(p.Desktop, out desktop)) throw new ArgumentException($"Process '{p.Name}' names desktop '{p.Desktop}', which the scenario does not declare.", nameof(_scenario));
            var process = _system.CreateProcess(token, p.Name, desktop);
            AddProcess(p.Name, process);
            foreach (var t in p.Threads.Skip(1)) _threads[p.Name + "/" + t] = _system.CreateThread(process);
        }
    }

    // WinSta0 belongs to the interactive logon session: that of the first declared process's token (its logon SID),
    // as Winlogon would have made it at that user's logon. A token from another logon session cannot use it.
    private Dictionary<string, DesktopObject?> SetUpDesktops()
    {
        var logon = _scenario.Processes.Select(p => _scenario.Tokens.GetValueOrDefault(p.Token)?.LogonSid).FirstOrDefault(s => s is not null)
            ?? _scenario.Tokens.Values.Select(t => t.LogonSid).FirstOrDefault(s => s is not null);
        var desktops = new Dictionary<string, DesktopObject?>(StringComparer.OrdinalIgnoreCase);
        if (logon is not { } sid)
        {
            // No token has a logon SID: nobody's interactive session; every process runs without a desktop.
            desktops[ProcessDeclaration.DefaultDesktop] = null;
            foreach (var d in _scenario.Desktops) desktops["WinSta0\\" + d.Name] = null;
            return desktops;
        }
        var winsta = _system.CreateInteractiveWindowStation(sid);
        desktops[ProcessDeclaration.DefaultDesktop] = winsta.Default;
        foreach (var d in _scenario.Desktops) desktops["WinSta0\\" + d.Name] = _system.CreateDesktop(winsta.WindowStation, d.Name, d.Descriptor);
        return desktops;
    }

    internal void AddProcess(string name, ProcessObject process, ThreadObject? mainThread = null)
    {
        // A process that died at start (it could not use its desktop) has no threads left; its first thread object
        // still exists, and steps on it fail as calls from an exited thread do.
        var main = mainThread ?? process.InitialThread!;
        _processes[name] = process;
        _threads[name] = main;
        _threads[name + "/main"] = main;
    }

    private string ThreadOf(ScenarioStep step) => step.Thread ?? (_scenario.Processes.Count > 0 ? _scenario.Processes[0].Name : "");

    private StepResult Execute(int number, ScenarioStep step)
    {
        if (Unavailable(step) is { } missing)
        {
            // A process whose create-process step failed never existed: a step on it or naming it cannot be made.
            return new StepResult(number, step, step.Kind.Name, NtStatus.InvalidCid)
            {
                Scenario = _scenario,
                NotRunProcess = missing,
                Unmet = step.Expect is null ? [] : [ExpectationField.Ran],
            };
        }
        var thread = _threads[ThreadOf(step)];
        var context = new StepContext(this, thread);
        StepOutcome outcome;
        CallDiagnostic? diagnostic;
        try
        {
            outcome = step.Run(context);
            // The step's call is the last one made on the thread: the runner's own lookups make no calls.
            diagnostic = thread.LastCall;
        }
        finally
        {
            context.CloseOwnHandles();
        }
        bool failed = !(outcome.Status.IsSuccess && outcome.Error is null or 0) && outcome.Status != NtStatus.NotAllAssigned;
        var check = failed && diagnostic?.AccessCheck is { Explanation: not null } c && !c.Status.IsSuccess ? c : null;
        var result = new StepResult(number, step, outcome.Call, outcome.Status)
        {
            Scenario = _scenario,
            Win32Error = outcome.Error,
            Granted = outcome.Granted,
            RightsType = outcome.RightsType,
            Value = outcome.Value,
            Answer = outcome.Answer,
            SavedAs = outcome.SavedAs,
            Diagnostic = diagnostic,
            AccessCheck = check,
            Detail = outcome.Detail,
            CallerProcess = thread.Process.ImageName,
            CallerDesktop = thread.Desktop?.Name,
        };
        return result with { Unmet = Compare(step.Expect, result) };
    }

    // The process a step runs on or names that a failed create-process step never made, if any.
    private string? Unavailable(ScenarioStep step)
    {
        foreach (var name in new[] { ThreadOf(step), step.TargetThread, step.TargetProcess })
        {
            if (name is null or "self") continue;
            if (!_threads.ContainsKey(name) && !_processes.ContainsKey(name)) return name.Split('/')[0];
        }
        return null;
    }

    private static IReadOnlyList<ExpectationField> Compare(Expectation? e, StepResult r)
    {
        if (e is null) return [];
        var unmet = new List<ExpectationField>();
        if (e.Status is { } s && (r.Win32Error is not null || s != r.Status)) unmet.Add(ExpectationField.Status);
        if (e.Error is { } err && err != r.Win32Error) unmet.Add(ExpectationField.Error);
        if (e.Granted is { } g && g != r.Granted) unmet.Add(ExpectationField.Granted);
        if (e.Result is { } b && b != r.Answer) unmet.Add(ExpectationField.Result);
        if (e.Value is { } v && !string.Equals(v, r.Value, StringComparison.Ordinal)) unmet.Add(ExpectationField.Value);
        return unmet;
    }

    internal EmulatedSystem Machine => _system;

    internal Scenario Scenario => _scenario;

    internal IReadOnlyDictionary<string, ProcessObject> Processes => _processes;

    internal IReadOnlyDictionary<string, ThreadObject> Threads => _threads;

    internal Dictionary<string, (NtHandle Handle, ObjectTypeInfo? Type)> Handles => _handles;

    internal Dictionary<string, WindowHandle> Windows => _windows;
}

/// <summary>What a step's <see cref="ScenarioStep.Run"/> works with: the calling thread and the runner's saved handles, threads and windows.</summary>
internal sealed class StepContext(ScenarioRunner runner, ThreadObject caller)
{
    private readonly List<NtHandle> _toClose = [];

    public ThreadObject Caller => caller;

    public EmulatedSystem System => runner.Machine;

    public Scenario Scenario => runner.Scenario;

    public ScenarioRunner Runner => runner;

    public ProcessObject Process(string name) => runner.Processes[name];

    // A process argument: a scenario process by name, or the caller's own for none or "self".
    public ProcessObject ProcessOrSelf(string? name) => name is null or "self" ? caller.Process : runner.Processes[name];

    public ThreadObject Thread(string name) => runner.Threads[name];

    public NtHandle H(HandleRef? r) => r?.Text switch
    {
        null or "NULL" => NtHandle.Null,
        "current-process" => NtHandle.CurrentProcess,
        "current-thread" => NtHandle.CurrentThread,
        "current-process-token" => NtHandle.CurrentProcessToken,
        "current-thread-token" => NtHandle.CurrentThreadToken,
        "current-thread-effective-token" => NtHandle.CurrentThreadEffectiveToken,
        { } t when AccessRightNames.TryParseNumber(t, out uint n) => new NtHandle(n),
        { } t => runner.Handles.TryGetValue(t, out var h) ? h.Handle : NtHandle.Null,
    };

    public static string HName(HandleRef? r) => r?.Text ?? "NULL";

    public ObjectTypeInfo? SavedType(HandleRef? r) => r is not null && runner.Handles.TryGetValue(r.Text, out var known) ? known.Type : null;

    public void SaveHandle(string name, NtHandle handle, ObjectTypeInfo? type) => runner.Handles[name] = (handle, type);

    public void SaveWindow(string name, WindowHandle window) => runner.Windows[name] = window;

    public WindowHandle Window(string name) => runner.Windows.GetValueOrDefault(name);

    // A thread reference as a handle in the caller's process: the caller itself is NtCurrentThread; any other
    // thread is opened (from kernel mode, so the step's own call is the only one checked) and closed afterwards.
    public NtHandle ThreadHandle(string? target, uint access)
    {
        if (target is null || ReferenceEquals(runner.Threads[target], caller)) return NtHandle.CurrentThread;
        caller.Zw.NtOpenThread(out var h, access, HandleAttributes.None, runner.Threads[target].ThreadId);
        _toClose.Add(h);
        return h;
    }

    public NtHandle ProcessHandle(string? process, uint access)
    {
        var target = ProcessOrSelf(process);
        if (ReferenceEquals(target, caller.Process)) return NtHandle.CurrentProcess;
        caller.Zw.NtOpenProcess(out var h, access, HandleAttributes.None, target.ProcessId);
        _toClose.Add(h);
        return h;
    }

    public void CloseAfterwards(NtHandle handle) => _toClose.Add(handle);

    public void CloseOwnHandles()
    {
        foreach (var h in _toClose) caller.Zw.NtClose(h);
    }

    /// <summary>A call that made a handle: its granted access, saved under <paramref name="name"/> when given.</summary>
    public StepOutcome Saved(string call, NtStatus status, NtHandle handle, ObjectTypeInfo type, string? name)
    {
        if (!status.IsSuccess) return new StepOutcome(call, status);
        uint granted = caller.Process.GetHandles().FirstOrDefault(e => e.Handle == handle).Entry.GrantedAccess;
        if (name is not null) SaveHandle(name, handle, type);
        return new StepOutcome(call, status) { Granted = granted, RightsType = type, SavedAs = name };
    }

    public string Format(object? value) => ScenarioValues.Format(value, Scenario.Context);
}

/// <summary>The text of a value a step queries or sets, which <see cref="Expectation.Value"/> is compared with.</summary>
public static class ScenarioValues
{
    /// <summary>The impersonation level as Windows names it (<c>SecurityImpersonation</c>).</summary>
    public static string LevelName(SecurityImpersonationLevel level) => "Security" + level;

    /// <summary>
    /// <paramref name="value"/> as text: a SID by its account name and SID, groups and privileges with their attribute
    /// names, a default DACL as SDDL, lists in brackets.
    /// </summary>
    public static string Format(object? value, SidContext? context = null) => value switch
    {
        null => "NULL",
        Sid s => WellKnownSids.GetAccountName(s, context) is { } n ? $"{n} ({s})" : s.ToString(),
        SidAndAttributes sa => $"{Format(sa.Sid, context)} [{string.Join(", ", TokenJson.GroupAttributeNames(sa.Attributes))}]",
        Privilege p => $"{p.Name} [{string.Join(", ", TokenJson.PrivilegeAttributeNames(p.Attributes))}]",
        TokenDefaultDacl d => d.DefaultDacl is null ? "NULL" : SddlWriter.Format(new SecurityDescriptor(dacl: d.DefaultDacl), context, SecurityInformation.Dacl),
        TokenStatistics st => $"TokenId {st.TokenId}, AuthenticationId {st.AuthenticationId}, {st.TokenType}, {LevelName(st.ImpersonationLevel)}, {st.GroupCount} groups, {st.PrivilegeCount} privileges, ModifiedId {st.ModifiedId}",
        TokenSource src => $"{src.Name} {src.Identifier}",
        SecurityImpersonationLevel l => LevelName(l),
        bool b => b ? "TRUE" : "FALSE",
        string str => str,
        TokenGroupsAndPrivileges gp => $"{gp.Sids.Length} SIDs, {gp.RestrictedSids.Length} restricting SIDs, {gp.Privileges.Length} privileges",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(v => Format(v, context))) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
