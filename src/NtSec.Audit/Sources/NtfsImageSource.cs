using System.Buffers.Binary;
using System.Text;

namespace NtSec.Audit.Sources;

/// <summary>
/// An NTFS volume image read without mounting it: the MFT for each file's name, parent and security ID
/// (<c>$STANDARD_INFORMATION</c>), and <c>$Secure:$SDS</c>, which holds each distinct descriptor once, keyed by
/// security ID. Paths start at the root (<c>\</c>); the metadata files (records 0 to 15 but the root, and
/// <c>$Extend</c>) are left out. A file with a <c>$SECURITY_DESCRIPTOR</c> attribute of its own (NTFS 1.x, and the
/// root as mkntfs makes it) is read from that attribute.
/// </summary>
/// <remarks>
/// Read as NTFS lays it out: the boot sector gives the cluster size, the MFT's first cluster and the record size;
/// every record is checked for its <c>FILE</c> signature and its update sequence (a torn record is skipped);
/// non-resident attributes are followed through their run lists. <c>$SDS</c> is read in its 256 KiB blocks, each
/// followed by its mirror copy; an entry is taken only where its header's offset is its own position. Files whose
/// attributes are in extension records (an attribute list) are reported without a descriptor when their
/// <c>$STANDARD_INFORMATION</c> is not in the base record. Two passes: the first collects directory names only, the
/// second streams the files, so memory grows with directories and distinct descriptors, not with files.
/// </remarks>
public sealed class NtfsImageSource : IEstateSource
{
    private const uint AttrStandardInformation = 0x10;
    private const uint AttrFileName = 0x30;
    private const uint AttrSecurityDescriptor = 0x50;
    private const uint AttrData = 0x80;
    private const uint AttrEnd = 0xFFFFFFFF;
    private const long RootRecord = 5;
    private const long ExtendRecord = 11;
    private const int SdsBlock = 0x40000;

    private readonly FileStream _stream;
    private readonly int _clusterSize;
    private readonly int _recordSize;
    private readonly List<(long Vcn, long Lcn, long Length)> _mftRuns;
    private readonly long _records;
    private long _done;

