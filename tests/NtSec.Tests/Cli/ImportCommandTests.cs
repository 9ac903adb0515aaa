using NtSec.Tests.Conformance;
using NtSec.Tests.Import;

namespace NtSec.Tests.Cli;

/// <summary>Windows tool output as ntsec input: icacls and Get-Acl for descriptors, whoami /all for tokens.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private const string Contoso = ImportSamples.Contoso;
    private static readonly string[] FinanceMap = ["--map", $"CONTOSO\\Finance={Contoso}-1120", "--map", $"CONTOSO\\Interns={Contoso}-1121"];
    private static readonly string[] ProjectMap = ["--map", $"CONTOSO\\Contractors={Contoso}-1600", "--map", $"contoso\\engineering={Contoso}-1500"];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ntsec-import-");

    public ImportCommandTests()
    {
        foreach (var file in Directory.GetFiles(ImportSamples.Folder)) File.Copy(file, Path.Combine(_dir.FullName, Path.GetFileName(file)));
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private CliResult Run(params string[] args) => CliHarness.RunIn(_dir.FullName, "", args);

    private CliResult RunWithInput(string stdin, params string[] args) => CliHarness.RunIn(_dir.FullName, stdin, args);

    private static string Shared(string name) => ConformanceData.PathOf(Path.Combine("windows-output", name));

    // ---- ntsec sddl ----

    [ConformanceFact]
    public void SddlReadsTheSharedIcaclsSampleWithTheDomainNamesMapped()
    {
        var r = Run(["sddl", "@" + Shared("icacls.txt"), .. FinanceMap, "--to", "sddl"]);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"D:(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;{Contoso}-1120)(A;OICI;0x1200a9;;;BU)(D;OICI;0x100116;;;{Contoso}-1121)(A;OICIIO;FA;;;CO)\n", r.Out);
    }

    [ConformanceFact]
    public void SddlSaysWhichNameNeedsAMapping()
    {
        var r = Run("sddl", "@" + Shared("icacls.txt"));

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("error: line 3, column 19: 'CONTOSO\\Finance' is not a well-known account, a SID, or a name given in the map (give it with --map NAME=SID)\n", r.Error);
    }

    [ConformanceFact]
    public void SddlReadsTheSharedGetAclSampleFromStandardInput()
    {
        var r = RunWithInput(File.ReadAllText(Shared("get-acl-format-list.txt")), "sddl", "-", "--type", "directory");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
        [
            "Path     C:\\Shares\\Finance",
            "Owner    S-1-5-32-544 (BA: BUILTIN\\Administrators)",
            "Group    S-1-5-21-3874521092-2237451823-1390876455-513",
            "Control  0x9404  SE_DACL_PRESENT | SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED | SE_SELF_RELATIVE",
        ], r.OutLines[..4]);
    }

    [Fact]
    public void SddlShowsEveryPathOfIcaclsOutput()
    {
        var r = Run(["sddl", "@icacls-projects.txt", .. ProjectMap, "--to", "sddl"]);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
        [
            $"C:\\Shares\\Projects\tD:(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(D;OICI;WDWO;;;{Contoso}-1600)(A;OICI;0x1b01ff;;;{Contoso}-1500)(A;OICI;0x1201bf;;;{Contoso}-1507)(A;OICIIO;FA;;;CO)(A;CI;LC;;;BU)(A;NP;0x100001;;;WD)",
            $"C:\\Shares\\Projects\\Road Map.docx\tD:(D;ID;WDWO;;;{Contoso}-1600)(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1b01ff;;;{Contoso}-1500)(A;ID;0x1201bf;;;{Contoso}-1507)",
            "C:\\Shares\\Projects\\Build Output\tD:(A;OICI;FA;;;S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464)",
            "C:\\Shares\\Projects\\Cache\tD:(A;OICI;;;;BU)(A;OICI;GXGR;;;S-1-5-5-0-208120)S:(ML;OICI;NW;;;LW)",
        ], r.OutLines);
    }

    [Fact]
    public void SddlPathChoosesOneAndJsonNeedsOne()
    {
        var one = Run(["sddl", "@icacls-projects.txt", .. ProjectMap, "--path", "c:\\shares\\projects\\cache", "--to", "sddl"]);
        Assert.Equal(0, one.ExitCode);
        Assert.Equal(["D:(A;OICI;;;;BU)(A;OICI;GXGR;;;S-1-5-5-0-208120)S:(ML;OICI;NW;;;LW)"], one.OutLines);

        var json = Run(["sddl", "@icacls-projects.txt", .. ProjectMap, "--json"]);
        Assert.Equal(2, json.ExitCode);
        Assert.StartsWith("ntsec sddl: --json decodes one descriptor and the output holds 4 paths; choose one with --path.", json.Error, StringComparison.Ordinal);

        var missing = Run(["sddl", "@icacls-projects.txt", .. ProjectMap, "--path", "C:\\Nowhere"]);
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("ntsec sddl: --path: no path 'C:\\Nowhere' in the output; it holds 'C:\\Shares\\Projects', ", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void SddlTextOutputNamesEachPath()
    {
        var r = Run(["sddl", "@icacls-projects.txt", .. ProjectMap, "--type", "directory"]);

        Assert.Equal(0, r.ExitCode);
        var paths = r.OutLines.Where(l => l.StartsWith("Path ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["Path     C:\\Shares\\Projects", "Path     C:\\Shares\\Projects\\Road Map.docx", "Path     C:\\Shares\\Projects\\Build Output", "Path     C:\\Shares\\Projects\\Cache"], paths);
        Assert.Contains("Owner    (none)", r.OutLines);
        Assert.Contains("SACL     present, 1 ACE, revision 2", r.OutLines);
    }

    [Fact]
    public void SddlReadsGetAclOutputWithTheDomain()
    {
        var r = Run("sddl", "--from-getacl", "@get-acl-two-objects.txt", "--domain", Contoso, "--path", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso", "--to", "sddl");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("O:BAG:SYD:AI(A;CIID;KR;;;BU)(A;CIID;KA;;;BA)(A;CIID;KA;;;SY)(A;CIIOID;GA;;;CO)(A;CIID;KR;;;AC)\n", r.Out);

        var withoutDomain = Run("sddl", "@get-acl-two-objects.txt", "--to", "sddl");
        Assert.Equal(3, withoutDomain.ExitCode);
        Assert.StartsWith("error: line 12, column 16: Sddl: ", withoutDomain.Error, StringComparison.Ordinal);
        Assert.EndsWith("(give it with --domain)\n", withoutDomain.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplicitFormatsAreCheckedAndExclusive()
    {
        var r = Run("sddl", "--from-icacls", "O:BAG:BAD:(A;;FA;;;WD)");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("error: line 1, column 1: expected 'PATH NAME:(rights)': the line does not end with an ACE\n", r.Error);

        r = Run("sddl", "--from-icacls", "--from-hex", "00");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("ntsec sddl: --from-hex and --from-icacls cannot be combined.", r.Error, StringComparison.Ordinal);

        r = Run("sddl", "D:(A;;FA;;;WD)", "--map", "X=SY");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("ntsec sddl: --map and --path apply to icacls and Get-Acl output.", r.Error, StringComparison.Ordinal);

        r = RunWithInput("", "sddl", "--batch", "--from-getacl");
        Assert.Equal(2, r.ExitCode);

        r = Run(["sddl", "@icacls-projects.txt", "--map", "CONTOSO\\Contractors"]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("ntsec sddl: --map: 'CONTOSO\\Contractors': expected NAME=SID", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void SddlFromAFileStillReadsSddl()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "d.sddl"), "D:(A;;FA;;;WD)\r\n");
        var r = Run("sddl", "@d.sddl", "--to", "sddl");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("D:(A;;FA;;;WD)\n", r.Out);
        Assert.Equal(3, Run("sddl", "@nothing.sddl").ExitCode);
    }

    // ---- ntsec check ----

    [ConformanceFact]
    public void CheckTakesWhoamiOutputAsTheTokenAndIcaclsAsTheDescriptor()
    {
        // The elevated administrator of the shared whoami sample, against the shared icacls folder: Administrators
        // have F, so a write is granted; the owner is the one Get-Acl shows for the same folder.
        var r = Run(["check", "--sd", "@" + Shared("icacls.txt"), .. FinanceMap, "--owner", "BA", "--token", Shared("whoami-all-elevated.txt"),
            "--desired", "FILE_ADD_FILE", "--type", "directory"]);

        Assert.Equal("", r.Error);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Result     granted (STATUS_SUCCESS)", r.OutLines[0]);
    }

    [ConformanceFact]
    public void CheckWithGetAclOutput()
    {
        var r = Run("check", "--sd", "@" + Shared("get-acl-format-list.txt"), "--token", "whoami-list-standard-user.txt", "--desired", "MAXIMUM_ALLOWED", "--type", "directory");

        // Alice is in CONTOSO\Finance (-1120): Modify, plus what Users get.
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("Granted    0x001301bf", r.OutLines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void CheckNeedsTheOwnerOfIcaclsOutputAndOnePath()
    {
        var noOwner = Run(["check", "--sd", "@icacls-projects.txt", .. ProjectMap, "--path", "C:\\Shares\\Projects", "--token", "whoami-csv-standard-user.txt", "--desired", "FR", "--type", "directory"]);
        Assert.Equal(3, noOwner.ExitCode);
        Assert.Equal("error: --sd: icacls-projects.txt: icacls does not show the owner, and the access check needs it (the owner may be granted READ_CONTROL and WRITE_DAC); give --owner\n", noOwner.Error);

        var manyPaths = Run(["check", "--sd", "@icacls-projects.txt", .. ProjectMap, "--owner", "BA", "--token", "whoami-csv-standard-user.txt", "--desired", "FR", "--type", "directory"]);
        Assert.Equal(2, manyPaths.ExitCode);
        Assert.StartsWith("ntsec check: icacls-projects.txt holds 4 paths ('C:\\Shares\\Projects', ", manyPaths.Error, StringComparison.Ordinal);

        // Alice (Users, not Engineering) may add a subdirectory through the (CI)(AD) ACE, and nothing else.
        var ok = Run(["check", "--sd", "@icacls-projects.txt", .. ProjectMap, "--path", "C:\\Shares\\Projects", "--owner", "BA", "--token", "whoami-csv-standard-user.txt",
            "--desired", "MAXIMUM_ALLOWED", "--type", "directory"]);
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal("Granted    0x00100005 FILE_LIST_DIRECTORY | FILE_ADD_SUBDIRECTORY | SYNCHRONIZE", ok.OutLines[2]);
    }

    [Fact]
    public void CheckOwnerAndGroupReplaceTheSddlOnes()
    {
        var owner = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;WD)", "--owner", $"{Contoso}-1104", "--token", "whoami-table-standard-user.txt", "--desired", "WRITE_DAC", "--type", "file");
        Assert.Equal(0, owner.ExitCode);

        var notOwner = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;WD)", "--token", "whoami-table-standard-user.txt", "--desired", "WRITE_DAC", "--type", "file");
        Assert.Equal(1, notOwner.ExitCode);

        var bad = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;WD)", "--group", "XX", "--token", "whoami-table-standard-user.txt", "--desired", "FR", "--type", "file");
        Assert.Equal(3, bad.ExitCode);
        Assert.StartsWith("error: --group: 0: ", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BadWhoamiTokenFileSaysLineAndColumn()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "bad.txt"), File.ReadAllText(Path.Combine(_dir.FullName, "whoami-csv-standard-user.txt")).Replace("\"Enabled\"", "\"On\"", StringComparison.Ordinal));
        var r = Run("check", "--sd", "O:BAG:BAD:(A;;FR;;;WD)", "--token", "bad.txt", "--desired", "FR", "--type", "file");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("error: --token: bad.txt: line 23, column 55: the state 'On' is neither 'Enabled' nor 'Disabled'\n", r.Error);
    }

    // ---- ntsec token ----

    [Fact]
    public void TokenShowReadsWhoamiOutput()
    {
        var r = Run("token", "show", "--token", "whoami-list-standard-user.txt");

        Assert.Equal(0, r.ExitCode);
        // whoami named the user; the token's output names it the same way (one resolver, the names the user's tools gave).
        Assert.Equal($"User              {Contoso}-1104 (contoso\\alice)", r.OutLines[0]);
        Assert.Contains(r.OutLines, l => l.Contains("S-1-5-32-544 (BA: BUILTIN\\Administrators)", StringComparison.Ordinal) && l.EndsWith("UseForDenyOnly", StringComparison.Ordinal));
        Assert.Contains(r.OutLines, l => l.Contains("S-1-5-5-0-2143726", StringComparison.Ordinal) && l.EndsWith("LogonId", StringComparison.Ordinal));
        Assert.Contains("Integrity         S-1-16-8192 (ME: Mandatory Label\\Medium Mandatory Level), policy NoWriteUp, NewProcessMin", r.OutLines);
        Assert.Contains("                  SeChangeNotifyPrivilege        Enabled", r.OutLines);
    }
}
