using System.Globalization;
using System.Text;
using System.Text.Json;
using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Kernel;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Scenarios;

/// <summary>What a reader needs from its host beyond the document.</summary>
public sealed record ScenarioReadOptions
{
    /// <summary>Where relative file names (token files, <c>whoami</c> output, policy files) resolve.</summary>
    public string BaseDirectory { get; init; } = ".";
}

/// <summary>
/// Reads a scenario document (<see cref="ScenarioNode"/>) into a <see cref="Scenario"/>, checking everything that can
/// be checked before a step runs: unknown keys (each step kind's from <see cref="StepKinds"/>), SIDs, rights,
/// descriptors, tokens, policies, and references to processes, threads, objects, windows and handle names. The first
/// mistake is reported with its position.
/// </summary>
public static class ScenarioReader
{
    /// <summary>Reads <paramref name="root"/>.</summary>
    /// <param name="root">The document's root (a mapping).</param>
    /// <param name="options">Where files resolve and how names parse; null for the defaults.</param>
    /// <param name="scenario">The scenario.</param>
    /// <param name="error">The first mistake.</param>
    public static bool TryRead(ScenarioNode root, ScenarioReadOptions? options, out Scenario? scenario, out ScenarioError? error)
    {
        ArgumentNullException.ThrowIfNull(root);
        try
        {
            scenario = new ReadContext(options ?? new ScenarioReadOptions()).Read(root);
            error = null;
            return true;
        }
        catch (ScenarioException e)
        {
            scenario = null;
            error = e.Error;
            return false;
        }
    }
}

/// <summary>A mistake found while reading, thrown to the reader's entry point.</summary>
internal sealed class ScenarioException(SourceMark at, string message) : Exception(message)
{
    public ScenarioError Error { get; } = new(at, message);
}

