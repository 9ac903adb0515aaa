using NtSec.Acls;
using NtSec.Principals;
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
    /// <summary>The final result: how the passes and the integrity limit combine, and what was granted.</summary>
    Result,
}

/// <summary>What an explanation step records; it says which of <see cref="ExplanationStep"/>'s fields are set.</summary>
public enum ExplanationStepKind
{
    /// <summary>The request: <see cref="ExplanationStep.Mask"/> is the desired access, <see cref="ExplanationStep.Sid"/> the token's user.</summary>
    Request,
    /// <summary>The call refused its arguments: <see cref="ExplanationStep.Status"/> and <see cref="ExplanationStep.Refusal"/>.</summary>
    Refused,
    /// <summary>Nothing was requested (no bit and no MAXIMUM_ALLOWED): Windows denies the request.</summary>
    EmptyRequest,
    /// <summary><see cref="ExplanationStep.Privilege"/> grants <see cref="ExplanationStep.Mask"/>.</summary>
    PrivilegeGranted,
    /// <summary><see cref="ExplanationStep.Mask"/> needs <see cref="ExplanationStep.Privilege"/>, which is not enabled (<see cref="ExplanationStep.PrivilegeHeld"/> says whether the token holds it).</summary>
    PrivilegeMissing,
    /// <summary>No integrity limit: the token's policy has no NO_WRITE_UP (<see cref="ExplanationStep.Label"/> null), or its level dominates the label.</summary>
    IntegrityUnlimited,
    /// <summary>The token is below the label: only <see cref="ExplanationStep.Mask"/> remains possible.</summary>
    IntegrityLimited,
    /// <summary>The integrity limit forbids requested rights: <see cref="ExplanationStep.Mask"/>; the check ends.</summary>
    IntegrityDenied,
    /// <summary>The token is the owner (<see cref="ExplanationStep.Sid"/>): READ_CONTROL and WRITE_DAC are implied.</summary>
    OwnerImplied,
    /// <summary>The token is the owner, but an OWNER RIGHTS ACE replaces the implied rights.</summary>
    OwnerRightsReplace,
    /// <summary>The DACL is NULL: <see cref="ExplanationStep.Mask"/> is granted.</summary>
    NullDacl,
    /// <summary>The descriptor has no DACL: <see cref="ExplanationStep.Mask"/> is granted.</summary>
    NoDacl,
    /// <summary>One ACE of the DACL: <see cref="ExplanationStep.Outcome"/>, the SID it was matched through and that SID's state, bits.</summary>
    Ace,
    /// <summary>A conditional (callback) ACE's condition: <see cref="ExplanationStep.Condition"/>.</summary>
    Condition,
    /// <summary>Every requested right is granted: the rest of the DACL is not read in this pass.</summary>
    AllGranted,
    /// <summary>A requested right was denied before it was granted: the pass ends.</summary>
    DeniedEarly,
    /// <summary>A pass's totals: <see cref="ExplanationStep.Mask"/> allowed and <see cref="ExplanationStep.Denied"/> denied (for the object itself).</summary>
    PassTotal,
    /// <summary>
    /// How the passes combine: <see cref="ExplanationStep.Mask"/> is what every pass grants, within the integrity limit
    /// (<see cref="ExplanationStep.Limit"/>); for MAXIMUM_ALLOWED that intersection is the answer.
    /// </summary>
    Intersection,
    /// <summary>The result: <see cref="ExplanationStep.Applied"/> granted or not, <see cref="ExplanationStep.Mask"/> granted, <see cref="ExplanationStep.Missing"/> the requested rights not granted.</summary>
    Result,
}

/// <summary>What one ACE did in an access check.</summary>
public enum AceOutcome
{
    /// <summary>It applied and granted the step's bits (possibly none new: see <see cref="ExplanationStep.AlreadyDecided"/>).</summary>
    Granted,
    /// <summary>It applied and denied the step's bits.</summary>
    Denied,
    /// <summary>Skipped: inherit-only.</summary>
    SkippedInheritOnly,
    /// <summary>Skipped: not an allow or deny ACE, or of unknown type.</summary>
    SkippedType,
    /// <summary>Skipped: its SID does not apply to the token (see <see cref="ExplanationStep.SidState"/>).</summary>
    SidNotInToken,
    /// <summary>Skipped: a conditional ACE whose condition does not hold (or is not evaluated).</summary>
    SkippedCondition,
    /// <summary>Skipped: an object ACE whose object type is not in the object type list.</summary>
    ObjectTypeNotInList,
}

