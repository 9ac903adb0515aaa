using System.CommandLine;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec token</c>: <c>show</c> prints a token file readably; <c>restrict</c> filters it as CreateRestrictedToken
/// does; <c>duplicate</c> converts it as DuplicateTokenEx does.
/// </summary>
internal static class TokenCommand
{
    private const string Name = "token";

    private static readonly (string Name, FilterTokenFlags Flag)[] FlagNames =
    [
        ("DisableMaxPrivilege", FilterTokenFlags.DisableMaxPrivilege),
        ("SandboxInert", FilterTokenFlags.SandboxInert),
        ("LuaToken", FilterTokenFlags.LuaToken),
        ("WriteRestricted", FilterTokenFlags.WriteRestricted),
    ];

    private static readonly (string Name, SecurityImpersonationLevel Level)[] LevelNames =
    [
        ("anonymous", SecurityImpersonationLevel.Anonymous),
        ("identification", SecurityImpersonationLevel.Identification),
        ("impersonation", SecurityImpersonationLevel.Impersonation),
        ("delegation", SecurityImpersonationLevel.Delegation),
    ];

    public static Command Create(Terminal terminal)
        => new(Name, "Show a token file, or make a restricted (CreateRestrictedToken) or duplicated (DuplicateTokenEx) token from one.")
        {
            Show(terminal), Restrict(terminal), Duplicate(terminal),
        };

    private static Option<string> TokenOption() => new("--token")
    {
        Description = "The token as JSON (see docs/cli.md) or a saved 'whoami /all' output; '-' reads it from standard input.",
        HelpName = "file",
        Required = true,
    };

    private static Option<string?> OutOption(string what) => new("--out", "-o") { Description = $"Write the {what} token's JSON to this file instead of standard output.", HelpName = "file" };

