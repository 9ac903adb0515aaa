using NtSec.Principals;

namespace NtSec.Cli.Input;

/// <summary>Turns what a user types for a principal into a SID: the library's one resolver (<see cref="SidNameResolver"/>).</summary>
internal static class SidResolver
{
    /// <summary>Resolves with a resolver for <paramref name="context"/> alone; see <see cref="SidNameResolver.TryResolve"/>.</summary>
    public static bool TryResolve(string text, SidContext context, out Sid sid, out ParseError? error)
        => new SidNameResolver(context).TryResolve(text, out sid, out error);
}
