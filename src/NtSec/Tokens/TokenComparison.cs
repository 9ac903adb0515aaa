namespace NtSec.Tokens;

/// <summary>
/// NtCompareTokens' equivalence: whether two tokens are the same subject "with respect to a call to AccessCheck"
/// (Microsoft's documentation). What is compared, and the evidence for each part, is in <c>docs/kernel.md</c>.
/// </summary>
public static class TokenComparison
{
    /// <summary>
    /// True when the tokens are equivalent for an access check: the same user and groups with the same attributes
    /// (an enabled group and a disabled or deny-only one differ), the same integrity level, both or neither
    /// restricted (and write-restricted) with the same restricting SIDs, the same AppContainer and capabilities, and
    /// the same privileges in the same state (enabled or not). Token type, impersonation level, owner, primary group,
    /// default DACL, identifiers, source and session are not part of it.
    /// </summary>
    public static bool AreEquivalent(Token first, Token second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (ReferenceEquals(first, second)) return true;
        return SameSids([first.User, .. first.Groups], [second.User, .. second.Groups])
            && first.IntegrityLevel == second.IntegrityLevel
            && first.IsRestricted == second.IsRestricted
            && first.WriteRestricted == second.WriteRestricted
            && SameSids(first.RestrictedSids, second.RestrictedSids)
            && SameAppContainer(first.AppContainer, second.AppContainer)
            && SamePrivileges(first, second);
    }

    private static bool SameSids(IEnumerable<SidAndAttributes> a, IEnumerable<SidAndAttributes> b)
        => a.ToHashSet().SetEquals(b);

    private static bool SameAppContainer(AppContainerInfo? a, AppContainerInfo? b)
        => a is null ? b is null : b is not null && a.PackageSid == b.PackageSid && SameSids(a.Capabilities, b.Capabilities);

    // Windows sees a token and its duplicate as different once AdjustTokenPrivileges(DisableAllPrivileges) ran on one
    // (ReactOS' NtCompareTokens test, which passes on Windows): the state of each privilege counts, not only its
    // presence. SE_PRIVILEGE_USED_FOR_ACCESS records a past use, not a state, and is left out.
    private static bool SamePrivileges(Token a, Token b)
    {
        static HashSet<Privilege> State(Token t)
            => t.Privileges.Select(p => p with { Attributes = p.Attributes & ~PrivilegeAttributes.UsedForAccess }).ToHashSet();
        return State(a).SetEquals(State(b));
    }
}
