using System.Diagnostics;

namespace NtSec.Tests.Audit;

/// <summary>What the machine offers the audit's fixtures: security.* extended attributes, python3-samba.</summary>
internal static class AuditEnvironment
{
    private static readonly Lazy<bool> Xattrs = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return false;
        string file = Path.Combine(Path.GetTempPath(), "ntsec-xattr-probe-" + Environment.ProcessId);
        File.WriteAllText(file, "");
        try
        {
            return NtSec.Audit.Sources.Xattr.TrySet(file, NtSec.Import.SambaNtAcl.AttributeName, [1, 0, 1, 0], out _);
        }
        finally
        {
            File.Delete(file);
        }
    });

    private static readonly Lazy<string?> Python = new(() =>
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) return null;
        try
        {
            var psi = new ProcessStartInfo(python, ["-c", "import samba.dcerpc.xattr, samba.ndr"]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode == 0 ? python : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    });

    /// <summary>True when files here take security.NTACL (Linux, root or CAP_SYS_ADMIN, a file system with xattrs).</summary>
    public static bool SecurityXattrs => Xattrs.Value;

    /// <summary>The Python with Samba's bindings (Debian's python3-samba), or null.</summary>
    public static string? SambaPython => Python.Value;
}

/// <summary>A fact skipped when the file system refuses security.* extended attributes.</summary>
public sealed class XattrFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when security.NTACL cannot be written here.</summary>
    public XattrFactAttribute()
    {
        if (!AuditEnvironment.SecurityXattrs) Skip = "security.* extended attributes are not writable here (needs Linux, root, and xattrs on the temp file system)";
    }
}

/// <summary>A fact skipped when python3-samba is not installed.</summary>
public sealed class SambaPythonFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when Samba's Python bindings are missing.</summary>
    public SambaPythonFactAttribute()
    {
        if (AuditEnvironment.SambaPython is null) Skip = "python3-samba is not installed (apt-get install python3-samba)";
    }
}
