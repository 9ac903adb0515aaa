using System.Globalization;

namespace NtSec;

/// <summary>
/// An ACCESS_MASK (MS-DTYP 2.4.3): object-specific rights in bits 0-15, standard rights in 16-20,
/// ACCESS_SYSTEM_SECURITY, MAXIMUM_ALLOWED and the four generic rights.
/// </summary>
public readonly record struct AccessMask(uint Value)
{
    /// <summary>DELETE.</summary>
    public const uint Delete = 0x0001_0000;
    /// <summary>READ_CONTROL.</summary>
    public const uint ReadControl = 0x0002_0000;
    /// <summary>WRITE_DAC.</summary>
    public const uint WriteDac = 0x0004_0000;
    /// <summary>WRITE_OWNER.</summary>
    public const uint WriteOwner = 0x0008_0000;
    /// <summary>SYNCHRONIZE.</summary>
    public const uint Synchronize = 0x0010_0000;
    /// <summary>STANDARD_RIGHTS_REQUIRED: DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER.</summary>
    public const uint StandardRightsRequired = 0x000F_0000;
    /// <summary>STANDARD_RIGHTS_ALL.</summary>
    public const uint StandardRightsAll = 0x001F_0000;
    /// <summary>STANDARD_RIGHTS_READ, _WRITE and _EXECUTE are all READ_CONTROL.</summary>
    public const uint StandardRightsRead = ReadControl;
    /// <summary>SPECIFIC_RIGHTS_ALL.</summary>
    public const uint SpecificRightsAll = 0x0000_FFFF;
    /// <summary>ACCESS_SYSTEM_SECURITY: read or write the SACL; granted only through SeSecurityPrivilege.</summary>
    public const uint AccessSystemSecurity = 0x0100_0000;
    /// <summary>MAXIMUM_ALLOWED.</summary>
    public const uint MaximumAllowed = 0x0200_0000;
    /// <summary>GENERIC_ALL.</summary>
    public const uint GenericAll = 0x1000_0000;
    /// <summary>GENERIC_EXECUTE.</summary>
    public const uint GenericExecute = 0x2000_0000;
    /// <summary>GENERIC_WRITE.</summary>
    public const uint GenericWrite = 0x4000_0000;
    /// <summary>GENERIC_READ.</summary>
    public const uint GenericRead = 0x8000_0000;
    /// <summary>All four generic bits.</summary>
    public const uint GenericMask = 0xF000_0000;

    /// <summary>True when any bit of <paramref name="bits"/> is set.</summary>
    public bool HasAny(uint bits) => (Value & bits) != 0;

    /// <summary>True when every bit of <paramref name="bits"/> is set.</summary>
    public bool HasAll(uint bits) => (Value & bits) == bits;

    /// <summary>True when no bit is set.</summary>
    public bool IsEmpty => Value == 0;

    /// <summary>Lower-case hexadecimal with 0x, as Windows prints masks (<c>0x1200a9</c>).</summary>
    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Parses a number: 0x hexadecimal or decimal.</summary>
    public static bool TryParseNumber(string text, out uint value)
    {
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Converts from the raw value.</summary>
    public static implicit operator AccessMask(uint value) => new(value);

    /// <summary>Converts to the raw value.</summary>
    public static implicit operator uint(AccessMask mask) => mask.Value;

    /// <summary>Bitwise or.</summary>
    public static AccessMask operator |(AccessMask a, AccessMask b) => new(a.Value | b.Value);

    /// <summary>Bitwise and.</summary>
    public static AccessMask operator &(AccessMask a, AccessMask b) => new(a.Value & b.Value);

    /// <summary>Bitwise complement.</summary>
    public static AccessMask operator ~(AccessMask a) => new(~a.Value);
}

/// <summary>
/// GENERIC_MAPPING: what GENERIC_READ, GENERIC_WRITE, GENERIC_EXECUTE and GENERIC_ALL mean for one object type.
/// </summary>
public readonly record struct GenericMapping(uint GenericRead, uint GenericWrite, uint GenericExecute, uint GenericAll)
{
    /// <summary>
    /// Replaces each generic bit by its mapping, as <c>MapGenericMask</c> does: the generic bits are cleared
    /// and their specific and standard equivalents set.
    /// </summary>
    public uint Map(uint mask)
    {
        uint result = mask & ~AccessMask.GenericMask;
        if ((mask & AccessMask.GenericRead) != 0) result |= GenericRead;
        if ((mask & AccessMask.GenericWrite) != 0) result |= GenericWrite;
        if ((mask & AccessMask.GenericExecute) != 0) result |= GenericExecute;
        if ((mask & AccessMask.GenericAll) != 0) result |= GenericAll;
        return result;
    }

    /// <summary>R,W,X,A as four hexadecimal masks, the form the command line takes.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"0x{GenericRead:x},0x{GenericWrite:x},0x{GenericExecute:x},0x{GenericAll:x}");

    /// <summary>Parses <c>R,W,X,A</c>: four masks in hexadecimal (0x...) or decimal.</summary>
    public static bool TryParse(string text, out GenericMapping mapping)
    {
        mapping = default;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 4) return false;
        Span<uint> v = stackalloc uint[4];
        for (int i = 0; i < 4; i++)
            if (!AccessMask.TryParseNumber(parts[i], out v[i])) return false;
        mapping = new GenericMapping(v[0], v[1], v[2], v[3]);
        return true;
    }
}
