using System.Globalization;

namespace NtSec.Tokens;

/// <summary>A locally unique identifier (LUID): privileges, logon sessions and token IDs are named by them.</summary>
public readonly record struct Luid(uint LowPart, int HighPart)
{
    /// <summary>The LUID as one 64-bit number.</summary>
    public long Value => ((long)HighPart << 32) | LowPart;

    /// <summary>Builds a LUID from a 64-bit number.</summary>
    public static Luid FromValue(long value) => new((uint)value, (int)(value >> 32));

    /// <summary>SYSTEM_LUID (0x3e7), the logon session of LocalSystem.</summary>
    public static Luid System { get; } = new(0x3E7, 0);

    /// <summary>ANONYMOUS_LOGON_LUID (0x3e6).</summary>
    public static Luid AnonymousLogon { get; } = new(0x3E6, 0);

    /// <summary>LOCALSERVICE_LUID (0x3e5).</summary>
    public static Luid LocalService { get; } = new(0x3E5, 0);

    /// <summary>NETWORKSERVICE_LUID (0x3e4).</summary>
    public static Luid NetworkService { get; } = new(0x3E4, 0);

    /// <summary><c>0xHIGH:0xLOW</c> as Windows tools print it, e.g. <c>0x0:0x3e7</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"0x{(uint)HighPart:x}:0x{LowPart:x}");
}
