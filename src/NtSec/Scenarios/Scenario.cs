using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Scenarios;

/// <summary>
/// A scenario: the machine to set up (tokens, desktops, objects, central access policies, processes) and the steps to
/// run on it. Read one from a document with <see cref="ScenarioReader"/>, or build one in code (docs/scenarios.md has an
/// example); run it with <see cref="ScenarioRunner.Run(Scenario)"/>.
/// </summary>
public sealed class Scenario
{
    /// <summary>The scenario's name.</summary>
    public string Name { get; init; } = "scenario";

    /// <summary>What the scenario shows, if said.</summary>
    public string? Description { get; init; }

    /// <summary>The domain and machine SIDs aliases resolve against.</summary>
    public SidContext Context { get; init; } = new();

    /// <summary>Tokens by name.</summary>
    public Dictionary<string, Token> Tokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Desktops to create in WinSta0 besides Default, with optional descriptors.</summary>
    public List<DesktopDeclaration> Desktops { get; } = [];

    /// <summary>Securable objects.</summary>
    public List<ObjectDeclaration> Objects { get; } = [];

    /// <summary>
    /// The central access policies the machine has (the definitions <c>ntsec check --policies</c> takes). An object
    /// whose SACL names one by an SP ACE is checked against its rules by every open and access-check step; empty: none
    /// configured, and SP ACEs are ignored.
    /// </summary>
    public List<CentralAccessPolicy> Policies { get; } = [];

    /// <summary>Processes started before the first step.</summary>
    public List<ProcessDeclaration> Processes { get; } = [];

    /// <summary>The steps, in order.</summary>
    public List<ScenarioStep> Steps { get; } = [];
}

/// <summary>A desktop to create in WinSta0.</summary>
/// <param name="Name">The desktop's name in WinSta0.</param>
/// <param name="Descriptor">Its descriptor, or null for Windows' default for a new desktop.</param>
public sealed record DesktopDeclaration(string Name, SecurityDescriptor? Descriptor = null)
{
    /// <summary>Where it is declared.</summary>
    public SourceMark At { get; init; }
}

/// <summary>A named securable object.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Descriptor">Its descriptor (with an owner and a group).</param>
public sealed record ObjectDeclaration(string Name, ObjectTypeInfo Type, SecurityDescriptor Descriptor)
{
    /// <summary>Where it is declared.</summary>
    public SourceMark At { get; init; }
}

/// <summary>A process running before the first step.</summary>
/// <param name="Name">Its name in the scenario (and image name).</param>
/// <param name="Token">The name of its token in <see cref="Scenario.Tokens"/>.</param>
/// <param name="Desktop"><c>WinSta0\NAME</c>, or <c>none</c> for no desktop.</param>
public sealed record ProcessDeclaration(string Name, string Token, string Desktop = ProcessDeclaration.DefaultDesktop)
{
    /// <summary>The desktop a process runs on when none is said.</summary>
    public const string DefaultDesktop = "WinSta0\\Default";

    /// <summary>Names of its threads; the first is its main thread.</summary>
    public IReadOnlyList<string> Threads { get; init; } = ["main"];

    /// <summary>Where it is declared.</summary>
    public SourceMark At { get; init; }
}

/// <summary>What a step expects; a null field is not checked.</summary>
/// <param name="Status">The NTSTATUS.</param>
/// <param name="Granted">The granted access of the handle the step opens, or of its access check.</param>
/// <param name="Result">The BOOL answer of a question step (is restricted, member, access granted, window found, delivered).</param>
/// <param name="Value">The text of a queried value.</param>
/// <param name="Error">The Win32 error of a user32 step (ERROR_ACCESS_DENIED ...).</param>
public sealed record Expectation(NtStatus? Status = null, uint? Granted = null, bool? Result = null, string? Value = null, int? Error = null);

/// <summary>A reference to a handle: a name a step saved, a pseudo-handle name, <c>NULL</c> or a number.</summary>
/// <param name="Text">As written.</param>
public sealed record HandleRef(string Text)
{
    /// <summary>The names of the built-in handles, besides saved names and numbers.</summary>
    public static IReadOnlyList<string> PseudoHandles { get; } =
        ["NULL", "current-process", "current-thread", "current-process-token", "current-thread-token", "current-thread-effective-token"];

    /// <summary>NULL.</summary>
    public static HandleRef Null { get; } = new("NULL");

    /// <summary>A reference by text.</summary>
    public static implicit operator HandleRef(string text) => new(text);

    /// <summary>A reference by text.</summary>
    public static HandleRef FromString(string text) => new(text);

    /// <summary>The text.</summary>
    public override string ToString() => Text;
}

/// <summary>An access mask a step asks for, with the text it was written as (for printing the call).</summary>
/// <param name="Mask">The mask.</param>
/// <param name="Text">As written; null prints the mask by the object type's right names.</param>
public readonly record struct AccessRequest(uint Mask, string? Text = null)
{
    /// <summary>A mask with no text.</summary>
    public static implicit operator AccessRequest(uint mask) => new(mask);

    /// <summary>A mask with no text.</summary>
    public static AccessRequest FromUInt32(uint mask) => new(mask);

    /// <summary>The text as written, or the mask by <paramref name="type"/>'s right names (hex without a type).</summary>
    public string Display(ObjectTypeInfo? type) =>
        Text ?? (type is null ? "0x" + Mask.ToString("x", System.Globalization.CultureInfo.InvariantCulture) : type.FormatRights(Mask));
}
