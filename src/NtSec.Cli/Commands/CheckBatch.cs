using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Requests;
using NtSec.Tokens;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec check --batch</c>: one check per JSON line in, one JSON line out, in order, so that thousands of checks
/// run in one process. A bad line gets a line with an <c>error</c> and the run goes on.
/// </summary>
internal static class CheckBatch
{
    private static readonly string[] Fields = ["id", "sd", "token", "desired", "mapping", "type", "objectTypes", "selfSid", "owner", "group", "map", "path", "policies"];

    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Runs every line of <paramref name="path"/> (standard input for null or <c>-</c>); 3 when a line was bad, else 0.</summary>
    public static int Run(Terminal terminal, string? path, ObjectTypeInfo? defaultType, GenericMapping? defaultMapping, SidContext context)
    {
        if (!FileInput.TryOpen(terminal, path, out var reader, out string? openError))
        {
            terminal.Error.WriteLine($"error: --batch: {openError}");
            return ExitCodes.BadInput;
        }
        try
        {
            var state = new State(BatchReadFile(terminal), defaultType, defaultMapping, context);
            var buffer = new ArrayBufferWriter<byte>(512);
            using var json = new Utf8JsonWriter(buffer, Compact);
            int bad = 0;
            string? line;
            var progress = new Progress(terminal, "ntsec check --batch");
            while ((line = reader.ReadLine()) is not null)
            {
                progress.Step();
                // A blank line answers with a blank line, so that output line N always answers input line N.
                if (string.IsNullOrWhiteSpace(line))
                {
                    terminal.Out.WriteLine();
                    continue;
                }
                buffer.ResetWrittenCount();
                json.Reset(buffer);
                if (!state.Process(line, json)) bad++;
                json.Flush();
                terminal.Out.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
            }
            progress.Done();
            return bad == 0 ? ExitCodes.Success : ExitCodes.BadInput;
        }
        finally
        {
            if (!ReferenceEquals(reader, terminal.In)) reader.Dispose();
        }
    }

    // A batch line answers exactly one check: standard input is the batch itself, never a descriptor or a token.
    private static Func<string, (string? Text, string? Error)> BatchReadFile(Terminal terminal)
    {
        var read = CheckCommand.ReadFile(terminal);
        return name => name == "-" ? (null, "'-' (standard input) cannot be read from a batch line, which answers one check; name a file") : read(name);
    }

    /// <summary>
    /// Answers batch lines. <paramref name="standalone"/> makes each answer a document of its own (the web API):
    /// it then starts with <c>"version"</c> and ends with the structured <c>"explanation"</c>.
    /// </summary>
    internal sealed class State(Func<string, (string? Text, string? Error)> readFile, ObjectTypeInfo? defaultType, GenericMapping? defaultMapping, SidContext context, bool standalone = false)
    {
        // One reader for the whole batch: it keeps parsed descriptors and token files (both immutable) by text.
        private readonly CheckRequestReader _reader = new(context, readFile, defaultType, defaultMapping);

