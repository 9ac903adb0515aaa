using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Sddl;

namespace NtSec.Tests.Sddl;

public sealed class SddlParserTests
{
    [Theory]
    [InlineData("D:(A;;FA;;;WD)", "D:(A;;FA;;;WD)")]
    [InlineData("D:(A;;0x1f01ff;;;WD)", "D:(A;;FA;;;WD)")]
    [InlineData("D:(A;;0x20019;;;WD)", "D:(A;;KR;;;WD)")]
    [InlineData("D:(A;;KX;;;WD)", "D:(A;;KR;;;WD)")]
    [InlineData("D:(A;;0x120089;;;WD)", "D:(A;;FR;;;WD)")]
    [InlineData("D:(A;;0x1200a9;;;WD)", "D:(A;;0x1200a9;;;WD)")]
    [InlineData("D:(A;;0x01000000;;;WD)", "D:(A;;0x1000000;;;WD)")]
    [InlineData("D:(A;;RCSDWDWOCC;;;WD)", "D:(A;;CCSDRCWDWO;;;WD)")]
    [InlineData("S:(ML;;NW;;;LW)", "S:(ML;;NW;;;LW)")]
    [InlineData("S:(ML;CIOI;0x3;;;HI)", "S:(ML;OICI;NWNR;;;HI)")]
    [InlineData("S:(ML;;0x8;;;LW)", "S:(ML;;0x8;;;LW)")]
    [InlineData("D:(A;OICINPIOIDCRSAFA;GA;;;WD)", "D:(A;OICINPIOIDCRSAFA;GA;;;WD)")]
    [InlineData("S:(SP;;;;;S-1-17-1)", "S:(SP;;;;;S-1-17-1)")]
    [InlineData("D:ARPAI", "D:PARAI")]
    [InlineData("G:SYO:BA", "O:BAG:SY")]
    [InlineData("D:pai(a;;fa;;;ba)", "D:PAI(A;;FA;;;BA)")]
    public void WritesWhatWindowsWrites(string input, string expected)
        => Assert.Equal(expected, SddlParser.Parse(input).ToSddl());

    [Fact]
    public void MandatoryLabelAce()
    {
        var sd = SddlParser.Parse("S:(ML;;NWNRNX;;;LW)");
        var ace = sd.Sacl!.Aces[0];
        Assert.Equal(AceType.SystemMandatoryLabel, ace.Type);
        Assert.Equal(7u, ace.Mask);
        Assert.Equal("S-1-16-4096", ace.Sid.ToString());
    }

    [Theory]
    [InlineData("D:(A;;FA;;;WD", 0, "ends early")]
    [InlineData("D:(A;;FA;;;WD)X", 14, "component")]
    [InlineData("O:SYO:BA", 4, "twice")]
    [InlineData("D:(A;;FA;;;WD;)", 13, "close")]
    [InlineData("S:(A;;FA;;;WD)", 3, "DACL")]
    [InlineData("D:(ML;;NW;;;LW)", 3, "SACL")]
    [InlineData("D:(A;;FA;00299570-246d-11d0-a768-00aa006e0529;;WD)", 9, "object")]
    [InlineData("D:(OA;;FA;00299570-246d-11d0-a768-00aa006e052;;WD)", 10, "GUID")]
    [InlineData("D:(A;XX;FA;;;WD)", 5, "flag")]
    [InlineData("D:(A;;FAX;;;WD)", 8, "right")]
    [InlineData("D:NO_ACCESS_CONTROL(A;;FA;;;WD)", 19, "NULL")]
    [InlineData("O:QQ", 2, "alias")]
    [InlineData("O:S-1-5-18 ", 10, "blank")]
    public void ErrorsHavePositionAndReason(string input, int position, string reasonFragment)
    {
        Assert.False(SddlParser.TryParse(input, null, out _, out var error));
        Assert.Contains(reasonFragment, error!.Reason, StringComparison.OrdinalIgnoreCase);
        if (reasonFragment != "ends early") Assert.Equal(position, error.Position);
        Assert.InRange(error.Position, 0, input.Length);
    }

    [Fact]
    public void ParseThrowsTypedException()
    {
        var ex = Assert.Throws<NtSecFormatException>(() => SddlParser.Parse("D:(Q;;FA;;;WD)"));
        Assert.Equal(3, ex.Error.Position);
        Assert.Equal(Win32Error.InvalidAcl, ex.Error.Win32Error);
    }

    [Fact]
    public void AclLargerThan64KiBIsRejected()
    {
        var text = "D:" + string.Concat(Enumerable.Repeat("(A;;FA;;;S-1-5-21-1-2-3-4-5-6-7-8-9-10-11)", 1200));
        Assert.False(SddlParser.TryParse(text, null, out _, out var error));
        Assert.Contains("65535", error!.Reason);
    }

    [Fact]
    public void RightsNameForObjectTypes()
    {
        Assert.Equal("FILE_READ_DATA | FILE_READ_EA | FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE", ObjectTypes.File.FormatRights(0x120089));
        Assert.Equal("FILE_LIST_DIRECTORY | FILE_TRAVERSE", ObjectTypes.Directory.FormatRights(0x21));
        Assert.Equal("KEY_QUERY_VALUE | 0x400", ObjectTypes.Key.FormatRights(0x401));
        Assert.Equal(0x120089u, ObjectTypes.File.GenericMapping.Map(AccessMask.GenericRead));
        Assert.True(AccessRightNames.TryParse("FILE_READ_DATA|SYNCHRONIZE", ObjectTypes.File, out uint m, out _));
        Assert.Equal(0x100001u, m);
        Assert.True(AccessRightNames.TryParse("GR,0x10", null, out m, out _));
        Assert.Equal(0x80000010u, m);
        Assert.False(AccessRightNames.TryParse("NOT_A_RIGHT", ObjectTypes.File, out _, out var err));
        Assert.Contains("NOT_A_RIGHT", err);
        Assert.Equal(ObjectTypes.WindowStation, ObjectTypes.Find("winsta"));
    }
}
