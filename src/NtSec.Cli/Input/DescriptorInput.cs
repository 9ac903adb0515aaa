using System.Buffers.Binary;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Cli.Input;

/// <summary>
/// Turns command-line text into a descriptor and a descriptor into the conversions <c>--to</c> offers, reporting
/// failures as <see cref="ParseError"/> values instead of exceptions.
/// </summary>
internal static class DescriptorInput
{
    /// <summary>
    /// Decodes one descriptor (<see cref="DescriptorText.TryDecode"/>). <see cref="InputFormat.Sddl"/>, the default
    /// when no <c>--from-*</c> option was given, means "recognise it": text that is hex, base64 or LDIF by its content
    /// (<see cref="DescriptorText.Detect"/>) is decoded as such.
    /// </summary>
    public static bool TryDecode(string text, InputFormat format, SidContext context, out DecodedDescriptor? result, out ParseError? error)
    {
        if (format == InputFormat.Sddl)
        {
            var detected = DescriptorText.Detect(text);
            if (detected is InputFormat.Hex or InputFormat.Base64) format = detected;
        }
        return DescriptorText.TryDecode(text, format, context, out result, out error);
    }

    /// <summary>
    /// The format of Windows tool output pasted as a descriptor (<see cref="InputFormat.Icacls"/> or
    /// <see cref="InputFormat.GetAcl"/>), or null when the text is neither and is read as given.
    /// </summary>
    public static InputFormat? DetectImported(string text)
    {
        var detected = DescriptorText.Detect(text);
        return DescriptorText.IsToolOutput(detected) ? detected : null;
    }

    /// <summary>Reads icacls or Get-Acl output; see <see cref="DescriptorText.TryDecodeToolOutput"/>.</summary>
    public static bool TryDecodeImported(string text, InputFormat format, SidContext context, IReadOnlyDictionary<string, Sid>? names,
        out IReadOnlyList<DecodedDescriptor> results, out ParseError? error)
        => DescriptorText.TryDecodeToolOutput(text, format, new SidNameResolver(context, names), out results, out error);

    /// <summary>The one-line form of rejected tool output: <c>error: line L, column C: reason</c>.</summary>
    public static string FormatError(ParseError error) => $"error: line {error.Line}, column {error.Column}: {error.Reason}";

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
        error = LocateInexpressibleAce(decoded, context) ?? new ParseError(ParseErrorKind.Unsupported, 0, reason ?? "SDDL cannot express this descriptor", Win32Error.InvalidParameter);
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
                    return new ParseError(ParseErrorKind.Unsupported, offset, $"{name} ACE {i}: {reason}", Win32Error.InvalidParameter);
                offset += ace.GetBinaryLength();
            }
        }
        return null;
    }
}
