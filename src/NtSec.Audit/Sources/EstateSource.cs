namespace NtSec.Audit.Sources;

/// <summary>The formats <c>ntsec audit scan</c> reads.</summary>
public enum EstateFormat
{
    /// <summary><c>icacls DIR /save FILE /t</c>.</summary>
    IcaclsSave,
    /// <summary><c>Get-Acl | Export-Csv</c> (a <c>Path</c> and an <c>Sddl</c> column).</summary>
    GetAclCsv,
    /// <summary><c>Get-Acl | ConvertTo-Json</c> (objects with <c>Path</c> and <c>Sddl</c>).</summary>
    GetAclJson,
    /// <summary>A live tree whose files carry Samba's <c>security.NTACL</c> extended attribute.</summary>
    NtAcl,
    /// <summary>A tree mounted with ntfs-3g, whose files expose <c>system.ntfs_acl</c>.</summary>
    Ntfs,
    /// <summary>JSON lines <c>{"path": ..., "sd": ...}</c>, the descriptor as SDDL, hexadecimal or base64.</summary>
    JsonLines,
    /// <summary>An LDIF export of a directory (<c>ldapsearch</c>, <c>ldifde</c>, <c>ldbsearch</c>): scanned by <c>ActiveDirectory.DirectoryScanner</c>.</summary>
    Ldif,
}

/// <summary>How an object's descriptor was given by its source.</summary>
public enum EntryStatus
{
    /// <summary>The source gave a descriptor with no question about it.</summary>
    Ok,
    /// <summary>Samba blob, version 1 or 2: served as stored, no hash exists.</summary>
    Stored,
    /// <summary>Samba blob, version 3 or 4 with no hash: served as stored.</summary>
    StoredNoHash,
    /// <summary>Samba blob with a SHA-256 hash ntsec cannot confirm (see <c>SambaNtAclTrust.Unverified</c>).</summary>
    Unverified,
    /// <summary>Samba blob with an unknown hash type: smbd would ignore it and serve the POSIX ACL mapping.</summary>
    Ignored,
    /// <summary>The object has no stored descriptor (no attribute): its access is unknown and nothing is granted.</summary>
    Missing,
    /// <summary>The stored descriptor does not parse: its access is unknown and nothing is granted.</summary>
    Invalid,
}

/// <summary>One object read from a source. Exactly one of the descriptor forms is set, unless the status says there is none.</summary>
/// <param name="Path">The object's path, with <c>\</c> or <c>/</c> as the source wrote it.</param>
/// <param name="Sddl">The descriptor as SDDL text (text sources).</param>
/// <param name="Binary">The descriptor as self-relative bytes (binary sources).</param>
/// <param name="SecurityId">The NTFS security ID, where the source has one (deduplicates before any parse).</param>
/// <param name="Status">What is known about the descriptor's standing.</param>
/// <param name="Error">Why the descriptor could not be read (status <see cref="EntryStatus.Invalid"/>).</param>
/// <param name="IsDirectory">True for a directory, false for a file, null when the source does not say.</param>
public readonly record struct EstateEntry(string Path, string? Sddl, byte[]? Binary, uint? SecurityId, EntryStatus Status, string? Error, bool? IsDirectory);

/// <summary>A stream of objects: never the whole estate in memory.</summary>
public interface IEstateSource : IDisposable
{
    /// <summary>The format read.</summary>
    EstateFormat Format { get; }

    /// <summary>The fraction of the source read so far (0 to 1), or null when the size is unknown.</summary>
    double? Progress { get; }

    /// <summary>The objects in a stable order (a resumed scan skips the ones already stored).</summary>
    /// <exception cref="EstateFormatException">The source is not in its format at some position.</exception>
    IEnumerable<EstateEntry> Read(CancellationToken cancellation);
}

/// <summary>A source that is not in its format: where and why.</summary>
public sealed class EstateFormatException(string where, string reason) : Exception($"{where}: {reason}")
{
    /// <summary>The file and line, or the path, of the problem.</summary>
    public string Where { get; } = where;

    /// <summary>Why the input was rejected.</summary>
    public string Reason { get; } = reason;
}