/// <summary>The reader's state: what the document has declared so far, which later references are checked against.</summary>
internal sealed class ReadContext(ScenarioReadOptions options)
{
    private readonly HashSet<string> _threads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObjectTypeInfo> _objects = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _handles = new(StringComparer.Ordinal);
    private readonly HashSet<string> _windows = new(StringComparer.Ordinal);
    private readonly HashSet<string> _desktops = new(StringComparer.OrdinalIgnoreCase) { ProcessDeclaration.DefaultDesktop };
    private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);

    public SidContext Context { get; private set; } = new();

    public Scenario Read(ScenarioNode root)
    {
        var map = Map(root, "the scenario");
        Keys(map, ["name", "description", "domain", "machine", "tokens", "policies", "desktops", "objects", "processes", "steps"]);
        Context = new SidContext(
            Domain: map.Get("domain") is { } d ? ParseSid(d, SidContext.None) : null,
            MachineDomain: map.Get("machine") is { } m ? ParseSid(m, SidContext.None) : null);
        var scenario = new Scenario
        {
            Name = OptText(map, "name") ?? "scenario",
            Description = OptText(map, "description"),
            Context = Context,
        };
        if (map.Get("tokens") is { } tokens)
            foreach (var (k, v) in Map(tokens, "tokens").Entries)
            {
                scenario.Tokens[k.Value] = ReadToken(v, k.Value);
                _tokens.Add(k.Value);
            }
        if (map.Get("policies") is { } policies) scenario.Policies.AddRange(ReadPolicies(policies));
        if (map.Get("desktops") is { } desktops)
            foreach (var dd in Seq(desktops, "desktops")) scenario.Desktops.Add(ReadDesktop(dd));
        if (map.Get("objects") is { } objects)
            foreach (var o in Seq(objects, "objects")) scenario.Objects.Add(ReadObject(o));
        if (map.Get("processes") is { } processes)
            foreach (var p in Seq(processes, "processes")) scenario.Processes.Add(ReadProcess(p));
        var steps = map.Get("steps") ?? throw new ScenarioException(map.At, "the scenario has no 'steps'");
        foreach (var s in Seq(steps, "steps")) scenario.Steps.Add(ReadStep(s, scenario));
        return scenario;
    }

    private Token ReadToken(ScenarioNode node, string name)
    {
        var map = Map(node, $"token '{name}'");
        string json;
        string where;
        if (map.Entries.Count == 1 && map.Get("whoami") is { } saved)
        {
            // A saved `whoami /all` (table, list or CSV form).
            string path = ResolveFile(saved, "whoami output");
            if (!WhoamiParser.TryParse(File.ReadAllText(path), out var imported, out var importError))
                throw new ScenarioException(saved.At, $"{Text(saved)}:{importError!.Line}:{importError.Column}: {importError.Reason}");
            return imported!.Token;
        }
        if (map.Entries.Count == 1 && map.Get("file") is { } file)
        {
            json = File.ReadAllText(ResolveFile(file, "token file"));
            where = Text(file);
        }
        else
        {
            // The token JSON form written inline: user, groups, privileges, and userClaims, deviceClaims and
            // deviceGroups as the token JSON has them.
            json = ToJson(map);
            where = $"token '{name}'";
        }
        if (!TokenJson.TryRead(json, Context, out var token, out var error))
            throw new ScenarioException(node.At, $"{where}: {error}");
        return token!;
    }

    // Central access policies: the definitions `ntsec check --policies` takes, inline or from a JSON file.
    private IEnumerable<CentralAccessPolicy> ReadPolicies(ScenarioNode node)
    {
        string json;
        string where;
        if (node is ScenarioMapping m && m.Entries.Count == 1 && m.Get("file") is { } file)
        {
            json = File.ReadAllText(ResolveFile(file, "policy file"));
            where = Text(file);
        }
        else if (node is ScenarioSequence)
        {
            json = ToJson(node);
            where = "policies";
        }
        else
        {
            throw new ScenarioException(node.At, "'policies' is a list of central access policies (as for check --policies) or {file: policies.json}");
        }
        if (!JsonText.TryParse(json, out var document, out var syntax, allowComments: true))
            throw new ScenarioException(node.At, $"{where}: not valid JSON: line {syntax!.Line}, column {syntax.Column}: {syntax.Reason}");
        using (document)
        {
            if (!CentralAccessPolicy.TryReadList(document!.RootElement, Context, out var read, out string why))
                throw new ScenarioException(node.At, $"{where}: {why}");
            return read;
        }
    }

    private string ResolveFile(ScenarioNode node, string what)
    {
        string path = Path.GetFullPath(Text(node), options.BaseDirectory);
        if (!File.Exists(path)) throw new ScenarioException(node.At, $"{what} '{Text(node)}' not found");
        return path;
    }

    private DesktopDeclaration ReadDesktop(ScenarioNode node)
    {
        if (node is ScenarioScalar s) return Desktop(s.Value, null, node.At);
        var map = Map(node, "a desktop");
        Keys(map, ["name", "sddl"]);
        var name = Text(Req(map, "name"));
        return Desktop(name, map.Get("sddl") is { } sddl ? ParseSd(sddl) : null, node.At);
    }

    private DesktopDeclaration Desktop(string name, SecurityDescriptor? sd, SourceMark at)
    {
        if (name.Contains('\\', StringComparison.Ordinal)) throw new ScenarioException(at, $"give the desktop's name within WinSta0 ('{name[(name.LastIndexOf('\\') + 1)..]}')");
        if (!_desktops.Add("WinSta0\\" + name)) throw new ScenarioException(at, $"desktop '{name}' is declared twice");
        return new DesktopDeclaration(name, sd) { At = at };
    }

    private ObjectDeclaration ReadObject(ScenarioNode node)
    {
        var map = Map(node, "an object");
        Keys(map, ["name", "type", "sddl", "hex", "base64"]);
        var nameNode = Req(map, "name");
        string name = Text(nameNode);
        var typeNode = Req(map, "type");
        var type = ObjectTypes.Find(Text(typeNode)) ?? throw new ScenarioException(typeNode.At, $"unknown object type '{Text(typeNode)}' (one of: {string.Join(", ", ObjectTypes.All.Select(t => t.Keys[0]))})");
        SecurityDescriptor sd;
        if (map.Get("sddl") is { } sddl) sd = ParseSd(sddl);
        else if (map.Get("hex") is { } hex) sd = ParseBinary(hex, DescriptorFormat.Hex);
        else if (map.Get("base64") is { } b64) sd = ParseBinary(b64, DescriptorFormat.Base64);
        else throw new ScenarioException(node.At, $"object '{name}' needs a descriptor: 'sddl', 'hex' or 'base64'");
        if (sd.Owner is null || sd.Group is null) throw new ScenarioException(node.At, $"object '{name}': an object's descriptor needs an owner (O:) and a group (G:)");
        if (!_objects.TryAdd(name, type)) throw new ScenarioException(nameNode.At, $"object '{name}' is declared twice");
        return new ObjectDeclaration(name, type, sd) { At = node.At };
    }

    private ProcessDeclaration ReadProcess(ScenarioNode node)
    {
        var map = Map(node, "a process");
        Keys(map, ["name", "token", "desktop", "threads"]);
        var nameNode = Req(map, "name");
        string name = Text(nameNode);
        if (name.Contains('/', StringComparison.Ordinal)) throw new ScenarioException(nameNode.At, "a process name cannot contain '/'");
        var tokenNode = Req(map, "token");
        if (!_tokens.Contains(Text(tokenNode))) throw new ScenarioException(tokenNode.At, $"no token named '{Text(tokenNode)}' (declare it under 'tokens')");
        string desktop = ProcessDeclaration.DefaultDesktop;
        if (map.Get("desktop") is { } dn)
        {
            // "none": a process with no desktop, as a service on its own non-interactive window station is here.
            desktop = Text(dn) == "none" ? "none" : Text(dn).Contains('\\', StringComparison.Ordinal) ? Text(dn) : "WinSta0\\" + Text(dn);
            if (desktop != "none" && !_desktops.Contains(desktop)) throw new ScenarioException(dn.At, $"no desktop '{Text(dn)}' (declare it under 'desktops', or write 'none')");
        }
        var threads = new List<string>();
        if (map.Get("threads") is { } tn)
            foreach (var t in Seq(tn, "threads")) threads.Add(Text(t));
        if (threads.Count == 0) threads.Add("main");
        if (threads.Distinct().Count() != threads.Count) throw new ScenarioException(map.At, $"process '{name}' names a thread twice");
        AddProcess(name, threads, nameNode.At);
        return new ProcessDeclaration(name, Text(tokenNode), desktop) { Threads = threads, At = node.At };
    }

    private void AddProcess(string name, IEnumerable<string> threads, SourceMark at)
    {
        if (!_threads.Add(name)) throw new ScenarioException(at, $"process '{name}' is declared twice");
        foreach (var t in threads) _threads.Add(name + "/" + t);
    }

    private ScenarioStep ReadStep(ScenarioNode node, Scenario scenario)
    {
        var map = Map(node, "a step");
        StepKind? kind = null;
        ScenarioNode? argsNode = null;
        Expectation? expect = null;
        string? note = null;
        foreach (var (k, v) in map.Entries)
        {
            string key = k.Value;
            if (key == "expect") expect = ReadExpect(v);
            else if (key == "note") note = Text(v);
            else if (StepKinds.Find(key) is { } found)
            {
                if (kind is not null) throw new ScenarioException(k.At, $"a step has one kind; '{kind.Name}' and '{key}' are both here");
                kind = found;
                argsNode = v;
            }
            else throw new ScenarioException(k.At, $"unknown step kind '{key}' (one of: {string.Join(", ", StepKinds.All.Select(s => s.Name))})");
        }
        if (kind is null) throw new ScenarioException(node.At, "the step names no kind");
        var args = argsNode is ScenarioScalar { Value: "" } ? new ScenarioMapping([], argsNode.At) : Map(argsNode!, $"the arguments of '{kind.Name}'");
        Keys(args, ["thread", .. kind.Keys]);
        string thread = args.Get("thread") is { } tn ? ThreadRef(tn) : scenario.Processes.Count > 0 ? scenario.Processes[0].Name : throw new ScenarioException(node.At, "the step names no 'thread' and no process is declared");
        var step = kind.Read(new StepReader(this, args, node.At, kind.Name));
        foreach (var name in step.Defines)
        {
            switch (name.Kind)
            {
                case DefinedName.Window: _windows.Add(name.Name); break;
                case DefinedName.Process:
                    AddProcess(name.Name, ["main"], args.At);
                    _handles.Add(name.Name + ".process");
                    _handles.Add(name.Name + ".thread");
                    break;
                default: _handles.Add(name.Name); break;
            }
        }
        return step with { Thread = thread, At = node.At, Expect = expect, Note = note };
    }

    // What a step's reader may look up and declare.
    public bool IsWindow(string name) => _windows.Contains(name);

    public bool IsDesktop(string name) => _desktops.Contains(name);

    public bool IsThread(string name) => _threads.Contains(name);

    public bool IsHandle(string name) => _handles.Contains(name);

    public bool TryObject(string name, out ObjectTypeInfo type) => _objects.TryGetValue(name, out type!);

    public void DeclareObject(string name, ObjectTypeInfo type) => _objects[name] = type;

    private static Expectation ReadExpect(ScenarioNode node)
    {
        if (node is ScenarioScalar sc && sc.Value.StartsWith("ERROR_", StringComparison.Ordinal)) return new Expectation(Error: Error(sc));
        if (node is ScenarioScalar) return new Expectation(Status(node));
        var map = Map(node, "expect");
        Keys(map, ["status", "error", "granted", "result", "value"]);
        uint? granted = null;
        if (map.Get("granted") is { } g)
        {
            if (!AccessRightNames.TryParse(Text(g), null, out uint mask, out string? why)) throw new ScenarioException(g.At, why!);
            granted = mask;
        }
        return new Expectation(
            map.Get("status") is { } s ? Status(s) : null,
            granted,
            map.Get("result") is { } r ? Bool(r) : null,
            map.Get("value") is { } v ? Text(v) : null,
            map.Get("error") is { } e ? Error(e) : null);
    }

    private static int Error(ScenarioNode node) =>
        Win32Error.TryParse(Text(node), out int code) ? code : throw new ScenarioException(node.At, $"unknown error '{Text(node)}' (an ERROR_ name NtSec knows, or a number)");

    private static NtStatus Status(ScenarioNode node)
    {
        string t = Text(node);
        if (NtStatus.TryParse(t, out var s)) return s;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && uint.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint v)) return new NtStatus(v);
        throw new ScenarioException(node.At, $"unknown status '{t}' (a STATUS_ name or a 0x value)");
    }

    public string ThreadRef(ScenarioNode node)
    {
        string t = Text(node);
        if (!_threads.Contains(t)) throw new ScenarioException(node.At, $"no thread '{t}' (write a process name for its main thread, or process/thread)");
        return t;
    }

    public Sid ParseSid(ScenarioNode node, SidContext context)
    {
        if (!new SidNameResolver(context).TryResolve(Text(node), out var sid, out var error)) throw new ScenarioException(node.At, $"'{Text(node)}': {error!.Reason}");
        return sid;
    }

    public SecurityDescriptor ParseSd(ScenarioNode node)
    {
        if (!Sddl.SddlParser.TryParse(Text(node), Context, out var sd, out var error))
        {
            // A scalar on one line: the error's position is a column offset from the value's start (after a quote).
            int offset = node is ScenarioScalar { Style: ScenarioScalarStyle.Quoted } ? 1 : 0;
            throw new ScenarioException(new SourceMark(node.At.Line, node.At.Column + offset + error!.Position), $"SDDL: {error.Reason}");
        }
        return sd!;
    }

    private SecurityDescriptor ParseBinary(ScenarioNode node, DescriptorFormat format)
    {
        if (!DescriptorText.TryDecode(Text(node), format, Context, out var decoded, out var error)) throw new ScenarioException(node.At, $"{format}: {error}");
        return decoded!.Descriptor;
    }

    public static ScenarioMapping Map(ScenarioNode node, string what) =>
        node as ScenarioMapping ?? throw new ScenarioException(node.At, $"{what} must be a mapping (key: value lines)");

    public static IReadOnlyList<ScenarioNode> Seq(ScenarioNode node, string what) =>
        node is ScenarioSequence s ? s.Items : throw new ScenarioException(node.At, $"{what} must be a list ('- item' lines)");

    public static void Keys(ScenarioMapping map, IReadOnlyList<string> allowed)
    {
        foreach (var (k, _) in map.Entries)
            if (!allowed.Contains(k.Value, StringComparer.Ordinal))
                throw new ScenarioException(k.At, $"unknown key '{k.Value}' here (expected one of: {string.Join(", ", allowed)})");
    }

    public static ScenarioNode Req(ScenarioMapping map, string key) => map.Get(key) ?? throw new ScenarioException(map.At, $"'{key}' is required here");

    private static string? OptText(ScenarioMapping map, string key) => map.Get(key) is { } v ? Text(v) : null;

    public static string Text(ScenarioNode node) => node is ScenarioScalar s ? s.Value : throw new ScenarioException(node.At, "a single value is expected here");

    public static bool Bool(ScenarioNode node) => Text(node).ToLowerInvariant() switch
    {
        "true" or "yes" => true,
        "false" or "no" => false,
        _ => throw new ScenarioException(node.At, $"'{Text(node)}' is not true or false"),
    };

    // The JSON forms (token JSON, policy definitions) written as a document: plain scalars that look like numbers,
    // booleans or null become JSON literals; everything else is a string.
    private static string ToJson(ScenarioNode node)
    {
        var sb = new StringBuilder();
        Write(node, sb);
        return sb.ToString();

        static void Write(ScenarioNode n, StringBuilder sb)
        {
            switch (n)
            {
                case ScenarioMapping m:
                    sb.Append('{');
                    for (int i = 0; i < m.Entries.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        sb.Append(JsonSerializer.Serialize(m.Entries[i].Key.Value)).Append(':');
                        Write(m.Entries[i].Value, sb);
                    }
                    sb.Append('}');
                    break;
                case ScenarioSequence s:
                    sb.Append('[');
                    for (int i = 0; i < s.Items.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        Write(s.Items[i], sb);
                    }
                    sb.Append(']');
                    break;
                case ScenarioScalar sc:
                    string value = sc.Value;
                    bool plain = sc.Style == ScenarioScalarStyle.Plain;
                    if (plain && (value is "true" or "false" or "null" || long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
                        sb.Append(value);
                    else if (plain && value is "" or "~")
                        sb.Append("null");
                    else
                        sb.Append(JsonSerializer.Serialize(value));
                    break;
            }
        }
    }
}

/// <summary>Reads one step's arguments: typed, checked against what the scenario declared, errors at the key's position.</summary>
internal sealed class StepReader(ReadContext context, ScenarioMapping args, SourceMark at, string kind)
{
    public SourceMark At => at;

    public string Kind => kind;

    public ReadContext Context => context;

    public ScenarioNode? Opt(string key) => args.Get(key);

    public ScenarioNode Req(string key) => args.Get(key) ?? throw Missing(key);

    public ScenarioException Missing(string key, string? how = null) => new(at, $"'{kind}' needs '{key}'{how}");

    public ScenarioException Fail(string message) => new(at, message);

    public static ScenarioException Fail(ScenarioNode node, string message) => new(node.At, message);

    public static string Text(ScenarioNode node) => ReadContext.Text(node);

    public bool Flag(string key) => args.Get(key) is { } v && ReadContext.Bool(v);

    /// <summary>An access mask parsed for <paramref name="type"/>'s right names (null: standard and generic names only).</summary>
    public AccessRequest? Access(ObjectTypeInfo? type, bool required)
    {
        if (args.Get("access") is not { } an) return required ? throw Missing("access") : null;
        string text = Text(an);
        if (!AccessRightNames.TryParse(text, type, out uint mask, out string? why)) throw Fail(an, why!);
        return new AccessRequest(mask, text);
    }

    public HandleRef? Handle(string key, bool required)
    {
        if (args.Get(key) is not { } node) return required ? throw Missing(key) : null;
        if (node is ScenarioScalar { Value: "" or "null" or "~" }) return HandleRef.Null;
        string h = Text(node);
        if (HandleRef.PseudoHandles.Contains(h, StringComparer.OrdinalIgnoreCase) || AccessRightNames.TryParseNumber(h, out _) || context.IsHandle(h)) return new HandleRef(h);
        throw Fail(node, $"no handle named '{h}' (a step before this one must save it with 'as', or use NULL, a number, or one of: {string.Join(", ", HandleRef.PseudoHandles.Skip(1))})");
    }

    public string? Thread(string key, bool required)
    {
        if (args.Get(key) is not { } node) return required ? throw Missing(key) : null;
        return context.ThreadRef(node);
    }

    public string? Process(string key, bool required)
    {
        if (args.Get(key) is not { } node) return required ? throw Missing(key) : null;
        string p = Text(node);
        if (p != "self" && (!context.IsThread(p) || p.Contains('/', StringComparison.Ordinal))) throw Fail(node, $"no process '{p}'");
        return p;
    }

    /// <summary>A declared object (or desktop, or WinSta0) and its type.</summary>
    public (string Name, ObjectTypeInfo Type)? Object(bool required)
    {
        if (args.Get("object") is not { } node) return required ? throw Missing("object") : null;
        string name = Text(node);
        if (context.TryObject(name, out var t)) return (name, t);
        if (context.IsDesktop(name)) return (name, ObjectTypes.Desktop);
        if (name.Equals("WinSta0", StringComparison.OrdinalIgnoreCase)) return (name, ObjectTypes.WindowStation);
        throw Fail(node, $"no object named '{name}' (declare it under 'objects')");
    }

    public ObjectTypeInfo? Type(string key = "type") =>
        args.Get(key) is { } node ? ObjectTypes.Find(Text(node)) ?? throw Fail(node, $"unknown object type '{Text(node)}'") : null;

    public SecurityImpersonationLevel? Level(bool required)
    {
        if (args.Get("level") is not { } node) return required ? throw Missing("level") : null;
        return Text(node).ToLowerInvariant() switch
        {
            "anonymous" or "securityanonymous" => SecurityImpersonationLevel.Anonymous,
            "identification" or "securityidentification" => SecurityImpersonationLevel.Identification,
            "impersonation" or "securityimpersonation" => SecurityImpersonationLevel.Impersonation,
            "delegation" or "securitydelegation" => SecurityImpersonationLevel.Delegation,
            _ => throw Fail(node, $"impersonation level '{Text(node)}' is not anonymous, identification, impersonation or delegation"),
        };
    }

    public TokenInformationClass InfoClass()
    {
        var node = args.Get("class") ?? throw Missing("class");
        string t = Text(node).Replace("-", "", StringComparison.Ordinal);
        if (!t.StartsWith("Token", StringComparison.OrdinalIgnoreCase)) t = "Token" + t;
        if (Enum.TryParse<TokenInformationClass>(t, ignoreCase: true, out var c) && Enum.IsDefined(c)) return c;
        throw Fail(node, $"unknown token information class '{Text(node)}' (one of: {string.Join(", ", Enum.GetNames<TokenInformationClass>())})");
    }

    public IReadOnlyList<Sid> Sids(string key) => args.Get(key) is { } node ? [.. ReadContext.Seq(node, "a SID list").Select(n => context.ParseSid(n, context.Context))] : [];

    public Sid Sid(string key) => context.ParseSid(args.Get(key) ?? throw new ScenarioException(args.At, $"'{key}' is required here"), context.Context);

    public IReadOnlyList<Luid> Privileges(string key)
    {
        if (args.Get(key) is not { } node) return [];
        var list = new List<Luid>();
        foreach (var n in ReadContext.Seq(node, "a privilege list"))
        {
            if (!Tokens.Privileges.TryGetLuid(Text(n), out var luid)) throw Fail(n, $"unknown privilege '{Text(n)}'");
            list.Add(luid);
        }
        return list;
    }

    public SecurityDescriptor? Sddl(string key = "sddl") => args.Get(key) is { } node ? context.ParseSd(node) : null;

    /// <summary>A new name for what the step makes (<c>as</c>): not a pseudo-handle name or a number.</summary>
    public string? NewName(bool required, string? how = null)
    {
        if (args.Get("as") is not { } node) return required ? throw Missing("as", how) : null;
        string n = Text(node);
        if (HandleRef.PseudoHandles.Contains(n, StringComparer.OrdinalIgnoreCase) || AccessRightNames.TryParseNumber(n, out _)) throw Fail(node, $"'{n}' cannot be a handle name");
        return n;
    }

    public string? Desktop(bool required)
    {
        if (args.Get("desktop") is not { } node) return required ? throw Missing("desktop") : null;
        string desktop = Text(node).Contains('\\', StringComparison.Ordinal) ? Text(node) : "WinSta0\\" + Text(node);
        if (!context.IsDesktop(desktop)) throw Fail(node, $"no desktop '{Text(node)}' (declare it under 'desktops')");
        return desktop;
    }

    public string Window()
    {
        var node = args.Get("window") ?? throw Missing("window");
        string window = Text(node);
        if (!context.IsWindow(window)) throw Fail(node, $"no window named '{window}' (a create-window or find-window step before this one must name it with 'as')");
        return window;
    }

    public uint Message()
    {
        var node = args.Get("message") ?? throw Missing("message");
        return WindowMessages.TryParse(Text(node), out uint m) ? m : throw Fail(node, $"unknown message '{Text(node)}' (a WM_ name or a number)");
    }

    /// <summary>A value for NtSetInformationToken of <paramref name="c"/>.</summary>
    public object SetValue(TokenInformationClass c)
    {
        var node = args.Get("value") ?? throw new ScenarioException(args.At, "'value' is required here");
        return c switch
        {
            TokenInformationClass.TokenOwner or TokenInformationClass.TokenPrimaryGroup or TokenInformationClass.TokenIntegrityLevel => context.ParseSid(node, context.Context),
            TokenInformationClass.TokenSessionId => AccessRightNames.TryParseNumber(Text(node), out uint n) ? n : throw Fail(node, "a session ID is a number"),
            TokenInformationClass.TokenDefaultDacl => Text(node) is "null" or "NULL" ? new TokenDefaultDacl(null) : new TokenDefaultDacl(context.ParseSd(node).Dacl),
            TokenInformationClass.TokenMandatoryPolicy => AccessRightNames.TryParseNumber(Text(node), out uint p) ? (MandatoryPolicy)p : throw Fail(node, "a mandatory policy is a number (1 NO_WRITE_UP, 2 NEW_PROCESS_MIN)"),
            _ => throw Fail(node, $"NtSec's scenarios cannot set {c}; set TokenOwner, TokenPrimaryGroup, TokenDefaultDacl, TokenIntegrityLevel, TokenSessionId or TokenMandatoryPolicy"),
        };
    }
}
