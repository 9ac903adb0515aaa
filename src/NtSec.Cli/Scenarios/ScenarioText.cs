using System.Globalization;
using NtSec.Authorization;
using NtSec.Kernel;
using NtSec.Principals;
using NtSec.Scenarios;
using NtSec.Tokens;
using static NtSec.Scenarios.ScenarioValues;

namespace NtSec.Cli.Scenarios;

/// <summary>
/// The English of a scenario run: one sentence on why each step came out as it did, and how it missed its
/// expectation. Everything is rendered from the step's structured result (the kernel's <see cref="CallDiagnostic"/>
/// and the step kind's detail); no kernel rule is restated here.
/// </summary>
internal static class ScenarioText
{
    extension(StepResult r)
    {
        /// <summary>One sentence on why the call came out as it did.</summary>
        public string Why => ScenarioText.WhyOf(r);

        /// <summary>How the outcome differs from the step's expectation; null when it met it (or had none).</summary>
        public string? Mismatch => ScenarioText.MismatchOf(r);
    }

    /// <summary>Rights by name for a type (<c>TOKEN_QUERY | TOKEN_DUPLICATE</c>), or the hex mask.</summary>
    public static string Rights(uint mask, ObjectTypeInfo? type)
    {
        if (mask == 0) return "none";
        return type is null ? "0x" + mask.ToString("x", CultureInfo.InvariantCulture) : type.FormatRights(mask);
    }

    /// <summary>The unmet parts of the expectation, in words (<c>expected STATUS_SUCCESS, got STATUS_ACCESS_DENIED</c>).</summary>
    public static string? MismatchOf(StepResult r)
    {
        if (r.Met || r.Step.Expect is not { } e) return null;
        var problems = new List<string>();
        foreach (var field in r.Unmet)
        {
            problems.Add(field switch
            {
                ExpectationField.Ran => $"not run: process '{r.NotRunProcess}' does not exist",
                ExpectationField.Status => $"expected {e.Status!.Value.Name}, got {Outcome(r)}",
                ExpectationField.Error => $"expected {Win32Error.Name(e.Error!.Value)}, got {Outcome(r)}",
                ExpectationField.Granted => $"expected granted {Rights(e.Granted!.Value, r.RightsType)}, got {(r.Granted is { } rg ? Rights(rg, r.RightsType) : "no handle")}",
                ExpectationField.Result => $"expected {(e.Result!.Value ? "TRUE" : "FALSE")}, got {(r.Answer is { } a ? (a ? "TRUE" : "FALSE") : "no answer")}",
                ExpectationField.Value => $"expected value '{e.Value}', got '{r.Value}'",
                _ => field.ToString(),
            });
        }
        return string.Join("; ", problems);
    }

    private static string Outcome(StepResult r) => r.Win32Error is { } we ? Win32Error.Name(we) : r.Status.Name;

    /// <summary>One sentence on why the step came out as it did.</summary>
    public static string WhyOf(StepResult r)
    {
        if (r.NotRunProcess is { } missing) return $"not run: process '{missing}' does not exist (its create-process step failed)";
        return Succeeded(r) ?? Failed(r);
    }

    // Who a token is: its name in the scenario (or account name), with what sets it apart.
    private static string Who(StepResult r, Token token)
    {
        var scenario = r.Scenario;
        string? named = null;
        foreach (var (name, t) in scenario.Tokens)
            if (t.User.Sid == token.User.Sid)
            {
                named = name;
                break;
            }
        string user = named ?? WellKnownSids.GetAccountName(token.User.Sid, scenario.Context) ?? token.User.Sid.ToString();
        var traits = new List<string>();
        if (token.IsRestricted) traits.Add(token.WriteRestricted ? "write-restricted" : "restricted");
        if (token.Type == TokenType.Impersonation) traits.Add(LevelName(token.ImpersonationLevel));
        traits.Add(IntegrityName(token.IntegrityLevel));
        return $"{user} ({string.Join(", ", traits)})";
    }

    private static string IntegrityName(Sid label) => (WellKnownSids.GetAccountName(label) ?? label.ToString()).Replace("Mandatory Label\\", "", StringComparison.Ordinal);

