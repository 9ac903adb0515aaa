using System.Collections.Immutable;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Authorization.Conditions;

/// <summary>What one central access rule did.</summary>
/// <param name="PolicyId">The CAPID the object's SP ACE names.</param>
/// <param name="PolicyName">The policy's name ("recovery policy" when the CAPID was not supplied).</param>
/// <param name="IsRecovery">True when the CAPID was not among the supplied policies and the recovery policy stood in.</param>
/// <param name="RuleName">The rule's name.</param>
/// <param name="AppliesTo">The value of its AppliesTo condition (TRUE when it has none); only TRUE applies the rule.</param>
/// <param name="Granted">What the rule's effective DACL grants (MAXIMUM_ALLOWED, the object's owner and SACL); 0 when it did not apply.</param>
/// <param name="Removed">The rights the DACL result had and this rule took away.</param>
/// <param name="StagedGranted">What the rule's staged DACL (or its effective one when none is staged) grants.</param>
/// <param name="StagedRemoved">The rights the staged rule takes away from the DACL result.</param>
public sealed record CentralAccessRuleOutcome(Sid PolicyId, string PolicyName, bool IsRecovery, string RuleName, ConditionValue AppliesTo, uint Granted, uint Removed, uint StagedGranted, uint StagedRemoved);

/// <summary>An access check with central access policies.</summary>
/// <param name="Effective">The result Windows returns: the DACL's, intersected with every applicable rule.</param>
/// <param name="Staged">What the result would be if every rule's staged descriptor went live; null when no policy applies.</param>
/// <param name="PolicyId">The CAPID of the object's SP ACE; null when it has none.</param>
/// <param name="Rules">Each rule considered, in order.</param>
public sealed record CentralAccessCheckResult(AccessCheckResult Effective, AccessCheckResult? Staged, Sid? PolicyId, ImmutableArray<CentralAccessRuleOutcome> Rules);

/// <summary>
/// AccessCheck with central access policies (MS-DTYP 2.5.3.2): the DACL is checked first; when it grants and the
/// object's SACL holds an SP (SYSTEM_SCOPED_POLICY_ID) ACE, each rule of the policy it names whose AppliesTo is
/// TRUE is checked as a descriptor of its own (the rule's DACL with the object's owner, group and SACL, so OWNER
/// RIGHTS, the owner's implied READ_CONTROL | WRITE_DAC, privileges and integrity act there as on the object) and
/// the result is intersected with the DACL's. Rules only take access away.
/// </summary>
public static class CentralAccessCheck
{
    /// <summary>Runs the check.</summary>
    /// <param name="descriptor">The object's descriptor.</param>
    /// <param name="token">The client's token.</param>
    /// <param name="desiredAccess">The rights wanted (generic bits mapped); MAXIMUM_ALLOWED allowed.</param>
    /// <param name="mapping">The object type's generic mapping.</param>
    /// <param name="policies">The central access policies the machine has. Null or empty: no policy is configured, and
    /// SP ACEs are ignored (MS-DTYP 2.5.3.1.4). Otherwise a CAPID not in the list gets the recovery policy.</param>
    /// <param name="objectTypes">An object type list (the root's result counts); empty for a plain check.</param>
    /// <param name="principalSelf">The SID for PRINCIPAL_SELF; null for none.</param>
    /// <param name="explanation">Collects the DACL check's account; null for none.</param>
    public static CentralAccessCheckResult Check(
        SecurityDescriptor descriptor,
        Token token,
        uint desiredAccess,
        GenericMapping mapping,
        IReadOnlyList<CentralAccessPolicy>? policies,
        ReadOnlySpan<ObjectTypeEntry> objectTypes = default,
        Sid? principalSelf = null,
        AccessCheckExplanation? explanation = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(token);
        return Run(descriptor, token, desiredAccess, mapping, policies, objectTypes, principalSelf, explanation, subjectContext: false);
    }

    /// <summary>
    /// The check an object open makes (SeAccessCheck with the caller's subject context): as <see cref="Check"/>, but
    /// the subject may be a primary token, as <see cref="AccessCheck.CheckSubject"/> allows, for the DACL and for every
    /// rule's descriptor alike.
    /// </summary>
    internal static CentralAccessCheckResult CheckSubject(SecurityDescriptor descriptor, Token token, uint desiredAccess, GenericMapping mapping,
        IReadOnlyList<CentralAccessPolicy> policies, AccessCheckExplanation? explanation)
        => Run(descriptor, token, desiredAccess, mapping, policies, default, null, explanation, subjectContext: true);

