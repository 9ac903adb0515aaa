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
using NtSec.Tokens;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec check --batch</c>: one check per JSON line in, one JSON line out, in order, so that thousands of checks
/// run in one process. A bad line gets a line with an <c>error</c> and the run goes on.
/// </summary>
internal static class CheckBatch
{
    private static readonly string[] Fields = ["id", "sd", "token", "desired", "mapping", "type", "objectTypes", "selfSid", "policies"];

    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Batches tend to ask many questions of few tokens and descriptors; parsed ones are kept (both are immutable),
    // up to this many of each, after which the cache starts over.
    private const int CacheLimit = 4096;

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
            var state = new State(terminal, defaultType, defaultMapping, context);
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

    private sealed class State(Terminal terminal, ObjectTypeInfo? defaultType, GenericMapping? defaultMapping, SidContext context)
    {
        private readonly Dictionary<string, Token> _tokens = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Token> _tokenFiles = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SecurityDescriptor> _descriptors = new(StringComparer.Ordinal);

        public bool Process(string line, Utf8JsonWriter json)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                // System.Text.Json ends its messages with "LineNumber: n | BytePositionInLine: m."; the byte is given already.
                int cut = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
                WriteError(json, null, $"not valid JSON: byte {e.BytePositionInLine + 1}: {(cut > 0 ? e.Message[..cut] : e.Message)}");
                return false;
            }
            using (document)
            {
                var root = document.RootElement;
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
                WriteId(json, id);
                CheckRenderer.WriteResultFields(json, run!);
                json.WriteNull("error");
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

            ObjectTypeInfo? type = defaultType;
            if (fields.TryGetValue("type", out var e))
            {
                if (!TryString(e, "type", out string? typeName, out error)) return false;
                type = ObjectTypes.Find(typeName!);
                if (type is null)
                {
                    error = $"type: unknown object type '{typeName}' (known: {string.Join(", ", CommonOptions.TypeNames)})";
                    return false;
                }
            }
            GenericMapping? mapping = fields.ContainsKey("type") ? type!.GenericMapping : defaultMapping ?? type?.GenericMapping;
            if (fields.TryGetValue("mapping", out e))
            {
                if (!TryString(e, "mapping", out string? text, out error)) return false;
                if (!GenericMapping.TryParse(text!, out var m))
                {
                    error = $"mapping: expected four masks R,W,X,A such as 0x120089,0x120116,0x1200a0,0x1f01ff; got '{text}'";
                    return false;
                }
                mapping = m;
            }
            if (mapping is null)
            {
                error = "mapping: give \"type\" or \"mapping\" (or --type or --mapping for every line): the check needs the object's generic mapping";
                return false;
            }

            if (!TryDescriptor(fields["sd"], out var sd, out error)) return false;
            if (!TryToken(fields["token"], out var token, out error)) return false;

            var d = fields["desired"];
            uint requested, desired;
            if (d.ValueKind == JsonValueKind.Number)
            {
                if (!d.TryGetUInt32(out requested))
                {
                    error = $"desired: {d.GetRawText()} is not a 32-bit access mask";
                    return false;
                }
                desired = mapping.Value.Map(requested);
            }
            else
            {
                if (!TryString(d, "desired", out string? text, out error)) return false;
                if (!CheckInputs.TryParseDesired(text!, type, mapping.Value, out requested, out desired, out error))
                {
                    error = "desired: " + error;
                    return false;
                }
            }

            ObjectTypeEntry[] list = [];
            if (fields.TryGetValue("objectTypes", out e))
            {
                bool ok;
                if (e.ValueKind == JsonValueKind.Array)
                {
                    var parts = new List<string>();
                    foreach (var item in e.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                        {
                            error = $"objectTypes[{parts.Count}]: expected a string level:guid";
                            return false;
                        }
                        parts.Add(item.GetString()!);
                    }
                    ok = CheckInputs.TryParseObjectTypes(parts, out list, out error);
                }
                else
                {
                    if (!TryString(e, "objectTypes", out string? text, out error)) return false;
                    ok = CheckInputs.TryParseObjectTypes(text!, out list, out error);
                }
                if (!ok)
                {
                    error = "objectTypes: " + error;
                    return false;
                }
            }

            Sid? self = null;
            if (fields.TryGetValue("selfSid", out e))
            {
                if (!TryString(e, "selfSid", out string? text, out error)) return false;
                if (!SidResolver.TryResolve(text!, context, out var s, out var sidError))
                {
                    error = $"selfSid: {sidError!.Position}: {sidError.Reason}";
                    return false;
                }
                self = s;
            }

            IReadOnlyList<CentralAccessPolicy>? policies = null;
            if (fields.TryGetValue("policies", out e) && e.ValueKind != JsonValueKind.Null)
            {
                if (list.Length > 0)
                {
                    error = "policies: central access policies apply to a plain check, not to an object type list";
                    return false;
                }
                if (!CentralAccessPolicy.TryReadList(e, context, out var read, out string capError))
                {
                    error = "policies" + (capError.StartsWith('[') ? capError : ": " + capError);
                    return false;
                }
                policies = read;
            }

            run = CheckRun.Execute(sd!, token!, requested, desired, mapping.Value, type, list, self, explain: false, policies: policies);
            error = null;
            return true;
        }