    // What the impersonation call gave the thread, by the kernel's record of the rule it applied.
    private static string Impersonating(StepResult r)
    {
        if (r.Diagnostic?.Impersonation is not { } d) return "the thread is not impersonating";
        string s = $"{d.Thread.Process.ImageName} now impersonates {Who(r, d.Worn)}";
        if (d.Outcome == ImpersonationOutcome.DowngradedToIdentification)
            s += $", downgraded from {LevelName(d.Requested.ImpersonationLevel)} because {ImpersonationRules.Describe(d.Refusal, d.ProcessToken, d.Requested)}";
        return s;
    }

    // Who the access check of the call let in, and why that token.
    private static string Passed(StepResult r, string what)
    {
        var d = r.Diagnostic;
        if (d?.Reason == CallReason.DebugPrivilege) return $"SeDebugPrivilege opens any {what}";
        if (d?.AccessCheck is not { } check) return $"the {what} was opened";
        return $"{Who(r, check.Subject)} passes the {what}'s DACL" + (PolicyName(check) is { } policy ? $" and central access policy {policy}" : "");
    }

    // The central access policy the check applied (its rules ran), by name; null when none did.
    private static string? PolicyName(ObjectAccessCheck check)
        => check.CentralAccess is { Rules.IsEmpty: false } c ? (c.Rules[0].IsRecovery ? $"{c.PolicyId} (not on this machine: the recovery policy)" : c.Rules[0].PolicyName) : null;

    // A step that made a handle: the reason it was granted, and what the saved handle has.
    private static string Saved(StepResult r, string why) =>
        r.SavedAs is { } name ? $"{why}; handle '{name}' has {Rights(r.Granted ?? 0, r.RightsType)}" : why;

