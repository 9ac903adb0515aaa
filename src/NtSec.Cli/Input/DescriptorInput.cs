using System.Buffers.Binary;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Cli.Input;

/// <summary>A descriptor as decoded from the command line, with what is needed to point back into the input.</summary>
/// <param name="Descriptor">The descriptor.</param>
/// <param name="Format">How it was written.</param>
/// <param name="Binary">For binary input, the decoded bytes; null for SDDL.</param>
/// <param name="DescriptorLength">For binary input, the extent of the descriptor in <paramref name="Binary"/>; bytes after it are ignored.</param>
public sealed record DecodedDescriptor(SecurityDescriptor Descriptor, InputFormat Format, byte[]? Binary, int DescriptorLength)
{
    /// <summary>Bytes after the descriptor in binary input, which Windows ignores as well.</summary>
    public int TrailingBytes => Binary is null ? 0 : Binary.Length - DescriptorLength;
}

/// <summary>
/// Turns command-line text into a descriptor and a descriptor into the conversions <c>--to</c> offers, reporting
/// failures as <see cref="ParseError"/> values instead of exceptions.
/// </summary>
public static class DescriptorInput
{
    /// <summary>
    /// Decodes one descriptor. Positions in the error are character indexes into <paramref name="text"/> for SDDL
    /// and for hex or base64 that does not decode, and byte offsets into the decoded bytes when those bytes are not
    /// a valid self-relative descriptor.
    /// </summary>
    public static bool TryDecode(string text, InputFormat format, SidContext context, out DecodedDescriptor? result, out ParseError? error)
    {
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
