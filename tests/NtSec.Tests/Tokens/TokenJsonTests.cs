using NtSec.Acls;
using NtSec.Claims;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;

namespace NtSec.Tests.Tokens;

public sealed class TokenJsonTests
{
    private static readonly Sid Alice = Sid.Parse("S-1-5-21-1-2-3-1001");
    private const string Package = "S-1-15-2-466767348-3739614953-2700836392-1801644223-4227750657-1087833535-2488631167";

    private static Token Read(string json, SidContext? context = null)
    {
        Assert.True(TokenJson.TryRead(json, context, out var token, out var error), error?.ToString());
        Assert.Null(error);
        return token!;
    }

    private static ParseError Reject(string json, SidContext? context = null)
    {
        Assert.False(TokenJson.TryRead(json, context, out var token, out var error));
        Assert.Null(token);
        return error!;
    }

    [Fact]
    public void ReadsTheDocumentedForm()
    {
        var t = Read($$$"""
            {"user": "S-1-5-21-1-2-3-1001",
             "groups": [{"sid": "S-1-5-32-545", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]}],
             "privileges": [{"name": "SeChangeNotifyPrivilege", "attributes": ["Enabled", "EnabledByDefault"]}],
             "restrictedSids": [{"sid": "S-1-5-12", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]}],
             "writeRestricted": false,
             "integrityLevel": "S-1-16-8192", "mandatoryPolicy": ["NoWriteUp", "NewProcessMin"],
             "type": "Impersonation", "impersonationLevel": "Impersonation",
             "owner": "S-1-5-21-1-2-3-1001", "primaryGroup": "S-1-5-21-1-2-3-513", "defaultDacl": "D:(A;;GA;;;SY)",
             "appContainer": {"packageSid": "{{{Package}}}", "capabilities": [{"sid": "S-1-15-3-1", "attributes": ["Enabled"]}]}}
            """.Replace("\"primaryGroup\": \"S-1-5-21-1-2-3-513\"", "\"primaryGroup\": \"S-1-5-32-545\"", StringComparison.Ordinal));

        Assert.Equal(Alice, t.User.Sid);
        Assert.Equal(GroupAttributes.None, t.User.Attributes);
        var g = Assert.Single(t.Groups);
        Assert.Equal(WellKnownSids.BuiltinUsers, g.Sid);
        Assert.Equal(GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled, g.Attributes);
        var p = Assert.Single(t.Privileges);
        Assert.Equal(Privileges.ChangeNotify, p.Luid);
        Assert.Equal(PrivilegeAttributes.Enabled | PrivilegeAttributes.EnabledByDefault, p.Attributes);
        Assert.Equal([WellKnownSids.Restricted], t.RestrictedSids.Select(r => r.Sid));
        Assert.True(t.IsRestricted);
        Assert.False(t.WriteRestricted);
        Assert.Equal(WellKnownSids.MediumIntegrity, t.IntegrityLevel);
        Assert.Equal(MandatoryPolicy.NoWriteUp | MandatoryPolicy.NewProcessMin, t.MandatoryPolicy);
        Assert.Equal(TokenType.Impersonation, t.Type);
        Assert.Equal(SecurityImpersonationLevel.Impersonation, t.ImpersonationLevel);
        Assert.Equal(Alice, t.Owner);
        Assert.Equal(WellKnownSids.BuiltinUsers, t.PrimaryGroup);
        Assert.Equal(SddlParser.Parse("D:(A;;GA;;;SY)").Dacl, t.DefaultDacl);
        Assert.Equal(Sid.Parse(Package), t.AppContainer!.PackageSid);
        var c = Assert.Single(t.AppContainer.Capabilities);
        Assert.Equal((Sid.Parse("S-1-15-3-1"), GroupAttributes.Enabled), (c.Sid, c.Attributes));
    }

