using System.Buffers;
using NtSec.Acls;
using NtSec.Authorization.Conditions;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Authorization;

/// <summary>One entry of an object type list (OBJECT_TYPE_LIST): a GUID at a level of the tree.</summary>
/// <param name="Level">0 for the object itself, 1 for a property set, 2 for a property (at most 4).</param>
/// <param name="ObjectType">The GUID.</param>
public readonly record struct ObjectTypeEntry(ushort Level, Guid ObjectType);

/// <summary>The privileges an access check used to grant access (reported in the PRIVILEGE_SET).</summary>
[Flags]
public enum PrivilegesUsed
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>SeSecurityPrivilege granted ACCESS_SYSTEM_SECURITY.</summary>
    Security = 1,
    /// <summary>SeTakeOwnershipPrivilege granted WRITE_OWNER.</summary>
    TakeOwnership = 2,
    /// <summary>SeRelabelPrivilege lifted the integrity limit on WRITE_OWNER.</summary>
    Relabel = 4,
}

/// <summary>The outcome of an access check.</summary>
/// <param name="Status">The call's own status: success, or why the arguments were refused (STATUS_GENERIC_NOT_MAPPED ...).</param>
/// <param name="AccessStatus">STATUS_SUCCESS when access is granted, else STATUS_ACCESS_DENIED or STATUS_PRIVILEGE_NOT_HELD.</param>
/// <param name="GrantedAccess">The granted rights (all desired rights, or the MAXIMUM_ALLOWED result); 0 when denied.</param>
/// <param name="PrivilegesUsed">The privileges that granted something.</param>
public readonly record struct AccessCheckResult(NtStatus Status, NtStatus AccessStatus, uint GrantedAccess, PrivilegesUsed PrivilegesUsed)
{
    /// <summary>True when the call succeeded and granted access.</summary>
    public bool IsGranted => Status == NtStatus.Success && AccessStatus == NtStatus.Success;

    internal static AccessCheckResult CallFailed(NtStatus status) => new(status, status, 0, PrivilegesUsed.None);
}

/// <summary>
/// The Security Reference Monitor's access check: <c>NtAccessCheck</c>, <c>NtAccessCheckByType</c> and
/// <c>NtAccessCheckByTypeResultList</c>, with every rule Windows applies. See <c>docs/access-check.md</c>.
/// </summary>
[System.Runtime.CompilerServices.SkipLocalsInit]
public static class AccessCheck
{
    private const int MaxObjectTypeLevel = 4;
    private const int StackNodes = 32;

    /// <summary>AccessCheck / NtAccessCheck, or AccessCheckByType when <paramref name="objectTypes"/> is given.</summary>
    /// <param name="descriptor">The object's security descriptor; it must have an owner and a group.</param>
    /// <param name="token">The client's token: an impersonation token at SecurityIdentification or above.</param>
    /// <param name="desiredAccess">The rights wanted, generic bits already mapped; MAXIMUM_ALLOWED allowed.</param>
    /// <param name="mapping">The object type's generic mapping.</param>
    /// <param name="objectTypes">An object type list (level 0 first); empty for a plain check.</param>
    /// <param name="principalSelf">The SID that replaces PRINCIPAL_SELF (S-1-5-10) in ACEs; null for none.</param>
    /// <param name="explanation">Collects the account of each decision; null (the default) costs nothing.</param>
    public static AccessCheckResult Check(
        SecurityDescriptor descriptor,
        Token token,
        uint desiredAccess,
        GenericMapping mapping,
        ReadOnlySpan<ObjectTypeEntry> objectTypes = default,
        Sid? principalSelf = null,
        AccessCheckExplanation? explanation = null)
    {
        // The common case runs on precomputed facts (FastPath/PlainAccessCheck.cs); it declines everything else.
        if (objectTypes.IsEmpty && principalSelf is null && explanation is null
            && FastPath.PlainAccessCheck.TryCheck(descriptor, token, desiredAccess, mapping, out var plain)) return plain;
        // Kept apart so that the fast path's caller has no stack buffers or finally block to set up.
        return CheckFull(descriptor, token, desiredAccess, mapping, objectTypes, principalSelf, explanation);
    }

