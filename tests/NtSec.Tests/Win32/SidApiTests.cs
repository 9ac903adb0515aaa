using System.Runtime.CompilerServices;
using NtSec.Principals;
using NtSec.Win32;

namespace NtSec.Tests.Win32;

/// <summary>CreateWellKnownSid and EqualDomainSid against what Windows does (Wine's tests that run on Windows, Microsoft's pages).</summary>
public sealed class SidApiTests
{
    // Wine's test_CreateWellKnownSid table, run on Windows: type -> SID (null: not checked there), with the
    // six-sub-authority domain it uses for the account types.
    private static readonly Sid WineDomain = Sid.Parse("S-1-5-21-12-23-34-45-56");

    private static readonly string?[] Observed =
    [
        "S-1-0-0", "S-1-1-0", "S-1-2-0", "S-1-3-0", "S-1-3-1", "S-1-3-2", "S-1-3-3", "S-1-5",
        "S-1-5-1", "S-1-5-2", "S-1-5-3", "S-1-5-4", "S-1-5-6", "S-1-5-7", "S-1-5-8", "S-1-5-9",
        "S-1-5-10", "S-1-5-11", "S-1-5-12", "S-1-5-13", "S-1-5-14", null, "S-1-5-18", "S-1-5-19",
        "S-1-5-20", "S-1-5-32", "S-1-5-32-544", "S-1-5-32-545", "S-1-5-32-546", "S-1-5-32-547", "S-1-5-32-548", "S-1-5-32-549",
        "S-1-5-32-550", "S-1-5-32-551", "S-1-5-32-552", "S-1-5-32-554", "S-1-5-32-555", "S-1-5-32-556",
        "S-1-5-21-12-23-34-45-56-500", "S-1-5-21-12-23-34-45-56-501", "S-1-5-21-12-23-34-45-56-502", "S-1-5-21-12-23-34-45-56-512",
        "S-1-5-21-12-23-34-45-56-513", "S-1-5-21-12-23-34-45-56-514", "S-1-5-21-12-23-34-45-56-515", "S-1-5-21-12-23-34-45-56-516",
        "S-1-5-21-12-23-34-45-56-517", "S-1-5-21-12-23-34-45-56-518", "S-1-5-21-12-23-34-45-56-519", "S-1-5-21-12-23-34-45-56-520",
        "S-1-5-21-12-23-34-45-56-553", "S-1-5-64-10", "S-1-5-64-21", "S-1-5-64-14", "S-1-5-15", "S-1-5-1000", "S-1-5-32-557",
        "S-1-5-32-558", "S-1-5-32-559", "S-1-5-32-560", "S-1-5-32-561", "S-1-5-32-562", "S-1-5-32-568",
        "S-1-5-17", "S-1-5-32-569", "S-1-16-0", "S-1-16-4096", "S-1-16-8192", "S-1-16-12288", "S-1-16-16384", "S-1-5-33", "S-1-3-4",
        "S-1-5-21-12-23-34-45-56-571", "S-1-5-21-12-23-34-45-56-572", "S-1-5-22", "S-1-5-21-12-23-34-45-56-521", "S-1-5-32-573",
        "S-1-5-21-12-23-34-45-56-498", "S-1-5-32-574", "S-1-16-8448", null, "S-1-2-1", "S-1-5-65-1", null, "S-1-15-2-1",
    ];

    [Fact]
    public void EveryObservedType_MakesWindowsSid_WithTheSizeProtocol()
    {
        for (int i = 0; i < Observed.Length; i++)
        {
            if (Observed[i] is not { } expected) continue;
            var type = (WellKnownSidType)i;
            var length = new StrongBox<int>(0);
            Assert.False(Advapi32.CreateWellKnownSid(type, WineDomain, null, length));
            Assert.Equal(Win32Error.InsufficientBuffer, Win32Error.GetLastError());
            var sid = Sid.Parse(expected == "S-1-5" ? "S-1-5-0" : expected);
            int needed = expected == "S-1-5" ? 8 : sid.BinaryLength;
            Assert.Equal(needed, length.Value);
            // The right length and no buffer: ERROR_INVALID_PARAMETER.
            Assert.False(Advapi32.CreateWellKnownSid(type, WineDomain, null, length));
            Assert.Equal(Win32Error.InvalidParameter, Win32Error.GetLastError());
            var buffer = new byte[68];
            length.Value = buffer.Length;
            Assert.True(Advapi32.CreateWellKnownSid(type, WineDomain, buffer, length), $"type {i}");
            Assert.Equal(needed, length.Value);
            Assert.Equal(Win32Error.Success, Win32Error.GetLastError());
            var made = Sid.FromBinary(buffer.AsSpan(0, needed));
            Assert.Equal(expected, made.ToString());
        }
    }