    [Fact]
    public void MissingFieldsTakeTheDefaults()
    {
        var t = Read("""{"user": "S-1-5-21-1-2-3-1001"}""");
        Assert.Empty(t.Groups);
        Assert.Empty(t.Privileges);
        Assert.Empty(t.RestrictedSids);
        Assert.False(t.IsRestricted);
        Assert.Equal(WellKnownSids.MediumIntegrity, t.IntegrityLevel);
        Assert.Equal(MandatoryPolicy.NoWriteUp | MandatoryPolicy.NewProcessMin, t.MandatoryPolicy);
        Assert.Equal(TokenType.Impersonation, t.Type);
        Assert.Equal(SecurityImpersonationLevel.Impersonation, t.ImpersonationLevel);
        Assert.Equal(Alice, t.Owner);
        Assert.Equal(Alice, t.PrimaryGroup);
        Assert.Null(t.DefaultDacl);
        Assert.Null(t.AppContainer);
    }

    [Fact]
    public void TheIntegrityLevelDefaultsToTheIntegrityGroup()
    {
        var t = Read("""{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "HI", "attributes": ["Integrity", "IntegrityEnabled"]}]}""");
        Assert.Equal(WellKnownSids.HighIntegrity, t.IntegrityLevel);

        // An explicit level is taken as given: Token keeps the level apart from the groups.
        t = Read("""{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "HI", "attributes": ["Integrity", "IntegrityEnabled"]}], "integrityLevel": "LW"}""");
        Assert.Equal(WellKnownSids.LowIntegrity, t.IntegrityLevel);
    }

    [Fact]
    public void TheUserMayBeDenyOnlyAndNothingElse()
    {
        var t = Read("""{"user": {"sid": "S-1-5-21-1-2-3-1001", "attributes": ["UseForDenyOnly"]}}""");
        Assert.True(t.User.IsDenyOnly);
        Assert.False(t.MatchesSid(Alice, denyAce: false));
        Assert.True(t.MatchesSid(Alice, denyAce: true));

        var e = Reject("""{"user": {"sid": "S-1-5-21-1-2-3-1001", "attributes": ["Enabled"]}}""");
        Assert.Equal("user.attributes: the user SID takes no attribute but UseForDenyOnly", e.ToString());
    }

    [Fact]
    public void SidsMayBeAliasesAndDomainAliasesNeedTheDomain()
    {
        const string json = """{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "wd", "attributes": ["Enabled"]}, {"sid": "DA", "attributes": ["Enabled"]}]}""";
        var t = Read(json, new SidContext(Sid.Parse("S-1-5-21-1-2-3")));
        Assert.Equal([WellKnownSids.World, Sid.Parse("S-1-5-21-1-2-3-512")], t.Groups.Select(g => g.Sid));

        var e = Reject(json);
        Assert.Equal("groups[1].sid", e.Field);
        Assert.Equal("alias 'DA' is relative to the domain, and no domain SID was given", e.Reason);

        e = Reject("""{"user": "S-1-5-21-x"}""");
        Assert.Equal("user", e.Field);
        Assert.StartsWith("'S-1-5-21-x' is not a SID or an SDDL alias: ", e.Reason);
    }