    private static AccessCheckResult CheckFull(SecurityDescriptor descriptor, Token token, uint desiredAccess, GenericMapping mapping,
        ReadOnlySpan<ObjectTypeEntry> objectTypes, Sid? principalSelf, AccessCheckExplanation? explanation)
    {
        int n = Math.Max(1, objectTypes.Length);
        uint[]? rentedG = null;
        NtStatus[]? rentedS = null;
        Span<uint> granted = n <= StackNodes ? stackalloc uint[n] : (rentedG = ArrayPool<uint>.Shared.Rent(n));
        Span<NtStatus> statuses = n <= StackNodes ? stackalloc NtStatus[n] : (rentedS = ArrayPool<NtStatus>.Shared.Rent(n));
        try
        {
            var result = Run(descriptor, token, desiredAccess, mapping, objectTypes, principalSelf, explanation, granted[..n], statuses[..n], partialGrants: false);
            if (result.Status != NtStatus.Success || objectTypes.IsEmpty) return result;
            // AccessCheckByType reports the root of the tree.
            return result with { AccessStatus = statuses[0], GrantedAccess = granted[0] };
        }
        finally
        {
            if (rentedG is not null) ArrayPool<uint>.Shared.Return(rentedG);
            if (rentedS is not null) ArrayPool<NtStatus>.Shared.Return(rentedS);
        }
    }

    /// <summary>
    /// AccessCheckByTypeResultList: one result per entry (a denied entry reports the part of the request it was
    /// granted, as Windows does) of <paramref name="objectTypes"/>, written to
    /// <paramref name="grantedAccess"/> and <paramref name="accessStatus"/> (each as long as the list).
    /// </summary>
    /// <returns>The call's status and, for the whole object (the root), the same fields as <see cref="Check"/>.</returns>
    public static AccessCheckResult CheckResultList(
        SecurityDescriptor descriptor,
        Token token,
        uint desiredAccess,
        GenericMapping mapping,
        ReadOnlySpan<ObjectTypeEntry> objectTypes,
        Span<uint> grantedAccess,
        Span<NtStatus> accessStatus,
        Sid? principalSelf = null,
        AccessCheckExplanation? explanation = null)
    {
        if (objectTypes.IsEmpty || grantedAccess.Length < objectTypes.Length || accessStatus.Length < objectTypes.Length)
            return AccessCheckResult.CallFailed(NtStatus.InvalidParameter);
        var result = Run(descriptor, token, desiredAccess, mapping, objectTypes, principalSelf, explanation, grantedAccess[..objectTypes.Length], accessStatus[..objectTypes.Length], partialGrants: true);
        if (result.Status != NtStatus.Success) return result;
        return result with { AccessStatus = accessStatus[0], GrantedAccess = grantedAccess[0] };
    }

    /// <summary>
    /// SeAccessCheck as the object manager calls it when a handle is opened: the subject's effective token may be a
    /// primary token (a thread that is not impersonating), so the token-type and level checks of NtAccessCheck do
    /// not apply; the caller has already refused an impersonation token below SecurityImpersonation.
    /// </summary>
    internal static AccessCheckResult CheckSubject(SecurityDescriptor descriptor, Token token, uint desiredAccess, GenericMapping mapping, AccessCheckExplanation? explanation)
    {
        Span<uint> granted = stackalloc uint[1];
        Span<NtStatus> statuses = stackalloc NtStatus[1];
        return Run(descriptor, token, desiredAccess, mapping, default, null, explanation, granted, statuses, partialGrants: false, subjectContext: true);
    }

    /// <summary>Checks an object type list the way Windows does before any access is computed.</summary>
    public static NtStatus ValidateObjectTypeList(ReadOnlySpan<ObjectTypeEntry> objectTypes)
    {
        if (objectTypes.IsEmpty) return NtStatus.Success;
        if (objectTypes[0].Level != 0) return NtStatus.InvalidParameter;
        for (int i = 1; i < objectTypes.Length; i++)
        {
            int level = objectTypes[i].Level;
            // One root only; a level may rise by at most one from the entry before it; at most four levels.
            if (level == 0 || level > MaxObjectTypeLevel || level > objectTypes[i - 1].Level + 1) return NtStatus.InvalidParameter;
        }
        return NtStatus.Success;
    }

