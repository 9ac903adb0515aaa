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
    /// <param name="error">
    /// The first mistake: its kind (an alias that needs the scenario's <c>domain</c> is
    /// <see cref="ParseErrorKind.DomainSidNeeded"/>, a name the document does not declare
    /// <see cref="ParseErrorKind.UndefinedReference"/>), its line and column in the document and the path of the
    /// value (<c>steps[3].access</c>), and the reason.
    /// </param>
    public static bool TryRead(ScenarioNode root, ScenarioReadOptions? options, out Scenario? scenario, out ParseError? error)
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
            error = new ParseError(e.Kind, new ParseLocation(null, e.Node.At.Line, e.Node.At.Column + e.ColumnShift, PathOf(root, e.Node)), e.Message);
            return false;
        }
    }

    /// <summary>
    /// The path of <paramref name="target"/> from <paramref name="root"/> (<c>steps[3].access</c>; a mapping key's path
    /// is its entry's). Found only when reporting an error, so the reader does not carry paths while it reads; a node
    /// shared through a YAML alias gets the path of its first appearance, each node searched once.
    /// </summary>
    public static string PathOf(ScenarioNode root, ScenarioNode target)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(target);
        var seen = new HashSet<ScenarioNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(ScenarioNode Node, string Path)>();
        stack.Push((root, ""));
        while (stack.Count > 0)
        {
            var (node, path) = stack.Pop();
            if (ReferenceEquals(node, target)) return path;
            if (!seen.Add(node)) continue;
            switch (node)
            {
                case ScenarioMapping m:
                    for (int i = m.Entries.Count - 1; i >= 0; i--)
                    {
                        var (k, v) = m.Entries[i];
                        string at = path.Length == 0 ? k.Value : path + "." + k.Value;
                        if (ReferenceEquals(k, target)) return at;
                        stack.Push((v, at));
                    }
                    break;
                case ScenarioSequence q:
                    for (int i = q.Items.Count - 1; i >= 0; i--)
                        stack.Push((q.Items[i], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]")));
                    break;
            }
        }
        return "";
    }
}

/// <summary>
/// A mistake found while reading, thrown to the reader's entry point: its kind, the node it is about (which gives the
/// line, column and path) and, for an error inside a one-line value, how many columns into the value it is.
/// </summary>
internal sealed class ScenarioException(ParseErrorKind kind, ScenarioNode node, string reason, int columnShift = 0) : Exception(reason)
{
    public ParseErrorKind Kind => kind;

    public ScenarioNode Node => node;