    [Theory]
    [InlineData("""{"user": "S-1-5-18", "groups": [{"sid": "WD", "attributes": ["Mandatory"]}, {"sid": "BU", "attributes": []}, {"sid": "AU", "attributes": ["Mandatory", "Enabeld"]}]}""",
        "groups[2].attributes[1]", "unknown group attribute 'Enabeld' (known: Mandatory, EnabledByDefault, Enabled, Owner, UseForDenyOnly, Integrity, IntegrityEnabled, Resource, LogonId)")]
    [InlineData("""{"user": "S-1-5-18", "nickname": "alice"}""", "nickname", "unknown field (known: user, groups, privileges, restrictedSids, writeRestricted, integrityLevel, mandatoryPolicy, type, impersonationLevel, owner, primaryGroup, defaultDacl, appContainer, sessionId, sandboxInert, luaToken, elevationType, authenticationId, origin, source, deviceGroups, userClaims, deviceClaims)")]
    [InlineData("""{"user": "S-1-5-18", "groups": [{"sid": "WD", "attribute": []}]}""", "groups[0].attribute", "unknown field (known: sid, attributes)")]
    [InlineData("""{"user": "S-1-5-18", "user": "S-1-5-19"}""", "user", "given twice")]
    [InlineData("""{"groups": []}""", "user", "missing: a token needs a user SID")]
    [InlineData("""{"user": "S-1-5-18", "groups": [{"attributes": []}]}""", "groups[0].sid", "missing")]
    [InlineData("""{"user": "S-1-5-18", "writeRestricted": "yes"}""", "writeRestricted", "expected true or false, got the string \"yes\"")]
    [InlineData("""{"user": "S-1-5-18", "groups": {}}""", "groups", "expected an array, got an object")]
    [InlineData("""{"user": 18}""", "user", "expected an object, got the number 18")]
    [InlineData("""{"user": "S-1-5-18", "privileges": [{"name": "SeFlyPrivilege"}]}""", "privileges[0].name", "unknown privilege 'SeFlyPrivilege'")]
    [InlineData("""{"user": "S-1-5-18", "privileges": [{"name": "SeDebugPrivilege", "attributes": ["On"]}]}""", "privileges[0].attributes[0]", "unknown privilege attribute 'On' (known: Enabled, EnabledByDefault, Removed, UsedForAccess)")]
    [InlineData("""{"user": "S-1-5-18", "type": "primary"}""", "type", "unknown token type 'primary' (known: Primary, Impersonation)")]
    [InlineData("""{"user": "S-1-5-18", "impersonationLevel": "Full"}""", "impersonationLevel", "unknown impersonation level 'Full' (known: Anonymous, Identification, Impersonation, Delegation)")]
    [InlineData("""{"user": "S-1-5-18", "mandatoryPolicy": ["NoReadUp"]}""", "mandatoryPolicy[0]", "unknown mandatory policy 'NoReadUp' (known: NoWriteUp, NewProcessMin)")]
    [InlineData("""{"user": "S-1-5-18", "sessionId": -1}""", "sessionId", "expected a number from 0 to 4294967295, got the number -1")]
    [InlineData("""{"user": "S-1-5-18", "authenticationId": "999"}""", "authenticationId", "'999' is not a LUID (0xHIGH:0xLOW, e.g. 0x0:0x3e7)")]
    [InlineData("""{"user": "S-1-5-18", "source": {"name": "TooLongName"}}""", "source.name", "'TooLongName' is longer than the 8 characters TOKEN_SOURCE holds")]
    [InlineData("""{"user": "S-1-5-18", "defaultDacl": "O:BAD:(A;;GA;;;SY)"}""", "defaultDacl", "expected a DACL alone in SDDL (D:(...)...), or null for none")]
    [InlineData("""{"user": "S-1-5-18", "defaultDacl": "D:P(A;;GA;;;SY)"}""", "defaultDacl", "P, AI and AR are descriptor control flags; a token's default DACL cannot carry them")]
    [InlineData("""{"user": "S-1-5-18", "defaultDacl": "D:NO_ACCESS_CONTROL"}""", "defaultDacl", "a token's default DACL is an ACL or nothing; write null for none")]
    [InlineData("""{"user": "S-1-5-18", "defaultDacl": "D:(A;;GA;;;SX)"}""", "defaultDacl", "11: 'SX' is not an SDDL SID alias")]
    [InlineData("""{"user": "S-1-5-18", "appContainer": {"packageSid": "S-1-15-2-1"}}""", "appContainer.packageSid", "S-1-15-2-1 is not an AppContainer package SID (S-1-15-2- and 7 or 11 more numbers)")]
    [InlineData("""{"user": "S-1-5-18", "appContainer": {"capabilities": []}}""", "appContainer.packageSid", "missing")]
    [InlineData("""{"user": "S-1-5-18", "userClaims": ["zz"]}""", "userClaims[0]", "expected a claim object {\"name\", \"type\", \"values\", \"flags\"}, got the string \"zz\"")]
    public void BadFieldsAreNamed(string json, string field, string reason)
    {
        var e = Reject(json);
        Assert.Equal(field, e.Field);
        Assert.Equal(reason, e.Reason);
        Assert.Equal($"{field}: {reason}", e.ToString());
    }

