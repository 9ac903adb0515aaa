using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using NtSec.Tests.Fuzzing;
using Xunit.Abstractions;

namespace NtSec.Tests.Properties;

/// <summary>
/// Runs FsCheck properties from plain xUnit facts (FsCheck.Xunit is not used): once with the fixed seed and once
/// more with <c>NTSEC_FUZZ_SEED</c> when it is set, each run replayable from the seed it prints.
/// </summary>
public static class PropertyRunner
{
    /// <summary>FsCheck's odd "gamma" for the replay seed; any odd value gives a valid stream.</summary>
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>Checks <paramref name="body"/> for <paramref name="maxTest"/> values of <paramref name="gen"/> per seed.</summary>
    /// <param name="output">Where the seeds and counts are written.</param>
    /// <param name="name">The property's name.</param>
    /// <param name="gen">The values.</param>
    /// <param name="body">Returns null when the property holds, or what went wrong.</param>
    /// <param name="maxTest">Values per seed.</param>
    /// <param name="show">How to print a value in a failure.</param>
    public static void Check<T>(ITestOutputHelper output, string name, Gen<T> gen, Func<T, string?> body, int maxTest, Func<T, string>? show = null)
    {
        var (seeds, _) = FuzzSettings.Require();
        int checkedCount = 0;
        var arbitrary = Arb.From(gen); // no shrinker: the generators build values that must stay valid
        foreach (int seed in seeds)
        {
            var config = Config.QuickThrowOnFailure
                .WithMaxTest(maxTest)
                .WithQuietOnSuccess(true)
                .WithName(name)
                .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(unchecked((ulong)seed), Gamma), FSharpOption<int>.None)));
            var property = Prop.ForAll(arbitrary, value =>
            {
                checkedCount++;
                string? failure;
                try
                {
                    failure = body(value);
                }
                catch (Exception ex)
                {
                    failure = $"threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}";
                }
                if (failure is not null)
                    throw new PropertyFailedException($"{name} (seed {seed}): {failure}\n    value: {(show ?? (v => v?.ToString() ?? "null"))(value)}");
            });
            property.Check(config);
        }
        output.WriteLine($"{name}: {checkedCount} values held ({maxTest} per seed); {FuzzSettings.Describe(seeds)}");
        Assert.Equal(maxTest * seeds.Count, checkedCount);
    }
}

/// <summary>Thrown from inside a property so that FsCheck reports the value and the reason together.</summary>
public sealed class PropertyFailedException(string message) : Exception(message);
