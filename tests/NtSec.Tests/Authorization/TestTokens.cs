using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Tests.Authorization;

/// <summary>Tokens used across the access check tests.</summary>
internal static class TestTokens
{
    public static readonly Sid Domain = Sid.Parse("S-1-5-21-1111-2222-3333");
    public static readonly Sid Alice = Domain.Append(1001);
    public static readonly Sid Bob = Domain.Append(1002);
    public static readonly Sid DomainUsers = Domain.Append(513);
    public static readonly Sid Logon = Sid.Parse("S-1-5-5-0-123456");

    /// <summary>An ordinary interactive user at Medium integrity, impersonation token.</summary>
    public static TokenBuilder AliceBuilder()
    {
        var b = new TokenBuilder(Alice)
            .AddGroup(DomainUsers)
            .AddGroup(WellKnownSids.World)
            .AddGroup(WellKnownSids.BuiltinUsers)
            .AddGroup(WellKnownSids.Interactive)
            .AddGroup(WellKnownSids.AuthenticatedUsers)
            .AddGroup(WellKnownSids.Local)
            .AddGroup(Logon, GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled | GroupAttributes.LogonId)
            .AddGroup(WellKnownSids.MediumIntegrity, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled)
            .AddPrivilege("SeChangeNotifyPrivilege")
            .AddPrivilege("SeShutdownPrivilege", PrivilegeAttributes.None);
        b.PrimaryGroup = DomainUsers;
        return b;
    }

    public static Token Alice_() => AliceBuilder().Build();
}