    [Fact]
    public void CapabilitiesMustBeCapabilitySids()
    {
        var e = Reject($$$"""{"user": "S-1-5-18", "appContainer": {"packageSid": "{{{Package}}}", "capabilities": [{"sid": "S-1-15-3-1"}, {"sid": "WD"}]}}""");
        Assert.Equal("appContainer.capabilities[1].sid: S-1-1-0 is not a capability SID (S-1-15-3-...)", e.ToString());
    }

    [Fact]
    public void TokenRuleViolationsNameTheirField()
    {
        var e = Reject("""{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "BA", "attributes": ["Enabled"]}], "owner": "BA"}""");
        Assert.Equal("owner", e.Field);
        Assert.Contains("STATUS_INVALID_OWNER", e.Reason);
        // With the Owner attribute the group may own.
        Assert.Equal(WellKnownSids.BuiltinAdministrators, Read("""{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "BA", "attributes": ["Enabled", "Owner"]}], "owner": "BA"}""").Owner);

        e = Reject("""{"user": "S-1-5-21-1-2-3-1001", "primaryGroup": "S-1-5-21-1-2-3-513"}""");
        Assert.Equal("primaryGroup", e.Field);
        Assert.Contains("STATUS_INVALID_PRIMARY_GROUP", e.Reason);

        e = Reject("""{"user": "S-1-5-21-1-2-3-1001", "integrityLevel": "SY"}""");
        Assert.Equal("integrityLevel", e.Field);
        Assert.Equal("integrity level S-1-5-18 is not a mandatory label SID (S-1-16-x)", e.Reason);
    }

    [Theory]
    [InlineData("{\"user\": ", "not valid JSON: line 1, column 10: the text ends before the document does")]
    [InlineData("[1]", "expected an object, got an array")]
    [InlineData("", "not valid JSON: line 1, column 1: the text ends before the document does")]
    [InlineData("{\"user\": SY}", "not valid JSON: line 1, column 10: 'SY' is not a JSON value (text needs double quotes; the bare words are true, false and null)")]
    [InlineData("{\n  \"user\": \"SY\",\n  ]", "not valid JSON: line 3, column 3: unexpected ']'")]
    public void DocumentErrorsHaveNoField(string json, string reasonStart)
    {
        var e = Reject(json);
        Assert.Equal("", e.Field);
        Assert.StartsWith(reasonStart, e.Reason);
        Assert.Equal(e.Reason, e.ToString());
    }

    [Fact]
    public void CommentsAreAllowed()
    {
        var t = Read("""
            // Alice, for the README
            {"user": "S-1-5-21-1-2-3-1001" /* the user */}
            """);
        Assert.Equal(Alice, t.User.Sid);
    }

    [Fact]
    public void WritesTheDocumentedLayout()
    {
        var t = Read("""{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "BU", "attributes": ["Enabled", "Mandatory", "EnabledByDefault"]}], "privileges": [{"name": "sechangenotifyprivilege", "attributes": ["EnabledByDefault", "Enabled"]}]}""");
        Assert.Equal("""
            {
              "user": "S-1-5-21-1-2-3-1001",
              "groups": [
                {"sid": "S-1-5-32-545", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]}
              ],
              "privileges": [
                {"name": "SeChangeNotifyPrivilege", "attributes": ["Enabled", "EnabledByDefault"]}
              ],
              "restrictedSids": [],
              "writeRestricted": false,
              "integrityLevel": "S-1-16-8192",
              "mandatoryPolicy": ["NoWriteUp", "NewProcessMin"],
              "type": "Impersonation",
              "impersonationLevel": "Impersonation",
              "owner": "S-1-5-21-1-2-3-1001",
              "primaryGroup": "S-1-5-21-1-2-3-1001"
            }
            """.Replace("\r\n", "\n", StringComparison.Ordinal), TokenJson.Write(t));
    }

