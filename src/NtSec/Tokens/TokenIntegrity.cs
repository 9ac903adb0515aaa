using NtSec.Principals;

namespace NtSec.Tokens;

/// <summary>
/// A token's integrity level as <c>NtSetInformationToken(TokenIntegrityLevel)</c> changes it: the label SID
/// replaces the token's level and every group that carries SE_GROUP_INTEGRITY, so the level the access check reads
/// and the group list <c>whoami /groups</c> shows never disagree.
/// </summary>
public static class TokenIntegrity
{
    /// <summary>The identifier authority of mandatory labels (SECURITY_MANDATORY_LABEL_AUTHORITY).</summary>
    public const ulong MandatoryLabelAuthority = 16;

    /// <summary>
    /// Whether a SID can be an integrity level: the mandatory label authority with exactly one sub-authority
    /// (the RID is the level). Windows refuses anything else with STATUS_INVALID_PARAMETER.
    /// </summary>
    /// <param name="sid">The SID to test.</param>
    public static bool IsLabelSid(Sid sid)
        => !sid.IsDefault && sid.IdentifierAuthority == MandatoryLabelAuthority && sid.SubAuthorityCount == 1;

    /// <summary>
    /// Whether moving a token from <paramref name="current"/> to <paramref name="requested"/> raises it, which
    /// Windows allows only to a caller holding SeTcbPrivilege; lowering (or keeping) the level needs no privilege.
    /// </summary>
    /// <param name="current">The token's level now.</param>
    /// <param name="requested">The level asked for.</param>
    public static bool Raises(Sid current, Sid requested) => requested.Rid > current.Rid;

    /// <summary>
    /// Sets the level on a builder: <see cref="TokenBuilder.IntegrityLevel"/> and the SID of each group that
    /// carries <see cref="GroupAttributes.Integrity"/>. The caller has checked <see cref="IsLabelSid"/> and the
    /// privilege rule.
    /// </summary>
    /// <param name="builder">The token being built.</param>
    /// <param name="label">The new level, a mandatory label SID.</param>
    public static void SetLevel(TokenBuilder builder, Sid label)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.IntegrityLevel = label;
        for (int i = 0; i < builder.Groups.Count; i++)
            if ((builder.Groups[i].Attributes & GroupAttributes.Integrity) != 0) builder.Groups[i] = builder.Groups[i] with { Sid = label };
    }

    /// <summary>
    /// A copy of <paramref name="token"/> lowered to <paramref name="label"/>, as a caller without SeTcbPrivilege
    /// may do to its own token. Returns STATUS_INVALID_PARAMETER when the SID is not a mandatory label and
    /// STATUS_PRIVILEGE_NOT_HELD when the label is above the token's level (raising needs SeTcbPrivilege, which
    /// this overload does not assume).
    /// </summary>
    /// <param name="token">The token; it is not changed.</param>
    /// <param name="label">The new level.</param>
    /// <param name="lowered">The copy, or null on failure.</param>
    public static NtStatus TryLower(Token token, Sid label, out Token? lowered)
    {
        ArgumentNullException.ThrowIfNull(token);
        lowered = null;
        if (!IsLabelSid(label)) return NtStatus.InvalidParameter;
        if (Raises(token.IntegrityLevel, label)) return NtStatus.PrivilegeNotHeld;
        var builder = token.ToBuilder();
        SetLevel(builder, label);
        lowered = builder.Build();
        return NtStatus.Success;
    }
}
