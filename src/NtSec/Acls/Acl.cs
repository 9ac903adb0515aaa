using System.Buffers.Binary;
using System.Collections.Immutable;

namespace NtSec.Acls;

/// <summary>
/// An access control list (MS-DTYP 2.4.5): a revision and an ordered list of ACEs, immutable.
/// </summary>
public sealed class Acl : IEquatable<Acl>
{
    /// <summary>ACL_REVISION: ACLs without object ACEs.</summary>
    public const byte Revision2 = 2;
    /// <summary>ACL_REVISION3 (NT 4; accepted, rarely seen).</summary>
    public const byte Revision3 = 3;
    /// <summary>ACL_REVISION_DS: required once an object ACE is present.</summary>
    public const byte RevisionDs = 4;

    /// <summary>The size of the ACL header.</summary>
    public const int HeaderLength = 8;

    /// <summary>Creates an ACL. Pass <paramref name="revision"/> 0 to take the revision Windows would set.</summary>
    /// <exception cref="ArgumentException">The revision is not 2, 3 or 4, or is below 4 while an ACE is an object ACE.</exception>
    public Acl(IEnumerable<Ace> aces, byte revision = 0)
    {
        Aces = [.. aces];
        byte needed = RevisionFor(Aces.AsSpan());
        Revision = revision == 0 ? needed : revision;
        if (Revision is < Revision2 or > RevisionDs) throw new ArgumentOutOfRangeException(nameof(revision), "ACL revision must be 2, 3 or 4.");
        // TryRead (like RtlValidAcl) refuses object ACEs below revision 4: such an ACL could not be read back.
        if (Revision < RevisionDs && needed == RevisionDs) throw new ArgumentException("An ACL holding object ACEs must be revision 4 (ACL_REVISION_DS).", nameof(revision));
        if (GetBinaryLength() > ushort.MaxValue) throw new ArgumentException("The ACL would exceed 65535 bytes.", nameof(aces));
    }

    /// <summary>An empty ACL (revision 2): grants nothing, unlike a NULL DACL.</summary>
    public static Acl Empty { get; } = new([]);

    /// <summary>The ACL revision.</summary>
    public byte Revision { get; }

    /// <summary>The ACEs, in stored order (the order the access check visits them).</summary>
    public ImmutableArray<Ace> Aces { get; }

    /// <summary>
    /// Bytes between the last ACE and AclSize. Windows leaves such room in ACLs it grew in place; it is kept so
    /// that a descriptor read from binary writes back byte for byte. ACLs built in NtSec have none.
    /// </summary>
    public ReadOnlySpan<byte> Slack => _slack;

    private readonly byte[] _slack = [];

    /// <summary>
    /// True when an effective (not inherit-only) allow or deny ACE names OWNER RIGHTS (S-1-3-4): the owner's implied
    /// READ_CONTROL and WRITE_DAC then give way to it. Computed once, since the access check asks on every call.
    /// </summary>
    public bool HasEffectiveOwnerRightsAce => _hasOwnerRights ??= ComputeOwnerRights();

    private bool? _hasOwnerRights;

    private bool ComputeOwnerRights()
    {
        foreach (var ace in Aces)
            if (!ace.IsRaw && !ace.IsInheritOnly && (ace.IsAccessAllowed || ace.IsAccessDenied) && ace.Sid == Principals.WellKnownSids.OwnerRights) return true;
        return false;
    }

    /// <summary>The number of ACEs.</summary>
    public int Count => Aces.Length;

    /// <summary>The revision Windows gives an ACL holding these ACEs: 4 when any is an object ACE, else 2.</summary>
    public static byte RevisionFor(IEnumerable<Ace> aces)
    {
        foreach (var ace in aces)
            if (ace.IsObjectAce) return RevisionDs;
        return Revision2;
    }

    private static byte RevisionFor(ReadOnlySpan<Ace> aces)
    {
        foreach (var ace in aces)
            if (ace.IsObjectAce) return RevisionDs;
        return Revision2;
    }

    /// <summary>
    /// True when the ACEs are in the order Windows' editors produce and expect: explicit ACEs before inherited ones,
    /// and among the explicit ones every deny before any allow.
    /// </summary>
    public bool IsCanonical()
    {
        // 0: explicit deny, 1: explicit allow, 2: inherited. The order may only rise.
        int stage = 0;
        foreach (var ace in Aces)
        {
            int s;
            if (ace.IsInherited) s = 2;
            else if (ace.IsAccessDenied) s = 0;
            else if (ace.IsAccessAllowed) s = 1;
            else continue;
            if (s < stage) return false;
            stage = s;
        }
        return true;
    }

    /// <summary>AclSize: the header plus every ACE.</summary>
    public int GetBinaryLength()
    {
        int length = HeaderLength + _slack.Length;
        foreach (var ace in Aces) length += ace.GetBinaryLength();
        return length;
    }