    [Fact]
    public void EveryFieldRoundTrips()
    {
        var b = new TokenBuilder(Alice)
        {
            User = new SidAndAttributes(Alice, GroupAttributes.UseForDenyOnly),
            WriteRestricted = true,
            IntegrityLevel = WellKnownSids.LowIntegrity,
            MandatoryPolicy = MandatoryPolicy.NoWriteUp,
            Type = TokenType.Impersonation,
            ImpersonationLevel = SecurityImpersonationLevel.Identification,
            Owner = WellKnownSids.BuiltinAdministrators,
            PrimaryGroup = WellKnownSids.World,
            DefaultDacl = SddlParser.Parse("D:(A;;GA;;;SY)(D;OICI;WD;;;WD)(A;;0x1200a9;;;S-1-5-21-1-2-3-1001)").Dacl,
            AppContainer = new AppContainerInfo(Sid.Parse(Package), [new SidAndAttributes(Sid.Parse("S-1-15-3-1"), GroupAttributes.Enabled)], 7),
            SessionId = 3,
            SandboxInert = true,
            IsLuaToken = true,
            ElevationType = TokenElevationType.Limited,
            AuthenticationId = new Luid(0x3e7, 0),
            Origin = new Luid(0x1234, 1),
            Source = new TokenSource("User32", new Luid(0x99, 0)),
            UserClaims =
            [
                new ClaimSecurityAttribute("ad://ext/Department", ClaimValueType.String, ClaimSecurityAttributeFlags.ValueCaseSensitive, ["Finance", "HR"]),
                new ClaimSecurityAttribute("n", ClaimValueType.Int64, ClaimSecurityAttributeFlags.None, [-5L]),
                new ClaimSecurityAttribute("f", ClaimValueType.Fqbn, ClaimSecurityAttributeFlags.None, [new FqbnValue(0x0001000200030004, "O=CONTOSO\\APP")]),
            ],
            DeviceClaims = [new ClaimSecurityAttribute("o", ClaimValueType.OctetString, ClaimSecurityAttributeFlags.Disabled, [new byte[] { 0xff, 0 }]),
                new ClaimSecurityAttribute("s", ClaimValueType.Sid, ClaimSecurityAttributeFlags.UseForDenyOnly, [WellKnownSids.World]),
                new ClaimSecurityAttribute("b", ClaimValueType.Boolean, ClaimSecurityAttributeFlags.None, [true, false])],
        };
        b.AddGroup(WellKnownSids.World)
         .AddGroup(WellKnownSids.BuiltinAdministrators, GroupAttributes.Enabled | GroupAttributes.Owner | (GroupAttributes)0x100)
         .AddGroup(Sid.Parse("S-1-5-5-0-1"), GroupAttributes.Mandatory | GroupAttributes.Enabled | GroupAttributes.LogonId)
         .AddGroup(WellKnownSids.LowIntegrity, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled)
         .AddPrivilege("SeDebugPrivilege", PrivilegeAttributes.None)
         .AddPrivilege("SeChangeNotifyPrivilege", PrivilegeAttributes.Enabled | PrivilegeAttributes.EnabledByDefault | PrivilegeAttributes.UsedForAccess)
         .AddRestrictedSid(WellKnownSids.Restricted);
        b.PrivilegeList.Add(new Privilege(new Luid(0x40, 0), PrivilegeAttributes.Removed));
        b.DeviceGroups.Add(new SidAndAttributes(Sid.Parse("S-1-5-21-9-9-9-515"), GroupAttributes.Enabled));
        var original = b.Build();

        string json = TokenJson.Write(original);
        var copy = Read(json);

        AssertSameValues(original, copy);
        Assert.Equal(json, TokenJson.Write(copy));
        Assert.Contains("\"0x100\"", json);
        Assert.Contains("\"0x0:0x40\"", json);
    }

