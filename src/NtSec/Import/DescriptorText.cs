using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Import;

/// <summary>How a descriptor is written as text.</summary>
public enum DescriptorFormat
{
    /// <summary>SDDL text.</summary>
    Sddl,
    /// <summary>A self-relative binary descriptor in hexadecimal; white space is ignored.</summary>
    Hex,
    /// <summary>A self-relative binary descriptor in base64, bare or as an LDIF <c>attribute:: value</c> line.</summary>
    Base64,
    /// <summary>The output of <c>icacls PATH</c>: a DACL per path, without owner or group.</summary>
    Icacls,
    /// <summary>The output of <c>Get-Acl | Format-List</c>: the <c>Sddl</c> field of each object.</summary>
    GetAcl,
}

/// <summary>A decoded descriptor, with what is needed to point back into the input.</summary>
/// <param name="Descriptor">The descriptor.</param>
/// <param name="Format">How it was written.</param>
/// <param name="Binary">For binary input, the decoded bytes; null for SDDL.</param>
/// <param name="DescriptorLength">For binary input, the extent of the descriptor in <paramref name="Binary"/>; bytes after it are ignored.</param>
/// <param name="Path">For icacls and Get-Acl output, the path the descriptor belongs to (null when Get-Acl printed none).</param>
public sealed record DecodedDescriptor(SecurityDescriptor Descriptor, DescriptorFormat Format, byte[]? Binary, int DescriptorLength, string? Path = null)
{
    /// <summary>Bytes after the descriptor in binary input, which Windows ignores as well.</summary>
    public int TrailingBytes => Binary is null ? 0 : Binary.Length - DescriptorLength;
}

/// <summary>
/// Reads a descriptor in any of the forms users have one in, recognised by its content: SDDL, hexadecimal or base64
/// of the self-relative binary form, an LDIF entry (<c>nTSecurityDescriptor:: ...</c>), icacls or Get-Acl output.
/// </summary>
public static class DescriptorText
{
    /// <summary>
    /// The form of <paramref name="text"/>, by content alone: text starting with an SDDL component (<c>O:</c>,
    /// <c>G:</c>, <c>D:</c>, <c>S:</c>) is SDDL; icacls and Get-Acl output by their layout; hexadecimal digits only
    /// (white space and one leading <c>0x</c> allowed) starting <c>01</c>, the revision byte every self-relative
    /// descriptor starts with, is hex; base64 characters only starting <c>AQ</c> (the same byte in base64), or an
    /// LDIF <c>name:: value</c> line, is base64. Anything else is read as SDDL, whose parser then says what is wrong
    /// (so a stray word stays an SDDL error). The forms cannot be confused: SDDL always holds ':', hex and base64
    /// never do, and <c>Q</c> is not a hexadecimal digit.
    /// </summary>
    public static DescriptorFormat Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.AsSpan().Trim();
        if (t.Length >= 2 && t[1] == ':' && t[0] is 'O' or 'G' or 'D' or 'S') return DescriptorFormat.Sddl;
        switch (WindowsOutput.Detect(text))
        {
            case WindowsOutputKind.Icacls: return DescriptorFormat.Icacls;
            case WindowsOutputKind.GetAcl: return DescriptorFormat.GetAcl;
        }
        if (t.Length == 0) return DescriptorFormat.Sddl;
        if (IsHex(t)) return DescriptorFormat.Hex;
        if ((t.StartsWith("AQ", StringComparison.Ordinal) && IsBase64(t)) || BinaryText.HasLdifBase64Attribute(text)) return DescriptorFormat.Base64;
        return DescriptorFormat.Sddl;
    }

    /// <summary>True for the forms that hold several lines and possibly several descriptors (icacls, Get-Acl).</summary>
    public static bool IsToolOutput(DescriptorFormat format) => format is DescriptorFormat.Icacls or DescriptorFormat.GetAcl;

    /// <summary>
    /// Decodes one descriptor in SDDL, hex or base64. Positions in the error are character indexes into
    /// <paramref name="text"/> for SDDL and for hex or base64 that does not decode, and byte offsets into the decoded
    /// bytes when those bytes are not a valid self-relative descriptor.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="format"/> is icacls or Get-Acl output, which <see cref="TryDecodeToolOutput"/> reads.</exception>
    public static bool TryDecode(string text, DescriptorFormat format, SidContext context, out DecodedDescriptor? result, out ParseError? error)
    {
        if (IsToolOutput(format)) throw new ArgumentException("icacls and Get-Acl output span several lines and may hold several descriptors; use TryDecodeToolOutput.", nameof(format));
        result = null;
        if (format == DescriptorFormat.Sddl)
        {
            if (!SddlParser.TryParse(text, context, out var sd, out error)) return false;
            result = new DecodedDescriptor(sd!, format, null, 0);
            return true;
        }
        byte[] bytes;
        bool decoded = format == DescriptorFormat.Hex
            ? BinaryText.TryDecodeHex(text, out bytes, out error)
            : BinaryText.TryDecodeBase64(text, out bytes, out error);
        if (!decoded) return false;
        if (!SecurityDescriptor.TryRead(bytes, out var descriptor, out int length, out error)) return false;
        result = new DecodedDescriptor(descriptor!, format, bytes, length);
        return true;
    }

    /// <summary>
    /// Reads icacls output (one descriptor per path: its DACL, and its mandatory label as the SACL; no owner or
    /// group) or Get-Acl Format-List output (one descriptor per object, from its <c>Sddl</c> field).
    /// </summary>
    /// <param name="text">The output as pasted.</param>
    /// <param name="format"><see cref="DescriptorFormat.Icacls"/> or <see cref="DescriptorFormat.GetAcl"/>.</param>
    /// <param name="resolver">Resolves the account names icacls printed (well-known, derived, given, domain-relative).</param>
    /// <param name="results">The descriptors, in order, each with its path.</param>
    /// <param name="error">The line, column and reason of a rejection.</param>
    public static bool TryDecodeToolOutput(string text, DescriptorFormat format, SidNameResolver resolver, out IReadOnlyList<DecodedDescriptor> results, out ParseError? error)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        results = [];
        if (format == DescriptorFormat.Icacls)
        {
            if (!IcaclsParser.TryParseWith(text, resolver, out var entries, out error)) return false;
            results = [.. entries!.Select(e => new DecodedDescriptor(e.ToDescriptor(), format, null, 0, e.Path))];
            return true;
        }
        if (format == DescriptorFormat.GetAcl)
        {
            if (!GetAclParser.TryParse(text, resolver.Context, out var records, out error)) return false;
            results = [.. records!.Select(r => new DecodedDescriptor(r.Descriptor, format, null, 0, r.ItemPath))];
            return true;
        }
        throw new ArgumentException("only icacls and Get-Acl output are tool output; use TryDecode.", nameof(format));
    }

    private static bool IsHex(ReadOnlySpan<char> t)
    {
        if (t.Length >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t = t[2..];
        if (!t.StartsWith("01", StringComparison.Ordinal)) return false;
        int digits = 0;
        foreach (char c in t)
        {
            if (char.IsWhiteSpace(c)) continue;
            if (!char.IsAsciiHexDigit(c)) return false;
            digits++;
        }
        return digits > 0;
    }

    private static bool IsBase64(ReadOnlySpan<char> t)
    {
        foreach (char c in t)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' || char.IsWhiteSpace(c))) return false;
        return true;
    }
}