    private static AccessCheckResult Run(
        SecurityDescriptor sd,
        Token token,
        uint desired,
        GenericMapping mapping,
        ReadOnlySpan<ObjectTypeEntry> objectTypes,
        Sid? principalSelf,
        AccessCheckExplanation? explain,
        Span<uint> granted,
        Span<NtStatus> statuses,
        bool partialGrants,
        bool subjectContext = false)
    {
        // Argument checks, in Windows' order.
        var status = ValidateObjectTypeList(objectTypes);
        if (status != NtStatus.Success) return Refuse(explain, status, RefusalReason.MalformedObjectTypeList);
        if ((desired & AccessMask.GenericMask) != 0) return Refuse(explain, NtStatus.GenericNotMapped, RefusalReason.GenericRightsNotMapped);
        if (!subjectContext && token.Type != TokenType.Impersonation) return Refuse(explain, NtStatus.NoImpersonationToken, RefusalReason.PrimaryToken);
        if (!subjectContext && token.ImpersonationLevel < SecurityImpersonationLevel.Identification) return Refuse(explain, NtStatus.BadImpersonationLevel, RefusalReason.AnonymousLevel);
        if (sd.Owner is null || sd.Group is null) return Refuse(explain, NtStatus.InvalidSecurityDescriptor, RefusalReason.NoOwnerOrGroup);

        bool maxAllowed = (desired & AccessMask.MaximumAllowed) != 0;
        uint wanted = desired & ~AccessMask.MaximumAllowed;
        explain?.Begin(token, desired, maxAllowed, objectTypes);
        if (wanted == 0 && !maxAllowed)
        {
            // Windows denies a request for nothing (MS-DTYP would grant it).
            explain?.Add(new(ExplanationStepKind.EmptyRequest, ExplanationStage.Request));
            return Deny(granted, statuses, NtStatus.AccessDenied, PrivilegesUsed.None, explain, 0);
        }

        // Privileges.
        var used = PrivilegesUsed.None;
        uint privilegeGrant = 0;
        if ((wanted & AccessMask.AccessSystemSecurity) != 0)
        {
            if (!token.IsPrivilegeEnabled(Privileges.Security))
            {
                explain?.Add(new(ExplanationStepKind.PrivilegeMissing, ExplanationStage.Privileges)
                {
                    Mask = AccessMask.AccessSystemSecurity, Privilege = Privileges.Security, PrivilegeHeld = token.HasPrivilege(Privileges.Security),
                });
                return Deny(granted, statuses, NtStatus.PrivilegeNotHeld, used, explain, AccessMask.AccessSystemSecurity);
            }
            privilegeGrant |= AccessMask.AccessSystemSecurity;
            used |= PrivilegesUsed.Security;
            explain?.Add(new(ExplanationStepKind.PrivilegeGranted, ExplanationStage.Privileges) { Applied = true, Mask = AccessMask.AccessSystemSecurity, Privilege = Privileges.Security });
        }
        if ((wanted & AccessMask.WriteOwner) != 0 || maxAllowed)
        {
            if (token.IsPrivilegeEnabled(Privileges.TakeOwnership))
            {
                privilegeGrant |= AccessMask.WriteOwner;
                used |= PrivilegesUsed.TakeOwnership;
                explain?.Add(new(ExplanationStepKind.PrivilegeGranted, ExplanationStage.Privileges) { Applied = true, Mask = AccessMask.WriteOwner, Privilege = Privileges.TakeOwnership });
            }
        }

        // Mandatory integrity.
        uint mandatoryAllowed = MandatoryAllowed(sd, token, mapping, explain, ref used);
        // ACCESS_SYSTEM_SECURITY is governed by its privilege alone.
        mandatoryAllowed |= AccessMask.AccessSystemSecurity;
        if (!maxAllowed && (wanted & ~mandatoryAllowed) != 0)
        {
            explain?.Add(new(ExplanationStepKind.IntegrityDenied, ExplanationStage.Integrity) { Mask = wanted & ~mandatoryAllowed });
            return Deny(granted, statuses, NtStatus.AccessDenied, PrivilegesUsed.None, explain, wanted & ~mandatoryAllowed);
        }

        int n = granted.Length;
        uint[]? rented = null;
        Span<uint> scratch = n <= StackNodes ? stackalloc uint[n * 3] : (rented = ArrayPool<uint>.Shared.Rent(n * 3));
        try
        {
            var allowed = scratch[..n];
            var denied = scratch.Slice(n, n);
            var result = scratch.Slice(2 * n, n);
            int passes = 1;

            // Pass 1: the token's own SIDs.
            EvaluateDacl(sd, token, Pass.Normal, wanted, privilegeGrant, maxAllowed, mapping, objectTypes, principalSelf, explain, allowed, denied);
            allowed.CopyTo(result);

            // Pass 2: the restricting SIDs. Both passes must grant; a write-restricted token is checked for writes only.
            if (token.IsRestricted)
            {
                passes++;
                EvaluateDacl(sd, token, Pass.Restricted, wanted, privilegeGrant, maxAllowed, mapping, objectTypes, principalSelf, explain, allowed, denied);
                uint unconstrained = token.WriteRestricted ? ~WriteRights(mapping) : 0;
                for (int i = 0; i < n; i++) result[i] &= allowed[i] | unconstrained | privilegeGrant;
            }

            // Pass 3: an AppContainer token also needs the package or a capability to be granted the access.
            if (token.AppContainer is not null)
            {
                passes++;
                EvaluateDacl(sd, token, Pass.AppContainer, wanted, privilegeGrant, maxAllowed, mapping, objectTypes, principalSelf, explain, allowed, denied);
                for (int i = 0; i < n; i++) result[i] &= allowed[i] | privilegeGrant;
            }

            for (int i = 0; i < n; i++)
            {
                uint g = result[i] & mandatoryAllowed;
                bool ok = maxAllowed ? (wanted & ~g) == 0 && g != 0 : (wanted & ~g) == 0;
                // The result list reports what a denied node was granted of the request (observed: ros-rl-04);
                // AccessCheck and AccessCheckByType report 0.
                granted[i] = ok ? (maxAllowed ? g : wanted) : (partialGrants ? g & (maxAllowed ? uint.MaxValue : wanted) : 0);
                statuses[i] = ok ? NtStatus.Success : NtStatus.AccessDenied;
            }
            if (statuses[0] != NtStatus.Success) used = PrivilegesUsed.None;
            if (explain is not null)
            {
                if (passes > 1 || mandatoryAllowed != uint.MaxValue)
                    explain.Add(new(ExplanationStepKind.Intersection, ExplanationStage.Result) { Applied = true, Mask = result[0] & mandatoryAllowed, Limit = mandatoryAllowed });
                explain.End(statuses[0] == NtStatus.Success, granted[0], wanted & ~(result[0] & mandatoryAllowed), statuses[0]);
            }
            return new AccessCheckResult(NtStatus.Success, statuses[0], granted[0], used);
        }
        finally
        {
            if (rented is not null) ArrayPool<uint>.Shared.Return(rented);
        }
    }

