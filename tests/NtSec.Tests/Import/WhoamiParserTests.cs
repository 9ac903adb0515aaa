using NtSec.Import;
using NtSec.Principals;
using NtSec.Tests.Conformance;
using NtSec.Tokens;
using static NtSec.Tests.Import.ImportSamples;

namespace NtSec.Tests.Import;

public sealed class WhoamiParserTests
{
    private const GroupAttributes On = GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled;

    private static WhoamiResult Parse(string text)
    {
        Assert.True(WhoamiParser.TryParse(text, out var result, out var error), error?.ToString());
        return result!;
    }

    private static ParseError Reject(string text)
    {
        Assert.False(WhoamiParser.TryParse(text, out var result, out var error));
        Assert.Null(result);
        return error!;
    }

    [ConformanceFact]
    public void SharedElevatedSampleGivesEveryGroupPrivilegeAndTheLabel()
    {
        var r = Parse(Shared("whoami-all-elevated.txt"));

        Assert.Equal(WhoamiFormat.Table, r.Format);
        Assert.Equal("desktop-7h2k1q\\dana", r.UserName);
        Assert.Equal(S("S-1-5-21-3874521092-2237451823-1390876455-1001"), r.User);
        (string Sid, GroupAttributes Attributes)[] groups =
        [
            ("S-1-1-0", On),
            ("S-1-5-114", On),
            ("S-1-5-32-544", On | GroupAttributes.Owner),
            ("S-1-5-32-545", On),
            ("S-1-5-4", On),
            ("S-1-2-1", On),
            ("S-1-5-11", On),
            ("S-1-5-15", On),
            ("S-1-5-113", On),
            ("S-1-2-0", On),
            ("S-1-5-64-10", On),
        ];
        Assert.Equal(groups.Select(g => (S(g.Sid), g.Attributes)), r.Groups.Select(g => (g.Sid, g.Attributes)));
        Assert.Equal(groups.Select(g => (S(g.Sid), g.Attributes)), r.Token.Groups.Select(g => (g.Sid, g.Attributes)));
        Assert.Equal("NT AUTHORITY\\Local account and member of Administrators group", r.Groups[1].Name);
        Assert.Equal("Well-known group", r.Groups[1].Type);
        Assert.Equal("Alias", r.Groups[2].Type);
        Assert.Equal(15, r.Groups[0].Line);

        Assert.Equal(WellKnownSids.HighIntegrity, r.IntegrityLevel);
        Assert.Equal(WellKnownSids.HighIntegrity, r.Token.IntegrityLevel);
        Assert.DoesNotContain(r.Token.Groups, g => g.Sid.IdentifierAuthority == 16);

        string[] enabled = ["SeChangeNotifyPrivilege", "SeImpersonatePrivilege", "SeCreateGlobalPrivilege"];
        string[] all =
        [
            "SeIncreaseQuotaPrivilege", "SeSecurityPrivilege", "SeTakeOwnershipPrivilege", "SeLoadDriverPrivilege", "SeSystemProfilePrivilege",
            "SeSystemtimePrivilege", "SeProfileSingleProcessPrivilege", "SeIncreaseBasePriorityPrivilege", "SeCreatePagefilePrivilege",
            "SeBackupPrivilege", "SeRestorePrivilege", "SeShutdownPrivilege", "SeDebugPrivilege", "SeSystemEnvironmentPrivilege",
            "SeChangeNotifyPrivilege", "SeRemoteShutdownPrivilege", "SeUndockPrivilege", "SeManageVolumePrivilege", "SeImpersonatePrivilege",
            "SeCreateGlobalPrivilege", "SeIncreaseWorkingSetPrivilege", "SeTimeZonePrivilege", "SeCreateSymbolicLinkPrivilege",
            "SeDelegateSessionUserImpersonatePrivilege",
        ];
        Assert.Equal(all, r.Privileges.Select(p => p.Name));
        Assert.Equal(all, r.Token.Privileges.Select(p => p.Name));
        foreach (var p in r.Token.Privileges)
            Assert.Equal(enabled.Contains(p.Name) ? PrivilegeAttributes.Enabled : PrivilegeAttributes.None, p.Attributes);
        Assert.Equal("Obtain an impersonation token for another user in the same session", r.Privileges[^1].Description);

        Assert.Equal(TokenType.Impersonation, r.Token.Type);
        Assert.Equal(SecurityImpersonationLevel.Impersonation, r.Token.ImpersonationLevel);
        Assert.Equal(r.User, r.Token.User.Sid);
        Assert.Null(r.Token.LogonSid);
        Assert.Empty(r.Notes);
    }

