using System.Runtime.CompilerServices;
using NtSec.Descriptors;
using NtSec.Tokens;

namespace NtSec.Authorization.FastPath;

/// <summary>
/// The access check for the common case: a plain token (<see cref="TokenFacts.Plain"/>), a descriptor without
/// conditional ACEs, no object type list, no PRINCIPAL_SELF and no explanation. It applies the same rules as
/// <see cref="AccessCheck"/> (privileges, integrity, the owner's implied rights and OWNER RIGHTS, allow and deny ACEs
/// in order) to facts precomputed once per token and per descriptor, and declines every other case, which the full
/// check then decides. A property test holds the two to identical results.
/// </summary>
internal static class PlainAccessCheck
{
    /// <summary>Checks when the case is the common one; false (and the full check decides) otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryCheck(SecurityDescriptor sd, Token token, uint desired, GenericMapping mapping, out AccessCheckResult result)
    {
        var t = TokenFacts.For(token);
        var d = DescriptorFacts.For(sd);
        uint wanted = desired & ~AccessMask.MaximumAllowed;
        // Generic bits and an empty request are refused or denied by the full check, with its reasons.
        if (!t.Plain || !d.Plain || (desired & AccessMask.GenericMask) != 0 || desired == 0)
        {
            Unsafe.SkipInit(out result);
            return false;
        }
        result = Check(d, t, desired, wanted, mapping);
        return true;
    }

    private static AccessCheckResult Check(DescriptorFacts d, TokenFacts t, uint desired, uint wanted, GenericMapping mapping)
    {
        bool maxAllowed = (desired & AccessMask.MaximumAllowed) != 0;
        var used = PrivilegesUsed.None;
        uint privilegeGrant = 0;
        if ((wanted & AccessMask.AccessSystemSecurity) != 0)
        {
            if (!t.SecurityEnabled) return new AccessCheckResult(NtStatus.Success, NtStatus.PrivilegeNotHeld, 0, PrivilegesUsed.None);
            privilegeGrant = AccessMask.AccessSystemSecurity;
            used = PrivilegesUsed.Security;
        }
        if (t.TakeOwnershipEnabled && (maxAllowed || (wanted & AccessMask.WriteOwner) != 0))
        {
            privilegeGrant |= AccessMask.WriteOwner;
            used |= PrivilegesUsed.TakeOwnership;
        }

        uint mandatory = uint.MaxValue;
        if (t.NoWriteUp && !TokenFacts.Dominates(t.IntegrityRank, d.LabelRank))
        {
            uint policy = d.LabelPolicy;
            mandatory = AccessMask.AccessSystemSecurity | IntegrityRule.BelowLabel(policy, mapping);
            if (t.RelabelEnabled)
            {
                mandatory |= AccessMask.WriteOwner;
                used |= PrivilegesUsed.Relabel;
            }
            if (!maxAllowed && (wanted & ~mandatory) != 0) return new AccessCheckResult(NtStatus.Success, NtStatus.AccessDenied, 0, PrivilegesUsed.None);
        }

        uint allowed = privilegeGrant;
        if (!d.DaclPresent)
        {
            allowed |= maxAllowed ? mapping.GenericAll | wanted : wanted;
        }
        else
        {
            byte owner = t.Match(d.Owner);
            if ((owner & TokenFacts.MatchAllow) != 0 && !d.HasOwnerRightsAce) allowed |= AccessMask.ReadControl | AccessMask.WriteDac;
            allowed = maxAllowed
                ? Walk<MaximumAllowed>(d.Aces, t, owner, wanted, allowed, mapping)
                : Walk<Requested>(d.Aces, t, owner, wanted, allowed, mapping);
        }

        uint g = allowed & mandatory;
        bool ok = (wanted & ~g) == 0 && (!maxAllowed || g != 0);
        return ok
            ? new AccessCheckResult(NtStatus.Success, NtStatus.Success, maxAllowed ? g : wanted, used)
            : new AccessCheckResult(NtStatus.Success, NtStatus.AccessDenied, 0, PrivilegesUsed.None);
    }

    private interface IMode
    {
        static abstract bool Max { get; }
    }

    private struct MaximumAllowed : IMode
    {
        public static bool Max => true;
    }

    private struct Requested : IMode
    {
        public static bool Max => false;
    }

    /// <summary>
    /// The ACEs in order: an allow adds the rights not yet denied, a deny the rights not yet granted. Compiled once
    /// per mode, so a MAXIMUM_ALLOWED walk carries no test for the early ends of a plain check.
    /// </summary>
    private static uint Walk<TMode>(FastAce[] aces, TokenFacts t, byte owner, uint wanted, uint allowed, GenericMapping mapping)
        where TMode : struct, IMode
    {
        uint denied = 0;
        foreach (ref readonly var ace in aces.AsSpan())
        {
            // Decided once every wanted right is granted (a later ACE cannot take it back).
            if (!TMode.Max && (wanted & ~allowed) == 0) break;
            byte kind = ace.Kind;
            // FastAce.Allow and FastAce.Deny are the TokenFacts match bits they need.
            byte match = (kind & FastAce.OwnerRights) != 0 ? owner : t.Match(ace.Sid);
            if ((match & kind & (FastAce.Allow | FastAce.Deny)) == 0) continue;
            uint mask = (kind & FastAce.Generic) != 0 ? mapping.Map(ace.Mask) : ace.Mask;
            if ((kind & FastAce.Allow) != 0)
            {
                allowed |= mask & ~denied;
            }
            else
            {
                uint hit = mask & ~allowed;
                denied |= hit;
                // A wanted right denied before it was granted ends a plain check.
                if (!TMode.Max && (hit & wanted) != 0) break;
            }
        }
        return allowed;
    }
}