    private static AccessCheckResult Refuse(AccessCheckExplanation? explain, NtStatus status, RefusalReason reason)
    {
        explain?.Refused(status, reason);
        return AccessCheckResult.CallFailed(status);
    }

    private static AccessCheckResult Deny(Span<uint> granted, Span<NtStatus> statuses, NtStatus why, PrivilegesUsed used, AccessCheckExplanation? explain, uint missing)
    {
        granted.Clear();
        statuses.Fill(why);
        explain?.End(false, 0, missing, why);
        return new AccessCheckResult(NtStatus.Success, why, 0, used);
    }

    /// <summary>
    /// The rights a write-restricted token's restricting SIDs are checked for: the type's generic write, DELETE,
    /// WRITE_DAC and WRITE_OWNER, minus what reading or executing also needs (READ_CONTROL, SYNCHRONIZE).
    /// </summary>
    internal static uint WriteRights(GenericMapping mapping)
        => (mapping.GenericWrite | AccessMask.Delete | AccessMask.WriteDac | AccessMask.WriteOwner) & ~(mapping.GenericRead | mapping.GenericExecute);

    /// <summary>
    /// The rights the integrity policy leaves to this token. A token whose level is at least the object's label
    /// (or whose policy lacks NO_WRITE_UP) is not limited. Below the label, only the mapped generic read and execute
    /// rights remain, minus those the label forbids (NO_READ_UP, NO_EXECUTE_UP); SeRelabelPrivilege adds WRITE_OWNER.
    /// An object without a label has the implicit Medium, NO_WRITE_UP one.
    /// </summary>
    private static uint MandatoryAllowed(SecurityDescriptor sd, Token token, GenericMapping mapping, AccessCheckExplanation? explain, ref PrivilegesUsed used)
    {
        if ((token.MandatoryPolicy & MandatoryPolicy.NoWriteUp) == 0)
        {
            explain?.Add(new(ExplanationStepKind.IntegrityUnlimited, ExplanationStage.Integrity) { Applied = true, Mask = uint.MaxValue, Sid = token.IntegrityLevel });
            return uint.MaxValue;
        }
        bool explicitLabel = FastPath.IntegrityRule.FindLabel(sd, out Sid labelSid, out uint labelMask);
        if (Dominates(token.IntegrityLevel, labelSid))
        {
            explain?.Add(new(ExplanationStepKind.IntegrityUnlimited, ExplanationStage.Integrity)
            {
                Applied = true, Mask = uint.MaxValue, Sid = token.IntegrityLevel, Label = labelSid, LabelPolicy = labelMask, ExplicitLabel = explicitLabel,
            });
            return uint.MaxValue;
        }
        uint allowed = FastPath.IntegrityRule.BelowLabel(labelMask, mapping);
        if (token.IsPrivilegeEnabled(Privileges.Relabel))
        {
            allowed |= AccessMask.WriteOwner;
            used |= PrivilegesUsed.Relabel;
        }
        explain?.Add(new(ExplanationStepKind.IntegrityLimited, ExplanationStage.Integrity)
        {
            Applied = true, Mask = allowed, Sid = token.IntegrityLevel, Label = labelSid, LabelPolicy = labelMask, ExplicitLabel = explicitLabel,
            Privilege = token.IsPrivilegeEnabled(Privileges.Relabel) ? Privileges.Relabel : null,
        });
        return allowed;
    }

