using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Requests;

/// <summary>
/// One access check question, parsed: the descriptor, the token, the desired access before and after generic
/// mapping, the mapping and type, an object type list and the PRINCIPAL_SELF SID. Built by
/// <see cref="CheckRequestReader"/> from <see cref="CheckRequestText"/>, the same way for every front end.
/// </summary>
/// <param name="Descriptor">The object's descriptor, owner and group overrides applied.</param>
/// <param name="Token">The client's token.</param>
/// <param name="Requested">The desired access as written, generic bits included.</param>
/// <param name="Desired">The desired access given to the check: generic bits mapped.</param>
/// <param name="Mapping">The generic mapping.</param>
/// <param name="Type">The object type (right names), or null when only a mapping was given.</param>
/// <param name="ObjectTypes">The object type list; empty for a plain check.</param>
/// <param name="PrincipalSelf">The SID that replaces PRINCIPAL_SELF, or null.</param>
/// <param name="Names">The resolver the request was read with: the best name known for each SID.</param>
public sealed record CheckRequest(
    SecurityDescriptor Descriptor,
    Token Token,
    uint Requested,
    uint Desired,
    GenericMapping Mapping,
    ObjectTypeInfo? Type,
    ImmutableArray<ObjectTypeEntry> ObjectTypes,
    Sid? PrincipalSelf,
    SidNameResolver Names)
{
    /// <summary>
    /// Runs AccessCheck, or AccessCheckByTypeResultList when there is an object type list (then
    /// <paramref name="nodeGranted"/> and <paramref name="nodeStatus"/> receive one result per entry).
    /// </summary>
    public AccessCheckResult Run(Span<uint> nodeGranted, Span<NtStatus> nodeStatus, AccessCheckExplanation? explanation = null)
        => ObjectTypes.IsDefaultOrEmpty
            ? AccessCheck.Check(Descriptor, Token, Desired, Mapping, default, PrincipalSelf, explanation)
            : AccessCheck.CheckResultList(Descriptor, Token, Desired, Mapping, ObjectTypes.AsSpan(), nodeGranted, nodeStatus, PrincipalSelf, explanation);
}

/// <summary>A request as the user wrote it: each field is text (or, for a batch line, JSON), null when absent.</summary>
public sealed record CheckRequestText
{
    /// <summary>The descriptor: SDDL, hex, base64, an LDIF entry, icacls or Get-Acl output (recognised by content), or <c>@file</c>.</summary>
    public string? Descriptor { get; init; }

    /// <summary>The name of a token file: token JSON or a saved <c>whoami /all</c>.</summary>
    public string? TokenFile { get; init; }

    /// <summary>The token as a JSON object (a batch line's inline token).</summary>
    public JsonElement? TokenObject { get; init; }

    /// <summary>The desired access: a mask or right names.</summary>
    public string? Desired { get; init; }

    /// <summary>The desired access as a number (a batch line's <c>"desired": 1</c>).</summary>
    public uint? DesiredMask { get; init; }

    /// <summary>The object type's name (<c>file</c>, <c>ds</c> ...).</summary>
    public string? Type { get; init; }

    /// <summary>A generic mapping, four masks <c>R,W,X,A</c>.</summary>
    public string? Mapping { get; init; }

    /// <summary>An object type list, <c>level:guid</c> entries.</summary>
    public IReadOnlyList<string>? ObjectTypes { get; init; }

    /// <summary>The SID (or alias, or name) that stands for PRINCIPAL_SELF.</summary>
    public string? Self { get; init; }

    /// <summary>The descriptor's owner, replacing the one it has (required for icacls output).</summary>
    public string? Owner { get; init; }

    /// <summary>The descriptor's group, replacing the one it has (icacls output: defaults to the owner).</summary>
    public string? Group { get; init; }

    /// <summary>Account names for icacls output, <c>NAME=SID</c>.</summary>
    public IReadOnlyList<string>? Map { get; init; }

