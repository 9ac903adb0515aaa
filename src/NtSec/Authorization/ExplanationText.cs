using System.Text;
using NtSec.Acls;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Authorization;

/// <summary>
/// The one English rendering of an <see cref="AccessCheckExplanation"/>. The check records typed steps; every text
/// a user reads about them (the CLI, the scenario runner, <see cref="ExplanationStep.Message"/>) comes from here.
/// </summary>
public static class ExplanationText
{
    /// <summary>
    /// The explanation as indented text: a title line per stage, then one line per step (a step about an ACE starts
    /// with <c>#index</c> and the ACE in SDDL).
    /// </summary>
    /// <param name="explanation">The explanation.</param>
    /// <param name="type">The object type whose right names are used; null writes masks in hexadecimal.</param>
    /// <param name="names">The best name known for a SID (names the user gave); null, or a null answer, falls back to the well-known catalogue.</param>
    /// <param name="width">Lines longer than this are wrapped at spaces, continuation lines indented; 0 does not wrap.</param>
    public static string Render(AccessCheckExplanation explanation, ObjectTypeInfo? type = null, Func<Sid, string?>? names = null, int width = 0)
    {
        var sb = new StringBuilder();
        ExplanationStage? current = null;
        foreach (var step in explanation.Steps)
        {
            if (step.Stage != current)
            {
                current = step.Stage;
                sb.Append(StageTitle(step.Stage)).Append('\n');
            }
            if (step.Kind == ExplanationStepKind.Result && !step.Applied && step.Missing != 0)
                Append(sb, "requested and not granted: " + Rights(step.Missing, type), width);
            string text = step.Kind == ExplanationStepKind.Intersection ? Intersection(explanation, step, type) : DescribeIn(step, type, names, explanation.ObjectTypes.Count);
            Append(sb, text, width);
        }
        return sb.ToString();
    }

    /// <summary>One step in English, without its stage title or indentation.</summary>
    /// <param name="step">The step.</param>
    /// <param name="type">The object type whose right names are used; null writes masks in hexadecimal.</param>
    /// <param name="names">The best name known for a SID; null falls back to the well-known catalogue.</param>
    public static string Describe(ExplanationStep step, ObjectTypeInfo? type = null, Func<Sid, string?>? names = null)
        => DescribeIn(step, type, names, -1);

    /// <summary>The title line of a stage (<c>DACL (token SIDs):</c>).</summary>
    public static string StageTitle(ExplanationStage stage) => stage switch
    {
        ExplanationStage.Request => "request:",
        ExplanationStage.Privileges => "privileges:",
        ExplanationStage.Integrity => "integrity:",
        ExplanationStage.Dacl => "DACL (token SIDs):",
        ExplanationStage.RestrictedPass => "DACL again (restricting SIDs; both passes must grant):",
        ExplanationStage.WriteRestrictedPass => "DACL again (restricting SIDs, write rights only):",
        ExplanationStage.AppContainerPass => "DACL again (AppContainer package and capabilities):",
        _ => "result:",
    };