    /// <summary>SidDominates for integrity SIDs: the token's level is at least the label's.</summary>
    internal static bool Dominates(Sid tokenLevel, Sid labelLevel) => FastPath.TokenFacts.Dominates(FastPath.TokenFacts.Rank(tokenLevel), FastPath.TokenFacts.Rank(labelLevel));

    internal enum Pass
    {
        Normal,
        Restricted,
        AppContainer,
    }

    private static ExplanationStage StageOf(Token token, Pass pass) => pass switch
    {
        Pass.Normal => ExplanationStage.Dacl,
        Pass.Restricted => token.WriteRestricted ? ExplanationStage.WriteRestrictedPass : ExplanationStage.RestrictedPass,
        _ => ExplanationStage.AppContainerPass,
    };

    private static bool Matches(Token token, Pass pass, Sid sid, bool denyAce) => pass switch
    {
        Pass.Normal => token.MatchesSid(sid, denyAce),
        Pass.Restricted => token.MatchesRestrictedSid(sid, denyAce),
        _ => sid == token.AppContainer!.PackageSid || sid == WellKnownSids.AllApplicationPackages || token.MatchesCapability(sid, denyAce),
    };

    /// <summary>
    /// The value of a conditional (callback) ACE's condition for this token: the one place condition evaluation
    /// hooks in (<see cref="ConditionEvaluator"/>; the object's SACL supplies the @Resource. attributes).
    /// </summary>
    private static ConditionResult EvaluateCondition(Ace ace, Token token, Acl? sacl, bool isDeny, ConditionTrace? trace)
        => ConditionEvaluator.Evaluate(ace.ApplicationData, token, sacl, isDeny, null, trace) switch
        {
            ConditionValue.True => ConditionResult.True,
            ConditionValue.False => ConditionResult.False,
            _ => ConditionResult.Unknown,
        };

