using NtSec.Import;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tests.Conformance;
using static NtSec.Tests.Import.ImportSamples;

namespace NtSec.Tests.Import;

public sealed class GetAclParserTests
{
    private static ParseError Reject(string text, SidContext? context = null)
    {
        Assert.False(GetAclParser.TryParse(text, context, out var records, out var error));
        Assert.Null(records);
        return error!;
    }

    [ConformanceFact]
    public void SharedSampleJoinsTheFoldedSddl()
    {
        var record = Assert.Single(GetAclParser.Parse(Shared("get-acl-format-list.txt")));

        const string Sddl = "O:BAG:S-1-5-21-3874521092-2237451823-1390876455-513D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;S-1-5-21-1004336348-1177238915-682003330-1120)(A;OICI;0x1200a9;;;BU)";
        Assert.Equal(Sddl, record.Sddl);
        Assert.Equal(SddlParser.Parse(Sddl), record.Descriptor);
        Assert.Equal("Microsoft.PowerShell.Core\\FileSystem::C:\\Shares\\Finance", record.Path);
        Assert.Equal("C:\\Shares\\Finance", record.ItemPath);
        Assert.Equal("BUILTIN\\Administrators", record.Owner);
        Assert.Equal("DESKTOP-7H2K1Q\\None", record.Group);
        Assert.Equal(
        [
            "NT AUTHORITY\\SYSTEM Allow  FullControl",
            "BUILTIN\\Administrators Allow  FullControl",
            "CONTOSO\\Finance Allow  Modify, Synchronize",
            "BUILTIN\\Users Allow  ReadAndExecute, Synchronize",
        ], record.Access);
        Assert.Equal(3, record.Line);

        var sd = record.Descriptor;
        Assert.Equal(WellKnownSids.BuiltinAdministrators, sd.Owner);
        Assert.Equal(S("S-1-5-21-3874521092-2237451823-1390876455-513"), sd.Group);
        Assert.Equal(
        [
            (0x1F01FFu, WellKnownSids.LocalSystem),
            (0x1F01FFu, WellKnownSids.BuiltinAdministrators),
            (0x1301BFu, S(Contoso + "-1120")),
            (0x1200A9u, WellKnownSids.BuiltinUsers),
        ], sd.Dacl!.Aces.Select(a => (a.Mask, a.Sid)));
    }

    [Fact]
    public void OwnSampleWithTwoObjectsAndADomainAlias()
    {
        var context = new SidContext(S(Contoso));
        var records = GetAclParser.Parse(Own("get-acl-two-objects.txt"), context);

        Assert.Equal(2, records.Count);
        Assert.Equal([3, 17], records.Select(r => r.Line));
        Assert.Equal(["C:\\Shares\\Projects", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso"], records.Select(r => r.ItemPath));
        Assert.Equal($"O:BAG:DUD:PAI(D;OICI;WDWO;;;{Contoso}-1600)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1f01bf;;;{Contoso}-1500)(A;OICIIO;GA;;;CO)", records[0].Sddl);
        Assert.Equal(S(Contoso + "-513"), records[0].Descriptor.Group);
        Assert.Equal(5, records[0].Access.Count);
        Assert.Equal("O:BAG:SYD:AI(A;CIID;KR;;;BU)(A;CIID;KA;;;BA)(A;CIID;KA;;;SY)(A;CIIOID;GA;;;CO)(A;CIID;KR;;;AC)", records[1].Sddl);
        Assert.Equal(WellKnownSids.AllApplicationPackages, records[1].Descriptor.Dacl!.Aces[4].Sid);
    }

    [Fact]
    public void DomainAliasWithoutTheDomainIsRejectedWhereItStands()
    {
        var e = Reject(Own("get-acl-two-objects.txt"));

        // "DU" in "O:BAG:DUD:..." on line 12, whose value starts in column 10.
        Assert.Equal(12, e.Line);
        Assert.Equal(10 + "O:BAG:".Length, e.Column);
        Assert.StartsWith("Sddl: ", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SddlErrorOnAContinuationLineMapsBackToIt()
    {
        // The bad right is on the second line of the folded value.
        const string text = "Path   : C:\\x\nSddl   : O:BAG:BAD:(A;;FA;;;SY)\n         (A;;QQ;;;BA)\n";
        var e = Reject(text);

        Assert.Equal((3, 14), (e.Line, e.Column));
    }

    [Theory]
    [InlineData("Path   : C:\\x\nOwner  : BUILTIN\\Administrators\n", 1, 1, "the object has no 'Sddl' field (pipe Get-Acl to Format-List, which shows it)")]
    [InlineData("Path   : C:\\x\nSddl   :\n", 2, 1, "the 'Sddl' field is empty")]
    [InlineData("Path   : C:\\x\nSddl : O:BA\n", 2, 6, "the ':' is in column 6, but the object's other fields have it in column 8")]
    [InlineData("Path   : C:\\x\n  O:BA\n", 2, 3, "a continuation line indented by 2; the values start in column 10")]
    [InlineData("   O:BA\n", 1, 4, "an indented line before the first 'Name : value' line")]
    [InlineData("O:BAG:BAD:(A;;FA;;;WD)\n", 1, 2, "expected 'Name : value' (Format-List output)")]
    [InlineData("Sddl : O:BA\nSddl : O:SY\n", 2, 1, "the field 'Sddl' appears twice in one object")]
    [InlineData("\n\n", 1, 1, "no Format-List output: expected 'Sddl   : ...' among 'Name : value' lines")]
    public void MalformedOutputIsRejected(string text, int line, int column, string reason)
    {
        var e = Reject(text);

        Assert.Equal((line, column, reason), (e.Line, e.Column, e.Reason));
    }

    [Fact]
    public void GarbageNeverThrows()
    {
        const string Noise = " :\r\n();ABS-1";
        string sample = Own("get-acl-two-objects.txt");
        var random = new Random(77);
        for (int i = 0; i < 500; i++)
        {
            var chars = sample.ToCharArray();
            for (int k = 0; k < 4; k++) chars[random.Next(chars.Length)] = Noise[random.Next(Noise.Length)];
            GetAclParser.TryParse(new string(chars, 0, random.Next(chars.Length)), null, out _, out _);
        }
        // Many fields in one object are checked for repeats in linear time.
        string many = string.Concat(Enumerable.Range(0, 100_000).Select(i => $"{"F" + i,-6} : x\n")) + "Sddl   : D:(A;;FA;;;WD)\n";
        Assert.Single(GetAclParser.Parse(many));
    }
}