    /// <summary>For icacls or Get-Acl output with several paths: the one to use.</summary>
    public string? Path { get; init; }
}

/// <summary>What kind of problem a request has; front ends choose exit codes and hints by it.</summary>
public enum CheckRequestErrorKind
{
    /// <summary>A required field is missing.</summary>
    Missing,
    /// <summary>Fields that cannot go together, or a choice the request leaves open (several paths).</summary>
    Usage,
    /// <summary>A field's value does not parse.</summary>
    Invalid,
    /// <summary>A file the request names cannot be read.</summary>
    Unreadable,
    /// <summary>icacls output without an owner: the owner must be given.</summary>
    NeedsOwner,
}

/// <summary>Why a request was not read.</summary>
/// <param name="Field">The field: <c>sd</c>, <c>token</c>, <c>desired</c>, <c>type</c>, <c>mapping</c>, <c>objectTypes</c>, <c>selfSid</c>, <c>owner</c>, <c>group</c>, <c>map</c>, <c>path</c>.</param>
/// <param name="Kind">The kind of problem.</param>
/// <param name="Reason">Why, in English, starting with the file name when a file was read.</param>
/// <param name="Cause">The parser's error behind an <see cref="CheckRequestErrorKind.Invalid"/> field, when a parser rejected it: callers act on its <see cref="ParseError.Kind"/> (a domain SID is needed), never on <paramref name="Reason"/>.</param>
public sealed record CheckRequestError(string Field, CheckRequestErrorKind Kind, string Reason, ParseError? Cause = null);

/// <summary>
/// The one parser of access check requests: <c>ntsec check</c>, <c>check --batch</c> and the library's other
/// front ends read a <see cref="CheckRequestText"/> with it, so each accepts every input form the others do.
/// Parsed descriptors and tokens are kept by their text (both are immutable), up to a bound.
/// </summary>
public sealed class CheckRequestReader
{
    private const int CacheLimit = 4096;

    private readonly Func<string, (string? Text, string? Error)> _readFile;
    private readonly Dictionary<string, (SecurityDescriptor Sd, bool ToolOutputWithoutOwner)> _descriptors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Token> _tokens = new(StringComparer.Ordinal);

    /// <summary>A reader.</summary>
    /// <param name="context">The domains for domain-relative aliases and names.</param>
    /// <param name="readFile">Reads a file the request names (<c>@file</c>, a token file): its text, or why not. Null refuses files.</param>
    /// <param name="defaultType">The object type for requests that give neither type nor mapping.</param>
    /// <param name="defaultMapping">The mapping for requests that give neither type nor mapping.</param>
    /// <param name="types">The types a request's <c>type</c> names; null for NtSec's own (<see cref="ObjectTypes.Catalog"/>).</param>
    public CheckRequestReader(SidContext context, Func<string, (string? Text, string? Error)>? readFile = null, ObjectTypeInfo? defaultType = null, GenericMapping? defaultMapping = null,
        ObjectTypeCatalog? types = null)
    {
        Types = types ?? Authorization.ObjectTypes.Catalog;
        Context = context ?? throw new ArgumentNullException(nameof(context));
        _readFile = readFile ?? (name => (null, $"cannot read '{name}': files are not read here"));
        DefaultType = defaultType;
        DefaultMapping = defaultMapping;
    }

    /// <summary>The domains for domain-relative aliases and names.</summary>
    public SidContext Context { get; }

    /// <summary>The object type for requests that give neither type nor mapping.</summary>
    public ObjectTypeInfo? DefaultType { get; }

    /// <summary>The types a request's <c>type</c> names.</summary>
    public ObjectTypeCatalog Types { get; }

    /// <summary>The mapping for requests that give neither type nor mapping.</summary>
    public GenericMapping? DefaultMapping { get; }