    public int ColumnShift => columnShift;
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
        var steps = map.Get("steps") ?? throw new ScenarioException(ParseErrorKind.Missing, map, "the scenario has no 'steps'");
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
                throw new ScenarioException(importError!.Kind, saved, $"{Text(saved)}:{importError!.Line}:{importError.Column}: {importError.Reason}");
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
            throw new ScenarioException(error!.Kind, node, $"{where}: {error}");
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
            throw new ScenarioException(ParseErrorKind.WrongType, node, "'policies' is a list of central access policies (as for check --policies) or {file: policies.json}");
        }
        if (!JsonText.TryParse(json, out var document, out var syntax, allowComments: true))
            throw new ScenarioException(syntax!.Kind, node, $"{where}: not valid JSON: line {syntax!.Line}, column {syntax.Column}: {syntax.Reason}");
        using (document)
        {
            if (!CentralAccessPolicy.TryReadList(document!.RootElement, Context, out var read, out var why))
                throw new ScenarioException(why!.Kind, node, $"{where}: {why}");
            return read;
        }
    }

    private string ResolveFile(ScenarioNode node, string what)
    {
        string path = Path.GetFullPath(Text(node), options.BaseDirectory);
        if (!File.Exists(path)) throw new ScenarioException(ParseErrorKind.UndefinedReference, node, $"{what} '{Text(node)}' not found");
        return path;
    }

    private DesktopDeclaration ReadDesktop(ScenarioNode node)
    {
        if (node is ScenarioScalar s) return Desktop(s.Value, null, node);
        var map = Map(node, "a desktop");
        Keys(map, ["name", "sddl"]);
        var name = Text(Req(map, "name"));
        return Desktop(name, map.Get("sddl") is { } sddl ? ParseSd(sddl) : null, node);
    }

    private DesktopDeclaration Desktop(string name, SecurityDescriptor? sd, ScenarioNode node)
    {
        if (name.Contains('\\', StringComparison.Ordinal)) throw new ScenarioException(ParseErrorKind.Syntax, node, $"give the desktop's name within WinSta0 ('{name[(name.LastIndexOf('\\') + 1)..]}')");
        if (!_desktops.Add("WinSta0\\" + name)) throw new ScenarioException(ParseErrorKind.Duplicate, node, $"desktop '{name}' is declared twice");
        return new DesktopDeclaration(name, sd) { At = node.At };
    }

    private ObjectDeclaration ReadObject(ScenarioNode node)
    {
        var map = Map(node, "an object");
        Keys(map, ["name", "type", "sddl", "hex", "base64"]);
        var nameNode = Req(map, "name");
        string name = Text(nameNode);
        var typeNode = Req(map, "type");
        var type = ObjectTypes.Find(Text(typeNode)) ?? throw new ScenarioException(ParseErrorKind.UnknownName, typeNode, $"unknown object type '{Text(typeNode)}' (one of: {string.Join(", ", ObjectTypes.All.Select(t => t.Keys[0]))})");
        SecurityDescriptor sd;
        if (map.Get("sddl") is { } sddl) sd = ParseSd(sddl);
        else if (map.Get("hex") is { } hex) sd = ParseBinary(hex, DescriptorFormat.Hex);
        else if (map.Get("base64") is { } b64) sd = ParseBinary(b64, DescriptorFormat.Base64);
        else throw new ScenarioException(ParseErrorKind.Missing, node, $"object '{name}' needs a descriptor: 'sddl', 'hex' or 'base64'");
        if (sd.Owner is null || sd.Group is null) throw new ScenarioException(ParseErrorKind.Missing, node, $"object '{name}': an object's descriptor needs an owner (O:) and a group (G:)");
        if (!_objects.TryAdd(name, type)) throw new ScenarioException(ParseErrorKind.Duplicate, nameNode, $"object '{name}' is declared twice");
        return new ObjectDeclaration(name, type, sd) { At = node.At };
    }

    private ProcessDeclaration ReadProcess(ScenarioNode node)
    {
        var map = Map(node, "a process");
        Keys(map, ["name", "token", "desktop", "threads"]);
        var nameNode = Req(map, "name");
        string name = Text(nameNode);
        if (name.Contains('/', StringComparison.Ordinal)) throw new ScenarioException(ParseErrorKind.Syntax, nameNode, "a process name cannot contain '/'");
        var tokenNode = Req(map, "token");
        if (!_tokens.Contains(Text(tokenNode))) throw new ScenarioException(ParseErrorKind.UndefinedReference, tokenNode, $"no token named '{Text(tokenNode)}' (declare it under 'tokens')");
        string desktop = ProcessDeclaration.DefaultDesktop;
        if (map.Get("desktop") is { } dn)
        {
            // "none": a process with no desktop, as a service on its own non-interactive window station is here.
            desktop = Text(dn) == "none" ? "none" : Text(dn).Contains('\\', StringComparison.Ordinal) ? Text(dn) : "WinSta0\\" + Text(dn);
            if (desktop != "none" && !_desktops.Contains(desktop)) throw new ScenarioException(ParseErrorKind.UndefinedReference, dn, $"no desktop '{Text(dn)}' (declare it under 'desktops', or write 'none')");
        }
        var threads = new List<string>();
        if (map.Get("threads") is { } tn)
            foreach (var t in Seq(tn, "threads")) threads.Add(Text(t));
        if (threads.Count == 0) threads.Add("main");
        if (threads.Distinct().Count() != threads.Count) throw new ScenarioException(ParseErrorKind.Duplicate, map.Get("threads") ?? map, $"process '{name}' names a thread twice");
        AddProcess(name, threads, nameNode);
        return new ProcessDeclaration(name, Text(tokenNode), desktop) { Threads = threads, At = node.At };
    }

    private void AddProcess(string name, IEnumerable<string> threads, ScenarioNode at)
    {
        if (!_threads.Add(name)) throw new ScenarioException(ParseErrorKind.Duplicate, at, $"process '{name}' is declared twice");
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
                if (kind is not null) throw new ScenarioException(ParseErrorKind.Duplicate, k, $"a step has one kind; '{kind.Name}' and '{key}' are both here");
                kind = found;
                argsNode = v;
            }
            else throw new ScenarioException(ParseErrorKind.UnknownName, k, $"unknown step kind '{key}' (one of: {string.Join(", ", StepKinds.All.Select(s => s.Name))})");
        }
        if (kind is null) throw new ScenarioException(ParseErrorKind.Missing, node, "the step names no kind");
        var args = argsNode is ScenarioScalar { Value: "" } ? new ScenarioMapping([], argsNode.At) : Map(argsNode!, $"the arguments of '{kind.Name}'");
        Keys(args, ["thread", .. kind.Keys]);
        string thread = args.Get("thread") is { } tn ? ThreadRef(tn) : scenario.Processes.Count > 0 ? scenario.Processes[0].Name : throw new ScenarioException(ParseErrorKind.Missing, node, "the step names no 'thread' and no process is declared");
        var step = kind.Read(new StepReader(this, args, node, kind.Name));
        foreach (var name in step.Defines)
        {
            switch (name.Kind)
            {
                case DefinedName.Window: _windows.Add(name.Name); break;
                case DefinedName.Process:
                    AddProcess(name.Name, ["main"], args);
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
            if (!AccessRightNames.TryParse(Text(g), null, out uint mask, out string? why)) throw new ScenarioException(ParseErrorKind.UnknownName, g, why!);
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
        Win32Error.TryParse(Text(node), out int code) ? code : throw new ScenarioException(ParseErrorKind.UnknownName, node, $"unknown error '{Text(node)}' (an ERROR_ name NtSec knows, or a number)");

    private static NtStatus Status(ScenarioNode node)
    {
        string t = Text(node);
        if (NtStatus.TryParse(t, out var s)) return s;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && uint.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint v)) return new NtStatus(v);
        throw new ScenarioException(ParseErrorKind.UnknownName, node, $"unknown status '{t}' (a STATUS_ name or a 0x value)");
    }

    public string ThreadRef(ScenarioNode node)
    {
        string t = Text(node);
        if (!_threads.Contains(t)) throw new ScenarioException(ParseErrorKind.UndefinedReference, node, $"no thread '{t}' (write a process name for its main thread, or process/thread)");
        return t;
    }

    public Sid ParseSid(ScenarioNode node, SidContext context)
    {
        if (!new SidNameResolver(context).TryResolve(Text(node), out var sid, out var error)) throw new ScenarioException(error!.Kind, node, $"'{Text(node)}': {error.Reason}");
        return sid;
    }

    public SecurityDescriptor ParseSd(ScenarioNode node)
    {
        if (!Sddl.SddlParser.TryParse(Text(node), Context, out var sd, out var error))
        {
            // A scalar on one line: the error's position is a column offset from the value's start (after a quote).
            int offset = node is ScenarioScalar { Style: ScenarioScalarStyle.Quoted } ? 1 : 0;
            throw new ScenarioException(error!.Kind, node, $"SDDL: {error.Reason}", offset + error.Position);
        }
        return sd!;
    }

    private SecurityDescriptor ParseBinary(ScenarioNode node, DescriptorFormat format)
    {
        if (!DescriptorText.TryDecode(Text(node), format, Context, out var decoded, out var error)) throw new ScenarioException(error!.Kind, node, $"{format}: {error}");
        return decoded!.Descriptor;
    }

    public static ScenarioMapping Map(ScenarioNode node, string what) =>
        node as ScenarioMapping ?? throw new ScenarioException(ParseErrorKind.WrongType, node, $"{what} must be a mapping (key: value lines)");

    public static IReadOnlyList<ScenarioNode> Seq(ScenarioNode node, string what) =>
        node is ScenarioSequence s ? s.Items : throw new ScenarioException(ParseErrorKind.WrongType, node, $"{what} must be a list ('- item' lines)");

    public static void Keys(ScenarioMapping map, IReadOnlyList<string> allowed)
    {
        foreach (var (k, _) in map.Entries)
            if (!allowed.Contains(k.Value, StringComparer.Ordinal))
                throw new ScenarioException(ParseErrorKind.UnknownName, k, $"unknown key '{k.Value}' here (expected one of: {string.Join(", ", allowed)})");
    }

    public static ScenarioNode Req(ScenarioMapping map, string key) => map.Get(key) ?? throw new ScenarioException(ParseErrorKind.Missing, map, $"'{key}' is required here");

    private static string? OptText(ScenarioMapping map, string key) => map.Get(key) is { } v ? Text(v) : null;

    public static string Text(ScenarioNode node) => node is ScenarioScalar s ? s.Value : throw new ScenarioException(ParseErrorKind.WrongType, node, "a single value is expected here");

    public static bool Bool(ScenarioNode node) => Text(node).ToLowerInvariant() switch
    {
        "true" or "yes" => true,
        "false" or "no" => false,
        _ => throw new ScenarioException(ParseErrorKind.WrongType, node, $"'{Text(node)}' is not true or false"),
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
internal sealed class StepReader(ReadContext context, ScenarioMapping args, ScenarioNode step, string kind)
{
    public SourceMark At => step.At;

    public string Kind => kind;

    public ReadContext Context => context;

    public ScenarioNode? Opt(string key) => args.Get(key);

    public ScenarioNode Req(string key) => args.Get(key) ?? throw Missing(key);

    public ScenarioException Missing(string key, string? how = null) => new(ParseErrorKind.Missing, step, $"'{kind}' needs '{key}'{how}");

    public ScenarioException Fail(ParseErrorKind errorKind, string message) => new(errorKind, step, message);

    public static ScenarioException Fail(ParseErrorKind kind, ScenarioNode node, string message) => new(kind, node, message);

    public static string Text(ScenarioNode node) => ReadContext.Text(node);

    public bool Flag(string key) => args.Get(key) is { } v && ReadContext.Bool(v);

    /// <summary>An access mask parsed for <paramref name="type"/>'s right names (null: standard and generic names only).</summary>
    public AccessRequest? Access(ObjectTypeInfo? type, bool required)
    {
        if (args.Get("access") is not { } an) return required ? throw Missing("access") : null;
        string text = Text(an);
        if (!AccessRightNames.TryParse(text, type, out uint mask, out string? why)) throw Fail(ParseErrorKind.UnknownName, an, why!);
        return new AccessRequest(mask, text);
    }

    public HandleRef? Handle(string key, bool required)
    {
        if (args.Get(key) is not { } node) return required ? throw Missing(key) : null;
        if (node is ScenarioScalar { Value: "" or "null" or "~" }) return HandleRef.Null;
        string h = Text(node);
        if (HandleRef.PseudoHandles.Contains(h, StringComparer.OrdinalIgnoreCase) || AccessRightNames.TryParseNumber(h, out _) || context.IsHandle(h)) return new HandleRef(h);
        throw Fail(ParseErrorKind.UndefinedReference, node, $"no handle named '{h}' (a step before this one must save it with 'as', or use NULL, a number, or one of: {string.Join(", ", HandleRef.PseudoHandles.Skip(1))})");
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
        if (p != "self" && (!context.IsThread(p) || p.Contains('/', StringComparison.Ordinal))) throw Fail(ParseErrorKind.UndefinedReference, node, $"no process '{p}'");
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
        throw Fail(ParseErrorKind.UndefinedReference, node, $"no object named '{name}' (declare it under 'objects')");
    }

    public ObjectTypeInfo? Type(string key = "type") =>
        args.Get(key) is { } node ? ObjectTypes.Find(Text(node)) ?? throw Fail(ParseErrorKind.UnknownName, node, $"unknown object type '{Text(node)}'") : null;

    public SecurityImpersonationLevel? Level(bool required)
    {
        if (args.Get("level") is not { } node) return required ? throw Missing("level") : null;
        return Text(node).ToLowerInvariant() switch
        {
            "anonymous" or "securityanonymous" => SecurityImpersonationLevel.Anonymous,
            "identification" or "securityidentification" => SecurityImpersonationLevel.Identification,
            "impersonation" or "securityimpersonation" => SecurityImpersonationLevel.Impersonation,
            "delegation" or "securitydelegation" => SecurityImpersonationLevel.Delegation,
            _ => throw Fail(ParseErrorKind.UnknownName, node, $"impersonation level '{Text(node)}' is not anonymous, identification, impersonation or delegation"),
        };
    }

    public TokenInformationClass InfoClass()
    {
        var node = args.Get("class") ?? throw Missing("class");
        string t = Text(node).Replace("-", "", StringComparison.Ordinal);
        if (!t.StartsWith("Token", StringComparison.OrdinalIgnoreCase)) t = "Token" + t;
        if (Enum.TryParse<TokenInformationClass>(t, ignoreCase: true, out var c) && Enum.IsDefined(c)) return c;
        throw Fail(ParseErrorKind.UnknownName, node, $"unknown token information class '{Text(node)}' (one of: {string.Join(", ", Enum.GetNames<TokenInformationClass>())})");
    }

    public IReadOnlyList<Sid> Sids(string key) => args.Get(key) is { } node ? [.. ReadContext.Seq(node, "a SID list").Select(n => context.ParseSid(n, context.Context))] : [];

    public Sid Sid(string key) => context.ParseSid(args.Get(key) ?? throw new ScenarioException(ParseErrorKind.Missing, args, $"'{key}' is required here"), context.Context);

    public IReadOnlyList<Luid> Privileges(string key)
    {
        if (args.Get(key) is not { } node) return [];
        var list = new List<Luid>();
        foreach (var n in ReadContext.Seq(node, "a privilege list"))
        {
            if (!Tokens.Privileges.TryGetLuid(Text(n), out var luid)) throw Fail(ParseErrorKind.UnknownName, n, $"unknown privilege '{Text(n)}'");
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
        if (HandleRef.PseudoHandles.Contains(n, StringComparer.OrdinalIgnoreCase) || AccessRightNames.TryParseNumber(n, out _)) throw Fail(ParseErrorKind.NotAllowedHere, node, $"'{n}' cannot be a handle name");
        return n;
    }

    public string? Desktop(bool required)
    {
        if (args.Get("desktop") is not { } node) return required ? throw Missing("desktop") : null;
        string desktop = Text(node).Contains('\\', StringComparison.Ordinal) ? Text(node) : "WinSta0\\" + Text(node);
        if (!context.IsDesktop(desktop)) throw Fail(ParseErrorKind.UndefinedReference, node, $"no desktop '{Text(node)}' (declare it under 'desktops')");
        return desktop;
    }

    public string Window()
    {
        var node = args.Get("window") ?? throw Missing("window");
        string window = Text(node);
        if (!context.IsWindow(window)) throw Fail(ParseErrorKind.UndefinedReference, node, $"no window named '{window}' (a create-window or find-window step before this one must name it with 'as')");
        return window;
    }

    public uint Message()
    {
        var node = args.Get("message") ?? throw Missing("message");
        return WindowMessages.TryParse(Text(node), out uint m) ? m : throw Fail(ParseErrorKind.UnknownName, node, $"unknown message '{Text(node)}' (a WM_ name or a number)");
    }

    /// <summary>A value for NtSetInformationToken of <paramref name="c"/>.</summary>
    public object SetValue(TokenInformationClass c)
    {
        var node = args.Get("value") ?? throw new ScenarioException(ParseErrorKind.Missing, args, "'value' is required here");
        return c switch
        {
            TokenInformationClass.TokenOwner or TokenInformationClass.TokenPrimaryGroup or TokenInformationClass.TokenIntegrityLevel => context.ParseSid(node, context.Context),
            TokenInformationClass.TokenSessionId => AccessRightNames.TryParseNumber(Text(node), out uint n) ? n : throw Fail(ParseErrorKind.WrongType, node, "a session ID is a number"),
            TokenInformationClass.TokenDefaultDacl => Text(node) is "null" or "NULL" ? new TokenDefaultDacl(null) : new TokenDefaultDacl(context.ParseSd(node).Dacl),
            TokenInformationClass.TokenMandatoryPolicy => AccessRightNames.TryParseNumber(Text(node), out uint p) ? (MandatoryPolicy)p : throw Fail(ParseErrorKind.WrongType, node, "a mandatory policy is a number (1 NO_WRITE_UP, 2 NEW_PROCESS_MIN)"),
            _ => throw Fail(ParseErrorKind.Unsupported, node, $"NtSec's scenarios cannot set {c}; set TokenOwner, TokenPrimaryGroup, TokenDefaultDacl, TokenIntegrityLevel, TokenSessionId or TokenMandatoryPolicy"),
        };
    }
}
