using System.Globalization;
using System.Text.Json;
using NtSec.Cli.Rendering;
using NtSec.Scenarios;

namespace NtSec.Cli.Scenarios;

/// <summary>Prints a scenario run as text a person can follow, or as JSON (shape version 2, docs/scenarios.md).</summary>
internal static class ScenarioRenderer
{
    /// <summary>The version of the JSON shape.</summary>
    public const int JsonVersion = 2;

    /// <summary>Each step: its number and thread, the call, the status (name and hex) with the granted rights, and why.</summary>
    public static void WriteText(TextWriter w, ScenarioRun run, Style style, bool explain)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(style);
        w.WriteLine(style.Label(run.Scenario.Name));
        if (run.Scenario.Description is { } d)
            foreach (var line in d.TrimEnd().Split('\n')) w.WriteLine(style.Dim("  " + line.TrimEnd()));
        foreach (var r in run.Steps)
        {
            w.WriteLine();
            if (r.Step.Note is { } note)
                foreach (var line in note.TrimEnd().Split('\n')) w.WriteLine(style.Dim("  # " + line.TrimEnd()));
            w.WriteLine($"{style.Label($"[{r.Number}]")} {style.Name(r.Step.Thread ?? "")}: {r.Call}");
            string status = r.Win32Error is { } error ? $"{Win32Error.Name(error)} ({error})" : $"{r.Status.Name} ({r.Status.ToHex()})";
            status = (r.Win32Error ?? 0) == 0 && r.Status.IsSuccess ? style.Allow(status) : style.Deny(status);
            string granted = r.Granted is { } g ? "  granted " + ScenarioText.Rights(g, r.RightsType) : "";
            // A question's BOOL answer (IsTokenRestricted, CheckTokenMembership, FindWindow ...) is the result.
            if (r.Answer is { } answer && r.Granted is null) granted += "  result " + (answer ? "TRUE" : "FALSE");
            string verdict = r.Step.Expect is null ? "" : r.Met ? "  " + style.Allow("as expected") : "  " + style.Deny("NOT AS EXPECTED: " + r.Mismatch);
            w.WriteLine($"    {status}{granted}{verdict}");
            w.WriteLine($"    why: {r.Why}");
            // --explain: the check behind every failed open, and behind every unmet expectation — above all an
            // unexpected success, whose granting check is the surprise to explain.
            var explained = r.AccessCheck ?? (!r.Met ? r.Diagnostic?.AccessCheck : null);
            if (explain && !r.Met) w.WriteLine($"    expected otherwise: {r.Mismatch}; the kernel decided by {Describe(r.Diagnostic)}");
            if (explain && explained is { Explanation: { } explanation } check)
            {
                foreach (var line in explanation.ToText(check.Object.Type).TrimEnd().Split('\n')) w.WriteLine("      " + line.TrimEnd());
                if (check.CentralAccess is { } central)
                {
                    using var policies = new StringWriter();
                    Rendering.CheckRenderer.WritePolicies(policies, style, central, check.Object.Type);
                    foreach (var line in policies.ToString().TrimEnd().Split('\n')) w.WriteLine("      " + line.TrimEnd());
                }
            }
        }
        w.WriteLine();
        int expected = run.Steps.Count(s => s.Step.Expect is not null);
        string summary = $"{run.Steps.Count} steps; {expected - run.Unmet} of {expected} expectations met";
        w.WriteLine(run.Unmet == 0 ? style.Allow(summary) : style.Deny(summary + $", {run.Unmet} not"));
    }

    // The kind of decision, in words, for --explain's line on an unmet expectation.
    private static string Describe(Kernel.CallDiagnostic? d) => d is null ? "nothing (the step did not run)" : d.Reason switch
    {
        Kernel.CallReason.None => $"{d.Call}'s status alone",
        Kernel.CallReason.AccessCheck when d.AccessCheck is { } c => $"an access check with {c.Subject.User.Sid} ({c.Choice}), which {(c.Status.IsSuccess ? "granted" : "refused")}",
        var k => $"{d.Call}: {k}",
    };

    // The step's structured reason: the kernel's record of its call, as data.
    private static void WriteReason(Utf8JsonWriter j, Kernel.CallDiagnostic d)
    {
        j.WriteStartObject("reason");
        j.WriteString("call", d.Call);
        j.WriteString("kind", d.Reason.ToString());
        if (d.AccessCheck is { } c)
        {
            j.WriteStartObject("accessCheck");
            j.WriteString("object", c.Object.Name ?? c.Object.Type.Name);
            j.WriteString("objectType", c.Object.Type.Name);
            j.WriteString("subject", c.Subject.User.Sid.ToString());
            j.WriteString("subjectChoice", c.Choice.ToString());
            j.WriteString("desired", "0x" + c.DesiredAccess.ToString("x", CultureInfo.InvariantCulture));
            j.WriteString("granted", "0x" + c.Granted.ToString("x", CultureInfo.InvariantCulture));
            j.WriteString("status", c.Status.Name);
            j.WriteEndObject();
        }
        if (d.Handle is { } h)
        {
            j.WriteStartObject("handle");
            j.WriteString("type", h.Type.Name);
            j.WriteString("needed", "0x" + h.Needed.ToString("x", CultureInfo.InvariantCulture));
            j.WriteString("granted", "0x" + h.Granted.ToString("x", CultureInfo.InvariantCulture));
            j.WriteEndObject();
        }
        if (d.Impersonation is { } i)
        {
            j.WriteStartObject("impersonation");
            j.WriteString("outcome", i.Outcome.ToString());
            j.WriteString("refusal", i.Refusal.ToString());
            j.WriteString("requestedLevel", i.Requested.ImpersonationLevel.ToString());
            j.WriteString("wornLevel", i.Worn.ImpersonationLevel.ToString());
            j.WriteEndObject();
        }
        if (d.Desktop is { } r) WriteRefusal(j, r);
        if (d.UngrantedLogonSid is { } l) j.WriteString("ungrantedLogonSid", l.ToString());
        if (d.Privilege is { } p) j.WriteString("privilege", Tokens.Privileges.NameOf(p));
        j.WriteEndObject();
    }

    private static string JsonName(ExpectationField field) => field switch
    {
        ExpectationField.Status => "status",
        ExpectationField.Error => "error",
        ExpectationField.Granted => "granted",
        ExpectationField.Result => "result",
        ExpectationField.Value => "value",
        _ => "ran",
    };

    private static string Hex(uint value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    // What the step expected, as its file said it.
    private static void WriteExpected(Utf8JsonWriter j, Expectation e)
    {
        j.WriteStartObject("expected");
        if (e.Status is { } s) j.WriteString("status", s.Name);
        if (e.Error is { } err) j.WriteString("error", Win32Error.Name(err));
        if (e.Granted is { } g) j.WriteString("granted", Hex(g));
        if (e.Result is { } b) j.WriteBoolean("result", b);
        if (e.Value is { } v) j.WriteString("value", v);
        j.WriteEndObject();
    }

    // What the step kind recorded besides the call: "kind" names the detail's shape (docs/scenarios.md).
    private static void WriteDetail(Utf8JsonWriter j, StepDetail detail)
    {
        j.WriteStartObject("detail");
        switch (detail)
        {
            case ThreadTokenDetail t:
                j.WriteString("kind", "threadToken");
                j.WriteBoolean("cleared", t.Cleared);
                break;
            case TokenDetail t:
                j.WriteString("kind", "token");
                WriteToken(j, "token", t.Token);
                break;
            case AccessCheckDetail a:
                j.WriteString("kind", "accessCheck");
                WriteToken(j, "subject", a.Subject);
                break;
            case ProcessDetail p:
                j.WriteString("kind", "process");
                j.WriteString("name", p.Name);
                WriteToken(j, "token", p.Token);
                j.WriteBoolean("suspended", p.Suspended);
                j.WriteBoolean("terminated", p.Terminated);
                if (p.Terminated) j.WriteString("exitStatus", p.ExitStatus.Name);
                if (p.Desktop is { } desktop) j.WriteString("desktop", desktop);
                if (p.Refusal is { } refusal) WriteRefusal(j, refusal);
                break;
            case ResumeDetail rd:
                j.WriteString("kind", "resume");
                j.WriteNumber("previousSuspendCount", rd.PreviousSuspendCount);
                j.WriteString("process", rd.Process);
                if (rd.Refusal is { } refused)
                {
                    j.WriteString("exitStatus", rd.ExitStatus.Name);
                    WriteRefusal(j, refused);
                }
                if (rd.ConnectedDesktop is { } connected) j.WriteString("connectedDesktop", connected);
                if (rd.ConnectedWith is { } with) WriteToken(j, "connectedWith", with);
                break;
            case DuplicatedHandleDetail h:
                j.WriteString("kind", "duplicatedHandle");
                j.WriteString("owner", h.Owner);
                break;
            case CreatedObjectDetail o:
                j.WriteString("kind", "createdObject");
                WriteToken(j, "creator", o.Creator);
                j.WriteString("parentType", o.ParentType.Name);
                j.WriteString("type", o.Type.Name);
                if (o.Descriptor is { } sd) j.WriteString("sddl", sd.ToString());
                break;
            case WindowDetail w:
                j.WriteString("kind", "window");
                if (w.Desktop is { } wd) j.WriteString("desktop", wd);
                if (w.Owner is { } owner) j.WriteString("owner", owner);
                break;
        }
        j.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter j, string name, Tokens.Token? token)
    {
        if (token is null)
        {
            j.WriteNull(name);
            return;
        }
        j.WriteStartObject(name);
        j.WriteString("user", token.User.Sid.ToString());
        j.WriteString("type", token.Type.ToString());
        if (token.Type == Tokens.TokenType.Impersonation) j.WriteString("impersonationLevel", token.ImpersonationLevel.ToString());
        j.WriteString("integrityLevel", token.IntegrityLevel.ToString());
        j.WriteBoolean("restricted", token.IsRestricted);
        j.WriteBoolean("writeRestricted", token.WriteRestricted);
        j.WriteEndObject();
    }

    private static void WriteRefusal(Utf8JsonWriter j, Kernel.DesktopRefusal r)
    {
        j.WriteStartObject("desktopRefusal");
        j.WriteString("pass", r.Pass.ToString());
        if (r.Object is { } o) j.WriteString("object", o.Name);
        if (r.DesktopName is { } name) j.WriteString("desktopName", name);
        if (r.UngrantedLogonSid is { } logon) j.WriteString("ungrantedLogonSid", logon.ToString());
        j.WriteEndObject();
    }

    /// <summary>The run as one JSON object (shape version <see cref="JsonVersion"/>).</summary>
    public static void WriteJson(TextWriter w, ScenarioRun run, bool explain)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(run);
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteNumber("version", JsonVersion);
            j.WriteString("scenario", run.Scenario.Name);
            j.WriteStartArray("steps");
            foreach (var r in run.Steps)
            {
                j.WriteStartObject();
                j.WriteNumber("number", r.Number);
                j.WriteNumber("line", r.Step.At.Line);
                j.WriteString("kind", r.Step.Kind.Name);
                j.WriteString("thread", r.Step.Thread);
                j.WriteString("call", r.Call);
                if (r.Win32Error is { } error)
                {
                    // user32 functions have no NTSTATUS: they report a Win32 error instead.
                    j.WriteNull("status");
                    j.WriteStartObject("error");
                    j.WriteString("name", Win32Error.Name(error));
                    j.WriteNumber("code", error);
                    j.WriteEndObject();
                }
                else
                {
                    j.WriteStartObject("status");
                    j.WriteString("name", r.Status.Name);
                    j.WriteString("hex", r.Status.ToHex());
                    j.WriteEndObject();
                }
                if (r.Granted is { } g)
                {
                    j.WriteStartObject("granted");
                    j.WriteString("mask", "0x" + g.ToString("x", CultureInfo.InvariantCulture));
                    j.WriteStartArray("rights");
                    foreach (var name in r.RightsType?.RightNames(g) ?? []) j.WriteStringValue(name);
                    j.WriteEndArray();
                    j.WriteEndObject();
                }
                else j.WriteNull("granted");
                j.WriteString("why", r.Why);
                if (r.Value is { } v) j.WriteString("value", v);
                if (r.Answer is { } a) j.WriteBoolean("result", a);
                if (r.Step.Expect is not null) j.WriteBoolean("met", r.Met);
                if (r.Mismatch is { } m) j.WriteString("mismatch", m);
                if (r.SavedAs is { } saved) j.WriteString("savedAs", saved);
                if (r.Step.Expect is { } expect) WriteExpected(j, expect);
                if (!r.Met)
                {
                    j.WriteStartArray("unmetExpectations");
                    foreach (var field in r.Unmet) j.WriteStringValue(JsonName(field));
                    j.WriteEndArray();
                }
                if (r.NotRunProcess is { } missing) j.WriteString("notRunProcess", missing);
                if (r.Diagnostic is { } d) WriteReason(j, d);
                if (r.Detail is { } detail) WriteDetail(j, detail);
                var explained = r.AccessCheck ?? (!r.Met ? r.Diagnostic?.AccessCheck : null);
                if (explain && explained is { Explanation: { } explanation } check)
                {
                    j.WriteString("explanation", explanation.ToText(check.Object.Type));
                    if (check.CentralAccess is { Rules.IsEmpty: false } central) Rendering.CheckRenderer.WritePolicyRules(j, central);
                }
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteNumber("unmet", run.Unmet);
            j.WriteEndObject();
        }
        w.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
