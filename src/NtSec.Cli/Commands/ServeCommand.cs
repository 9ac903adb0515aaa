using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Authorization;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Tokens;
using NtSec.Web;

namespace NtSec.Cli.Commands;

/// <summary><c>ntsec serve</c>: the explainer page and the JSON API (docs/web.md) on 127.0.0.1.</summary>
internal static class ServeCommand
{
    private const string Name = "serve";

    public static Command Create(Terminal terminal)
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 8420 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError("--port: expected 0 to 65535");
        });
        var audit = new Option<string?>("--audit") { Description = "Also serve the reports of this audit store (ntsec audit scan --out FILE), opened read-only." };
        var command = new Command(Name, "Serve the explainer page and the JSON API on 127.0.0.1 (see docs/web.md).") { port, audit };
        command.SetAction(async (parse, cancel) =>
        {
            AuditWebApi? store = null;
            if (parse.GetValue(audit) is { } db)
            {
                try
                {
                    store = new AuditWebApi(Audit.Store.EstateStore.Open(terminal.ResolvePath(db), readOnly: true), Path.GetFileName(db));
                }
                catch (Exception e) when (e is IOException or InvalidDataException or DuckDB.NET.Data.DuckDBException)
                {
                    terminal.Error.WriteLine("error: --audit: " + e.Message);
                    return ExitCodes.BadInput;
                }
            }
            using var owned = store;
            var app = WebServer.Build(new WebApi(), new WebServerOptions { Port = parse.GetValue(port) }, audit: store);
            try
            {
                await app.StartAsync(cancel);
            }
            catch (IOException e)
            {
                terminal.Error.WriteLine($"error: cannot listen on 127.0.0.1:{parse.GetValue(port)}: {e.Message}");
                return ExitCodes.BadInput;
            }
            foreach (string url in app.Urls) terminal.Out.WriteLine($"ntsec serve: listening on {url.Replace("localhost", "127.0.0.1", StringComparison.Ordinal)}/ (Ctrl+C stops)");
            terminal.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>
/// The web API's answers, written by the CLI's own JSON writers: a check is a <c>check --batch</c> line
/// (<see cref="CheckBatch.State"/>) with its explanation, a decode is <c>sddl --json</c> (<see cref="DescriptorJson"/>).
/// </summary>
internal sealed class WebApi : INtSecApi
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The server reads no file: a request names its descriptor and token inline.
    private static readonly Func<string, (string? Text, string? Error)> NoFiles =
        _ => (null, "the web API reads no file: give the descriptor as text and the token as a JSON object");

    /// <inheritdoc/>
    public ApiAnswer Check(string request)
    {
        // One state per request: its reader caches by text, and a cache shared between requests would grow without bound.
        var state = new CheckBatch.State(NoFiles, null, null, SidContext.None, standalone: true);
        var buffer = new ArrayBufferWriter<byte>(1024);
        bool ok;
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            ok = state.Process(request, json);
        }
        return new ApiAnswer(ok, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <inheritdoc/>
    public ApiAnswer Sddl(string request)
    {
        if (!TryFields(request, ["sd", "type", "path", "map"], out var fields, out var bad, out var lists)) return bad;
        if (!fields.TryGetValue("sd", out string? descriptor)) return new ApiAnswer(false, WebServer.Error("sd: missing"));
        if (!NameMapInput.TryParse(lists.GetValueOrDefault("map"), SidContext.None, out var map, out string? mapError))
            return new ApiAnswer(false, WebServer.Error($"map: {mapError}"));
        ObjectTypeInfo? objectType = null;
        if (fields.GetValueOrDefault("type") is { } type && (objectType = ObjectTypes.Find(type)) is null)
            return new ApiAnswer(false, WebServer.Error($"type: unknown object type '{type}' (known: {string.Join(", ", CommonOptions.TypeNames)})"));
        string text = descriptor.Trim();
        DecodedDescriptor decoded;
        if (DescriptorInput.DetectImported(text) is { } format)
        {
            // icacls and Get-Acl print names; those Windows' tables hold resolve, others fail with the line that names them.
            if (!DescriptorInput.TryDecodeImported(descriptor, format, SidContext.None, map, out var all, out var importError))
                return new ApiAnswer(false, WebServer.Error($"sd: line {importError!.Line}, column {importError.Column}: {importError.Reason}"));
            var selected = fields.GetValueOrDefault("path") is { } path ? [.. all.Where(d => string.Equals(d.Path, path, StringComparison.OrdinalIgnoreCase))] : all;
            if (selected.Count != 1)
                return new ApiAnswer(false, WebServer.Error(selected.Count == 0
                    ? $"path: no path '{fields["path"]}' in the output; it holds {string.Join(", ", all.Select(d => "'" + d.Path + "'"))}"
                    : $"sd: the output holds {selected.Count} paths ({string.Join(", ", selected.Select(d => "'" + d.Path + "'"))}); choose one with \"path\""));
            decoded = selected[0];
        }
        else
        {
            if (fields.ContainsKey("path") || lists.ContainsKey("map")) return new ApiAnswer(false, WebServer.Error("path and map apply to icacls and Get-Acl output only"));
            if (!DescriptorInput.TryDecode(text, InputFormat.Sddl, SidContext.None, out var read, out var error))
                return new ApiAnswer(false, WebServer.Error($"sd: {error!.Position}: {error.Reason}"));
            decoded = read!;
        }
        var output = new StringWriter();
        DescriptorJson.Write(output, decoded.Descriptor, new RenderOptions { ObjectType = objectType, Context = SidContext.None, TrailingBytes = decoded.TrailingBytes }, indented: false);
        return new ApiAnswer(true, output.ToString().TrimEnd());
    }

    /// <inheritdoc/>
    public ApiAnswer Inherit(string request)
    {
        if (!JsonText.TryParse(request, out var document, out var syntax)) return new ApiAnswer(false, WebServer.Error($"not valid JSON: {syntax}"));
        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new ApiAnswer(false, WebServer.Error("the body must be one inherit --batch request object"));
            string? error = InheritCommand.RunOne(root, SidContext.None, out string? sddl, out var result, out var type);
            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var json = new Utf8JsonWriter(buffer, Compact))
            {
                json.WriteStartObject();
                json.WriteNumber("version", WebServer.Version);
                json.WritePropertyName("id");
                if (root.TryGetProperty("id", out var id)) id.WriteTo(json); else json.WriteNullValue();
                if (sddl is null) json.WriteNull("sddl"); else json.WriteString("sddl", sddl);
                if (error is null) json.WriteNull("error"); else json.WriteString("error", error);
                // A refused operation (the library's status and failure) is still a result; a bad request has none.
                json.WritePropertyName("result");
                if (result is { } done) InheritanceJson.Write(json, done, new RenderOptions { ObjectType = type, Context = SidContext.None });
                else json.WriteNullValue();
                json.WriteEndObject();
            }
            // A request the library answered (even with a failure status) is a 200; one it could not read is a 400.
            return new ApiAnswer(result.HasValue, Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    /// <inheritdoc/>
    public ApiAnswer Run(string request)
    {
        if (!TryFields(request, ["scenario"], out var fields, out var bad, out _)) return bad;
        if (!fields.TryGetValue("scenario", out string? yaml)) return new ApiAnswer(false, WebServer.Error("scenario: missing (the scenario's YAML text, as ntsec run reads it)"));
        if (ScenarioFileKeys.Find(yaml) is { } refused) return new ApiAnswer(false, WebServer.Error($"scenario:{refused}"));
        return RunScenario(yaml);
    }

    // The one place the web API calls the scenario engine: load, run, and write `run --json --explain` with each step's
    // kernel access check as data (the engine is the library's NtSec.Scenarios; the CLI loads the YAML and writes the JSON).
    private static ApiAnswer RunScenario(string yaml)
    {
        // Relative names resolve under a directory that does not exist; ScenarioFileKeys has already refused every key
        // that names a file, so this is a second line, not the first.
        string nowhere = Path.Combine(Path.GetTempPath(), "ntsec-serve-reads-no-file-" + Guid.NewGuid().ToString("N"));
        if (!Scenarios.ScenarioLoader.TryLoad(yaml, nowhere, out var scenario, out var loadError))
            return new ApiAnswer(false, WebServer.Error($"scenario:{Scenarios.ScenarioLoader.Describe(loadError!)}"));
        var run = global::NtSec.Scenarios.ScenarioRunner.Run(scenario!);
        var text = new StringWriter();
        Scenarios.ScenarioRenderer.WriteJson(text, run, explain: true);
        var document = System.Text.Json.Nodes.JsonNode.Parse(text.ToString())!.AsObject();
        var steps = document["steps"]!.AsArray();
        for (int i = 0; i < run.Steps.Count && i < steps.Count; i++)
        {
            // run --json writes the kernel's check as reason.accessCheck (object, desired, granted, status); the web adds
            // the structured explanation to it, which the page draws as the explanation view.
            if (run.Steps[i].Diagnostic?.AccessCheck is not { Explanation: { } explanation } check
                || steps[i]?["reason"]?["accessCheck"] is not System.Text.Json.Nodes.JsonObject target) continue;
            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var json = new Utf8JsonWriter(buffer, Compact))
            {
                CheckRenderer.WriteExplanation(json, explanation, check.Object.Type, sid => WellKnownSids.GetAccountName(sid, run.Scenario.Context));
            }
            target["explanation"] = System.Text.Json.Nodes.JsonNode.Parse(buffer.WrittenSpan);
        }
        return new ApiAnswer(true, document.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    /// <inheritdoc/>
    public ApiAnswer Token(string request)
    {
        if (!TryFields(request, ["token"], out var fields, out var bad, out _)) return bad;
        if (!fields.TryGetValue("token", out string? text)) return new ApiAnswer(false, WebServer.Error("token: missing (the token JSON or a whoami /all output, as a string)"));
        Token? token;
        string format;
        if (WindowsOutput.Detect(text) == WindowsOutputKind.Whoami)
        {
            if (!WhoamiParser.TryParse(text, out var result, out var importError)) return new ApiAnswer(false, WebServer.Error($"token: {importError}"));
            token = result!.Token;
            format = "whoami";
        }
        else
        {
            if (!TokenJson.TryRead(text, SidContext.None, out token, out var jsonError)) return new ApiAnswer(false, WebServer.Error($"token: {TokenInput.Describe(jsonError!)}"));
            format = "json";
        }
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            json.WriteStartObject();
            json.WriteNumber("version", WebServer.Version);
            json.WriteString("format", format);
            json.WritePropertyName("token");
            json.WriteRawValue(TokenJson.Write(token!));
            json.WriteEndObject();
        }
        return new ApiAnswer(true, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    // A body that is one JSON object of optional fields, each a string or an array of strings (null counts as absent);
    // anything else is a 400 naming the field.
    private static bool TryFields(string body, string[] known, out Dictionary<string, string> fields, out ApiAnswer bad, out Dictionary<string, List<string>> lists)
    {
        fields = new Dictionary<string, string>(StringComparer.Ordinal);
        lists = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        bad = default;
        if (!JsonText.TryParse(body, out var document, out var syntax))
        {
            bad = new ApiAnswer(false, WebServer.Error($"not valid JSON: {syntax}"));
            return false;
        }
        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                bad = new ApiAnswer(false, WebServer.Error($"the body must be a JSON object with {string.Join(", ", known)}"));
                return false;
            }
            foreach (var p in root.EnumerateObject())
            {
                string? error = Array.IndexOf(known, p.Name) < 0 ? $"{p.Name}: unknown field (known: {string.Join(", ", known)})"
                    : p.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null or JsonValueKind.Array) ? $"{p.Name}: expected a string"
                    : p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String) ? $"{p.Name}: expected an array of strings"
                    : fields.ContainsKey(p.Name) || lists.ContainsKey(p.Name) ? $"{p.Name}: given twice"
                    : null;
                if (error is not null)
                {
                    bad = new ApiAnswer(false, WebServer.Error(error));
                    return false;
                }
                if (p.Value.ValueKind == JsonValueKind.String) fields[p.Name] = p.Value.GetString()!;
                else if (p.Value.ValueKind == JsonValueKind.Array) lists[p.Name] = [.. p.Value.EnumerateArray().Select(v => v.GetString()!)];
            }
        }
        return true;
    }
}

/// <summary>
/// The scenario keys that name a file (<c>{file: ...}</c> for a token or the policies, <c>{whoami: ...}</c> for a saved
/// whoami output): the web API refuses a scenario that holds one, as a key anywhere, before the loader sees it.
/// </summary>
internal static class ScenarioFileKeys
{
    private static readonly string[] Keys = ["file", "whoami"];

    /// <summary>
    /// <c>line:column: reason</c> for the first key that names a file (or an alias used as a key, which could stand for
    /// one), or null when there is none. Reads YAML events, not a tree: no recursion, however deep the text nests. Text
    /// that is not YAML is left to the loader, which reports it.
    /// </summary>
    public static string? Find(string yaml)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(yaml));
        // For each open collection: true for a mapping whose next node is a key; false for a mapping value or a sequence.
        var expectKey = new Stack<(bool Mapping, bool Key)>();
        try
        {
            while (parser.MoveNext())
            {
                var e = parser.Current!;
                if (e is YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd)
                {
                    expectKey.Pop();
                    continue;
                }
                if (e is not (YamlDotNet.Core.Events.Scalar or YamlDotNet.Core.Events.AnchorAlias or YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart)) continue;
                bool isKey = expectKey.Count > 0 && expectKey.Peek() is { Mapping: true, Key: true };
                if (expectKey.Count > 0 && expectKey.Peek().Mapping) expectKey.Push((true, !expectKey.Pop().Key));
                if (isKey)
                {
                    string where = $"{e.Start.Line}:{e.Start.Column}";
                    if (e is YamlDotNet.Core.Events.Scalar s && Keys.Contains(s.Value, StringComparer.OrdinalIgnoreCase))
                        return $"{where}: the web API reads no file: '{s.Value}' names one; give the token or policies inline in the scenario";
                    if (e is YamlDotNet.Core.Events.AnchorAlias) return $"{where}: an alias as a key is refused by the web API (it could name a file key)";
                }
                if (e is YamlDotNet.Core.Events.MappingStart) expectKey.Push((true, true));
                else if (e is YamlDotNet.Core.Events.SequenceStart) expectKey.Push((false, false));
            }
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return null;
        }
        return null;
    }
}
