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
        => Duplicate(source, type, level, effectiveOnly, out duplicate, out _);

    /// <summary>
    /// <see cref="Duplicate(Token, TokenType, SecurityImpersonationLevel, bool, out Token?)"/>, saying which rule
    /// refused the copy.
    /// </summary>
    public static NtStatus Duplicate(Token source, TokenType type, SecurityImpersonationLevel level, bool effectiveOnly, out Token? duplicate, out DuplicationRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(source);
        duplicate = null;
        refusal = Refusal(source, type, level);
        if (refusal != DuplicationRefusal.None) return refusal == DuplicationRefusal.InvalidType ? NtStatus.InvalidParameter : NtStatus.BadImpersonationLevel;
        duplicate = Copy(source, type, level, effectiveOnly);
        return NtStatus.Success;
    }

    /// <summary>The level rules of a copy: which one refuses <paramref name="source"/> as a <paramref name="type"/> at <paramref name="level"/>.</summary>
    public static DuplicationRefusal Refusal(Token source, TokenType type, SecurityImpersonationLevel level)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (type is not (TokenType.Primary or TokenType.Impersonation)) return DuplicationRefusal.InvalidType;
        if (!Enum.IsDefined(level)) return DuplicationRefusal.UnknownLevel;
        if (source.Type == TokenType.Impersonation)
        {
            if (type == TokenType.Impersonation && level > source.ImpersonationLevel) return DuplicationRefusal.LevelAboveSource;
            if (type == TokenType.Primary && source.ImpersonationLevel < SecurityImpersonationLevel.Impersonation) return DuplicationRefusal.PrimaryBelowImpersonation;
        }
        return DuplicationRefusal.None;
    }

    /// <summary>
    /// The copy itself, for callers that have applied the level rules already (or that lower the level): the one
    /// place a token is copied to another type or level, by NtDuplicateToken, impersonation, process creation and the
    /// emulated system's setup alike.
    /// </summary>
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

/// <summary>Which rule of <see cref="TokenDuplication"/> refused a copy.</summary>
public enum DuplicationRefusal
{
    /// <summary>Not refused.</summary>
    None = 0,
    /// <summary>The token type is neither primary nor impersonation (STATUS_INVALID_PARAMETER).</summary>
    InvalidType,
    /// <summary>The level is not one of the four (STATUS_BAD_IMPERSONATION_LEVEL).</summary>
    UnknownLevel,
    /// <summary>An impersonation token cannot be copied to a higher level (STATUS_BAD_IMPERSONATION_LEVEL).</summary>
    LevelAboveSource,
    /// <summary>An impersonation token below SecurityImpersonation cannot become primary (STATUS_BAD_IMPERSONATION_LEVEL).</summary>
    PrimaryBelowImpersonation,
}
