using NtSec.Kernel;
using Xunit;

namespace NtSec.Tests.Win32;

// Win32 error and window message names are declared once in the library; scenarios parse and render through them.
public sealed class NameTableTests
{
    [Theory]
    [InlineData(5, "ERROR_ACCESS_DENIED")]
    [InlineData(1338, "ERROR_INVALID_SECURITY_DESCR")]
    [InlineData(1804, "ERROR_INVALID_DATATYPE")]
    [InlineData(1400, "ERROR_INVALID_WINDOW_HANDLE")]
    public void Win32ErrorNamesRoundTrip(int code, string name)
    {
        Assert.Equal(name, Win32Error.Name(code));
        Assert.True(Win32Error.TryParse(name.ToLowerInvariant(), out int parsed));
        Assert.Equal(code, parsed);
    }

    [Fact]
    public void UnknownWin32ErrorIsItsNumber()
    {
        Assert.Equal("4242", Win32Error.Name(4242));
        Assert.True(Win32Error.TryParse("4242", out int n));
        Assert.Equal(4242, n);
        Assert.False(Win32Error.TryParse("ERROR_NOT_A_THING", out _));
    }

    [Fact]
    public void WindowMessageNamesRoundTrip()
    {
        Assert.Equal("WM_CLOSE", WindowMessages.Name(WindowMessages.Close));
        Assert.Equal("0x401", WindowMessages.Name(WindowMessages.User + 1));
        Assert.True(WindowMessages.TryParse("wm_timer", out uint timer));
        Assert.Equal(WindowMessages.Timer, timer);
        Assert.True(WindowMessages.TryParse("0x4A", out uint copy));
        Assert.Equal(WindowMessages.CopyData, copy);
        Assert.False(WindowMessages.TryParse("WM_NOPE", out _));
    }
}
