using NtSec.Principals;

namespace NtSec.Tests.Principals;

/// <summary>The well-known SID table: what CreateWellKnownSid makes of each type, and the catalogue's named constants.</summary>
public sealed class WellKnownSidTableTests
{
    // What WellKnownSidTypes.TryGet gave for every WELL_KNOWN_SID_TYPE before the catalogue and the type table became
    // one table (captured from the old WellKnownSidTypes.Build): a fixed SID, "+RID" for a SID relative to the
    // account domain, null for a type NtSec does not make. Indexed by the type's value.
    private static readonly string?[] MadeBefore =
    [
        "S-1-0-0", "S-1-1-0", "S-1-2-0", "S-1-3-0", "S-1-3-1", "S-1-3-2", "S-1-3-3", "S-1-5", "S-1-5-1", "S-1-5-2",
        "S-1-5-3", "S-1-5-4", "S-1-5-6", "S-1-5-7", "S-1-5-8", "S-1-5-9", "S-1-5-10", "S-1-5-11", "S-1-5-12", "S-1-5-13",
        "S-1-5-14", null, "S-1-5-18", "S-1-5-19", "S-1-5-20", "S-1-5-32", "S-1-5-32-544", "S-1-5-32-545", "S-1-5-32-546", "S-1-5-32-547",
        "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-550", "S-1-5-32-551", "S-1-5-32-552", "S-1-5-32-554", "S-1-5-32-555", "S-1-5-32-556", "+500", "+501",
        "+502", "+512", "+513", "+514", "+515", "+516", "+517", "+518", "+519", "+520",
        "+553", "S-1-5-64-10", "S-1-5-64-21", "S-1-5-64-14", "S-1-5-15", "S-1-5-1000", "S-1-5-32-557", "S-1-5-32-558", "S-1-5-32-559", "S-1-5-32-560",
        "S-1-5-32-561", "S-1-5-32-562", "S-1-5-32-568", "S-1-5-17", "S-1-5-32-569", "S-1-16-0", "S-1-16-4096", "S-1-16-8192", "S-1-16-12288", "S-1-16-16384",
        "S-1-5-33", "S-1-3-4", "+571", "+572", "S-1-5-22", "+521", "S-1-5-32-573", "+498", "S-1-5-32-574", "S-1-16-8448",
        null, "S-1-2-1", "S-1-5-65-1", null, "S-1-15-2-1", "S-1-15-3-1", "S-1-15-3-2", "S-1-15-3-3", "S-1-15-3-4", "S-1-15-3-5",
        "S-1-15-3-6", "S-1-15-3-7", "S-1-15-3-9", "S-1-15-3-8", "S-1-15-3-10", "S-1-5-32-575", "S-1-5-32-576", "S-1-5-32-577", "S-1-5-84-0-0-0-0-0", "S-1-5-32-578",
        "+522", "S-1-5-32-579", "S-1-5-32-580", "S-1-18-1", "S-1-18-2", "S-1-5-113", "S-1-5-114", "+525", null, null,
        "+503", "S-1-5-32-581", "S-1-5-32-582", "+526", "+527", "S-1-18-4", "S-1-18-5", "S-1-18-6", "S-1-18-3", "S-1-5-32-583",
    ];

    [Fact]
    public void TryGet_MakesForEveryType_WhatItMadeBefore()
    {
        Assert.Equal(Enum.GetValues<WellKnownSidType>().Length, MadeBefore.Length);
        for (int i = 0; i < MadeBefore.Length; i++)
        {
            Assert.True(WellKnownSidTypes.TryGet((WellKnownSidType)i, out var fixedSid, out var rid), $"type {i}");
            Assert.False(fixedSid is not null && rid is not null, $"type {i} has both a fixed SID and a RID");
            string? made = fixedSid is { } f ? f.ToString() : rid is { } r ? "+" + r : null;
            Assert.True(MadeBefore[i] == made, $"type {(WellKnownSidType)i} ({i}): {made ?? "not made"}, before {MadeBefore[i] ?? "not made"}");
        }
        Assert.False(WellKnownSidTypes.TryGet((WellKnownSidType)MadeBefore.Length, out _, out _));
        Assert.False(WellKnownSidTypes.TryGet((WellKnownSidType)(-1), out _, out _));
    }
}
