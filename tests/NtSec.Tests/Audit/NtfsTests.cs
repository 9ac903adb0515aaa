using System.Diagnostics;
using NtSec.Audit.Store;
using NtSec.Descriptors;
using NtSec.Tests.Cli;
using NtSec.Sddl;

namespace NtSec.Tests.Audit;

/// <summary>A fact skipped unless mkntfs and ntfs-3g are installed and FUSE is usable (root, /dev/fuse).</summary>
public sealed class NtfsFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when the tools or FUSE are missing.</summary>
    public NtfsFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/dev/fuse") && !Directory.Exists("/dev/fuse")
            || NtfsTests.Tool("mkntfs") is null || NtfsTests.Tool("ntfs-3g") is null || NtfsTests.Tool("setfattr") is null)
            Skip = "needs root, /dev/fuse, mkntfs, ntfs-3g and setfattr (apt-get install ntfs-3g attr)";
    }
}

public sealed class NtfsTests
{
    internal static string? Tool(string name)
        => new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static (int Code, string Output) Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(Tool(tool)!, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    private static readonly (string Path, string Sddl)[] Tree =
    [
        ("Data", "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;S-1-5-21-1-2-3-513)"),
        ("Data/Finance", "O:BAG:SYD:AI(D;OICI;FA;;;S-1-5-21-1-2-3-1002)(A;OICI;0x1301bf;;;S-1-5-21-1-2-3-1100)(A;OICIID;FA;;;SY)(A;OICIID;0x1200a9;;;S-1-5-21-1-2-3-513)"),
        ("Data/Finance/q1.xlsx", "O:BAG:SYD:AI(A;ID;0x1301bf;;;S-1-5-21-1-2-3-1100)(A;ID;FA;;;SY)(A;ID;0x1200a9;;;S-1-5-21-1-2-3-513)"),
        ("Data/Public", "O:BAG:SYD:AI(A;OICIID;FA;;;SY)(A;OICIID;0x1200a9;;;S-1-5-21-1-2-3-513)"),
        ("Data/Public/readme.txt", "O:BAG:SYD:AI(A;ID;FA;;;SY)(A;ID;0x1200a9;;;S-1-5-21-1-2-3-513)"),
        ("Data/Public/same.txt", "O:BAG:SYD:AI(A;ID;FA;;;SY)(A;ID;0x1200a9;;;S-1-5-21-1-2-3-513)"),
    ];

    [NtfsFact]
    public void An_image_read_without_mounting_agrees_with_the_mounted_volumes_xattrs()
    {
        using var f = new AuditFixtures();
        string image = f.Path("vol.img"), mount = f.Path("mnt");
        using (var s = File.Create(image)) s.SetLength(8 << 20);
        var mk = Run("mkntfs", "-F", "-q", "-Q", image);
        Assert.True(mk.Code == 0, mk.Output);
        Directory.CreateDirectory(mount);
        var m = Run("ntfs-3g", "-o", "permissions", image, mount);
        Assert.True(m.Code == 0, m.Output);
        try
        {
            foreach (var (p, sddl) in Tree)
            {
                string full = Path.Combine(mount, p);
                if (Path.HasExtension(p)) File.WriteAllText(full, "x");
                else Directory.CreateDirectory(full);
                var set = Run("setfattr", "-n", "system.ntfs_acl", "-v", "0x" + Convert.ToHexString(SecurityDescriptor.FromSddl(sddl).ToBinary()), full);
                Assert.True(set.Code == 0, set.Output);
            }
            var live = CliHarness.RunIn(f.Directory, "", "audit", "scan", "mnt", "--principals", "principals.txt", "--out", "live.duckdb");
            Assert.True(live.ExitCode == 0, live.Error);
            Assert.Contains("(ntfs)", live.Error, StringComparison.Ordinal);
        }
        finally
        {
            Run("umount", mount);
        }
        var offline = CliHarness.RunIn(f.Directory, "", "audit", "scan", "vol.img", "--principals", "principals.txt", "--out", "image.duckdb");
        Assert.True(offline.ExitCode == 0, offline.Error);
        Assert.Contains("(ntfs)", offline.Error, StringComparison.Ordinal);

        Dictionary<string, string> Acls(string db, Func<string, string> normalise)
        {
            using var store = EstateStore.Open(f.Path(db), readOnly: true);
            using var cmd = store.Command("SELECT o.path, d.sddl FROM objects o JOIN descriptors d USING (descriptor_id)");
            using var r = cmd.ExecuteReader();
            var map = new Dictionary<string, string>();
            while (r.Read()) map[normalise(r.GetString(0))] = r.GetString(1);
            return map;
        }
        var fromMount = Acls("live.duckdb", p => p == "mnt" ? "" : p["mnt/".Length..]);
        var fromImage = Acls("image.duckdb", p => p.TrimStart('\\').Replace('\\', '/'));
        foreach (var (p, sddl) in Tree)
        {
            string expected = SecurityDescriptor.FromSddl(sddl).ToSddl();
            Assert.Equal(expected, fromMount[p]);
            Assert.Equal(expected, fromImage[p]);
        }
        Assert.Equal(fromMount[""], fromImage[""]);
        // Two files with one descriptor share one security ID in $Secure, so one descriptor row.
        using var s2 = EstateStore.Open(f.Path("image.duckdb"), readOnly: true);
        Assert.Equal(1L, Convert.ToInt64(s2.Scalar("SELECT count(DISTINCT descriptor_id) FROM objects WHERE path LIKE '%Public\\%.txt'"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_file_that_is_not_an_image_is_refused_with_the_reason()
    {
        using var f = new AuditFixtures();
        var bytes = new byte[4096];
        "NTFS    "u8.CopyTo(bytes.AsSpan(3));
        File.WriteAllBytes(f.Path("bad.img"), bytes);
        var r = CliHarness.RunIn(f.Directory, "", "audit", "scan", "bad.img", "--principals", "principals.txt", "--out", "x.duckdb");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("boot sector", r.Error, StringComparison.Ordinal);
    }
}
