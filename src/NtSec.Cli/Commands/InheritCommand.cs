using System.CommandLine;
using System.Text.Json;
using NtSec.Authorization;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Descriptors;
using NtSec.Inheritance;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec inherit</c>: the descriptor Windows gives a new object from its parent's descriptor, the creator's
/// descriptor and the creator's token (CreatePrivateObjectSecurityEx / SeAssignSecurityEx); <c>--batch</c> also sets
/// descriptors (SetPrivateObjectSecurityEx) and re-propagates a parent's change to a child.
/// </summary>
internal static class InheritCommand
{
    private const string Name = "inherit";

    public static Command Create(Terminal terminal)
    {
        var parent = new Option<string?>("--parent") { Description = "The parent's descriptor: SDDL, or @FILE. Omit for an object without a parent.", HelpName = "SD" };
        var creator = new Option<string?>("--creator") { Description = "The descriptor the creator passes (SDDL or @FILE); omit for none.", HelpName = "SD" };
        var token = new Option<string?>("--token") { Description = "The creator's token: token JSON or saved 'whoami /all' output ('-' for standard input).", HelpName = "FILE" };
        var container = new Option<bool>("--container") { Description = "The new object is a container (a directory, a key; --type ds implies it)." };
        var objectType = new Option<string[]>("--object-type") { Description = "A class GUID of the new object (directory-service objects: the structural class, then auxiliary classes). May be repeated.", HelpName = "GUID", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true };
        var flags = new Option<string[]>("--flags") { Description = "SEF_* flags (" + string.Join(", ", AutoInheritFlagNames.All) + "); comma-separated or repeated. --type ds implies SEF_DACL_AUTO_INHERIT,SEF_SACL_AUTO_INHERIT.", HelpName = "SEF_...", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true };
        var type = CommonOptions.Type("The new object's type, for its generic mapping and right names: " + string.Join(", ", CommonOptions.TypeNames) + ". Default: file (directory with --container).");
        var mapping = CommonOptions.Mapping();
        var to = new Option<string?>("--to") { Description = "Print the descriptor converted instead of decoded: sddl, hex or base64.", HelpName = "sddl|hex|base64" };
        to.AcceptOnlyFromAmong("sddl", "hex", "base64");
        var icacls = new Option<bool>("--icacls") { Description = "Print the DACL as icacls lists it: NAME:(I)(OI)(CI)(NP)(IO)(rights)." };
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var json = CommonOptions.Json();
        var batch = new Option<bool>("--batch") { Description = "Read JSON lines from standard input ({\"id\",\"parent\",\"creator\",\"container\",\"objectTypes\",\"flags\",\"token\",\"type\"|\"mapping\"}; \"op\": \"set\" or \"propagate\" for the other operations, see docs/inheritance.md) and write {\"id\",\"sddl\",\"error\"} lines." };

        var input = new Option<string?>("--input") { Description = "With --batch: read the JSON lines from this file instead of standard input.", HelpName = "FILE" };

        var command = new Command(Name, "The descriptor a new object gets from its parent, the creator's descriptor and token (CreatePrivateObjectSecurityEx).")
        {
            parent, creator, token, container, objectType, flags, type, mapping, to, icacls, domain, machine, json, batch, input,
        };
        command.SetAction(parse =>
        {
            var context = CommonOptions.Context(parse, domain, machine);
            if (parse.GetValue(batch))
            {
                if (parse.GetValue(parent) is not null || parse.GetValue(creator) is not null || parse.GetValue(token) is not null)
                    return CommonOptions.UsageError(terminal, Name, "--batch reads every input from standard input; give no --parent, --creator or --token.");
                TextReader reader = terminal.In;
                if (parse.GetValue(input) is { } inputPath)
                {
                    if (!FileInput.TryReadAll(terminal, inputPath, out string inputText, out string? readError))
                    {
                        terminal.Error.WriteLine($"error: {readError}");
                        return ExitCodes.BadInput;
                    }
                    reader = new StringReader(inputText);
                }
                return RunBatch(terminal, reader, context);
            }
            if (parse.GetValue(input) is not null) return CommonOptions.UsageError(terminal, Name, "--input is for --batch.");
            if (parse.GetValue(token) is not { } tokenPath) return CommonOptions.UsageError(terminal, Name, "give the creator's token with --token FILE.");
            if (!TokenInput.TryLoad(terminal, tokenPath, context, out var tok, out string? tokenError))
            {
                terminal.Error.WriteLine($"error: {tokenError}");
                return ExitCodes.BadInput;
            }
            if (!TryDescriptor(terminal, parse.GetValue(parent), context, "--parent", out var parentSd, out int code)) return code;
            if (!TryDescriptor(terminal, parse.GetValue(creator), context, "--creator", out var creatorSd, out code)) return code;
            bool isContainer = parse.GetValue(container);
            if (!TryFlags(parse.GetValue(flags) ?? [], out var sef, out string? flagError)) return CommonOptions.UsageError(terminal, Name, "--flags: " + flagError);
            var guids = new List<Guid>();
            foreach (var g in parse.GetValue(objectType) ?? [])
            {
                if (!Guid.TryParse(g, out var guid)) return CommonOptions.UsageError(terminal, Name, $"--object-type needs a GUID such as bf967a9c-0de6-11d0-a285-00aa003049e2; got '{g}'.");
                guids.Add(guid);
            }
            var objType = ResolveType(parse.GetValue(type), isContainer);
            // Active Directory passes the auto-inherit flags, and its objects are always containers.
            if (objType == ObjectTypes.DirectoryServiceObject)
            {
                sef |= AutoInheritFlags.DaclAutoInherit | AutoInheritFlags.SaclAutoInherit;
                isContainer = true;
            }
            var map = parse.GetValue(mapping) is { } m && GenericMapping.TryParse(m, out var gm) ? gm : objType.GenericMapping;

            var result = SecurityInheritance.CreatePrivateObjectSecurity(parentSd, creatorSd, isContainer, SecuritySubject.FromToken(tok!), map,
                guids.Count == 0 ? null : guids, sef);
            var options = new RenderOptions { ObjectType = objType, Context = context };
            if (parse.GetValue(json))
            {
                InheritanceJson.Write(terminal.Out, result, options);
                return result.IsSuccess ? ExitCodes.Success : ExitCodes.BadInput;
            }
            if (!result.IsSuccess)
            {
                terminal.Error.WriteLine($"error: {result.Status}: {InheritanceText.Failure(result, context)}");
                return ExitCodes.BadInput;
            }
            var sd = result.Descriptor!;
            if (parse.GetValue(to) is { } target)
            {
                if (!DescriptorInput.TryConvert(new DecodedDescriptor(sd, InputFormat.Sddl, null, 0), target, context, out string converted, out var error))
                    return CommonOptions.InputError(terminal, error!);
                terminal.Out.WriteLine(converted);
                return ExitCodes.Success;
            }
            if (parse.GetValue(icacls))
            {
                if (sd.Dacl is null) terminal.Out.WriteLine(sd.DaclState == AclState.Null ? "(NULL DACL: everyone has full access)" : "(no DACL: everyone has full access)");
                else foreach (var line in IcaclsDisplay.FormatAcl(sd.Dacl, context)) terminal.Out.WriteLine(line);
                return ExitCodes.Success;
            }
            DescriptorRenderer.WriteText(terminal.Out, sd, options, terminal.Style);
            terminal.Out.WriteLine();
            foreach (var line in InheritanceText.Trace(result.Trace!)) terminal.Out.WriteLine(terminal.Style.Dim(line));
            return ExitCodes.Success;
        });
        return command;
    }

