using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NtSec.Principals;
using NtSec.Sddl;

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

    // The named constants and the SIDs they held when each was a field initialiser of its own (captured before the
    // refactor), so that a row binding the wrong constant fails here.
    private static readonly (string Name, string Sid)[] NamedBefore =
    [
        (nameof(WellKnownSids.Null), "S-1-0-0"), (nameof(WellKnownSids.World), "S-1-1-0"), (nameof(WellKnownSids.Local), "S-1-2-0"),
        (nameof(WellKnownSids.ConsoleLogon), "S-1-2-1"), (nameof(WellKnownSids.CreatorOwner), "S-1-3-0"), (nameof(WellKnownSids.CreatorGroup), "S-1-3-1"),
        (nameof(WellKnownSids.CreatorOwnerServer), "S-1-3-2"), (nameof(WellKnownSids.CreatorGroupServer), "S-1-3-3"), (nameof(WellKnownSids.OwnerRights), "S-1-3-4"),
        (nameof(WellKnownSids.Dialup), "S-1-5-1"), (nameof(WellKnownSids.Network), "S-1-5-2"), (nameof(WellKnownSids.Batch), "S-1-5-3"),
        (nameof(WellKnownSids.Interactive), "S-1-5-4"), (nameof(WellKnownSids.Service), "S-1-5-6"), (nameof(WellKnownSids.Anonymous), "S-1-5-7"),
        (nameof(WellKnownSids.Proxy), "S-1-5-8"), (nameof(WellKnownSids.EnterpriseControllers), "S-1-5-9"), (nameof(WellKnownSids.PrincipalSelf), "S-1-5-10"),
        (nameof(WellKnownSids.AuthenticatedUsers), "S-1-5-11"), (nameof(WellKnownSids.Restricted), "S-1-5-12"), (nameof(WellKnownSids.TerminalServerUser), "S-1-5-13"),
        (nameof(WellKnownSids.RemoteInteractiveLogon), "S-1-5-14"), (nameof(WellKnownSids.ThisOrganization), "S-1-5-15"), (nameof(WellKnownSids.Iusr), "S-1-5-17"),
        (nameof(WellKnownSids.LocalSystem), "S-1-5-18"), (nameof(WellKnownSids.LocalService), "S-1-5-19"), (nameof(WellKnownSids.NetworkService), "S-1-5-20"),
        (nameof(WellKnownSids.BuiltinAdministrators), "S-1-5-32-544"), (nameof(WellKnownSids.BuiltinUsers), "S-1-5-32-545"), (nameof(WellKnownSids.BuiltinGuests), "S-1-5-32-546"),
        (nameof(WellKnownSids.WriteRestricted), "S-1-5-33"), (nameof(WellKnownSids.NtlmAuthentication), "S-1-5-64-10"), (nameof(WellKnownSids.LocalAccount), "S-1-5-113"),
        (nameof(WellKnownSids.LocalAccountAndAdministrator), "S-1-5-114"), (nameof(WellKnownSids.AllApplicationPackages), "S-1-15-2-1"), (nameof(WellKnownSids.AllRestrictedApplicationPackages), "S-1-15-2-2"),
        (nameof(WellKnownSids.UntrustedIntegrity), "S-1-16-0"), (nameof(WellKnownSids.LowIntegrity), "S-1-16-4096"), (nameof(WellKnownSids.MediumIntegrity), "S-1-16-8192"),
        (nameof(WellKnownSids.MediumPlusIntegrity), "S-1-16-8448"), (nameof(WellKnownSids.HighIntegrity), "S-1-16-12288"), (nameof(WellKnownSids.SystemIntegrity), "S-1-16-16384"),
        (nameof(WellKnownSids.ProtectedProcessIntegrity), "S-1-16-20480"),
    ];

    [Fact]
    public void NamedConstants_AreSet_HoldWhatTheyHeld_AndAreTheirRowsInstances()
    {
        var fields = typeof(WellKnownSids).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(Sid)).ToList();
        Assert.Equal(NamedBefore.Select(n => n.Name).Order(StringComparer.Ordinal), fields.Select(f => f.Name).Order(StringComparer.Ordinal));
        foreach (var (name, expected) in NamedBefore)
        {
            var sid = (Sid)fields.Single(f => f.Name == name).GetValue(null)!;
            // A constant read before its row assigned it would be default(Sid).
            Assert.False(sid.IsDefault, name);
            Assert.Equal(expected, sid.ToString());
            var row = WellKnownSids.Lookup(sid);
            Assert.NotNull(row);
            Assert.True(Same(row.ConstantSid, sid), $"{name} is not its row's instance");
            Assert.True(Same(WellKnownSids.Canonical(Sid.Parse(expected)), sid), $"{name} is not the canonical instance");
            if (row.Alias is { } alias)
            {
                Assert.True(SddlSidAliases.TryResolve(alias, null, out var viaAlias, out _), alias);
                Assert.True(Same(viaAlias, sid), $"{alias} does not give {name}'s instance");
            }
        }
    }

    [Fact]
    public void TheCatalogue_StatesEachSidAndEachTypeOnce()
    {
        var constants = WellKnownSids.All.Where(e => e.Scope == SidScope.Constant).ToList();
        Assert.All(constants, e => Assert.False(e.ConstantSid.IsDefault));
        Assert.Equal(constants.Count, constants.Select(e => e.ConstantSid).Distinct().Count());
        var relative = WellKnownSids.All.Where(e => e.Scope != SidScope.Constant).ToList();
        Assert.All(relative, e => Assert.True(e.ConstantSid.IsDefault));
        Assert.Equal(relative.Count, relative.Select(e => e.Rid).Distinct().Count());
        var typed = WellKnownSids.All.Where(e => e.Type is not null).ToList();
        Assert.Equal(typed.Count, typed.Select(e => e.Type).Distinct().Count());
        Assert.All(typed, e => Assert.True(Enum.IsDefined(e.Type!.Value)));
        var aliased = WellKnownSids.All.Where(e => e.Alias is not null).Select(e => e.Alias!.ToUpperInvariant()).ToList();
        Assert.Equal(aliased.Count, aliased.Distinct().Count());
    }

    [Fact]
    public void TryGet_GivesTheCataloguesInstance()
    {
        foreach (var e in WellKnownSids.All)
        {
            if (e.Type is not { } type) continue;
            Assert.True(WellKnownSidTypes.TryGet(type, out var fixedSid, out var rid));
            if (e.Scope == SidScope.Constant)
            {
                Assert.Null(rid);
                Assert.True(Same(fixedSid!.Value, e.ConstantSid), type.ToString());
            }
            else
            {
                Assert.Null(fixedSid);
                Assert.Equal(e.Rid, rid);
            }
        }
    }

    [Theory]
    [InlineData("S-1-5", "NT Pseudo Domain\\NT Pseudo Domain")]
    [InlineData("S-1-5-32", "BUILTIN\\BUILTIN")]
    [InlineData("S-1-5-22", "NT AUTHORITY\\ENTERPRISE READ-ONLY DOMAIN CONTROLLERS BETA")]
    [InlineData("S-1-5-32-581", "BUILTIN\\System Managed Accounts Group")]
    [InlineData("S-1-5-32-582", "BUILTIN\\Storage Replica Administrators")]
    [InlineData("S-1-5-21-1-2-3-502", "krbtgt")]
    [InlineData("S-1-5-21-1-2-3-521", "Read-only Domain Controllers")]
    [InlineData("S-1-5-21-1-2-3-571", "Allowed RODC Password Replication Group")]
    [InlineData("S-1-5-21-1-2-3-572", "Denied RODC Password Replication Group")]
    [InlineData("S-1-5-21-7-8-9-503", "DefaultAccount")]
    public void RowsAddedForCreateWellKnownSid_HaveWindowsNames(string sid, string name)
    {
        var context = new SidContext(Domain: Sid.Parse("S-1-5-21-1-2-3"), MachineDomain: Sid.Parse("S-1-5-21-7-8-9"));
        // S-1-5 has no sub-authority, which Sid.Parse does not accept.
        var value = sid == "S-1-5" ? Sid.Create(5) : Sid.Parse(sid);
        Assert.Equal(name, WellKnownSids.GetAccountName(value, context));
    }

    [Theory]
    [InlineData("S-1-18-3")]
    [InlineData("S-1-18-4")]
    [InlineData("S-1-18-5")]
    [InlineData("S-1-18-6")]
    public void RowsWithoutAKnownName_StayUnnamed(string text)
    {
        var sid = Sid.Parse(text);
        Assert.NotNull(WellKnownSids.Lookup(sid)?.Type);
        Assert.Null(WellKnownSids.GetAccountName(sid));
        Assert.DoesNotContain(WellKnownSids.All, e => e.Name is null && e.AccountName is not null);
    }

    // Two SIDs are one instance when their binary forms are the same memory.
    private static bool Same(Sid a, Sid b)
        => Unsafe.AreSame(ref MemoryMarshal.GetReference(a.BinaryForm), ref MemoryMarshal.GetReference(b.BinaryForm));
}
