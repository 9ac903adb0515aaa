using NtSec.Principals;

namespace NtSec.Sddl;

/// <summary>Conditional ACE expressions: SDDL text to the binary application data of a callback ACE and back.</summary>
public static class ConditionalExpressions
{
    /// <summary>Compiles "(...)" (outer parentheses included) to "artx" + byte code, padded to 4 bytes.</summary>
    public static bool TryCompile(ReadOnlySpan<char> text, int basePosition, SidContext? context, out byte[] applicationData, out ParseError? error)
    {
        applicationData = [];
        error = new ParseError(basePosition, "conditional expressions are not supported yet", ParseError.ErrorInvalidAcl);
        return false;
    }

    /// <summary>Decompiles application data to "(...)" as Windows writes it.</summary>
    public static bool TryDecompile(ReadOnlySpan<byte> applicationData, SidContext? context, out string text)
    {
        text = "";
        return false;
    }
}
