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
        var sd = new SecurityDescriptor(WellKnownSids.World, dacl: new Acl([Ace.Allow(WellKnownSids.World, 1), Ace.CreateRaw(0x0c, AceFlags.None, [1, 2, 3, 4])]));
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
}