    // listLength: the object type list's length when known (-1 when describing a step on its own).
    private static string DescribeIn(ExplanationStep step, ObjectTypeInfo? type, Func<Sid, string?>? names, int listLength)
    {
        string Who(Sid? sid) => sid is { } s ? Name(s, names) : "?";
        switch (step.Kind)
        {
            case ExplanationStepKind.Request:
                string flavor = (step.Flavor & TokenFlavor.WriteRestricted) != 0 ? "write-restricted " : (step.Flavor & TokenFlavor.Restricted) != 0 ? "restricted " : "";
                if ((step.Flavor & TokenFlavor.AppContainer) != 0) flavor += "AppContainer ";
                return $"{flavor}token of {Who(step.Sid)} asks for 0x{step.Mask:x8}{(step.MaximumAllowed ? " (MAXIMUM_ALLOWED)" : "")}";
            case ExplanationStepKind.Refused:
                return $"{step.Status.Name}: {Refusal(step.Refusal)}";
            case ExplanationStepKind.EmptyRequest:
                return "nothing was requested; Windows denies an empty request";
            case ExplanationStepKind.PrivilegeGranted:
                return $"{PrivilegeName(step.Privilege)} grants {Rights(step.Mask, type)}";
            case ExplanationStepKind.PrivilegeMissing:
                return $"{Rights(step.Mask, type)} needs {PrivilegeName(step.Privilege)}, which the token {(step.PrivilegeHeld ? "holds but has not enabled" : "does not hold")}";
            case ExplanationStepKind.IntegrityUnlimited:
                if (step.Label is null) return "the token's mandatory policy has no NO_WRITE_UP: no integrity limit";
                return $"token integrity {Who(step.Sid)} is at least the {LabelKind(step)} {Who(step.Label)}: no integrity limit";
            case ExplanationStepKind.IntegrityLimited:
                return $"token integrity {Who(step.Sid)} is below the {LabelKind(step)} {Who(step.Label)} (policy {LabelPolicy(step.LabelPolicy)}): only {Rights(step.Mask, type)} remain possible"
                    + (step.Privilege is { } p ? $" ({PrivilegeName(p)} adds WRITE_OWNER)" : "");
            case ExplanationStepKind.IntegrityDenied:
                return $"the integrity policy forbids {Rights(step.Mask, type)} to this token";
            case ExplanationStepKind.OwnerImplied:
                return $"the token is the owner ({Who(step.Sid)}): READ_CONTROL and WRITE_DAC are implied";
            case ExplanationStepKind.OwnerRightsReplace:
                return $"the token is the owner ({Who(step.Sid)}), but the DACL has an OWNER RIGHTS ACE, which replaces the owner's implied rights";
            case ExplanationStepKind.NullDacl:
                return "the DACL is NULL: every access is granted";
            case ExplanationStepKind.NoDacl:
                return "the descriptor has no DACL: every access is granted";
            case ExplanationStepKind.Ace:
                return AceLine(step, type, names, listLength);
            case ExplanationStepKind.Condition:
                return $"#{step.AceIndex} {step.Ace}: condition {Condition(step.Condition)}"
                    + (step.ConditionTrace is { } trace && step.Ace is { } conditional ? $" ({Conditions.ConditionExplainer.Describe(conditional.ApplicationData, trace)})" : "");
            case ExplanationStepKind.AllGranted:
                return "every requested right is granted; the rest of the DACL is not read";
            case ExplanationStepKind.DeniedEarly:
                return $"the requested {Rights(step.Mask, type)} is denied before it was granted: the check ends here";
            case ExplanationStepKind.PassTotal:
                return $"this pass allows {Rights(step.Mask, type)}" + (step.Denied != 0 ? $"; it denies {Rights(step.Denied, type)}" : "");
            case ExplanationStepKind.Intersection:
                return $"granted by every pass and within the integrity limit: {Rights(step.Mask, type)}";
            case ExplanationStepKind.Result:
                if (step.Applied) return $"granted 0x{step.Mask:x8}";
                return step.Status == NtStatus.AccessDenied || step.Status == NtStatus.Success ? "access denied" : $"access denied ({step.Status.Name})";
            default:
                return step.Kind.ToString();
        }
    }

