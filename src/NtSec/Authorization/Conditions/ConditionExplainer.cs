using System.Text;
using NtSec.Claims;
using NtSec.Sddl;

namespace NtSec.Authorization.Conditions;

/// <summary>The one English rendering of a <see cref="ConditionTrace"/>: the condition, its value and why.</summary>
public static class ConditionExplainer
{
    /// <summary>"condition (...) is UNKNOWN: @User.Dept is missing; ..." for an explanation line.</summary>
    /// <param name="applicationData">The ACE's application data, decompiled to show the condition.</param>
    /// <param name="trace">The evaluation's trace.</param>
    public static string Describe(ReadOnlySpan<byte> applicationData, ConditionTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var sb = new StringBuilder("condition ");
        sb.Append(ConditionalExpressions.TryDecompile(applicationData, null, out string text) ? text : "(byte code SDDL cannot spell)");
        sb.Append(" is ").Append(Name(trace.Value));
        if (trace.Reason == ConditionReason.Malformed)
            return sb.Append(ConditionalExpressions.IsConditional(applicationData) ? ": the byte code is malformed" : ": the callback ACE carries no conditional expression (\"artx\")").ToString();
        if (trace.Reason == ConditionReason.TooComplex)
            return sb.Append($": the evaluation passed its budget of {ConditionEvaluator.WorkBudget} comparisons").ToString();
        var parts = new List<string>();
        if (trace.Root is { } root) parts.Add($"{Operand(root)} read as a boolean");
        foreach (var step in trace.Steps) parts.Add(Step(step));
        if (parts.Count > 0) sb.Append(": ").Append(string.Join("; ", parts));
        return sb.ToString();
    }

    /// <summary>TRUE, FALSE or UNKNOWN.</summary>
    public static string Name(ConditionValue value) => value switch
    {
        ConditionValue.True => "TRUE",
        ConditionValue.False => "FALSE",
        _ => "UNKNOWN",
    };

    /// <summary>One operator: "@User.Dept (missing) == "Finance" is UNKNOWN (an attribute is missing)".</summary>
    public static string Step(ConditionStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        string expr = step.Right is { } r ? $"{Operand(step.Left)} {step.Operator} {Operand(r)}" : $"{step.Operator} {Operand(step.Left)}";
        string why = Reason(step);
        return $"{expr} is {Name(step.Value)}{(why.Length > 0 ? $" ({why})" : "")}";
    }

    private static string Reason(ConditionStep step) => step.Reason switch
    {
        ConditionReason.Evaluated => "",
        ConditionReason.AttributeMissing => $"{MissingName(step)} is not there",
        ConditionReason.AttributeHasNoValue => "an attribute has no value",
        ConditionReason.TypeMismatch => $"a {Type(step.Left)} cannot be compared with a {(step.Right is { } r ? Type(r) : "?")}",
        ConditionReason.NotASingleValue => "an ordering compares single values, not lists",
        ConditionReason.RightNotASet => $"{step.Operator} needs a {{...}} list or an attribute on its right",
        ConditionReason.NotSids => $"{step.Operator} takes SID(...) or a non-empty list of SID(...)",
        ConditionReason.NotAnAttribute => $"{step.Operator} takes an attribute",
        ConditionReason.NotBoolean => "an operand cannot be read as a boolean",
        ConditionReason.OperandUnknown => "an operand is UNKNOWN",
        ConditionReason.NegatedAttributeOnTheRight => "Windows gives UNKNOWN for an attribute followed by '!' applied to an attribute",
        ConditionReason.NotAValue => "an operand is a condition where a value belongs",
        ConditionReason.TooComplex => "the work budget ran out",
        _ => "malformed",
    };

    private static string MissingName(ConditionStep step)
    {
        if (step.Left is { Kind: ConditionOperandKind.Attribute, Found: false } l) return Attr(l);
        if (step.Right is { Kind: ConditionOperandKind.Attribute, Found: false } r) return Attr(r);
        return "an attribute";
    }

    private static string Attr(ConditionOperand o) => o.Source switch
    {
        ConditionAttributeSource.User => "@User.",
        ConditionAttributeSource.Device => "@Device.",
        ConditionAttributeSource.Resource => "@Resource.",
        _ => "",
    } + o.Name;

    private static string Operand(ConditionOperand o) => o.Kind switch
    {
        ConditionOperandKind.Attribute when !o.Found => $"{Attr(o)} (missing)",
        ConditionOperandKind.Attribute => $"{Attr(o)} ({TypeName(o.ValueType)} x{o.Count})",
        ConditionOperandKind.Result => Name(o.Value),
        ConditionOperandKind.Composite => $"{{{o.Count} values}}",
        ConditionOperandKind.Integer => "an integer",
        ConditionOperandKind.String => "a string",
        ConditionOperandKind.OctetString => "an octet string",
        _ => "a SID",
    };

    private static string Type(ConditionOperand o) => o.Kind switch
    {
        ConditionOperandKind.Attribute => $"{TypeName(o.ValueType)} attribute",
        ConditionOperandKind.Integer => "integer literal",
        ConditionOperandKind.String => "string literal",
        ConditionOperandKind.OctetString => "octet string literal",
        ConditionOperandKind.Sid => "SID literal",
        ConditionOperandKind.Composite => "list",
        _ => "condition",
    };

    private static string TypeName(ClaimValueType? type) => type is { } t ? NtSec.Tokens.ClaimJson.TypeName(t) : "?";
}
