using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Acls;
using NtSec.Claims;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tokens;

/// <summary>
/// Reads and writes a <see cref="Token"/> as JSON (the form <c>ntsec check --token</c> takes; see <c>docs/cli.md</c>).
/// </summary>
/// <remarks>
/// <para>
/// Fields: <c>user</c> (a SID, or <c>{"sid", "attributes": ["UseForDenyOnly"]}</c>), <c>groups</c>,
/// <c>privileges</c> (<c>{"name", "attributes"}</c>), <c>restrictedSids</c>, <c>writeRestricted</c>,
/// <c>integrityLevel</c>, <c>mandatoryPolicy</c>, <c>type</c>, <c>impersonationLevel</c>, <c>owner</c>,
/// <c>primaryGroup</c>, <c>defaultDacl</c> (SDDL <c>D:...</c>, or null), <c>appContainer</c>
/// (<c>{"packageSid", "capabilities", "lowboxNumber"}</c>), and the optional <c>sessionId</c>, <c>sandboxInert</c>,
/// <c>luaToken</c>, <c>elevationType</c>, <c>authenticationId</c> and <c>origin</c> (LUIDs as <c>0xHIGH:0xLOW</c>),
/// <c>source</c> (<c>{"name", "identifier"}</c>), <c>deviceGroups</c>, <c>userClaims</c> and <c>deviceClaims</c>
/// (claim blocks in hexadecimal). SIDs may be SDDL aliases, resolved in the <see cref="SidContext"/> given.
/// </para>
/// <para>
/// Missing fields take <see cref="TokenBuilder"/>'s defaults, except <c>integrityLevel</c>, which defaults to the
/// SID of the first group marked <c>Integrity</c> when there is one (in Windows that group is the integrity level),
/// else Medium. An explicit <c>integrityLevel</c> is taken as given, as <see cref="Token"/> keeps it apart from the
/// groups. A token read from JSON is a new token object: its TokenId and ModifiedId are fresh, so they are neither
/// written nor read. Everything else round-trips: reading what <see cref="Write"/> wrote gives the same values.
/// </para>
/// </remarks>
public static class TokenJson
{
    private static readonly (string Name, uint Bits)[] GroupAttributeTable =
    [
        ("Mandatory", (uint)GroupAttributes.Mandatory),
        ("EnabledByDefault", (uint)GroupAttributes.EnabledByDefault),
        ("Enabled", (uint)GroupAttributes.Enabled),
        ("Owner", (uint)GroupAttributes.Owner),
        ("UseForDenyOnly", (uint)GroupAttributes.UseForDenyOnly),
        ("Integrity", (uint)GroupAttributes.Integrity),
        ("IntegrityEnabled", (uint)GroupAttributes.IntegrityEnabled),
        ("Resource", (uint)GroupAttributes.Resource),
        ("LogonId", (uint)GroupAttributes.LogonId),
    ];

    // Enabled first, as whoami /priv and the documented example put it.
    private static readonly (string Name, uint Bits)[] PrivilegeAttributeTable =
    [
        ("Enabled", (uint)PrivilegeAttributes.Enabled),
        ("EnabledByDefault", (uint)PrivilegeAttributes.EnabledByDefault),
        ("Removed", (uint)PrivilegeAttributes.Removed),
        ("UsedForAccess", (uint)PrivilegeAttributes.UsedForAccess),
    ];

    private static readonly (string Name, uint Bits)[] PolicyTable =
    [
        ("NoWriteUp", (uint)MandatoryPolicy.NoWriteUp),
        ("NewProcessMin", (uint)MandatoryPolicy.NewProcessMin),
    ];

    private static readonly string[] TopFields =
    [
        "user", "groups", "privileges", "restrictedSids", "writeRestricted", "integrityLevel", "mandatoryPolicy", "type",
        "impersonationLevel", "owner", "primaryGroup", "defaultDacl", "appContainer", "sessionId", "sandboxInert",
        "luaToken", "elevationType", "authenticationId", "origin", "source", "deviceGroups", "userClaims", "deviceClaims",
    ];

    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The JSON names of the set group attributes in bit order; bits without a name as one <c>0x...</c> remainder.</summary>
    public static IReadOnlyList<string> GroupAttributeNames(GroupAttributes attributes)
        => BitNames.Of((uint)attributes, GroupAttributeTable, requireAllBits: true);