    private static string AceLine(ExplanationStep step, ObjectTypeInfo? type, Func<Sid, string?>? names, int listLength)
    {
        var sb = new StringBuilder();
        sb.Append('#').Append(step.AceIndex).Append(' ').Append(step.Ace).Append(": ");
        switch (step.Outcome)
        {
            case AceOutcome.Granted:
            case AceOutcome.Denied:
                bool allow = step.Outcome == AceOutcome.Granted;
                sb.Append(allow ? "grants " : "denies ");
                sb.Append(step.Mask == 0 ? "nothing new" : Rights(step.Mask, type));
                sb.Append(" - applies through ").Append(Name(step.Sid!.Value, names)).Append(StateSuffix(step.SidState));
                if (step.ObjectTypeNode >= 0) sb.Append("; reaches object type node [").Append(step.ObjectTypeNode).Append("] ").Append(step.ObjectType?.ToString("D"));
                if (!allow && step.Denied != 0) sb.Append("; the requested ").Append(Rights(step.Denied, type)).Append(" is denied");
                if (step.AlreadyGranted != 0) sb.Append("; ").Append(Rights(step.AlreadyGranted, type)).Append(" already granted");
                if (step.AlreadyDenied != 0) sb.Append("; ").Append(Rights(step.AlreadyDenied, type)).Append(" already denied");
                break;
            case AceOutcome.SkippedInheritOnly:
                sb.Append("skipped - inherit-only: it applies to children, not to this object");
                break;
            case AceOutcome.SkippedType:
                sb.Append("skipped - ").Append(step.Ace is { IsRaw: true } ? "an ACE of unknown type is ignored" : "not an access ACE (audit, label or attribute): ignored by the access check");
                break;
            case AceOutcome.SidNotInToken:
                sb.Append("skipped - ").Append(WhyNoMatch(step.Sid is { } s ? Name(s, names) : "?", step.SidState));
                break;
            case AceOutcome.SkippedCondition:
                sb.Append("skipped - its condition ").Append(Condition(step.Condition));
                break;
            case AceOutcome.ObjectTypeNotInList:
                sb.Append("skipped - ").Append(listLength == 0 ? "object ACE for a specific object type, and no object type list was given"
                    : $"its object type {step.Ace?.ObjectType?.ToString("D")} is not in the object type list");
                break;
        }
        return sb.ToString();
    }

    private static string StateSuffix(SidState? state) => state switch
    {
        SidState.DenyOnly => " (a deny-only SID)",
        SidState.Owner => " (OWNER RIGHTS: the token is the owner)",
        SidState.OwnerDenyOnly => " (OWNER RIGHTS: the owner SID is deny-only)",
        SidState.PackageSid => " (the package SID)",
        SidState.AllApplicationPackages => " (every AppContainer)",
        SidState.Capability => " (a capability)",
        _ => "",
    };

    private static string WhyNoMatch(string who, SidState? state) => state switch
    {
        SidState.Absent => $"{who} is not in the token",
        SidState.DenyOnly => $"{who} is deny-only in the token: it matches deny ACEs only",
        SidState.Disabled => $"{who} is in the token but disabled",
        SidState.NotRestrictingSid => $"{who} is not among the enabled restricting SIDs",
        SidState.NotAppContainerSid => $"{who} is neither the package SID, ALL APPLICATION PACKAGES nor an enabled capability",
        SidState.NotOwner => $"OWNER RIGHTS stands for the owner {who}, which the token is not",
        SidState.OwnerDenyOnly => $"OWNER RIGHTS stands for the owner {who}, which is deny-only here: it matches deny ACEs only",
        _ => $"{who} does not apply",
    };

    private static string Condition(ConditionResult? result) => result switch
    {
        ConditionResult.True => "is TRUE: the ACE applies",
        ConditionResult.False => "is FALSE: the ACE does not apply",
        ConditionResult.Unknown => "is UNKNOWN: a conditional allow does not apply, a conditional deny does",
        _ => "is not evaluated yet: a conditional allow grants nothing and a conditional deny denies (fail closed)",
    };

    private static string Refusal(RefusalReason? reason) => reason switch
    {
        RefusalReason.MalformedObjectTypeList => "the object type list is malformed (its first entry must be level 0, the only level-0 entry, and levels rise by at most one, up to 4)",
        RefusalReason.GenericRightsNotMapped => "the desired access holds generic rights; map them with the object's generic mapping first",
        RefusalReason.PrimaryToken => "the token is a primary token; an access check needs an impersonation token",
        RefusalReason.AnonymousLevel => "the token is at SecurityAnonymous; an access check needs SecurityIdentification or above",
        RefusalReason.NoOwnerOrGroup => "the security descriptor has no owner or no group",
        _ => "the arguments were refused",
    };