    [Fact]
    public void PrimaryTokensRoundTripWithoutALevel()
    {
        var t = Read("""{"user": "S-1-5-18", "type": "Primary", "impersonationLevel": "Delegation"}""");
        Assert.Equal(TokenType.Primary, t.Type);
        string json = TokenJson.Write(t);
        Assert.DoesNotContain("impersonationLevel", json);
        AssertSameValues(t, Read(json));
    }

    [Fact]
    public void RandomTokensRoundTrip()
    {
        var random = new Random(20240611);
        Sid[] pool = [WellKnownSids.World, WellKnownSids.BuiltinUsers, WellKnownSids.BuiltinAdministrators, WellKnownSids.Restricted,
            Sid.Parse("S-1-5-21-1-2-3-513"), Sid.Parse("S-1-5-5-0-42"), WellKnownSids.AuthenticatedUsers, Sid.Parse("S-1-5-21-7-8-9-1105")];
        var privileges = Privileges.All.ToArray();
        for (int n = 0; n < 300; n++)
        {
            var user = Sid.Parse($"S-1-5-21-1-2-3-{1000 + random.Next(100)}");
            var b = new TokenBuilder(user);
            if (random.Next(4) == 0) b.User = new SidAndAttributes(user, GroupAttributes.UseForDenyOnly);
            for (int i = random.Next(6); i > 0; i--) b.AddGroup(pool[random.Next(pool.Length)], (GroupAttributes)((uint)random.Next() & 0xE000_007F));
            for (int i = random.Next(4); i > 0; i--) b.PrivilegeList.Add(new Privilege(privileges[random.Next(privileges.Length)].Luid, (PrivilegeAttributes)((uint)random.Next() & 0x8000_0007)));
            for (int i = random.Next(3); i > 0; i--) b.AddRestrictedSid(pool[random.Next(pool.Length)], (GroupAttributes)random.Next(8));
            b.WriteRestricted = random.Next(2) == 0;
            b.IntegrityLevel = Sid.Create(16, (uint)random.Next(5) * 4096);
            b.MandatoryPolicy = (MandatoryPolicy)random.Next(4);
            b.Type = random.Next(3) == 0 ? TokenType.Primary : TokenType.Impersonation;
            b.ImpersonationLevel = (SecurityImpersonationLevel)random.Next(4);
            if (random.Next(2) == 0) b.DefaultDacl = new Acl([Ace.Allow(pool[random.Next(pool.Length)], (uint)random.Next())]);
            b.SessionId = (uint)random.Next(3);
            b.SandboxInert = random.Next(2) == 0;
            b.IsLuaToken = random.Next(2) == 0;
            var t = b.Build();

            var copy = Read(TokenJson.Write(t));
            AssertSameValues(t, copy);
        }
    }

