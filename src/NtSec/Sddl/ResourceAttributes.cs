using NtSec.Principals;

namespace NtSec.Sddl;

/// <summary>Resource attribute ACE payloads: SDDL "(\"name\",TI,0x0,1,2)" to CLAIM_SECURITY_ATTRIBUTE_RELATIVE_V1 and back.</summary>
public static class ResourceAttributes
{
    /// <summary>Parses "(...)" (outer parentheses included).</summary>
    public static bool TryParseSddl(ReadOnlySpan<char> text, int basePosition, SidContext? context, out byte[] applicationData, out ParseError? error)
    {
        applicationData = [];
        error = new ParseError(basePosition, "resource attributes are not supported yet", ParseError.ErrorInvalidAcl);
        return false;
    }

    /// <summary>Formats application data as "(...)".</summary>
    public static bool TryFormatSddl(ReadOnlySpan<byte> applicationData, SidContext? context, out string text)
    {
        text = "";
        return false;
    }
}
