using NtSec.Import;

namespace NtSec.Audit.Sources;

/// <summary>Opens a source in the format given, or in the one its content shows.</summary>
public static class SourceDetector
{
    /// <summary>The <c>--format</c> names.</summary>
    public static IReadOnlyList<(string Name, EstateFormat Format)> Names { get; } =
    [
        ("icacls-save", EstateFormat.IcaclsSave), ("getacl-csv", EstateFormat.GetAclCsv), ("getacl-json", EstateFormat.GetAclJson),
        ("ntacl", EstateFormat.NtAcl), ("ntfs", EstateFormat.Ntfs), ("jsonl", EstateFormat.JsonLines),
        ("ldif", EstateFormat.Ldif),
    ];

    /// <summary>The <c>--format</c> name of a format.</summary>
    public static string NameOf(EstateFormat format) => Names.First(n => n.Format == format).Name;

    /// <summary>Opens <paramref name="path"/> as <paramref name="format"/>, or detects the format when it is null.</summary>
    /// <exception cref="EstateFormatException">The format cannot be told, or the path does not fit it.</exception>
    public static IEstateSource Open(string path, EstateFormat? format)
    {
        var f = format ?? Detect(path);
        bool directory = Directory.Exists(path);
        if (!directory && !File.Exists(path)) throw new EstateFormatException(path, "no such file or directory");
        if (f == EstateFormat.Ntfs && !directory) return new NtfsImageSource(path);
        if (f == EstateFormat.Ldif) throw new EstateFormatException(path, "an LDIF export is a directory, scanned with its own principals (DirectoryScanner), not as a file estate");
        if (directory != f is EstateFormat.NtAcl or EstateFormat.Ntfs)
            throw new EstateFormatException(path, directory ? $"{NameOf(f)} reads a file, not a directory" : $"{NameOf(f)} reads a directory tree");
        return f switch
        {
            EstateFormat.IcaclsSave => new IcaclsSaveSource(path),
            EstateFormat.GetAclCsv => new GetAclCsvSource(path),
            EstateFormat.GetAclJson => new GetAclJsonSource(path),
            EstateFormat.JsonLines => new JsonLinesSource(path),
            EstateFormat.NtAcl => new NtAclTreeSource(path),
            _ => new NtfsAclTreeSource(path),
        };
    }

    /// <summary>
    /// A directory: <c>ntacl</c> when its root carries <c>security.NTACL</c>, <c>ntfs</c> when it carries
    /// <c>system.ntfs_acl</c>. A file starting with an NTFS boot sector is an image (<c>ntfs</c>). Other files, by their first lines (in UTF-16LE or UTF-8): a JSON object with <c>sd</c> on the
    /// first line is JSON lines; JSON with <c>Sddl</c> is Get-Acl JSON; a CSV header with <c>Sddl</c> (or a
    /// <c>#TYPE</c> line) is Get-Acl CSV; a path line followed by an SDDL line is icacls /save.
    /// </summary>
    public static EstateFormat Detect(string path)
    {
        if (Directory.Exists(path))
        {
            if (!Xattr.Supported) throw new EstateFormatException(path, "reading extended attributes needs Linux");
            // A file system without the attribute's namespace fails the call (ntfs-3g: EIO for security.*): not that format.
            static bool Has(string p, string name)
            {
                try
                {
                    return Xattr.Get(p, name) is not null;
                }
                catch (IOException)
                {
                    return false;
                }
            }
            if (Has(path, SambaNtAcl.AttributeName)) return EstateFormat.NtAcl;
            if (Has(path, NtfsAclTreeSource.AttributeName)) return EstateFormat.Ntfs;
            throw new EstateFormatException(path, "the directory has neither security.NTACL (Samba) nor system.ntfs_acl (ntfs-3g); give --format");
        }
        if (!File.Exists(path)) throw new EstateFormatException(path, "no such file or directory");
        if (NtfsImageSource.IsImage(path)) return EstateFormat.Ntfs;
        string first, second;
        using (var stream = File.OpenRead(path))
        using (var text = IcaclsSaveReader.OpenText(stream))
        {
            var buffer = new char[8192];
            int n = text.ReadBlock(buffer, 0, buffer.Length);
            var head = new string(buffer, 0, n).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            var lines = head.Split('\n', 3);
            first = lines[0].TrimEnd('\r');
            second = lines.Length > 1 ? lines[1].TrimEnd('\r') : "";
            if (LooksLikeLdif(head)) return EstateFormat.Ldif;
            if (head.StartsWith('{') && (first.Contains("\"sd\"", StringComparison.Ordinal) || first.Contains("\"path\"", StringComparison.Ordinal)) && first.TrimEnd().EndsWith('}'))
                return EstateFormat.JsonLines;
            if (head.StartsWith('[') || head.StartsWith('{'))
            {
                if (head.Contains("\"Sddl\"", StringComparison.OrdinalIgnoreCase)) return EstateFormat.GetAclJson;
                throw new EstateFormatException(path, "JSON without \"sd\" (JSON lines) or \"Sddl\" (Get-Acl) fields");
            }
            if (first.StartsWith("#TYPE", StringComparison.Ordinal)) return EstateFormat.GetAclCsv;
            if (first.Contains("Sddl", StringComparison.OrdinalIgnoreCase) && first.Contains(',', StringComparison.Ordinal)) return EstateFormat.GetAclCsv;
            if (IcaclsSaveReader.LooksLikeSaveFile(first, second)) return EstateFormat.IcaclsSave;
        }
        throw new EstateFormatException(path, "not a format ntsec audit reads (icacls /save, Get-Acl CSV or JSON, JSON lines, LDIF); give --format");
    }

    // RFC 2849: after comments, a file starts with "version: 1" or with its first record's "dn:" (or "dn::").
    private static bool LooksLikeLdif(string head)
    {
        foreach (var raw in head.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#' || line[0] == ' ') continue;
            return line.StartsWith("version:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("dn:", StringComparison.OrdinalIgnoreCase);
        }
        return false;
    }
}
