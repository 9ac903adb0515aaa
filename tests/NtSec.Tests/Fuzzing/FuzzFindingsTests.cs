using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Fuzzing;

/// <summary>Regression tests for bugs the fuzz and property tests found.</summary>
public sealed class FuzzFindingsTests
{
    /// <summary>
    /// SecurityDescriptor.ToString() threw InvalidOperationException for any descriptor holding an ACE SDDL cannot
    /// express (found by the property tests: FsCheck could not print such a value). Such descriptors come straight
    /// from valid bytes, e.g. Windows' conditional ACEs, so string interpolation and debugger displays blew up.
    /// </summary>
    [Fact]
    public void DescriptorToString_DoesNotThrow_WhenSddlCannotExpressAnAce()
    {
        var sd = new SecurityDescriptor(WellKnownSids.World, dacl: new Acl([Ace.Allow(WellKnownSids.World, 1), new Ace(AceType.AccessDeniedCallbackObject, AceFlags.None, 1, WellKnownSids.World)]));
        Assert.False(SddlWriter.TryFormat(sd, null, SecurityInformation.All, out _, out string? reason));

        string text = sd.ToString();
        Assert.Equal($"<{reason}>", text);
        Assert.Equal(text, $"{sd}");
        // ToSddl keeps its documented exception: it is the call that promises SDDL.
        Assert.Throws<InvalidOperationException>(() => sd.ToSddl());
    }

    [Fact]
    public void DescriptorToString_IsTheSddl_WhenSddlCanExpressIt()
    {
        var sd = SddlParser.Parse("O:BAD:P(A;;FA;;;SY)");
        Assert.Equal("O:BAD:P(A;;FA;;;SY)", sd.ToString());
    }

    /// <summary>
    /// new Acl(aces, revision: 2 or 3) accepted object ACEs, giving a value whose bytes Acl.TryRead (like
    /// RtlValidAcl) rejects: an ACL, and any descriptor holding it, that does not survive its own binary round trip.
    /// </summary>
    [Theory]
    [InlineData(Acl.Revision2)]
    [InlineData(Acl.Revision3)]
    public void AclConstructor_RefusesObjectAces_BelowRevision4(byte revision)
    {
        var objectAce = new Ace(AceType.AccessAllowedObject, AceFlags.None, 0x10, WellKnownSids.World, Guid.Parse("bf967a68-0de6-11d0-a285-00aa003049e2"));
        var ex = Assert.Throws<ArgumentException>(() => new Acl([Ace.Allow(WellKnownSids.World, 1), objectAce], revision));
        Assert.Equal("revision", ex.ParamName);

        // Revision 4, or the revision Windows would choose, still work and read back.
        foreach (byte ok in new byte[] { 0, Acl.RevisionDs })
        {
            var acl = new Acl([objectAce], ok);
            Assert.Equal(Acl.RevisionDs, acl.Revision);
            Assert.True(Acl.TryRead(acl.ToBinary(), out var back, out _, out var error), error?.ToString());
            Assert.Equal(acl, back);
        }
        // ACLs without object ACEs keep any valid revision.
        Assert.Equal(revision, new Acl([Ace.Allow(WellKnownSids.World, 1)], revision).Revision);
    }

    /// <summary>
    /// Issue 16: without the conformance corpus, 16 of 10,016 mutated descriptors "failed" the SDDL round trip. The
    /// writer was right: SDDL carries a resource attribute's name, flags and values and a condition's expression, not
    /// their layout (a value offset pointing into the name, an ACE size leaving two bytes of padding instead of three).
    /// The oracle's reduction kept the raw bytes; it now compares with the canonical encoding of the decoded value.
    /// </summary>
    [Theory]
    [InlineData("0100108000000000000000001400000000000000020048000100000012004000000000000101000000000001000000001400000002000000000000000100000024000000530000001400000002000000000000000100000024000000530065006300720065006300790000000300000000000000")]
    [InlineData("01001080000000000000000014000000000000000200480001000000120040000000000001010000000000010000000014000000020000000000000001000000240000005300650063007200650063007900ff000300000000000000")]
    [InlineData("010004800000000000000000000000001400000002003c000100000009003300a000120001010000000000010000000061727478f90a0000005400690074006c006500100400000050004d0080000000")]
    public void SddlOfAttributeOrConditionData_CarriesTheValue_NotTheLayout(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.True(SecurityDescriptor.TryRead(bytes, out var sd, out _, out var error), error?.ToString());
        Assert.True(SddlWriter.TryFormat(sd!, FuzzCorpus.Context, SecurityInformation.All, out string? text, out string? reason), reason);
        Assert.True(SddlParser.TryParse(text, FuzzCorpus.Context, out var back, out error), error?.ToString());
        var original = (sd!.Dacl?.Aces ?? sd.Sacl!.Aces).Single();
        var reparsed = (back!.Dacl?.Aces ?? back.Sacl!.Aces).Single();
        // The layout differs, the value does not: the parser's bytes are the canonical encoding of what was read.
        Assert.False(original.ApplicationData.SequenceEqual(reparsed.ApplicationData));
        Assert.Equal(Oracles.CarriedData(original), reparsed.ApplicationData.ToArray());
        Assert.Equal(Oracles.SddlProjection(sd), back);
        Assert.Equal(text, back.ToSddl(FuzzCorpus.Context));
    }
}
