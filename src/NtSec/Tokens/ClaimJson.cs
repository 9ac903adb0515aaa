using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Principals;
using NtSec.Claims;
using NtSec.Sddl;

namespace NtSec.Tokens;

/// <summary>
/// The JSON form of a token's claims: <c>{"name": "...", "type": "int64|uint64|string|sid|boolean|octet|fqbn",
/// "values": [...], "flags": ["CaseSensitive", ...]}</c>. Octet values are hex strings, SIDs strings (SDDL aliases
/// allowed), FQBN values <c>{"version": n, "name": "..."}</c>. A missing <c>values</c> or <c>flags</c> means none.
/// </summary>
public static class ClaimJson
{
    /// <summary>The JSON names of the value types, in the order of <see cref="ClaimValueType"/>.</summary>
    private static readonly (ClaimValueType Type, string Name)[] TypeNames =
    [
        (ClaimValueType.Int64, "int64"), (ClaimValueType.UInt64, "uint64"), (ClaimValueType.String, "string"),
        (ClaimValueType.Fqbn, "fqbn"), (ClaimValueType.Sid, "sid"), (ClaimValueType.Boolean, "boolean"),
        (ClaimValueType.OctetString, "octet"),
    ];

    private static readonly (string Name, uint Bits)[] FlagNames =
    [
        ("NonInheritable", (uint)ClaimSecurityAttributeFlags.NonInheritable),
        ("CaseSensitive", (uint)ClaimSecurityAttributeFlags.ValueCaseSensitive),
        ("UseForDenyOnly", (uint)ClaimSecurityAttributeFlags.UseForDenyOnly),
        ("DisabledByDefault", (uint)ClaimSecurityAttributeFlags.DisabledByDefault),
        ("Disabled", (uint)ClaimSecurityAttributeFlags.Disabled),
        ("Mandatory", (uint)ClaimSecurityAttributeFlags.Mandatory),
    ];

    private static readonly string[] Fields = ["name", "type", "values", "flags"];

    /// <summary>The JSON name of a value type ("int64", "octet", ...).</summary>
    public static string TypeName(ClaimValueType type)
    {
        foreach (var (t, n) in TypeNames)
            if (t == type) return n;
        return $"0x{(ushort)type:x4}";
    }

    /// <summary>The JSON names of the flags set in <paramref name="flags"/>; bits without a name as 0x....</summary>
    public static IReadOnlyList<string> FlagNamesOf(ClaimSecurityAttributeFlags flags) => BitNames.Of((uint)flags, FlagNames);

