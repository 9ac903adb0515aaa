using NtSec.Authorization;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;

namespace NtSec.Tests.Readme;

/// <summary>The README's library example, line for line (ReadmeTests checks that they match), with its claims asserted.</summary>
public sealed class ReadmeLibraryExampleTests
{
    [Fact]
    public void RestrictedTokenExample()
    {
        // A descriptor from SDDL, and its exact Windows bytes.
        var sd = SddlParser.Parse("O:BAG:BAD:(A;;FR;;;AU)(A;;FA;;;S-1-5-21-1-2-3-1001)");
        byte[] bytes = sd.ToBinary();

        // Alice's token, then a restricted version of it, as CreateRestrictedToken makes it.
        var alice = Sid.Parse("S-1-5-21-1-2-3-1001");
        var token = new TokenBuilder(alice)
            .AddGroup(WellKnownSids.World)
            .AddGroup(WellKnownSids.AuthenticatedUsers)
            .Build();
        TokenFilter.Filter(token, FilterTokenFlags.None, null, null,
            [new SidAndAttributes(WellKnownSids.Restricted, 0)], out var restricted);

        // The unrestricted token may write; the restricted one may not, because its restricting SID
        // (RESTRICTED) is granted nothing: both access checks must allow the access.
        var mapping = ObjectTypes.File.GenericMapping;
        bool canWrite = AccessCheck.Check(sd, token, 0x2, mapping).IsGranted;                 // true
        var why = new AccessCheckExplanation();
        bool restrictedCanWrite = AccessCheck.Check(sd, restricted!, 0x2, mapping, default, null, why).IsGranted; // false
        string explanation = why.ToText(ObjectTypes.File);

        Assert.Equal(sd, NtSec.Descriptors.SecurityDescriptor.FromBinary(bytes));
        Assert.True(canWrite);
        Assert.False(restrictedCanWrite);
        Assert.Contains("restricting SIDs", explanation);
        Assert.Contains("access denied", explanation);
    }
}