    private static CentralAccessCheckResult Run(
        SecurityDescriptor descriptor,
        Token token,
        uint desiredAccess,
        GenericMapping mapping,
        IReadOnlyList<CentralAccessPolicy>? policies,
        ReadOnlySpan<ObjectTypeEntry> objectTypes,
        Sid? principalSelf,
        AccessCheckExplanation? explanation,
        bool subjectContext)
    {
        var dacl = subjectContext
            ? AccessCheck.CheckSubject(descriptor, token, desiredAccess, mapping, explanation)
            : AccessCheck.Check(descriptor, token, desiredAccess, mapping, objectTypes, principalSelf, explanation);
        if (dacl.Status != NtStatus.Success) return new CentralAccessCheckResult(dacl, null, null, []);
        Sid? capId = ScopedPolicyId(descriptor.Sacl);
        if (capId is null || policies is null || policies.Count == 0) return new CentralAccessCheckResult(dacl, null, capId, []);

        CentralAccessPolicy? policy = null;
        foreach (var p in policies)
        {
            if (p.Id != capId.Value) continue;
            policy = p;
            break;
        }
        bool recovery = policy is null;
        policy ??= CentralAccessPolicy.Recovery(capId.Value);

        bool maxAllowed = (desiredAccess & AccessMask.MaximumAllowed) != 0;
        uint wanted = desiredAccess & ~AccessMask.MaximumAllowed;
        // What the DACL check left: for MAXIMUM_ALLOWED its grant, else the request when granted.
        uint daclGrant = dacl.IsGranted ? dacl.GrantedAccess : 0;
        uint effective = daclGrant, staged = daclGrant;
        var outcomes = ImmutableArray.CreateBuilder<CentralAccessRuleOutcome>(policy.Rules.Length);
        // The rule descriptors keep the object's owner, group and SACL (resource attributes, label) but no SP ACE.
        var sacl = WithoutScopedPolicies(descriptor.Sacl);
        foreach (var rule in policy.Rules)
        {
            var applies = rule.AppliesTo is null ? ConditionValue.True : ConditionEvaluator.Evaluate(rule.AppliesTo, token, descriptor.Sacl, denyAce: false);
            if (applies != ConditionValue.True)
            {
                outcomes.Add(new CentralAccessRuleOutcome(capId.Value, policy.Name, recovery, rule.Name, applies, 0, 0, 0, 0));
                continue;
            }
            uint granted = RuleGrant(descriptor, sacl, rule.EffectiveDacl, token, wanted, mapping, objectTypes, principalSelf, subjectContext);
            uint stagedGranted = rule.StagedDacl is null ? granted : RuleGrant(descriptor, sacl, rule.StagedDacl, token, wanted, mapping, objectTypes, principalSelf, subjectContext);
            outcomes.Add(new CentralAccessRuleOutcome(capId.Value, policy.Name, recovery, rule.Name, applies, granted, effective & ~granted, stagedGranted, staged & ~stagedGranted));
            effective &= granted;
            staged &= stagedGranted;
        }
        return new CentralAccessCheckResult(Finish(dacl, effective, wanted, maxAllowed), Finish(dacl, staged, wanted, maxAllowed), capId, outcomes.ToImmutable());
    }

    /// <summary>The CAPID of the first SP ACE of <paramref name="sacl"/> that applies to the object itself.</summary>
    public static Sid? ScopedPolicyId(Acl? sacl)
    {
        if (sacl is null) return null;
        foreach (var ace in sacl.Aces)
            if (ace.Type == AceType.SystemScopedPolicyId && !ace.IsRaw && !ace.IsInheritOnly) return ace.Sid;
        return null;
    }

    private static Acl? WithoutScopedPolicies(Acl? sacl)
    {
        if (sacl is null) return null;
        bool any = false;
        foreach (var ace in sacl.Aces) any |= ace.Type == AceType.SystemScopedPolicyId;
        return any ? new Acl(sacl.Aces.Where(a => a.Type != AceType.SystemScopedPolicyId), sacl.Revision) : sacl;
    }

    private static uint RuleGrant(SecurityDescriptor sd, Acl? sacl, Acl? dacl, Token token, uint wanted, GenericMapping mapping, ReadOnlySpan<ObjectTypeEntry> objectTypes, Sid? principalSelf, bool subjectContext)
    {
        var ruleSd = sd.WithDacl(dacl, dacl is null ? AclState.Absent : AclState.Present).WithSacl(sacl, sacl is null ? AclState.Absent : AclState.Present);
        var r = subjectContext
            ? AccessCheck.CheckSubject(ruleSd, token, AccessMask.MaximumAllowed, mapping, null)
            : AccessCheck.Check(ruleSd, token, AccessMask.MaximumAllowed, mapping, objectTypes, principalSelf);
        uint g = r.IsGranted ? r.GrantedAccess : 0;
        // ACCESS_SYSTEM_SECURITY comes from SeSecurityPrivilege alone, which the DACL check already required.
        return g | (wanted & AccessMask.AccessSystemSecurity);
    }

    private static AccessCheckResult Finish(AccessCheckResult dacl, uint grant, uint wanted, bool maxAllowed)
    {
        if (!dacl.IsGranted) return dacl;
        bool ok = maxAllowed ? (wanted & ~grant) == 0 && grant != 0 : (wanted & ~grant) == 0;
        return ok
            ? dacl with { GrantedAccess = maxAllowed ? grant : wanted }
            : dacl with { AccessStatus = NtStatus.AccessDenied, GrantedAccess = 0, PrivilegesUsed = PrivilegesUsed.None };
    }
}
