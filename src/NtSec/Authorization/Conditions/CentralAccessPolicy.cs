using System.Collections.Immutable;
using System.Text.Json;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Authorization.Conditions;

/// <summary>One central access rule (msAuthz-CentralAccessRule): where it applies and the DACLs it enforces.</summary>
/// <param name="Name">The rule's name.</param>
/// <param name="AppliesTo">The compiled AppliesTo condition ("artx" byte code); null: every resource.</param>
/// <param name="AppliesToText">The condition as it was given, for display.</param>
/// <param name="EffectiveDacl">The DACL of the rule's effective descriptor (msAuthz-EffectiveSecurityPolicy).</param>
/// <param name="StagedDacl">The DACL of the proposed descriptor (msAuthz-ProposedSecurityPolicy); null: not staged.</param>
public sealed record CentralAccessRule(string Name, byte[]? AppliesTo, string? AppliesToText, Acl? EffectiveDacl, Acl? StagedDacl);

/// <summary>A central access policy (msAuthz-CentralAccessPolicy): its CAPID, which SP ACEs name, and its rules.</summary>
/// <param name="Id">The CAPID (S-1-17-...).</param>
/// <param name="Name">The policy's name.</param>
/// <param name="Rules">Its rules, each of which may only take access away.</param>
public sealed record CentralAccessPolicy(Sid Id, string Name, ImmutableArray<CentralAccessRule> Rules)
{
    /// <summary>The DACL of the recovery policy: full control for Administrators, SYSTEM and the owner (OWNER RIGHTS).</summary>
    public const string RecoveryDacl = "D:(A;;FA;;;BA)(A;;FA;;;SY)(A;;FA;;;OW)";

    /// <summary>
    /// The policy Windows applies when an SP ACE names a CAPID the machine does not know (MS-DTYP 2.5.3.1.4
    /// GetCentralizedAccessPolicy: "the implementation-specific local recovery policy"; <see cref="RecoveryDacl"/>,
    /// see docs/conditions.md for the evidence).
    /// </summary>
    public static CentralAccessPolicy Recovery(Sid id) =>
        new(id, "recovery policy", [new CentralAccessRule("recovery rule", null, null, SddlParser.Parse(RecoveryDacl).Dacl, null)]);

    /// <summary>
    /// Reads a JSON list of policies: <c>[{"id": "S-1-17-...", "name": "...", "rules": [{"name": "...",
    /// "appliesTo": "(condition)" or null, "effectiveSd": "SDDL", "stagedSd": "SDDL" or null}]}]</c>. The
    /// snake_case spellings (<c>applies_to</c>, <c>effective_sd</c>, <c>staged_sd</c>) are read too. A single
    /// policy object is taken as a list of one.
    /// </summary>
    public static bool TryReadList(JsonElement element, SidContext? context, out ImmutableArray<CentralAccessPolicy> policies, out ParseError? error)
    {
        policies = [];
        error = null;
        var list = ImmutableArray.CreateBuilder<CentralAccessPolicy>();
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (!TryRead(element, "[0]", context, out var one, out error)) return false;
            list.Add(one!);
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in element.EnumerateArray())
            {
                if (!TryRead(item, $"[{i++}]", context, out var p, out error)) return false;
                list.Add(p!);
            }
        }
        else
        {
            error = new ParseError(ParseErrorKind.WrongType, ParseLocation.AtPath(""), "expected a list of central access policies");
            return false;
        }
        policies = list.ToImmutable();
        return true;
    }

    private static bool TryRead(JsonElement e, string path, SidContext? context, out CentralAccessPolicy? policy, out ParseError? error)
    {
        policy = null;
        error = null;
        if (e.ValueKind != JsonValueKind.Object)
        {
            error = At(ParseErrorKind.WrongType, path, "expected a policy object");
            return false;
        }
        ParseError? sidError = null;
        if (!e.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || !SddlSidAliases.TryParseSid(id.GetString()!, context, out var sid, out sidError))
        {
            var kind = sidError?.Kind ?? (id.ValueKind == JsonValueKind.Undefined ? ParseErrorKind.Missing : ParseErrorKind.WrongType);
            error = At(kind, path + ".id", "a policy needs its CAPID as a SID string");
            return false;
        }
        string name = e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : sid.ToString();
        var rules = ImmutableArray.CreateBuilder<CentralAccessRule>();
        if (e.TryGetProperty("rules", out var rs) && rs.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var r in rs.EnumerateArray())
            {
                string rp = $"{path}.rules[{i++}]";
                if (r.ValueKind != JsonValueKind.Object)
                {
                    error = At(ParseErrorKind.WrongType, rp, "expected a rule object");
                    return false;
                }
                string ruleName = Text(r, "name") ?? $"rule {i}";
                string? applies = Text(r, "appliesTo") ?? Text(r, "applies_to");
                byte[]? code = null;
                if (!string.IsNullOrWhiteSpace(applies) && !ConditionalExpressions.TryCompile(applies, 0, context, out code, out var pe))
                {
                    error = At(pe!.Kind, rp + ".appliesTo", $"{pe.Reason} (at {pe.Position})");
                    return false;
                }
                string? eff = Text(r, "effectiveSd") ?? Text(r, "effective_sd");
                if (eff is null)
                {
                    error = At(ParseErrorKind.Missing, rp + ".effectiveSd", "a rule needs its effective descriptor in SDDL");
                    return false;
                }
                if (!TryDacl(eff, rp + ".effectiveSd", context, out var effective, out error)) return false;
                Acl? staged = null;
                string? st = Text(r, "stagedSd") ?? Text(r, "staged_sd");
                if (st is not null && !TryDacl(st, rp + ".stagedSd", context, out staged, out error)) return false;
                rules.Add(new CentralAccessRule(ruleName, code, applies, effective, st is null ? null : staged));
            }
        }
        else if (e.TryGetProperty("rules", out _))
        {
            error = At(ParseErrorKind.WrongType, path + ".rules", "expected a list of rules");
            return false;
        }
        policy = new CentralAccessPolicy(sid, name, rules.ToImmutable());
        return true;
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool TryDacl(string sddl, string path, SidContext? context, out Acl? dacl, out ParseError? error)
    {
        dacl = null;
        error = null;
        if (!SddlParser.TryParse(sddl, context, out var sd, out var pe))
        {
            error = At(pe!.Kind, path, $"{pe.Reason} (at {pe.Position})", pe.Win32Error);
            return false;
        }
        if (sd!.DaclState != AclState.Present)
        {
            // A rule without a DACL would grant everything; Windows' rule editor always writes one.
            error = At(ParseErrorKind.Missing, path, "the descriptor has no DACL");
            return false;
        }
        dacl = sd.Dacl;
        return true;
    }

    // The JSON path is the location; the SDDL offset inside a string value stays in the reason, as before.
    private static ParseError At(ParseErrorKind kind, string path, string reason, int win32Error = 0) => new(kind, ParseLocation.AtPath(path), reason, win32Error);
}