    // The sentence for a step whose call went through (or whose user32 call reports its own error); null for a
    // failure, which Failed explains from the kernel's reason.
    private static string? Succeeded(StepResult r)
    {
        bool ok = r.Status.IsSuccess;
        switch (r.Step)
        {
            case ImpersonateSelfStep or ImpersonateStep or ImpersonateThreadStep:
                return ok ? Impersonating(r) : null;
            case SetThreadTokenStep:
                return ok ? (r.Detail is ThreadTokenDetail { Cleared: true } ? "the thread stops impersonating" : Impersonating(r)) : null;
            case RevertStep:
                return ok ? "the thread acts as its process again" : null;
            case ImpersonateAnonymousStep:
                return ok ? "the thread now impersonates ANONYMOUS LOGON at SecurityImpersonation" : null;
            case OpenProcessTokenStep or OpenStep or OpenProcessStep or OpenThreadStep:
                return ok ? Saved(r, Passed(r, r.RightsType!.Name.ToLowerInvariant())) : null;
            case OpenThreadTokenStep:
            {
                if (!ok) return null;
                var check = r.Diagnostic?.AccessCheck;
                return Saved(r, check is null ? "opened"
                    : $"checked with {(check.Choice == SubjectChoice.ProcessTokenOpenAsSelf ? "the process's token" : "the caller's effective token")}, {Who(r, check.Subject)}, which the token's DACL lets in");
            }
            case DuplicateTokenStep dt:
                return ok ? Saved(r, $"a copy made as {(dt.TokenType == TokenType.Primary ? "a primary token" : $"an impersonation token at {LevelName(dt.Level)}")}") : null;
            case RestrictTokenStep rt:
            {
                if (!ok) return null;
                var parts = new List<string>();
                if (rt.DenyOnly.Count > 0) parts.Add($"{rt.DenyOnly.Count} SID(s) deny-only");
                if ((rt.Flags & FilterTokenFlags.DisableMaxPrivilege) != 0) parts.Add("all privileges but SeChangeNotifyPrivilege removed");
                else if (rt.DeletePrivileges.Count > 0) parts.Add($"{rt.DeletePrivileges.Count} privilege(s) removed");
                if (rt.RestrictingSids.Count > 0) parts.Add($"{rt.RestrictingSids.Count} restricting SID(s){((rt.Flags & FilterTokenFlags.WriteRestricted) != 0 ? " for writes" : "")}: every access is checked twice");
                return Saved(r, parts.Count == 0 ? "a restricted copy with nothing taken away" : "a restricted copy: " + string.Join("; ", parts));
            }
            case AdjustPrivilegesStep:
            {
                int changed = r.Diagnostic?.Changed.Count ?? 0;
                string missing = string.Join(", ", (r.Diagnostic?.NotAssigned ?? []).OfType<Luid>().Select(l => Privileges.NameOf(l)));
                return r.Status == NtStatus.Success ? $"{changed} privilege(s) changed"
                    : r.Status == NtStatus.NotAllAssigned ? $"{missing} {(missing.Contains(',', StringComparison.Ordinal) ? "are" : "is")} not in the token (removed privileges never come back); {changed} other privilege(s) changed"
                    : null;
            }
            case AdjustGroupsStep:
            {
                int changed = r.Diagnostic?.Changed.Count ?? 0;
                return r.Status == NtStatus.Success ? $"{changed} group(s) changed" : r.Status == NtStatus.NotAllAssigned ? $"{changed} group(s) changed; the others are not in the token" : null;
            }
            case QueryTokenStep q:
                return ok ? $"{q.Class} = {r.Value}" : null;
            case SetTokenStep st:
                return ok ? $"{st.Class} is now {Format(st.Value, r.Scenario.Context)}" : null;
            case IsTokenRestrictedStep:
                return ok ? (r.Answer == true ? $"the token has {(r.Detail as TokenDetail)?.Token?.RestrictedSids.Length} restricting SID(s)" : "the token has no restricting SIDs") : null;
            case CheckMembershipStep cm:
            {
                if (!ok) return null;
                string sid = WellKnownSids.GetAccountName(cm.Sid, r.Scenario.Context) ?? cm.Sid.ToString();
                return r.Answer == true ? $"{sid} is an enabled SID of the token" : $"{sid} is not an enabled SID of the token (absent, deny-only, disabled, or not among its restricting SIDs)";
            }
            case CreateProcessStep when r.Detail is ProcessDetail p:
            {
                string runs = p.Suspended
                    ? $"'{p.Name}' is created as {Who(r, p.Token)}, suspended: it connects to {p.Desktop ?? "no desktop"} when its thread resumes"
                    : p.Terminated
                    ? $"the process started but ended at once with {p.ExitStatus.Name}" + (p.Refusal is { } refusal ? ": " + Refused(r, refusal) : "")
                    : $"'{p.Name}' runs as {Who(r, p.Token)} on {p.Desktop ?? "no desktop"}";
                return r.Diagnostic?.Reason switch
                {
                    CallReason.AssignPrimaryTokenPrivilege => $"{runs}; the caller holds SeAssignPrimaryTokenPrivilege",
                    CallReason.ChildOrSiblingToken => $"{runs}; no SeAssignPrimaryTokenPrivilege needed: the token is a restricted version (or copy) of the caller's own",
                    _ => runs,
                };
            }
            case ResumeThreadStep when r.Detail is ResumeDetail d:
                return d.Refusal is { } refused
                    ? $"the thread ran and its process ended at once with {d.ExitStatus.Name}: {Refused(r, refused)}"
                    : d.PreviousSuspendCount == 0 ? "the thread was not suspended"
                    : d.ConnectedWith is { } connected
                        ? $"the thread runs; {d.Process} connected to {d.ConnectedDesktop} with {Who(r, connected)}{(connected.Type == TokenType.Impersonation ? ", the thread's impersonation token" : "")}"
                        : "the thread runs";
            case DuplicateHandleStep:
                return !ok ? null : r.Detail is DuplicatedHandleDetail dh ? $"handle '{r.SavedAs}' in {dh.Owner} has {Rights(r.Granted ?? 0, r.RightsType)}" : "duplicated";
            case CloseStep:
                return ok ? "the handle is closed; the object goes when its last reference does" : null;
            case CreateObjectStep when ok && r.Detail is CreatedObjectDetail co:
                return Saved(r, $"{(co.Creator is null ? "the caller" : Who(r, co.Creator))} may add to the {co.ParentType.Name.ToLowerInvariant()}; the new {co.Type.Name.ToLowerInvariant()} inherits {co.Descriptor?.ToString() ?? ""}");
            case AccessCheckStep when r.Detail is AccessCheckDetail ac:
            {
                string who = ac.Subject is null ? "the token" : Who(r, ac.Subject);
                return ok
                    ? $"granted {Rights(r.Granted ?? 0, r.RightsType)} to {who}" + (ac.Subject?.IsRestricted == true ? ", in both passes" : "")
                    : $"denied to {who}: {LastReason(ac.Explanation)}";
            }
            case CreateWindowStep cw:
                return r.SavedAs is not null ? $"window '{cw.As}' belongs to {r.CallerProcess} on {r.CallerDesktop ?? "no desktop"}" : $"no window: {WhyUser(r)}";
            case FindWindowStep:
                return r.Answer == true ? $"found on {r.CallerDesktop ?? "no desktop"}" : $"no window of that name on {r.CallerDesktop ?? "no desktop"}: windows on other desktops cannot be seen";
            case MessageStep m:
            {
                var w = r.Detail as WindowDetail;
                string owner = w?.Owner is { } o ? $" of {o}" : "";
                return r.Answer == true ? $"delivered to '{m.Window}'{owner}: nothing stops a message between windows of one desktop at the same or a lower integrity level" : WhyUser(r);
            }
            case SetThreadDesktopStep sd:
                return r.Answer == true ? $"the thread now works on {sd.Desktop}" : WhyUser(r);
            default:
                return null;
        }
    }

