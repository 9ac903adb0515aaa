using System.Text.Json;
using NtSec.Principals;
using NtSec.Tests.Authorization;
using NtSec.Tokens;
using Xunit.Abstractions;

namespace NtSec.Tests.Conformance;

/// <summary>
/// The token_api cases of facts.jsonl about token filtering (CreateRestrictedToken, SeFilterToken) and the
/// membership of a filtered token (CheckTokenMembership), each translated by hand from its prose scenario into calls
/// of <see cref="TokenFilter.Filter"/> and <see cref="Token"/>, and compared with the fact's expected fields.
/// </summary>
/// <remarks>
/// Cases about filtering or membership that need the emulated kernel (handles, thread impersonation) are not faked
/// here; <see cref="KernelFactsTests"/> runs them, with every other token_api case, on the kernel:
/// <list type="bullet">
/// <item>tok-28: CheckTokenMembership(NULL, ...) on a thread that is not impersonating (the call duplicates the
/// thread's primary token).</item>
/// <item>tok-54: DuplicateHandle while impersonating a token whose matching SID is deny-only (the check uses the
/// thread's effective token).</item>
/// <item>tok-51, its linked-token half (TokenLinkedToken opens a handle to the other half of a split token) and its
/// DuplicateTokenEx half; the CreateRestrictedToken elevation type is checked here too.</item>
/// </list>
/// The other token_api cases (OpenThreadToken, DuplicateToken, NtAdjustGroupsToken, SetTokenInformation ...) are
/// not about filtering.
/// </remarks>
public sealed class TokenFilterFactsTests(ITestOutputHelper output)
{
    /// <summary>Filtering and membership facts that only the emulated kernel can check (and tok-51's linked-token half); see <see cref="KernelFactsTests"/>.</summary>
    public static readonly string[] KernelIds = ["tok-28", "tok-54"];

    private static readonly Dictionary<string, Func<JsonElement, string?>> Checks = new()
    {
        ["tok-29"] = DisabledGroupIsNoLongerAMember,
        ["tok-30"] = PrimaryStaysPrimary,
        ["tok-31"] = DeletedPrivilegeIsGone,
        ["tok-32"] = AbsentSidsAndPrivilegesAreIgnored,
        ["tok-33"] = RestrictingSidWithAttributesIsRefused,
        ["tok-51"] = ElevationTypeIsKept,
    };

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Scenario(JsonElement fact) => Str(fact.GetProperty("input"), "scenario") ?? "";

    private static JsonElement Expected(JsonElement fact) => fact.GetProperty("expected");

    private static string TypeName(TokenType type) => type == TokenType.Primary ? "TokenPrimary" : "TokenImpersonation";

    private static string LevelName(SecurityImpersonationLevel level) => "Security" + level;

    private static Token Filter(Token token, IEnumerable<Sid>? disable = null, IEnumerable<Luid>? delete = null)
    {
        var status = TokenFilter.Filter(token, FilterTokenFlags.None, disable?.Select(s => new SidAndAttributes(s, GroupAttributes.None)), delete, null, out var filtered);
        if (status != NtStatus.Success || filtered is null) throw new InvalidOperationException("filtering failed: " + status.Name);
        return filtered;
    }