/// <summary>The state, in the token, of the SID an ACE was matched through.</summary>
public enum SidState
{
    /// <summary>Enabled in the token (or, for the restricted pass, an enabled restricting SID).</summary>
    Enabled,
    /// <summary>Deny-only: it matches deny ACEs, never allow ACEs.</summary>
    DenyOnly,
    /// <summary>In the token but disabled.</summary>
    Disabled,
    /// <summary>Not in the token.</summary>
    Absent,
    /// <summary>Restricted pass: not among the token's enabled restricting SIDs.</summary>
    NotRestrictingSid,
    /// <summary>AppContainer pass: the token's package SID.</summary>
    PackageSid,
    /// <summary>AppContainer pass: ALL APPLICATION PACKAGES.</summary>
    AllApplicationPackages,
    /// <summary>AppContainer pass: an enabled capability of the token.</summary>
    Capability,
    /// <summary>AppContainer pass: neither the package SID, ALL APPLICATION PACKAGES nor an enabled capability.</summary>
    NotAppContainerSid,
    /// <summary>OWNER RIGHTS: the token is the owner.</summary>
    Owner,
    /// <summary>OWNER RIGHTS: the owner SID is deny-only in the token, so only deny ACEs match.</summary>
    OwnerDenyOnly,
    /// <summary>OWNER RIGHTS: the token is not the owner.</summary>
    NotOwner,
}

/// <summary>Why the access check refused its arguments (the kind behind <see cref="ExplanationStep.Status"/>).</summary>
public enum RefusalReason
{
    /// <summary>STATUS_INVALID_PARAMETER: the object type list is malformed.</summary>
    MalformedObjectTypeList,
    /// <summary>STATUS_GENERIC_NOT_MAPPED: the desired access holds generic rights.</summary>
    GenericRightsNotMapped,
    /// <summary>STATUS_NO_IMPERSONATION_TOKEN: the token is a primary token.</summary>
    PrimaryToken,
    /// <summary>STATUS_BAD_IMPERSONATION_LEVEL: the token is at SecurityAnonymous.</summary>
    AnonymousLevel,
    /// <summary>STATUS_INVALID_SECURITY_DESCR: the descriptor has no owner or no group.</summary>
    NoOwnerOrGroup,
}

/// <summary>The value of a conditional ACE's condition, as the check used it.</summary>
public enum ConditionResult
{
    /// <summary>The condition was not evaluated: a conditional allow grants nothing and a conditional deny denies (fail closed).</summary>
    NotEvaluated,
    /// <summary>TRUE: the ACE applies.</summary>
    True,
    /// <summary>FALSE: the ACE does not apply.</summary>
    False,
    /// <summary>UNKNOWN: an allow ACE does not apply, a deny ACE does.</summary>
    Unknown,
}

/// <summary>
/// One step of an explanation, recorded where the check made the decision. <see cref="Kind"/> says which fields
/// carry data; the others keep their defaults. English comes from <see cref="ExplanationText"/>.
/// </summary>
public sealed record ExplanationStep
{
    internal ExplanationStep(ExplanationStepKind kind, ExplanationStage stage)
    {
        Kind = kind;
        Stage = stage;
    }

    /// <summary>What the step records.</summary>
    public ExplanationStepKind Kind { get; }

    /// <summary>The stage.</summary>
    public ExplanationStage Stage { get; }

    /// <summary>The ACE's index in the DACL, or -1 for a step that is not about one ACE.</summary>
    public int AceIndex { get; init; } = -1;

    /// <summary>The ACE, for ACE and condition steps.</summary>
    public Ace? Ace { get; init; }

    /// <summary>For ACE steps, what the ACE did.</summary>
    public AceOutcome? Outcome { get; init; }

    /// <summary>Whether the step allowed (true) or refused (false); for ACE steps, whether the ACE granted.</summary>
    public bool Applied { get; init; }

    /// <summary>The bits the step granted, denied, limits to or concerns (see <see cref="Kind"/>).</summary>
    public uint Mask { get; init; }

    /// <summary>For an ACE, the bits of its mapped mask already granted before it (by the owner's implied rights, a privilege or an earlier ACE).</summary>
    public uint AlreadyGranted { get; init; }

    /// <summary>For an ACE, the bits of its mapped mask already denied by an earlier ACE.</summary>
    public uint AlreadyDenied { get; init; }

    /// <summary>For an ACE, the bits of its mapped mask decided before it: <see cref="AlreadyGranted"/> and <see cref="AlreadyDenied"/>.</summary>
    public uint AlreadyDecided => AlreadyGranted | AlreadyDenied;

    /// <summary>For a deny ACE, the requested bits it denied; for a pass total, the bits the pass denied.</summary>
    public uint Denied { get; init; }

    /// <summary>For the result, the requested rights that were not granted.</summary>
    public uint Missing { get; init; }

    /// <summary>For the intersection, the integrity limit (<see cref="uint.MaxValue"/> for none).</summary>
    public uint Limit { get; init; } = uint.MaxValue;

    /// <summary>
    /// The SID the step concerns: the token SID an ACE was matched through (PRINCIPAL_SELF already replaced, the
    /// owner for OWNER RIGHTS), the owner, the token's user for the request, the token's level for integrity.
    /// </summary>
    public Sid? Sid { get; init; }

    /// <summary>For ACE steps, the state of <see cref="Sid"/> in the token, in this pass.</summary>
    public SidState? SidState { get; init; }