    [Fact]
    public void NonDomainTypes_IgnoreTheDomain_AccountTypes_NeedOne()
    {
        Assert.True(Advapi32.CreateWellKnownSid(WellKnownSidType.WinInteractiveSid, WineDomain, out var a));
        Assert.True(Advapi32.CreateWellKnownSid(WellKnownSidType.WinInteractiveSid, null, out var b));
        Assert.Equal(a, b);
        // No domain and no machine domain: nothing to append the RID to.
        Assert.False(Advapi32.CreateWellKnownSid(WellKnownSidType.WinAccountDomainAdminsSid, null, out _));
        Assert.Equal(Win32Error.InvalidParameter, Win32Error.GetLastError());
        // NULL means the local computer's account domain, as on Windows.
        var machine = new SidContext(MachineDomain: Sid.Parse("S-1-5-21-1-2-3"));
        Assert.True(Advapi32.CreateWellKnownSid(WellKnownSidType.WinAccountAdministratorSid, null, out var admin, machine));
        Assert.Equal("S-1-5-21-1-2-3-500", admin.ToString());
        // A domain of 15 sub-authorities has no room for the RID.
        var full = Sid.Create(5, 21, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
        Assert.False(Advapi32.CreateWellKnownSid(WellKnownSidType.WinAccountGuestSid, full, out _));
        Assert.Equal(Win32Error.InvalidParameter, Win32Error.GetLastError());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(120)]
    [InlineData(21)] // WinLogonIdsSid: a logon session's SID
    [InlineData(108)]
    public void UnknownOrUnmadeTypes_AreInvalidParameter(int type)
    {
        var length = new StrongBox<int>(68);
        Assert.False(Advapi32.CreateWellKnownSid((WellKnownSidType)type, WineDomain, new byte[68], length));
        Assert.Equal(Win32Error.InvalidParameter, Win32Error.GetLastError());
        Assert.False(Advapi32.CreateWellKnownSid(WellKnownSidType.WinWorldSid, null, new byte[68], null));
        Assert.Equal(Win32Error.InvalidParameter, Win32Error.GetLastError());
    }

    [Fact]
    public void TheTableHasOneRowPerType_InOrder()
    {
        Assert.Equal(120, WellKnownSidTypes.Table.Count);
        for (int i = 0; i < 120; i++) Assert.Equal((WellKnownSidType)i, WellKnownSidTypes.Table[i].Type);
        Assert.Equal(Enum.GetValues<WellKnownSidType>().Length, WellKnownSidTypes.Table.Count);
    }

    [Theory]
    [InlineData("S-1-5-21-1-2-3-500", "S-1-5-21-1-2-3-513", true)]
    [InlineData("S-1-5-21-1-2-3", "S-1-5-21-1-2-3-1001", true)]
    [InlineData("S-1-5-21-1-2-3-500", "S-1-5-21-1-2-4-500", false)]
    [InlineData("S-1-5-32-544", "S-1-5-32-545", true)]
    [InlineData("S-1-5-32", "S-1-5-32-545", true)]
    [InlineData("S-1-5-32-544", "S-1-5-21-1-2-3-544", false)]
    public void EqualDomainSid_ComparesTheDomainPart(string a, string b, bool equal)
    {
        Assert.True(Advapi32.EqualDomainSid(Sid.Parse(a), Sid.Parse(b), out bool result));
        Assert.Equal(equal, result);
        Assert.Equal(Win32Error.Success, Win32Error.GetLastError());
    }

    [Theory]
    [InlineData("S-1-1-0")]
    [InlineData("S-1-5-18")]
    [InlineData("S-1-5-21-1-2")]
    [InlineData("S-1-16-8192")]
    [InlineData("S-1-2-21-1-2-3-500")]
    public void EqualDomainSid_ANonDomainSid_IsErrorNonDomainSid(string other)
    {
        var box = new StrongBox<bool>(true);
        Assert.False(Advapi32.EqualDomainSid(Sid.Parse("S-1-5-21-1-2-3-500"), Sid.Parse(other), box));
        Assert.Equal(Win32Error.NonDomainSid, Win32Error.GetLastError());
        Assert.False(Advapi32.EqualDomainSid(Sid.Parse(other), Sid.Parse("S-1-5-32-544"), out _));
        Assert.Equal(Win32Error.NonDomainSid, Win32Error.GetLastError());
    }

    [Fact]
    public void EqualDomainSid_InvalidArguments()
    {
        Assert.False(Advapi32.EqualDomainSid(default, Sid.Parse("S-1-5-32-544"), out _));
        Assert.Equal(Win32Error.InvalidSid, Win32Error.GetLastError());
        Assert.False(Advapi32.EqualDomainSid(Sid.Parse("S-1-5-32-544"), Sid.Parse("S-1-5-32-545"), null));
        Assert.Equal(Win32Error.InvalidParameter, Win32Error.GetLastError());
    }
}
