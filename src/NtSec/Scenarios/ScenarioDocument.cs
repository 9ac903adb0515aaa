namespace NtSec.Scenarios;

/// <summary>A place in a scenario's source: 1-based line and column; (0, 0) for a scenario built in code.</summary>
/// <param name="Line">The line.</param>
/// <param name="Column">The column.</param>
public readonly record struct SourceMark(int Line, int Column)
{
    /// <summary><c>line:column</c>.</summary>
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>How a scalar was written, which decides how it is read (a quoted <c>5</c> is a string; a position inside a quoted value is one column further).</summary>
public enum ScenarioScalarStyle
{
    /// <summary>Unquoted.</summary>
    Plain,

    /// <summary>In single or double quotes.</summary>
    Quoted,

    /// <summary>A literal or folded block.</summary>
    Block,
}

/// <summary>
/// A scenario document as a tree of mappings, lists and scalars with their positions: what a file format (YAML in the
/// CLI) is read into before <see cref="ScenarioReader"/> turns it into a <see cref="Scenario"/>. The library knows no
/// file format; a loader builds this tree.
/// </summary>
public abstract class ScenarioNode
{
    private protected ScenarioNode(SourceMark at) => At = at;

    /// <summary>Where the node starts.</summary>
    public SourceMark At { get; }
}

/// <summary>A single value.</summary>
public sealed class ScenarioScalar : ScenarioNode
{
    /// <summary>A scalar.</summary>
    /// <param name="value">Its text ("" for an empty value).</param>
    /// <param name="style">How it was written.</param>
    /// <param name="at">Where it starts.</param>
    public ScenarioScalar(string value, ScenarioScalarStyle style, SourceMark at) : base(at)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Style = style;
    }

    /// <summary>The text.</summary>
    public string Value { get; }

    /// <summary>How it was written.</summary>
    public ScenarioScalarStyle Style { get; }
}

/// <summary>Keys and values, in the order written.</summary>
public sealed class ScenarioMapping : ScenarioNode
{
    /// <summary>A mapping.</summary>
    /// <param name="entries">The entries in order; a key appears once.</param>
    /// <param name="at">Where it starts.</param>
    public ScenarioMapping(IReadOnlyList<KeyValuePair<ScenarioScalar, ScenarioNode>> entries, SourceMark at) : base(at)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = entries;
    }

    /// <summary>The entries in order.</summary>
    public IReadOnlyList<KeyValuePair<ScenarioScalar, ScenarioNode>> Entries { get; }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public ScenarioNode? Get(string key)
    {
        foreach (var (k, v) in Entries)
            if (string.Equals(k.Value, key, StringComparison.Ordinal)) return v;
        return null;
    }
}

/// <summary>A list.</summary>
public sealed class ScenarioSequence : ScenarioNode
{
    /// <summary>A list.</summary>
    /// <param name="items">The items in order.</param>
    /// <param name="at">Where it starts.</param>
    public ScenarioSequence(IReadOnlyList<ScenarioNode> items, SourceMark at) : base(at)
    {
        ArgumentNullException.ThrowIfNull(items);
        Items = items;
    }

    /// <summary>The items in order.</summary>
    public IReadOnlyList<ScenarioNode> Items { get; }
}
