using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Authorization;
using NtSec.Cli.Commands;

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
            foreach (var line in explanation.ToText(run.Type).TrimEnd('\n').Split('\n')) output.WriteLine(line);
        }
    }

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
            if (run.Explanation is { } explanation)
            {
                json.WriteStartArray();
                foreach (var step in explanation.Steps)
                {
                    json.WriteStartObject();
                    json.WriteString("stage", step.Stage.ToString());
                    if (step.Ace is { } ace)
                    {
                        json.WriteNumber("ace", step.AceIndex);
                        json.WriteString("aceSddl", ace.ToString());
                        json.WriteString("outcome", step.Outcome?.ToString());
                    }
                    else
                    {
                        json.WriteNull("ace");
                        json.WriteNull("aceSddl");
                        json.WriteNull("outcome");
                    }
                    json.WriteBoolean("applied", step.Applied);
                    json.WriteString("mask", Hex.Mask(step.Mask));
                    json.WriteString("message", step.Message);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }
            json.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
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
