using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;

namespace NtSec.Authorization.FastPath;

/// <summary>One DACL entry as the fast path reads it: the SID, the mask as stored, and what kind of entry it is.</summary>
internal readonly struct FastAce(Sid sid, uint mask, byte kind)
{
    /// <summary>An allow ACE; the same bit as <see cref="TokenFacts.MatchAllow"/>, which it needs.</summary>
    public const byte Allow = TokenFacts.MatchAllow;
    /// <summary>A deny ACE; the same bit as <see cref="TokenFacts.MatchDeny"/>, which it needs.</summary>
    public const byte Deny = TokenFacts.MatchDeny;
    /// <summary>The SID is OWNER RIGHTS: the entry applies to the owner.</summary>
    public const byte OwnerRights = 4;
    /// <summary>The mask holds generic bits, mapped at check time with the caller's mapping.</summary>
    public const byte Generic = 8;

    public readonly Sid Sid = sid;
    public readonly uint Mask = mask;
    public readonly byte Kind = kind;
}

/// <summary>
/// What an access check needs from a descriptor, computed once per descriptor: whether it takes the fast path, the
/// DACL reduced to the entries a check without an object type list can act on, the owner, and the label.
/// </summary>
internal sealed class DescriptorFacts
{
    private DescriptorFacts(SecurityDescriptor sd)
    {
        // A conditional ACE is the conditions engine's to decide, and a descriptor the call refuses needs the
        // refusal in Windows' order: both stay on the full path.
        bool plain = sd.Owner is not null && sd.Group is not null;
        Owner = sd.Owner is { } o ? WellKnownSids.Canonical(o) : default;
        DaclPresent = sd.DaclState == AclState.Present;
        var aces = new List<FastAce>();
        if (sd.Dacl is { } dacl)
        {
            HasOwnerRightsAce = dacl.HasEffectiveOwnerRightsAce;
            foreach (var ace in dacl.Aces)
            {
                byte k = Classify(ace);
                if (k == Conditional)
                {
                    plain = false;
                    break;
                }
                if (k != 0) aces.Add(new FastAce(WellKnownSids.Canonical(ace.Sid), ace.Mask, k));
            }
        }
        Aces = [.. aces];
        Plain = plain;

        Label(sd, out long rank, out uint policy);
        LabelRank = rank;
        LabelPolicy = policy;
    }

    /// <summary><see cref="Classify"/>'s answer for a conditional ACE, which the fast path and the matrix leave to the full check.</summary>
    public const byte Conditional = 0x80;

    /// <summary>
    /// What a check without an object type list does with a DACL entry: 0 when it never acts (not an access ACE,
    /// inherit-only, or an object ACE naming a type), <see cref="Conditional"/> for a conditional ACE, else the
    /// <see cref="FastAce"/> kind bits.
    /// </summary>
    public static byte Classify(Ace ace)
    {
        var kind = ace.Kind;
        if ((kind & (Ace.CheckKind.Allow | Ace.CheckKind.Deny)) == 0 || (kind & Ace.CheckKind.InheritOnly) != 0) return 0;
        if ((kind & Ace.CheckKind.Callback) != 0) return Conditional;
        // Without an object type list an object ACE naming a type applies to nothing; one without a type applies
        // to the object like a plain ACE.
        if (ace.IsObjectAce && ace.ObjectType is not null) return 0;
        byte k = (kind & Ace.CheckKind.Allow) != 0 ? FastAce.Allow : FastAce.Deny;
        if ((kind & Ace.CheckKind.OwnerRightsSid) != 0) k |= FastAce.OwnerRights;
        if ((ace.Mask & AccessMask.GenericMask) != 0) k |= FastAce.Generic;
        return k;
    }

    /// <summary>The first effective label ACE of the SACL as a rank and a policy; none is the implicit Medium, NO_WRITE_UP label.</summary>
    public static void Label(SecurityDescriptor sd, out long rank, out uint policy)
    {
        IntegrityRule.FindLabel(sd, out var label, out policy);
        rank = TokenFacts.Rank(label);
    }

    /// <summary>The facts of <paramref name="sd"/>, computed on first use and kept on the descriptor.</summary>
    public static DescriptorFacts For(SecurityDescriptor sd) => (DescriptorFacts)(sd.CheckFacts ??= new DescriptorFacts(sd));

    /// <summary>Has an owner and a group, and no conditional ACE in the DACL.</summary>
    public bool Plain { get; }

    /// <summary>The owner (default when there is none).</summary>
    public Sid Owner { get; }

    /// <summary>The DACL is present (not NULL, not absent).</summary>
    public bool DaclPresent { get; }

    /// <summary>An effective ACE names OWNER RIGHTS, which takes the place of the owner's implied rights.</summary>
    public bool HasOwnerRightsAce { get; }

    /// <summary>The effective allow and deny ACEs, in order.</summary>
    public FastAce[] Aces { get; }

    /// <summary>The label's rank (<see cref="TokenFacts.Rank"/>).</summary>
    public long LabelRank { get; }

    /// <summary>The label's policy: NO_WRITE_UP 1, NO_READ_UP 2, NO_EXECUTE_UP 4.</summary>
    public uint LabelPolicy { get; }
}
