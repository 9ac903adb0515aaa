using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tests.Conformance;
using static NtSec.Tests.Import.ImportSamples;

namespace NtSec.Tests.Import;

public sealed class IcaclsParserTests
{
    private const AceFlags OICI = AceFlags.ObjectInherit | AceFlags.ContainerInherit;

    private static readonly Dictionary<string, Sid> FinanceNames = new()
    {
        ["CONTOSO\\Finance"] = S(Contoso + "-1120"),
        ["CONTOSO\\Interns"] = S(Contoso + "-1121"),
    };

    private static readonly Dictionary<string, Sid> ProjectNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CONTOSO\\Contractors"] = S(Contoso + "-1600"),
        ["CONTOSO\\Engineering"] = S(Contoso + "-1500"),
    };

    private static IReadOnlyList<IcaclsEntry> Parse(string text, IReadOnlyDictionary<string, Sid>? names)
    {
        Assert.True(IcaclsParser.TryParse(text, names, out var entries, out var error), error?.ToString());
        return entries!;
    }

    private static ParseError Reject(string text, IReadOnlyDictionary<string, Sid>? names = null)
    {
        Assert.False(IcaclsParser.TryParse(text, names, out var entries, out var error));
        Assert.Null(entries);
        return error!;
    }

    private static (AceType, AceFlags, uint, Sid)[] Aces(Acl acl) => acl.Aces.Select(a => (a.Type, a.Flags, a.Mask, a.Sid)).ToArray();

    [ConformanceFact]
    public void SharedSampleGivesEveryAce()
    {
        var entry = Assert.Single(Parse(Shared("icacls.txt"), FinanceNames));

        Assert.Equal("C:\\Shares\\Finance", entry.Path);
        Assert.Equal(1, entry.Line);
        Assert.Null(entry.Label);
        Assert.Equal(
        [
            (AceType.AccessAllowed, OICI, 0x1F01FFu, WellKnownSids.LocalSystem),
            (AceType.AccessAllowed, OICI, 0x1F01FFu, WellKnownSids.BuiltinAdministrators),
            (AceType.AccessAllowed, OICI, 0x1301BFu, S(Contoso + "-1120")),
            (AceType.AccessAllowed, OICI, 0x1200A9u, WellKnownSids.BuiltinUsers),
            (AceType.AccessDenied, OICI, 0x100116u, S(Contoso + "-1121")),
            (AceType.AccessAllowed, OICI | AceFlags.InheritOnly, 0x1F01FFu, WellKnownSids.CreatorOwner),
        ], Aces(entry.Dacl));
        Assert.Equal($"D:(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;{Contoso}-1120)(A;OICI;0x1200a9;;;BU)(D;OICI;0x100116;;;{Contoso}-1121)(A;OICIIO;FA;;;CO)",
            SddlWriter.Format(entry.ToDescriptor()));
    }

    [ConformanceFact]
    public void SharedIcaclsAndGetAclSamplesAgreeOnTheSameFolder()
    {
        // Both shared samples describe C:\Shares\Finance: icacls' M and RX are the masks Get-Acl's SDDL spells out.
        var icacls = Assert.Single(Parse(Shared("icacls.txt"), FinanceNames)).Dacl.Aces;
        var getAcl = Assert.Single(GetAclParser.Parse(Shared("get-acl-format-list.txt"))).Descriptor.Dacl!.Aces;

        Assert.Equal(getAcl.Select(a => (a.Sid, a.Mask, a.Flags)), icacls.Take(4).Select(a => (a.Sid, a.Mask, a.Flags)));
    }

    [ConformanceFact]
    public void SharedSampleNeedsTheDomainNames()
    {
        var e = Reject(Shared("icacls.txt"));

        Assert.Equal((3, 19), (e.Line, e.Column));
        Assert.Equal("'CONTOSO\\Finance' is not a well-known account, a SID, or a name given in the map", e.Reason);
    }

    [Fact]
    public void OwnSampleWithSeveralPaths()
    {
        var entries = Parse(Own("icacls-projects.txt"), ProjectNames);
        Assert.Equal(["C:\\Shares\\Projects", "C:\\Shares\\Projects\\Road Map.docx", "C:\\Shares\\Projects\\Build Output", "C:\\Shares\\Projects\\Cache"],
            entries.Select(e => e.Path));
        Assert.Equal([1, 10, 16, 18], entries.Select(e => e.Line));

        var contractors = S(Contoso + "-1600");
        var engineering = S(Contoso + "-1500");
        var unresolved = S(Contoso + "-1507");
        Assert.Equal(
        [
            (AceType.AccessAllowed, OICI, 0x1F01FFu, WellKnownSids.LocalSystem),
            (AceType.AccessAllowed, OICI, 0x1F01FFu, WellKnownSids.BuiltinAdministrators),
            (AceType.AccessDenied, OICI, 0xC0000u, contractors),
            (AceType.AccessAllowed, OICI, 0x1301BFu | 0x80000 | 0x40, engineering),
            (AceType.AccessAllowed, OICI, 0x1200A9u | 0x100116, unresolved),
            (AceType.AccessAllowed, OICI | AceFlags.InheritOnly, 0x1F01FFu, WellKnownSids.CreatorOwner),
            (AceType.AccessAllowed, AceFlags.ContainerInherit, 0x4u, WellKnownSids.BuiltinUsers),
            (AceType.AccessAllowed, AceFlags.NoPropagateInherit, 0x100001u, WellKnownSids.World),
        ], Aces(entries[0].Dacl));

        const AceFlags I = AceFlags.Inherited;
        Assert.Equal(
        [
            (AceType.AccessDenied, I, 0xC0000u, contractors),
            (AceType.AccessAllowed, I, 0x1F01FFu, WellKnownSids.LocalSystem),
            (AceType.AccessAllowed, I, 0x1F01FFu, WellKnownSids.BuiltinAdministrators),
            (AceType.AccessAllowed, I, 0x1B01FFu, engineering),
            (AceType.AccessAllowed, I, 0x1201BFu, unresolved),
        ], Aces(entries[1].Dacl));

        // NT SERVICE\TrustedInstaller: the SHA-1 of "TRUSTEDINSTALLER", as sc showsid prints it.
        Assert.Equal([(AceType.AccessAllowed, OICI, 0x1F01FFu, S("S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"))], Aces(entries[2].Dacl));

        Assert.Equal(
        [
            (AceType.AccessAllowed, OICI, 0u, WellKnownSids.BuiltinUsers),
            (AceType.AccessAllowed, OICI, 0xA0000000u, S("S-1-5-5-0-208120")),
        ], Aces(entries[3].Dacl));
        Assert.Equal([(AceType.SystemMandatoryLabel, OICI, 0x1u, WellKnownSids.LowIntegrity)], Aces(entries[3].Label!));
        Assert.Equal("S:(ML;OICI;NW;;;LW)", SddlWriter.Format(entries[3].ToDescriptor(), null, SecurityInformation.Sacl));
    }

    [Fact]
    public void TheDescriptorHasNoOwnerOrGroup()
    {
        var sd = Parse("C:\\x Everyone:(R)", null)[0].ToDescriptor();

        Assert.Null(sd.Owner);
        Assert.Null(sd.Group);
        Assert.Equal(AclState.Present, sd.DaclState);
        Assert.Equal(AclState.Absent, sd.SaclState);
        Assert.Equal(SecurityDescriptorControl.DaclPresent | SecurityDescriptorControl.SelfRelative, sd.Control);
    }

    [Theory]
    [InlineData("F", 0x1F01FFu)]
    [InlineData("M", 0x1301BFu)]
    [InlineData("RX", 0x1200A9u)]
    [InlineData("R", 0x120089u)]
    [InlineData("W", 0x100116u)]
    [InlineData("D", 0x10000u)]
    [InlineData("N", 0u)]
    [InlineData("RD,WD,AD,REA,WEA,X,DC,RA,WA", 0x1FFu)]
    [InlineData("DE,RC,WDAC,WO,S", 0x1F0000u)]
    [InlineData("GR,GW,GE,GA", 0xF0000000u)]
    [InlineData("AS,MA", 0x3000000u)]
    [InlineData("Rc,S,RD", 0x120001u)]
    [InlineData("RX,W", 0x1201BFu)]
    [InlineData("R,W,D", 0x13019Fu)]
    public void RightsTranslateToFileMasks(string rights, uint mask)
    {
        var ace = Parse($"C:\\x BUILTIN\\Users:({rights})", null)[0].Dacl.Aces[0];

        Assert.Equal(mask, ace.Mask);
    }

    [Fact]
    public void TheSimpleRightsAreTheFileRightComposites()
    {
        var file = global::NtSec.Authorization.ObjectTypes.File.GenericMapping;
        Assert.Equal(IcaclsRights.Full, file.GenericAll);
        Assert.Equal(IcaclsRights.Read, file.GenericRead);
        Assert.Equal(IcaclsRights.ReadExecute, file.GenericRead | file.GenericExecute);
        Assert.Equal(IcaclsRights.Modify, file.GenericRead | file.GenericWrite | file.GenericExecute | 0x10000u);
        Assert.Equal(IcaclsRights.Write, file.GenericWrite & ~0x20000u);
    }

    [Fact]
    public void FlagsComeInAnyOrderBeforeTheRights()
    {
        var ace = Parse("C:\\x Everyone:(I)(DENY)(NP)(IO)(CI)(OI)(W)", null)[0].Dacl.Aces[0];

        Assert.Equal(AceType.AccessDenied, ace.Type);
        Assert.Equal(OICI | AceFlags.InheritOnly | AceFlags.NoPropagateInherit | AceFlags.Inherited, ace.Flags);
    }

    [Fact]
    public void NamesWithParenthesesAndColonsAreKept()
    {
        var names = new Dictionary<string, Sid> { ["CONTOSO\\Finance (EU): Team"] = S(Contoso + "-1700") };
        var entry = Parse("D:\\Data\\EU CONTOSO\\Finance (EU): Team:(OI)(CI)(M)\r\n           BUILTIN\\Users:(RX)\r\n", names)[0];

        Assert.Equal("D:\\Data\\EU", entry.Path);
        Assert.Equal(S(Contoso + "-1700"), entry.Dacl.Aces[0].Sid);
    }

    [Fact]
    public void ASinglePathWithSpacesEndsWhereTheNameResolves()
    {
        var entry = Parse("C:\\Program Files\\My App NT AUTHORITY\\SYSTEM:(F)\n", null)[0];

        Assert.Equal("C:\\Program Files\\My App", entry.Path);
        Assert.Equal(WellKnownSids.LocalSystem, entry.Dacl.Aces[0].Sid);
    }

    [Fact]
    public void ABlockWithoutABlankLineBeforeTheNextPathIsSplit()
    {
        var entries = Parse("C:\\a BUILTIN\\Users:(RX)\n     Everyone:(R)\nC:\\b BUILTIN\\Users:(F)\n", null);

        Assert.Equal(["C:\\a", "C:\\b"], entries.Select(e => e.Path));
        Assert.Equal(2, entries[0].Dacl.Count);
    }

    // ---- rejected input ----

    [Fact]
    public void WrongIndentIsRejected()
    {
        var e = Reject("C:\\Shares\\Finance NT AUTHORITY\\SYSTEM:(F)\n                  BUILTIN\\Users:(RX)\n                 Everyone:(R)\n");

        Assert.Equal((3, 18), (e.Line, e.Column));
        Assert.Equal("an ACE line indented by 17; the path's ACE lines are indented by 18 (the path's length plus one)", e.Reason);
    }

    [Fact]
    public void UnknownRightIsRejectedWhereItStands()
    {
        var e = Reject("C:\\x BUILTIN\\Users:(OI)(RX,WX)\n");

        Assert.Equal((1, 28), (e.Line, e.Column));
        Assert.StartsWith("unknown right 'WX'", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("C:\\x BUILTIN\\Users:(OI)(CI)", "the ACE has flags but no rights, e.g. (F) or (RX)")]
    [InlineData("C:\\x BUILTIN\\Users:(F)(OI)", "'(OI)' after the rights: flags come first and the rights last")]
    [InlineData("C:\\x BUILTIN\\Users:(OI)(OI)(F)", "'(OI)' given twice")]
    [InlineData("C:\\x BUILTIN\\Users:(N,R)", "N (no access) stands alone")]
    [InlineData("C:\\x BUILTIN\\Users:(NW)", "NW, NR and NX are mandatory label policies, but 'BUILTIN\\Users' is not an integrity level (S-1-16-x)")]
    [InlineData("C:\\x Mandatory Label\\High Mandatory Level:(NW,R)", "'(NW,R)' mixes mandatory label policies (NW, NR, NX) with access rights")]
    [InlineData("C:\\x Mandatory Label\\High Mandatory Level:(DENY)(NW)", "a mandatory label cannot be (DENY)")]
    [InlineData("C:\\x: Access is denied.", "icacls could not read this path: 'C:\\x: Access is denied.'")]
    [InlineData("  BUILTIN\\Users:(F)", "an indented ACE line with no path line above it")]
    [InlineData("C:\\x BUILTIN\\Users:(A;;FA;;;WD)", "expected 'PATH NAME:(rights)': the line does not end with an ACE")]
    [InlineData("Successfully processed 0 files; Failed processing 1 files", "no icacls output: expected 'PATH NAME:(rights)' lines")]
    [InlineData("C:\\x CONTOSO\\Nobody:(F)", "'CONTOSO\\Nobody' is not a well-known account, a SID, or a name given in the map")]
    [InlineData("C:\\My Files CONTOSO\\Nobody:(F)", "cannot tell where the path ends: no name after a space resolves (is 'CONTOSO\\Nobody' the name? it is not a well-known account, a SID, or a name given in the map)")]
    public void MalformedEntriesAreRejected(string text, string reason)
    {
        var e = Reject(text);

        Assert.Equal(1, e.Line);
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void ASecondLabelIsRejected()
    {
        var e = Reject("C:\\x Mandatory Label\\High Mandatory Level:(NW)\n     Mandatory Label\\Low Mandatory Level:(NW)\n");

        Assert.Equal((2, 6), (e.Line, e.Column));
        Assert.Equal("a second mandatory label for the same path", e.Reason);
    }

    [Fact]
    public void ParseThrowsTheImportError()
    {
        var e = Assert.Throws<NtSecFormatException>(() => IcaclsParser.Parse("C:\\x Nobody:(F)"));
        Assert.Equal((1, 6), (e.Error.Line, e.Error.Column));
    }

    [Fact]
    public void GarbageNeverThrows()
    {
        const string Noise = " ():,\r\nFI\\S-1";
        string sample = Own("icacls-projects.txt");
        var random = new Random(4242);
        for (int i = 0; i < 500; i++)
        {
            var chars = sample.ToCharArray();
            for (int k = 0; k < 4; k++) chars[random.Next(chars.Length)] = Noise[random.Next(Noise.Length)];
            IcaclsParser.TryParse(new string(chars, 0, random.Next(chars.Length)), ProjectNames, out _, out _);
        }
        // Lines with many spaces before the name cost a bounded number of look-ups each, not one per space.
        IcaclsParser.TryParse("C:\\" + new string(' ', 200_000) + "x:(F)", null, out _, out _);
        string words = string.Concat(Enumerable.Repeat("a ", 1000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(IcaclsParser.TryParse(string.Concat(Enumerable.Repeat("C:\\" + words + "x:(F)\n\n", 2000)), null, out _, out _));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{watch.Elapsed}");
    }
}
