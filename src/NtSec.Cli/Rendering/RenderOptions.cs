using NtSec.Authorization;
using NtSec.Principals;

namespace NtSec.Cli.Rendering;

/// <summary>How to present a descriptor.</summary>
internal sealed record RenderOptions
{
    /// <summary>The object type whose right names to use; null names only the standard and generic rights.</summary>
    public ObjectTypeInfo? ObjectType { get; init; }

    /// <summary>The domains for domain-relative aliases and names.</summary>
    public SidContext Context { get; init; } = SidContext.None;

    /// <summary>The names the user gave SIDs (<c>--map</c>, names resolved from the input); null for the catalogue alone.</summary>
    public SidNameResolver? Names { get; init; }

    /// <summary>Bytes that followed the descriptor in binary input (reported, not decoded).</summary>
    public int TrailingBytes { get; init; }

    /// <summary>The text output's line width, beyond which lists of right names wrap.</summary>
    public int Width { get; init; } = 100;
}