    /// <summary>Writes the ACL as Windows lays it out.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        int length = GetBinaryLength();
        bytesWritten = 0;
        if (destination.Length < length) return false;
        destination[0] = Revision;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], (ushort)Aces.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        int pos = HeaderLength;
        foreach (var ace in Aces)
        {
            ace.TryWrite(destination[pos..], out int n);
            pos += n;
        }
        _slack.CopyTo(destination[pos..]);
        bytesWritten = length;
        return true;
    }

    /// <summary>The binary form.</summary>
    public byte[] ToBinary()
    {
        var bytes = new byte[GetBinaryLength()];
        TryWrite(bytes, out _);
        return bytes;
    }

    /// <summary>
    /// Reads an ACL from the start of <paramref name="source"/>, checking what <c>RtlValidAcl</c> checks: the revision,
    /// the AclSize against the buffer, that every ACE lies inside AclSize, and that object ACEs sit in a revision-4 ACL.
    /// </summary>
    /// <param name="source">The bytes from the ACL header on.</param>
    /// <param name="acl">The ACL read.</param>
    /// <param name="bytesRead">Its AclSize.</param>
    /// <param name="error">Why it is not an ACL; positions relative to <paramref name="source"/>.</param>
    public static bool TryRead(ReadOnlySpan<byte> source, out Acl? acl, out int bytesRead, out ParseError? error)
    {
        acl = null;
        bytesRead = 0;
        if (source.Length < HeaderLength)
        {
            error = new ParseError(ParseErrorKind.Truncated, 0, $"an ACL header needs 8 bytes, {source.Length} left", Win32Error.InvalidAcl);
            return false;
        }
        byte revision = source[0];
        if (revision is < Revision2 or > RevisionDs)
        {
            error = new ParseError(ParseErrorKind.UnknownRevision, 0, $"ACL revision {revision} is not 2, 3 or 4", Win32Error.InvalidAcl);
            return false;
        }
        int size = BinaryPrimitives.ReadUInt16LittleEndian(source[2..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(source[4..]);
        if (size < HeaderLength)
        {
            error = new ParseError(ParseErrorKind.BadStructure, 2, $"AclSize {size} is smaller than the ACL header", Win32Error.InvalidAcl);
            return false;
        }
        if (size > source.Length)
        {
            error = new ParseError(ParseErrorKind.BadStructure, 2, $"AclSize {size} runs past the end of the buffer ({source.Length} bytes left)", Win32Error.InvalidAcl);
            return false;
        }
        // Each ACE takes at least 4 bytes, so an AceCount that cannot fit is rejected before anything is allocated.
        if (count > (size - HeaderLength) / 4)
        {
            error = new ParseError(ParseErrorKind.BadStructure, 4, $"AceCount {count} cannot fit in AclSize {size}", Win32Error.InvalidAcl);
            return false;
        }
        var builder = ImmutableArray.CreateBuilder<Ace>(count);
        int pos = HeaderLength;
        for (int i = 0; i < count; i++)
        {
            if (!Ace.TryRead(source[pos..size], out var ace, out int n, out var aceError))
            {
                error = aceError!.Within(pos, $"ACE {i}: ", Win32Error.InvalidAcl);
                return false;
            }
            if (ace!.IsObjectAce && revision < RevisionDs)
            {
                error = new ParseError(ParseErrorKind.NotAllowedHere, pos, $"ACE {i} is an object ACE, which needs ACL revision 4 (this ACL is revision {revision})", Win32Error.InvalidAcl);
                return false;
            }
            builder.Add(ace);
            pos += n;
        }
        acl = new Acl(builder.MoveToImmutable(), revision, source[pos..size].ToArray());
        bytesRead = size;
        error = null;
        return true;
    }

    private Acl(ImmutableArray<Ace> aces, byte revision, byte[] slack)
    {
        Aces = aces;
        Revision = revision;
        _slack = slack;
    }

    /// <summary>
    /// An ACL with <paramref name="slackLength"/> zero bytes after its last ACE, as Windows' SDDL parser sizes some
    /// ACLs (see <c>SddlParser</c>); the caller has checked the revision against the ACEs and the total size.
    /// </summary>
    internal static Acl WithZeroSlack(IEnumerable<Ace> aces, byte revision, int slackLength)
        => new([.. aces], revision, new byte[slackLength]);

    /// <summary>
    /// The ACL the SDDL parser has read, in one allocation of its array: the revision Windows sets, and
    /// <paramref name="slackLength"/> zero bytes after the last ACE (then revision 4), as <see cref="WithZeroSlack"/>.
    /// The caller has checked the total size.
    /// </summary>
    internal static Acl FromParsed(ReadOnlySpan<Ace> aces, int slackLength)
        => new(ImmutableArray.Create(aces), slackLength > 0 ? RevisionDs : RevisionFor(aces), slackLength > 0 ? new byte[slackLength] : []);

    /// <summary>A copy without slack bytes: the ACL as a fresh <c>InitializeAcl</c> of the right size would hold it.</summary>
    public Acl Compact() => _slack.Length == 0 ? this : new Acl(Aces, Revision, []);

    /// <inheritdoc />
    public bool Equals(Acl? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (Revision != other.Revision || Aces.Length != other.Aces.Length || !_slack.AsSpan().SequenceEqual(other._slack)) return false;
        for (int i = 0; i < Aces.Length; i++)
            if (!Aces[i].Equals(other.Aces[i])) return false;
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Acl);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Revision);
        foreach (var ace in Aces) hash.Add(ace);
        return hash.ToHashCode();
    }
}
