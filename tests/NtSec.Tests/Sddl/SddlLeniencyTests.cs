using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Sddl;

/// <summary>
/// What Windows' ConvertStringSecurityDescriptorToSecurityDescriptor accepts beyond the grammar (issue 16), the
/// "oversize ACL" rule, and the writer refusing what Windows' parser would not read back. The expectations are
/// the Windows results Samba's tests record (see docs/sddl.md); these run without the conformance corpus.
/// </summary>
public sealed class SddlLeniencyTests
{
    [Theory]
    // An owner or group SID ends where the next component begins, even in a hex field.
    [InlineData("O:S-1-2-0x200D:", "O:S-1-2-512D:")]
    [InlineData("O:S-1-2-0x2D:(A;;GA;;;WD)", "O:S-1-2-2D:(A;;GA;;;WD)")]
    [InlineData("O:S-1-2-0x200G:S-1-2-0x2D:", "O:S-1-2-512G:S-1-2-2D:")]
    [InlineData("O:S-1-5-21-0x1-0x2-0x3-513", "O:S-1-5-21-1-2-3-513")]
    [InlineData("D:(A;;GA;;;S-1-5-21-2447931902-1787058256-3961074038-0x4b1)", "D:(A;;GA;;;S-1-5-21-2447931902-1787058256-3961074038-1201)")]
    // Spaces between right codes.
    [InlineData("D:AI(A;CI;RP LCLORC;;;AU)", "D:AI(A;CI;LCRPLORC;;;AU)")]
    [InlineData("D:AI(A;CI;RP LCLO  RC;;;AU)", "D:AI(A;CI;LCRPLORC;;;AU)")]
    [InlineData("D:(A;; GA;;;WD)", "D:(A;;GA;;;WD)")]
    // Numbers and codes mixed, in either order, ORed.
    [InlineData("D:(A;;0x10GR;;;WD)", "D:(A;;RPGR;;;WD)")]
    [InlineData("D:(A;;GR0x10;;;WD)", "D:(A;;RPGR;;;WD)")]
    [InlineData("D:(A;;CC16 GR;;;WD)", "D:(A;;CCRPGR;;;WD)")]
    [InlineData("D:(A;;RC0x100000 0x1;;;WD)", "D:(A;;0x120001;;;WD)")]
    public void Accepts_WhatWindowsAccepts(string input, string canonical)
    {
        Assert.True(SddlParser.TryParse(input, null, out var sd, out var error), error?.ToString());
        Assert.Equal(canonical, SddlWriter.Format(sd!, null));
    }

