namespace NtSec.Tokens;

/// <summary>
/// The token copy of DuplicateTokenEx / NtDuplicateToken, without the object manager: the level rules and what a copy
/// keeps. The emulated kernel's <c>NtDuplicateToken</c> and <c>ntsec token duplicate</c> both use it.
/// </summary>
public static class TokenDuplication
{
    /// <summary>
    /// Copies <paramref name="source"/> as a token of <paramref name="type"/>. An impersonation token cannot be copied
    /// to a higher level, nor to a primary token below SecurityImpersonation (STATUS_BAD_IMPERSONATION_LEVEL).
    /// <paramref name="effectiveOnly"/> drops disabled groups and privileges. The copy has a new TokenId and the
    /// source's ModifiedId, AuthenticationId and ParentTokenId.
    /// </summary>
    public static NtStatus Duplicate(Token source, TokenType type, SecurityImpersonationLevel level, bool effectiveOnly, out Token? duplicate)
    {
        ArgumentNullException.ThrowIfNull(source);
        duplicate = null;
        if (type is not (TokenType.Primary or TokenType.Impersonation)) return NtStatus.InvalidParameter;
        if (!Enum.IsDefined(level)) return NtStatus.BadImpersonationLevel;
        if (source.Type == TokenType.Impersonation)
        {
            if (type == TokenType.Impersonation && level > source.ImpersonationLevel) return NtStatus.BadImpersonationLevel;
            if (type == TokenType.Primary && source.ImpersonationLevel < SecurityImpersonationLevel.Impersonation) return NtStatus.BadImpersonationLevel;
        }
        duplicate = Copy(source, type, level, effectiveOnly);
        return NtStatus.Success;
    }

    /// <summary>The copy itself, for callers that have applied the level rules already (or that lower the level).</summary>
    internal static Token Copy(Token source, TokenType type, SecurityImpersonationLevel level, bool effectiveOnly)
    {
        var b = source.ToBuilder();
        b.Type = type;
        b.ImpersonationLevel = type == TokenType.Impersonation ? level : SecurityImpersonationLevel.Impersonation;
        b.TokenId = null;
        b.ModifiedId = source.ModifiedId;
        if (effectiveOnly)
        {
            // A disabled group matches no ACE, so dropping it changes no check; deny-only groups and the integrity
            // label stay, since they still take part in checks.
            b.Groups.RemoveAll(g => (g.Attributes & (GroupAttributes.Enabled | GroupAttributes.UseForDenyOnly | GroupAttributes.Integrity)) == 0);
            b.PrivilegeList.RemoveAll(p => !p.IsEnabled);
            // A token needs its owner and primary group among its SIDs; one that was a dropped group falls back to the user.
            if (b.Owner is { } owner && owner != b.User.Sid && !b.Groups.Any(g => g.Sid == owner)) b.Owner = null;
            if (b.PrimaryGroup is { } primary && primary != b.User.Sid && !b.Groups.Any(g => g.Sid == primary)) b.PrimaryGroup = null;
        }
        return b.Build();
    }
}