    /// <summary>The JSON names of the set privilege attributes; bits without a name as one <c>0x...</c> remainder.</summary>
    public static IReadOnlyList<string> PrivilegeAttributeNames(PrivilegeAttributes attributes)
        => BitNames.Of((uint)attributes, PrivilegeAttributeTable, requireAllBits: true);

    /// <summary>The JSON names of the mandatory policy bits (empty for TOKEN_MANDATORY_POLICY_OFF).</summary>
    public static IReadOnlyList<string> MandatoryPolicyNames(MandatoryPolicy policy)
        => BitNames.Of((uint)policy, PolicyTable, requireAllBits: true);

    /// <summary>Reads a token from JSON text.</summary>
    /// <param name="json">The document.</param>
    /// <param name="context">The domains for domain-relative SDDL aliases (DA, DU ...); null for none.</param>
    /// <param name="token">The token, or null on failure.</param>
    /// <param name="error">
    /// On failure, the kind, the reason and the JSON path of the offending value (<c>groups[2].attributes[0]</c>,
    /// <c>owner</c>; the empty path when the problem is the document as a whole: it is not JSON, or not an object);
    /// never an exception for bad input.
    /// </param>
    public static bool TryRead(string json, SidContext? context, out Token? token, out ParseError? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!JsonText.TryParse(json, out var document, out var syntax, allowComments: true))
        {
            token = null;
            // The syntax error's offset, line and column stay as data; the path is the document as a whole.
            error = new ParseError(syntax!.Kind, syntax.Location with { Path = "" }, "not valid JSON: " + Where(syntax));
            return false;
        }
        using (document) return TryRead(document!.RootElement, context, out token, out error);
    }

    /// <summary>Reads a token from a JSON element (for a token inside a larger document, such as a batch line).</summary>
    /// <param name="element">The token object.</param>
    /// <param name="context">The domains for domain-relative SDDL aliases; null for none.</param>
    /// <param name="token">The token, or null on failure.</param>
    /// <param name="error">On failure, the field (relative to <paramref name="element"/>) and the reason.</param>
    public static bool TryRead(JsonElement element, SidContext? context, out Token? token, out ParseError? error)
    {
        try
        {
            token = new Reader(context ?? SidContext.None).ReadToken(element);
            error = null;
            return true;
        }
        catch (FieldException e)
        {
            token = null;
            error = new ParseError(e.Kind, ParseLocation.AtPath(OneLine(e.Field)), OneLine(e.Message));
            return false;
        }
        catch (InvalidOperationException)
        {
            // A string the accessors could not decode that no field reader caught: still an answer, never a crash.
            token = null;
            error = new ParseError(ParseErrorKind.BadEncoding, ParseLocation.AtPath(""), LoneSurrogate);
            return false;
        }
    }

    private const string LoneSurrogate = "a string holds a lone surrogate escape (such as \\ud800 without the \\udc00-\\udfff that must follow it), which is not text";

    // A reason quotes the input (a field name, a value); the quote keeps the reason on one line, as JSON escapes it.
    private static string OneLine(string text)
    {
        bool clean = true;
        foreach (char c in text)
            if (c < ' ' || c is '\u0085' or '\u2028' or '\u2029') { clean = false; break; }
        if (clean) return text;
        var sb = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (c < ' ' || c is '\u0085' or '\u2028' or '\u2029') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    // A token file is a file: its errors always name the line, even when it has only one.
    private static string Where(ParseError e) => $"line {e.Line}, column {e.Column}: {e.Reason}";

    /// <summary>
    /// Writes a token as JSON: one field a line, one group or privilege a line, SIDs in full (S-1-...). The optional
    /// fields are written only when they differ from <see cref="TokenBuilder"/>'s defaults. No final new line.
    /// </summary>
    public static string Write(Token token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var defaults = new TokenBuilder(token.User.Sid);
        var fields = new List<(string Name, string Value)>
        {
            ("user", token.User.Attributes == GroupAttributes.None ? Str(token.User.Sid.ToString()) : SidObject(token.User)),
            ("groups", ObjectArray(token.Groups.Select(SidObject), "  ")),
            ("privileges", ObjectArray(token.Privileges.Select(PrivilegeObject), "  ")),
            ("restrictedSids", ObjectArray(token.RestrictedSids.Select(SidObject), "  ")),
            ("writeRestricted", Bool(token.WriteRestricted)),
            ("integrityLevel", Str(token.IntegrityLevel.ToString())),
            ("mandatoryPolicy", StrArray(MandatoryPolicyNames(token.MandatoryPolicy))),
            ("type", Str(token.Type.ToString())),
        };
        // A primary token has no impersonation level (Token reports Anonymous, unused).
        if (token.Type == TokenType.Impersonation) fields.Add(("impersonationLevel", Str(token.ImpersonationLevel.ToString())));
        fields.Add(("owner", Str(token.Owner.ToString())));
        fields.Add(("primaryGroup", Str(token.PrimaryGroup.ToString())));
        if (token.DefaultDacl is { } dacl) fields.Add(("defaultDacl", Str(SddlWriter.Format(new SecurityDescriptor(dacl: dacl), null, SecurityInformation.Dacl))));
        if (token.AppContainer is { } ac)
        {
            var inner = new List<string> { $"\"packageSid\": {Str(ac.PackageSid.ToString())}", $"\"capabilities\": {ObjectArray(ac.Capabilities.Select(SidObject), "    ")}" };
            if (ac.LowboxNumber != 0) inner.Add($"\"lowboxNumber\": {ac.LowboxNumber.ToString(CultureInfo.InvariantCulture)}");
            fields.Add(("appContainer", "{\n    " + string.Join(",\n    ", inner) + "\n  }"));
        }
        if (token.SessionId != defaults.SessionId) fields.Add(("sessionId", token.SessionId.ToString(CultureInfo.InvariantCulture)));
        if (token.SandboxInert) fields.Add(("sandboxInert", "true"));
        if (token.IsLuaToken) fields.Add(("luaToken", "true"));
        if (token.ElevationType != defaults.ElevationType) fields.Add(("elevationType", Str(token.ElevationType.ToString())));
        if (token.AuthenticationId != defaults.AuthenticationId) fields.Add(("authenticationId", Str(token.AuthenticationId.ToString())));
        if (token.Origin != defaults.Origin) fields.Add(("origin", Str(token.Origin.ToString())));
        if (token.Source != defaults.Source) fields.Add(("source", $"{{\"name\": {Str(token.Source.Name)}, \"identifier\": {Str(token.Source.Identifier.ToString())}}}"));
        if (token.DeviceGroups.Length > 0) fields.Add(("deviceGroups", ObjectArray(token.DeviceGroups.Select(SidObject), "  ")));
        if (token.UserClaims.Length > 0) fields.Add(("userClaims", ObjectArray(token.UserClaims.Select(ClaimJson.Format), "  ")));
        if (token.DeviceClaims.Length > 0) fields.Add(("deviceClaims", ObjectArray(token.DeviceClaims.Select(ClaimJson.Format), "  ")));

        var sb = new StringBuilder("{\n");
        for (int i = 0; i < fields.Count; i++)
        {
            sb.Append("  ").Append(Str(fields[i].Name)).Append(": ").Append(fields[i].Value);
            sb.Append(i < fields.Count - 1 ? ",\n" : "\n");
        }
        return sb.Append('}').ToString();
    }

    private static string SidObject(SidAndAttributes s) => $"{{\"sid\": {Str(s.Sid.ToString())}, \"attributes\": {StrArray(GroupAttributeNames(s.Attributes))}}}";

    private static string PrivilegeObject(Privilege p) => $"{{\"name\": {Str(p.Name)}, \"attributes\": {StrArray(PrivilegeAttributeNames(p.Attributes))}}}";

    private static string ObjectArray(IEnumerable<string> items, string indent)
    {
        var list = items.ToList();
        if (list.Count == 0) return "[]";
        return "[\n" + indent + "  " + string.Join(",\n" + indent + "  ", list) + "\n" + indent + "]";
    }

    private static string StrArray(IReadOnlyList<string> values) => "[" + string.Join(", ", values.Select(Str)) + "]";

    private static string Str(string value) => "\"" + JsonEncodedText.Encode(value, Encoder).Value + "\"";

    private static string Bool(bool value) => value ? "true" : "false";

    private sealed class FieldException(ParseErrorKind kind, string field, string reason) : Exception(reason)
    {
        public ParseErrorKind Kind { get; } = kind;

        public string Field { get; } = field;
    }

    private sealed class Reader(SidContext context)
    {
        public Token ReadToken(JsonElement root)
        {
            var fields = Fields(root, "", TopFields);
            if (!fields.TryGetValue("user", out var userElement)) throw new FieldException(ParseErrorKind.Missing, "user", "missing: a token needs a user SID");
            var user = ReadUser(userElement);

            var b = new TokenBuilder(user.Sid) { User = user };
            if (fields.TryGetValue("groups", out var e)) b.Groups.AddRange(SidList(e, "groups"));
            int integrityGroup = b.Groups.FindIndex(g => (g.Attributes & GroupAttributes.Integrity) != 0);
            if (fields.TryGetValue("privileges", out e)) b.PrivilegeList.AddRange(PrivilegeList(e, "privileges"));
            if (fields.TryGetValue("restrictedSids", out e)) b.RestrictedSids.AddRange(SidList(e, "restrictedSids"));
            if (fields.TryGetValue("writeRestricted", out e)) b.WriteRestricted = ReadBool(e, "writeRestricted");
            if (fields.TryGetValue("integrityLevel", out e)) b.IntegrityLevel = ReadSid(e, "integrityLevel");
            else if (integrityGroup >= 0) b.IntegrityLevel = b.Groups[integrityGroup].Sid;
            if (fields.TryGetValue("mandatoryPolicy", out e)) b.MandatoryPolicy = (MandatoryPolicy)Flags(e, "mandatoryPolicy", PolicyTable, "mandatory policy", allowOff: true);
            if (fields.TryGetValue("type", out e)) b.Type = ReadEnum<TokenType>(e, "type", "token type");
            if (fields.TryGetValue("impersonationLevel", out e)) b.ImpersonationLevel = ReadEnum<SecurityImpersonationLevel>(e, "impersonationLevel", "impersonation level");
            if (fields.TryGetValue("owner", out e)) b.Owner = ReadSid(e, "owner");
            if (fields.TryGetValue("primaryGroup", out e)) b.PrimaryGroup = ReadSid(e, "primaryGroup");
            if (fields.TryGetValue("defaultDacl", out e)) b.DefaultDacl = DefaultDacl(e, "defaultDacl");
            if (fields.TryGetValue("appContainer", out e)) b.AppContainer = ReadAppContainer(e, "appContainer");
            if (fields.TryGetValue("sessionId", out e)) b.SessionId = ReadUInt(e, "sessionId");
            if (fields.TryGetValue("sandboxInert", out e)) b.SandboxInert = ReadBool(e, "sandboxInert");
            if (fields.TryGetValue("luaToken", out e)) b.IsLuaToken = ReadBool(e, "luaToken");
            if (fields.TryGetValue("elevationType", out e)) b.ElevationType = ReadEnum<TokenElevationType>(e, "elevationType", "elevation type");
            if (fields.TryGetValue("authenticationId", out e)) b.AuthenticationId = LuidValue(e, "authenticationId");
            if (fields.TryGetValue("origin", out e)) b.Origin = LuidValue(e, "origin");
            if (fields.TryGetValue("source", out e)) b.Source = Source(e, "source");
            if (fields.TryGetValue("deviceGroups", out e)) b.DeviceGroups.AddRange(SidList(e, "deviceGroups"));
            if (fields.TryGetValue("userClaims", out e)) b.UserClaims = Claims(e, "userClaims", context);
            if (fields.TryGetValue("deviceClaims", out e)) b.DeviceClaims = Claims(e, "deviceClaims", context);

            try
            {
                return b.Build();
            }
            catch (ArgumentException x)
            {
                // TokenBuilder states its rules by the field they concern; point at that field.
                string m = x.Message;
                string field = m.StartsWith("owner ", StringComparison.Ordinal) ? "owner"
                    : m.StartsWith("primary group ", StringComparison.Ordinal) ? "primaryGroup"
                    : m.StartsWith("integrity level ", StringComparison.Ordinal) ? "integrityLevel"
                    : m.StartsWith("impersonation level ", StringComparison.Ordinal) ? "impersonationLevel"
                    : "";
                throw new FieldException(ParseErrorKind.NotAllowedHere, field, m);
            }
        }

        private SidAndAttributes ReadUser(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.String) return new SidAndAttributes(ReadSid(e, "user"), GroupAttributes.None);
            var s = SidEntry(e, "user");
            // TOKEN_USER carries no attribute but SE_GROUP_USE_FOR_DENY_ONLY (set by filtering).
            if ((s.Attributes & ~GroupAttributes.UseForDenyOnly) != 0)
                throw new FieldException(ParseErrorKind.NotAllowedHere, "user.attributes", "the user SID takes no attribute but UseForDenyOnly");
            return s;
        }

        private List<SidAndAttributes> SidList(JsonElement e, string path)
        {
            Expect(e, JsonValueKind.Array, path);
            var list = new List<SidAndAttributes>(e.GetArrayLength());
            int i = 0;
            foreach (var item in e.EnumerateArray()) list.Add(SidEntry(item, $"{path}[{i++}]"));
            return list;
        }

        private SidAndAttributes SidEntry(JsonElement e, string path)
        {
            var f = Fields(e, path, ["sid", "attributes"]);
            if (!f.TryGetValue("sid", out var sid)) throw new FieldException(ParseErrorKind.Missing, path + ".sid", "missing");
            var attributes = f.TryGetValue("attributes", out var a)
                ? (GroupAttributes)Flags(a, path + ".attributes", GroupAttributeTable, "group attribute", allowOff: false)
                : GroupAttributes.None;
            return new SidAndAttributes(ReadSid(sid, path + ".sid"), attributes);
        }

        private static List<Privilege> PrivilegeList(JsonElement e, string path)
        {
            Expect(e, JsonValueKind.Array, path);
            var list = new List<Privilege>(e.GetArrayLength());
            int i = 0;
            foreach (var item in e.EnumerateArray())
            {
                string p = $"{path}[{i++}]";
                var f = Fields(item, p, ["name", "attributes"]);
                if (!f.TryGetValue("name", out var n)) throw new FieldException(ParseErrorKind.Missing, p + ".name", "missing");
                string name = ReadString(n, p + ".name");
                // An unknown LUID is written as 0xHIGH:0xLOW (Privilege.Name), so that form reads back.
                if (!Privileges.TryGetLuid(name, out var luid) && !TryParseLuid(name, out luid))
                    throw new FieldException(ParseErrorKind.UnknownName, p + ".name", $"unknown privilege '{name}'");
                var attributes = f.TryGetValue("attributes", out var a)
                    ? (PrivilegeAttributes)Flags(a, p + ".attributes", PrivilegeAttributeTable, "privilege attribute", allowOff: false)
                    : PrivilegeAttributes.None;
                list.Add(new Privilege(luid, attributes));
            }
            return list;
        }

        private Acl? DefaultDacl(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.Null) return null;
            string text = ReadString(e, path);
            if (!SddlParser.TryParse(text, context, out var sd, out var error))
                throw new FieldException(error!.Kind, path, $"{error.Position}: {error.Reason}");
            if (sd!.Owner is not null || sd.Group is not null || sd.SaclState != AclState.Absent || sd.DaclState == AclState.Absent)
                throw new FieldException(ParseErrorKind.NotAllowedHere, path, "expected a DACL alone in SDDL (D:(...)...), or null for none");
            if (sd.DaclState == AclState.Null)
                throw new FieldException(ParseErrorKind.NotAllowedHere, path, "a token's default DACL is an ACL or nothing; write null for none");
            const SecurityDescriptorControl aclFlags = SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclAutoInheritRequired;
            if ((sd.Control & aclFlags) != 0)
                throw new FieldException(ParseErrorKind.NotAllowedHere, path, "P, AI and AR are descriptor control flags; a token's default DACL cannot carry them");
            return sd.Dacl;
        }

        private AppContainerInfo ReadAppContainer(JsonElement e, string path)
        {
            var f = Fields(e, path, ["packageSid", "capabilities", "lowboxNumber"]);
            if (!f.TryGetValue("packageSid", out var p)) throw new FieldException(ParseErrorKind.Missing, path + ".packageSid", "missing");
            var package = ReadSid(p, path + ".packageSid");
            // RtlIsPackageSid: S-1-15-2 with 8 sub-authorities (a package) or 12 (a child of one).
            if (package.IdentifierAuthority != 15 || package.SubAuthorityCount is not (8 or 12) || package.GetSubAuthority(0) != 2)
                throw new FieldException(ParseErrorKind.NotAllowedHere, path + ".packageSid", $"{package} is not an AppContainer package SID (S-1-15-2- and 7 or 11 more numbers)");
            var capabilities = f.TryGetValue("capabilities", out var c) ? SidList(c, path + ".capabilities") : [];
            for (int i = 0; i < capabilities.Count; i++)
            {
                var s = capabilities[i].Sid;
                if (s.IdentifierAuthority != 15 || s.SubAuthorityCount < 2 || s.GetSubAuthority(0) != 3)
                    throw new FieldException(ParseErrorKind.NotAllowedHere, $"{path}.capabilities[{i}].sid", $"{s} is not a capability SID (S-1-15-3-...)");
            }
            uint lowbox = f.TryGetValue("lowboxNumber", out var l) ? ReadUInt(l, path + ".lowboxNumber") : 0;
            return new AppContainerInfo(package, [.. capabilities], lowbox);
        }

        private static TokenSource Source(JsonElement e, string path)
        {
            var f = Fields(e, path, ["name", "identifier"]);
            string name = f.TryGetValue("name", out var n) ? ReadString(n, path + ".name") : throw new FieldException(ParseErrorKind.Missing, path + ".name", "missing");
            // TOKEN_SOURCE.SourceName is 8 characters.
            if (name.Length > 8) throw new FieldException(ParseErrorKind.OutOfRange, path + ".name", $"'{name}' is longer than the 8 characters TOKEN_SOURCE holds");
            var id = f.TryGetValue("identifier", out var i) ? LuidValue(i, path + ".identifier") : default;
            return new TokenSource(name, id);
        }

        private static ImmutableArray<ClaimSecurityAttribute> Claims(JsonElement e, string path, SidContext context)
        {
            if (!ClaimJson.TryReadList(e, path, context, out var claims, out var error)) throw new FieldException(error!.Kind, error.Field, error.Reason);
            return claims;
        }

        private Sid ReadSid(JsonElement e, string path)
        {
            string text = ReadString(e, path);
            if (SddlSidAliases.TryParseSid(text, context, out var sid, out var error)) return sid;
            throw new FieldException(error!.Kind, path, SddlSidAliases.IsAlias(text) ? error.Reason : $"'{text}' is not a SID or an SDDL alias: {error.Reason}");
        }

        private static uint Flags(JsonElement e, string path, (string Name, uint Bits)[] table, string what, bool allowOff)
        {
            Expect(e, JsonValueKind.Array, path);
            uint value = 0;
            int i = 0;
            foreach (var item in e.EnumerateArray())
            {
                string p = $"{path}[{i++}]";
                string name = ReadString(item, p);
                bool found = false;
                foreach (var (n, b) in table)
                {
                    if (n != name) continue;
                    value |= b;
                    found = true;
                    break;
                }
                if (found || (allowOff && name == "Off")) continue;
                // Bits without a name are written as 0x... and read back the same way.
                if (name.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    && uint.TryParse(name.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint raw))
                {
                    value |= raw;
                    continue;
                }
                throw new FieldException(ParseErrorKind.UnknownName, p, $"unknown {what} '{name}' (known: {string.Join(", ", table.Select(t => t.Name))})");
            }
            return value;
        }

        private static TEnum ReadEnum<TEnum>(JsonElement e, string path, string what) where TEnum : struct, Enum
        {
            string text = ReadString(e, path);
            foreach (var name in Enum.GetNames<TEnum>())
                if (name == text) return Enum.Parse<TEnum>(name);
            throw new FieldException(ParseErrorKind.UnknownName, path, $"unknown {what} '{text}' (known: {string.Join(", ", Enum.GetNames<TEnum>())})");
        }

        private static Luid LuidValue(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v)) return Luid.FromValue(v);
            string text = ReadString(e, path);
            return TryParseLuid(text, out var luid) ? luid : throw new FieldException(ParseErrorKind.Syntax, path, $"'{text}' is not a LUID (0xHIGH:0xLOW, e.g. 0x0:0x3e7)");
        }

        private static bool ReadBool(JsonElement e, string path)
            => e.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new FieldException(ParseErrorKind.WrongType, path, $"expected true or false, got {Kind(e)}"),
            };

        private static uint ReadUInt(JsonElement e, string path)
            => e.ValueKind == JsonValueKind.Number && e.TryGetUInt32(out uint v) ? v : throw new FieldException(e.ValueKind == JsonValueKind.Number ? ParseErrorKind.OutOfRange : ParseErrorKind.WrongType, path, $"expected a number from 0 to {uint.MaxValue}, got {Kind(e)}");

        private static string ReadString(JsonElement e, string path)
            => e.ValueKind == JsonValueKind.String ? Text(e, path) : throw new FieldException(ParseErrorKind.WrongType, path, $"expected a string, got {Kind(e)}");

        // GetString throws for a lone surrogate escape ("\ud800"): that is bad input, reported at its field.
        private static string Text(JsonElement e, string path)
        {
            try
            {
                return e.GetString()!;
            }
            catch (InvalidOperationException)
            {
                throw new FieldException(ParseErrorKind.BadEncoding, path, LoneSurrogate);
            }
        }

        private static void Expect(JsonElement e, JsonValueKind kind, string path)
        {
            if (e.ValueKind != kind) throw new FieldException(ParseErrorKind.WrongType, path, $"expected {(kind == JsonValueKind.Array ? "an array" : "an object")}, got {Kind(e)}");
        }

        private static Dictionary<string, JsonElement> Fields(JsonElement e, string path, string[] known)
        {
            if (e.ValueKind != JsonValueKind.Object)
                throw new FieldException(ParseErrorKind.WrongType, path, $"expected an object, got {Kind(e)}");
            var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in e.EnumerateObject())
            {
                string name;
                try
                {
                    name = p.Name;
                }
                catch (InvalidOperationException)
                {
                    throw new FieldException(ParseErrorKind.BadEncoding, path, "a field name: " + LoneSurrogate);
                }
                string field = path.Length == 0 ? name : path + "." + name;
                if (Array.IndexOf(known, name) < 0) throw new FieldException(ParseErrorKind.UnknownName, field, $"unknown field (known: {string.Join(", ", known)})");
                if (!map.TryAdd(name, p.Value)) throw new FieldException(ParseErrorKind.Duplicate, field, "given twice");
            }
            return map;
        }

        private static string Kind(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => $"the string {e.GetRawText()}",
            JsonValueKind.Number => $"the number {e.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
            _ => "null",
        };
    }

    /// <summary>Parses a LUID as <see cref="Luid.ToString"/> writes it: <c>0xHIGH:0xLOW</c> (the 0x prefixes optional).</summary>
    public static bool TryParseLuid(string text, out Luid luid)
    {
        ArgumentNullException.ThrowIfNull(text);
        luid = default;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return false;
        if (!TryHex(text.AsSpan(0, colon), out uint high) || !TryHex(text.AsSpan(colon + 1), out uint low)) return false;
        luid = new Luid(low, unchecked((int)high));
        return true;

        static bool TryHex(ReadOnlySpan<char> s, out uint v)
        {
            if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
            return uint.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v) && s.Length > 0;
        }
    }
}
