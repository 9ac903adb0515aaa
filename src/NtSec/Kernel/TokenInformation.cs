using System.Collections.Immutable;
using NtSec.Acls;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Kernel;

/// <summary>
/// TOKEN_INFORMATION_CLASS values NtSec answers. Each member's documentation names the .NET type
/// <see cref="NtCalls.NtQueryInformationToken"/> returns for it.
/// </summary>
public enum TokenInformationClass
{
    /// <summary><see cref="SidAndAttributes"/>: the user.</summary>
    TokenUser = 1,
    /// <summary><see cref="ImmutableArray{SidAndAttributes}"/>: the groups, integrity label included.</summary>
    TokenGroups = 2,
    /// <summary><see cref="ImmutableArray{Privilege}"/>.</summary>
    TokenPrivileges = 3,
    /// <summary><see cref="Sid"/>: the default owner of new objects.</summary>
    TokenOwner = 4,
    /// <summary><see cref="Sid"/>: the default primary group.</summary>
    TokenPrimaryGroup = 5,
    /// <summary><see cref="TokenDefaultDacl"/>.</summary>
    TokenDefaultDacl = 6,
    /// <summary><see cref="Tokens.TokenSource"/>; needs TOKEN_QUERY_SOURCE.</summary>
    TokenSource = 7,
    /// <summary><see cref="Tokens.TokenType"/>.</summary>
    TokenType = 8,
    /// <summary><see cref="SecurityImpersonationLevel"/>; STATUS_INVALID_PARAMETER for a primary token.</summary>
    TokenImpersonationLevel = 9,
    /// <summary><see cref="TokenStatistics"/>.</summary>
    TokenStatistics = 10,
    /// <summary><see cref="ImmutableArray{SidAndAttributes}"/>: the restricting SIDs.</summary>
    TokenRestrictedSids = 11,
    /// <summary><see cref="uint"/>: the session ID.</summary>
    TokenSessionId = 12,
    /// <summary><see cref="TokenGroupsAndPrivileges"/>.</summary>
    TokenGroupsAndPrivileges = 13,
    /// <summary><see cref="bool"/>: SANDBOX_INERT.</summary>
    TokenSandBoxInert = 15,
    /// <summary><see cref="Luid"/>: the logon session that created the token's logon session.</summary>
    TokenOrigin = 17,
    /// <summary><see cref="TokenElevationType"/>.</summary>
    TokenElevationType = 18,
    /// <summary><see cref="NtHandle"/>: a new handle to the linked token; STATUS_NO_SUCH_LOGON_SESSION without one.</summary>
    TokenLinkedToken = 19,
    /// <summary><see cref="bool"/>: TokenIsElevated.</summary>
    TokenElevation = 20,
    /// <summary><see cref="bool"/>: the token has been filtered.</summary>
    TokenHasRestrictions = 21,
    /// <summary><see cref="bool"/>: virtualization allowed (never, in NtSec).</summary>
    TokenVirtualizationAllowed = 23,
    /// <summary><see cref="bool"/>: virtualization enabled (never, in NtSec).</summary>
    TokenVirtualizationEnabled = 24,
    /// <summary><see cref="SidAndAttributes"/>: the integrity label SID with SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED.</summary>
    TokenIntegrityLevel = 25,
    /// <summary><see cref="bool"/>: UIAccess (never, in NtSec).</summary>
    TokenUIAccess = 26,
    /// <summary><see cref="MandatoryPolicy"/>.</summary>
    TokenMandatoryPolicy = 27,
    /// <summary><see cref="ImmutableArray{SidAndAttributes}"/>: the logon SID (one entry; empty when the token has none).</summary>
    TokenLogonSid = 28,
    /// <summary><see cref="bool"/>.</summary>
    TokenIsAppContainer = 29,
    /// <summary><see cref="ImmutableArray{SidAndAttributes}"/>: the AppContainer capabilities.</summary>
    TokenCapabilities = 30,
    /// <summary><see cref="Sid"/>? : the package SID, or null.</summary>
    TokenAppContainerSid = 31,
    /// <summary><see cref="uint"/>: the AppContainer number (0 for other tokens).</summary>
    TokenAppContainerNumber = 32,
    /// <summary><see cref="ImmutableArray{SidAndAttributes}"/>: device groups.</summary>
    TokenDeviceGroups = 37,
    /// <summary><see cref="bool"/>: the token has restricting SIDs (IsTokenRestricted).</summary>
    TokenIsRestricted = 40,
}

/// <summary>TOKEN_DEFAULT_DACL: the default DACL, which may be NULL.</summary>
/// <param name="DefaultDacl">The ACL, or null.</param>
public sealed record TokenDefaultDacl(Acl? DefaultDacl);

/// <summary>TOKEN_STATISTICS.</summary>
/// <param name="TokenId">This token's ID.</param>
/// <param name="AuthenticationId">The logon session.</param>
/// <param name="ExpirationTime">Not supported by Windows: always the largest value.</param>
/// <param name="TokenType">Primary or impersonation.</param>
/// <param name="ImpersonationLevel">The level; for a primary token, the level it was duplicated at (SecurityAnonymous for a token the system made).</param>
/// <param name="DynamicCharged">Bytes charged for the default DACL and primary group.</param>
/// <param name="DynamicAvailable">Bytes of that charge not in use.</param>
/// <param name="GroupCount">Number of groups.</param>
/// <param name="PrivilegeCount">Number of privileges.</param>
/// <param name="ModifiedId">Changes each time the token is changed.</param>
public sealed record TokenStatistics(Luid TokenId, Luid AuthenticationId, long ExpirationTime, TokenType TokenType, SecurityImpersonationLevel ImpersonationLevel,
    uint DynamicCharged, uint DynamicAvailable, int GroupCount, int PrivilegeCount, Luid ModifiedId);

/// <summary>TOKEN_GROUPS_AND_PRIVILEGES.</summary>
/// <param name="Sids">The user and groups.</param>
/// <param name="RestrictedSids">The restricting SIDs.</param>
/// <param name="Privileges">The privileges.</param>
/// <param name="AuthenticationId">The logon session.</param>
public sealed record TokenGroupsAndPrivileges(ImmutableArray<SidAndAttributes> Sids, ImmutableArray<SidAndAttributes> RestrictedSids, ImmutableArray<Privilege> Privileges, Luid AuthenticationId);

/// <summary>THREADINFOCLASS values NtSec's NtSetInformationThread accepts.</summary>
public enum ThreadInformationClass
{
    /// <summary>ThreadImpersonationToken: set (a token handle) or clear (NULL) the thread's impersonation token.</summary>
    ThreadImpersonationToken = 5,
}
