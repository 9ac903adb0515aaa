using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Kernel;

/// <summary>How a thread came to wear the level it wears.</summary>
public enum ImpersonationOutcome
{
    /// <summary>The token was assigned at the level it has.</summary>
    Granted,
    /// <summary>The rules refused the level; the thread wears an identification-level copy instead.</summary>
    DowngradedToIdentification,
}

/// <summary>
/// The rule that decides whether a thread may impersonate a token at the level the token carries, or only at
/// SecurityIdentification. Windows does not fail such an impersonation: it silently gives the thread an
/// identification-level copy, with which the thread can ask who the client is but cannot open anything as it.
/// </summary>
/// <remarks>
/// The level is granted when any of these holds, in order (ImpersonateLoggedOnUser's documentation lists the first
/// four; the integrity, restriction, AppContainer and session conditions are the limits Windows applies on top):
/// <list type="number">
/// <item>the token is at SecurityIdentification or SecurityAnonymous — nothing to limit;</item>
/// <item>the process's token has SeImpersonatePrivilege enabled;</item>
/// <item>otherwise all of: the token is for the same user as the process (or was created in the process's logon
/// session, which NtSec sees as the token's origin being the process's logon session); its integrity level is not
/// above the process's; a process whose token is restricted may only impersonate a restricted token, and an
/// AppContainer process only a token of the same AppContainer; and the token belongs to the process's session.</item>
/// </list>
/// The process is the one that owns the thread being assigned the token. See <c>docs/kernel.md</c>.
/// </remarks>
public static class ImpersonationRules
{
    /// <summary>Decides whether <paramref name="processToken"/>'s process may impersonate <paramref name="token"/> at its level.</summary>
    /// <param name="processToken">The primary token of the process owning the thread.</param>
    /// <param name="token">The impersonation token to assign.</param>
    /// <param name="reason">Why the level was refused, in English, or null when granted.</param>
    public static bool CanImpersonate(Token processToken, Token token, out string? reason)
    {
        var refusal = Refusal(processToken, token);
        reason = refusal == ImpersonationRefusal.None ? null : Describe(refusal, processToken, token);
        return refusal == ImpersonationRefusal.None;
    }

    /// <summary>Which rule refuses <paramref name="token"/> its level in <paramref name="processToken"/>'s process; None when granted.</summary>
    /// <param name="processToken">The primary token of the process owning the thread.</param>
    /// <param name="token">The impersonation token to assign.</param>
    public static ImpersonationRefusal Refusal(Token processToken, Token token)
    {
        ArgumentNullException.ThrowIfNull(processToken);
        ArgumentNullException.ThrowIfNull(token);
        if (token.ImpersonationLevel < SecurityImpersonationLevel.Impersonation) return ImpersonationRefusal.None;
        if (processToken.IsPrivilegeEnabled(Privileges.Impersonate)) return ImpersonationRefusal.None;
        bool sameUser = processToken.User.Sid == token.User.Sid;
        bool sameLogon = token.Origin != default && token.Origin == processToken.AuthenticationId
                         || token.AuthenticationId == processToken.AuthenticationId && sameUser;
        if (!sameUser && !sameLogon) return ImpersonationRefusal.OtherUser;
        if (token.IntegrityLevel.Rid > processToken.IntegrityLevel.Rid) return ImpersonationRefusal.IntegrityAbove;
        if (processToken.IsRestricted && !token.IsRestricted) return ImpersonationRefusal.RestrictedProcess;
        if (processToken.AppContainer is { } container && token.AppContainer?.PackageSid != container.PackageSid) return ImpersonationRefusal.OtherAppContainer;
        if (token.SessionId != processToken.SessionId) return ImpersonationRefusal.OtherSession;
        return ImpersonationRefusal.None;
    }

    /// <summary>A refusal in English, naming what the rule compared.</summary>
    /// <param name="refusal">The refusal.</param>
    /// <param name="processToken">The process's primary token.</param>
    /// <param name="token">The token refused.</param>
    public static string Describe(ImpersonationRefusal refusal, Token processToken, Token token)
    {
        ArgumentNullException.ThrowIfNull(processToken);
        ArgumentNullException.ThrowIfNull(token);
        return refusal switch
        {
            ImpersonationRefusal.OtherUser => $"the token is for {token.User.Sid}, not the process's user {processToken.User.Sid}, and the process lacks SeImpersonatePrivilege",
            ImpersonationRefusal.IntegrityAbove => $"the token's integrity level ({token.IntegrityLevel}) is above the process's ({processToken.IntegrityLevel})",
            ImpersonationRefusal.RestrictedProcess => "a restricted process may not impersonate an unrestricted token",
            ImpersonationRefusal.OtherAppContainer => "an AppContainer process may only impersonate a token of its own AppContainer",
            ImpersonationRefusal.OtherSession => $"the token belongs to session {token.SessionId}, the process to session {processToken.SessionId}",
            _ => "the level is granted",
        };
    }
}
