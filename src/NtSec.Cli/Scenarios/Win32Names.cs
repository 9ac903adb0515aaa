using System.Globalization;

namespace NtSec.Cli.Scenarios;

/// <summary>The Win32 error names user32 steps report and expect.</summary>
internal static class Win32ErrorNames
{
    private static readonly (int Code, string Name)[] Names =
    [
        (0, "ERROR_SUCCESS"), (2, "ERROR_FILE_NOT_FOUND"), (5, "ERROR_ACCESS_DENIED"), (6, "ERROR_INVALID_HANDLE"),
        (87, "ERROR_INVALID_PARAMETER"), (170, "ERROR_BUSY"), (183, "ERROR_ALREADY_EXISTS"),
        (1400, "ERROR_INVALID_WINDOW_HANDLE"), (1816, "ERROR_NOT_ENOUGH_QUOTA"),
    ];

    /// <summary>The name of an error code, or the number.</summary>
    public static string Name(int code)
    {
        foreach (var (c, n) in Names)
            if (c == code) return n;
        return code.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Parses an ERROR_ name or a decimal number.</summary>
    public static bool TryParse(string text, out int code)
    {
        foreach (var (c, n) in Names)
        {
            if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase))
            {
                code = c;
                return true;
            }
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code);
    }
}

/// <summary>Window message names a scenario may use.</summary>
internal static class WindowMessages
{
    private static readonly (uint Value, string Name)[] Names =
    [
        (0x0002, "WM_DESTROY"), (0x000C, "WM_SETTEXT"), (0x000D, "WM_GETTEXT"), (0x0010, "WM_CLOSE"), (0x0012, "WM_QUIT"),
        (0x004A, "WM_COPYDATA"), (0x0100, "WM_KEYDOWN"), (0x0101, "WM_KEYUP"), (0x0102, "WM_CHAR"), (0x0111, "WM_COMMAND"),
        (0x0112, "WM_SYSCOMMAND"), (0x0113, "WM_TIMER"), (0x0201, "WM_LBUTTONDOWN"), (0x0202, "WM_LBUTTONUP"), (0x0400, "WM_USER"),
    ];

    /// <summary>The name of a message, or its hex value.</summary>
    public static string Name(uint message)
    {
        foreach (var (v, n) in Names)
            if (v == message) return n;
        return "0x" + message.ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a WM_ name or a number (0x hex or decimal).</summary>
    public static bool TryParse(string text, out uint message)
    {
        foreach (var (v, n) in Names)
        {
            if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase))
            {
                message = v;
                return true;
            }
        }
        return Authorization.AccessRightNames.TryParseNumber(text, out message);
    }
}