    [ConformanceFact]
    public void SharedSampleHardWrappedAt80ColumnsGivesTheSameToken()
    {
        var plain = Parse(Shared("whoami-all-elevated.txt"));
        var wrapped = Parse(HardWrap(Shared("whoami-all-elevated.txt"), 80));

        AssertSameToken(plain, wrapped);
    }

    // Alice: a domain user who is a local administrator, at Medium integrity with Administrators deny-only (UAC's
    // filtered token), a logon session SID and a domain-local group.
    private static void AssertAlice(WhoamiResult r)
    {
        Assert.Equal("contoso\\alice", r.UserName);
        Assert.Equal(S(Contoso + "-1104"), r.User);
        (string Sid, GroupAttributes Attributes)[] groups =
        [
            ("S-1-1-0", On),
            ("S-1-5-32-544", GroupAttributes.UseForDenyOnly),
            ("S-1-5-32-545", On),
            ("S-1-5-32-555", On),
            ("S-1-5-4", On),
            ("S-1-2-1", On),
            ("S-1-5-11", On),
            ("S-1-5-15", On),
            ("S-1-5-5-0-2143726", On | GroupAttributes.LogonId),
            ("S-1-2-0", On),
            (Contoso + "-1120", On),
            (Contoso + "-1131", On | GroupAttributes.Resource),
            ("S-1-18-1", On),
        ];
        Assert.Equal(groups.Select(g => (S(g.Sid), g.Attributes)), r.Token.Groups.Select(g => (g.Sid, g.Attributes)));
        Assert.Equal("NT AUTHORITY\\LogonSessionId_0_2143726", r.Groups[8].Name);
        Assert.Equal("Logon ID", r.Groups[8].Type);
        Assert.Equal("CONTOSO\\File Share Readers", r.Groups[11].Name);
        Assert.Equal(S("S-1-5-5-0-2143726"), r.Token.LogonSid);
        Assert.Equal(WellKnownSids.MediumIntegrity, r.Token.IntegrityLevel);
        Assert.Equal(
            ["SeShutdownPrivilege", "SeChangeNotifyPrivilege", "SeUndockPrivilege", "SeIncreaseWorkingSetPrivilege", "SeTimeZonePrivilege"],
            r.Token.Privileges.Select(p => p.Name));
        Assert.Equal([false, true, false, false, false], r.Privileges.Select(p => p.Enabled));
        Assert.Equal(["Shut down the system", "Bypass traverse checking"], r.Privileges.Take(2).Select(p => p.Description));
        Assert.True(r.Token.MatchesSid(WellKnownSids.BuiltinAdministrators, denyAce: true));
        Assert.False(r.Token.MatchesSid(WellKnownSids.BuiltinAdministrators, denyAce: false));
    }

    [Fact]
    public void OwnTableSampleWithPaddedCells()
    {
        var r = Parse(Own("whoami-table-standard-user.txt"));

        Assert.Equal(WhoamiFormat.Table, r.Format);
        AssertAlice(r);
        Assert.Single(r.Notes);
        Assert.Contains("USER CLAIMS INFORMATION", r.Notes[0], StringComparison.Ordinal);
    }

    [Fact]
    public void OwnListSample()
    {
        var r = Parse(Own("whoami-list-standard-user.txt"));

        Assert.Equal(WhoamiFormat.List, r.Format);
        AssertAlice(r);
        Assert.Equal(12, r.Groups[0].Line);
    }

    [Fact]
    public void OwnCsvSample()
    {
        var r = Parse(Own("whoami-csv-standard-user.txt"));

        Assert.Equal(WhoamiFormat.Csv, r.Format);
        AssertAlice(r);
        Assert.Equal(6, r.Groups[0].Line);
    }

