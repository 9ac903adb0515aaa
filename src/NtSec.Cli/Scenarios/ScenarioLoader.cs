using System.Globalization;
using System.Text;
using System.Text.Json;
using NtSec.Authorization;
using NtSec.Cli.Input;
using NtSec.Descriptors;
using NtSec.Kernel;
using NtSec.Principals;
using NtSec.Tokens;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NtSec.Cli.Scenarios;

/// <summary>
/// Reads a scenario file (YAML) into a <see cref="Scenario"/>, checking everything that can be checked before a step
/// runs: unknown keys, SIDs, rights, descriptors, tokens, and references to processes, threads, objects and handle
/// names. The first mistake is reported with its line and column.
/// </summary>
internal static class ScenarioLoader
{
    /// <summary>The step kinds and the argument keys each accepts (besides <c>thread</c>).</summary>
    public static IReadOnlyDictionary<string, string[]> StepKinds { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["impersonate-self"] = ["level"],
        ["impersonate"] = ["token"],
        ["set-thread-token"] = ["target", "token"],
        ["revert"] = [],
        ["impersonate-anonymous"] = ["target"],
        ["impersonate-thread"] = ["client", "level", "effective-only"],
        ["open-process-token"] = ["process", "handle", "access", "as"],
        ["open-thread-token"] = ["target", "handle", "access", "open-as-self", "as"],
        ["duplicate-token"] = ["token", "access", "level", "type", "effective-only", "as"],
        ["restrict-token"] = ["token", "disable-max-privilege", "write-restricted", "sandbox-inert", "lua-token", "deny-only", "delete-privileges", "restricting-sids", "as"],
        ["adjust-privileges"] = ["token", "enable", "disable", "remove", "disable-all"],
        ["adjust-groups"] = ["token", "enable", "disable", "reset"],
        ["query-token"] = ["token", "class"],
        ["set-token"] = ["token", "class", "value"],
        ["is-token-restricted"] = ["token"],
        ["check-membership"] = ["token", "sid"],
        ["create-process"] = ["token", "image", "desktop", "inherit-handles", "suspended", "as"],
        ["resume-thread"] = ["target"],
        ["open"] = ["object", "access", "as"],
        ["open-process"] = ["process", "access", "as"],
        ["open-thread"] = ["target", "access", "as"],
        ["duplicate-handle"] = ["handle", "to", "access", "same-access", "close-source", "as"],
        ["close"] = ["handle"],
        ["access-check"] = ["token", "object", "sddl", "type", "access"],
        ["create-object"] = ["object", "name", "type", "sddl", "access", "as"],
        ["create-window"] = ["name", "as"],
        ["find-window"] = ["name", "as"],
        ["send-message"] = ["window", "message"],
        ["post-message"] = ["window", "message"],
        ["set-thread-desktop"] = ["desktop"],
    };

    private static readonly string[] PseudoHandles = ["NULL", "current-process", "current-thread", "current-process-token", "current-thread-token", "current-thread-effective-token"];

