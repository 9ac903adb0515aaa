using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Audit.Engine;

/// <summary>A requested-right question asked of every descriptor and token besides MAXIMUM_ALLOWED.</summary>
/// <param name="Name">The name queries use (<c>read</c>).</param>
/// <param name="Mask">The rights requested, generic bits mapped.</param>
public readonly record struct AccessQuestion(string Name, uint Mask)
{
    /// <summary>The default questions: what icacls calls R, W, M and F.</summary>
    public static IReadOnlyList<AccessQuestion> Defaults { get; } =
    [
        new("read", 0x120089), new("write", 0x120116), new("modify", 0x1301BF), new("full", 0x1F01FF),
    ];
}

/// <summary>
/// The seam between the audit and the access check: one descriptor against every distinct token. Every evaluation
/// of the audit goes through <see cref="AccessEvaluators.Create"/>, so a faster engine replaces the plain check in
/// one place.
/// </summary>
internal interface IAccessEvaluator
{
    /// <summary>
    /// Writes, for each token t, the MAXIMUM_ALLOWED grant to <paramref name="granted"/>[t] and to
    /// <paramref name="answers"/>[t] bit q when question q is granted by a check for exactly its rights.
    /// </summary>
    void Evaluate(SecurityDescriptor descriptor, Span<uint> granted, Span<uint> answers);
}

/// <summary>Chooses the engine. One instance per thread: an evaluator may keep scratch state.</summary>
internal static class AccessEvaluators
{
    public static IAccessEvaluator Create(IReadOnlyList<Token> tokens, IReadOnlyList<AccessQuestion> questions, GenericMapping mapping)
        => new AccessCheckEvaluator(tokens, questions, mapping);

    /// <summary>
    /// The descriptor as the check needs it: icacls /save and share ACLs carry no owner or group, and the check
    /// requires both. The missing one becomes the NULL SID, which no token holds, so nobody is the owner: the
    /// owner's implicit rights are granted to nobody (the audit fails closed) and the descriptor is marked so.
    /// </summary>
    public static SecurityDescriptor ForCheck(SecurityDescriptor descriptor)
    {
        var sd = descriptor;
        if (sd.Owner is null) sd = sd.WithOwner(WellKnownSids.Null);
        if (sd.Group is null) sd = sd.WithGroup(WellKnownSids.Null);
        return sd;
    }
}

/// <summary>The plain engine: <see cref="AccessCheck.Check"/> once per token and question.</summary>
internal sealed class AccessCheckEvaluator(IReadOnlyList<Token> tokens, IReadOnlyList<AccessQuestion> questions, GenericMapping mapping) : IAccessEvaluator
{
    private readonly Token[] _tokens = [.. tokens];
    private readonly AccessQuestion[] _questions = [.. questions];

    public void Evaluate(SecurityDescriptor descriptor, Span<uint> granted, Span<uint> answers)
    {
        for (int t = 0; t < _tokens.Length; t++)
        {
            var token = _tokens[t];
            var r = AccessCheck.Check(descriptor, token, AccessMask.MaximumAllowed, mapping);
            granted[t] = r.IsGranted ? r.GrantedAccess : 0;
            uint bits = 0;
            for (int q = 0; q < _questions.Length; q++)
            {
                if (AccessCheck.Check(descriptor, token, _questions[q].Mask, mapping).IsGranted) bits |= 1u << q;
            }
            answers[t] = bits;
        }
    }
}