    [Theory]
    [InlineData("whoami-table-standard-user.txt", 80)]
    [InlineData("whoami-table-standard-user.txt", 120)]
    [InlineData("whoami-table-standard-user.txt", 37)]
    [InlineData("whoami-list-standard-user.txt", 40)]
    [InlineData("whoami-csv-standard-user.txt", 80)]
    [InlineData("whoami-csv-standard-user.txt", 23)]
    public void HardWrappedOutputGivesTheSameToken(string sample, int width)
    {
        var plain = Parse(Own(sample));
        var wrapped = Parse(HardWrap(Own(sample), width));

        AssertSameToken(plain, wrapped);
    }

    [Fact]
    public void LineEndingsDoNotMatter()
    {
        var crlf = Parse(Own("whoami-table-standard-user.txt"));
        var lf = Parse(Own("whoami-table-standard-user.txt").Replace("\r\n", "\n", StringComparison.Ordinal));

        AssertSameToken(crlf, lf);
    }

    [Fact]
    public void AWrapThatLeavesAnEmptyLineBehindIsRejoined()
    {
        // A console that wraps a line exactly as wide as itself shows an empty line after it.
        string text = Own("whoami-table-standard-user.txt").Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = HardWrap(text, 80).Split("\r\n").ToList();
        int header = lines.FindIndex(l => l.StartsWith("Group Name", StringComparison.Ordinal));
        lines.Insert(header + 2, "");
        var r = Parse(string.Join("\n", lines));

        AssertAlice(r);
    }

    [Fact]
    public void TextBeforeTheFirstSectionIsNotedAndIgnored()
    {
        var r = Parse("C:\\Users\\alice>whoami /all\r\n" + Own("whoami-table-standard-user.txt"));

        AssertAlice(r);
        Assert.Equal("lines 1-2 before the first section were ignored", r.Notes[0]);
    }

    [Fact]
    public void CsvWithSectionTitlesIsRead()
    {
        string csv = Own("whoami-csv-standard-user.txt").Replace("\r\n", "\n", StringComparison.Ordinal);
        csv = csv.Replace("\n\"User Name\"", "\nUSER INFORMATION\n----------------\n\n\"User Name\"", StringComparison.Ordinal)
            .Replace("\n\"Group Name\"", "\nGROUP INFORMATION\n-----------------\n\n\"Group Name\"", StringComparison.Ordinal)
            .Replace("\n\"Privilege Name\"", "\nPRIVILEGES INFORMATION\n----------------------\n\n\"Privilege Name\"", StringComparison.Ordinal);
        var r = Parse(csv);

        Assert.Equal(WhoamiFormat.Csv, r.Format);
        AssertAlice(r);
    }

    [Fact]
    public void CsvQuotesInsideValuesAreUnescaped()
    {
        const string text = """
            "User Name","SID"
            "x\a ""quoted"" name","S-1-5-21-1-2-3-1001"

            "Group Name","Type","SID","Attributes"
            "Mandatory Label\Low Mandatory Level","Label","S-1-16-4096",""

            "Privilege Name","Description","State"
            "SeChangeNotifyPrivilege","Bypass traverse checking","Enabled"
            """;
        var r = Parse(text);

        Assert.Equal("x\\a \"quoted\" name", r.UserName);
        Assert.Empty(r.Groups);
        Assert.Equal(WellKnownSids.LowIntegrity, r.Token.IntegrityLevel);
        Assert.Equal(PrivilegeAttributes.Enabled, Assert.Single(r.Token.Privileges).Attributes);
    }

    [Fact]
    public void TheImportedTokenPassesTheAccessCheckAsTheRealOneWould()
    {
        var token = Parse(Own("whoami-table-standard-user.txt")).Token;
        var sd = global::NtSec.Sddl.SddlParser.Parse($"O:SYG:SYD:(D;;WD;;;BA)(A;;FR;;;{Contoso}-1120)(A;;FA;;;BU)");

        var result = global::NtSec.Authorization.AccessCheck.Check(sd, token, global::NtSec.AccessMask.MaximumAllowed,
            global::NtSec.Authorization.ObjectTypes.File.GenericMapping);

        // The deny ACE for Administrators meets the deny-only SID; the grant to Users applies through an enabled group.
        Assert.True(result.IsGranted);
        Assert.Equal(0x1F01FFu & ~0x40000u, result.GrantedAccess);
    }

