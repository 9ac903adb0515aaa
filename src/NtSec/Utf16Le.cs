using System.Buffers.Binary;

namespace NtSec;

/// <summary>
/// UTF-16LE code units to and from strings, one for one. Names and values in ACEs are arbitrary 16-bit units;
/// <see cref="System.Text.Encoding.Unicode"/> would replace an unpaired surrogate with U+FFFD and so change the
/// bytes of a round trip.
/// </summary>
internal static class Utf16Le
{
    /// <summary>Decodes <paramref name="bytes"/> (an even number of them) code unit by code unit.</summary>
    public static string GetString(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length / 2, bytes.ToArray(), static (chars, source) =>
        {
            for (int i = 0; i < chars.Length; i++) chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(source.AsSpan(2 * i));
        });
    }

    /// <summary>Writes the code units of <paramref name="value"/> and returns the number of bytes written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<char> value)
    {
        for (int i = 0; i < value.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], value[i]);
        return 2 * value.Length;
    }
}
