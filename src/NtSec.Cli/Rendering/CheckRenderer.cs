using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Authorization;
using NtSec.Cli.Commands;
using NtSec.Tokens;

namespace NtSec.Cli.Rendering;

/// <summary>Writes the result of <c>ntsec check</c> as text or JSON.</summary>
internal static class CheckRenderer
{
    private const int LabelWidth = 11;
    private const int Width = 100;

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The result lines, then the explanation when there is one.</summary>
    public static void WriteText(TextWriter output, CheckRun run, Style style)
    {
        var result = run.Result;
        var type = run.Type ?? ObjectTypes.Generic;
        string status = result.AccessStatus.Name;
        string verdict = result.Status != NtStatus.Success ? style.Deny("refused") + $" ({status}: the check did not accept its arguments)"
            : result.AccessStatus == NtStatus.Success ? style.Allow("granted") + $" ({status})"
            : style.Deny("denied") + $" ({status})";
        Line(output, style, "Result", verdict);
        if (Hint(result.Status) is { } hint) Words(output, style, "Hint", hint);
        Wrapped(output, style, "Desired", Head(run.Desired, run.Type), Names(run.Desired, run.Type));
        if (run.WasMapped)
        {
            string mappingName = run.Type is { } t && t.GenericMapping == run.Mapping ? $"the {t.Name} generic mapping" : $"the generic mapping {run.Mapping}";
            string generic = string.Join(" | ", ObjectTypes.Generic.RightNames(run.Requested & AccessMask.GenericMask));
            Words(output, style, "Mapped", $"{generic} was mapped with {mappingName} before the check, as callers of AccessCheck do "
                + "(AccessCheck itself refuses generic rights: STATUS_GENERIC_NOT_MAPPED)");
        }
        Wrapped(output, style, "Granted", Head(result.GrantedAccess, run.Type), Names(result.GrantedAccess, run.Type));
        var privileges = run.PrivilegesUsedNames();
        if (privileges.Count > 0) Line(output, style, "Privileges", string.Join(", ", privileges));
        if (run.Central is { } central) WritePolicies(output, style, central, run.Type);
        if (run.ObjectTypes.Length > 0 && result.Status == NtStatus.Success)
        {
            Line(output, style, "Objects", $"{run.ObjectTypes.Length} entries (AccessCheckByTypeResultList; a denied entry shows what it was granted of the request)");
            int statusWidth = run.NodeStatus.Max(s => s.Name.Length);
            for (int i = 0; i < run.ObjectTypes.Length; i++)
            {
                var node = run.ObjectTypes[i];
                string head = $"  [{i}] level {node.Level} {node.ObjectType:D}  {run.NodeStatus[i].Name.PadRight(statusWidth)}  {Hex.Mask(run.NodeGranted[i])}";
                var names = run.NodeGranted[i] == 0 ? [] : type.RightNames(run.NodeGranted[i]).ToList();
                output.WriteLine(names.Count == 0 ? head : head + "  " + string.Join(" | ", names));
            }
        }
        if (run.Explanation is { } explanation)
        {
            output.WriteLine();
            output.Write(ExplanationText.Render(explanation, run.Type, run.Names, Width));
        }
    }

    /// <summary>The central access policy part: which policy, each rule and what it took away, and the staged result.</summary>
    public static void WritePolicies(TextWriter output, Style style, NtSec.Authorization.Conditions.CentralAccessCheckResult central, ObjectTypeInfo? type)
    {
        if (central.PolicyId is null)
        {
            Words(output, style, "Policy", "the descriptor has no SP (central access policy) ACE: the DACL decides");
            return;
        }
        if (central.Rules.IsEmpty)
        {
            Words(output, style, "Policy", central.Effective.Status != NtStatus.Success ? "not reached: the check refused its arguments" : $"{central.PolicyId} is named by the SP ACE, but no policy was supplied: no central access policy is configured, so it is ignored");
            return;
        }
        var first = central.Rules[0];
        Words(output, style, "Policy", first.IsRecovery
            ? $"{first.PolicyId} is named by the SP ACE but not among the supplied policies: Windows applies its recovery policy ({NtSec.Authorization.Conditions.CentralAccessPolicy.RecoveryDacl}: Administrators, SYSTEM and the owner)"
            : $"{first.PolicyName} ({first.PolicyId}), named by the object's SP ACE");
        foreach (var rule in central.Rules)
        {
            string text = rule.AppliesTo != NtSec.Authorization.Conditions.ConditionValue.True
                ? $"{rule.RuleName}: AppliesTo is {NtSec.Authorization.Conditions.ConditionExplainer.Name(rule.AppliesTo)}, so the rule does not apply"
                : $"{rule.RuleName}: grants {Hex.Mask(rule.Granted)}; takes away {Taken(rule.Removed, type)}"
                  + (rule.StagedGranted != rule.Granted ? $"; staged, it would grant {Hex.Mask(rule.StagedGranted)} and take away {Taken(rule.StagedRemoved, type)}" : "");
            Words(output, style, "Rule", text);
        }
        if (central.Staged is { } staged)
        {
            string verdict = staged.AccessStatus == NtStatus.Success ? $"granted ({staged.AccessStatus.Name}) {Hex.Mask(staged.GrantedAccess)}" : $"denied ({staged.AccessStatus.Name})";
            bool same = staged.AccessStatus == central.Effective.AccessStatus && staged.GrantedAccess == central.Effective.GrantedAccess;
            Words(output, style, "Staged", verdict + (same ? ": staging would change nothing" : ": what the result would be if the staged rules went live"));
        }
    }

