using System.Text.Json;
using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using Xunit.Abstractions;

namespace NtSec.Tests.Conformance;

/// <summary>The conditional_access_check cases of conditions.jsonl (Windows DCs and file servers).</summary>
public sealed class ConditionsConformanceTests(ITestOutputHelper output)
{
    private static IReadOnlyList<JsonElement> Cases()
    {
        var list = new List<JsonElement>();
        foreach (var line in File.ReadLines(ConformanceData.PathOf("conditions.jsonl")))
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            list.Add(doc.RootElement.Clone());
        }
        return list;
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static string? Run(JsonElement fact)
    {
        var input = fact.GetProperty("input");
        var expected = fact.GetProperty("expected");
        var sd = SddlParser.Parse(Str(input, "sd_sddl")!);
        // The corpus README: a KDC's policy descriptor has no group, which AccessCheck insists on.
        if (sd.Group is null) sd = sd.WithGroup(WellKnownSids.LocalSystem);
        if (!TryToken(input.GetProperty("token"), out var token, out string? tokenError)) return $"token: {tokenError}";
        uint desired = Convert.ToUInt32(Str(input, "desired"), 16);
        var mapping = FactTokens.Mapping(input.GetProperty("generic_mapping"));
        IReadOnlyList<CentralAccessPolicy>? policies = null;
        if (input.TryGetProperty("central_access_policies", out var caps))
        {
            if (!CentralAccessPolicy.TryReadList(caps, null, out var list, out var capError)) return $"policies: {capError}";
            policies = list;
        }
        var result = CentralAccessCheck.Check(sd, token!, desired, mapping, policies).Effective;
        string wantStatus = Str(expected, "status")!;
        uint wantGranted = Convert.ToUInt32(Str(expected, "granted"), 16);
        if (result.Status != NtStatus.Success) return $"call failed: {result.Status.Name}";
        if (result.AccessStatus.Name != wantStatus || result.GrantedAccess != wantGranted)
            return $"{result.AccessStatus.Name} 0x{result.GrantedAccess:x8}, Windows {wantStatus} {Str(expected, "granted")}";
        if (Str(expected, "condition") is { } wantCondition)
        {
            // The value of the (first) conditional ACE itself, as the pair of cases pins it.
            foreach (var ace in sd.Dacl!.Aces)
            {
                if (!ace.IsCallback) continue;
                var value = ConditionEvaluator.Evaluate(ace.ApplicationData, token!, sd.Sacl, ace.IsAccessDenied);
                if (ConditionExplainer.Name(value) != wantCondition) return $"condition {ConditionExplainer.Name(value)}, Windows {wantCondition}";
                break;
            }
        }
        return null;
    }

    // A few Samba-only cases name a primary group the token does not hold, which TokenBuilder refuses: the primary
    // group plays no part in an access check, so it is dropped for them.
    private static bool TryToken(JsonElement json, out Token? token, out string? error)
    {
        error = null;
        if (TokenJson.TryRead(json, null, out token, out var e)) return true;
        if (e!.Field != "primaryGroup")
        {
            error = e.ToString();
            return false;
        }
        var fields = json.EnumerateObject().Where(p => p.Name != "primaryGroup").ToDictionary(p => p.Name, p => p.Value);
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(fields));
        if (TokenJson.TryRead(doc.RootElement, null, out token, out e)) return true;
        error = e!.ToString();
        return false;
    }

    [ConformanceFact]
    public void EveryConditionalAccessCheckMatchesWindows()
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var fact in Cases())
        {
            total++;
            string? failure;
            try
            {
                failure = Run(fact);
            }
            catch (Exception ex)
            {
                failure = "threw " + ex;
            }
            if (failure is null) passed++;
            else failures.Add($"{fact.GetProperty("id").GetString()}: {failure}");
        }
        ConformanceData.Report(output, "conditions.jsonl", passed, total, failures);
        Assert.Equal(128, total);
        Assert.Empty(failures);
    }
}