    /// <summary>Reads a JSON array of claims.</summary>
    /// <param name="element">The array.</param>
    /// <param name="path">The field's path, for error messages ("userClaims").</param>
    /// <param name="context">The domains for SID aliases in SID values; null for none.</param>
    /// <param name="claims">The claims, when valid.</param>
    /// <param name="error">The first problem, located by its path (e.g. <c>userClaims[1].values[0]</c>).</param>
    public static bool TryReadList(JsonElement element, string path, SidContext? context, out ImmutableArray<ClaimSecurityAttribute> claims, out ParseError? error)
    {
        claims = [];
        if (element.ValueKind != JsonValueKind.Array)
            return Bad(ParseErrorKind.WrongType, path, $"expected an array of claims, got {Kind(element)}", out error);
        var list = ImmutableArray.CreateBuilder<ClaimSecurityAttribute>(element.GetArrayLength());
        int i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (!TryRead(item, $"{path}[{i++}]", context, out var claim, out error)) return false;
            list.Add(claim!);
        }
        claims = list.MoveToImmutable();
        error = null;
        return true;
    }

    /// <summary>Reads one claim object; an error is located by its path below <paramref name="path"/>.</summary>
    public static bool TryRead(JsonElement element, string path, SidContext? context, out ClaimSecurityAttribute? claim, out ParseError? error)
    {
        claim = null;
        if (element.ValueKind != JsonValueKind.Object)
            return Bad(ParseErrorKind.WrongType, path, $"expected a claim object {{\"name\", \"type\", \"values\", \"flags\"}}, got {Kind(element)}", out error);
        string? name = null;
        ClaimValueType? type = null;
        JsonElement values = default, flags = default;
        foreach (var p in element.EnumerateObject())
        {
            string field = $"{path}.{p.Name}";
            if (Array.IndexOf(Fields, p.Name) < 0)
                return Bad(ParseErrorKind.UnknownName, field, $"unknown field (known: {string.Join(", ", Fields)})", out error);
            switch (p.Name)
            {
                case "name":
                    if (p.Value.ValueKind != JsonValueKind.String || p.Value.GetString()!.Length == 0)
                        return Bad(p.Value.ValueKind == JsonValueKind.String ? ParseErrorKind.Missing : ParseErrorKind.WrongType, field, "a claim needs a non-empty name", out error);
                    name = p.Value.GetString();
                    break;
                case "type":
                    string t = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : "";
                    foreach (var (vt, n) in TypeNames)
                        if (string.Equals(n, t, StringComparison.OrdinalIgnoreCase)) type = vt;
                    if (type is null)
                        return Bad(ParseErrorKind.UnknownName, field, $"unknown claim type {Kind(p.Value)} (known: {string.Join(", ", TypeNames.Select(x => x.Name))})", out error);
                    break;
                case "values":
                    values = p.Value;
                    break;
                default:
                    flags = p.Value;
                    break;
            }
        }
        if (name is null) return Bad(ParseErrorKind.Missing, $"{path}.name", "missing: a claim needs a name", out error);
        if (type is null) return Bad(ParseErrorKind.Missing, $"{path}.type", "missing: a claim needs a type (int64, uint64, string, sid, boolean, octet or fqbn)", out error);
        var flagBits = ClaimSecurityAttributeFlags.None;
        if (flags.ValueKind != JsonValueKind.Undefined && flags.ValueKind != JsonValueKind.Null)
        {
            if (flags.ValueKind != JsonValueKind.Array)
                return Bad(ParseErrorKind.WrongType, $"{path}.flags", $"expected an array of flag names, got {Kind(flags)}", out error);
            int f = 0;
            foreach (var item in flags.EnumerateArray())
            {
                string flagPath = $"{path}.flags[{f++}]";
                string text = item.ValueKind == JsonValueKind.String ? item.GetString()! : "";
                bool found = false;
                foreach (var (n, b) in FlagNames)
                {
                    if (!string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) continue;
                    flagBits |= (ClaimSecurityAttributeFlags)b;
                    found = true;
                }
                if (!found && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    && uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint raw))
                {
                    flagBits |= (ClaimSecurityAttributeFlags)raw;
                    found = true;
                }
                if (!found)
                    return Bad(ParseErrorKind.UnknownName, flagPath, $"unknown claim flag {Kind(item)} (known: {string.Join(", ", FlagNames.Select(x => x.Name))})", out error);
            }
        }
        var list = new List<object>();
        if (values.ValueKind != JsonValueKind.Undefined && values.ValueKind != JsonValueKind.Null)
        {
            if (values.ValueKind != JsonValueKind.Array)
                return Bad(ParseErrorKind.WrongType, $"{path}.values", $"expected an array of values, got {Kind(values)}", out error);
            int v = 0;
            foreach (var item in values.EnumerateArray())
            {
                string valuePath = $"{path}.values[{v++}]";
                if (!TryReadValue(item, type.Value, context, out object? value, out var kind, out string reason))
                    return Bad(kind, valuePath, reason, out error);
                list.Add(value!);
            }
        }
        claim = new ClaimSecurityAttribute(name, type.Value, flagBits, list);
        error = null;
        return true;
    }

    private static bool Bad(ParseErrorKind kind, string path, string reason, out ParseError? error)
    {
        error = new ParseError(kind, ParseLocation.AtPath(path), reason);
        return false;
    }

    // A value that is a string or number of the wrong form is WrongType, as a value of the wrong JSON type is; a SID
    // string keeps the SID parser's kind (an alias that needs a domain is DomainSidNeeded).
    private static bool TryReadValue(JsonElement e, ClaimValueType type, SidContext? context, out object? value, out ParseErrorKind kind, out string error)
    {
        value = null;
        kind = ParseErrorKind.WrongType;
        error = "";
        switch (type)
        {
            case ClaimValueType.Int64:
                if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long l)) value = l;
                else if (e.ValueKind == JsonValueKind.String && long.TryParse(e.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)) value = l;
                else error = $"expected a signed 64-bit integer, got {Kind(e)}";
                break;
            case ClaimValueType.UInt64:
                if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out ulong u)) value = u;
                else if (e.ValueKind == JsonValueKind.String && ulong.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out u)) value = u;
                else error = $"expected an unsigned 64-bit integer, got {Kind(e)}";
                break;
            case ClaimValueType.Boolean:
                if (e.ValueKind is JsonValueKind.True or JsonValueKind.False) value = e.ValueKind == JsonValueKind.True;
                else if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long b) && b is 0 or 1) value = b == 1;
                else error = $"expected true or false, got {Kind(e)}";
                break;
            case ClaimValueType.String:
                if (e.ValueKind == JsonValueKind.String) value = e.GetString();
                else error = $"expected a string, got {Kind(e)}";
                break;
            case ClaimValueType.Sid:
                if (e.ValueKind != JsonValueKind.String) error = $"expected a SID string, got {Kind(e)}";
                else if (SddlSidAliases.TryParseSid(e.GetString()!, context, out var sid, out var sidError)) value = sid;
                else
                {
                    kind = sidError!.Kind;
                    error = $"'{e.GetString()}' is not a SID or an SDDL alias: {sidError.Reason}";
                }
                break;
            case ClaimValueType.OctetString:
                if (e.ValueKind == JsonValueKind.String && TryHex(e.GetString()!, out byte[]? bytes)) value = bytes;
                else error = $"expected an octet string in hexadecimal, got {Kind(e)}";
                break;
            default:
                if (e.ValueKind == JsonValueKind.Object
                    && e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                    && e.TryGetProperty("version", out var ver) && ver.ValueKind == JsonValueKind.Number && ver.TryGetUInt64(out ulong version))
                    value = new FqbnValue(version, n.GetString()!);
                else error = $"expected {{\"version\": n, \"name\": \"...\"}}, got {Kind(e)}";
                break;
        }
        return value is not null;
    }

    private static bool TryHex(string text, out byte[]? bytes)
    {
        bytes = null;
        if (text.Length % 2 != 0) return false;
        foreach (char c in text)
            if (!char.IsAsciiHexDigit(c)) return false;
        bytes = Convert.FromHexString(text);
        return true;
    }

    /// <summary>Writes one claim as a single-line JSON object (the shape <see cref="TryRead"/> reads).</summary>
    public static string Format(ClaimSecurityAttribute claim)
    {
        var sb = new StringBuilder("{\"name\": ").Append(Str(claim.Name)).Append(", \"type\": ").Append(Str(TypeName(claim.ValueType)));
        sb.Append(", \"values\": [");
        for (int i = 0; i < claim.Values.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(FormatValue(claim.Values[i]));
        }
        sb.Append("], \"flags\": [").Append(string.Join(", ", FlagNamesOf(claim.Flags).Select(Str))).Append("]}");
        return sb.ToString();
    }

    /// <summary>One value as the JSON form writes it.</summary>
    public static string FormatValue(object value) => value switch
    {
        long l => l.ToString(CultureInfo.InvariantCulture),
        ulong u => u.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => Str(s),
        Sid sid => Str(sid.ToString()),
        ReadOnlyMemory<byte> m => Str(Convert.ToHexStringLower(m.Span)),
        FqbnValue f => $"{{\"version\": {f.Version.ToString(CultureInfo.InvariantCulture)}, \"name\": {Str(f.Name)}}}",
        _ => "null",
    };

    private static string Str(string value) => "\"" + JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value + "\"";

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{e.GetString()}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };
}