    private static ObjectTypeInfo ResolveType(string? name, bool isContainer)
        => name is not null && ObjectTypes.Find(name) is { } t ? t : isContainer ? ObjectTypes.Directory : ObjectTypes.File;

    private static bool TryFlags(IEnumerable<string> values, out AutoInheritFlags flags, out string? error)
    {
        flags = AutoInheritFlags.None;
        error = null;
        foreach (var v in values)
            foreach (var part in v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!AutoInheritFlagNames.TryParse(part, out var f))
                {
                    error = $"unknown flag '{part}' (known: {string.Join(", ", AutoInheritFlagNames.All)})";
                    return false;
                }
                flags |= f;
            }
        return true;
    }

    private static bool TryDescriptor(Terminal terminal, string? text, SidContext context, string what, out SecurityDescriptor? sd, out int code)
    {
        sd = null;
        code = ExitCodes.Success;
        if (text is null) return true;
        if (text.Length > 1 && text[0] == '@')
        {
            if (!FileInput.TryReadAll(terminal, text[1..], out text, out string? readError))
            {
                terminal.Error.WriteLine($"error: {readError}");
                code = ExitCodes.BadInput;
                return false;
            }
            text = text.Trim();
        }
        if (SddlParser.TryParse(text, context, out sd, out var error)) return true;
        terminal.Error.WriteLine($"error: {what}: {error!.Position}: {error.Reason}");
        code = ExitCodes.BadInput;
        return false;
    }

    // ----- --batch ----------------------------------------------------------------------------------------------

    private static int RunBatch(Terminal terminal, TextReader reader, SidContext context)
    {
        int rejected = 0;
        string? line;
        var progress = new Progress(terminal, "ntsec inherit --batch");
        var jsonOptions = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        while ((line = reader.ReadLine()) is not null)
        {
            progress.Step();
            if (string.IsNullOrWhiteSpace(line))
            {
                terminal.Out.WriteLine();
                continue;
            }
            string? sddl = null, error;
            JsonDocument? idDoc = null;
            if (!JsonText.TryParse(line, out var doc, out var syntax))
            {
                error = $"not valid JSON: {syntax}";
            }
            else
            {
                using (doc)
                {
                    var o = doc!.RootElement;
                    if (o.ValueKind != JsonValueKind.Object) error = "a line must be a JSON object";
                    else
                    {
                        if (o.TryGetProperty("id", out var i)) idDoc = JsonDocument.Parse(i.GetRawText());
                        error = RunOne(o, context, out sddl);
                    }
                }
            }
            if (error is not null) rejected++;
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, jsonOptions))
            {
                w.WriteStartObject();
                w.WritePropertyName("id");
                if (idDoc is null) w.WriteNullValue(); else idDoc.RootElement.WriteTo(w);
                if (sddl is null) w.WriteNull("sddl"); else w.WriteString("sddl", sddl);
                if (error is null) w.WriteNull("error"); else w.WriteString("error", error);
                w.WriteEndObject();
            }
            idDoc?.Dispose();
            terminal.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }
        progress.Done();
        return rejected == 0 ? ExitCodes.Success : ExitCodes.BadInput;
    }

    private static string? RunOne(JsonElement o, SidContext context, out string? sddl) => RunOne(o, context, out sddl, out _, out _);

    /// <summary>
    /// One <c>--batch</c> request: the error (null when it succeeded), the result's SDDL, and the library's result with
    /// the object type its rights are named for (null when the request was refused before the operation ran).
    /// </summary>
    internal static string? RunOne(JsonElement o, SidContext context, out string? sddl, out InheritanceResult? outcome, out ObjectTypeInfo objType)
    {
        sddl = null;
        outcome = null;
        objType = ObjectTypes.File;
        string op = o.TryGetProperty("op", out var opv) && opv.ValueKind == JsonValueKind.String ? opv.GetString()! : "create";
        if (!TryGetSd(o, "parent", context, out var parent, out string? error)) return error;
        bool isContainer = o.TryGetProperty("container", out var c) && c.ValueKind == JsonValueKind.True;
        if (o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String)
        {
            if (ObjectTypes.Find(t.GetString()!) is not { } found) return $"type: unknown object type '{t.GetString()}'";
            objType = found;
        }
        else if (isContainer) objType = ObjectTypes.Directory;
        // Directory-service objects are always containers.
        if (objType == ObjectTypes.DirectoryServiceObject && !(o.TryGetProperty("container", out var cf) && cf.ValueKind == JsonValueKind.False)) isContainer = true;
        var map = objType.GenericMapping;
        if (o.TryGetProperty("mapping", out var mv))
        {
            string? text = mv.ValueKind == JsonValueKind.String ? mv.GetString()
                : mv.ValueKind == JsonValueKind.Array ? string.Join(',', mv.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText())) : null;
            if (text is null || !GenericMapping.TryParse(text, out map)) return "mapping: four masks R,W,X,A such as \"0x120089,0x120116,0x1200a0,0x1f01ff\"";
        }
        var flags = objType == ObjectTypes.DirectoryServiceObject ? AutoInheritFlags.DaclAutoInherit | AutoInheritFlags.SaclAutoInherit : AutoInheritFlags.None;
        if (o.TryGetProperty("flags", out var fv))
        {
            IEnumerable<string> names = fv.ValueKind switch
            {
                JsonValueKind.Array => fv.EnumerateArray().Select(x => x.GetString() ?? ""),
                JsonValueKind.String => [fv.GetString()!],
                JsonValueKind.Null => [],
                _ => ["?"],
            };
            if (!TryFlags(names, out var f, out error)) return "flags: " + error;
            flags |= f;
        }
        List<Guid>? guids = null;
        if (o.TryGetProperty("objectTypes", out var ov) && ov.ValueKind == JsonValueKind.Array)
        {
            guids = [];
            foreach (var g in ov.EnumerateArray())
            {
                if (g.ValueKind != JsonValueKind.String || !Guid.TryParse(g.GetString(), out var guid)) return $"objectTypes: '{g.GetRawText()}' is not a GUID";
                guids.Add(guid);
            }
        }

        InheritanceResult result;
        switch (op)
        {
            case "create":
            {
                if (!TryGetSd(o, "creator", context, out var creator, out error)) return error;
                if (!TryGetSubject(o, context, out var subject, out error)) return error;
                result = SecurityInheritance.CreatePrivateObjectSecurity(parent, creator, isContainer, subject!, map, guids, flags);
                break;
            }
            case "set":
            {
                if (!TryGetSd(o, "current", context, out var current, out error)) return error;
                if (!TryGetSd(o, "new", context, out var modification, out error)) return error;
                if (current is null || modification is null) return "set needs \"current\" and \"new\" descriptors";
                if (!TryGetSubject(o, context, out var subject, out error)) return error;
                var parts = (SecurityInformation)0;
                if (o.TryGetProperty("securityInformation", out var si) && si.ValueKind == JsonValueKind.Array)
                {
                    foreach (var p in si.EnumerateArray())
                    {
                        var part = p.GetString()?.ToUpperInvariant() switch
                        {
                            "OWNER" => SecurityInformation.Owner,
                            "GROUP" => SecurityInformation.Group,
                            "DACL" => SecurityInformation.Dacl,
                            "SACL" => SecurityInformation.Sacl,
                            _ => (SecurityInformation?)null,
                        };
                        if (part is null) return $"securityInformation: unknown part '{p.GetRawText()}' (OWNER, GROUP, DACL, SACL)";
                        parts |= part.Value;
                    }
                }
                else
                {
                    if (modification.Owner is not null) parts |= SecurityInformation.Owner;
                    if (modification.Group is not null) parts |= SecurityInformation.Group;
                    if (modification.DaclState != AclState.Absent) parts |= SecurityInformation.Dacl;
                    if (modification.SaclState != AclState.Absent) parts |= SecurityInformation.Sacl;
                }
                result = SecurityInheritance.SetPrivateObjectSecurity(current, modification, parts, subject!, map, flags, isContainer, parent, guids);
                break;
            }
            case "propagate":
            {
                if (!TryGetSd(o, "child", context, out var child, out error)) return error;
                if (parent is null || child is null) return "propagate needs \"parent\" and \"child\" descriptors";
                var after = Propagation.Inherit(parent, SecurityTreeNode.Leaf("child", isContainer, child, guids), map, out _);
                result = new InheritanceResult(NtStatus.Success, after, InheritanceFailure.None, null, null);
                break;
            }
            default:
                return $"op: unknown operation '{op}' (create, set, propagate)";
        }
        outcome = result;
        if (!result.IsSuccess) return $"{result.Status.Name}: {InheritanceText.Failure(result, context)}";
        if (!SddlWriter.TryFormat(result.Descriptor!, context, SecurityInformation.All, out sddl, out string? formatError)) return "the result has no SDDL form: " + formatError;
        return null;
    }

    private static bool TryGetSd(JsonElement o, string name, SidContext context, out SecurityDescriptor? sd, out string? error)
    {
        sd = null;
        error = null;
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return true;
        if (v.ValueKind != JsonValueKind.String)
        {
            error = $"{name}: an SDDL string or null";
            return false;
        }
        if (SddlParser.TryParse(v.GetString(), context, out sd, out var e)) return true;
        error = $"{name}: {e!.Position}: {e.Reason}";
        return false;
    }

    private static bool TryGetSubject(JsonElement o, SidContext context, out SecuritySubject? subject, out string? error)
    {
        subject = null;
        error = null;
        if (!o.TryGetProperty("token", out var t) || t.ValueKind != JsonValueKind.Object)
        {
            error = "token: the creator's token as a token JSON object";
            return false;
        }
        if (!TokenJson.TryRead(t.GetRawText(), context, out var token, out var tokenError))
        {
            error = "token: " + TokenInput.Describe(tokenError!);
            return false;
        }
        subject = SecuritySubject.FromToken(token!);
        return true;
    }
}

