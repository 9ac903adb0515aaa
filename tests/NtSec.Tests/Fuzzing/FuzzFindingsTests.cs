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
}
