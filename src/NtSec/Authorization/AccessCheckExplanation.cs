using System.Text;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Tokens;

namespace NtSec.Authorization;

/// <summary>The stage of an access check an explanation step belongs to.</summary>
public enum ExplanationStage
{
    /// <summary>The call's arguments and the request itself.</summary>
    Request,
    /// <summary>Privileges (SeSecurityPrivilege, SeTakeOwnershipPrivilege).</summary>
    Privileges,
    /// <summary>Mandatory integrity.</summary>
    Integrity,
    /// <summary>The owner's implied rights and the DACL, with the token's own SIDs.</summary>
    Dacl,
    /// <summary>The second pass of a restricted token, with its restricting SIDs.</summary>
    RestrictedPass,
    /// <summary>The second pass of a write-restricted token (write rights only).</summary>
    WriteRestrictedPass,
    /// <summary>The AppContainer pass (package SID and capabilities).</summary>
    AppContainerPass,
    /// <summary>The final result.</summary>
    Result,
}

/// <summary>What one ACE did in an access check.</summary>
public enum AceOutcome
{
    /// <summary>It applied and granted the step's bits.</summary>
    Granted,
    /// <summary>It applied and denied the step's bits.</summary>
    Denied,
    /// <summary>Skipped: inherit-only.</summary>
    SkippedInheritOnly,
    /// <summary>Skipped: not an allow or deny ACE, or of unknown type.</summary>
    SkippedType,
    /// <summary>Skipped: its SID does not apply to the token (absent, disabled, or deny-only for an allow ACE).</summary>
    SidNotInToken,
    /// <summary>Skipped: a conditional ACE whose condition does not hold (or is not evaluated).</summary>
    SkippedCondition,
    /// <summary>Skipped: an object ACE whose object type is not in the object type list.</summary>
    ObjectTypeNotInList,
}

/// <summary>One step of an explanation.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="AceIndex">The ACE's index in the DACL, or -1 for a stage-level step.</param>
/// <param name="Ace">The ACE, for ACE steps.</param>
/// <param name="Outcome">For ACE steps, what the ACE did.</param>
/// <param name="Applied">For stage steps, whether the stage allowed (true) or refused (false).</param>
/// <param name="Mask">The bits the step granted, denied or concerns.</param>
/// <param name="Message">Why, in English.</param>
public sealed record ExplanationStep(ExplanationStage Stage, int AceIndex, Ace? Ace, AceOutcome? Outcome, bool Applied, uint Mask, string Message);

/// <summary>
/// An ordered account of an access check's decision: each stage, each ACE visited and why it did or did not
/// apply. Pass one to <see cref="AccessCheck.Check"/>; without one, the check records nothing and allocates nothing.
/// </summary>
public sealed class AccessCheckExplanation
{
    private readonly List<ExplanationStep> _steps = [];

    /// <summary>The steps, in the order the check took them.</summary>
    public IReadOnlyList<ExplanationStep> Steps => _steps;

    /// <summary>The call's status when it refused its arguments, else STATUS_SUCCESS.</summary>
    public NtStatus CallStatus { get; private set; } = NtStatus.Success;

    /// <summary>True when access was granted.</summary>
    public bool Granted { get; private set; }

    /// <summary>The granted mask.</summary>
    public uint GrantedAccess { get; private set; }

    /// <summary>The desired mask of the check.</summary>
    public uint DesiredAccess { get; private set; }

    internal void Begin(SecurityDescriptor sd, Token token, uint desired, GenericMapping mapping, bool maxAllowed)
    {
        DesiredAccess = desired;
        string who = AccessCheck.Describe(token.User.Sid);
        string kind = token.IsRestricted ? (token.WriteRestricted ? "write-restricted " : "restricted ") : "";
        if (token.IsAppContainer) kind += "AppContainer ";
        _steps.Add(new(ExplanationStage.Request, -1, null, null, true, desired,
            $"{kind}token of {who} asks for 0x{desired:x8}{(maxAllowed ? " (MAXIMUM_ALLOWED)" : "")}"));
    }

    internal void Refused(NtStatus status, string why)
    {
        CallStatus = status;
        _steps.Add(new(ExplanationStage.Request, -1, null, null, false, 0, $"{status.Name}: {why}"));
    }

    internal void Stage(ExplanationStage stage, bool applied, uint mask, string message) => _steps.Add(new(stage, -1, null, null, applied, mask, message));

    internal void Note(ExplanationStage stage, string message) => _steps.Add(new(stage, -1, null, null, true, 0, message));

    internal void Ace(ExplanationStage stage, int index, Ace ace, AceOutcome outcome, uint mask, string message)
        => _steps.Add(new(stage, index, ace, outcome, outcome == AceOutcome.Granted, mask, message));

    internal void End(bool granted, uint grantedAccess)
    {
        Granted = granted;
        GrantedAccess = grantedAccess;
        _steps.Add(new(ExplanationStage.Result, -1, null, null, granted, grantedAccess, granted ? $"granted 0x{grantedAccess:x8}" : "access denied"));
    }

    /// <summary>The explanation as indented text, rights named for <paramref name="type"/> when given.</summary>
    public string ToText(ObjectTypeInfo? type = null)
    {
        var sb = new StringBuilder();
        ExplanationStage? current = null;
        foreach (var step in _steps)
        {
            if (step.Stage != current)
            {
                current = step.Stage;
                sb.Append(StageTitle(step.Stage)).Append('\n');
            }
            sb.Append("  ");
            if (step.Ace is { } ace)
            {
                string verdict = step.Outcome switch
                {
                    AceOutcome.Granted => "grants",
                    AceOutcome.Denied => "denies",
                    _ => "skipped",
                };
                sb.Append('#').Append(step.AceIndex).Append(' ').Append(ace).Append(": ").Append(verdict);
                if (step.Mask != 0 && step.Outcome is AceOutcome.Granted or AceOutcome.Denied)
                    sb.Append(' ').Append(type is null ? $"0x{step.Mask:x}" : type.FormatRights(step.Mask));
                sb.Append(" - ").Append(step.Message);
            }
            else
            {
                sb.Append(step.Message);
                if (step.Mask != 0 && step.Mask != uint.MaxValue && step.Stage != ExplanationStage.Request && step.Stage != ExplanationStage.Result && type is not null)
                    sb.Append(" [").Append(type.FormatRights(step.Mask)).Append(']');
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string StageTitle(ExplanationStage stage) => stage switch
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

    /// <inheritdoc />
    public override string ToString() => ToText();
}