/// <summary>The English of inheritance results, rendered at the edge from the data the library returns.</summary>
internal static class InheritanceText
{
    public static string Failure(InheritanceResult r, SidContext context) => r.Failure switch
    {
        InheritanceFailure.NoParentOwner => "SEF_DEFAULT_OWNER_FROM_PARENT, but there is no parent owner to take",
        InheritanceFailure.NoParentGroup => "SEF_DEFAULT_GROUP_FROM_PARENT, but there is no parent group to take",
        InheritanceFailure.NoPrimaryGroup => "the token has no primary group to give the object",
        InheritanceFailure.OwnerNotAssignable => $"the token may not make {Name(r.FailureSid, context)} the owner: it is neither the token's user nor a group marked SE_GROUP_OWNER, and SeRestorePrivilege is not enabled",
        InheritanceFailure.MissingOwner => "OWNER is set but the new descriptor has no owner",
        InheritanceFailure.MissingGroup => "GROUP is set but the new descriptor has no group",
        InheritanceFailure.SaclNeedsSecurityPrivilege => "the creator's descriptor has a SACL and SeSecurityPrivilege is not enabled",
        _ => r.Failure.ToString(),
    };

    public static IEnumerable<string> Trace(InheritanceTrace t)
    {
        yield return "Owner    " + Source(t.Owner, "owner") + t.OwnerCheck switch
        {
            OwnerCheck.RestorePrivilege => " (allowed by SeRestorePrivilege)",
            OwnerCheck.OwnerCapableSid => " (the token may assign it)",
            OwnerCheck.NotChecked => " (not checked: SEF_AVOID_OWNER_CHECK)",
            _ => "",
        };
        yield return "Group    " + Source(t.Group, "group");
        yield return "DACL     " + Source(t.Dacl, "DACL") + (t.CreatorDaclIgnored ? "; the creator's DACL was a default and lost to the parent's inheritable ACEs" : "")
                     + (t.DaclAutoInherit ? "; inherited ACEs marked INHERITED_ACE" : "");
        yield return "SACL     " + Source(t.Sacl, "SACL") + (t.SaclAutoInherit && t.Sacl is ComponentSource.Parent or ComponentSource.CreatorAndParent ? "; inherited ACEs marked INHERITED_ACE" : "")
                     + (t.LabelAdded ? "; a mandatory label at the creator's (low) integrity added" : "");
    }