    // "token SIDs 0x0012019f AND restricting SIDs (writes only) 0x00120089 AND integrity 0x00120089 = ..."
    private static string Intersection(AccessCheckExplanation explanation, ExplanationStep step, ObjectTypeInfo? type)
    {
        var parts = new List<string>();
        foreach (var s in explanation.Steps)
        {
            if (s.Kind != ExplanationStepKind.PassTotal) continue;
            string pass = s.Stage switch
            {
                ExplanationStage.Dacl => "token SIDs",
                ExplanationStage.RestrictedPass => "restricting SIDs",
                ExplanationStage.WriteRestrictedPass => "restricting SIDs (write rights only)",
                _ => "AppContainer",
            };
            parts.Add($"{pass} 0x{s.Mask:x8}");
        }
        if (step.Limit != uint.MaxValue) parts.Add($"integrity limit 0x{step.Limit:x8}");
        return $"every pass must grant: {string.Join(" AND ", parts)} = {(step.Mask == 0 ? "nothing" : $"0x{step.Mask:x8} {Rights(step.Mask, type)}")}";
    }

    private static string LabelKind(ExplanationStep step) => step.ExplicitLabel ? "object's label" : "implicit label";

    private static readonly (string Name, uint Bits)[] LabelPolicyNames = [.. LabelPolicies.All.Select(p => (p.ShortName, p.Mask))];

    // Only the policy bits count in the integrity check, so only they are named.
    private static string LabelPolicy(uint mask)
    {
        var parts = new List<string>(3);
        BitNames.AppendNames(parts, mask, LabelPolicyNames);
        return parts.Count == 0 ? "none" : string.Join("|", parts);
    }

    private static string PrivilegeName(Luid? privilege) => privilege is { } p ? Privileges.NameOf(p) : "a privilege";

    /// <summary>A SID with the best name known: <c>BUILTIN\Users (S-1-5-32-545)</c>, or the bare SID.</summary>
    public static string Name(Sid sid, Func<Sid, string?>? names = null)
        => (names?.Invoke(sid) ?? WellKnownSids.GetAccountName(sid)) is { } name ? $"{name} ({sid})" : sid.ToString();

    private static string Rights(uint mask, ObjectTypeInfo? type)
    {
        if (mask == 0) return "nothing";
        if (mask == uint.MaxValue) return "every right";
        if (type is null) return $"0x{mask:x8}";
        string names = type.FormatRights(mask);
        return names.Length == 0 ? $"0x{mask:x8}" : names;
    }

    // Two spaces of indentation; a line longer than the width breaks at the last space that fits, and its
    // continuation lines are indented four more so that they read as one step.
    private static void Append(StringBuilder sb, string text, int width)
    {
        const string indent = "  ", hanging = "      ";
        if (width <= 0 || indent.Length + text.Length <= width)
        {
            sb.Append(indent).Append(text).Append('\n');
            return;
        }
        string prefix = indent;
        int start = 0;
        while (start < text.Length)
        {
            int room = width - prefix.Length;
            if (text.Length - start <= room)
            {
                sb.Append(prefix).Append(text, start, text.Length - start).Append('\n');
                break;
            }
            int cut = text.LastIndexOf(' ', start + room, room);
            // Never start a continuation line with the '|' of a list of rights.
            while (cut > start && cut + 1 < text.Length && text[cut + 1] == '|') cut = text.LastIndexOf(' ', cut - 1, cut - start);
            if (cut <= start) cut = text.IndexOf(' ', start + room);
            if (cut < 0)
            {
                sb.Append(prefix).Append(text, start, text.Length - start).Append('\n');
                break;
            }
            sb.Append(prefix).Append(text, start, cut - start).Append('\n');
            start = cut + 1;
            prefix = hanging;
        }
    }
}
