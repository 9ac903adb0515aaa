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
        new("read", FileAccessRights.GenericRead), new("write", FileAccessRights.GenericWrite),
        new("modify", NtSec.Import.IcaclsRights.Modify), new("full", FileAccessRights.AllAccess),
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

    /// <summary>
    /// The same for several descriptors at once: row d of <paramref name="granted"/> and <paramref name="answers"/>
    /// (d times the token count) holds descriptor d's results.
    /// </summary>
    void Evaluate(IReadOnlyList<SecurityDescriptor> descriptors, uint[] granted, uint[] answers);
}

/// <summary>Chooses the engine. One instance per thread: an evaluator may keep scratch state.</summary>
internal static class AccessEvaluators
{
    /// <summary>The compiled matrix engine (the library's <see cref="NtSec.Authorization.Matrix.AccessMatrix"/>); false selects the plain check.</summary>
    public static bool UseMatrix { get; set; } = true;

    public static IAccessEvaluator Create(IReadOnlyList<Token> tokens, IReadOnlyList<AccessQuestion> questions, GenericMapping mapping)
        => UseMatrix ? new MatrixEvaluator(tokens, questions, mapping) : new AccessCheckEvaluator(tokens, questions, mapping);

    /// <summary>Which questions a check of their own must answer: those not decided bit by bit (see <see cref="AccessCheckEvaluator"/>).</summary>
    internal static bool NeedsOwnCheck(uint mask) => mask == 0 || (mask & (AccessMask.AccessSystemSecurity | AccessMask.MaximumAllowed | AccessMask.GenericMask)) != 0;

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

/// <summary>
/// The plain engine: <see cref="AccessCheck.Check"/> with MAXIMUM_ALLOWED once per token. A question is answered
/// from that grant when it asks only for rights the check decides bit by bit (every right but
/// ACCESS_SYSTEM_SECURITY, which only a request for it can obtain through SeSecurityPrivilege): the check grants
/// such a request exactly when each of its bits is in the MAXIMUM_ALLOWED grant, because every ACE, pass, integrity
/// limit and privilege (SeTakeOwnership's WRITE_OWNER is granted for MAXIMUM_ALLOWED too) acts on each bit alike.
/// Other questions run a check of their own. The test suite compares both ways on random estates.
/// </summary>
internal sealed class AccessCheckEvaluator : IAccessEvaluator
{
    private readonly Token[] _tokens;
    private readonly AccessQuestion[] _questions;
    private readonly bool[] _checked;
    private readonly GenericMapping _mapping;

    public AccessCheckEvaluator(IReadOnlyList<Token> tokens, IReadOnlyList<AccessQuestion> questions, GenericMapping mapping)
    {
        _tokens = [.. tokens];
        _questions = [.. questions];
        _checked = [.. _questions.Select(q => AccessEvaluators.NeedsOwnCheck(q.Mask))];
        _mapping = mapping;
    }

    public void Evaluate(SecurityDescriptor descriptor, Span<uint> granted, Span<uint> answers)
    {
        for (int t = 0; t < _tokens.Length; t++)
        {
            var token = _tokens[t];
            var r = AccessCheck.Check(descriptor, token, AccessMask.MaximumAllowed, _mapping);
            uint g = r.IsGranted ? r.GrantedAccess : 0;
            granted[t] = g;
            uint bits = 0;
            for (int q = 0; q < _questions.Length; q++)
            {
                uint mask = _questions[q].Mask;
                bool yes = _checked[q] ? AccessCheck.Check(descriptor, token, mask, _mapping).IsGranted : (g & mask) == mask;
                if (yes) bits |= 1u << q;
            }
            answers[t] = bits;
        }
    }

    public void Evaluate(IReadOnlyList<SecurityDescriptor> descriptors, uint[] granted, uint[] answers)
    {
        int n = _tokens.Length;
        for (int d = 0; d < descriptors.Count; d++) Evaluate(descriptors[d], granted.AsSpan(d * n, n), answers.AsSpan(d * n, n));
    }
}

/// <summary>
/// The compiled matrix engine: a batch of distinct descriptors is compiled against the tokens and evaluated for
/// MAXIMUM_ALLOWED (and for each question that needs a check of its own) in bulk. The library guarantees every cell
/// equals <see cref="AccessCheck.Check"/>; the audit's tests compare them cell by cell too.
/// </summary>
internal sealed class MatrixEvaluator(IReadOnlyList<Token> tokens, IReadOnlyList<AccessQuestion> questions, GenericMapping mapping) : IAccessEvaluator
{
    private readonly Token[] _tokens = [.. tokens];
    private readonly AccessQuestion[] _questions = [.. questions];

    public void Evaluate(SecurityDescriptor descriptor, Span<uint> granted, Span<uint> answers)
    {
        var g = new uint[_tokens.Length];
        var a = new uint[_tokens.Length];
        Evaluate([descriptor], g, a);
        g.CopyTo(granted);
        a.CopyTo(answers);
    }

    public void Evaluate(IReadOnlyList<SecurityDescriptor> descriptors, uint[] granted, uint[] answers)
    {
        int n = _tokens.Length;
        // One thread per matrix: the scanner already runs one evaluator per core.
        var matrix = NtSec.Authorization.Matrix.AccessMatrix.Compile(descriptors, _tokens, mapping, maxDegreeOfParallelism: 1);
        matrix.Evaluate(AccessMask.MaximumAllowed, (d, row) =>
        {
            for (int t = 0; t < row.Length; t++) granted[d * n + t] = row[t].IsGranted ? row[t].GrantedAccess : 0;
        });
        Array.Clear(answers, 0, descriptors.Count * n);
        for (int q = 0; q < _questions.Length; q++)
        {
            uint mask = _questions[q].Mask, bit = 1u << q;
            if (AccessEvaluators.NeedsOwnCheck(mask))
            {
                matrix.Evaluate(mask, (d, row) =>
                {
                    for (int t = 0; t < row.Length; t++)
                        if (row[t].IsGranted) answers[d * n + t] |= bit;
                });
            }
            else
            {
                for (int i = 0; i < descriptors.Count * n; i++)
                    if ((granted[i] & mask) == mask) answers[i] |= bit;
            }
        }
    }
}