        /// <summary>Writes the answer to one line; false when the line was bad (the answer then carries the error).</summary>
        public bool Process(string line, Utf8JsonWriter json)
        {
            if (!JsonText.TryParse(line, out var document, out var syntax))
            {
                WriteError(json, null, $"not valid JSON: {syntax}");
                return false;
            }
            using (document)
            {
                var root = document!.RootElement;
                // A \u escape may leave a lone surrogate, which JSON's grammar allows and text cannot hold; such a
                // line is answered with an error before any of its strings is read (the id cannot be echoed either).
                if (FindLoneSurrogate(root, "") is { } where)
                {
                    WriteError(json, null, $"not valid JSON text: {where}: a \\u escape leaves a lone surrogate (\\ud800-\\udfff without its pair), which is not text");
                    return false;
                }
                if (root.ValueKind != JsonValueKind.Object)
                {
                    WriteError(json, null, "a line must be a JSON object {\"id\", \"sd\", \"token\", \"desired\", ...}");
                    return false;
                }
                JsonElement? id = root.TryGetProperty("id", out var idElement) ? idElement : null;
                if (!TryRun(root, out var run, out string? error))
                {
                    WriteError(json, id, error!);
                    return false;
                }
                json.WriteStartObject();
                if (standalone) json.WriteNumber("version", DescriptorJson.Version);
                WriteId(json, id);
                CheckRenderer.WriteResultFields(json, run!);
                json.WriteNull("error");
                if (standalone)
                {
                    // The page names the granted bits as check --json does (grantedRights), from the one right-name table.
                    json.WriteStartArray("grantedRights");
                    foreach (string right in AceRights.Names(run!.Result.GrantedAccess, run.Type)) json.WriteStringValue(right);
                    json.WriteEndArray();
                    json.WritePropertyName("explanation");
                    if (run!.Explanation is { } explanation) CheckRenderer.WriteExplanation(json, explanation, run.Type, run.Names);
                    else json.WriteNullValue();
                }
                json.WriteEndObject();
                return true;
            }
        }

        private bool TryRun(JsonElement root, out CheckRun? run, out string? error)
        {
            run = null;
            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                if (Array.IndexOf(Fields, p.Name) < 0)
                {
                    error = $"{p.Name}: unknown field (known: {string.Join(", ", Fields)})";
                    return false;
                }
                if (!fields.TryAdd(p.Name, p.Value))
                {
                    error = $"{p.Name}: given twice";
                    return false;
                }
            }
            foreach (var required in (string[])["sd", "token", "desired"])
            {
                if (!fields.ContainsKey(required))
                {
                    error = $"{required}: missing";
                    return false;
                }
            }

            string? sd = null, type = null, mapping = null, self = null, owner = null, group = null, path = null, tokenFile = null, desiredText = null;
            uint? desiredMask = null;
            JsonElement? tokenObject = null;
            IReadOnlyList<string>? objectTypes = null, map = null;
            if (!TryString(fields, "sd", ref sd, out error) || !TryString(fields, "type", ref type, out error) || !TryString(fields, "mapping", ref mapping, out error)
                || !TryString(fields, "selfSid", ref self, out error) || !TryString(fields, "owner", ref owner, out error) || !TryString(fields, "group", ref group, out error)
                || !TryString(fields, "path", ref path, out error)) return false;

            var token = fields["token"];
            if (token.ValueKind == JsonValueKind.String) tokenFile = token.GetString();
            else if (token.ValueKind == JsonValueKind.Object) tokenObject = token;
            else
            {
                error = "token: expected the token as a JSON object, or the name of a token file";
                return false;
            }

            var d = fields["desired"];
            if (d.ValueKind == JsonValueKind.Number)
            {
                if (!d.TryGetUInt32(out uint mask))
                {
                    error = $"desired: {d.GetRawText()} is not a 32-bit access mask";
                    return false;
                }
                desiredMask = mask;
            }
            else if (!TryString(fields, "desired", ref desiredText, out error)) return false;

            if (fields.TryGetValue("objectTypes", out var e))
            {
                if (e.ValueKind == JsonValueKind.String) objectTypes = e.GetString()!.Split(',');
                else if (!TryStrings(e, "objectTypes", "a string level:guid", out objectTypes, out error)) return false;
            }
            if (fields.TryGetValue("map", out e) && !TryStrings(e, "map", "a string NAME=SID", out map, out error)) return false;

