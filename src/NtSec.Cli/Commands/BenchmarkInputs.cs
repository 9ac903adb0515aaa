using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Cli.Commands;

/// <summary>
/// The inputs of the standard benchmark cases. BenchmarkDotNet (this project) and <c>ntsec bench</c>
/// (which references this project) measure the same descriptors and token, so their figures compare.
/// </summary>
internal static class BenchmarkInputs
{
    /// <summary>A 2-ACE DACL: Administrators full control, Authenticated Users read.</summary>
    public const string TwoAceSddl = "O:BAG:BAD:(A;;FA;;;BA)(A;;FR;;;AU)";

    /// <summary>Nineteen ACEs for SIDs the token lacks, then one for Authenticated Users.</summary>
    public static readonly string TwentyAceSddl = "O:BAG:BAD:" + string.Concat(Enumerable.Range(1, 19).Select(i => $"(A;;FA;;;S-1-5-21-9-9-9-{2000 + i})")) + "(A;;FR;;;AU)";

    /// <summary>A file-share folder descriptor with ten ACEs: domain SIDs, aliases, deny, inherited and hex masks.</summary>
    public const string TenAceSddl =
        "O:S-1-5-21-1004336348-1177238915-682003330-512G:S-1-5-21-1004336348-1177238915-682003330-513" +
        "D:PAI(D;OICI;FA;;;BG)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICIIO;FA;;;CO)" +
        "(A;OICI;0x1301bf;;;S-1-5-21-1004336348-1177238915-682003330-1105)" +
        "(A;OICI;0x1200a9;;;S-1-5-21-1004336348-1177238915-682003330-1106)" +
        "(A;OICI;FR;;;AU)(A;CI;0x100004;;;BU)(A;ID;FX;;;S-1-5-21-1004336348-1177238915-682003330-1107)" +
        "(OA;CI;CR;00299570-246d-11d0-a768-00aa006e0529;;PS)";

    /// <summary>
    /// A conditional ACE over a user claim, a group and a resource attribute (the SACL's RA ACE), as a Dynamic Access
    /// Control file server evaluates it; the condition is TRUE for <see cref="FinanceToken"/>.
    /// </summary>
    public const string ConditionalSddl =
        "O:BAG:BAD:(A;;FA;;;BA)(XA;;FR;;;AU;((@User.department == \"Finance\") && (Member_of {SID(BU)}) && (@Resource.Project Any_of {\"Alpha\", \"Beta\"})))" +
        "S:(RA;;;;;WD;(\"Project\",TS,0x0,\"Beta\"))";

    /// <summary>The access the checks ask for: FILE_GENERIC_READ (0x120089), already mapped.</summary>
    public const uint FileGenericRead = FileAccessRights.GenericRead;

    /// <summary>A user token with 15 groups.</summary>
    public static Token FifteenGroupToken() => FifteenGroupBuilder().Build();

    private static TokenBuilder FifteenGroupBuilder()
    {
        var domain = Sid.Parse("S-1-5-21-1111-2222-3333");
        var b = new TokenBuilder(domain.Append(1001));
        b.AddGroup(domain.Append(513)).AddGroup(WellKnownSids.World).AddGroup(WellKnownSids.BuiltinUsers)
         .AddGroup(WellKnownSids.Interactive).AddGroup(WellKnownSids.ConsoleLogon).AddGroup(WellKnownSids.AuthenticatedUsers)
         .AddGroup(WellKnownSids.ThisOrganization).AddGroup(WellKnownSids.Local).AddGroup(WellKnownSids.NtlmAuthentication)
         .AddGroup(Sid.Parse("S-1-5-5-0-123456"), GroupAttributes.Mandatory | GroupAttributes.Enabled | GroupAttributes.EnabledByDefault | GroupAttributes.LogonId);
        for (uint i = 0; i < 4; i++) b.AddGroup(domain.Append(3000 + i));
        b.AddGroup(WellKnownSids.MediumIntegrity, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled);
        b.AddPrivilege("SeChangeNotifyPrivilege");
        return b;
    }

    /// <summary><see cref="FifteenGroupToken"/> with the user claim <c>department = "Finance"</c>.</summary>
    public static Token FinanceToken()
    {
        var b = FifteenGroupBuilder();
        b.UserClaims = [new NtSec.Claims.ClaimSecurityAttribute("department", NtSec.Claims.ClaimValueType.String, default, ["Finance"])];
        return b.Build();
    }
}
