using System.Text.Json;
using NtSec.Authorization;
using NtSec.Principals;
using NtSec.Sddl;
using Xunit.Abstractions;

namespace NtSec.Tests.Conformance;

/// <summary>The access_check, access_check_by_type and access_check_result_list cases of facts.jsonl.</summary>
public sealed class AccessCheckFactsTests(ITestOutputHelper output)
{
    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static NtStatus StatusFromLastError(string text)
    {
        // "ERROR_GENERIC_NOT_MAPPED (1360)" -> the NTSTATUS whose Win32 mapping is 1360.
        int open = text.IndexOf('('), close = text.IndexOf(')');
        int code = int.Parse(text[(open + 1)..close], System.Globalization.CultureInfo.InvariantCulture);
        foreach (var s in new[] { NtStatus.GenericNotMapped, NtStatus.NoImpersonationToken, NtStatus.BadImpersonationLevel, NtStatus.InvalidSecurityDescriptor, NtStatus.AccessDenied, NtStatus.PrivilegeNotHeld, NtStatus.InvalidParameter })
            if (s.ToWin32Error() == code) return s;
        throw new InvalidOperationException("no status for " + text);
    }

    private string? Check(JsonElement fact)
    {
        var input = fact.GetProperty("input");
        var expected = fact.GetProperty("expected");
        var sd = SddlParser.Parse(Str(input, "sd_sddl")!);
        var token = FactTokens.Build(input.GetProperty("token"));
        uint desired = Convert.ToUInt32(Str(input, "desired"), 16);
        var mapping = FactTokens.Mapping(input.GetProperty("generic_mapping"));
        var types = FactTokens.ObjectTypes(input);
        Sid? self = Str(input, "principal_self") is { } ps ? Sid.Parse(ps) : null;

        if (expected.TryGetProperty("per_node", out var perNode))
        {
            var granted = new uint[types.Length];
            var statuses = new NtStatus[types.Length];
            var r = AccessCheck.CheckResultList(sd, token, desired, mapping, types, granted, statuses, self);
            if (r.Status.Name != Str(expected, "ntstatus")) return $"call status {r.Status.Name}, Windows {Str(expected, "ntstatus")}";
            int i = 0;
            foreach (var node in perNode.EnumerateArray())
            {
                if (statuses[i].Name != Str(node, "status") || granted[i] != Convert.ToUInt32(Str(node, "granted"), 16))
                    return $"node {i}: {statuses[i].Name} 0x{granted[i]:x8}, Windows {Str(node, "status")} {Str(node, "granted")}";
                i++;
            }
            return null;
        }

        var result = AccessCheck.Check(sd, token, desired, mapping, types, self);
        if (Str(expected, "ntstatus") is { } nt)
        {
            if (result.Status.Name != nt) return $"call status {result.Status.Name}, Windows {nt}";
        }
        else if (expected.TryGetProperty("api_return", out var ret) && !ret.GetBoolean())
        {
            var want = StatusFromLastError(Str(expected, "last_error")!);
            return result.Status == want ? null : $"call status {result.Status.Name}, Windows {want.Name}";
        }
        else if (result.Status != NtStatus.Success) return $"call failed with {result.Status.Name}";

        if (expected.TryGetProperty("access_status", out var access))
        {
            bool wantGranted = access.ValueKind == JsonValueKind.String ? access.GetString() == "STATUS_SUCCESS" : access.GetBoolean();
            if (result.IsGranted != wantGranted) return $"access {(result.IsGranted ? "granted" : "denied")} ({result.AccessStatus.Name}), Windows {(wantGranted ? "grants" : "denies")}";
        }
        if (Str(expected, "granted") is { } g && result.GrantedAccess != Convert.ToUInt32(g, 16)) return $"granted 0x{result.GrantedAccess:x8}, Windows {g}";
        if (Str(expected, "last_error") is { } le && !result.IsGranted)
        {
            var want = StatusFromLastError(le);
            if (result.AccessStatus != want) return $"access status {result.AccessStatus.Name}, Windows {want.Name}";
        }
        if (expected.TryGetProperty("privilege_set", out var privs))
        {
            bool security = Str(privs, "privilege") == "SeSecurityPrivilege";
            if (security != ((result.PrivilegesUsed & PrivilegesUsed.Security) != 0)) return $"privileges used {result.PrivilegesUsed}, Windows {privs}";
        }
        return null;
    }

    [ConformanceTheory]
    [InlineData("access_check")]
    [InlineData("access_check_by_type")]
    [InlineData("access_check_result_list")]
    public void MatchesWindows(string kind)
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var fact in ConformanceData.FactsOfKind(kind))
        {
            total++;
            string? failure;
            try
            {
                failure = Check(fact);
            }
            catch (Exception ex)
            {
                failure = "threw " + ex;
            }
            if (failure is null) passed++;
            else failures.Add($"{fact.GetProperty("id").GetString()}: {failure}");
        }
        ConformanceData.Report(output, "facts.jsonl " + kind, passed, total, failures);
        Assert.True(total > 0);
        Assert.Empty(failures);
    }
}