    /// <summary>
    /// Whether a conditional ACE applies given its condition's value: an allow ACE only when TRUE; a deny ACE
    /// unless FALSE (UNKNOWN denies, and so does a condition not evaluated: fail closed).
    /// </summary>
    private static bool ConditionApplies(ConditionResult condition, bool isAllow)
        => isAllow ? condition == ConditionResult.True : condition != ConditionResult.False;

    /// <summary>
    /// One pass over the DACL. Fills <paramref name="allowed"/> and <paramref name="denied"/> per node: an allow ACE
    /// adds the bits not yet denied, a deny ACE the bits not yet allowed. For a plain check this is the same as
    /// Windows' "first ACE that denies a still-wanted right ends the check", and it stops as early.
    /// Every explanation step is built inside <c>explain?.Add(...)</c>, so a check without one computes none of it.
    /// </summary>
    private static void EvaluateDacl(
        SecurityDescriptor sd,
        Token token,
        Pass pass,
        uint wanted,
        uint privilegeGrant,
        bool maxAllowed,
        GenericMapping mapping,
        ReadOnlySpan<ObjectTypeEntry> objectTypes,
        Sid? principalSelf,
        AccessCheckExplanation? explain,
        Span<uint> allowed,
        Span<uint> denied)
    {
        allowed.Fill(privilegeGrant);
        denied.Clear();
        int n = allowed.Length;

        if (sd.DaclState != AclState.Present)
        {
            uint all = maxAllowed ? mapping.GenericAll | wanted : wanted;
            allowed.Fill(all | privilegeGrant);
            explain?.Add(new(sd.DaclState == AclState.Null ? ExplanationStepKind.NullDacl : ExplanationStepKind.NoDacl, StageOf(token, pass)) { Applied = true, Mask = all });
            explain?.Add(new(ExplanationStepKind.PassTotal, StageOf(token, pass)) { Applied = true, Mask = allowed[0] });
            return;
        }
        var dacl = sd.Dacl!;
        var owner = sd.Owner!.Value;

        // The owner's implicit READ_CONTROL | WRITE_DAC, unless an OWNER RIGHTS ACE takes their place.
        bool isOwner = pass switch
        {
            Pass.Normal => token.MatchesSid(owner, false),
            Pass.Restricted => token.MatchesRestrictedSid(owner, false),
            _ => false,
        };
        // A deny ACE for OWNER RIGHTS matches the owner the way any deny ACE matches a SID: enabled or deny-only.
        // Otherwise making the owner SID deny-only would lift the denial, and filtering a token must never add access.
        bool isOwnerForDeny = pass switch
        {
            Pass.Normal => token.MatchesSid(owner, true),
            Pass.Restricted => token.MatchesRestrictedSid(owner, true),
            _ => false,
        };
        bool ownerRightsAce = isOwner && dacl.HasEffectiveOwnerRightsAce;
        if (isOwner && !ownerRightsAce)
        {
            for (int i = 0; i < n; i++) allowed[i] |= AccessMask.ReadControl | AccessMask.WriteDac;
            explain?.Add(new(ExplanationStepKind.OwnerImplied, StageOf(token, pass)) { Applied = true, Mask = AccessMask.ReadControl | AccessMask.WriteDac, Sid = owner });
        }
        else if (isOwner)
        {
            explain?.Add(new(ExplanationStepKind.OwnerRightsReplace, StageOf(token, pass)) { Sid = owner });
        }

        for (int index = 0; index < dacl.Aces.Length; index++)
        {
            // A plain check is decided once every wanted right is granted or one still wanted is denied.
            if (!maxAllowed && (wanted & ~allowed[0]) == 0 && n == 1)
            {
                explain?.Add(new(ExplanationStepKind.AllGranted, StageOf(token, pass)) { Applied = true, Mask = wanted });
                break;
            }
            var ace = dacl.Aces[index];
            var kind = ace.Kind;
            if ((kind & (Ace.CheckKind.Allow | Ace.CheckKind.Deny)) == 0)
            {
                explain?.Add(AceStep(token, pass, index, ace, AceOutcome.SkippedType));
                continue;
            }
            if ((kind & Ace.CheckKind.InheritOnly) != 0)
            {
                explain?.Add(AceStep(token, pass, index, ace, AceOutcome.SkippedInheritOnly));
                continue;
            }
            bool isAllow = (kind & Ace.CheckKind.Allow) != 0, isDeny = !isAllow;
            var sid = ace.Sid;
            if ((kind & Ace.CheckKind.PrincipalSelfSid) != 0 && principalSelf is { } self) sid = self;
            bool ownerRights = (kind & Ace.CheckKind.OwnerRightsSid) != 0;
            bool applies = ownerRights ? (isDeny ? isOwnerForDeny : isOwner) : Matches(token, pass, sid, isDeny);
            if (!applies)
            {
                explain?.Add(AceStep(token, pass, index, ace, AceOutcome.SidNotInToken) with
                {
                    Sid = ownerRights ? owner : sid, SidState = StateOf(token, pass, ownerRights ? owner : sid, isDeny, ownerRights),
                });
                continue;
            }
            if ((kind & Ace.CheckKind.Callback) != 0)
            {
                // The one point where a condition decides whether a matching callback ACE applies.
                var trace = explain is null ? null : new ConditionTrace();
                var condition = EvaluateCondition(ace, token, sd.Sacl, isDeny, trace);
                bool holds = ConditionApplies(condition, isAllow);
                explain?.Add(new(ExplanationStepKind.Condition, StageOf(token, pass)) { AceIndex = index, Ace = ace, Applied = holds, Condition = condition, ConditionTrace = trace, Sid = ownerRights ? owner : sid });
                if (!holds)
                {
                    explain?.Add(AceStep(token, pass, index, ace, AceOutcome.SkippedCondition) with { Sid = ownerRights ? owner : sid, Condition = condition });
                    continue;
                }
            }
            uint mask = mapping.Map(ace.Mask);
            int node = -1;
            if (ace.IsObjectAce && ace.ObjectType is { } objectType)
            {
                for (int i = 0; i < objectTypes.Length; i++)
                {
                    if (objectTypes[i].ObjectType == objectType)
                    {
                        node = i;
                        break;
                    }
                }
                if (node < 0)
                {
                    explain?.Add(AceStep(token, pass, index, ace, AceOutcome.ObjectTypeNotInList) with { Sid = ownerRights ? owner : sid });
                    continue;
                }
            }

            int first = node < 0 ? 0 : node;
            if (isAllow)
            {
                uint before = allowed[first];
                if (node < 0)
                {
                    for (int i = 0; i < n; i++) allowed[i] |= mask & ~denied[i];
                }
                else
                {
                    int end = SubtreeEnd(objectTypes, node);
                    for (int i = node; i < end; i++) allowed[i] |= mask & ~denied[i];
                    PropagateAllowUp(objectTypes, node, allowed, denied);
                }
                explain?.Add(AceStep(token, pass, index, ace, AceOutcome.Granted) with
                {
                    Applied = true, Mask = allowed[first] & ~before, AlreadyGranted = mask & before, AlreadyDenied = mask & denied[first] & ~before,
                    Sid = ownerRights ? owner : sid, SidState = StateOf(token, pass, ownerRights ? owner : sid, false, ownerRights),
                    ObjectTypeNode = node, ObjectType = node < 0 ? null : objectTypes[node].ObjectType,
                });
            }
            else
            {
                uint hit = mask & ~allowed[first];
                uint deniedBefore = denied[first];
                if (node < 0)
                {
                    for (int i = 0; i < n; i++) denied[i] |= mask & ~allowed[i];
                }
                else
                {
                    int end = SubtreeEnd(objectTypes, node);
                    for (int i = node; i < end; i++) denied[i] |= mask & ~allowed[i];
                    for (int p = Parent(objectTypes, node); p >= 0; p = Parent(objectTypes, p)) denied[p] |= hit & ~allowed[p];
                }
                explain?.Add(AceStep(token, pass, index, ace, AceOutcome.Denied) with
                {
                    Mask = hit & ~deniedBefore, AlreadyGranted = mask & allowed[first], AlreadyDenied = mask & deniedBefore & ~allowed[first], Denied = hit & ~deniedBefore & wanted,
                    Sid = ownerRights ? owner : sid, SidState = StateOf(token, pass, ownerRights ? owner : sid, true, ownerRights),
                    ObjectTypeNode = node, ObjectType = node < 0 ? null : objectTypes[node].ObjectType,
                });
                if (!maxAllowed && n == 1 && (hit & wanted) != 0)
                {
                    explain?.Add(new(ExplanationStepKind.DeniedEarly, StageOf(token, pass)) { Mask = hit & wanted });
                    break;
                }
            }
        }
        explain?.Add(new(ExplanationStepKind.PassTotal, StageOf(token, pass)) { Applied = true, Mask = allowed[0], Denied = denied[0] });
    }

