using System.Buffers.Binary;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Cli.Input;

/// <summary>A descriptor as decoded from the command line, with what is needed to point back into the input.</summary>
/// <param name="Descriptor">The descriptor.</param>
/// <param name="Format">How it was written.</param>
/// <param name="Binary">For binary input, the decoded bytes; null for SDDL.</param>
/// <param name="DescriptorLength">For binary input, the extent of the descriptor in <paramref name="Binary"/>; bytes after it are ignored.</param>
/// <param name="Path">For icacls and Get-Acl output, the path the descriptor belongs to (null when Get-Acl printed none).</param>
internal sealed record DecodedDescriptor(SecurityDescriptor Descriptor, InputFormat Format, byte[]? Binary, int DescriptorLength, string? Path = null)
{
    /// <summary>Bytes after the descriptor in binary input, which Windows ignores as well.</summary>
    public int TrailingBytes => Binary is null ? 0 : Binary.Length - DescriptorLength;
}

/// <summary>
/// Turns command-line text into a descriptor and a descriptor into the conversions <c>--to</c> offers, reporting
/// failures as <see cref="ParseError"/> values instead of exceptions.
/// </summary>
internal static class DescriptorInput
{
    /// <summary>
    /// Decodes one descriptor. Positions in the error are character indexes into <paramref name="text"/> for SDDL
    /// and for hex or base64 that does not decode, and byte offsets into the decoded bytes when those bytes are not
    /// a valid self-relative descriptor.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="format"/> is icacls or Get-Acl output, which <see cref="TryDecodeImported"/> reads.</exception>
    public static bool TryDecode(string text, InputFormat format, SidContext context, out DecodedDescriptor? result, out ParseError? error)
    {
        if (format is InputFormat.Icacls or InputFormat.GetAcl) throw new ArgumentException("icacls and Get-Acl output span several lines and may hold several descriptors; use TryDecodeImported.", nameof(format));
        result = null;
        if (format == InputFormat.Sddl)
        {
            if (!SddlParser.TryParse(text, context, out var sd, out error)) return false;
            result = new DecodedDescriptor(sd!, format, null, 0);
            return true;
        }
        byte[] bytes;
        bool decoded = format == InputFormat.Hex
            ? BinaryText.TryDecodeHex(text, out bytes, out error)
            : BinaryText.TryDecodeBase64(text, out bytes, out error);
        if (!decoded) return false;
        if (!SecurityDescriptor.TryRead(bytes, out var descriptor, out int length, out error)) return false;
        result = new DecodedDescriptor(descriptor!, format, bytes, length);
        return true;
    }

    /// <summary>
    /// The format of Windows tool output pasted as a descriptor (<see cref="InputFormat.Icacls"/> or
    /// <see cref="InputFormat.GetAcl"/>), or null when the text is neither and is read as given.
    /// </summary>
    public static InputFormat? DetectImported(string text) => WindowsOutput.Detect(text) switch
    {
        WindowsOutputKind.Icacls => InputFormat.Icacls,
        WindowsOutputKind.GetAcl => InputFormat.GetAcl,
        _ => null,
    };