    /// <summary>Reads a request. On failure <paramref name="error"/> names the field, the kind and the reason.</summary>
    public bool TryRead(CheckRequestText text, out CheckRequest? request, out CheckRequestError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        request = null;
        if (text.Descriptor is null) return Fail("sd", CheckRequestErrorKind.Missing, "missing", out error);
        if (text.TokenFile is null && text.TokenObject is null) return Fail("token", CheckRequestErrorKind.Missing, "missing", out error);
        if (text.Desired is null && text.DesiredMask is null) return Fail("desired", CheckRequestErrorKind.Missing, "missing", out error);

        // Type and mapping: a request's own type brings its mapping; an explicit mapping wins over both.
        ObjectTypeInfo? type = DefaultType;
        if (text.Type is { } typeName)
        {
            type = Types.Find(typeName);
            if (type is null)
                return Fail("type", CheckRequestErrorKind.Invalid, $"unknown object type '{typeName}' (known: {string.Join(", ", Types.Keys)})", out error);
        }
        GenericMapping? mapping = text.Type is not null ? type!.GenericMapping : DefaultMapping ?? type?.GenericMapping;
        if (text.Mapping is { } mappingText)
        {
            if (!GenericMapping.TryParse(mappingText, out var m))
                return Fail("mapping", CheckRequestErrorKind.Invalid, $"expected four masks R,W,X,A such as 0x120089,0x120116,0x1200a0,0x1f01ff; got '{mappingText}'", out error);
            mapping = m;
        }
        if (mapping is null)
            return Fail("mapping", CheckRequestErrorKind.Usage, "give a type or a mapping: the access check needs the object's generic mapping", out error);

        var names = new SidNameResolver(Context);
        foreach (var entry in text.Map ?? [])
        {
            int equals = entry.LastIndexOf('=');
            string name = equals < 0 ? "" : entry[..equals].Trim();
            if (name.Length == 0) return Fail("map", CheckRequestErrorKind.Invalid, $"'{entry}': expected NAME=SID, e.g. CONTOSO\\Finance=S-1-5-21-1004336348-1177238915-682003330-1120", out error);
            if (!names.TryResolve(entry[(equals + 1)..], out var mapped, out var mapError)) return Fail("map", CheckRequestErrorKind.Invalid, $"'{entry}': {mapError!.Reason}", out error, mapError);
            if (names.Map.TryGetValue(name, out var existing) && existing != mapped) return Fail("map", CheckRequestErrorKind.Invalid, $"'{name}' is mapped to both {existing} and {mapped}", out error);
            names.Give(name, mapped);
        }

        if (!TryDescriptor(text, names, out var sd, out bool toolOutput, out error)) return false;
        if (text.Owner is { } ownerText)
        {
            if (!names.TryResolve(ownerText, out var owner, out var ownerError)) return Fail("owner", CheckRequestErrorKind.Invalid, $"{ownerError!.Position}: {ownerError.Reason}", out error, ownerError);
            sd = sd!.WithOwner(owner);
        }
        if (text.Group is { } groupText)
        {
            if (!names.TryResolve(groupText, out var group, out var groupError)) return Fail("group", CheckRequestErrorKind.Invalid, $"{groupError!.Position}: {groupError.Reason}", out error, groupError);
            sd = sd!.WithGroup(group);
        }
        else if (toolOutput && sd!.Group is null)
        {
            // icacls shows no group; the check only requires one to be there, and it plays no part in the result.
            sd = sd.WithGroup(sd.Owner);
        }

        if (!TryToken(text, names, out var token, out error)) return false;

        uint requested, desired;
        if (text.DesiredMask is { } number)
        {
            requested = number;
            desired = mapping.Value.Map(number);
        }
        else
        {
            if (!AccessRightNames.TryParse(text.Desired!, type, out requested, out string? desiredError)) return Fail("desired", CheckRequestErrorKind.Invalid, desiredError!, out error);
            desired = mapping.Value.Map(requested);
        }

        var list = ImmutableArray<ObjectTypeEntry>.Empty;
        if (text.ObjectTypes is { } entries)
        {
            if (!TryObjectTypes(entries, out list, out string? listError)) return Fail("objectTypes", CheckRequestErrorKind.Invalid, listError!, out error);
        }

        Sid? self = null;
        if (text.Self is { } selfText)
        {
            if (!names.TryResolve(selfText, out var s, out var selfError)) return Fail("selfSid", CheckRequestErrorKind.Invalid, $"{selfError!.Position}: {selfError.Reason}", out error, selfError);
            self = s;
        }

        request = new CheckRequest(sd!, token!, requested, desired, mapping.Value, type, list, self, names);
        error = null;
        return true;
    }

