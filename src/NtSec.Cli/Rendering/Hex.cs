using System.Globalization;

namespace NtSec.Cli.Rendering;

/// <summary>The hexadecimal spellings the command line prints.</summary>
internal static class Hex
{
    /// <summary>An access mask as <c>0x001f01ff</c> (padded, for aligned columns) or <c>0x1f01ff</c>.</summary>
    public static string Mask(uint value, bool pad = true)
        => "0x" + value.ToString(pad ? "x8" : "x", CultureInfo.InvariantCulture);

    /// <summary>A 16-bit control word as <c>0x8414</c>.</summary>
    public static string Word(ushort value) => "0x" + value.ToString("x4", CultureInfo.InvariantCulture);

    /// <summary>Bytes as contiguous lower-case hexadecimal.</summary>
    public static string Bytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
