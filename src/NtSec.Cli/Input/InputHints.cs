namespace NtSec.Cli.Input;

/// <summary>
/// The command-line hints for input errors an option can fix, chosen by the error's <see cref="ParseErrorKind"/>;
/// the English reason is never searched.
/// </summary>
internal static class InputHints
{
    /// <summary><c> (give it with --domain)</c> for an alias or name that needs a domain SID, else "".</summary>
    public static string Domain(ParseError? error) => error?.Kind == ParseErrorKind.DomainSidNeeded ? " (give it with --domain)" : "";

    /// <summary>
    /// For commands that take <c>--map</c> as well: <c> (give it with --map NAME=SID)</c> for an account name nothing
    /// maps to a SID, else <see cref="Domain"/>.
    /// </summary>
    public static string DomainOrMap(ParseError? error) => error?.Kind == ParseErrorKind.UnmappedName ? " (give it with --map NAME=SID)" : Domain(error);

    /// <summary>
    /// For a scenario file, which gives its domain SID with its own <c>domain</c> key (<c>ntsec run</c> has no
    /// <c>--domain</c>): <c> (give it with the scenario's 'domain' key)</c> for an alias or name that needs a domain SID, else "".
    /// </summary>
    public static string ScenarioDomain(ParseError? error) => error?.Kind == ParseErrorKind.DomainSidNeeded ? " (give it with the scenario's 'domain' key)" : "";
}
