using System.CommandLine;
using NtSec.Authorization;
using NtSec.Principals;

namespace NtSec.Cli.Commands;

/// <summary>Options several commands share, and the helpers that read them.</summary>
internal static class CommonOptions
{
    /// <summary>The <c>--type</c> values the help lists; <see cref="ObjectTypes.Find"/> accepts a few more spellings.</summary>
    public static IReadOnlyList<string> TypeNames => ObjectTypes.Keys;

    public static Option<string?> Domain() => SidOption("--domain",
        "Domain SID (S-1-5-21-x-y-z) for the domain-relative aliases DA, DU, DG, DC, DD, CA, PA, RS ... and, unless --machine is given, LA and LG.");

    public static Option<string?> Machine() => SidOption("--machine",
        "The machine's own account domain SID, for LA and LG (defaults to --domain).");

    public static Option<bool> Json() => new("--json") { Description = "Print JSON (versioned shape, see docs/cli.md) instead of text." };

    public static Option<string?> Type(string? description = null)
    {
        var option = new Option<string?>("--type", "-t")
        {
            Description = description ?? "Name the rights of this object type: " + string.Join(", ", TypeNames) + ". Default: standard and generic rights only.",
            HelpName = "type",
        };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string?>();
            if (value is not null && ObjectTypes.Find(value) is null)
                result.AddError($"Unknown object type '{value}'. Known types: {string.Join(", ", TypeNames)}.");
        });
        return option;
    }

    public static Option<string?> Mapping()
    {
        var option = new Option<string?>("--mapping")
        {
            Description = "The generic mapping as R,W,X,A: four masks (0x... or decimal) for GENERIC_READ, GENERIC_WRITE, GENERIC_EXECUTE, GENERIC_ALL. Overrides the --type's mapping.",
            HelpName = "R,W,X,A",
        };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string?>();
            if (value is not null && !GenericMapping.TryParse(value, out _))
                result.AddError($"--mapping needs four masks R,W,X,A such as 0x120089,0x120116,0x1200a0,0x1f01ff; got '{value}'.");
        });
        return option;
    }

    private static Option<string?> SidOption(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "SID" };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string?>();
            if (value is not null && !Sid.TryParse(value, out _, out var error))
                result.AddError($"{name} needs a SID such as S-1-5-21-1004336348-1177238915-682003330: {error!.Reason} at {error.Position}.");
        });
        return option;
    }

    /// <summary>The SID context from --domain and --machine (validated by the parser, so they parse here).</summary>
    public static SidContext Context(ParseResult parse, Option<string?> domain, Option<string?> machine, Sid? defaultDomain = null)
    {
        Sid? d = parse.GetValue(domain) is { } ds ? Sid.Parse(ds) : defaultDomain;
        Sid? m = parse.GetValue(machine) is { } ms ? Sid.Parse(ms) : d;
        return d is null && m is null ? SidContext.None : new SidContext(d, m);
    }

    /// <summary>Reports a usage error the parser could not catch (conflicting options) and returns the usage exit code.</summary>
    public static int UsageError(Terminal terminal, string command, string message)
    {
        terminal.Error.WriteLine($"ntsec {command}: {message}");
        terminal.Error.WriteLine($"Run 'ntsec {command} --help' for usage.");
        return ExitCodes.Usage;
    }

    /// <summary>Reports rejected input as <c>error: position: reason</c> and returns the bad-input exit code.</summary>
    public static int InputError(Terminal terminal, ParseError error, string hint = "")
    {
        terminal.Error.WriteLine(FormatError(error) + hint);
        return ExitCodes.BadInput;
    }

    /// <summary>The one-line form of a rejected input: <c>error: position: reason</c>.</summary>
    public static string FormatError(ParseError error) => $"error: {error.Position}: {error.Reason}";

    /// <summary>
    /// Makes a free-text argument refuse option-like tokens. Without this a misspelt option (<c>--from-hexx</c>) is
    /// taken as the descriptor and reported as bad SDDL; no SDDL, hex, base64 or SID starts with '-', while a lone
    /// '-' (standard input) stays allowed.
    /// </summary>
    public static Argument<string[]> RejectOptionLikeTokens(this Argument<string[]> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (token.Value.Length > 1 && token.Value[0] == '-') result.AddError($"Unrecognized option '{token.Value}'.");
        });
        return argument;
    }

    /// <summary>Joins the tokens of a multi-token argument with single spaces ("NT AUTHORITY\SYSTEM" typed unquoted).</summary>
    public static string? Joined(ParseResult parse, Argument<string[]> argument)
        => parse.GetValue(argument) is { Length: > 0 } tokens ? string.Join(' ', tokens) : null;
}
