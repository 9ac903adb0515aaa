using System.Text;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Sddl;

namespace NtSec.Tests.Audit;

/// <summary>Small real estates written by the tests: icacls /save text, Get-Acl CSV, a Samba tree, principal lists.</summary>
internal sealed class AuditFixtures : IDisposable
{
    public const string Domain = "S-1-5-21-1-2-3";

    // Data: protected, SYSTEM and Administrators full, Domain Users read. Finance: bob denied, the Finance group
    // modify. q1.xlsx inherits Finance's allow ACEs (not the deny, which only Finance itself carries here).
    public static readonly (string Path, string Sddl)[] Estate =
    [
        ("Data", $"D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;{Domain}-513)"),
        ("Data\\Finance", $"D:AI(D;OICI;FA;;;{Domain}-1002)(A;OICI;0x1301bf;;;{Domain}-1100)(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;{Domain}-513)"),
        ("Data\\Finance\\q1.xlsx", $"D:AI(A;ID;0x1301bf;;;{Domain}-1100)(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;{Domain}-513)"),
        ("Data\\Public", $"D:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;{Domain}-513)"),
        ("Data\\Public\\readme.txt", $"D:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;{Domain}-513)"),
        ("Data\\Public\\old.txt", $"D:(A;;FA;;;{Domain}-4242)(A;;FA;;;SY)(D;;FA;;;{Domain}-9999)(A;;0x1200a9;;;{Domain}-513)"),
    ];

    public const string PrincipalList = $"""
        # name  user-SID  group SIDs
        alice {Domain}-1001 {Domain}-513 {Domain}-1100
        bob   {Domain}-1002 {Domain}-513 {Domain}-1100
        admin {Domain}-500  {Domain}-513 S-1-5-32-544
        carol {Domain}-1003 {Domain}-513
        """;

    public AuditFixtures()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ntsec-audit-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path("principals.txt"), PrincipalList);
    }

    public string Directory { get; }

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>The estate as icacls /save writes it: UTF-16LE, CRLF, optionally with a BOM; or UTF-8.</summary>
    public string IcaclsSave(string name = "acls.txt", Encoding? encoding = null, bool bom = false)
    {
        var text = new StringBuilder();
        foreach (var (p, sddl) in Estate) text.Append(p).Append("\r\n").Append(sddl).Append("\r\n");
        encoding ??= new UnicodeEncoding(false, false);
        var bytes = new List<byte>();
        if (bom) bytes.AddRange(encoding.GetPreamble().Length > 0 ? encoding.GetPreamble() : encoding is UnicodeEncoding ? [0xFF, 0xFE] : [0xEF, 0xBB, 0xBF]);
        bytes.AddRange(encoding.GetBytes(text.ToString()));
        File.WriteAllBytes(Path(name), [.. bytes]);
        return Path(name);
    }

    /// <summary>The estate as <c>Get-ChildItem -Recurse | Get-Acl | Export-Csv</c> writes it (with its #TYPE line and a multi-line field).</summary>
    public string GetAclCsv(string name = "acls.csv")
    {
        var text = new StringBuilder("#TYPE System.Security.AccessControl.DirectorySecurity\r\n\"Path\",\"Owner\",\"Group\",\"AccessToString\",\"Sddl\"\r\n");
        foreach (var (p, sddl) in Estate)
            text.Append($"\"Microsoft.PowerShell.Core\\FileSystem::C:\\{p}\",\"BUILTIN\\Administrators\",\"CONTOSO\\Domain Users\",\"NT AUTHORITY\\SYSTEM Allow  FullControl\r\nBUILTIN\\Administrators Allow  FullControl\",\"O:BAG:DU{sddl}\"\r\n");
        File.WriteAllText(Path(name), text.ToString(), new UTF8Encoding(true));
        return Path(name);
    }

    /// <summary>The estate as a Samba share: a tree whose files carry security.NTACL blobs of <paramref name="version"/>; null when the file system refuses xattrs.</summary>
    public string? SambaTree(ushort version = 4, string name = "share")
    {
        string root = Path(name);
        foreach (var (p, sddl) in Estate)
        {
            string full = System.IO.Path.Combine(Directory, name, p.Replace("Data", "", StringComparison.Ordinal).TrimStart('\\').Replace('\\', '/'));
            bool dir = !System.IO.Path.HasExtension(p);
            if (dir) System.IO.Directory.CreateDirectory(full);
            else File.WriteAllText(full, "x");
            var sd = SecurityDescriptor.FromSddl($"O:{Domain}-500G:{Domain}-513" + sddl);
            var blob = new SambaNtAcl(version, sd, version >= 3 ? SambaNtAclHashType.Sha256 : SambaNtAclHashType.None,
                new byte[version == 2 ? 16 : 32], version == 4 ? "posix_acl" : null, 0x01DB000000000000, new byte[32]);
            if (!NtSec.Audit.Sources.Xattr.TrySet(full, SambaNtAcl.AttributeName, blob.ToBinary(), out _)) return null;
        }
        return root;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
        }
    }
}
