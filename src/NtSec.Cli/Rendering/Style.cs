namespace NtSec.Cli.Rendering;

/// <summary>
/// Colours for text output. <see cref="Plain"/> returns text unchanged; <see cref="Ansi"/> wraps it in ANSI SGR
/// sequences. Callers pad before styling, since escape sequences have no width on screen but do have length.
/// </summary>
internal sealed class Style
{
    private readonly bool _enabled;

    private Style(bool enabled) => _enabled = enabled;

    /// <summary>No colour: for pipes, files, tests and NO_COLOR.</summary>
    public static Style Plain { get; } = new(false);

    /// <summary>ANSI colours, for a terminal.</summary>
    public static Style Ansi { get; } = new(true);

    /// <summary>True when this style emits escape sequences.</summary>
    public bool Enabled => _enabled;

    /// <summary>Field labels and section headings.</summary>
    public string Label(string text) => Wrap(text, "1");

    /// <summary>SIDs.</summary>
    public string Sid(string text) => Wrap(text, "36");

    /// <summary>Account names and aliases.</summary>
    public string Name(string text) => Wrap(text, "33");

    /// <summary>Allow ACE types and good news.</summary>
    public string Allow(string text) => Wrap(text, "32");

    /// <summary>Deny ACE types and warnings.</summary>
    public string Deny(string text) => Wrap(text, "31");

    /// <summary>Audit, label and other system ACE types.</summary>
    public string System(string text) => Wrap(text, "35");

    /// <summary>Secondary information.</summary>
    public string Dim(string text) => Wrap(text, "2");

    private string Wrap(string text, string sgr) => _enabled && text.Length > 0 ? $"\e[{sgr}m{text}\e[0m" : text;
}
