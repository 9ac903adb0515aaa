using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Audit.ActiveDirectory;
using NtSec.Audit.Queries;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Cli.Rendering;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Web;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec serve --audit FILE</c>: the reports of an audit store (docs/web.md), answered by the queries of
/// <c>ntsec audit</c> with the rows <c>--format json</c> writes, a page at a time, and the explained cell. The store is
/// opened read-only; the reports that would read another file (<c>diff</c>) or run arbitrary SQL (<c>sql</c>) are not
/// offered.
/// </summary>
internal sealed class AuditWebApi : IAuditApi, IDisposable
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;
    private const int MaxCells = 16;
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One parameter of a report: a string, a list of strings or a boolean.</summary>
    private sealed record Parameter(string Name, string Kind, bool Required, string Description);

    /// <summary>A report the store can answer: its name (the <c>ntsec audit</c> command), what it lists, its parameters.</summary>
    private sealed record Report(string Name, string Command, string Description, Parameter[] Parameters, bool Explains);

    private static readonly Report[] FileReports =
    [
        new("who-can", "ntsec audit who-can", "Every principal holding the rights, per path.",
            [new("right", "string", true, "a scan question (read, write, modify, full), icacls codes (RX, M ...), right names or a mask"),
             new("path", "string", false, "only paths matching this glob (* and ?, case-insensitive, \\ or /)")], true),
        new("where", "ntsec audit where", "Every path a principal can access, with its grant.",
            [new("principal", "string", true, "the principal's name or user SID"),
             new("right", "string", false, "only where the principal holds these rights"),
             new("path", "string", false, "only paths matching this glob")], true),
        new("drift", "ntsec audit drift", "ACLs that drift from inheritance and hygiene.",
            [new("kinds", "list", false, "only these kinds: " + string.Join(", ", Enum.GetValues<DriftKind>().Select(DriftQueries.Name))),
             new("path", "string", false, "only paths matching this glob")], false),
    ];

    private static readonly Report[] DirectoryReports =
    [
        new("who-can", "ntsec audit ad who-can", "Every principal holding a right, object by object.",
            [new("right", "string", true, "a right (GenericAll, WriteDacl ...), an extended right, attribute, property set or validated write by name or GUID, or RIGHT:NAME"),
             new("on", "string", false, "only objects at or under this DN")], true),
        new("where", "ntsec audit ad where", "Everything one principal holds, object by object.",
            [new("principal", "string", true, "the principal: name, SID, sAMAccountName or DN"),
             new("on", "string", false, "only objects at or under this DN")], true),
        new("dangerous", "ntsec audit ad dangerous", "The rights that give control of the domain.",
            [new("includeAdmins", "bool", false, "also list principals that are administrators already")], true),
    ];

    private readonly EstateStore _store;
    private readonly string _name;
    // One DuckDB connection: requests take turns on it.
    private readonly Lock _gate = new();

    public AuditWebApi(EstateStore store, string name)
    {
        _store = store;
        _name = name;
    }

    private Report[] Reports => _store.IsDirectory ? DirectoryReports : FileReports;

    /// <inheritdoc/>
    public ApiAnswer Describe()
    {
        return Write(json =>
        {
            json.WriteString("store", _name);
            json.WriteString("kind", _store.IsDirectory ? "directory" : "files");
            json.WriteStartArray("reports");
            foreach (var r in Reports)
            {
                json.WriteStartObject();
                json.WriteString("name", r.Name);
                json.WriteString("command", r.Command);
                json.WriteString("description", r.Description);
                json.WriteBoolean("explains", r.Explains);
                json.WriteStartArray("parameters");
                foreach (var p in r.Parameters)
                {
                    json.WriteStartObject();
                    json.WriteString("name", p.Name);
                    json.WriteString("kind", p.Kind);
                    json.WriteBoolean("required", p.Required);
                    json.WriteString("description", p.Description);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    /// <inheritdoc/>
    public ApiAnswer Query(string request)
    {
        if (!TryObject(request, out var root, out var bad)) return bad;
        using (root)
        {
            var o = root!.RootElement;
            if (!o.TryGetProperty("report", out var rv) || rv.ValueKind != JsonValueKind.String)
                return Fail($"report: missing (one of {string.Join(", ", Reports.Select(r => r.Name))})");
            var report = Reports.FirstOrDefault(r => r.Name == rv.GetString());
            if (report is null) return Fail($"report: unknown report '{rv.GetString()}' for a {(_store.IsDirectory ? "directory" : "file estate")} store (known: {string.Join(", ", Reports.Select(r => r.Name))})");
            var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            int offset = 0, limit = DefaultLimit;
            foreach (var p in o.EnumerateObject())
            {
                if (p.Name == "report") continue;
                if (p.Name is "offset" or "limit")
                {
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int n) || n < (p.Name == "offset" ? 0 : 1) || (p.Name == "limit" && n > MaxLimit))
                        return Fail(p.Name == "offset" ? "offset: a whole number from 0" : $"limit: a whole number from 1 to {MaxLimit}");
                    if (p.Name == "offset") offset = n; else limit = n;
                    continue;
                }
                var parameter = report.Parameters.FirstOrDefault(x => x.Name == p.Name);
                if (parameter is null) return Fail($"{p.Name}: unknown field for {report.Name} (known: {string.Join(", ", report.Parameters.Select(x => x.Name).Append("offset").Append("limit"))})");
                if (p.Value.ValueKind == JsonValueKind.Null) continue;
                bool fits = parameter.Kind switch
                {
                    "bool" => p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                    "list" => p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String),
                    _ => p.Value.ValueKind == JsonValueKind.String,
                };
                if (!fits) return Fail($"{p.Name}: expected {(parameter.Kind == "bool" ? "true or false" : parameter.Kind == "list" ? "an array of strings" : "a string")}");
                values[p.Name] = p.Value;
            }
            foreach (var p in report.Parameters)
                if (p.Required && !values.ContainsKey(p.Name)) return Fail($"{p.Name}: missing ({p.Description})");
            string? Text(string name) => values.TryGetValue(name, out var v) ? v.GetString() : null;

            lock (_gate)
            {
                IEnumerable<Action<Utf8JsonWriter>> rows;
                string? error = null;
                if (_store.IsDirectory) rows = DirectoryRows(report.Name, Text, values, ref error);
                else rows = FileRows(report.Name, Text, values, ref error);
                if (error is not null) return Fail(error);
                // One row more than the page tells whether there is a next page, without counting the whole result.
                var page = rows.Skip(offset).Take(limit + 1).ToList();
                return Write(json =>
                {
                    json.WriteString("report", report.Name);
                    json.WriteNumber("offset", offset);
                    json.WriteNumber("limit", limit);
                    json.WriteBoolean("more", page.Count > limit);
                    json.WriteStartArray("rows");
                    foreach (var row in page.Take(limit)) row(json);
                    json.WriteEndArray();
                });
            }
        }
    }

    private IEnumerable<Action<Utf8JsonWriter>> FileRows(string report, Func<string, string?> text, Dictionary<string, JsonElement> values, ref string? error)
    {
        switch (report)
        {
            case "who-can":
            {
                if (!AuditCommand.TryRight(_store, text("right")!, out var query, out var why)) { error = $"right: {why}"; return []; }
                return AccessQueries.WhoCan(_store, query, text("path")).Select(Row);
            }
            case "where":
            {
                var found = AccessQueries.FindPrincipals(_store, text("principal")!);
                if (found.Count == 0) { error = $"principal: {AuditCommand.NoPrincipal(text("principal"))}"; return []; }
                RightQuery? query = null;
                if (text("right") is { } r)
                {
                    if (!AuditCommand.TryRight(_store, r, out var q, out var why)) { error = $"right: {why}"; return []; }
                    query = q;
                }
                string? path = text("path");
                return found.SelectMany(p => AccessQueries.Where(_store, p.Id, query, path)).Select(Row);
            }
            default:
            {
                var all = Enum.GetValues<DriftKind>();
                var chosen = new List<DriftKind>();
                if (values.TryGetValue("kinds", out var kinds))
                    foreach (var k in kinds.EnumerateArray().Select(v => v.GetString()!))
                    {
                        var match = all.Where(x => DriftQueries.Name(x) == k).ToList();
                        if (match.Count == 0) { error = $"kinds: unknown kind '{k}'"; return []; }
                        chosen.AddRange(match);
                    }
                if (chosen.Count == 0) chosen.AddRange(all);
                return DriftQueries.Find(_store, chosen, text("path")).Select(r => (Action<Utf8JsonWriter>)(json => JsonSerializer.Serialize(json, AuditCommand.DriftJson(r))));
            }
        }
        static Action<Utf8JsonWriter> Row(AccessRow row) => json => JsonSerializer.Serialize(json, AuditCommand.AccessRowJson(row));
    }

    private IEnumerable<Action<Utf8JsonWriter>> DirectoryRows(string report, Func<string, string?> text, Dictionary<string, JsonElement> values, ref string? error)
    {
        switch (report)
        {
            case "who-can":
            {
                if (!DirectoryRight.TryParse(text("right")!, DirectoryQueries.Schema(_store), out var r, out var why)) { error = $"right: {why}"; return []; }
                return DirectoryQueries.WhoCan(_store, r!, text("on")).Select(x => Row("", x));
            }
            case "where":
            {
                var found = DirectoryQueries.FindPrincipals(_store, text("principal")!);
                if (found.Count == 0) { error = $"principal: {AuditCommand.NoPrincipal(text("principal"))}"; return []; }
                string? on = text("on");
                return found.SelectMany(p => DirectoryQueries.Where(_store, p.Id, on)).Select(x => Row("", x));
            }
            default:
            {
                bool admins = values.TryGetValue("includeAdmins", out var a) && a.ValueKind == JsonValueKind.True;
                return DirectoryQueries.Dangerous(_store, admins).Select(d => Row(d.Finding, d.Row));
            }
        }
        static Action<Utf8JsonWriter> Row(string finding, DirectoryAccessRow row) => json => JsonSerializer.Serialize(json, AuditCommand.DirectoryRowJson(finding, row));
    }

    /// <inheritdoc/>
    public ApiAnswer Explain(string request)
    {
        if (!TryObject(request, out var root, out var bad)) return bad;
        using (root)
        {
            var o = root!.RootElement;
            string? path = null, principal = null, right = null;
            foreach (var p in o.EnumerateObject())
            {
                if (p.Name is not ("path" or "principal" or "right")) return Fail($"{p.Name}: unknown field (known: path, principal, right)");
                if (p.Value.ValueKind == JsonValueKind.Null) continue;
                if (p.Value.ValueKind != JsonValueKind.String) return Fail($"{p.Name}: expected a string");
                if (p.Name == "path") path = p.Value.GetString(); else if (p.Name == "principal") principal = p.Value.GetString(); else right = p.Value.GetString();
            }
            if (path is null) return Fail(_store.IsDirectory ? "path: missing (the object's DN)" : "path: missing (the object's path as stored)");
            if (principal is null) return Fail("principal: missing (a name or a user SID)");
            lock (_gate)
            {
                return _store.IsDirectory ? ExplainDirectory(path, principal, right) : ExplainFile(path, principal, right);
            }
        }
    }

    private ApiAnswer ExplainFile(string path, string principal, string? right)
    {
        var objects = CellExplainer.FindObjects(_store, path);
        if (objects.Count == 0) return Fail($"path: no object '{path}' in the scan");
        var principals = AccessQueries.FindPrincipals(_store, principal);
        if (principals.Count == 0) return Fail($"principal: {AuditCommand.NoPrincipal(principal)}");
        uint desired = AccessMask.MaximumAllowed;
        if (right is not null)
        {
            if (!AuditCommand.TryRight(_store, right, out var q, out var why)) return Fail($"right: {why}");
            desired = q.Mask;
        }
        var cells = objects.SelectMany(x => principals.Select(p => (x.Seq, p.Id))).Take(MaxCells).Select(c => CellExplainer.Explain(_store, c.Seq, c.Id, desired)).ToList();
        return Write(json =>
        {
            json.WriteString("kind", "files");
            json.WriteStartArray("cells");
            foreach (var cell in cells)
            {
                var type = cell.IsDirectory == true ? ObjectTypes.Directory : ObjectTypes.File;
                string? Name(Sid sid) => cell.Names.TryGetValue(sid, out var n) ? n : WellKnownSids.GetAccountName(sid);
                json.WriteStartObject();
                json.WriteString("path", cell.Path);
                json.WriteString("status", cell.Status);
                json.WriteString("principal", cell.Principal);
                json.WriteString("objectType", type.Name);
                json.WriteString("sddl", cell.Descriptor?.ToSddl());
                json.WriteBoolean("ownerKnown", cell.OwnerKnown);
                json.WriteString("desired", Hex.Mask(cell.Desired));
                if (cell.StoredGranted is uint stored) json.WriteString("stored", Hex.Mask(stored)); else json.WriteNull("stored");
                json.WriteString("effective", Hex.Mask(cell.Effective));
                json.WriteStartArray("effectiveRights");
                foreach (var n in type.RightNames(cell.Effective)) json.WriteStringValue(n);
                json.WriteEndArray();
                json.WritePropertyName("explanation");
                if (cell.File is { } file) CheckRenderer.WriteExplanation(json, file, type, Name); else json.WriteNullValue();
                json.WritePropertyName("share");
                if (cell.Share is { } share) CheckRenderer.WriteExplanation(json, share, type, Name); else json.WriteNullValue();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    private ApiAnswer ExplainDirectory(string dn, string principal, string? right)
    {
        var objects = DirectoryQueries.FindObjects(_store, dn);
        if (objects.Count == 0) return Fail($"path: no object '{dn}' in the scan");
        var principals = DirectoryQueries.FindPrincipals(_store, principal);
        if (principals.Count == 0) return Fail($"principal: {AuditCommand.NoPrincipal(principal)}");
        DirectoryRight? question = null;
        if (right is not null && !DirectoryRight.TryParse(right, DirectoryQueries.Schema(_store), out question, out var why)) return Fail($"right: {why}");
        var cells = objects.SelectMany(x => principals.Select(p => (x.Seq, p.Id))).Take(MaxCells).Select(c => DirectoryExplainer.Explain(_store, c.Seq, c.Id, question)).ToList();
        var type = ObjectTypes.DirectoryServiceObject;
        return Write(json =>
        {
            json.WriteString("kind", "directory");
            json.WriteStartArray("cells");
            foreach (var cell in cells)
            {
                string? Name(Sid sid) => cell.Names.TryGetValue(sid, out var n) ? n : WellKnownSids.GetAccountName(sid);
                json.WriteStartObject();
                json.WriteString("path", cell.Dn);
                json.WriteString("objectClass", cell.ObjectClass);
                json.WriteString("principal", cell.Principal);
                json.WriteString("objectType", type.Name);
                json.WriteString("right", cell.Right?.Name);
                json.WriteString("sddl", cell.Descriptor?.ToSddl());
                json.WriteString("granted", Hex.Mask(cell.Granted));
                json.WriteBoolean("answer", cell.Answer);
                if (cell.Stored is uint stored) json.WriteString("stored", Hex.Mask(stored)); else json.WriteNull("stored");
                json.WritePropertyName("explanation");
                if (cell.Check is { } check) CheckRenderer.WriteExplanation(json, check, type, Name); else json.WriteNullValue();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    private static bool TryObject(string body, out JsonDocument? document, out ApiAnswer bad)
    {
        bad = default;
        if (!JsonText.TryParse(body, out document, out var syntax))
        {
            bad = Fail($"not valid JSON: {syntax}");
            return false;
        }
        if (document!.RootElement.ValueKind == JsonValueKind.Object) return true;
        document.Dispose();
        document = null;
        bad = Fail("the body must be a JSON object");
        return false;
    }

    private static ApiAnswer Fail(string reason) => new(false, WebServer.Error(reason));

    private static ApiAnswer Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            json.WriteStartObject();
            json.WriteNumber("version", WebServer.Version);
            body(json);
            json.WriteNull("error");
            json.WriteEndObject();
        }
        return new ApiAnswer(true, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    public void Dispose() => _store.Dispose();
}