    // "CreateRestrictedToken(impersonation token, 0, SidsToDisable=[an enabled group], ...) then
    // CheckTokenMembership(new, that group)": not a member, the group deny-only and not enabled, type and level kept.
    private static string? DisabledGroupIsNoLongerAMember(JsonElement fact)
    {
        if (!Scenario(fact).Contains("impersonation token", StringComparison.Ordinal)) return "the scenario no longer filters an impersonation token";
        var expected = Expected(fact);
        var token = TestTokens.Alice_();
        var group = WellKnownSids.BuiltinUsers;
        if (token.Type != TokenType.Impersonation || !token.CheckMembership(group)) return "setup: the group is not an enabled member of the impersonation token";
        var filtered = Filter(token, [group]);

        bool wantMember = expected.GetProperty("is_member").GetBoolean();
        if (filtered.CheckMembership(group) != wantMember) return $"CheckMembership {filtered.CheckMembership(group)}, Windows {wantMember}";
        var attributes = filtered.Groups.Single(g => g.Sid == group).Attributes;
        string wantAttributes = Str(expected, "group_attributes")!;
        if (wantAttributes.Contains("USE_FOR_DENY_ONLY set", StringComparison.Ordinal) != ((attributes & GroupAttributes.UseForDenyOnly) != 0)) return $"attributes {attributes}, Windows {wantAttributes}";
        if (wantAttributes.Contains("ENABLED cleared", StringComparison.Ordinal) == ((attributes & GroupAttributes.Enabled) != 0)) return $"attributes {attributes}, Windows {wantAttributes}";
        if (TypeName(filtered.Type) != Str(expected, "TokenType")) return $"type {TypeName(filtered.Type)}, Windows {Str(expected, "TokenType")}";
        if (LevelName(filtered.ImpersonationLevel) != Str(expected, "ImpersonationLevel")) return $"level {LevelName(filtered.ImpersonationLevel)}, Windows {Str(expected, "ImpersonationLevel")}";
        // The rest of the token is untouched: the user and the other groups are still members.
        if (!filtered.CheckMembership(TestTokens.Alice) || !filtered.CheckMembership(WellKnownSids.World)) return "filtering one group changed the membership of others";
        return null;
    }

    // "CreateRestrictedToken(primary token, 0, SidsToDisable=[group])": still a primary token.
    private static string? PrimaryStaysPrimary(JsonElement fact)
    {
        var b = TestTokens.AliceBuilder();
        b.Type = TokenType.Primary;
        var filtered = Filter(b.Build(), [WellKnownSids.BuiltinUsers]);
        string want = Str(Expected(fact), "TokenType")!;
        return TypeName(filtered.Type) == want ? null : $"type {TypeName(filtered.Type)}, Windows {want}";
    }

    // "CreateRestrictedToken(token, 0, 0, NULL, PrivilegesToDelete=[an enabled privilege], 0, NULL)": the privilege is
    // absent from the new token and PrivilegeCheck for it fails.
    private static string? DeletedPrivilegeIsGone(JsonElement fact)
    {
        var expected = Expected(fact);
        var token = TestTokens.Alice_();
        var privilege = Privileges.ChangeNotify;
        if (!token.IsPrivilegeEnabled(privilege)) return "setup: the privilege is not enabled";
        var filtered = Filter(token, delete: [privilege]);
        bool wantPresent = Str(expected, "privilege_in_new_token") != "absent";
        if (filtered.HasPrivilege(privilege) != wantPresent) return $"privilege {(filtered.HasPrivilege(privilege) ? "present" : "absent")}, Windows {Str(expected, "privilege_in_new_token")}";
        // PrivilegeCheck with one privilege succeeds exactly when the token has it enabled.
        bool wantCheck = expected.GetProperty("PrivilegeCheck").GetBoolean();
        if (filtered.IsPrivilegeEnabled(privilege) != wantCheck) return $"PrivilegeCheck {filtered.IsPrivilegeEnabled(privilege)}, Windows {wantCheck}";
        // The other privileges are kept as they were.
        if (!filtered.Privileges.SequenceEqual(token.Privileges.Where(p => p.Luid != privilege))) return "other privileges changed";
        return null;
    }

