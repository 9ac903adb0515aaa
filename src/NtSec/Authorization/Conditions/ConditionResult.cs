using NtSec.Claims;

namespace NtSec.Authorization.Conditions;

/// <summary>The three values of a conditional expression (MS-DTYP 2.4.4.17).</summary>
public enum ConditionValue : byte
{
    /// <summary>The condition does not hold.</summary>
    False = 0,
    /// <summary>The condition holds.</summary>
    True = 1,
    /// <summary>The condition cannot be decided (a missing attribute, a type mismatch, malformed byte code ...).</summary>
    Unknown = 2,
}

/// <summary>Why an operator gave the value it gave.</summary>
public enum ConditionReason : byte
{
    /// <summary>The operator was evaluated on operands of matching types.</summary>
    Evaluated,
    /// <summary>An operand names an attribute the token or the object does not have.</summary>
    AttributeMissing,
    /// <summary>An operand names an attribute present with no value.</summary>
    AttributeHasNoValue,
    /// <summary>The operands' value types cannot be compared (a string against a number, a boolean against an integer ...).</summary>
    TypeMismatch,
    /// <summary>An ordering operator (&lt;, &lt;=, &gt;, &gt;=) met an operand holding more or fewer than one value.</summary>
    NotASingleValue,
    /// <summary>Any_of / Not_Any_of met a single literal on its right; Windows wants a {...} list or an attribute there.</summary>
    RightNotASet,
    /// <summary>A membership operator's operand is not SID(...) or a non-empty {...} list of SID(...).</summary>
    NotSids,
    /// <summary>Exists / Not_Exists applied to something that is not an attribute.</summary>
    NotAnAttribute,
    /// <summary>A logical operator's operand cannot be read as a boolean (a literal, a SID or FQBN attribute).</summary>
    NotBoolean,
    /// <summary>An operand of a logical operator was UNKNOWN.</summary>
    OperandUnknown,
    /// <summary>Observed Windows behaviour: an attribute, then '!' applied directly to an attribute, under &amp;&amp; or || is UNKNOWN.</summary>
    NegatedAttributeOnTheRight,
    /// <summary>An operand is the result of an operator where a value was expected.</summary>
    NotAValue,
    /// <summary>The byte code is not a well-formed expression (or the callback ACE carries no "artx" condition).</summary>
    Malformed,
    /// <summary>The evaluation exceeded its work budget (huge value lists); it stops and fails closed.</summary>
    TooComplex,
}

/// <summary>Where an attribute operand was looked up.</summary>
public enum ConditionAttributeSource : byte
{
    /// <summary>Not an attribute.</summary>
    None,
    /// <summary>A local attribute (a bare name): supplied by the caller of the check, none in a kernel check.</summary>
    Local,
    /// <summary>@User.: the token's user claims.</summary>
    User,
    /// <summary>@Resource.: the object's resource attributes (RA ACEs of its SACL).</summary>
    Resource,
    /// <summary>@Device.: the token's device claims.</summary>
    Device,
}

/// <summary>The kind of an operand on the evaluation stack.</summary>
public enum ConditionOperandKind : byte
{
    /// <summary>The TRUE / FALSE / UNKNOWN result of an operator.</summary>
    Result,
    /// <summary>An attribute reference.</summary>
    Attribute,
    /// <summary>An integer literal.</summary>
    Integer,
    /// <summary>A string literal.</summary>
    String,
    /// <summary>An octet string literal.</summary>
    OctetString,
    /// <summary>A SID literal.</summary>
    Sid,
    /// <summary>A {...} list of literals.</summary>
    Composite,
}

/// <summary>One operand of an explained operator.</summary>
/// <param name="Kind">What the operand is.</param>
/// <param name="Source">For an attribute, where it was looked up.</param>
/// <param name="Name">For an attribute, its name.</param>
/// <param name="Found">For an attribute, whether it was found (and not disabled, nor deny-only in an allow ACE).</param>
/// <param name="ValueType">For a found attribute, its claim value type.</param>
/// <param name="Count">How many values (attribute, list) it holds; 1 for a single literal.</param>
/// <param name="Value">For a result, its value.</param>
public readonly record struct ConditionOperand(ConditionOperandKind Kind, ConditionAttributeSource Source, string? Name, bool Found, ClaimValueType? ValueType, int Count, ConditionValue Value);

/// <summary>One operator of an explained evaluation, in the order the byte code ran it.</summary>
/// <param name="Offset">The operator's byte offset in the application data.</param>
/// <param name="Operator">The operator's SDDL spelling.</param>
/// <param name="Value">What it gave.</param>
/// <param name="Reason">Why.</param>
/// <param name="Left">Its (left) operand.</param>
/// <param name="Right">Its right operand, for a binary operator.</param>
public sealed record ConditionStep(int Offset, string Operator, ConditionValue Value, ConditionReason Reason, ConditionOperand Left, ConditionOperand? Right);

/// <summary>
/// The account of one evaluation: every operator with its value and reason, and the final value. Pass one to
/// <see cref="ConditionEvaluator.Evaluate"/> to record; without one, the evaluation records and allocates nothing.
/// </summary>
public sealed class ConditionTrace
{
    /// <summary>The operators, in evaluation order.</summary>
    public List<ConditionStep> Steps { get; } = [];

    /// <summary>The condition's value.</summary>
    public ConditionValue Value { get; internal set; }

    /// <summary>Why the whole expression has its value (Malformed or TooComplex when it did not run to its end).</summary>
    public ConditionReason Reason { get; internal set; }

    /// <summary>The root operand when the expression is a bare attribute (no operator ran).</summary>
    public ConditionOperand? Root { get; internal set; }
}