    // Each operator of a condition as data: its value, why, and its operands (kind, attribute name and type).
    private static void WriteConditionTrace(Utf8JsonWriter json, NtSec.Authorization.Conditions.ConditionTrace trace)
    {
        json.WriteStartArray("conditionSteps");
        foreach (var c in trace.Steps)
        {
            json.WriteStartObject();
            json.WriteNumber("offset", c.Offset);
            json.WriteString("operator", c.Operator);
            json.WriteString("value", NtSec.Authorization.Conditions.ConditionExplainer.Name(c.Value));
            json.WriteString("reason", c.Reason.ToString());
            WriteOperand(json, "left", c.Left);
            if (c.Right is { } right) WriteOperand(json, "right", right);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteOperand(Utf8JsonWriter json, string name, NtSec.Authorization.Conditions.ConditionOperand o)
    {
        json.WriteStartObject(name);
        json.WriteString("kind", o.Kind.ToString());
        if (o.Kind == NtSec.Authorization.Conditions.ConditionOperandKind.Attribute)
        {
            json.WriteString("source", o.Source.ToString());
            json.WriteString("name", o.Name);
            json.WriteBoolean("found", o.Found);
            if (o.ValueType is { } t) json.WriteString("valueType", NtSec.Tokens.ClaimJson.TypeName(t));
        }
        if (o.Kind == NtSec.Authorization.Conditions.ConditionOperandKind.Result) json.WriteString("value", NtSec.Authorization.Conditions.ConditionExplainer.Name(o.Value));
        else json.WriteNumber("count", o.Count);
        json.WriteEndObject();
    }

    private static string Taken(uint mask, ObjectTypeInfo? type) => mask == 0 ? "nothing" : $"{Hex.Mask(mask)} ({string.Join(" | ", Names(mask, type))})";

    /// <summary>The JSON document of one check (version 1; see docs/cli.md), followed by a new line.</summary>
    public static void WriteJson(TextWriter output, CheckRun run)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartObject();
            json.WriteNumber("version", DescriptorJson.Version);
            WriteResultFields(json, run);
            json.WriteString("desired", Hex.Mask(run.Desired));
            WriteStrings(json, "desiredRights", Names(run.Desired, run.Type));
            json.WriteString("requested", Hex.Mask(run.Requested));
            json.WriteString("mapping", run.Mapping.ToString());
            json.WriteString("objectType", run.Type?.Name);
            WriteStrings(json, "grantedRights", Names(run.Result.GrantedAccess, run.Type));
            json.WritePropertyName("explanation");
            if (run.Explanation is { } explanation) WriteExplanation(json, explanation, run.Type, run.Names);
            else json.WriteNullValue();
            json.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>
    /// The explanation as data (schema <see cref="AccessCheckExplanation.SchemaVersion"/>, see docs/cli.md): an object
    /// with <c>version</c>, the outcome, and <c>steps</c>, one object per step with its kind, stage and the fields
    /// that kind sets, plus <c>message</c>, the step in English.
    /// </summary>
    public static void WriteExplanation(Utf8JsonWriter json, AccessCheckExplanation explanation, ObjectTypeInfo? type, Func<NtSec.Principals.Sid, string?>? names)
    {
        json.WriteStartObject();
        json.WriteNumber("version", AccessCheckExplanation.SchemaVersion);
        json.WriteString("callStatus", explanation.CallStatus.Name);
        json.WriteBoolean("granted", explanation.Granted);
        json.WriteString("grantedAccess", Hex.Mask(explanation.GrantedAccess));
        json.WriteString("desiredAccess", Hex.Mask(explanation.DesiredAccess));
        json.WriteStartArray("steps");
        foreach (var step in explanation.Steps)
        {
            json.WriteStartObject();
            json.WriteString("kind", step.Kind.ToString());
            json.WriteString("stage", step.Stage.ToString());
            if (step.Ace is { } ace)
            {
                json.WriteNumber("ace", step.AceIndex);
                json.WriteString("aceSddl", ace.ToString());
            }
            else
            {
                json.WriteNull("ace");
                json.WriteNull("aceSddl");
            }
            if (step.Outcome is { } outcome) json.WriteString("outcome", outcome.ToString());
            else json.WriteNull("outcome");
            json.WriteBoolean("applied", step.Applied);
            json.WriteString("mask", Hex.Mask(step.Mask));
            if (step.Mask != 0 && step.Mask != uint.MaxValue) WriteStrings(json, "maskRights", Names(step.Mask, type));
            if (step.AlreadyGranted != 0) json.WriteString("alreadyGranted", Hex.Mask(step.AlreadyGranted));
            if (step.AlreadyDenied != 0) json.WriteString("alreadyDenied", Hex.Mask(step.AlreadyDenied));
            if (step.Denied != 0) json.WriteString("denied", Hex.Mask(step.Denied));
            if (step.Missing != 0) json.WriteString("missing", Hex.Mask(step.Missing));
            if (step.Missing != 0) WriteStrings(json, "missingRights", Names(step.Missing, type));
            if (step.Kind == ExplanationStepKind.Intersection) json.WriteString("limit", Hex.Mask(step.Limit));
            if (step.Sid is { } sid)
            {
                json.WriteString("sid", sid.ToString());
                json.WriteString("sidName", names?.Invoke(sid) ?? NtSec.Principals.WellKnownSids.GetAccountName(sid));
            }
            if (step.SidState is { } state) json.WriteString("sidState", state.ToString());
            if (step.ObjectTypeNode >= 0)
            {
                json.WriteNumber("objectTypeNode", step.ObjectTypeNode);
                json.WriteString("objectType", step.ObjectType?.ToString("D"));
            }
            if (step.Kind is ExplanationStepKind.Refused or ExplanationStepKind.Result) json.WriteString("status", step.Status.Name);
            if (step.Refusal is { } refusal) json.WriteString("refusal", refusal.ToString());
            if (step.Privilege is { } privilege)
            {
                json.WriteString("privilege", Privileges.NameOf(privilege));
                if (step.Kind == ExplanationStepKind.PrivilegeMissing) json.WriteBoolean("privilegeHeld", step.PrivilegeHeld);
            }
            if (step.Label is { } label)
            {
                json.WriteString("label", label.ToString());
                json.WriteString("labelPolicy", Hex.Mask(step.LabelPolicy));
                json.WriteBoolean("explicitLabel", step.ExplicitLabel);
            }
            if (step.Kind == ExplanationStepKind.Request)
            {
                json.WriteBoolean("maximumAllowed", step.MaximumAllowed);
                json.WriteString("flavor", step.Flavor.ToString());
            }
            if (step.Condition is { } condition) json.WriteString("condition", condition.ToString());
            if (step.ConditionTrace is { } trace) WriteConditionTrace(json, trace);
            json.WriteString("message", ExplanationText.Describe(step, type, names));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary><c>policyRules</c>: each central access rule considered, as data (the check's and a scenario step's JSON).</summary>
    public static void WritePolicyRules(Utf8JsonWriter json, NtSec.Authorization.Conditions.CentralAccessCheckResult central)
    {
        json.WriteStartArray("policyRules");
        foreach (var rule in central.Rules)
        {
            json.WriteStartObject();
            json.WriteString("policy", rule.PolicyId.ToString());
            json.WriteString("policyName", rule.PolicyName);
            json.WriteBoolean("recovery", rule.IsRecovery);
            json.WriteString("rule", rule.RuleName);
            json.WriteString("appliesTo", NtSec.Authorization.Conditions.ConditionExplainer.Name(rule.AppliesTo));
            json.WriteString("granted", Hex.Mask(rule.Granted));
            json.WriteString("removed", Hex.Mask(rule.Removed));
            json.WriteString("stagedGranted", Hex.Mask(rule.StagedGranted));
            json.WriteString("stagedRemoved", Hex.Mask(rule.StagedRemoved));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// The fields a batch line and the JSON document share: <c>granted</c>, <c>status</c>, <c>privilegesUsed</c>
    /// and <c>results</c> (one per object type list entry, null without a list or when the check refused it).
    /// </summary>
    public static void WriteResultFields(Utf8JsonWriter json, CheckRun run)
    {
        json.WriteString("granted", Hex.Mask(run.Result.GrantedAccess));
        json.WriteString("status", run.Result.AccessStatus.Name);
        WriteStrings(json, "privilegesUsed", run.PrivilegesUsedNames());
        // What the result would be with the staged central access rules: null without policies or an SP ACE.
        json.WritePropertyName("staged");
        if (run.Central?.Staged is { } staged)
        {
            json.WriteStartObject();
            json.WriteString("granted", Hex.Mask(staged.GrantedAccess));
            json.WriteString("status", staged.AccessStatus.Name);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNullValue();
        }
        if (run.Central is { Rules.IsEmpty: false } central) WritePolicyRules(json, central);
        json.WritePropertyName("results");
        if (run.ObjectTypes.Length == 0 || run.Result.Status != NtStatus.Success)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartArray();
        for (int i = 0; i < run.ObjectTypes.Length; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("level", run.ObjectTypes[i].Level);
            json.WriteString("objectType", run.ObjectTypes[i].ObjectType.ToString("D"));
            json.WriteString("granted", Hex.Mask(run.NodeGranted[i]));
            json.WriteString("status", run.NodeStatus[i].Name);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// What the user can do about a refused check, keyed off the status the check refused with (each maps to one
    /// <see cref="RefusalReason"/>), never off its text; null when there is nothing to suggest.
    /// </summary>
    public static string? Hint(NtStatus status)
        => status == NtStatus.InvalidSecurityDescriptor ? "the descriptor has no owner or no group, which AccessCheck requires: give them with --owner (and --group)"
        : status == NtStatus.NoImpersonationToken ? "AccessCheck needs an impersonation token, and this is a primary token: duplicate it as one (ntsec token duplicate --token FILE --type impersonation --level identification --out FILE)"
        : status == NtStatus.BadImpersonationLevel ? "the token is at SecurityAnonymous: duplicate it at SecurityIdentification or above (ntsec token duplicate --token FILE --type impersonation --level identification --out FILE)"
        : null;

    private static IReadOnlyList<string> Names(uint mask, ObjectTypeInfo? type) => AceRights.Names(mask, type);

    // The mask, and the type's composite right when the mask is exactly one (FILE_GENERIC_READ = ...).
    private static string Head(uint mask, ObjectTypeInfo? type)
        => AceRights.Composite(mask, type) is { } composite ? $"{Hex.Mask(mask)} {composite} =" : Hex.Mask(mask);

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }

    private static void Line(TextWriter output, Style style, string label, string value)
        => output.WriteLine(style.Label(label.PadRight(LabelWidth)) + value);

    // "Granted    0x00120089 FILE_READ_DATA | ..." with the names wrapped on " | " under the column after the label.
    private static void Wrapped(TextWriter output, Style style, string label, string head, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            Line(output, style, label, head + style.Dim(" (nothing)"));
            return;
        }
        var pieces = new List<string>(names.Count);
        for (int i = 0; i < names.Count; i++) pieces.Add(i < names.Count - 1 ? names[i] + " |" : names[i]);
        Flow(output, style, label, head, pieces);
    }

    private static void Words(TextWriter output, Style style, string label, string text)
        => Flow(output, style, label, null, text.Split(' '));

    private static void Flow(TextWriter output, Style style, string label, string? head, IReadOnlyList<string> pieces)
    {
        var line = new StringBuilder(style.Label(label.PadRight(LabelWidth)));
        int visible = LabelWidth;
        bool first = true;
        if (head is not null)
        {
            line.Append(head);
            visible += head.Length;
            first = false;
        }
        foreach (var piece in pieces)
        {
            if (!first && visible + 1 + piece.Length > Width)
            {
                output.WriteLine(line.ToString());
                line.Clear().Append(' ', LabelWidth);
                visible = LabelWidth;
                first = true;
            }
            if (!first)
            {
                line.Append(' ');
                visible++;
            }
            line.Append(piece);
            visible += piece.Length;
            first = false;
        }
        output.WriteLine(line.ToString());
    }
}
