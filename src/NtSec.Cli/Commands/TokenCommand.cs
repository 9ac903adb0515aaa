using System.CommandLine;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Cli.Commands;

/// <summary><c>ntsec token</c>: <c>show</c> prints a token file readably; <c>restrict</c> filters it as CreateRestrictedToken does.</summary>
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

    public static Command Create(Terminal terminal)
        => new(Name, "Show a token file, or make a restricted token from one (CreateRestrictedToken).") { Show(terminal), Restrict(terminal) };

    private static Option<string> TokenOption() => new("--token")
    {
        Description = "The token as JSON (see docs/cli.md); '-' reads it from standard input.",
        HelpName = "file.json",
        Required = true,
    };

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
            if (!TokenInput.TryLoad(terminal, parse.GetValue(token)!, context, out var t, out string? error)) return Fail(terminal, "--token", error!);
            if (parse.GetValue(json)) terminal.Out.WriteLine(TokenJson.Write(t!));
            else TokenRenderer.WriteText(terminal.Out, t!, context, terminal.Style);
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
        var output = new Option<string?>("--out", "-o") { Description = "Write the restricted token's JSON to this file instead of standard output.", HelpName = "file" };
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var command = new Command("restrict", "Filter a token as CreateRestrictedToken / NtFilterToken do and write the result as JSON.")
        {
            token, disable, deletePrivileges, restrict, flags, output, domain, machine,
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
            string json = TokenJson.Write(filtered!);
            if (parse.GetValue(output) is { } path)
            {
                if (!FileInput.TryWriteAll(terminal, path, json + "\n", out error)) return Fail(terminal, "--out", error!);
                terminal.Out.WriteLine($"{status.Name}: wrote {path}");
            }
            else
            {
                terminal.Out.WriteLine(json);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<string[]> ListOption(string name, string description, string helpName) => new(name)
    {
        Description = description + " May be repeated.",
        HelpName = helpName,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static IEnumerable<string> Split(string[] values)
        => values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static bool TryResolveSids(string[]? values, SidContext context, out List<Sid> sids, out string? error)
    {
        sids = [];
        foreach (var text in Split(values ?? []))
        {
            if (!SidResolver.TryResolve(text, context, out var sid, out var parseError))
            {
                error = $"'{text}': {parseError!.Reason}";
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
