using System.Globalization;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using Parquet;

namespace NtSec.Tests.Cli;

public sealed class CheckMatrixTests : IDisposable
{
    private const string Alice = """
        {"user": "S-1-5-21-1-2-3-1001",
         "groups": [{"sid": "WD", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]},
                    {"sid": "BU", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]},
                    {"sid": "S-1-5-21-1-2-3-2000", "attributes": ["UseForDenyOnly"]}]}
        """;

    private const string Bob = """
        {"user": "S-1-5-21-1-2-3-1002",
         "groups": [{"sid": "WD", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]},
                    {"sid": "BA", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]},
                    {"sid": "S-1-5-21-1-2-3-2000", "attributes": ["Mandatory", "EnabledByDefault", "Enabled"]}],
         "privileges": [{"name": "SeTakeOwnershipPrivilege", "attributes": ["Enabled"]}]}
        """;

    private static readonly string[] Sddls =
    [
        "O:BAG:BAD:(A;;FA;;;BA)(A;;FR;;;BU)",
        "O:S-1-5-21-1-2-3-1001G:BAD:(D;;FW;;;S-1-5-21-1-2-3-2000)(A;;FA;;;WD)",
        "O:BAG:BAD:(XA;;FA;;;WD;(Member_of {SID(BA)}))",
        "O:BAG:BAD:",
    ];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ntsec-matrix-");

    public CheckMatrixTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "tokens"));
        File.WriteAllText(Path.Combine(_dir.FullName, "tokens", "alice.json"), Alice);
        File.WriteAllText(Path.Combine(_dir.FullName, "tokens", "bob.json"), Bob);
        // A blank line and a comment keep their numbers; the last descriptor is given in hex.
        var hex = Convert.ToHexString(SddlParser.Parse(Sddls[3]).ToBinary());
        File.WriteAllLines(Path.Combine(_dir.FullName, "sds.txt"), [Sddls[0], "", "# a comment", Sddls[1], Sddls[2], hex]);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private CliResult Run(params string[] args) => CliHarness.RunIn(_dir.FullName, "", args);

    private static readonly int[] Lines = [0, 3, 4, 5];

    private static uint Expected(int sd, string tokenJson, uint desired)
    {
        Assert.True(TokenJson.TryRead(tokenJson, SidContext.None, out var token, out _));
        var r = AccessCheck.Check(SddlParser.Parse(Sddls[sd]), token!, desired, ObjectTypes.File.GenericMapping);
        return r.IsGranted ? r.GrantedAccess : 0;
    }

    private static List<string> ExpectedRows(uint desired)
    {
        var rows = new List<string> { "sd,token,granted" };
        for (int i = 0; i < Sddls.Length; i++)
        {
            rows.Add($"{Lines[i]},alice.json,0x{Expected(i, Alice, desired):x}");
            rows.Add($"{Lines[i]},bob.json,0x{Expected(i, Bob, desired):x}");
        }
        return rows;
    }

    [Fact]
    public void WritesEveryCellAsCsvOnStandardOutput()
    {
        var r = Run("check", "--matrix", "--sds", "sds.txt", "--tokens", "tokens", "--type", "file");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(ExpectedRows(AccessMask.MaximumAllowed), r.OutLines);
        Assert.Contains("8 cells", r.Error, StringComparison.Ordinal);
        // The conditional ACE grants nothing (fail closed) and the empty DACL grants nothing either.
        Assert.Contains("4,alice.json,0x0", r.OutLines);
    }

    [Fact]
    public void DesiredRightsAreGrantedWholeOrNotAtAll()
    {
        var r = Run("check", "--matrix", "--sds", "sds.txt", "--tokens", "tokens", "--type", "file", "--desired", "FILE_GENERIC_READ", "--out", "out.csv");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal(ExpectedRows(0x120089), File.ReadAllLines(Path.Combine(_dir.FullName, "out.csv")));
    }

    [Fact]
    public async Task WritesParquet()
    {
        var r = Run("check", "--matrix", "--sds", "sds.txt", "--tokens", "tokens", "--mapping", "0x120089,0x120116,0x1200a0,0x1f01ff", "--out", "out.parquet");
        Assert.Equal(0, r.ExitCode);
        await using var stream = File.OpenRead(Path.Combine(_dir.FullName, "out.parquet"));
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.DataFields;
        Assert.Equal(["sd", "token", "granted"], fields.Select(f => f.Name));
        var rows = new List<string> { "sd,token,granted" };
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = (int)group.RowCount;
            var sd = new int[n];
            var token = new string?[n];
            var granted = new long[n];
            await group.ReadAsync<int>(fields[0], sd.AsMemory());
            await group.ReadAsync(fields[1], token.AsMemory());
            await group.ReadAsync<long>(fields[2], granted.AsMemory());
            for (int i = 0; i < n; i++) rows.Add(string.Create(CultureInfo.InvariantCulture, $"{sd[i]},{token[i]},0x{granted[i]:x}"));
        }
        Assert.Equal(ExpectedRows(AccessMask.MaximumAllowed), rows);
    }

    [Fact]
    public void ABadLineIsRejectedWithItsNumberAndNothingIsChecked()
    {
        File.AppendAllLines(Path.Combine(_dir.FullName, "sds.txt"), ["O:BAG:BAD:(A;;FA;;;ZZ)"]);
        var r = Run("check", "--matrix", "--sds", "sds.txt", "--tokens", "tokens", "--type", "file");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Contains("line 6", r.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A line is read as <c>check --sd</c> reads a descriptor (one recognition of the forms): each form of the same
    /// descriptor gives the row of its SDDL, and text that is none of them is an SDDL error.
    /// </summary>
    [Fact]
    public void ALineIsReadAsCheckReadsADescriptor()
    {
        var binary = SddlParser.Parse(Sddls[1]).ToBinary();
        string hex = Convert.ToHexString(binary), base64 = Convert.ToBase64String(binary);
        string[] forms = [Sddls[1], hex, "0x" + string.Join(' ', hex.Chunk(8).Select(c => new string(c))), base64, "nTSecurityDescriptor:: " + base64];
        File.WriteAllLines(Path.Combine(_dir.FullName, "forms.txt"), forms);
        var r = Run("check", "--matrix", "--sds", "forms.txt", "--tokens", "tokens", "--type", "file");
        Assert.Equal(0, r.ExitCode);
        for (int i = 0; i < forms.Length; i++)
            Assert.Contains($"{i},alice.json,0x{Expected(1, Alice, AccessMask.MaximumAllowed):x}", r.OutLines);
        Assert.Equal(1 + (2 * forms.Length), r.OutLines.Length);

        File.WriteAllLines(Path.Combine(_dir.FullName, "bad.txt"), [Sddls[0], "not a descriptor"]);
        var bad = Run("check", "--matrix", "--sds", "bad.txt", "--tokens", "tokens", "--type", "file");
        Assert.Equal(3, bad.ExitCode);
        Assert.Contains("line 1", bad.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--sds", "sds.txt", "--tokens", "tokens", "--type", "file")]
    [InlineData("--matrix", "--tokens", "tokens", "--type", "file")]
    [InlineData("--matrix", "--sds", "sds.txt", "--tokens", "tokens")]
    [InlineData("--matrix", "--sds", "sds.txt", "--tokens", "tokens", "--type", "file", "--out", "out.txt")]
    [InlineData("--matrix", "--sds", "sds.txt", "--tokens", "tokens", "--type", "file", "--explain")]
    public void MisuseIsAUsageError(params string[] args)
    {
        var r = Run(["check", .. args]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
    }
}
