namespace NtSec.Tests;

/// <summary>The one walk from a mask to names: table order, one hexadecimal remainder, all-bits or any-bit entries.</summary>
public sealed class BitNamesTests
{
    // Out of bit order on purpose, with a two-bit entry and a bit (0x8) no entry names.
    private static readonly (string Name, uint Bits)[] Table = [("Four", 0x4), ("One", 0x1), ("Pair", 0x30), ("Zero", 0)];

    [Fact]
    public void NamesComeInTableOrder_ThenTheRemainderInLowerCaseHex()
    {
        Assert.Equal(["Four", "One", "Pair", "0xa08"], BitNames.Of(0xa3d, Table));
    }

    [Fact]
    public void AnEntryOfSeveralBits_NeedsAllOfThemOnlyWhenAsked()
    {
        Assert.Equal(["Pair"], BitNames.Of(0x10, Table));
        Assert.Equal(["0x10"], BitNames.Of(0x10, Table, requireAllBits: true));
        Assert.Equal(["Pair"], BitNames.Of(0x30, Table, requireAllBits: true));
    }

    [Fact]
    public void ZeroIsAnEmptyList_AndAnEntryOfNoBitsIsNeverNamed()
    {
        Assert.Empty(BitNames.Of(0, Table));
        Assert.Empty(BitNames.Of(0, Table, requireAllBits: true));
        Assert.Equal(["One"], BitNames.Of(0x1, Table, requireAllBits: true));
    }

    [Fact]
    public void AppendNames_KeepsWhatTheListHeld_AndReturnsTheUnnamedBitsForTheNextTable()
    {
        var names = new List<string> { "first" };
        uint rest = BitNames.AppendNames(names, 0x8000_0015, Table);
        Assert.Equal(0x8000_0000u, rest);
        Assert.Equal(["first", "Four", "One", "Pair"], names);
        BitNames.Append(names, rest, [("High", 0x8000_0000)]);
        Assert.Equal(["first", "Four", "One", "Pair", "High"], names);
    }

    [Fact]
    public void ABitTwoEntriesShare_IsNamedOnceByTheFirst()
    {
        (string Name, uint Bits)[] overlapping = [("Both", 0x3), ("Low", 0x1), ("High", 0x2)];
        Assert.Equal(["Both"], BitNames.Of(0x3, overlapping, requireAllBits: true));
        Assert.Equal(["Low", "High"], BitNames.Of(0x3, overlapping[1..]));
        Assert.Equal(["Low", "0x4"], BitNames.Of(0x5, overlapping, requireAllBits: true));
    }
}