    /// <summary>For an object ACE, the index in the object type list of the node it reached; -1 otherwise.</summary>
    public int ObjectTypeNode { get; init; } = -1;

    /// <summary>For that node, its GUID.</summary>
    public Guid? ObjectType { get; init; }

    /// <summary>The status of a refusal or the access status of the result.</summary>
    public NtStatus Status { get; init; } = NtStatus.Success;

    /// <summary>For a refusal, why.</summary>
    public RefusalReason? Refusal { get; init; }

    /// <summary>For privilege steps, the privilege.</summary>
    public Luid? Privilege { get; init; }

    /// <summary>For <see cref="ExplanationStepKind.PrivilegeMissing"/>, whether the token holds the privilege (disabled).</summary>
    public bool PrivilegeHeld { get; init; }

    /// <summary>For integrity steps, the label's level (the implicit Medium label when <see cref="ExplicitLabel"/> is false); null when the token's policy sets no limit.</summary>
    public Sid? Label { get; init; }

    /// <summary>For integrity steps, the label's policy bits (NO_WRITE_UP 1, NO_READ_UP 2, NO_EXECUTE_UP 4).</summary>
    public uint LabelPolicy { get; init; }

    /// <summary>For integrity steps, whether the object has a label of its own.</summary>
    public bool ExplicitLabel { get; init; }

    /// <summary>For the request: whether MAXIMUM_ALLOWED was asked for.</summary>
    public bool MaximumAllowed { get; init; }

    /// <summary>For the request: the token is restricted, write-restricted, AppContainer.</summary>
    public TokenFlavor Flavor { get; init; }

    /// <summary>For condition steps, the condition's value.</summary>
    public ConditionResult? Condition { get; init; }

    /// <summary>For condition steps, every operator's value and why (missing attributes, operand types).</summary>
    public Conditions.ConditionTrace? ConditionTrace { get; init; }

    /// <summary>The step in English, from the one renderer (<see cref="ExplanationText.Describe"/>).</summary>
    public string Message => ExplanationText.Describe(this);
}

/// <summary>What kind of token asked, as far as the access check's passes go.</summary>
[Flags]
public enum TokenFlavor
{
    /// <summary>A plain token: one pass.</summary>
    Plain = 0,
    /// <summary>Restricted: a second pass with the restricting SIDs.</summary>
    Restricted = 1,
    /// <summary>Write-restricted: the second pass applies to write rights only.</summary>
    WriteRestricted = 2,
    /// <summary>AppContainer: a pass with the package SID and capabilities.</summary>
    AppContainer = 4,
}

/// <summary>
/// An ordered account of an access check's decision: each stage, each ACE visited and why it did or did not
/// apply, as typed <see cref="ExplanationStep"/> values. Pass one to <see cref="AccessCheck.Check"/>; without one,
/// the check records nothing and allocates nothing. <see cref="ExplanationText"/> renders it in English.
/// </summary>
public sealed class AccessCheckExplanation
{
    private readonly List<ExplanationStep> _steps = [];

    /// <summary>The version of the step model (kinds and fields); JSON carries it as <c>explanation.version</c>.</summary>
    public const int SchemaVersion = 1;

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

    /// <summary>The object type list the check ran with (empty for a plain check), for naming the nodes object ACEs reach.</summary>
    public IReadOnlyList<ObjectTypeEntry> ObjectTypes { get; private set; } = [];

    internal void Add(ExplanationStep step) => _steps.Add(step);

    internal void Begin(Token token, uint desired, bool maxAllowed, ReadOnlySpan<ObjectTypeEntry> objectTypes)
    {
        DesiredAccess = desired;
        ObjectTypes = objectTypes.ToArray();
        var flavor = TokenFlavor.Plain;
        if (token.IsRestricted) flavor |= token.WriteRestricted ? TokenFlavor.WriteRestricted : TokenFlavor.Restricted;
        if (token.IsAppContainer) flavor |= TokenFlavor.AppContainer;
        _steps.Add(new(ExplanationStepKind.Request, ExplanationStage.Request)
        {
            Applied = true, Mask = desired, Sid = token.User.Sid, MaximumAllowed = maxAllowed, Flavor = flavor,
        });
    }

    internal void Refused(NtStatus status, RefusalReason reason)
    {
        CallStatus = status;
        _steps.Add(new(ExplanationStepKind.Refused, ExplanationStage.Request) { Status = status, Refusal = reason });
    }

    internal void End(bool granted, uint grantedAccess, uint missing, NtStatus status)
    {
        Granted = granted;
        GrantedAccess = grantedAccess;
        _steps.Add(new(ExplanationStepKind.Result, ExplanationStage.Result) { Applied = granted, Mask = grantedAccess, Missing = missing, Status = status });
    }

    /// <summary>The explanation as indented English text (see <see cref="ExplanationText.Render"/>).</summary>
    public string ToText(ObjectTypeInfo? type = null) => ExplanationText.Render(this, type);

    /// <inheritdoc />
    public override string ToString() => ToText();
}
