using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Principals;

public sealed class SidTests
{
    [Theory]
    [InlineData("S-1-5-18", "S-1-5-18")]
    [InlineData("s-1-5-32-544", "S-1-5-32-544")]
    [InlineData("S-1-0x1-2", "S-1-1-2")]
    [InlineData("S-1-4294967296-1", "S-1-0x100000000-1")]
    [InlineData("S-1-0xFFFFFFFFFFFF-1", "S-1-0xFFFFFFFFFFFF-1")]
    [InlineData("S-1-5-99999999999", "S-1-5-4294967295")]
    [InlineData("S-0x1-a-10", "S-1-10-16")]
    public void ParsesWithWindowsLeniencyAndFormatsCanonically(string text, string canonical)
    {
        Assert.True(Sid.TryParse(text, out var sid, out var error), error?.ToString());
        Assert.Equal(canonical, sid.ToString());
        Assert.Equal(sid, Sid.Parse(sid.ToString()));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("S-1", 3)]
    [InlineData("S-1-5", 5)]
    [InlineData("S-2-5-18", 2)]
    [InlineData("S-1-0x1000000000000-1", 4)]
    [InlineData("S-1-5-18-", 9)]
    [InlineData("S-1-5-18x", 8)]
    [InlineData("S-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1", 35)]
    public void RejectsWithPosition(string text, int position)
    {
        Assert.False(Sid.TryParse(text, out _, out var error));
        Assert.Equal(position, error!.Position);
        Assert.Equal(Win32Error.InvalidSid, error.Win32Error);
        Assert.False(string.IsNullOrEmpty(error.Reason));
    }

    [Fact]
    public void BinaryFormRoundTripsAndValidates()
    {
        var sid = Sid.Parse("S-1-5-21-1-2-3-1001");
        Assert.Equal(8 + (4 * 5), sid.BinaryLength);
        var buffer = new byte[40];
        Assert.True(sid.TryWrite(buffer, out int n));
        Assert.True(Sid.TryRead(buffer, out var back, out int read, out _));
        Assert.Equal(n, read);
        Assert.Equal(sid, back);
        Assert.Equal(sid.GetHashCode(), back.GetHashCode());

        buffer[0] = 2;
        Assert.False(Sid.TryRead(buffer, out _, out _, out var error));
        Assert.Contains("revision", error!.Reason);
        buffer[0] = 1;
        buffer[1] = 16;
        Assert.False(Sid.TryRead(buffer, out _, out _, out error));
        Assert.Equal(1, error!.Position);
        Assert.False(Sid.TryRead(buffer.AsSpan(0, 7), out _, out _, out _));
    }

    [Fact]
    public void DomainHelpers()
    {
        var domain = Sid.Parse("S-1-5-21-1-2-3");
        var admin = domain.Append(500);
        Assert.Equal("S-1-5-21-1-2-3-500", admin.ToString());
        Assert.True(admin.IsInDomain(domain));
        Assert.False(domain.IsInDomain(domain));
        Assert.Equal(domain, admin.Parent());
        Assert.Equal(500u, admin.Rid);
        Assert.True(default(Sid).IsDefault);
        Assert.NotEqual(default, admin);
    }

    [Theory]
    [InlineData("DA", "S-1-5-21-1-2-3-512")]
    [InlineData("du", "S-1-5-21-1-2-3-513")]
    [InlineData("EA", "S-1-5-21-9-9-9-519")]
    [InlineData("LA", "S-1-5-21-7-7-7-500")]
    [InlineData("RS", "S-1-5-21-1-2-3-553")]
    public void DomainRelativeAliasesResolveAndReAlias(string alias, string expected)
    {
        var ctx = new SidContext(Sid.Parse("S-1-5-21-1-2-3"), Sid.Parse("S-1-5-21-7-7-7"), Sid.Parse("S-1-5-21-9-9-9"));
        Assert.True(SddlSidAliases.TryResolve(alias, ctx, out var sid, out _));
        Assert.Equal(expected, sid.ToString());
        Assert.Equal(alias.ToUpperInvariant(), SddlSidAliases.AliasFor(sid, ctx));
        // Without a context the same SID is written in full.
        Assert.Null(SddlSidAliases.AliasFor(sid, null));
    }

    [Fact]
    public void DomainRelativeAliasWithoutDomainIsAnError()
    {
        Assert.False(SddlSidAliases.TryResolve("DA", null, out _, out var error));
        Assert.Contains("domain", error!.Reason);
        Assert.Equal(ParseErrorKind.DomainSidNeeded, error.Kind);
        Assert.False(SddlParser.TryParse("O:DA", null, out _, out var parseError));
        Assert.Equal(2, parseError!.Position);
    }

    [Theory]
    [InlineData("NT AUTHORITY\\SYSTEM", "S-1-5-18")]
    [InlineData("BUILTIN\\Administrators", "S-1-5-32-544")]
    [InlineData("everyone", "S-1-1-0")]
    [InlineData("Mandatory Label\\Low Mandatory Level", "S-1-16-4096")]
    [InlineData("APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES", "S-1-15-2-1")]
    public void AccountNamesResolveBothWays(string name, string sid)
    {
        Assert.True(WellKnownSids.TryLookupName(name, out var resolved));
        Assert.Equal(sid, resolved.ToString());
        Assert.Equal(name, WellKnownSids.GetAccountName(resolved), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void EveryAliasIsUniqueAndResolvable()
    {
        var ctx = new SidContext(Sid.Parse("S-1-5-21-1-2-3"), Sid.Parse("S-1-5-21-4-5-6"));
        var seen = new HashSet<Sid>();
        int count = 0;
        foreach (var entry in SddlSidAliases.All)
        {
            count++;
            Assert.True(SddlSidAliases.TryResolve(entry.Alias, ctx, out var sid, out var error), error?.Reason);
            Assert.True(seen.Add(sid), $"{entry.Alias} duplicates another alias");
        }
        Assert.True(count >= 66);
    }
}
