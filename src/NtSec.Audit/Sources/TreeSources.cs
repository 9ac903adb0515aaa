using System.Runtime.InteropServices;
using NtSec.Import;

namespace NtSec.Audit.Sources;

/// <summary>The extended-attribute calls of Linux (<c>lgetxattr</c>), which .NET does not wrap.</summary>
internal static partial class Xattr
{
    private const int ENODATA = 61;
    private const int ERANGE = 34;

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LGetXattr(string path, string name, Span<byte> value, nuint size);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LSetXattr(string path, string name, ReadOnlySpan<byte> value, nuint size, int flags);

    /// <summary>True on Linux, where the calls exist.</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>Reads an attribute: its bytes, null when the file has none; an exception for other failures.</summary>
    public static byte[]? Get(string path, string name)
    {
        // Ask for the size first: some FUSE file systems (ntfs-3g) fail a too-small buffer with EIO, not ERANGE.
        while (true)
        {
            nint size = LGetXattr(path, name, [], 0);
            if (size < 0) return Failed(path, name);
            var buffer = new byte[size];
            nint n = LGetXattr(path, name, buffer, (nuint)buffer.Length);
            if (n >= 0) return buffer[..(int)n];
            // The value grew between the two calls: ask again.
            if (Marshal.GetLastPInvokeError() == ERANGE) continue;
            return Failed(path, name);
        }
    }

    private static byte[]? Failed(string path, string name)
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno == ENODATA) return null;
        throw new IOException($"{path}: lgetxattr({name}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Writes an attribute; false (with the reason) when the file system refuses.</summary>
    public static bool TrySet(string path, string name, ReadOnlySpan<byte> value, out string? error)
    {
        if (LSetXattr(path, name, value, (nuint)value.Length, 0) == 0)
        {
            error = null;
            return true;
        }
        error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
        return false;
    }
}

/// <summary>
/// A live directory tree read file by file through one extended attribute. Entries are visited depth first in
/// ordinal name order, so a resumed scan meets them in the same order; symbolic links are neither followed nor read.
/// </summary>
public abstract class TreeSource : IEstateSource
{
    private long _total = -1;
    private long _done;

    /// <summary>Reads the tree under <paramref name="root"/>.</summary>
    protected TreeSource(string root)
    {
        if (!Directory.Exists(root)) throw new EstateFormatException(root, "not a directory");
        Root = Path.GetFullPath(root).TrimEnd('/');
        if (Root.Length == 0) Root = "/";
    }

    /// <summary>The tree's root.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public abstract EstateFormat Format { get; }

    /// <inheritdoc />
    public double? Progress => _total <= 0 ? null : Math.Min(1, (double)_done / _total);

    /// <summary>Turns one file's attribute into an entry.</summary>
    protected abstract EstateEntry Entry(string relative, string full, bool directory);

    /// <inheritdoc />
    public IEnumerable<EstateEntry> Read(CancellationToken cancellation)
    {
        // Counting names first is cheap beside reading an attribute of each, and gives the progress line its ETA.
        _total = Walk(Root).LongCount();
        _done = 0;
        string name = Path.GetFileName(Root);
        foreach (var (full, directory) in Walk(Root))
        {
            cancellation.ThrowIfCancellationRequested();
            string relative = full.Length == Root.Length ? name : name + full[Root.Length..];
            _done++;
            yield return Entry(relative, full, directory);
        }
    }

    private static IEnumerable<(string Full, bool Directory)> Walk(string root)
    {
        var stack = new Stack<string>();
        stack.Push(root);
        yield return (root, true);
        while (stack.Count > 0)
        {
            string dir = stack.Pop();
            string[] names;
            try
            {
                names = Directory.GetFileSystemEntries(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            Array.Sort(names, StringComparer.Ordinal);
            var subdirs = new List<string>();
            foreach (var full in names)
            {
                var info = new FileInfo(full);
                bool link = info.LinkTarget is not null;
                bool isDir = !link && (info.Attributes & FileAttributes.Directory) != 0;
                if (link) continue;
                yield return (full, isDir);
                if (isDir) subdirs.Add(full);
            }
            for (int i = subdirs.Count - 1; i >= 0; i--) stack.Push(subdirs[i]);
        }
    }

    /// <inheritdoc />
    public void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>A tree served by Samba with <c>vfs_acl_xattr</c>: each file's <c>security.NTACL</c> (versions 1 to 4).</summary>
public sealed class NtAclTreeSource(string root) : TreeSource(root)
{
    /// <inheritdoc />
    public override EstateFormat Format => EstateFormat.NtAcl;

    /// <inheritdoc />
    protected override EstateEntry Entry(string relative, string full, bool directory)
    {
        byte[]? value;
        try
        {
            value = Xattr.Get(full, SambaNtAcl.AttributeName);
        }
        catch (IOException e)
        {
            return new EstateEntry(relative, null, null, null, EntryStatus.Invalid, e.Message, directory);
        }
        if (value is null) return new EstateEntry(relative, null, null, null, EntryStatus.Missing, "no security.NTACL attribute (smbd would map the POSIX ACL)", directory);
        if (!SambaNtAcl.TryRead(value, out var blob, out var error))
            return new EstateEntry(relative, null, null, null, EntryStatus.Invalid, $"security.NTACL at byte {error!.Position}: {error.Reason}", directory);
        var status = blob!.Trust switch
        {
            SambaNtAclTrust.Stored => EntryStatus.Stored,
            SambaNtAclTrust.StoredNoHash => EntryStatus.StoredNoHash,
            SambaNtAclTrust.Unverified => EntryStatus.Unverified,
            _ => EntryStatus.Ignored,
        };
        return new EstateEntry(relative, null, blob.Descriptor.ToBinary(), null, status, null, directory);
    }
}

/// <summary>An NTFS volume mounted with ntfs-3g: each file's <c>system.ntfs_acl</c>, the self-relative descriptor NTFS stores.</summary>
public sealed class NtfsAclTreeSource(string root) : TreeSource(root)
{
    /// <summary>The attribute ntfs-3g exposes.</summary>
    public const string AttributeName = "system.ntfs_acl";

    /// <inheritdoc />
    public override EstateFormat Format => EstateFormat.Ntfs;

    /// <inheritdoc />
    protected override EstateEntry Entry(string relative, string full, bool directory)
    {
        byte[]? value;
        try
        {
            value = Xattr.Get(full, AttributeName);
        }
        catch (IOException e)
        {
            return new EstateEntry(relative, null, null, null, EntryStatus.Invalid, e.Message, directory);
        }
        return value is null
            ? new EstateEntry(relative, null, null, null, EntryStatus.Missing, "no system.ntfs_acl attribute", directory)
            : new EstateEntry(relative, null, value, null, EntryStatus.Ok, null, directory);
    }
}