    /// <summary>Which window station or desktop refused a new process, in which pass, and why.</summary>
    private static string Refused(StepResult r, DesktopRefusal refusal)
    {
        if (refusal.Pass == ConnectionPass.DesktopNotFound) return $"there is no desktop '{refusal.DesktopName}' to connect to";
        string what = refusal.Pass == ConnectionPass.WindowStation ? "window station" : "desktop";
        string who = refusal.AccessCheck is { } c ? Who(r, c.Subject) : "its token";
        string s = $"the {what} {refusal.Object?.Name} granted {who} nothing when user32 connected (MAXIMUM_ALLOWED)";
        if (refusal.UngrantedLogonSid is { } logon) s += $"; {refusal.Object?.Name} grants the logon SID {logon}, which the token does not hold{(refusal.AccessCheck?.Subject.IsRestricted == true ? " among both its groups and its restricting SIDs" : "")}";
        else if (refusal.AccessCheck?.Explanation is { } e) s += $": {LastReason(e)}";
        return s;
    }

    private static string LastReason(AccessCheckExplanation explanation)
    {
        var failed = explanation.Steps.LastOrDefault(s => !s.Applied && s.Ace is null) ?? explanation.Steps.LastOrDefault();
        return failed?.Message ?? "no ACE grants the access";
    }