    private static ExplanationStep AceStep(Token token, Pass pass, int index, Ace ace, AceOutcome outcome)
        => new(ExplanationStepKind.Ace, StageOf(token, pass)) { AceIndex = index, Ace = ace, Outcome = outcome };

    // Explanation only: why a SID did or did not match in this pass.
    private static SidState StateOf(Token token, Pass pass, Sid sid, bool denyAce, bool ownerRights)
    {
        if (ownerRights)
        {
            bool owner = pass switch
            {
                Pass.Normal => token.MatchesSid(sid, false),
                Pass.Restricted => token.MatchesRestrictedSid(sid, false),
                _ => false,
            };
            if (owner) return SidState.Owner;
            bool forDeny = pass switch
            {
                Pass.Normal => token.MatchesSid(sid, true),
                Pass.Restricted => token.MatchesRestrictedSid(sid, true),
                _ => false,
            };
            return forDeny ? SidState.OwnerDenyOnly : SidState.NotOwner;
        }
        switch (pass)
        {
            case Pass.Normal:
                if (!token.TryGetSidAttributes(sid, out var a)) return SidState.Absent;
                if ((a & GroupAttributes.UseForDenyOnly) != 0) return SidState.DenyOnly;
                return token.MatchesSid(sid, denyAce) ? SidState.Enabled : SidState.Disabled;
            case Pass.Restricted:
                foreach (var r in token.RestrictedSids)
                {
                    if (r.Sid != sid) continue;
                    if (r.IsDenyOnly) return SidState.DenyOnly;
                    return token.MatchesRestrictedSid(sid, denyAce) ? SidState.Enabled : SidState.NotRestrictingSid;
                }
                return SidState.NotRestrictingSid;
            default:
                if (sid == token.AppContainer!.PackageSid) return SidState.PackageSid;
                if (sid == WellKnownSids.AllApplicationPackages) return SidState.AllApplicationPackages;
                return token.MatchesCapability(sid, denyAce) ? SidState.Capability : SidState.NotAppContainerSid;
        }
    }

    private static int SubtreeEnd(ReadOnlySpan<ObjectTypeEntry> list, int node)
    {
        int end = node + 1;
        while (end < list.Length && list[end].Level > list[node].Level) end++;
        return end;
    }

    private static int Parent(ReadOnlySpan<ObjectTypeEntry> list, int node)
    {
        for (int i = node - 1; i >= 0; i--)
            if (list[i].Level < list[node].Level) return i;
        return -1;
    }

    // A property set is granted what all its properties are granted: after an allow below a node, each ancestor
    // takes the intersection of its children's grants (MS-DTYP: "a parent is satisfied once all its children are").
    private static void PropagateAllowUp(ReadOnlySpan<ObjectTypeEntry> list, int node, Span<uint> allowed, Span<uint> denied)
    {
        for (int p = Parent(list, node); p >= 0; p = Parent(list, p))
        {
            uint common = uint.MaxValue;
            int end = SubtreeEnd(list, p);
            for (int c = p + 1; c < end; c++)
                if (list[c].Level == list[p].Level + 1) common &= allowed[c];
            allowed[p] |= common & ~denied[p];
        }
    }
}
