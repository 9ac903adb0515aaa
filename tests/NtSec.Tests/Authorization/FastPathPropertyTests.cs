using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Authorization.FastPath;
using NtSec.Principals;
using NtSec.Tokens;
using Xunit.Abstractions;
using Xunit.Sdk;
using static NtSec.Tests.Authorization.AccessCheckGenerators;

namespace NtSec.Tests.Authorization;

/// <summary>
/// The fast path for the common check (<see cref="PlainAccessCheck"/>) gives exactly the full check's result
/// wherever it takes a case, over generated worlds; and it takes the common cases, so the comparison is not vacuous.
/// </summary>
public sealed class FastPathPropertyTests(ITestOutputHelper output)
{
    private static readonly uint[] ExtraRequests = [AccessMask.MaximumAllowed, AccessMask.MaximumAllowed | AccessMask.AccessSystemSecurity, AccessMask.WriteOwner | AccessMask.ReadControl];

    /// <summary>The world as the fast path sees it most often: no object type list, no PRINCIPAL_SELF, no conditional ACE.</summary>
    private static World Plain(World w)
    {
        var sd = w.Descriptor;
        if (sd.Dacl is { } dacl) sd = sd.WithDacl(new Acl(dacl.Aces.Where(a => !a.IsCallback)));
        return w with { Descriptor = sd, ObjectTypes = [], Self = null };
    }

    [Fact]
    public void TheFastPathAgreesWithTheFullCheck()
    {
        int taken = 0, declined = 0, granted = 0, denied = 0;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(AccessCheckPropertyTests.MaxTest)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(AccessCheckPropertyTests.DefaultSeed ^ 0xFA57), FSharpOption<int>.None)));
        void Compare(World w)
        {
            foreach (uint desired in ExtraRequests.Prepend(w.Desired))
            {
                // An explanation sends the check down the full path.
                var full = AccessCheck.Check(w.Descriptor, w.Token, desired, FileMapping, explanation: new AccessCheckExplanation());
                var viaCheck = AccessCheck.Check(w.Descriptor, w.Token, desired, FileMapping);
                if (viaCheck != full) throw new InvalidOperationException($"desired 0x{desired:x8}: Check gives {viaCheck}, the full check {full}\n{w}");
                if (PlainAccessCheck.TryCheck(w.Descriptor, w.Token, desired, FileMapping, out var fast))
                {
                    if (fast != full) throw new InvalidOperationException($"desired 0x{desired:x8}: fast path {fast}, full check {full}\n{w}");
                    taken++;
                    if (full.IsGranted) granted++;
                    else denied++;
                }
                else
                {
                    declined++;
                }
            }
        }
        try
        {
            Prop.ForAll(Arb.From(WorldGen, Shrink), w =>
            {
                Compare(Plain(w));
                if (w.ObjectTypes.Length == 0 && w.Self is null) Compare(w);
            }).Check(config);
        }
        catch (Exception ex) when (ex is not XunitException)
        {
            throw new XunitException("the fast path and the full check disagree\n" + ex.Message);
        }
        output.WriteLine($"taken {taken} (granted {granted}, denied {denied}), declined {declined}");
        Assert.True(taken > AccessCheckPropertyTests.MaxTest, $"the fast path took only {taken} cases");
        Assert.True(granted > taken / 10 && denied > taken / 10, $"granted {granted}, denied {denied} of {taken}: too one-sided to prove anything");
        Assert.True(declined > 0, "the fast path never declined a case");
    }

    [Fact]
    public void AliasesShareTheWellKnownInstances()
    {
        var sd = NtSec.Sddl.SddlParser.Parse("O:BAG:SYD:(A;;FA;;;BA)(A;;FR;;;AU)(A;;FR;;;WD)");
        var aces = sd.Dacl!.Aces;
        Assert.True(Same(aces[0].Sid, WellKnownSids.BuiltinAdministrators));
        Assert.True(Same(aces[1].Sid, WellKnownSids.AuthenticatedUsers));
        Assert.True(Same(aces[2].Sid, WellKnownSids.World));
        Assert.True(Same(sd.Group!.Value, WellKnownSids.LocalSystem));
        // A SID written out in full is made canonical where the check compiles it.
        var parsed = Sid.Parse("S-1-5-32-544");
        Assert.False(Same(parsed, WellKnownSids.BuiltinAdministrators));
        Assert.True(Same(WellKnownSids.Canonical(parsed), WellKnownSids.BuiltinAdministrators));
    }

    // Two SIDs are one instance when their binary forms are the same memory.
    private static bool Same(Sid a, Sid b)
        => System.Runtime.CompilerServices.Unsafe.AreSame(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a.BinaryForm), ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b.BinaryForm));
}