    // English for a failure, from the kernel's record of why.
    private static string Failed(StepResult r)
    {
        var d = r.Diagnostic;
        var status = r.Status;
        switch (d?.Reason ?? CallReason.None)
        {
            case CallReason.NotImpersonating:
                return $"{r.Step.TargetThread ?? r.Step.Thread} is not impersonating: a thread has a token of its own only while it impersonates";
            case CallReason.AnonymousLevel:
                return "the thread's token is at SecurityAnonymous, and an anonymous-level token cannot be opened";
            case CallReason.ClientLevelTooLow:
                var level = d?.AccessCheck?.Subject.ImpersonationLevel;
                return $"the caller impersonates at {(level is { } l ? LevelName(l) : "a level below SecurityImpersonation")}, which cannot open objects"
                    + (r.Step is OpenThreadTokenStep ? "; OpenAsSelf would check with the process's token instead" : "");
            case CallReason.LevelAboveSource:
                return "an impersonation token cannot be copied to a higher level than its own";
            case CallReason.PrimaryBelowImpersonation:
                return "an impersonation token below SecurityImpersonation cannot become a primary token";
            case CallReason.UnknownLevel:
                return "the impersonation level is not one of the four";
            case CallReason.HandleNotOpen:
                return $"no open handle '{r.Step.HandleArgument?.Text ?? "NULL"}' in {r.CallerProcess}";
            case CallReason.HandleTypeMismatch:
                return $"the handle refers to {(d?.Handle is { } ht ? "a " + ht.Type.Name.ToLowerInvariant() : "an object of another type")}, not {(d?.Handle?.Expected is { } ex ? "a " + ex.Name.ToLowerInvariant() : "what the call takes")}";
            case CallReason.HandleLacksAccess when d?.Handle is { } hu:
                return $"the {hu.Type.Name.ToLowerInvariant()} handle lacks {Rights(hu.Needed & ~hu.Granted, hu.Type)}, which this call needs";
            case CallReason.ReservedAccessBits:
                return "the access asks for reserved bits no right uses";
            case CallReason.AccessCheck when d?.AccessCheck is { } check && !check.Status.IsSuccess:
                return Denied(r, check);
            case CallReason.PrivilegeNotHeld when d?.Privilege is { } p:
                return p == Privileges.AssignPrimaryToken
                    ? "the token is not a restricted version (or copy) of the caller's own, so the caller needs SeAssignPrimaryTokenPrivilege, which it does not have enabled"
                    : $"the call needs {Privileges.NameOf(p)}, which the caller does not have enabled";
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
    private static string Denied(StepResult r, ObjectAccessCheck check)
    {
        uint missing = check.DesiredAccess & ~check.MaximumAllowed & ~AccessMask.MaximumAllowed;
        string has = check.MaximumAllowed == 0 ? "nothing" : Rights(check.MaximumAllowed, check.Object.Type);
        string on = $"{Who(r, check.Subject)} is granted {has} on the {check.Object.Type.Name.ToLowerInvariant()}{(check.Subject.IsRestricted ? " (what both the normal and the restricting-SID pass grant)" : "")}"
            + (PolicyName(check) is { } policy ? $" after central access policy {policy}" : "");
        return (check.DesiredAccess & ~AccessMask.MaximumAllowed) == 0 ? on : $"{on}; {Rights(missing == 0 ? check.DesiredAccess : missing, check.Object.Type)} is not";
    }

    // English for a refused user32 call, from the reason the Win32 layer recorded.
    private static string WhyUser(StepResult r)
    {
        var d = r.Diagnostic;
        var w = r.Detail as WindowDetail;
        string callerDesktop = r.CallerDesktop ?? "no desktop";
        return d?.Reason switch
        {
            CallReason.OtherDesktop when w?.Desktop is { } desktop =>
                $"the window is on {desktop}, the caller on {callerDesktop}: messages never cross desktops",
            CallReason.UipiBlocked when w?.Owner is { } owner =>
                $"User Interface Privilege Isolation: the caller's integrity level is below that of {owner}'s window",
            CallReason.NoDesktop => "the caller has no desktop (its process is not connected to one)",
            CallReason.DesktopLacksAccess when d.Handle is { } h =>
                $"the thread's desktop handle has {Rights(h.Granted, h.Type)}, not {Rights(h.Needed & ~h.Granted, h.Type)}"
                + (d.UngrantedLogonSid is { } logon ? $": {r.CallerDesktop} grants it to the logon SID {logon}, and the token the process connected with has none" : d.AccessCheck?.Explanation is { } e ? $": {LastReason(e)}" : ""),
            CallReason.WindowStationLacksAccess when d.Handle is { } h => $"the process's window station handle lacks {Rights(h.Needed & ~h.Granted, h.Type)}",
            CallReason.NoSuchWindow => "no such window (destroyed, or never seen from this desktop)",
            CallReason.ThreadHasWindows => "the thread already has windows on its desktop",
            _ when d?.AccessCheck is { Status.IsSuccess: false } check => Denied(r, check),
            _ => Win32Error.Name(r.Win32Error ?? 0),
        };
    }
}