            var text = new CheckRequestText
            {
                Descriptor = sd, TokenFile = tokenFile, TokenObject = tokenObject, Desired = desiredText, DesiredMask = desiredMask,
                Type = type, Mapping = mapping, ObjectTypes = objectTypes, Self = self, Owner = owner, Group = group, Map = map, Path = path,
            };
            if (!_reader.TryRead(text, out var request, out var requestError))
            {
                error = requestError!.Field == "mapping" && requestError.Kind == CheckRequestErrorKind.Usage
                    ? "mapping: give \"type\" or \"mapping\" (or --type or --mapping for every line): the check needs the object's generic mapping"
                    : $"{requestError.Field}: {requestError.Reason}";
                return false;
            }
            IReadOnlyList<CentralAccessPolicy>? policies = null;
            if (fields.TryGetValue("policies", out e) && e.ValueKind != JsonValueKind.Null)
            {
                if (!request!.ObjectTypes.IsDefaultOrEmpty)
                {
                    error = "policies: central access policies apply to a plain check, not to an object type list";
                    return false;
                }
                if (!CentralAccessPolicy.TryReadList(e, context, out var read, out var capError))
                {
                    // policies[0].rules[1]: the batch's key joined to the error's path.
                    error = "policies" + (capError!.Field.Length > 0 ? capError.ToString() : ": " + capError.Reason);
                    return false;
                }
                policies = read;
            }
            run = CheckRun.Execute(request!, explain: standalone, policies);
            error = null;
            return true;
        }

        private static bool TryString(Dictionary<string, JsonElement> fields, string field, ref string? value, out string? error)
        {
            error = null;
            if (!fields.TryGetValue(field, out var e)) return true;
            if (e.ValueKind == JsonValueKind.String)
            {
                value = e.GetString();
                return true;
            }
            error = $"{field}: expected a string, got {e.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)}";
            return false;
        }

        private static bool TryStrings(JsonElement e, string field, string what, out IReadOnlyList<string>? values, out string? error)
        {
            values = null;
            if (e.ValueKind != JsonValueKind.Array)
            {
                error = $"{field}: expected an array of strings";
                return false;
            }
            var list = new List<string>();
            foreach (var item in e.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    error = $"{field}[{list.Count}]: expected {what}";
                    return false;
                }
                list.Add(item.GetString()!);
            }
            values = list;
            error = null;
            return true;
        }

        // The path of the first string or property name whose escapes leave a lone surrogate, or null.
        private static string? FindLoneSurrogate(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    return IsText(e) ? null : path.Length == 0 ? "the line" : path;
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        string name;
                        try
                        {
                            name = p.Name;
                        }
                        catch (InvalidOperationException)
                        {
                            return path.Length == 0 ? "a property name" : path + ": a property name";
                        }
                        if (!IsWellFormed(name)) return path.Length == 0 ? "a property name" : path + ": a property name";
                        if (FindLoneSurrogate(p.Value, path.Length == 0 ? name : path + "." + name) is { } inner) return inner;
                    }
                    return null;
                case JsonValueKind.Array:
                    int i = 0;
                    foreach (var item in e.EnumerateArray())
                    {
                        if (FindLoneSurrogate(item, $"{path}[{i}]") is { } inner) return inner;
                        i++;
                    }
                    return null;
                default:
                    return null;
            }
        }

        private static bool IsText(JsonElement e)
        {
            try
            {
                return IsWellFormed(e.GetString()!);
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        private static bool IsWellFormed(string s)
        {
            for (int i = 0; i < s.Length; i++)
            {
                if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
                else if (char.IsSurrogate(s[i])) return false;
            }
            return true;
        }

        private void WriteError(Utf8JsonWriter json, JsonElement? id, string error)
        {
            json.WriteStartObject();
            if (standalone) json.WriteNumber("version", DescriptorJson.Version);
            WriteId(json, id);
            json.WriteNull("granted");
            json.WriteNull("status");
            json.WriteNull("privilegesUsed");
            json.WriteNull("staged");
            json.WriteNull("results");
            json.WriteString("error", error);
            if (standalone)
            {
                json.WriteNull("grantedRights");
                json.WriteNull("explanation");
            }
            json.WriteEndObject();
        }

        private static void WriteId(Utf8JsonWriter json, JsonElement? id)
        {
            json.WritePropertyName("id");
            if (id is { } value) value.WriteTo(json);
            else json.WriteNullValue();
        }
    }
}