    /// <summary>Loads a scenario from YAML text.</summary>
    /// <param name="yaml">The file's text.</param>
    /// <param name="baseDirectory">Where relative file names (token files) resolve.</param>
    /// <param name="scenario">The scenario.</param>
    /// <param name="error">The first mistake.</param>
    public static bool TryLoad(string yaml, string baseDirectory, out Scenario? scenario, out ScenarioError? error)
    {
        scenario = null;
        if (TooDeep(yaml) is { } deep)
        {
            error = deep;
            return false;
        }
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1) throw new Failure(new Mark(1, 1), "a scenario file holds one YAML document");
            var reader = new Reader(Path.GetFullPath(baseDirectory));
            scenario = reader.Read(stream.Documents[0].RootNode);
            error = null;
            return true;
        }
        catch (YamlException e)
        {
            // An unclosed flow collection is noticed where the document ends; point at the bracket instead.
            string message = StripMark(e.Message);
            error = (message.Contains("expected ','", StringComparison.Ordinal) ? UnclosedBracket(yaml) : null)
                ?? (message.Contains("tab", StringComparison.OrdinalIgnoreCase) ? FirstIndentingTab(yaml, message) : null)
                ?? new ScenarioError(new Mark((int)e.Start.Line, (int)e.Start.Column), "YAML: " + message);
            return false;
        }
        catch (ArgumentException)
        {
            // YamlDotNet's representation model throws this for an event it cannot place (an alias after a flow
            // mapping, `a: {b: c} *x`): the parser itself accepted the event, so report where it is.
            error = new ScenarioError(LastEvent(yaml), "YAML: unexpected content here (an alias or value where none can follow)");
            return false;
        }
        catch (Failure f)
        {
            error = f.Error;
            return false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16 throws this, without a position, on some unbalanced flow collections.
            error = UnclosedBracket(yaml) ?? new ScenarioError(new Mark(1, 1), "YAML: the document cannot be parsed");
            return false;
        }
    }

    /// <summary>The deepest nesting a scenario may have: YamlDotNet recurses once per level and would overflow the stack.</summary>
    public const int MaxNesting = 64;

    // Flow collections ('[', '{') and compact block sequences ('- - -') nest without limit in YAML; the library
    // recurses per level, so the depth is bounded here, before it parses.
    private static ScenarioError? TooDeep(string yaml)
    {
        int depth = 0;
        var lines = yaml.Split('\n');
        for (int l = 0; l < lines.Length; l++)
        {
            string line = lines[l];
            char quote = '\0';
            int dashes = 0;
            bool leading = true;
            for (int c = 0; c < line.Length; c++)
            {
                char ch = line[c];
                if (quote != '\0')
                {
                    if (ch == quote) quote = '\0';
                    continue;
                }
                if (leading && ch == '-' && (c + 1 == line.Length || line[c + 1] == ' '))
                {
                    if (++dashes > MaxNesting) return new ScenarioError(new Mark(l + 1, c + 1), $"YAML: nested more than {MaxNesting} levels deep");
                    continue;
                }
                if (ch != ' ') leading = false;
                if (ch is '"' or '\'') quote = ch;
                else if (ch == '#' && (c == 0 || char.IsWhiteSpace(line[c - 1]))) break;
                else if (ch is '[' or '{')
                {
                    if (++depth > MaxNesting) return new ScenarioError(new Mark(l + 1, c + 1), $"YAML: nested more than {MaxNesting} levels deep");
                }
                else if (ch is ']' or '}' && depth > 0) depth--;
            }
        }
        return null;
    }

    // A tab where indentation is expected: YamlDotNet reports the start of the enclosing mapping; point at the tab.
    private static ScenarioError? FirstIndentingTab(string yaml, string message)
    {
        var lines = yaml.Split('\n');
        for (int l = 0; l < lines.Length; l++)
        {
            int c = 0;
            while (c < lines[l].Length && lines[l][c] is ' ' or '\t')
            {
                if (lines[l][c] == '\t') return new ScenarioError(new Mark(l + 1, c + 1), "YAML: " + message.TrimEnd('.') + " (YAML indents with spaces only)");
                c++;
            }
        }
        return null;
    }

    // The position of the last event the YAML parser produced before the document could not be built.
    private static Mark LastEvent(string yaml)
    {
        var last = new Mark(1, 1);
        try
        {
            var parser = new Parser(new StringReader(yaml));
            while (parser.MoveNext())
                if (parser.Current is { } e and not (YamlDotNet.Core.Events.DocumentEnd or YamlDotNet.Core.Events.StreamEnd or YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd))
                    last = new Mark((int)e.Start.Line, (int)e.Start.Column);
        }
        catch (YamlException)
        {
            // The position reached so far is the answer.
        }
        return last;
    }

    // Finds the first '[' or '{' (outside quotes and comments) that is never closed.
    private static ScenarioError? UnclosedBracket(string yaml)
    {
        var open = new Stack<(char C, Mark At)>();
        var lines = yaml.Split('\n');
        for (int l = 0; l < lines.Length; l++)
        {
            char quote = '\0';
            for (int c = 0; c < lines[l].Length; c++)
            {
                char ch = lines[l][c];
                if (quote != '\0')
                {
                    if (ch == quote) quote = '\0';
                    continue;
                }
                if (ch is '"' or '\'') quote = ch;
                else if (ch == '#' && (c == 0 || char.IsWhiteSpace(lines[l][c - 1]))) break;
                else if (ch is '[' or '{') open.Push((ch, new Mark(l + 1, c + 1)));
                else if (ch is ']' or '}' && open.Count > 0) open.Pop();
            }
        }
        if (open.Count == 0) return null;
        var first = open.Last();
        return new ScenarioError(first.At, $"YAML: '{first.C}' is not closed");
    }

    // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: ...) - (Line: ...): "; the mark is reported separately.
    private static string StripMark(string message)
    {
        int i = message.LastIndexOf("): ", StringComparison.Ordinal);
        return i >= 0 ? message[(i + 3)..] : message;
    }

    private sealed class Failure(Mark at, string message) : Exception(message)
    {
        public ScenarioError Error { get; } = new(at, message);
    }

    private static Mark At(YamlNode node) => new((int)node.Start.Line, (int)node.Start.Column);

    private sealed class Reader(string baseDirectory)
    {
        private SidContext _context = new();
        private readonly HashSet<string> _threads = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ProcessDeclaration> _processes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ObjectTypeInfo> _objects = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _handles = new(StringComparer.Ordinal);
        private readonly HashSet<string> _windows = new(StringComparer.Ordinal);
        private readonly HashSet<string> _desktops = new(StringComparer.OrdinalIgnoreCase) { "WinSta0\\Default" };

        public Scenario Read(YamlNode root)
        {
            var map = Map(root, "the scenario");
            Keys(map, ["name", "description", "domain", "machine", "tokens", "policies", "desktops", "objects", "processes", "steps"]);
            _context = new SidContext(
                Domain: Opt(map, "domain") is { } d ? ParseSid(d, SidContext.None) : null,
                MachineDomain: Opt(map, "machine") is { } m ? ParseSid(m, SidContext.None) : null);
            var scenario = new Scenario
            {
                Name = OptText(map, "name") ?? "scenario",
                Description = OptText(map, "description"),
                Context = _context,
            };
            if (Opt(map, "tokens") is { } tokens)
                foreach (var (k, v) in Map(tokens, "tokens").Children)
                    scenario.Tokens[Text(k)] = ReadToken(v, Text(k));
            if (Opt(map, "policies") is { } policies) scenario.Policies = ReadPolicies(policies);
            if (Opt(map, "desktops") is { } desktops)
                foreach (var dd in Seq(desktops, "desktops")) scenario.Desktops.Add(ReadDesktop(dd));
            if (Opt(map, "objects") is { } objects)
                foreach (var o in Seq(objects, "objects")) scenario.Objects.Add(ReadObject(o));
            if (Opt(map, "processes") is { } processes)
                foreach (var p in Seq(processes, "processes")) scenario.Processes.Add(ReadProcess(p, scenario));
            var steps = Opt(map, "steps") ?? throw new Failure(At(map), "the scenario has no 'steps'");
            foreach (var s in Seq(steps, "steps")) scenario.Steps.Add(ReadStep(s, scenario));
            return scenario;
        }

        private Token ReadToken(YamlNode node, string name)
        {
            var map = Map(node, $"token '{name}'");
            string json;
            string where;
            if (map.Children.Count == 1 && Opt(map, "whoami") is { } saved)
            {
                // A saved `whoami /all` (table, list or CSV form).
                string path = Path.GetFullPath(Text(saved), baseDirectory);
                if (!File.Exists(path)) throw new Failure(At(saved), $"whoami output '{Text(saved)}' not found");
                if (!Import.WhoamiParser.TryParse(File.ReadAllText(path), out var imported, out var importError))
                    throw new Failure(At(saved), $"{Text(saved)}:{importError!.Line}:{importError.Column}: {importError.Reason}");
                return imported!.Token;
            }
            if (map.Children.Count == 1 && Opt(map, "file") is { } file)
            {
                string path = Path.GetFullPath(Text(file), baseDirectory);
                if (!File.Exists(path)) throw new Failure(At(file), $"token file '{Text(file)}' not found");
                json = File.ReadAllText(path);
                where = Text(file);
            }
            else
            {
                json = ToJson(map);
                where = $"token '{name}'";
            }
            if (!TokenJson.TryRead(json, _context, out var token, out var error))
                throw new Failure(At(node), $"{where}: {error}");
            return token!;
        }

        // The central access policies: the `check --policies` list written as YAML, or {file: policies.json}.
        private System.Collections.Immutable.ImmutableArray<NtSec.Authorization.Conditions.CentralAccessPolicy> ReadPolicies(YamlNode node)
        {
            string json, where;
            if (node is YamlMappingNode map && map.Children.Count == 1 && Opt(map, "file") is { } file)
            {
                string path = Path.GetFullPath(Text(file), baseDirectory);
                if (!File.Exists(path)) throw new Failure(At(file), $"policy file '{Text(file)}' not found");
                json = File.ReadAllText(path);
                where = Text(file);
            }
            else if (node is YamlSequenceNode)
            {
                json = ToJson(node);
                where = "policies";
            }
            else
            {
                throw new Failure(At(node), "'policies' is a list of central access policies (as for check --policies) or {file: policies.json}");
            }
            if (!JsonText.TryParse(json, out var document, out var syntax, allowComments: true))
                throw new Failure(At(node), $"{where}: not valid JSON: line {syntax!.Line}, column {syntax.Column}: {syntax.Reason}");
            using (document)
            {
                if (!NtSec.Authorization.Conditions.CentralAccessPolicy.TryReadList(document!.RootElement, _context, out var read, out string why))
                    throw new Failure(At(node), $"{where}: {why}");
                return read;
            }
        }

        private DesktopDeclaration ReadDesktop(YamlNode node)
        {
            if (node is YamlScalarNode s) return Desktop(Text(s), null, At(node));
            var map = Map(node, "a desktop");
            Keys(map, ["name", "sddl"]);
            var name = Text(Req(map, "name"));
            return Desktop(name, Opt(map, "sddl") is { } sddl ? ParseSd(sddl) : null, At(node));
        }

        private DesktopDeclaration Desktop(string name, SecurityDescriptor? sd, Mark at)
        {
            if (name.Contains('\\', StringComparison.Ordinal)) throw new Failure(at, $"give the desktop's name within WinSta0 ('{name[(name.LastIndexOf('\\') + 1)..]}')");
            if (!_desktops.Add("WinSta0\\" + name)) throw new Failure(at, $"desktop '{name}' is declared twice");
            return new DesktopDeclaration(name, sd, at);
        }

        private ObjectDeclaration ReadObject(YamlNode node)
        {
            var map = Map(node, "an object");
            Keys(map, ["name", "type", "sddl", "hex", "base64"]);
            var nameNode = Req(map, "name");
            string name = Text(nameNode);
            var typeNode = Req(map, "type");
            var type = ObjectTypes.Find(Text(typeNode)) ?? throw new Failure(At(typeNode), $"unknown object type '{Text(typeNode)}' (one of: {string.Join(", ", ObjectTypes.All.Select(t => t.Keys[0]))})");
            SecurityDescriptor sd;
            if (Opt(map, "sddl") is { } sddl) sd = ParseSd(sddl);
            else if (Opt(map, "hex") is { } hex) sd = ParseBinary(hex, InputFormat.Hex);
            else if (Opt(map, "base64") is { } b64) sd = ParseBinary(b64, InputFormat.Base64);
            else throw new Failure(At(node), $"object '{name}' needs a descriptor: 'sddl', 'hex' or 'base64'");
            if (sd.Owner is null || sd.Group is null) throw new Failure(At(node), $"object '{name}': an object's descriptor needs an owner (O:) and a group (G:)");
            if (!_objects.TryAdd(name, type)) throw new Failure(At(nameNode), $"object '{name}' is declared twice");
            return new ObjectDeclaration(name, type, sd, At(node));
        }

        private ProcessDeclaration ReadProcess(YamlNode node, Scenario scenario)
        {
            var map = Map(node, "a process");
            Keys(map, ["name", "token", "desktop", "threads"]);
            var nameNode = Req(map, "name");
            string name = Text(nameNode);
            if (name.Contains('/', StringComparison.Ordinal)) throw new Failure(At(nameNode), "a process name cannot contain '/'");
            var tokenNode = Req(map, "token");
            if (!scenario.Tokens.ContainsKey(Text(tokenNode))) throw new Failure(At(tokenNode), $"no token named '{Text(tokenNode)}' (declare it under 'tokens')");
            string desktop = "WinSta0\\Default";
            if (Opt(map, "desktop") is { } dn)
            {
                // "none": a process with no desktop, as a service on its own non-interactive window station is here.
                desktop = Text(dn) == "none" ? "none" : Text(dn).Contains('\\', StringComparison.Ordinal) ? Text(dn) : "WinSta0\\" + Text(dn);
                if (desktop != "none" && !_desktops.Contains(desktop)) throw new Failure(At(dn), $"no desktop '{Text(dn)}' (declare it under 'desktops', or write 'none')");
            }
            var threads = new List<string>();
            if (Opt(map, "threads") is { } tn)
                foreach (var t in Seq(tn, "threads")) threads.Add(Text(t));
            if (threads.Count == 0) threads.Add("main");
            if (threads.Distinct().Count() != threads.Count) throw new Failure(At(map), $"process '{name}' names a thread twice");
            AddProcess(name, threads, At(nameNode));
            var p = new ProcessDeclaration(name, Text(tokenNode), desktop, threads, At(node));
            _processes[name] = p;
            return p;
        }

        private void AddProcess(string name, IEnumerable<string> threads, Mark at)
        {
            if (!_threads.Add(name)) throw new Failure(at, $"process '{name}' is declared twice");
            foreach (var t in threads) _threads.Add(name + "/" + t);
        }

        private Step ReadStep(YamlNode node, Scenario scenario)
        {
            var map = Map(node, "a step");
            string? kind = null;
            YamlNode? argsNode = null;
            Expectation? expect = null;
            string? note = null;
            foreach (var (k, v) in map.Children)
            {
                string key = Text(k);
                if (key == "expect") expect = ReadExpect(v);
                else if (key == "note") note = Text(v);
                else if (StepKinds.ContainsKey(key))
                {
                    if (kind is not null) throw new Failure(At(k), $"a step has one kind; '{kind}' and '{key}' are both here");
                    kind = key;
                    argsNode = v;
                }
                else throw new Failure(At(k), $"unknown step kind '{key}' (one of: {string.Join(", ", StepKinds.Keys)})");
            }
            if (kind is null) throw new Failure(At(node), "the step names no kind");
            var args = argsNode is YamlScalarNode { Value: null or "" } ? new YamlMappingNode() : Map(argsNode!, $"the arguments of '{kind}'");
            Keys(args, ["thread", .. StepKinds[kind]]);
            string thread = Opt(args, "thread") is { } tn ? ThreadRef(tn) : scenario.Processes.Count > 0 ? scenario.Processes[0].Name : throw new Failure(At(node), "the step names no 'thread' and no process is declared");
            var a = ReadArgs(kind, args, At(node));
            if (a.As is { } name)
            {
                if (kind is "create-window" or "find-window")
                {
                    _windows.Add(name);
                }
                else if (kind == "create-process")
                {
                    AddProcess(name, ["main"], At(args));
                    _handles.Add(name + ".process");
                    _handles.Add(name + ".thread");
                }
                else
                {
                    _handles.Add(name);
                }
            }
            return new Step(kind, thread, At(node), a, expect, note);
        }

        private StepArgs ReadArgs(string kind, YamlMappingNode m, Mark at)
        {
            var flags = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in new[] { "open-as-self", "effective-only", "disable-max-privilege", "write-restricted", "sandbox-inert", "lua-token", "disable-all", "reset", "inherit-handles", "same-access", "close-source", "suspended" })
                if (Opt(m, f) is { } fv && Bool(fv)) flags.Add(f);
            ObjectTypeInfo? accessType = kind switch
            {
                "open-process-token" or "open-thread-token" or "duplicate-token" => ObjectTypes.Token,
                "open-process" => ObjectTypes.Process,
                "open-thread" => ObjectTypes.Thread,
                "open" => Opt(m, "object") is { } o ? ObjectTypeFor(o) : null,
                "create-object" => Opt(m, "type") is { } ct ? TypeOf(ct) : ObjectTypes.File,
                "access-check" => Opt(m, "object") is { } o2 ? ObjectTypeFor(o2) : Opt(m, "type") is { } t ? TypeOf(t) : null,
                _ => null,
            };
            uint? access = null;
            string? accessText = null;
            if (Opt(m, "access") is { } an)
            {
                accessText = Text(an);
                if (!AccessRightNames.TryParse(accessText, accessType, out uint mask, out string? why)) throw new Failure(At(an), why!);
                access = mask;
            }
            else if (kind is "open-process-token" or "open-thread-token" or "open" or "open-process" or "open-thread" or "access-check" or "create-object")
            {
                throw new Failure(at, $"'{kind}' needs 'access'");
            }
            else if (kind == "duplicate-handle" && !flags.Contains("same-access"))
            {
                throw new Failure(at, "'duplicate-handle' needs 'access' or 'same-access: true'");
            }

            bool needsToken = kind is "impersonate" or "duplicate-token" or "restrict-token" or "adjust-privileges" or "adjust-groups" or "query-token" or "set-token" or "is-token-restricted" or "access-check";
            HandleRef? token = Opt(m, "token") is { } tk ? HandleRefOf(tk) : needsToken ? throw new Failure(at, $"'{kind}' needs 'token'") : null;
            HandleRef? handle = Opt(m, "handle") is { } hn ? HandleRefOf(hn) : kind is "close" or "duplicate-handle" ? throw new Failure(at, $"'{kind}' needs 'handle'") : null;
            string? target = Opt(m, "target") is { } tg ? ThreadRef(tg) : Opt(m, "client") is { } cl ? ThreadRef(cl) : null;
            if (kind == "impersonate-thread" && target is null) throw new Failure(at, "'impersonate-thread' needs 'client'");
            if (kind is "open-thread" or "resume-thread" && target is null) throw new Failure(at, $"'{kind}' needs 'target'");
            string? process = Opt(m, "process") is { } pn ? ProcessRef(pn) : Opt(m, "to") is { } to ? ProcessRef(to) : null;
            if (kind == "open-process" && process is null) throw new Failure(at, "'open-process' needs 'process'");
            string? obj = Opt(m, "object") is { } on ? ObjectRef(on) : null;
            if (kind is "open" or "create-object" && obj is null) throw new Failure(at, $"'{kind}' needs 'object'");
            SecurityImpersonationLevel? level = Opt(m, "level") is { } ln ? Level(ln) : null;
            if (kind is "impersonate-self" or "impersonate-thread" && level is null) throw new Failure(at, $"'{kind}' needs 'level'");
            TokenType? type = Opt(m, "type") is { } ty && kind == "duplicate-token" ? Text(ty).ToLowerInvariant() switch
            {
                "primary" => TokenType.Primary,
                "impersonation" => TokenType.Impersonation,
                _ => throw new Failure(At(ty), $"token type '{Text(ty)}' is not 'primary' or 'impersonation'"),
            } : null;
            var info = Opt(m, "class") is { } cn ? InfoClass(cn) : kind is "query-token" or "set-token" ? throw new Failure(at, $"'{kind}' needs 'class'") : (TokenInformationClass?)null;
            object? value = null;
            if (kind == "set-token") value = SetValue(info!.Value, Req(m, "value"));
            SecurityDescriptor? sd = null;
            ObjectTypeInfo? objectType = null;
            if (kind == "create-object")
            {
                // A file, directory or key created inside 'object' (a declared container or one an earlier step created);
                // later steps name it PARENT\name.
                if (Opt(m, "name") is not { } on2 || Text(on2).Length == 0 || Text(on2).Contains('\\', StringComparison.Ordinal))
                    throw new Failure(at, "'create-object' needs 'name' (one path element, no backslash)");
                objectType = accessType!;
                if (Opt(m, "sddl") is { } csd) sd = ParseSd(csd);
                _objects[obj + "\\" + Text(on2)] = objectType;
            }
            if (kind == "access-check")
            {
                if (obj is null && Opt(m, "sddl") is null) throw new Failure(at, "'access-check' needs 'object' or 'sddl'");
                if (Opt(m, "sddl") is { } sn) sd = ParseSd(sn);
                objectType = accessType ?? ObjectTypes.Generic;
            }
            string? desktop = null;
            if (Opt(m, "desktop") is { } dn)
            {
                desktop = Text(dn).Contains('\\', StringComparison.Ordinal) ? Text(dn) : "WinSta0\\" + Text(dn);
                if (!_desktops.Contains(desktop)) throw new Failure(At(dn), $"no desktop '{Text(dn)}' (declare it under 'desktops')");
            }
            string? asName = Opt(m, "as") is { } asn ? NewName(asn) : null;
            if (kind == "create-window" && asName is null) throw new Failure(at, "'create-window' needs 'as' (a name for the window)");
            if (kind == "set-thread-desktop" && desktop is null) throw new Failure(at, "'set-thread-desktop' needs 'desktop'");
            string? window = null;
            if (Opt(m, "window") is { } wn)
            {
                window = Text(wn);
                if (!_windows.Contains(window)) throw new Failure(At(wn), $"no window named '{window}' (a create-window or find-window step before this one must name it with 'as')");
            }
            else if (kind is "send-message" or "post-message") throw new Failure(at, $"'{kind}' needs 'window'");
            uint? message = null;
            if (Opt(m, "message") is { } mn)
            {
                if (!WindowMessages.TryParse(Text(mn), out uint msg)) throw new Failure(At(mn), $"unknown message '{Text(mn)}' (a WM_ name or a number)");
                message = msg;
            }
            else if (kind is "send-message" or "post-message") throw new Failure(at, $"'{kind}' needs 'message'");
            string? windowName = Opt(m, "name") is { } nn && kind != "create-object" ? Text(nn) : null;
            if (kind == "create-process" && asName is null) throw new Failure(at, "'create-process' needs 'as' (the new process's name)");
            IReadOnlyList<Sid> sids = kind switch
            {
                "restrict-token" => Sids(Opt(m, "deny-only")),
                "adjust-groups" => Sids(Opt(m, "enable")),
                "check-membership" => [ParseSid(Req(m, "sid"), _context)],
                _ => [],
            };
            return new StepArgs
            {
                Access = access,
                AccessText = accessText,
                Token = token,
                Handle = handle,
                Target = target,
                Process = process,
                Object = obj,
                As = asName,
                Level = level,
                TokenType = type,
                Flags = flags,
                Sids = sids,
                RestrictingSids = kind == "restrict-token" ? Sids(Opt(m, "restricting-sids")) : kind == "adjust-groups" ? Sids(Opt(m, "disable")) : [],
                Privileges = kind == "restrict-token" ? Privs(Opt(m, "delete-privileges")) : kind == "adjust-privileges" ? Privs(Opt(m, "enable")) : [],
                DisablePrivileges = kind == "adjust-privileges" ? Privs(Opt(m, "disable")) : [],
                RemovePrivileges = kind == "adjust-privileges" ? Privs(Opt(m, "remove")) : [],
                InformationClass = info,
                Value = value,
                Descriptor = sd,
                ObjectType = objectType,
                Desktop = desktop,
                Window = window,
                Message = message,
                WindowName = windowName,
                Name = kind == "create-object" ? Text(Req(m, "name")) : null,
            };
        }

        private ObjectTypeInfo ObjectTypeFor(YamlNode node)
        {
            string name = Text(node);
            if (_objects.TryGetValue(name, out var t)) return t;
            if (_desktops.Contains(name)) return ObjectTypes.Desktop;
            if (name.Equals("WinSta0", StringComparison.OrdinalIgnoreCase)) return ObjectTypes.WindowStation;
            throw new Failure(At(node), $"no object named '{name}' (declare it under 'objects')");
        }

        private string ObjectRef(YamlNode node)
        {
            ObjectTypeFor(node);
            return Text(node);
        }

        private static ObjectTypeInfo TypeOf(YamlNode node) =>
            ObjectTypes.Find(Text(node)) ?? throw new Failure(At(node), $"unknown object type '{Text(node)}'");

        private string ThreadRef(YamlNode node)
        {
            string t = Text(node);
            if (!_threads.Contains(t)) throw new Failure(At(node), $"no thread '{t}' (write a process name for its main thread, or process/thread)");
            return t;
        }

        private string ProcessRef(YamlNode node)
        {
            string p = Text(node);
            if (p != "self" && (!_threads.Contains(p) || p.Contains('/', StringComparison.Ordinal))) throw new Failure(At(node), $"no process '{p}'");
            return p;
        }

        private HandleRef HandleRefOf(YamlNode node)
        {
            if (node is YamlScalarNode { Value: null or "" or "null" or "~" }) return new HandleRef("NULL");
            string h = Text(node);
            if (PseudoHandles.Contains(h, StringComparer.OrdinalIgnoreCase) || AccessRightNames.TryParseNumber(h, out _) || _handles.Contains(h)) return new HandleRef(h);
            throw new Failure(At(node), $"no handle named '{h}' (a step before this one must save it with 'as', or use NULL, a number, or one of: {string.Join(", ", PseudoHandles[1..])})");
        }

        private string NewName(YamlNode node)
        {
            string n = Text(node);
            if (PseudoHandles.Contains(n, StringComparer.OrdinalIgnoreCase) || AccessRightNames.TryParseNumber(n, out _)) throw new Failure(At(node), $"'{n}' cannot be a handle name");
            return n;
        }

        private static SecurityImpersonationLevel Level(YamlNode node) => Text(node).ToLowerInvariant() switch
        {
            "anonymous" or "securityanonymous" => SecurityImpersonationLevel.Anonymous,
            "identification" or "securityidentification" => SecurityImpersonationLevel.Identification,
            "impersonation" or "securityimpersonation" => SecurityImpersonationLevel.Impersonation,
            "delegation" or "securitydelegation" => SecurityImpersonationLevel.Delegation,
            _ => throw new Failure(At(node), $"impersonation level '{Text(node)}' is not anonymous, identification, impersonation or delegation"),
        };

        private static TokenInformationClass InfoClass(YamlNode node)
        {
            string t = Text(node).Replace("-", "", StringComparison.Ordinal);
            if (!t.StartsWith("Token", StringComparison.OrdinalIgnoreCase)) t = "Token" + t;
            if (Enum.TryParse<TokenInformationClass>(t, ignoreCase: true, out var c) && Enum.IsDefined(c)) return c;
            throw new Failure(At(node), $"unknown token information class '{Text(node)}' (one of: {string.Join(", ", Enum.GetNames<TokenInformationClass>())})");
        }

        private object SetValue(TokenInformationClass c, YamlNode node) => c switch
        {
            TokenInformationClass.TokenOwner or TokenInformationClass.TokenPrimaryGroup or TokenInformationClass.TokenIntegrityLevel => ParseSid(node, _context),
            TokenInformationClass.TokenSessionId => AccessRightNames.TryParseNumber(Text(node), out uint n) ? n : throw new Failure(At(node), "a session ID is a number"),
            TokenInformationClass.TokenDefaultDacl => Text(node) is "null" or "NULL"
                ? new TokenDefaultDacl(null)
                : new TokenDefaultDacl(ParseSd(node).Dacl),
            TokenInformationClass.TokenMandatoryPolicy => AccessRightNames.TryParseNumber(Text(node), out uint p) ? (MandatoryPolicy)p : throw new Failure(At(node), "a mandatory policy is a number (1 NO_WRITE_UP, 2 NEW_PROCESS_MIN)"),
            _ => throw new Failure(At(node), $"NtSec's scenarios cannot set {c}; set TokenOwner, TokenPrimaryGroup, TokenDefaultDacl, TokenIntegrityLevel, TokenSessionId or TokenMandatoryPolicy"),
        };

        private Expectation ReadExpect(YamlNode node)
        {
            if (node is YamlScalarNode sc && Text(sc).StartsWith("ERROR_", StringComparison.Ordinal)) return new Expectation(null, null, null, null, Error(sc));
            if (node is YamlScalarNode) return new Expectation(Status(node), null, null, null);
            var map = Map(node, "expect");
            Keys(map, ["status", "error", "granted", "result", "value"]);
            uint? granted = null;
            if (Opt(map, "granted") is { } g)
            {
                if (!AccessRightNames.TryParse(Text(g), null, out uint mask, out string? why)) throw new Failure(At(g), why!);
                granted = mask;
            }
            return new Expectation(
                Opt(map, "status") is { } s ? Status(s) : null,
                granted,
                Opt(map, "result") is { } r ? Bool(r) : null,
                Opt(map, "value") is { } v ? Text(v) : null,
                Opt(map, "error") is { } e ? Error(e) : null);
        }

        private static int Error(YamlNode node) =>
            Win32ErrorNames.TryParse(Text(node), out int code) ? code : throw new Failure(At(node), $"unknown error '{Text(node)}' (an ERROR_ name NtSec knows, or a number)");

        private static NtStatus Status(YamlNode node)
        {
            string t = Text(node);
            if (NtStatus.TryParse(t, out var s)) return s;
            if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && uint.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint v)) return new NtStatus(v);
            throw new Failure(At(node), $"unknown status '{t}' (a STATUS_ name or a 0x value)");
        }

        private IReadOnlyList<Sid> Sids(YamlNode? node) => node is null ? [] : [.. Seq(node, "a SID list").Select(n => ParseSid(n, _context))];

        private static IReadOnlyList<Luid> Privs(YamlNode? node)
        {
            if (node is null) return [];
            var list = new List<Luid>();
            foreach (var n in Seq(node, "a privilege list"))
            {
                if (!Tokens.Privileges.TryGetLuid(Text(n), out var luid)) throw new Failure(At(n), $"unknown privilege '{Text(n)}'");
                list.Add(luid);
            }
            return list;
        }

        private static Sid ParseSid(YamlNode node, SidContext context)
        {
            if (!SidResolver.TryResolve(Text(node), context, out var sid, out var error)) throw new Failure(At(node), $"'{Text(node)}': {error!.Reason}");
            return sid;
        }

        private SecurityDescriptor ParseSd(YamlNode node)
        {
            if (!Sddl.SddlParser.TryParse(Text(node), _context, out var sd, out var error))
            {
                var at = At(node);
                // A plain or quoted scalar on one line: the error's position is a column offset from the value's start.
                int offset = node is YamlScalarNode { Style: ScalarStyle.DoubleQuoted or ScalarStyle.SingleQuoted } ? 1 : 0;
                throw new Failure(new Mark(at.Line, at.Column + offset + error!.Position), $"SDDL: {error.Reason}");
            }
            return sd!;
        }

        private SecurityDescriptor ParseBinary(YamlNode node, InputFormat format)
        {
            if (!DescriptorInput.TryDecode(Text(node), format, _context, out var decoded, out var error)) throw new Failure(At(node), $"{format}: {error}");
            return decoded!.Descriptor;
        }

        private static YamlMappingNode Map(YamlNode node, string what) =>
            node as YamlMappingNode ?? throw new Failure(At(node), $"{what} must be a mapping (key: value lines)");

        private static IEnumerable<YamlNode> Seq(YamlNode node, string what) =>
            node is YamlSequenceNode s ? s.Children : throw new Failure(At(node), $"{what} must be a list ('- item' lines)");

        private static void Keys(YamlMappingNode map, string[] allowed)
        {
            foreach (var k in map.Children.Keys)
                if (!allowed.Contains(Text(k), StringComparer.Ordinal))
                    throw new Failure(At(k), $"unknown key '{Text(k)}' here (expected one of: {string.Join(", ", allowed)})");
        }

        private static YamlNode? Opt(YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

        private static YamlNode Req(YamlMappingNode map, string key) => Opt(map, key) ?? throw new Failure(At(map), $"'{key}' is required here");

        private static string? OptText(YamlMappingNode map, string key) => Opt(map, key) is { } v ? Text(v) : null;

        private static string Text(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : throw new Failure(At(node), "a single value is expected here");

        private static bool Bool(YamlNode node) => Text(node).ToLowerInvariant() switch
        {
            "true" or "yes" => true,
            "false" or "no" => false,
            _ => throw new Failure(At(node), $"'{Text(node)}' is not true or false"),
        };

        // The token JSON form written as YAML: plain scalars that look like numbers, booleans or null become JSON
        // literals; everything else is a string.
        private static string ToJson(YamlNode node)
        {
            var sb = new StringBuilder();
            Write(node, sb);
            return sb.ToString();

            static void Write(YamlNode n, StringBuilder sb)
            {
                switch (n)
                {
                    case YamlMappingNode m:
                        sb.Append('{');
                        bool first = true;
                        foreach (var (k, v) in m.Children)
                        {
                            if (!first) sb.Append(',');
                            first = false;
                            sb.Append(JsonSerializer.Serialize(Text(k))).Append(':');
                            Write(v, sb);
                        }
                        sb.Append('}');
                        break;
                    case YamlSequenceNode s:
                        sb.Append('[');
                        for (int i = 0; i < s.Children.Count; i++)
                        {
                            if (i > 0) sb.Append(',');
                            Write(s.Children[i], sb);
                        }
                        sb.Append(']');
                        break;
                    case YamlScalarNode sc:
                        string value = sc.Value ?? "";
                        bool plain = sc.Style is ScalarStyle.Plain or ScalarStyle.Any;
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
}