    private static Command Show(Terminal terminal)
    {
        var token = TokenOption();
        var json = new Option<bool>("--json") { Description = "Print the token as JSON, normalised: SIDs in full, every field NtSec writes." };
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var command = new Command("show", "Print a token: user, groups with attributes, privileges, restricting SIDs, integrity, flags.") { token, json, domain, machine };
        command.SetAction(parse =>
        {
            var context = CommonOptions.Context(parse, domain, machine);
            var names = new SidNameResolver(context);
            if (!TokenInput.TryLoad(terminal, parse.GetValue(token)!, context, out var t, out string? error, names)) return Fail(terminal, "--token", error!);
            if (parse.GetValue(json)) terminal.Out.WriteLine(TokenJson.Write(t!));
            else TokenRenderer.WriteText(terminal.Out, t!, names, terminal.Style);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Restrict(Terminal terminal)
    {
        var token = TokenOption();
        var disable = ListOption("--disable", "SIDs to make deny-only (SidsToDisable): SIDs, SDDL aliases or account names, comma separated.", "SID,...");
        var deletePrivileges = ListOption("--delete-privileges", "Privileges to delete (PrivilegesToDelete), comma separated: SeDebugPrivilege,...", "name,...");
        var restrict = ListOption("--restrict", "Restricting SIDs to add (SidsToRestrict), comma separated; a token already restricted keeps only the SIDs in both lists.", "SID,...");
        var flags = ListOption("--flags", "Filter flags, comma separated: " + string.Join(", ", FlagNames.Select(f => f.Name)) + ".", "flag,...");
        flags.Validators.Add(result =>
        {
            foreach (var value in Split(result.GetValueOrDefault<string[]>() ?? []))
                if (!FlagNames.Any(f => f.Name.Equals(value, StringComparison.OrdinalIgnoreCase)))
                    result.AddError($"Unknown filter flag '{value}'. Known flags: {string.Join(", ", FlagNames.Select(f => f.Name))}.");
        });
        var integrity = new Option<string?>("--integrity")
        {
            Description = "Lower the token's integrity level, as NtSetInformationToken(TokenIntegrityLevel) does after the filter: "
                + "LW, ME, MP, HI, SI, a level name (Low, Medium, ...) or S-1-16-N. Raising it is refused (Windows needs SeTcbPrivilege).",
            HelpName = "level",
        };
        var output = OutOption("restricted");
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var command = new Command("restrict", "Filter a token as CreateRestrictedToken / NtFilterToken do and write the result as JSON.")
        {
            token, disable, deletePrivileges, restrict, flags, integrity, output, domain, machine,
        };
        command.SetAction(parse =>
        {
            var context = CommonOptions.Context(parse, domain, machine);
            if (!TokenInput.TryLoad(terminal, parse.GetValue(token)!, context, out var original, out string? error)) return Fail(terminal, "--token", error!);
            if (!TryResolveSids(parse.GetValue(disable), context, out var toDisable, out error)) return Fail(terminal, "--disable", error!);
            if (!TryResolveSids(parse.GetValue(restrict), context, out var toRestrict, out error)) return Fail(terminal, "--restrict", error!);
            var toDelete = new List<Luid>();
            foreach (var name in Split(parse.GetValue(deletePrivileges) ?? []))
            {
                if (!Privileges.TryGetLuid(name, out var luid)) return Fail(terminal, "--delete-privileges", $"unknown privilege '{name}'");
                toDelete.Add(luid);
            }
            Sid? label = null;
            if (parse.GetValue(integrity) is { } levelText)
            {
                if (!TryResolveLabel(levelText, context, out var resolved, out error)) return Fail(terminal, "--integrity", error!);
                label = resolved;
            }
            var filterFlags = FilterTokenFlags.None;
            foreach (var name in Split(parse.GetValue(flags) ?? []))
                filterFlags |= FlagNames.First(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Flag;

            // Windows takes SidsToDisable with any attributes (ignored) and SidsToRestrict with zero attributes.
            var status = TokenFilter.Filter(original!, filterFlags,
                toDisable.Select(s => new SidAndAttributes(s, GroupAttributes.None)),
                toDelete,
                toRestrict.Select(s => new SidAndAttributes(s, GroupAttributes.None)),
                out var filtered);
            if (status != NtStatus.Success)
            {
                terminal.Error.WriteLine($"error: NtFilterToken: {status.Name}");
                return ExitCodes.BadInput;
            }
            if (label is { } level)
            {
                status = TokenIntegrity.TryLower(filtered!, level, out filtered);
                if (status != NtStatus.Success)
                {
                    terminal.Error.WriteLine(status == NtStatus.PrivilegeNotHeld
                        ? $"error: NtSetInformationToken(TokenIntegrityLevel): {status.Name}: {SidDescription.Of(level, context).Format(terminal.Style)} is above the token's level {SidDescription.Of(original!.IntegrityLevel, context).Format(terminal.Style)}; raising a level needs SeTcbPrivilege"
                        : $"error: NtSetInformationToken(TokenIntegrityLevel): {status.Name}");
                    return ExitCodes.BadInput;
                }
            }
            return WriteToken(terminal, filtered!, status, parse.GetValue(output));
        });
        return command;
    }

    private static int WriteToken(Terminal terminal, Token token, NtStatus status, string? path)
    {
        string json = TokenJson.Write(token);
        if (path is not null)
        {
            if (!FileInput.TryWriteAll(terminal, path, json + "\n", out string? error)) return Fail(terminal, "--out", error!);
            terminal.Out.WriteLine($"{status.Name}: wrote {path}");
        }
        else
        {
            terminal.Out.WriteLine(json);
        }
        return ExitCodes.Success;
    }

    private static Command Duplicate(Terminal terminal)
    {
        var token = TokenOption();
        var type = new Option<string>("--type")
        {
            Description = "The new token's type: primary or impersonation (DuplicateTokenEx's TokenType).",
            HelpName = "primary|impersonation",
            Required = true,
        };
        type.AcceptOnlyFromAmong("primary", "impersonation");
        var level = new Option<string?>("--level")
        {
            Description = "The impersonation level (needed for --type impersonation; Windows ignores it for a primary token): anonymous, identification, impersonation or delegation.",
            HelpName = "level",
        };
        level.AcceptOnlyFromAmong([.. LevelNames.Select(l => l.Name)]);
        var effectiveOnly = new Option<bool>("--effective-only") { Description = "Keep only the enabled parts: disabled groups and disabled privileges are dropped (deny-only groups stay)." };
        var output = OutOption("duplicated");
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var command = new Command("duplicate", "Convert a token to a primary or impersonation token at a level, as DuplicateTokenEx / NtDuplicateToken do, and write it as JSON.")
        {
            token, type, level, effectiveOnly, output, domain, machine,
        };
        command.SetAction(parse =>
        {
            var targetType = parse.GetValue(type) == "primary" ? TokenType.Primary : TokenType.Impersonation;
            string? levelName = parse.GetValue(level);
            if (targetType == TokenType.Impersonation && levelName is null)
                return CommonOptions.UsageError(terminal, "token duplicate", "--type impersonation needs --level (anonymous, identification, impersonation or delegation).");
            var targetLevel = levelName is null ? SecurityImpersonationLevel.Impersonation : LevelNames.First(l => l.Name == levelName).Level;
            var context = CommonOptions.Context(parse, domain, machine);
            if (!TokenInput.TryLoad(terminal, parse.GetValue(token)!, context, out var source, out string? error)) return Fail(terminal, "--token", error!);

            var status = DuplicateToken(source!, targetType, targetLevel, parse.GetValue(effectiveOnly), out var duplicate);
            if (status != NtStatus.Success)
            {
                terminal.Error.WriteLine($"error: NtDuplicateToken: {status.Name}");
                return ExitCodes.BadInput;
            }
            return WriteToken(terminal, duplicate!, status, parse.GetValue(output));
        });
        return command;
    }

    /// <summary>
    /// What NtDuplicateToken makes of a token. An impersonation token cannot be raised to a higher level, and one
    /// below SecurityImpersonation cannot become a primary token (STATUS_BAD_IMPERSONATION_LEVEL both); a primary
    /// token may become an impersonation token at any level. The copy gets its own token and modified IDs and keeps
    /// the logon session. EffectiveOnly drops the disabled groups and privileges.
    /// </summary>
    /// <remarks>
    /// With EffectiveOnly a deny-only group is kept: it cannot be enabled and so is not "disabled", and dropping it
    /// would let the copy through deny ACEs the original meets. Groups carrying the integrity level are kept as well.
    /// </remarks>
    internal static NtStatus DuplicateToken(Token source, TokenType type, SecurityImpersonationLevel level, bool effectiveOnly, out Token? duplicate)
        => TokenDuplication.Duplicate(source, type, level, effectiveOnly, out duplicate);

    private static Option<string[]> ListOption(string name, string description, string helpName) => new(name)
    {
        Description = description + " May be repeated.",
        HelpName = helpName,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static IEnumerable<string> Split(string[] values)
        => values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// An integrity level given as a SID string, an SDDL alias or an account name; a bare level word ("Low") is the
    /// account name "Low Mandatory Level", so the words come from the one table of well-known names.
    /// </summary>
    private static bool TryResolveLabel(string text, SidContext context, out Sid label, out string? error)
    {
        if (!SidResolver.TryResolve(text, context, out label, out var parseError)
            && !SidResolver.TryResolve(text + " Mandatory Level", context, out label, out _))
        {
            error = $"'{text}': {parseError!.Reason}{InputHints.Domain(parseError)}";
            return false;
        }
        if (!TokenIntegrity.IsLabelSid(label))
        {
            error = $"'{text}' is {label}, not a mandatory label (S-1-16-N)";
            return false;
        }
        error = null;
        return true;
    }

    private static bool TryResolveSids(string[]? values, SidContext context, out List<Sid> sids, out string? error)
    {
        sids = [];
        foreach (var text in Split(values ?? []))
        {
            if (!SidResolver.TryResolve(text, context, out var sid, out var parseError))
            {
                error = $"'{text}': {parseError!.Reason}{InputHints.Domain(parseError)}";
                return false;
            }
            sids.Add(sid);
        }
        error = null;
        return true;
    }

    private static int Fail(Terminal terminal, string option, string message)
    {
        terminal.Error.WriteLine($"error: {option}: {message}");
        return ExitCodes.BadInput;
    }
}