    /// <summary>Opens an image; the boot sector and the MFT's own record must be valid.</summary>
    /// <exception cref="EstateFormatException">Not an NTFS image.</exception>
    public NtfsImageSource(string image)
    {
        Image = image;
        _stream = new FileStream(image, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            var boot = new byte[512];
            if (_stream.ReadAtLeast(boot, 512, false) < 512 || !boot.AsSpan(3, 8).SequenceEqual("NTFS    "u8))
                throw new EstateFormatException(image, "not an NTFS image (no 'NTFS    ' signature in the boot sector)");
            int bytesPerSector = BinaryPrimitives.ReadUInt16LittleEndian(boot.AsSpan(0x0B));
            int spc = boot[0x0D];
            int sectorsPerCluster = spc <= 0x80 ? spc : 1 << (256 - spc);
            if (bytesPerSector is < 256 or > 4096 || (bytesPerSector & (bytesPerSector - 1)) != 0 || sectorsPerCluster == 0)
                throw new EstateFormatException(image, $"boot sector: {bytesPerSector} bytes per sector, {sectorsPerCluster} sectors per cluster");
            _clusterSize = bytesPerSector * sectorsPerCluster;
            long mftLcn = BinaryPrimitives.ReadInt64LittleEndian(boot.AsSpan(0x30));
            sbyte cpr = (sbyte)boot[0x40];
            _recordSize = cpr > 0 ? cpr * _clusterSize : 1 << -cpr;
            if (_recordSize is < 512 or > 65536 || mftLcn <= 0)
                throw new EstateFormatException(image, $"boot sector: MFT record size {_recordSize}, MFT at cluster {mftLcn}");
            var record = new byte[_recordSize];
            _stream.Position = mftLcn * _clusterSize;
            if (_stream.ReadAtLeast(record, _recordSize, false) < _recordSize || !Fixup(record))
                throw new EstateFormatException(image, "the MFT's own record ($MFT) is not readable");
            _mftRuns = [];
            long size = 0;
            foreach (var a in Attributes(record))
            {
                if (a.Type == AttrData && a.NameLength == 0 && a.NonResident)
                {
                    _mftRuns = Runs(record, a);
                    size = a.DataSize;
                }
            }
            if (_mftRuns.Count == 0) throw new EstateFormatException(image, "$MFT has no $DATA run list");
            _records = size / _recordSize;
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    /// <summary>The image file.</summary>
    public string Image { get; }

    /// <inheritdoc />
    public EstateFormat Format => EstateFormat.Ntfs;

    /// <inheritdoc />
    public double? Progress => _records == 0 ? null : Math.Min(1, (double)_done / (2 * _records));

    /// <summary>True when the file starts with an NTFS boot sector.</summary>
    public static bool IsImage(string file)
    {
        try
        {
            using var s = File.OpenRead(file);
            Span<byte> head = stackalloc byte[11];
            return s.ReadAtLeast(head, 11, false) == 11 && head[3..].SequenceEqual("NTFS    "u8);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private readonly record struct Attr(uint Type, int Offset, int Length, bool NonResident, int NameLength, string Name, int ValueOffset, int ValueLength, long DataSize);

    private static IEnumerable<Attr> Attributes(byte[] record)
    {
        int off = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(0x14));
        int used = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(0x18)), (uint)record.Length);
        while (off + 16 <= used)
        {
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(off));
            if (type == AttrEnd) yield break;
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(off + 4));
            if (length < 16 || off + length > used) yield break;
            bool nonResident = record[off + 8] != 0;
            int nameLength = record[off + 9];
            int nameOffset = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(off + 0x0A));
            string name = nameLength == 0 || nameOffset + 2 * nameLength > length ? "" : Encoding.Unicode.GetString(record, off + nameOffset, 2 * nameLength);
            if (!nonResident)
            {
                if (length < 0x18) yield break;
                int valueLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(off + 0x10));
                int valueOffset = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(off + 0x14));
                if (valueOffset + (long)valueLength > length) yield break;
                yield return new Attr(type, off, length, false, nameLength, name, off + valueOffset, valueLength, valueLength);
            }
            else
            {
                if (length < 0x40) yield break;
                long dataSize = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(off + 0x30));
                yield return new Attr(type, off, length, true, nameLength, name, 0, 0, dataSize);
            }
            off += length;
        }
    }

    private static List<(long Vcn, long Lcn, long Length)> Runs(byte[] record, Attr a)
    {
        var runs = new List<(long, long, long)>();
        int p = a.Offset + BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(a.Offset + 0x20));
        int end = a.Offset + a.Length;
        long vcn = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(a.Offset + 0x10)), lcn = 0;
        while (p < end && record[p] != 0)
        {
            int lengthBytes = record[p] & 0xF, offsetBytes = record[p] >> 4;
            if (lengthBytes is 0 or > 8 || offsetBytes > 8 || p + 1 + lengthBytes + offsetBytes > end) break;
            long length = 0;
            for (int i = lengthBytes - 1; i >= 0; i--) length = (length << 8) | record[p + 1 + i];
            long delta = 0;
            if (offsetBytes > 0)
            {
                for (int i = offsetBytes - 1; i >= 0; i--) delta = (delta << 8) | record[p + 1 + lengthBytes + i];
                int shift = 64 - 8 * offsetBytes;
                delta = (delta << shift) >> shift;
                lcn += delta;
                runs.Add((vcn, lcn, length));
            }
            else runs.Add((vcn, -1, length));
            vcn += length;
            p += 1 + lengthBytes + offsetBytes;
        }
        return runs;
    }

    // Applies the update sequence: the last two bytes of each 512-byte stride hold the sequence number, the real
    // bytes are in the array after it. A mismatch means a torn write.
    private static bool Fixup(byte[] record)
    {
        if (!record.AsSpan(0, 4).SequenceEqual("FILE"u8)) return false;
        int usaOffset = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(4));
        int usaCount = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(6));
        if (usaCount == 0 || usaOffset + 2 * usaCount > record.Length || (usaCount - 1) * 512 > record.Length) return false;
        for (int i = 1; i < usaCount; i++)
        {
            int pos = i * 512 - 2;
            if (record[pos] != record[usaOffset] || record[pos + 1] != record[usaOffset + 1]) return false;
            record[pos] = record[usaOffset + 2 * i];
            record[pos + 1] = record[usaOffset + 2 * i + 1];
        }
        return true;
    }

    private long ReadAt(List<(long Vcn, long Lcn, long Length)> runs, long offset, Span<byte> destination)
    {
        long vcn = offset / _clusterSize;
        foreach (var (start, lcn, length) in runs)
        {
            if (vcn < start || vcn >= start + length) continue;
            int within = (int)(offset % _clusterSize);
            long available = (start + length - vcn) * _clusterSize - within;
            int n = (int)Math.Min(available, destination.Length);
            if (lcn < 0) destination[..n].Clear();
            else
            {
                _stream.Position = (lcn + (vcn - start)) * _clusterSize + within;
                if (_stream.ReadAtLeast(destination[..n], n, false) < n) return -1;
            }
            return n;
        }
        return -1;
    }

    private bool ReadStream(List<(long Vcn, long Lcn, long Length)> runs, long offset, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            long n = ReadAt(runs, offset, destination);
            if (n <= 0) return false;
            offset += n;
            destination = destination[(int)n..];
        }
        return true;
    }

    private bool TryRecord(long index, byte[] record) => ReadStream(_mftRuns, index * _recordSize, record) && Fixup(record);

    private (long Parent, string Name)? FileName(byte[] record)
    {
        (long, string)? best = null;
        foreach (var a in Attributes(record))
        {
            if (a.Type != AttrFileName || a.NonResident || a.ValueLength < 0x42) continue;
            var v = record.AsSpan(a.ValueOffset, a.ValueLength);
            long parent = (long)(BinaryPrimitives.ReadUInt64LittleEndian(v) & 0xFFFF_FFFF_FFFF);
            int length = v[0x40];
            byte space = v[0x41];
            if (0x42 + 2 * length > v.Length) continue;
            string name = Encoding.Unicode.GetString(v.Slice(0x42, 2 * length));
            // A DOS 8.3 name (namespace 2) only when nothing better exists.
            if (space != 2 || best is null) best = (parent, name);
        }
        return best;
    }

    private Dictionary<uint, byte[]> ReadSds()
    {
        var map = new Dictionary<uint, byte[]>();
        var record = new byte[_recordSize];
        if (!TryRecord(9, record)) return map;
        foreach (var a in Attributes(record))
        {
            if (a.Type != AttrData || a.Name != "$SDS") continue;
            byte[] data;
            if (a.NonResident)
            {
                if (a.DataSize is < 0 or > int.MaxValue) return map;
                data = new byte[a.DataSize];
                if (!ReadStream(Runs(record, a), 0, data)) return map;
            }
            else data = record.AsSpan(a.ValueOffset, a.ValueLength).ToArray();
            // Each 256 KiB block is followed by its mirror; entries never cross a block.
            for (long block = 0; block < data.Length; block += 2 * SdsBlock)
            {
                long pos = block, end = Math.Min(block + SdsBlock, data.Length);
                while (pos + 20 <= end)
                {
                    var h = data.AsSpan((int)pos);
                    uint id = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
                    long offset = BinaryPrimitives.ReadInt64LittleEndian(h[8..]);
                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
                    if (length < 20 + 20 || offset != pos || pos + length > end) break;
                    map.TryAdd(id, data.AsSpan((int)pos + 20, (int)length - 20).ToArray());
                    pos = (pos + length + 15) & ~15L;
                }
            }
        }
        return map;
    }

    /// <inheritdoc />
    public IEnumerable<EstateEntry> Read(CancellationToken cancellation)
    {
        var sds = ReadSds();
        var record = new byte[_recordSize];
        // Pass 1: directories' names and parents.
        var dirs = new Dictionary<long, (long Parent, string Name)>();
        for (long i = 0; i < _records; i++, _done++)
        {
            if (!TryRecord(i, record)) continue;
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(0x16));
            if ((flags & 0x1) == 0 || (flags & 0x2) == 0 || BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(0x20)) != 0) continue;
            if (FileName(record) is { } fn) dirs[i] = fn;
        }
        var paths = new Dictionary<long, string?> { [RootRecord] = "" };
        string? PathOf(long dir, int depth = 0)
        {
            if (paths.TryGetValue(dir, out var known)) return known;
            if (depth > 1024 || dir == ExtendRecord || !dirs.TryGetValue(dir, out var d) || d.Parent == dir) return paths[dir] = null;
            string? parent = PathOf(d.Parent, depth + 1);
            return paths[dir] = parent is null ? null : parent + "\\" + d.Name;
        }
        // Pass 2: every file and directory in use, with its descriptor.
        for (long i = 0; i < _records; i++, _done++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (i < 16 && i != RootRecord) continue;
            if (!TryRecord(i, record)) continue;
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(0x16));
            if ((flags & 0x1) == 0 || BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(0x20)) != 0) continue;
            bool isDir = (flags & 0x2) != 0;
            string? path;
            if (i == RootRecord) path = "\\";
            else
            {
                if (FileName(record) is not { } fn) continue;
                string? parent = PathOf(fn.Parent);
                if (parent is null) continue;
                path = parent + "\\" + fn.Name;
            }
            uint? securityId = null;
            byte[]? legacy = null;
            foreach (var a in Attributes(record))
            {
                if (a.Type == AttrStandardInformation && !a.NonResident && a.ValueLength >= 0x38)
                    securityId = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(a.ValueOffset + 0x34));
                else if (a.Type == AttrSecurityDescriptor && !a.NonResident)
                    legacy = record.AsSpan(a.ValueOffset, a.ValueLength).ToArray();
                else if (a.Type == AttrSecurityDescriptor && a.DataSize is > 0 and <= 0x10000)
                {
                    // A descriptor too large for the record (mkntfs gives the root one) lives in clusters of its own.
                    var value = new byte[a.DataSize];
                    if (ReadStream(Runs(record, a), 0, value)) legacy = value;
                }
            }
            if (legacy is not null) yield return new EstateEntry(path, null, legacy, null, EntryStatus.Ok, null, isDir);
            else if (securityId is uint id && sds.TryGetValue(id, out var sd)) yield return new EstateEntry(path, null, sd, id, EntryStatus.Ok, null, isDir);
            else yield return new EstateEntry(path, null, null, securityId, EntryStatus.Missing,
                securityId is null ? "no $STANDARD_INFORMATION security ID in the base record" : $"security ID {securityId} is not in $Secure:$SDS", isDir);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
