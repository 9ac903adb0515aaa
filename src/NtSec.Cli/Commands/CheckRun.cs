using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Requests;
using NtSec.Tokens;

namespace NtSec.Cli.Commands;

/// <summary>One access check as ntsec runs it: the request after parsing, and what the library answered.</summary>
internal sealed class CheckRun
{
    private CheckRun(uint requested, uint desired, GenericMapping mapping, ObjectTypeInfo? type, ObjectTypeEntry[] objectTypes)
    {
        Requested = requested;
        Desired = desired;
        Mapping = mapping;
        Type = type;
        ObjectTypes = objectTypes;
        NodeGranted = new uint[objectTypes.Length];
        NodeStatus = new NtStatus[objectTypes.Length];
    }

    /// <summary>The desired access as given, generic bits included.</summary>
    public uint Requested { get; }

    /// <summary>The desired access passed to the check: generic bits mapped.</summary>
    public uint Desired { get; }

    /// <summary>The generic mapping used.</summary>
    public GenericMapping Mapping { get; }

    /// <summary>The object type whose right names are printed; null for the standard names only.</summary>
    public ObjectTypeInfo? Type { get; }

    /// <summary>The object type list; empty for a plain check.</summary>
    public ObjectTypeEntry[] ObjectTypes { get; }

    /// <summary>Per entry of <see cref="ObjectTypes"/>: the granted access.</summary>
    public uint[] NodeGranted { get; }

    /// <summary>Per entry of <see cref="ObjectTypes"/>: the access status.</summary>
    public NtStatus[] NodeStatus { get; }

    /// <summary>The check's result (for an object type list, the root's).</summary>
    public AccessCheckResult Result { get; private set; }

    /// <summary>The best name known for a SID (names the user gave), for rendering; null for the catalogue alone.</summary>
    public Func<Sid, string?>? Names { get; private set; }

    /// <summary>With central access policies: the effective and staged results and each rule; null without --policies.</summary>
    public CentralAccessCheckResult? Central { get; private set; }

    /// <summary>The explanation, when one was asked for.</summary>
    public AccessCheckExplanation? Explanation { get; private set; }

    /// <summary>True when <see cref="Requested"/> held generic bits that were mapped before the check.</summary>
    public bool WasMapped => (Requested & AccessMask.GenericMask) != 0;

    /// <summary>
    /// 0 when granted; 1 when the check ran and did not grant; 3 when it refused its arguments (a primary token, an
    /// anonymous-level token, a malformed object type list, a descriptor without owner or group).
    /// </summary>
    public int ExitCode => Result.Status != NtStatus.Success ? ExitCodes.BadInput : Result.AccessStatus == NtStatus.Success ? ExitCodes.Success : ExitCodes.Denied;

    /// <summary>Runs AccessCheck, or AccessCheckByTypeResultList when an object type list is given.</summary>
    public static CheckRun Execute(SecurityDescriptor sd, Token token, uint requested, uint desired, GenericMapping mapping, ObjectTypeInfo? type,
        ObjectTypeEntry[] objectTypes, Sid? self, bool explain, Func<Sid, string?>? names = null, IReadOnlyList<CentralAccessPolicy>? policies = null)
    {
        var run = new CheckRun(requested, desired, mapping, type, objectTypes);
        run.Explanation = explain ? new AccessCheckExplanation() : null;
        run.Names = names;
        if (policies is not null && objectTypes.Length == 0)
        {
            // The DACL check, then each applicable central access rule intersected with it (the caller supplied the policies).
            run.Central = CentralAccessCheck.Check(sd, token, desired, mapping, policies, default, self, run.Explanation);
            run.Result = run.Central.Effective;
            return run;
        }
        run.Result = objectTypes.Length == 0
            ? AccessCheck.Check(sd, token, desired, mapping, default, self, run.Explanation)
            : AccessCheck.CheckResultList(sd, token, desired, mapping, objectTypes, run.NodeGranted, run.NodeStatus, self, run.Explanation);
        return run;
    }

    /// <summary>Runs a parsed request (<see cref="CheckRequest"/>), naming SIDs with the names it was read with.</summary>
    public static CheckRun Execute(CheckRequest request, bool explain, IReadOnlyList<CentralAccessPolicy>? policies = null)
        => Execute(request.Descriptor, request.Token, request.Requested, request.Desired, request.Mapping, request.Type, [.. request.ObjectTypes],
            request.PrincipalSelf, explain, request.Names.NameOf, policies);

    /// <summary>The names of the privileges the check used, as Windows names them.</summary>
    public IReadOnlyList<string> PrivilegesUsedNames()
    {
        var names = new List<string>(3);
        var used = Result.PrivilegesUsed;
        if ((used & PrivilegesUsed.Security) != 0) names.Add(Privileges.NameOf(Privileges.Security));
        if ((used & PrivilegesUsed.TakeOwnership) != 0) names.Add(Privileges.NameOf(Privileges.TakeOwnership));
        if ((used & PrivilegesUsed.Relabel) != 0) names.Add(Privileges.NameOf(Privileges.Relabel));
        return names;
    }
}
