using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;
using Xunit.Abstractions;
using Xunit.Sdk;
using static NtSec.Tests.Authorization.AccessCheckGenerators;

namespace NtSec.Tests.Authorization;

/// <summary>
/// Invariants of the access check, checked by FsCheck over generated worlds (<see cref="AccessCheckGenerators"/>):
/// restricting a token never widens its access, nor does making a SID deny-only, adding a deny ACE, removing
/// privileges or lowering the integrity level; MAXIMUM_ALLOWED agrees with plain checks; inherit-only ACEs and
/// explanations change nothing. Each property runs <see cref="MaxTest"/> cases from a fixed seed, replaced by
/// <c>NTSEC_PROPERTY_SEED</c> when set (decimal or 0x-hex); a failure names the seed and the shrunk world. Each
/// property also counts its outcomes and fails if it never met the case it guards, so it cannot pass vacuously.
/// </summary>
public sealed class AccessCheckPropertyTests(ITestOutputHelper output)
{
    /// <summary>The replay seed used when NTSEC_PROPERTY_SEED is not set.</summary>
    public const ulong DefaultSeed = 0x4E74_5365_6350_726F;

    /// <summary>Cases per property: 2000, or NTSEC_PROPERTY_CASES for a longer soak.</summary>
    public static readonly int MaxTest = int.TryParse(Environment.GetEnvironmentVariable("NTSEC_PROPERTY_CASES"), CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 2000;

    private static readonly ulong Seed = ReadSeed();

    private static ulong ReadSeed()
    {
        var text = Environment.GetEnvironmentVariable("NTSEC_PROPERTY_SEED");
        if (string.IsNullOrWhiteSpace(text)) return DefaultSeed;
        text = text.Trim();
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : ulong.Parse(text, CultureInfo.InvariantCulture);
    }

    private void Run<T>(string name, Gen<T> gen, Func<T, IEnumerable<T>>? shrink, Action<T> property)
    {
        var arbitrary = shrink is null ? Arb.From(gen) : Arb.From(gen, shrink);
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(MaxTest)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed), FSharpOption<int>.None)));
        try
        {
            Prop.ForAll(arbitrary, property).Check(config);
        }
        catch (Exception ex) when (ex is not XunitException)
        {
            throw new XunitException($"property '{name}' failed; replay with NTSEC_PROPERTY_SEED={Seed}\n{ex.Message}");
        }
        output.WriteLine($"{name}: {MaxTest} cases passed, seed {Seed}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message);
    }

    private static string Hex(uint mask) => "0x" + mask.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>What a check granted: its mask when granted, else nothing.</summary>
    private static uint Granted(AccessCheckResult r) => r.IsGranted ? r.GrantedAccess : 0;

    /// <summary>The requests every comparison makes: the world's own, MAXIMUM_ALLOWED, and both together.</summary>
    private static uint[] Requests(World w) => [w.Desired, AccessMask.MaximumAllowed, w.Desired | AccessMask.MaximumAllowed];

    /// <summary>Counts how often a comparison found the derived world strictly weaker, so a property is known not to be vacuous.</summary>
    private sealed class Tally
    {
        public int Cases;
        public int Narrowed;
        public int Granted;

        public void Require(string name)
        {
            // Each property must meet both outcomes many times over, or it could not fail.
            Assert.True(Granted > Cases / 20, $"{name}: only {Granted} of {Cases} cases granted anything; the generators are too strict");
            Assert.True(Narrowed > 0, $"{name}: no case lost access; the property is vacuous");
        }
    }

    /// <summary>
    /// Requires that <paramref name="derived"/> (another token and/or descriptor for the same world) is granted nothing
    /// the world is not, for the world's request, MAXIMUM_ALLOWED, and per node of the object type list.
    /// </summary>
    private static void NeverMore(World w, Token? token, SecurityDescriptor? descriptor, string what, Tally tally)
    {
        lock (tally) tally.Cases++;
        foreach (uint desired in Requests(w))
        {
            var before = w.Check(desired);
            var after = w.Check(desired, token, descriptor);
            Require(before.Status == NtStatus.Success && after.Status == NtStatus.Success, $"{what}: the call failed ({before.Status.Name}, {after.Status.Name})");
            uint extra = Granted(after) & ~Granted(before);
            Require(!after.IsGranted || before.IsGranted, $"{what}: request {Hex(desired)} is granted ({Hex(after.GrantedAccess)}) but was denied before");
            Require(extra == 0, $"{what}: request {Hex(desired)} now grants {Hex(Granted(after))}, before {Hex(Granted(before))}: {Hex(extra)} added");
            lock (tally)
            {
                if (before.IsGranted) tally.Granted++;
                if (Granted(before) != Granted(after)) tally.Narrowed++;
            }
        }
        if (w.ObjectTypes.Length == 0) return;
        foreach (uint desired in Requests(w))
        {
            var (beforeStatus, beforeGranted) = ResultList(w, desired, null, null);
            var (afterStatus, afterGranted) = ResultList(w, desired, token, descriptor);
            for (int i = 0; i < w.ObjectTypes.Length; i++)
            {
                Require(afterStatus[i] != NtStatus.Success || beforeStatus[i] == NtStatus.Success, $"{what}: node {i} is granted for {Hex(desired)} but was denied before");
                Require((afterGranted[i] & ~beforeGranted[i]) == 0, $"{what}: node {i} now reports {Hex(afterGranted[i])} for {Hex(desired)}, before {Hex(beforeGranted[i])}");
            }
        }
    }

    private static (NtStatus[] Status, uint[] Granted) ResultList(World w, uint desired, Token? token, SecurityDescriptor? descriptor, AccessCheckExplanation? explanation = null)
    {
        var granted = new uint[w.ObjectTypes.Length];
        var status = new NtStatus[w.ObjectTypes.Length];
        var r = AccessCheck.CheckResultList(descriptor ?? w.Descriptor, token ?? w.Token, desired, FileMapping, w.ObjectTypes, granted, status, w.Self, explanation);
        Require(r.Status == NtStatus.Success, $"the result list call failed: {r.Status.Name}");
        return (status, granted);
    }

    private static IEnumerable<(World, T)> ShrinkFirst<T>((World World, T Other) c) => Shrink(c.World).Select(w => (w, c.Other));

    [Fact]
    public void RestrictedTokenNeverGetsMoreThanItsOriginal()
    {
        var tally = new Tally();
        Run("restricted token <= original", WorldAndFilter, ShrinkFirst, c =>
        {
            var filtered = c.Filter.Apply(c.World.Token);
            NeverMore(c.World, filtered, null, $"{c.Filter} -> {Describe(filtered)}", tally);
        });
        tally.Require("restricted token <= original");
    }

    [Fact]
    public void RefilteringARestrictedTokenNeverAddsAccess()
    {
        // The same invariant aimed at tokens that are already restricted: the new restricting SIDs keep some of the
        // old ones, add others, and the flags may ask for WRITE_RESTRICTED.
        var gen = from w in WorldGen
                  from restricting in SubsetOf(RestrictingPool, 40).Where(r => r.Length > 0)
                  from writeRestricted in Chance(30)
                  from keep in SubsetOf(restricting, 50)
                  from add in SubsetOf(RestrictingPool, 15)
                  from flags in SubsetOf(new[] { FilterTokenFlags.WriteRestricted, FilterTokenFlags.DisableMaxPrivilege }, 30)
                  let token = Restrict(w.Token, restricting, writeRestricted)
                  select (w with { Token = token }, new FilterSpec(flags.Aggregate(FilterTokenFlags.None, (a, f) => a | f), [], [], [.. keep, .. add]));
        var tally = new Tally();
        Run("re-filtered restricted token <= original", gen, ShrinkFirst, c =>
        {
            var filtered = c.Item2.Apply(c.Item1.Token);
            NeverMore(c.Item1, filtered, null, $"{c.Item2} -> {Describe(filtered)}", tally);
        });
        tally.Require("re-filtered restricted token <= original");
    }

    private static Token Restrict(Token token, Sid[] restricting, bool writeRestricted)
    {
        var b = token.ToBuilder();
        b.RestrictedSids.Clear();
        foreach (var s in restricting) b.AddRestrictedSid(s);
        b.WriteRestricted = writeRestricted;
        return b.Build();
    }

    [Fact]
    public void MakingASidDenyOnlyNeverAddsAccess()
    {
        // The descriptor's owner is picked a third of the time: ownership is where deny-only SIDs are subtle.
        var gen = from w in WorldGen
                  from sid in Gen.Frequency(
                      (2, Gen.Elements(new[] { w.Token.User.Sid }.Concat(w.Token.Groups.Select(g => g.Sid)).ToArray())),
                      (1, Gen.Constant(w.Descriptor.Owner ?? w.Token.User.Sid)))
                  select (w, sid);
        var tally = new Tally();
        Run("deny-only SID adds nothing", gen, ShrinkFirst, c =>
        {
            var spec = new FilterSpec(FilterTokenFlags.None, [c.sid], [], []);
            var filtered = spec.Apply(c.w.Token);
            NeverMore(c.w, filtered, null, $"{c.sid} made deny-only", tally);
        });
        tally.Require("deny-only SID adds nothing");
    }

    private static Gen<Ace> DenyAce { get; } =
        from ace in AccessAce
        from type in Gen.Elements(AceType.AccessDenied, AceType.AccessDenied, AceType.AccessDeniedObject, AceType.AccessDeniedCallback)
        select type == AceType.AccessDeniedObject
            ? new Ace(type, ace.Flags, ace.Mask, ace.Sid, ace.ObjectType ?? GuidPool[0], ace.InheritedObjectType)
            : new Ace(type, ace.Flags, ace.Mask, ace.Sid);

    private static Gen<Ace> AllowAce { get; } =
        from ace in AccessAce
        from type in Gen.Elements(AceType.AccessAllowed, AceType.AccessAllowed, AceType.AccessAllowedObject, AceType.AccessAllowedCallback)
        select type == AceType.AccessAllowedObject
            ? new Ace(type, ace.Flags, ace.Mask, ace.Sid, ace.ObjectType ?? GuidPool[0], ace.InheritedObjectType)
            : new Ace(type, ace.Flags, ace.Mask, ace.Sid);

    /// <summary>The descriptor with <paramref name="ace"/> inserted at <paramref name="position"/> (a missing or NULL DACL becomes one with just that ACE).</summary>
    private static SecurityDescriptor Insert(SecurityDescriptor sd, Ace ace, int position)
    {
        var aces = sd.Dacl?.Aces ?? [];
        return sd.WithDacl(new Acl(aces.Insert(position % (aces.Length + 1), ace)), AclState.Present);
    }

    [Fact]
    public void AddingADenyAceNeverAddsAccess()
    {
        var gen = from w in WorldGen
                  from ace in DenyAce
                  from position in Gen.Choose(0, 12)
                  select (w, (ace, position));
        var tally = new Tally();
        Run("deny ACE adds nothing", gen, ShrinkFirst, c =>
        {
            var (ace, position) = c.Item2;
            NeverMore(c.w, null, Insert(c.w.Descriptor, ace, position), $"{ace} inserted at {position}", tally);
        });
        tally.Require("deny ACE adds nothing");
    }

    [Fact]
    public void AddingAnAllowAceNeverRemovesAccessUnlessItNamesOwnerRights()
    {
        // An allow ACE can only add, except one for OWNER RIGHTS, which replaces the owner's implied
        // READ_CONTROL | WRITE_DAC (documented Windows behaviour); such ACEs are left out here.
        var gen = from w in WorldGen
                  from ace in AllowAce.Where(a => a.Sid != WellKnownSids.OwnerRights)
                  from position in Gen.Choose(0, 12)
                  select (w, (ace, position));
        var tally = new Tally();
        Run("allow ACE removes nothing", gen, ShrinkFirst, c =>
        {
            var (ace, position) = c.Item2;
            // Compare within present DACLs: a NULL or missing DACL already grants everything.
            var sd = c.w.Descriptor.DaclState == AclState.Present ? c.w.Descriptor : c.w.Descriptor.WithDacl(Acl.Empty, AclState.Present);
            var widened = c.w with { Descriptor = Insert(sd, ace, position) };
            NeverMore(widened, null, sd, $"{ace} removed from position {position}", tally);
        });
        tally.Require("allow ACE removes nothing");
    }

    [Fact]
    public void MaximumAllowedAgreesWithPlainChecks()
    {
        var gen = from w in WorldGen
                  from mask in FileRequest
                  select (w, mask);
        int granted = 0, denied = 0;
        Run("MAXIMUM_ALLOWED agrees with plain checks", gen, ShrinkFirst, c =>
        {
            var (w, mask) = c;
            var max = w.Check(AccessMask.MaximumAllowed);
            uint maxSet = Granted(max);
            Require(max.IsGranted == (maxSet != 0), $"MAXIMUM_ALLOWED granted {Hex(max.GrantedAccess)} with status {max.AccessStatus.Name}: a grant is never empty and a denial grants nothing");
            Require(max.IsGranted || max.GrantedAccess == 0, $"denied MAXIMUM_ALLOWED reports {Hex(max.GrantedAccess)}");

            var plain = w.Check(mask);
            if (plain.IsGranted) Interlocked.Increment(ref granted);
            else Interlocked.Increment(ref denied);
            bool inside = (mask & ~maxSet) == 0;
            Require(plain.IsGranted == inside, $"request {Hex(mask)} is {(plain.IsGranted ? "granted" : "denied")} but MAXIMUM_ALLOWED gives {Hex(maxSet)}");
            Require(!plain.IsGranted || plain.GrantedAccess == mask, $"request {Hex(mask)} granted {Hex(plain.GrantedAccess)}, not exactly the request");

            var both = w.Check(mask | AccessMask.MaximumAllowed);
            Require(both.IsGranted == inside && Granted(both) == (inside ? maxSet : 0), $"request {Hex(mask)}|MAXIMUM_ALLOWED gives {Hex(Granted(both))}, MAXIMUM_ALLOWED alone {Hex(maxSet)}");

            // ACCESS_SYSTEM_SECURITY is governed by the enabled SeSecurityPrivilege alone.
            var sacl = w.Check(mask | AccessMask.AccessSystemSecurity);
            bool privilege = w.Token.IsPrivilegeEnabled(Privileges.Security);
            Require(sacl.IsGranted == (privilege && plain.IsGranted), $"request {Hex(mask)}|ACCESS_SYSTEM_SECURITY is {(sacl.IsGranted ? "granted" : "denied")}; privilege {privilege}, plain {plain.IsGranted}");
            Require(privilege || sacl.AccessStatus == NtStatus.PrivilegeNotHeld, $"ACCESS_SYSTEM_SECURITY without the privilege gives {sacl.AccessStatus.Name}");
            Require(w.Check(AccessMask.AccessSystemSecurity).IsGranted == privilege, "ACCESS_SYSTEM_SECURITY alone does not follow the privilege");

            if (w.ObjectTypes.Length == 0) return;
            var (maxStatus, maxGranted) = ResultList(w, AccessMask.MaximumAllowed, null, null);
            var (plainStatus, _) = ResultList(w, mask, null, null);
            for (int i = 0; i < w.ObjectTypes.Length; i++)
            {
                uint nodeMax = maxStatus[i] == NtStatus.Success ? maxGranted[i] : 0;
                Require((plainStatus[i] == NtStatus.Success) == ((mask & ~nodeMax) == 0), $"node {i}: request {Hex(mask)} is {plainStatus[i].Name} but MAXIMUM_ALLOWED gives {Hex(nodeMax)}");
            }
        });
        Assert.True(granted > MaxTest / 20 && denied > MaxTest / 20, $"granted {granted}, denied {denied}: both outcomes must be common");
    }

    [Fact]
    public void RemovingPrivilegesNeverAddsAccess()
    {
        var gen = from w in WorldGen
                  from drop in SubsetOf(PrivilegePool, 50)
                  from delete in Chance(50)
                  select (w, (drop, delete));
        var tally = new Tally();
        Run("removing privileges adds nothing", gen, ShrinkFirst, c =>
        {
            var (drop, delete) = c.Item2;
            var b = c.w.Token.ToBuilder();
            if (delete) b.PrivilegeList.RemoveAll(p => drop.Contains(p.Luid));
            else
                for (int i = 0; i < b.PrivilegeList.Count; i++)
                    if (drop.Contains(b.PrivilegeList[i].Luid)) b.PrivilegeList[i] = b.PrivilegeList[i] with { Attributes = PrivilegeAttributes.None };
            NeverMore(c.w, b.Build(), null, $"{(delete ? "deleted" : "disabled")} [{string.Join(", ", drop.Select(Privileges.NameOf))}]", tally);
        });
        tally.Require("removing privileges adds nothing");
    }

    [Fact]
    public void ADisabledPrivilegeCountsAsAbsent()
    {
        // Only an enabled privilege grants anything (SeSecurityPrivilege, SeTakeOwnershipPrivilege, SeRelabelPrivilege).
        var gen = from w in WorldGen
                  from drop in SubsetOf(PrivilegePool, 50)
                  select (w, drop);
        Run("disabled privilege = absent privilege", gen, ShrinkFirst, c =>
        {
            var disabled = c.w.Token.ToBuilder();
            for (int i = 0; i < disabled.PrivilegeList.Count; i++)
                if (c.drop.Contains(disabled.PrivilegeList[i].Luid)) disabled.PrivilegeList[i] = disabled.PrivilegeList[i] with { Attributes = PrivilegeAttributes.None };
            var deleted = c.w.Token.ToBuilder();
            deleted.PrivilegeList.RemoveAll(p => c.drop.Contains(p.Luid));
            Token a = disabled.Build(), b = deleted.Build();
            foreach (uint desired in Requests(c.w).Append(AccessMask.AccessSystemSecurity).Append(c.w.Desired | AccessMask.WriteOwner))
            {
                var r1 = c.w.Check(desired, a);
                var r2 = c.w.Check(desired, b);
                Require(r1 == r2, $"request {Hex(desired)}: {r1} with [{string.Join(", ", c.drop.Select(Privileges.NameOf))}] disabled, {r2} with them deleted");
            }
        });
    }

    [Fact]
    public void LoweringTheIntegrityLevelNeverAddsAccess()
    {
        var gen = from w in WorldGen
                  from level in Gen.Choose(0, IntegrityLevels.Length - 1)
                  select (w, level);
        var tally = new Tally();
        Run("lower integrity adds nothing", gen, ShrinkFirst, c =>
        {
            int current = Array.IndexOf(IntegrityLevels, c.w.Token.IntegrityLevel);
            var lower = IntegrityLevels[Math.Min(current, c.level)];
            var b = c.w.Token.ToBuilder();
            b.IntegrityLevel = lower;
            for (int i = 0; i < b.Groups.Count; i++)
                if ((b.Groups[i].Attributes & GroupAttributes.Integrity) != 0) b.Groups[i] = new SidAndAttributes(lower, b.Groups[i].Attributes);
            NeverMore(c.w, b.Build(), null, $"integrity lowered to {lower}", tally);
        });
        tally.Require("lower integrity adds nothing");
    }

    [Fact]
    public void CollectingAnExplanationNeverChangesTheResult()
    {
        int steps = 0;
        Run("explanation changes nothing", WorldGen, Shrink, w =>
        {
            foreach (uint desired in Requests(w))
            {
                var explanation = new AccessCheckExplanation();
                var with = w.Check(desired, explanation: explanation);
                var without = w.Check(desired);
                Require(with == without, $"request {Hex(desired)}: {with} with an explanation, {without} without");
                steps += explanation.Steps.Count;
                if (w.ObjectTypes.Length > 0)
                {
                    var a = ResultList(w, desired, null, null, new AccessCheckExplanation());
                    var b = ResultList(w, desired, null, null);
                    Require(a.Status.SequenceEqual(b.Status) && a.Granted.SequenceEqual(b.Granted), $"request {Hex(desired)}: the result list differs with an explanation");
                }
            }
        });
        Assert.True(steps > MaxTest, "explanations recorded almost nothing");
    }

    [Fact]
    public void TheExplanationAgreesWithTheResult()
    {
        Run("explanation agrees with the result", WorldGen, Shrink, w =>
        {
            foreach (uint desired in Requests(w))
            {
                var explanation = new AccessCheckExplanation();
                var r = w.Check(desired, explanation: explanation);
                Require(explanation.CallStatus == r.Status, $"explanation call status {explanation.CallStatus.Name}, result {r.Status.Name}");
                Require(explanation.Granted == r.IsGranted && explanation.GrantedAccess == r.GrantedAccess,
                    $"request {Hex(desired)}: explanation says {(explanation.Granted ? "granted" : "denied")} {Hex(explanation.GrantedAccess)}, result {r}");
                Require(explanation.DesiredAccess == desired, "explanation records another request");
                Require(explanation.Steps.Count > 0 && explanation.Steps[^1].Stage == ExplanationStage.Result && explanation.Steps[^1].Applied == r.IsGranted, "the last step is not the result");
                foreach (var step in explanation.Steps)
                {
                    if (step.Ace is not { } ace) continue;
                    var acl = w.Descriptor.Dacl;
                    Require(acl is not null && step.AceIndex >= 0 && step.AceIndex < acl.Count && ReferenceEquals(acl.Aces[step.AceIndex], ace), $"step names ACE #{step.AceIndex}, which is not that DACL entry");
                    Require(!ace.IsInheritOnly || step.Outcome == AceOutcome.SkippedInheritOnly || step.Outcome == AceOutcome.SkippedType,
                        $"inherit-only ACE #{step.AceIndex} {ace} is reported as {step.Outcome}");
                }
                Require(explanation.ToText(ObjectTypes.File).Length > 0, "empty text");
            }
        });
    }

    private static SecurityDescriptor WithoutInheritOnly(SecurityDescriptor sd)
    {
        var result = sd;
        if (sd.Dacl is { } dacl) result = result.WithDacl(new Acl(dacl.Aces.Where(a => !a.IsInheritOnly)));
        if (sd.Sacl is { } sacl) result = result.WithSacl(new Acl(sacl.Aces.Where(a => !a.IsInheritOnly)));
        return result;
    }

    private static Gen<Ace> InheritOnlyAce { get; } = Gen.OneOf(
        AccessAce.Select(a => a.WithFlags(a.Flags | AceFlags.InheritOnly)),
        LabelAce.Select(a => a.WithFlags(a.Flags | AceFlags.InheritOnly)));

    [Fact]
    public void InheritOnlyAcesHaveNoEffect()
    {
        var gen = from w in WorldGen
                  from ace in InheritOnlyAce
                  from position in Gen.Choose(0, 12)
                  select (w, (ace, position));
        int removed = 0;
        Run("inherit-only ACEs have no effect", gen, ShrinkFirst, c =>
        {
            var (ace, position) = c.Item2;
            var sd = c.w.Descriptor;
            var stripped = WithoutInheritOnly(sd);
            SecurityDescriptor added;
            if (ace.Type == AceType.SystemMandatoryLabel)
            {
                var sacl = sd.Sacl?.Aces ?? [];
                added = sd.WithSacl(new Acl(sacl.Insert(position % (sacl.Length + 1), ace)));
            }
            else if (sd.DaclState == AclState.Present)
            {
                added = Insert(sd, ace, position);
            }
            else
            {
                added = sd;
            }
            if (!ReferenceEquals(stripped, sd) && (stripped.Dacl?.Count != sd.Dacl?.Count || stripped.Sacl?.Count != sd.Sacl?.Count)) Interlocked.Increment(ref removed);
            foreach (uint desired in Requests(c.w))
            {
                var r = c.w.Check(desired);
                Require(c.w.Check(desired, descriptor: stripped) == r, $"request {Hex(desired)}: removing the inherit-only ACEs changes {r} (now {c.w.Check(desired, descriptor: stripped)})");
                Require(c.w.Check(desired, descriptor: added) == r, $"request {Hex(desired)}: inserting {ace} at {position} changes {r} (now {c.w.Check(desired, descriptor: added)})");
            }
        });
        Assert.True(removed > MaxTest / 10, $"only {removed} worlds had inherit-only ACEs to remove");
    }
}