    private static string Source(ComponentSource s, string what) => s switch
    {
        ComponentSource.Absent => "none",
        ComponentSource.Creator => "from the creator's descriptor",
        ComponentSource.Parent => what is "owner" or "group" ? "from the parent" : "inherited from the parent",
        ComponentSource.CreatorAndParent => "the creator's explicit ACEs, then the parent's inheritable ACEs",
        ComponentSource.Token => what switch { "owner" => "the token's default owner", "group" => "the token's primary group", "DACL" => "the token's default DACL (nothing inheritable, no explicit DACL)", _ => "from the token" },
        ComponentSource.Current => "kept from the current descriptor",
        _ => s.ToString(),
    };

    private static string Name(Sid? sid, SidContext context) => sid is { } s ? (WellKnownSids.GetAccountName(s, context) is { } n ? $"{n} ({s})" : s.ToString()) : "?";
}

/// <summary>
/// The JSON of <c>ntsec inherit --json</c>: <c>{"version", "status", "failure", "failureSid", "trace", "descriptor"}</c>,
/// the decisions as the library made them and the descriptor in the shape <c>ntsec sddl --json</c> writes.
/// </summary>
internal static class InheritanceJson
{
    public static void Write(TextWriter output, InheritanceResult result, RenderOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(json, result, options);
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>The same document into a writer (the web API embeds it as <c>result</c>).</summary>
    public static void Write(Utf8JsonWriter json, InheritanceResult result, RenderOptions options)
    {
        json.WriteStartObject();
        json.WriteNumber("version", 1);
        json.WriteString("status", result.Status.Name);
        if (result.Failure == InheritanceFailure.None) json.WriteNull("failure"); else json.WriteString("failure", result.Failure.ToString());
        if (result.FailureSid is { } fs)
        {
            json.WritePropertyName("failureSid");
            DescriptorJson.WriteSid(json, fs, options.Context);
        }
        else json.WriteNull("failureSid");
        if (result.Trace is { } t)
        {
            json.WriteStartObject("trace");
            json.WriteString("owner", t.Owner.ToString());
            json.WriteString("ownerCheck", t.OwnerCheck.ToString());
            json.WriteString("group", t.Group.ToString());
            json.WriteString("dacl", t.Dacl.ToString());
            json.WriteString("sacl", t.Sacl.ToString());
            json.WriteBoolean("daclAutoInherit", t.DaclAutoInherit);
            json.WriteBoolean("saclAutoInherit", t.SaclAutoInherit);
            json.WriteBoolean("creatorDaclIgnored", t.CreatorDaclIgnored);
            json.WriteBoolean("labelAdded", t.LabelAdded);
            WriteOrigins(json, "daclOrigins", t.DaclOrigins);
            WriteOrigins(json, "saclOrigins", t.SaclOrigins);
            json.WriteEndObject();
        }
        else json.WriteNull("trace");
        json.WritePropertyName("descriptor");
        if (result.Descriptor is { } sd) DescriptorJson.WriteDescriptor(json, sd, options);
        else json.WriteNullValue();
        json.WriteEndObject();
    }

    // One entry per ACE of the new ACL, in order: the input it came from, its index there, and what was done to it.
    private static void WriteOrigins(Utf8JsonWriter json, string name, IReadOnlyList<AceOrigin> origins)
    {
        json.WriteStartArray(name);
        foreach (var o in origins)
        {
            json.WriteStartObject();
            json.WriteString("source", o.Source.ToString());
            if (o.Index < 0) json.WriteNull("index"); else json.WriteNumber("index", o.Index);
            json.WriteStartArray("changes");
            foreach (var change in Enum.GetValues<AceOriginChanges>())
                if (change != AceOriginChanges.None && (o.Changes & change) != 0) json.WriteStringValue(change.ToString());
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