    /// <summary>
    /// Reads icacls output (one descriptor per path: its DACL, and its mandatory label as the SACL; no owner or
    /// group) or Get-Acl Format-List output (one descriptor per object, from its <c>Sddl</c> field).
    /// </summary>
    /// <param name="text">The output as pasted.</param>
    /// <param name="format"><see cref="InputFormat.Icacls"/> or <see cref="InputFormat.GetAcl"/>.</param>
    /// <param name="context">The domains for domain-relative SDDL aliases.</param>
    /// <param name="names">Account names icacls printed that the well-known catalogue cannot resolve.</param>
    /// <param name="results">The descriptors, in order, each with its path.</param>
    /// <param name="error">The line, column and reason of a rejection.</param>
    public static bool TryDecodeImported(string text, InputFormat format, SidContext context, IReadOnlyDictionary<string, Sid>? names,
        out IReadOnlyList<DecodedDescriptor> results, out ImportError? error)
    {
        results = [];
        if (format == InputFormat.Icacls)
        {
            if (!IcaclsParser.TryParse(text, names, out var entries, out error)) return false;
            results = [.. entries!.Select(e => new DecodedDescriptor(e.ToDescriptor(), format, null, 0, e.Path))];
            return true;
        }
        if (format == InputFormat.GetAcl)
        {
            if (!GetAclParser.TryParse(text, context, out var records, out error)) return false;
            results = [.. records!.Select(r => new DecodedDescriptor(r.Descriptor, format, null, 0, r.ItemPath))];
            return true;
        }
        throw new ArgumentException("only icacls and Get-Acl output are imported; use TryDecode.", nameof(format));
    }

    /// <summary>The one-line form of rejected tool output: <c>error: line L, column C: reason</c>.</summary>
    public static string FormatError(ImportError error) => $"error: line {error.Line}, column {error.Column}: {error.Reason}";

    /// <summary>The command-line hint for a rejection the options can fix (a name icacls printed that needs <c>--map</c>), else "".</summary>
    public static string Hint(ImportError error) => error.Reason.Contains("a name given in the map", StringComparison.Ordinal) ? " (give it with --map NAME=SID)"
        : error.Reason.Contains("no domain SID was given", StringComparison.Ordinal) ? " (give it with --domain)"
        : "";

    /// <summary>
    /// Windows' SDDL for the descriptor. Only a descriptor read from binary can fail (an ACE type or payload SDDL
    /// has no spelling for); the error then gives the byte offset of the first such ACE in the input.
    /// </summary>
    public static bool TryFormatSddl(DecodedDescriptor decoded, SidContext context, out string sddl, out ParseError? error)
    {
        if (SddlWriter.TryFormat(decoded.Descriptor, context, SecurityInformation.All, out string? text, out string? reason))
        {
            sddl = text!;
            error = null;
            return true;
        }
        sddl = "";
        error = LocateInexpressibleAce(decoded, context) ?? new ParseError(0, reason ?? "SDDL cannot express this descriptor", ParseError.ErrorInvalidParameter);
        return false;
    }

    /// <summary>The conversion <c>--to</c> asks for: <c>sddl</c>, <c>hex</c> or <c>base64</c>.</summary>
    public static bool TryConvert(DecodedDescriptor decoded, string to, SidContext context, out string output, out ParseError? error)
    {
        switch (to)
        {
            case "hex":
                output = Convert.ToHexStringLower(decoded.Descriptor.ToBinary());
                error = null;
                return true;
            case "base64":
                output = Convert.ToBase64String(decoded.Descriptor.ToBinary());
                error = null;
                return true;
            default:
                return TryFormatSddl(decoded, context, out output, out error);
        }
    }

    // SDDL is written D first, then S, so the first ACE that fails in that order is the one the writer tripped on.
    private static ParseError? LocateInexpressibleAce(DecodedDescriptor decoded, SidContext context)
    {
        var sd = decoded.Descriptor;
        foreach (var (acl, name, offsetField) in new[] { (sd.Dacl, "DACL", 16), (sd.Sacl, "SACL", 12) })
        {
            if (acl is null) continue;
            int offset = decoded.Binary is { } b ? (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offsetField)) + Acl.HeaderLength : 0;
            for (int i = 0; i < acl.Aces.Length; i++)
            {
                var ace = acl.Aces[i];
                var probe = new SecurityDescriptor(dacl: new Acl([ace], acl.Revision));
                if (!SddlWriter.TryFormat(probe, context, SecurityInformation.Dacl, out _, out string? reason))
                    return new ParseError(offset, $"{name} ACE {i}: {reason}", ParseError.ErrorInvalidParameter);
                offset += ace.GetBinaryLength();
            }
        }
        return null;
    }
}
