using NtSec.Cli.Input;
using NtSec.Scenarios;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NtSec.Cli.Scenarios;

/// <summary>
/// Reads a scenario file (YAML) into a <see cref="Scenario"/>: YAML syntax errors are reported here, with their line and
/// column; the document is then handed to the library's <see cref="ScenarioReader"/> as a format-neutral node tree,
/// which checks everything that can be checked before a step runs.
/// </summary>
internal static class ScenarioLoader
{
    /// <summary>Loads a scenario from YAML text.</summary>
    /// <param name="yaml">The file's text.</param>
    /// <param name="baseDirectory">Where relative file names (token files) resolve.</param>
    /// <param name="scenario">The scenario.</param>
    /// <param name="error">The first mistake: kind, line and column (and the value's path once the YAML is read), reason.</param>
    public static bool TryLoad(string yaml, string baseDirectory, out Scenario? scenario, out ParseError? error)
    {
        scenario = null;
        if (TooDeep(yaml) is { } deep)
        {
            error = deep;
            return false;
        }
        ScenarioNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1)
            {
                error = Yaml(ParseErrorKind.TrailingData, new SourceMark(1, 1), "a scenario file holds one YAML document");
                return false;
            }
            if (!new NodeConverter().TryConvert(stream.Documents[0].RootNode, out root!, out error)) return false;
        }
        catch (YamlException e)
        {
            // Where YamlDotNet's mark is not where the mistake is, the position comes from the parser's events and the
            // source text at the mark, never from the words of its message (which are only passed on to the reader):
            // an unclosed flow collection is noticed where the document ends, so point at the bracket; a tab in the
            // indentation is reported at the start of the enclosing mapping, so point at the tab.
            string message = StripMark(e.Message);
            var mark = new SourceMark((int)e.Start.Line, (int)e.Start.Column);
            error = (InFlowCollection(yaml) ? UnclosedBracket(yaml) : null)
                ?? FirstIndentingTab(yaml, mark, message)
                ?? Yaml(KindOf(e), mark, "YAML: " + message);
            return false;
        }
        catch (ArgumentException)
        {
            // YamlDotNet's representation model throws this for an event it cannot place (an alias after a flow
            // mapping, `a: {b: c} *x`): the parser itself accepted the event, so report where it is.
            error = Yaml(ParseErrorKind.Syntax, LastEvent(yaml), "YAML: unexpected content here (an alias or value where none can follow)");
            return false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16 throws this, without a position, on some unbalanced flow collections.
            error = UnclosedBracket(yaml) ?? Yaml(ParseErrorKind.Syntax, new SourceMark(1, 1), "YAML: the document cannot be parsed");
            return false;
        }
        return ScenarioReader.TryRead(root, new ScenarioReadOptions { BaseDirectory = Path.GetFullPath(baseDirectory) }, out scenario, out error);
    }

    /// <summary>
    /// <c>line:column: reason</c> and the hint the error's kind calls for, as <c>ntsec run</c> and the web API print a
    /// scenario error after the file's name.
    /// </summary>
    public static string Describe(ParseError error) => $"{error.Line}:{error.Column}: {error.Reason}{InputHints.ScenarioDomain(error)}";

    /// <summary>The deepest nesting a scenario may have: YamlDotNet recurses once per level and would overflow the stack.</summary>
    public const int MaxNesting = 64;

    // Flow collections ('[', '{') and compact block sequences ('- - -') nest without limit in YAML; the library
    // recurses per level, so the depth is bounded here, before it parses.
    private static ParseError? TooDeep(string yaml)
    {
        int depth = 0;
        var lines = yaml.Split('\n');
        for (int l = 0; l < lines.Length; l++)
        {
            string line = lines[l];
            char quote = '\0';
            int dashes = 0;
            bool leading = true;
            for (int c = 0; c < line.Length; c++)
            {
                char ch = line[c];
                if (quote != '\0')
                {
                    if (ch == quote) quote = '\0';
                    continue;
                }
                if (leading && ch == '-' && (c + 1 == line.Length || line[c + 1] == ' '))
                {
                    if (++dashes > MaxNesting) return Yaml(ParseErrorKind.OutOfRange, new SourceMark(l + 1, c + 1), $"YAML: nested more than {MaxNesting} levels deep");
                    continue;
                }
                if (ch != ' ') leading = false;
                if (ch is '"' or '\'') quote = ch;
                else if (ch == '#' && (c == 0 || char.IsWhiteSpace(line[c - 1]))) break;
                else if (ch is '[' or '{')
                {
                    if (++depth > MaxNesting) return Yaml(ParseErrorKind.OutOfRange, new SourceMark(l + 1, c + 1), $"YAML: nested more than {MaxNesting} levels deep");
                }
                else if (ch is ']' or '}' && depth > 0) depth--;
            }
        }
        return null;
    }

    // The error as the one error model has it: a YAML error is about the text, so it has a line and column and no path.
    private static ParseError Yaml(ParseErrorKind kind, SourceMark at, string reason) => new(kind, ParseLocation.AtLine(at.Line, at.Column), reason);

    // The kind from YamlDotNet's exception type: an alias to no anchor names nothing.
    private static ParseErrorKind KindOf(YamlException e) => e switch
    {
        AnchorNotFoundException => ParseErrorKind.UndefinedReference,
        MaximumRecursionLevelReachedException => ParseErrorKind.OutOfRange,
        _ => ParseErrorKind.Syntax,
    };

    // A tab in the indentation of a line with content, at or after the line YamlDotNet's mark is on (the start of the
    // enclosing mapping, for a tab where indentation is expected): YAML indents with spaces only, so that tab is the
    // mistake whatever the parser's message says.
    private static ParseError? FirstIndentingTab(string yaml, SourceMark mark, string message)
    {
        var lines = yaml.Split('\n');
        for (int l = Math.Max(0, mark.Line - 1); l < lines.Length; l++)
        {
            int c = 0;
            while (c < lines[l].Length && lines[l][c] is ' ' or '\t') c++;
            if (c == lines[l].Length || lines[l][c] is '\r' or '#') continue; // blank or comment: its whitespace indents nothing
            int tab = lines[l].IndexOf('\t', 0, c);
            if (tab >= 0) return Yaml(ParseErrorKind.Syntax, new SourceMark(l + 1, tab + 1), "YAML: " + message.TrimEnd('.') + " (YAML indents with spaces only)");
        }
        return null;
    }

    // Whether the parser was inside a flow collection ('[' or '{') when it failed: replays the events up to the error.
    private static bool InFlowCollection(string yaml)
    {
        int open = 0;
        try
        {
            var parser = new Parser(new StringReader(yaml));
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.SequenceStart { Style: YamlDotNet.Core.Events.SequenceStyle.Flow }:
                    case YamlDotNet.Core.Events.MappingStart { Style: YamlDotNet.Core.Events.MappingStyle.Flow }:
                        open++;
                        break;
                    case YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd when open > 0:
                        open--;
                        break;
                }
            }
        }
        catch (YamlException)
        {
            return open > 0;
        }
        return false;
    }

    // The position of the last event the YAML parser produced before the document could not be built.
    private static SourceMark LastEvent(string yaml)
    {
        var last = new SourceMark(1, 1);
        try
        {
            var parser = new Parser(new StringReader(yaml));
            while (parser.MoveNext())
                if (parser.Current is { } e and not (YamlDotNet.Core.Events.DocumentEnd or YamlDotNet.Core.Events.StreamEnd or YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd))
                    last = new SourceMark((int)e.Start.Line, (int)e.Start.Column);
        }
        catch (YamlException)
        {
            // The position reached so far is the answer.
        }
        return last;
    }

    // Finds the first '[' or '{' (outside quotes and comments) that is never closed.
    private static ParseError? UnclosedBracket(string yaml)
    {
        var open = new Stack<(char C, SourceMark At)>();
        var lines = yaml.Split('\n');
        for (int l = 0; l < lines.Length; l++)
        {
            char quote = '\0';
            for (int c = 0; c < lines[l].Length; c++)
            {
                char ch = lines[l][c];
                if (quote != '\0')
                {
                    if (ch == quote) quote = '\0';
                    continue;
                }
                if (ch is '"' or '\'') quote = ch;
                else if (ch == '#' && (c == 0 || char.IsWhiteSpace(lines[l][c - 1]))) break;
                else if (ch is '[' or '{') open.Push((ch, new SourceMark(l + 1, c + 1)));
                else if (ch is ']' or '}' && open.Count > 0) open.Pop();
            }
        }
        if (open.Count == 0) return null;
        var first = open.Last();
        return Yaml(ParseErrorKind.Truncated, first.At, $"YAML: '{first.C}' is not closed");
    }

    // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: ...) - (Line: ...): "; the mark is reported separately.
    private static string StripMark(string message)
    {
        int i = message.LastIndexOf("): ", StringComparison.Ordinal);
        return i >= 0 ? message[(i + 3)..] : message;
    }

    // YAML nodes to the library's node tree. An alias is the node its anchor names: converted once and shared, so a
    // document of nested aliases costs what its text does.
    private sealed class NodeConverter
    {
        private readonly Dictionary<YamlNode, ScenarioNode> _done = new(ReferenceEqualityComparer.Instance);

        public bool TryConvert(YamlNode node, out ScenarioNode? result, out ParseError? error)
        {
            error = null;
            result = Convert(node, ref error);
            return error is null;
        }

        private ScenarioNode? Convert(YamlNode node, ref ParseError? error)
        {
            if (_done.TryGetValue(node, out var done)) return done;
            var at = new SourceMark((int)node.Start.Line, (int)node.Start.Column);
            ScenarioNode? converted = null;
            switch (node)
            {
                case YamlScalarNode s:
                    converted = Scalar(s);
                    break;
                case YamlSequenceNode q:
                    var items = new List<ScenarioNode>(q.Children.Count);
                    foreach (var child in q.Children)
                    {
                        if (Convert(child, ref error) is not { } c) return null;
                        items.Add(c);
                    }
                    converted = new ScenarioSequence(items, at);
                    break;
                case YamlMappingNode m:
                    var entries = new List<KeyValuePair<ScenarioScalar, ScenarioNode>>(m.Children.Count);
                    foreach (var (k, v) in m.Children)
                    {
                        if (k is not YamlScalarNode key)
                        {
                            error = Yaml(ParseErrorKind.WrongType, new SourceMark((int)k.Start.Line, (int)k.Start.Column), "a single value is expected here");
                            return null;
                        }
                        if (Convert(v, ref error) is not { } value) return null;
                        entries.Add(new(Scalar(key), value));
                    }
                    converted = new ScenarioMapping(entries, at);
                    break;
                default:
                    error = Yaml(ParseErrorKind.Syntax, at, "YAML: unexpected content here (an alias or value where none can follow)");
                    return null;
            }
            _done[node] = converted;
            return converted;
        }

        private static ScenarioScalar Scalar(YamlScalarNode s) => new(s.Value ?? "", s.Style switch
        {
            ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted => ScenarioScalarStyle.Quoted,
            ScalarStyle.Literal or ScalarStyle.Folded => ScenarioScalarStyle.Block,
            _ => ScenarioScalarStyle.Plain,
        }, new SourceMark((int)s.Start.Line, (int)s.Start.Column));
    }
}