    /// <summary>
    /// Parses an object type list, one <c>level:guid</c> entry each (the GUID with or without braces). Only the syntax
    /// is checked; the tree's shape is the access check's to refuse (STATUS_INVALID_PARAMETER, as Windows does).
    /// </summary>
    public static bool TryObjectTypes(IReadOnlyList<string> parts, out ImmutableArray<ObjectTypeEntry> list, out string? error)
    {
        var builder = ImmutableArray.CreateBuilder<ObjectTypeEntry>(parts.Count);
        list = [];
        for (int i = 0; i < parts.Count; i++)
        {
            string part = parts[i].Trim();
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !ushort.TryParse(part.AsSpan(0, colon).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ushort level))
            {
                error = $"entry {i} '{part}': expected level:guid, e.g. 0:{{bf967aba-0de6-11d0-a285-00aa003049e2}}";
                return false;
            }
            if (!Guid.TryParse(part.AsSpan(colon + 1).Trim(), out var guid))
            {
                error = $"entry {i} '{part}': '{part[(colon + 1)..].Trim()}' is not a GUID";
                return false;
            }
            builder.Add(new ObjectTypeEntry(level, guid));
        }
        if (builder.Count == 0)
        {
            error = "no entries";
            return false;
        }
        list = builder.MoveToImmutable();
        error = null;
        return true;
    }

    private bool TryDescriptor(CheckRequestText text, SidNameResolver names, out SecurityDescriptor? sd, out bool toolOutput, out CheckRequestError? error)
    {
        sd = null;
        toolOutput = false;
        string raw = text.Descriptor!;
        string? file = null;
        string content = raw;
        if (raw.Length > 1 && raw[0] == '@')
        {
            file = raw[1..];
            var (read, readError) = _readFile(file);
            if (read is null) return Fail("sd", CheckRequestErrorKind.Unreadable, readError ?? $"cannot read '{file}'", out error);
            content = read;
        }
        string where = file is null ? "" : file + ": ";
        var format = DescriptorText.Detect(content);
        if (!DescriptorText.IsToolOutput(format) && (text.Map is { Count: > 0 } || text.Path is not null))
            return Fail("sd", CheckRequestErrorKind.Usage, "--map and --path apply to icacls and Get-Acl output given as a descriptor file", out error);

        // Only SDDL, hex and base64 text is kept: tool output depends on the map and the path chosen.
        bool cacheable = !DescriptorText.IsToolOutput(format);
        if (cacheable && _descriptors.TryGetValue(content, out var cached))
        {
            sd = cached.Sd;
            error = null;
            return true;
        }
        if (DescriptorText.IsToolOutput(format))
        {
            if (!DescriptorText.TryDecodeToolOutput(content, format, names, out var all, out var importError))
                return Fail("sd", CheckRequestErrorKind.Invalid, $"{where}line {importError!.Line}, column {importError.Column}: {importError.Reason}", out error, importError);
            var selected = all;
            if (text.Path is { } wanted)
            {
                selected = [.. all.Where(d => string.Equals(d.Path, wanted, StringComparison.OrdinalIgnoreCase))];
                if (selected.Count == 0)
                    return Fail("path", CheckRequestErrorKind.Invalid, $"no path '{wanted}' in the output; it holds {string.Join(", ", all.Select(d => "'" + d.Path + "'"))}", out error);
            }
            if (selected.Count > 1)
                return Fail("sd", CheckRequestErrorKind.Usage, $"{file ?? "the descriptor"} holds {selected.Count} paths ({string.Join(", ", selected.Select(d => "'" + d.Path + "'"))}); choose one with --path", out error);
            sd = selected[0].Descriptor;
            toolOutput = format == DescriptorFormat.Icacls;
            if (toolOutput && text.Owner is null)
                return Fail("sd", CheckRequestErrorKind.NeedsOwner, $"{where}icacls does not show the owner, and the access check needs it (the owner may be granted READ_CONTROL and WRITE_DAC); give --owner", out error);
            error = null;
            return true;
        }
        // A file ends with a line break, which is not part of the SDDL.
        if (!DescriptorText.TryDecode(format == DescriptorFormat.Sddl ? content.Trim() : content, format, Context, out var decoded, out var parseError))
            return Fail("sd", CheckRequestErrorKind.Invalid, $"{where}{parseError!.Position}: {parseError.Reason}", out error, parseError);
        sd = decoded!.Descriptor;
        if (_descriptors.Count >= CacheLimit) _descriptors.Clear();
        _descriptors[content] = (sd, false);
        error = null;
        return true;
    }

    private bool TryToken(CheckRequestText text, SidNameResolver names, out Token? token, out CheckRequestError? error)
    {
        token = null;
        if (text.TokenObject is { } element)
        {
            if (element.ValueKind != JsonValueKind.Object) return Fail("token", CheckRequestErrorKind.Invalid, "expected the token as a JSON object, or the name of a token file", out error);
            string raw = element.GetRawText();
            if (_tokens.TryGetValue(raw, out token))
            {
                error = null;
                return true;
            }
            if (!TokenJson.TryRead(element, Context, out token, out var jsonError))
            {
                error = new CheckRequestError(jsonError!.Field.Length == 0 ? "token" : "token." + jsonError.Field, CheckRequestErrorKind.Invalid, jsonError.Reason, jsonError);
                return false;
            }
            Remember(_tokens, raw, token!);
            error = null;
            return true;
        }
        string file = text.TokenFile!;
        string key = "@" + file;
        if (_tokens.TryGetValue(key, out token))
        {
            error = null;
            return true;
        }
        var (content, readError) = _readFile(file);
        if (content is null) return Fail("token", CheckRequestErrorKind.Unreadable, readError ?? $"cannot read '{file}'", out error);
        string name = file == "-" ? "stdin" : file;
        if (WindowsOutput.Detect(content) == WindowsOutputKind.Whoami)
        {
            if (!WhoamiParser.TryParse(content, out var result, out var importError)) return Fail("token", CheckRequestErrorKind.Invalid, $"{name}: {importError}", out error, importError);
            token = result!.Token;
            // whoami printed a name for every SID: those are the names the user's tools gave them.
            result.GiveNamesTo(names);
        }
        else if (!TokenJson.TryRead(content, Context, out token, out var jsonError))
        {
            return Fail("token", CheckRequestErrorKind.Invalid, $"{name}: {jsonError}", out error, jsonError);
        }
        // A whoami file's names belong to the request, so only JSON token files are kept.
        if (WindowsOutput.Detect(content) != WindowsOutputKind.Whoami) Remember(_tokens, key, token!);
        error = null;
        return true;
    }

    private static void Remember<T>(Dictionary<string, T> cache, string key, T value)
    {
        if (cache.Count >= CacheLimit) cache.Clear();
        cache[key] = value;
    }

    private static bool Fail(string field, CheckRequestErrorKind kind, string reason, out CheckRequestError? error, ParseError? cause = null)
    {
        error = new CheckRequestError(field, kind, reason, cause);
        return false;
    }
}