        private bool TryDescriptor(JsonElement e, out SecurityDescriptor? sd, out string? error)
        {
            sd = null;
            if (!TryString(e, "sd", out string? text, out error)) return false;
            if (_descriptors.TryGetValue(text!, out sd)) return true;
            if (!DescriptorInput.TryDecode(text!, InputFormat.Sddl, context, out var decoded, out var parseError))
            {
                error = $"sd: {parseError!.Position}: {parseError.Reason}";
                return false;
            }
            sd = decoded!.Descriptor;
            Remember(_descriptors, text!, sd);
            return true;
        }

        // The token is the JSON object itself, or (a string) the name of a token file.
        private bool TryToken(JsonElement e, out Token? token, out string? error)
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                string path = e.GetString()!;
                if (_tokenFiles.TryGetValue(path, out token))
                {
                    error = null;
                    return true;
                }
                if (!TokenInput.TryLoad(terminal, path, context, out token, out error))
                {
                    error = "token: " + error;
                    return false;
                }
                Remember(_tokenFiles, path, token!);
                return true;
            }
            if (e.ValueKind != JsonValueKind.Object)
            {
                token = null;
                error = "token: expected the token as a JSON object, or the name of a token file";
                return false;
            }
            string raw = e.GetRawText();
            if (_tokens.TryGetValue(raw, out token))
            {
                error = null;
                return true;
            }
            if (!TokenJson.TryRead(e, context, out token, out var jsonError))
            {
                error = jsonError!.Field.Length == 0 ? "token: " + TokenInput.Describe(jsonError) : "token." + TokenInput.Describe(jsonError);
                return false;
            }
            Remember(_tokens, raw, token!);
            error = null;
            return true;
        }

        private static void Remember<T>(Dictionary<string, T> cache, string key, T value)
        {
            if (cache.Count >= CacheLimit) cache.Clear();
            cache[key] = value;
        }

        private static bool TryString(JsonElement e, string field, out string? value, out string? error)
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                value = e.GetString();
                error = null;
                return true;
            }
            value = null;
            error = $"{field}: expected a string, got {e.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)}";
            return false;
        }

        private static void WriteError(Utf8JsonWriter json, JsonElement? id, string error)
        {
            json.WriteStartObject();
            WriteId(json, id);
            json.WriteNull("granted");
            json.WriteNull("status");
            json.WriteNull("staged");
            json.WriteNull("privilegesUsed");
            json.WriteNull("results");
            json.WriteString("error", error);
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