    [Theory]
    [InlineData("D:AI(A;CI;RP LCLOR C;;;AU)", 17, "right")]      // a space splits a code
    [InlineData("D:AI(A;CI;RP LC\tLORC;;;AU)", 15, "right")]     // tabs never
    [InlineData("D:(A;;GA ;;;WD)", 8, "blank")]                  // nor a trailing space
    [InlineData("D:(A;;123456789 ;;;WD)", 15, "blank")]
    [InlineData("D:(A;;0x 75bcd15;;;WD)", 7, "right")]
    [InlineData("D:(A;;FA;;SY)", 12, "5 fields, 6 expected")]
    [InlineData("D:(A;;GA;;)", 10, "5 fields, 6 expected")]
    [InlineData("D:(A;;GA)", 8, "3 fields, 6 expected")]
    [InlineData("D:(XA;;FA;;;WD)", 14, "condition")]
    public void Rejects_WhatWindowsRejects_WithPositionAndReason(string input, int position, string reason)
    {
        Assert.False(SddlParser.TryParse(input, null, out _, out var error));
        Assert.Contains(reason, error!.Reason, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
    }

    // ----- oversize ACLs -----------------------------------------------------------------------------------------

    /// <summary>Samba's oversize-acls cases (Windows' bytes): D:P(D;;;;;MP) repeated n times has 4n zero bytes of slack.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(11)]
    public void RepeatedEmptyMaskAces_GetFourZeroBytesEach_AndRevision4(int n)
    {
        string sddl = "D:P" + string.Concat(Enumerable.Repeat("(D;;;;;MP)", n));
        var bytes = SddlParser.Parse(sddl).ToBinary();
        // Windows: header (control 0x9004), DACL at 20 with revision 4 and AclSize 8 + 20n + 4n, then the ACEs, then zeros.
        var expected = new List<byte> { 1, 0, 4, 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0 };
        int aclSize = 8 + (24 * n);
        expected.AddRange([4, 0, (byte)aclSize, (byte)(aclSize >> 8), (byte)n, 0, 0, 0]);
        for (int i = 0; i < n; i++) expected.AddRange([1, 0, 20, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 16, 0, 33, 0, 0]);
        expected.AddRange(new byte[4 * n]);
        Assert.Equal(Convert.ToHexString([.. expected]), Convert.ToHexString(bytes));
        // The bytes read back and write back as the same SDDL, which parses to the same bytes again.
        var back = SecurityDescriptor.FromBinary(bytes);
        Assert.Equal(4 * n, back.Dacl!.Slack.Length);
        Assert.Equal(sddl, back.ToSddl());
        Assert.Equal(bytes, SddlParser.Parse(back.ToSddl()).ToBinary());
    }

    [Fact]
    public void AnEmptyMaskAceAfterOneWithRights_ForTheSameSid_GetsFourBytes()
    {
        // The shape of the 8 short-ordinary-acls cases: (A;;0x1200a9;;;AU)(A;;;;;AU).
        var acl = SddlParser.Parse("D:(A;;FA;;;BA)(A;;0x1200a9;;;AU)(A;;;;;AU)(A;;0x1200a9;;;ED)").Dacl!;
        Assert.Equal(Acl.RevisionDs, acl.Revision);
        Assert.Equal(4, acl.Slack.Length);
        Assert.Equal(8 + 24 + 20 + 20 + 20 + 4, acl.GetBinaryLength());
    }

    [Theory]
    [InlineData("D:(D;;;;;MP)")]                                 // alone
    [InlineData("D:(A;;;;;BO)(A;;;;;AO)(A;;;;;SY)")]             // empty masks, different SIDs
    [InlineData("D:(A;;;;;WD)(A;;;;;BA)(A;;;;;WD)(A;;;;;BA)")]   // repeated, but never neighbours
    [InlineData("D:(A;;FR;;;WD)(A;;FR;;;WD)")]                   // equal neighbours that carry rights
    [InlineData("S:(AU;SA;CR;;;WD)(AU;SA;CR;;;WD)")]
    [InlineData("D:(A;OICI;;;;AU)(A;;;;;AU)")]                   // same SID, other flags
    [InlineData("D:(A;;;;;AU)(D;;;;;AU)")]                       // same SID, other type
    public void NoSlack_Otherwise(string sddl)
    {
        var sd = SddlParser.Parse(sddl);
        var acl = sd.Dacl ?? sd.Sacl!;
        Assert.Equal(0, acl.Slack.Length);
        Assert.Equal(Acl.Revision2, acl.Revision);
    }

    [Fact]
    public void EmptyMaskObjectAce_NextToAPlainOne_HasNoSlack()
    {
        var acl = SddlParser.Parse("D:(A;OICI;0x1200a9;;;AU)(OA;OICI;;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)").Dacl!;
        Assert.Equal(0, acl.Slack.Length);
        Assert.Equal(Acl.RevisionDs, acl.Revision);
    }

    // ----- the writer refuses what the parser would not read back -------------------------------------------------

    public static TheoryData<string, SecurityDescriptor, string> Inexpressible => new()
    {
        { "audit ACE in a DACL", new SecurityDescriptor(dacl: new Acl([new Ace(AceType.SystemAudit, AceFlags.SuccessfulAccess, 0x1f01ff, WellKnownSids.World)])), "AU ACE is in the DACL" },
        { "allow ACE in a SACL", new SecurityDescriptor(sacl: new Acl([Ace.Allow(WellKnownSids.World, 1)])), "A ACE is in the SACL" },
        { "deny ACE in a SACL", new SecurityDescriptor(sacl: new Acl([new Ace(AceType.AccessDenied, AceFlags.None, 1, WellKnownSids.World)])), "D ACE is in the SACL" },
        { "label in a DACL", new SecurityDescriptor(dacl: new Acl([new Ace(AceType.SystemMandatoryLabel, AceFlags.None, 1, Sid.Parse("S-1-16-4096"))])), "ML ACE is in the DACL" },
        { "policy ID in a DACL", new SecurityDescriptor(dacl: new Acl([new Ace(AceType.SystemScopedPolicyId, AceFlags.None, 0, Sid.Parse("S-1-17-1"))])), "SP ACE is in the DACL" },
        { "owner without sub-authority", new SecurityDescriptor(Sid.Create(5)), "owner SID S-1-5 has no sub-authority" },
        { "group with a hex authority and no sub-authority", new SecurityDescriptor(null, Sid.Create(0x74FB80EDFAAF), new Acl([])), "group SID S-1-0x74FB80EDFAAF has no sub-authority" },
        { "ACE SID without sub-authority", new SecurityDescriptor(dacl: new Acl([Ace.Allow(Sid.Create(1), 1)])), "has no sub-authority" },
        { "callback ACE without data", new SecurityDescriptor(dacl: new Acl([new Ace(AceType.AccessAllowedCallback, AceFlags.None, 0x1f01ff, WellKnownSids.World)])), "no condition" },
    };

    [Theory]
    [MemberData(nameof(Inexpressible))]
    public void Writer_Refuses_WithAReason(string what, SecurityDescriptor sd, string reason)
    {
        Assert.False(SddlWriter.TryFormat(sd, null, SecurityInformation.All, out string? text, out string? error), $"{what}: wrote {text}");
        Assert.Null(text);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        // The value still survives in binary, and ToString says why instead of throwing.
        Assert.Equal(sd, SecurityDescriptor.FromBinary(sd.ToBinary()));
        Assert.Equal($"<{error}>", sd.ToString());
    }

    [Fact]
    public void Writer_WritesTheRestWhenAskedOnlyForIt()
    {
        // SECURITY_INFORMATION selects the parts: an inexpressible owner does not stop the DACL from being written.
        var sd = new SecurityDescriptor(Sid.Create(5), dacl: new Acl([Ace.Allow(WellKnownSids.World, 0x1f01ff)]));
        Assert.True(SddlWriter.TryFormat(sd, null, SecurityInformation.Dacl, out string? text, out _));
        Assert.Equal("D:(A;;FA;;;WD)", text);
    }
}