    // "CreateRestrictedToken with SidsToDisable=[SID not in token] and PrivilegesToDelete=[LUID not in token]":
    // succeeds, and (as there is nothing to act on) changes nothing.
    private static string? AbsentSidsAndPrivilegesAreIgnored(JsonElement fact)
    {
        var token = TestTokens.Alice_();
        var absentSid = TestTokens.Bob;
        var absentPrivilege = Privileges.Debug;
        if (token.TryGetSidAttributes(absentSid, out _) || token.HasPrivilege(absentPrivilege)) return "setup: the SID or privilege is in the token";
        var status = TokenFilter.Filter(token, FilterTokenFlags.None, [new SidAndAttributes(absentSid, GroupAttributes.None)], [absentPrivilege], null, out var filtered);
        bool want = Str(Expected(fact), "result") == "TRUE";
        if ((status == NtStatus.Success) != want) return $"status {status.Name}, Windows result {Str(Expected(fact), "result")}";
        if (filtered is null) return "no token";
        if (filtered.User != token.User || !filtered.Groups.SequenceEqual(token.Groups) || !filtered.Privileges.SequenceEqual(token.Privileges) || filtered.IsRestricted)
            return "filtering with absent SIDs and privileges changed the token";
        return null;
    }

    // "SeFilterToken RestrictedSids=[S-1-5-1] with Attributes=SE_GROUP_ENABLED": STATUS_INVALID_PARAMETER (Windows
    // sets the attributes of restricting SIDs itself and wants them zero).
    private static string? RestrictingSidWithAttributesIsRefused(JsonElement fact)
    {
        const string sidText = "S-1-5-1";
        if (!Scenario(fact).Contains(sidText, StringComparison.Ordinal) || !Scenario(fact).Contains("SE_GROUP_ENABLED", StringComparison.Ordinal)) return "the scenario changed";
        var status = TokenFilter.Filter(TestTokens.Alice_(), FilterTokenFlags.None, null, null, [new SidAndAttributes(Sid.Parse(sidText), GroupAttributes.Enabled)], out var filtered);
        string want = Str(Expected(fact), "ntstatus")!;
        if (status.Name != want) return $"status {status.Name}, Windows {want}";
        if (filtered is not null) return "a token was produced";
        // The same SID with zero attributes is accepted and gets the attributes Windows gives it.
        if (TokenFilter.Filter(TestTokens.Alice_(), FilterTokenFlags.None, null, null, [new SidAndAttributes(Sid.Parse(sidText), GroupAttributes.None)], out var ok) != NtStatus.Success
            || ok!.RestrictedSids.Single().Attributes != (GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled))
            return "the SID with zero attributes is not accepted as a restricting SID";
        return null;
    }

    // "DuplicateTokenEx / CreateRestrictedToken (no changes) of a token": the elevation type is the source's.
    // Only the CreateRestrictedToken half without the linked token is checked; see the remarks.
    private static string? ElevationTypeIsKept(JsonElement fact)
    {
        if (Str(Expected(fact), "elevation_type") != "same as source") return "the expected elevation type changed";
        foreach (var type in Enum.GetValues<TokenElevationType>())
        {
            var b = TestTokens.AliceBuilder();
            b.ElevationType = type;
            var source = b.Build();
            var filtered = Filter(source);
            if (filtered.ElevationType != type) return $"{type} became {filtered.ElevationType}";
            if (filtered.IsRestricted || filtered.Groups.Length != source.Groups.Length) return "filtering with no changes changed the token";
        }
        return null;
    }

    [ConformanceFact]
    public void FilteringFactsMatchWindows()
    {
        var facts = ConformanceData.FactsOfKind("token_api").ToDictionary(f => f.GetProperty("id").GetString()!);
        int passed = 0;
        var failures = new List<string>();
        foreach (var (id, check) in Checks)
        {
            string? failure;
            try
            {
                failure = facts.TryGetValue(id, out var fact) ? check(fact) : "not in facts.jsonl";
            }
            catch (Exception ex)
            {
                failure = "threw " + ex.GetType().Name + ": " + ex.Message;
            }
            if (failure is null) passed++;
            else failures.Add($"{id}: {failure}");
        }
        ConformanceData.Report(output, $"facts.jsonl token_api filtering (tok-51 without its linked token; on the kernel only: {string.Join(", ", KernelIds)})", passed, Checks.Count, failures);
        Assert.Empty(failures);
        // The kernel list names real cases, so it stays honest as the corpus changes.
        Assert.All(KernelIds, id => Assert.True(facts.ContainsKey(id), id + " is not in facts.jsonl"));
    }
}
