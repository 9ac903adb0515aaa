using global::NtSec;
using global::NtSec.Principals;
using global::NtSec.Tokens;
using Xunit;

namespace NtSec.Tests.Tokens;

public class TokenDuplicationLibraryTests
{
    [Fact]
    public void EffectiveOnly_copy_of_a_token_whose_owner_group_is_disabled_falls_back_to_the_user()
    {
        var owners = Sid.Parse("S-1-5-21-1-2-3-1200");
        var b = new TokenBuilder(Sid.Parse("S-1-5-21-1-2-3-1001"))
            .AddGroup(WellKnownSids.World)
            .AddGroup(owners, GroupAttributes.Owner | GroupAttributes.EnabledByDefault);
        b.Owner = owners;
        b.PrimaryGroup = owners;
        var token = b.Build();
        Assert.Equal(NtStatus.Success, TokenDuplication.Duplicate(token, TokenType.Impersonation, SecurityImpersonationLevel.Identification, effectiveOnly: true, out var copy));
        Assert.DoesNotContain(copy!.Groups, g => g.Sid == owners);
        Assert.Equal(token.User.Sid, copy.Owner);
        Assert.Equal(token.User.Sid, copy.PrimaryGroup);
        Assert.Equal(token.ModifiedId, copy.ModifiedId);
        Assert.NotEqual(token.TokenId, copy.TokenId);
    }

    [Fact]
    public void The_level_rules()
    {
        var ident = new TokenBuilder(Sid.Parse("S-1-5-21-1-2-3-1001")) { ImpersonationLevel = SecurityImpersonationLevel.Identification }.Build();
        Assert.Equal(NtStatus.BadImpersonationLevel, TokenDuplication.Duplicate(ident, TokenType.Impersonation, SecurityImpersonationLevel.Impersonation, false, out _));
        Assert.Equal(NtStatus.BadImpersonationLevel, TokenDuplication.Duplicate(ident, TokenType.Primary, SecurityImpersonationLevel.Impersonation, false, out _));
        Assert.Equal(NtStatus.Success, TokenDuplication.Duplicate(ident, TokenType.Impersonation, SecurityImpersonationLevel.Anonymous, false, out var anon));
        Assert.Equal(SecurityImpersonationLevel.Anonymous, anon!.ImpersonationLevel);
    }
}