    private static void AssertSameToken(WhoamiResult expected, WhoamiResult actual)
    {
        Assert.Equal(expected.Format, actual.Format);
        Assert.Equal(expected.UserName, actual.UserName);
        Assert.Equal(expected.User, actual.User);
        Assert.Equal(expected.Groups.Select(g => (g.Name, g.Type, g.Sid, g.Attributes)), actual.Groups.Select(g => (g.Name, g.Type, g.Sid, g.Attributes)));
        Assert.Equal(expected.IntegrityLevel, actual.IntegrityLevel);
        Assert.Equal(expected.Privileges.Select(p => (p.Name, p.Description, p.Enabled)), actual.Privileges.Select(p => (p.Name, p.Description, p.Enabled)));
        Assert.Equal(expected.Token.Groups.ToArray(), actual.Token.Groups.ToArray());
        Assert.Equal(expected.Token.Privileges.ToArray(), actual.Token.Privileges.ToArray());
    }

    // ---- rejected input, with line and column ----

    [Fact]
    public void EmptyTextIsRejected()
    {
        var e = Reject("\r\n\r\n");
        Assert.Equal("no whoami output: the text is empty", e.Reason);
    }

    [Fact]
    public void OtherTextIsRejected()
    {
        var e = Reject("\nO:BAG:BAD:(A;;FA;;;WD)\n");
        Assert.Equal((2, 1), (e.Line, e.Column));
        Assert.StartsWith("no USER INFORMATION section", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownGroupAttributeIsRejectedWhereItStands()
    {
        string text = Own("whoami-table-standard-user.txt").Replace("Enabled group, Local Group", "Enabled group, Lokal Group", StringComparison.Ordinal);
        var e = Reject(text);

        Assert.Equal(26, e.Line);
        Assert.Equal(1 + 42 + 1 + 16 + 1 + 45 + 1 + "Mandatory group, Enabled by default, Enabled group, ".Length, e.Column);
        Assert.StartsWith("unknown group attribute 'Lokal Group'", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSidIsRejectedAtTheSid()
    {
        string text = Own("whoami-list-standard-user.txt").Replace("SID:        S-1-5-32-545", "SID:        S-1-5-3x-545", StringComparison.Ordinal);
        var e = Reject(text);

        Assert.Equal(24, e.Line);
        Assert.True(e.Column > 13, e.ToString());
        Assert.Contains("'S-1-5-3x-545' is not a SID", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownPrivilegeAndStateAreRejected()
    {
        var e = Reject(Own("whoami-csv-standard-user.txt").Replace("\"SeUndockPrivilege\"", "\"SeUnlockPrivilege\"", StringComparison.Ordinal));
        Assert.Equal((24, 2), (e.Line, e.Column));
        Assert.Equal("unknown privilege 'SeUnlockPrivilege'", e.Reason);

        e = Reject(Own("whoami-csv-standard-user.txt").Replace("\"Enabled\"", "\"Enabeld\"", StringComparison.Ordinal));
        Assert.Equal(23, e.Line);
        Assert.Equal("the state 'Enabeld' is neither 'Enabled' nor 'Disabled'", e.Reason);
    }

    [Fact]
    public void MissingLabelIsRejected()
    {
        string text = string.Join("\r\n", Own("whoami-table-standard-user.txt").Split("\r\n").Where(l => !l.StartsWith("Mandatory Label", StringComparison.Ordinal)));
        var e = Reject(text);

        Assert.Equal(10, e.Line);
        Assert.Contains("integrity level is unknown", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSectionIsRejected()
    {
        string text = Own("whoami-list-standard-user.txt");
        text = text[..text.IndexOf("PRIVILEGES INFORMATION", StringComparison.Ordinal)];
        var e = Reject(text);

        Assert.StartsWith("no PRIVILEGES INFORMATION section", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MisalignedCellIsRejected()
    {
        // The SID pushed one column to the left runs into the Type column.
        string text = Own("whoami-table-standard-user.txt").Replace("Alias            S-1-5-32-545 ", "Alias           S-1-5-32-545  ", StringComparison.Ordinal);
        var e = Reject(text);

        Assert.Equal((17, 60), (e.Line, e.Column));
        Assert.Equal("the Type value runs past its '=====' underline into the next column", e.Reason);
    }

    [Fact]
    public void TranslatedHeaderIsRejected()
    {
        string text = Own("whoami-table-standard-user.txt").Replace("Privilege Name", "Berechtigungsn", StringComparison.Ordinal);
        var e = Reject(text);

        Assert.Equal((34, 1), (e.Line, e.Column));
        Assert.Contains("only English whoami output is understood", e.Reason, StringComparison.Ordinal);
    }

    // "User claims unknown." with the Kerberos line under it is what whoami /all and whoami /claims print on a
    // device whose Kerberos client does not request claims: seen in many public pastes of whoami /all, e.g. the
    // HackTheBox write-ups of Resolute and Frizz and OSCP lab notes (MEGABANK\melanie, OSCP\eric.wallows), and
    // in the samples of this folder. The token then carries no user claims.
    [Theory]
    [InlineData("whoami-table-standard-user.txt")]
    [InlineData("whoami-list-standard-user.txt")]
    public void ClaimsUnknownGivesATokenWithoutUserClaims(string sample)
    {
        var r = Parse(Own(sample));

        Assert.Empty(r.Token.UserClaims);
        Assert.Contains(r.Notes, n => n.Contains("says the user claims are unknown: the token carries no user claims", StringComparison.Ordinal));
    }

    // No Windows sample of a claims table was found (only screenshots): a listed claim is refused, not read by a
    // guessed layout, since a token read without it could pass a Not_Exists or negated condition Windows fails.
    [Fact]
    public void ClaimsSectionThatListsClaimsIsRefused()
    {
        string text = Own("whoami-table-standard-user.txt").Replace("User claims unknown.", "department  ad://ext/department:88ce  String  Finance", StringComparison.Ordinal);
        var e = Reject(text);

        Assert.Equal((46, 1), (e.Line, e.Column));
        Assert.Contains("USER CLAIMS INFORMATION section lists claims", e.Reason, StringComparison.Ordinal);
        Assert.Contains("userClaims in the token JSON", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TrailingTextAfterTheLastTableIsRejected()
    {
        string text = Own("whoami-table-standard-user.txt");
        text = text[..text.IndexOf("USER CLAIMS", StringComparison.Ordinal)] + "C:\\Users\\alice>\r\n";
        var e = Reject(text);

        Assert.Equal((43, 1), (e.Line, e.Column));
        Assert.Equal("unexpected text after the PRIVILEGES INFORMATION table", e.Reason);
    }

    [Fact]
    public void UnclosedCsvQuoteIsRejected()
    {
        var e = Reject("\"User Name\",\"SID\"\n\"x\\y\",\"S-1-5-21-1-2-3-1001\n");

        Assert.Equal((2, 7), (e.Line, e.Column));
        Assert.Equal("a quoted value is not closed", e.Reason);
    }

    [Fact]
    public void AppContainerSidsAreRejected()
    {
        string text = Own("whoami-csv-standard-user.txt").Replace("\"S-1-18-1\"", "\"S-1-15-3-1\"", StringComparison.Ordinal);
        var e = Reject(text);

        Assert.Contains("AppContainer", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseThrowsTheImportError()
    {
        var e = Assert.Throws<NtSecFormatException>(() => WhoamiParser.Parse("nothing"));
        Assert.Equal(1, e.Error.Line);
    }

    [Theory]
    [InlineData("whoami-table-standard-user.txt")]
    [InlineData("whoami-list-standard-user.txt")]
    [InlineData("whoami-csv-standard-user.txt")]
    public void GarbageNeverThrows(string name)
    {
        const string Noise = " =-\"\r\n,:aZ";
        string sample = Own(name);
        var random = new Random(12345);
        for (int i = 0; i < 300; i++)
        {
            var chars = sample.ToCharArray();
            for (int k = 0; k < 5; k++) chars[random.Next(chars.Length)] = Noise[random.Next(Noise.Length)];
            string mutated = new(chars, 0, random.Next(chars.Length));
            WhoamiParser.TryParse(mutated, out _, out _);
            WhoamiParser.TryParse(HardWrap(mutated, 40), out _, out _);
        }
    }
}