    // ImmutableArray<T> is IEquatable by reference, so arrays are compared as arrays.
    private static void AssertSameValues(Token expected, Token actual)
    {
        Assert.Equal(expected.User, actual.User);
        Assert.Equal(expected.Groups.ToArray(), actual.Groups.ToArray());
        Assert.Equal(expected.Privileges.ToArray(), actual.Privileges.ToArray());
        Assert.Equal(expected.RestrictedSids.ToArray(), actual.RestrictedSids.ToArray());
        Assert.Equal(expected.WriteRestricted, actual.WriteRestricted);
        Assert.Equal(expected.Owner, actual.Owner);
        Assert.Equal(expected.PrimaryGroup, actual.PrimaryGroup);
        Assert.Equal(expected.DefaultDacl, actual.DefaultDacl);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.ImpersonationLevel, actual.ImpersonationLevel);
        Assert.Equal(expected.IntegrityLevel, actual.IntegrityLevel);
        Assert.Equal(expected.MandatoryPolicy, actual.MandatoryPolicy);
        Assert.Equal(expected.AuthenticationId, actual.AuthenticationId);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.SessionId, actual.SessionId);
        Assert.Equal(expected.ElevationType, actual.ElevationType);
        Assert.Equal(expected.AppContainer is null, actual.AppContainer is null);
        if (expected.AppContainer is { } ac)
        {
            Assert.Equal(ac.PackageSid, actual.AppContainer!.PackageSid);
            Assert.Equal(ac.Capabilities.ToArray(), actual.AppContainer.Capabilities.ToArray());
            Assert.Equal(ac.LowboxNumber, actual.AppContainer.LowboxNumber);
        }
        Assert.Equal(expected.SandboxInert, actual.SandboxInert);
        Assert.Equal(expected.IsLuaToken, actual.IsLuaToken);
        Assert.Equal(expected.Origin, actual.Origin);
        Assert.Equal(expected.DeviceGroups.ToArray(), actual.DeviceGroups.ToArray());
        Assert.Equal(expected.UserClaims.Select(ClaimJson.Format), actual.UserClaims.Select(ClaimJson.Format));
        Assert.Equal(expected.DeviceClaims.Select(ClaimJson.Format), actual.DeviceClaims.Select(ClaimJson.Format));
    }

    // ----- issue 16: bad strings and bad encodings are answers, not crashes, in the tool's words --------------------

    [Theory]
    [InlineData("{\"user\": \"\\ud800\"}", "user")]
    [InlineData("{\"user\": \"SY\", \"groups\": [{\"sid\": \"\\udc00\"}]}", "groups[0].sid")]
    [InlineData("{\"user\": \"SY\", \"privileges\": [{\"name\": \"Se\\ud83dChange\"}]}", "privileges[0].name")]
    [InlineData("{\"\\ud800\": 1}", "")]
    [InlineData("{\"user\": \"SY\", \"source\": {\"\\udfff\": 1}}", "source")]
    public void ALoneSurrogateEscape_IsAFieldError(string json, string field)
    {
        var e = Reject(json);
        Assert.Equal(field, e.Field);
        Assert.Contains("lone surrogate", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ALoneSurrogateInAnUnknownField_IsReportedAsTheUnknownField()
    {
        var e = Reject("{\"id\": \"\\ud800\", \"user\": \"SY\"}");
        Assert.Equal("id", e.Field);
        Assert.StartsWith("unknown field", e.Reason, StringComparison.Ordinal);
        // A pair of escapes is a character, and reads.
        Assert.Equal(WellKnownSids.LocalSystem, Read("{\"user\": \"SY\", \"source\": {\"name\": \"\\ud83d\\ude00\"}}").User.Sid);
    }

    [Fact]
    public void Utf16WithoutByteOrderMark_IsNamed()
    {
        // What a UTF-16LE file looks like when read as UTF-8: every other character is NUL.
        string json = string.Concat("{\"user\": \"SY\"}".Select(c => c + "\0"));
        var e = Reject(json);
        Assert.Equal("", e.Field);
        Assert.StartsWith("not valid JSON: line 1, column 2: a NUL character; is the file UTF-16 without a byte order mark?", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"user\": ")]
    [InlineData("{\"user\": \"SY\"")]
    [InlineData("{\"user\": \"SY")]
    [InlineData("{\"user\": tru}")]
    [InlineData("{\"user\": \"SY\",}")]
    [InlineData("{\"user\": \"S\u0001Y\"}")]
    [InlineData("{'user': 'SY'}")]
    [InlineData("{\"user\": \"SY\"} {}")]
    [InlineData("\u00ff\u00fe{}")]
    public void SyntaxErrors_SpeakTheToolsWords(string json)
    {
        var e = Reject(json);
        Assert.StartsWith("not valid JSON: line ", e.Reason, StringComparison.Ordinal);
        foreach (var dotnet in new[] { "reader options", "isFinalBlock", "LineNumber", "BytePositionInLine", "invalid start of a value", "'0x", "Expected" })
            Assert.DoesNotContain(dotnet, e.Reason, StringComparison.Ordinal);
    }
}
