using System.CommandLine;
using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Requests;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec check</c>: runs the access check for a descriptor, a token (JSON) and a desired access, and prints the
/// granted rights, the status and, with <c>--explain</c>, why. Exit code 0 granted, 1 denied. <c>--batch</c> runs one
/// check per JSON line.
/// </summary>
internal static class CheckCommand
{
    private const string Name = "check";

    public static Command Create(Terminal terminal)
    {
        var sd = new Option<string?>("--sd")
        {
            Description = "The object's security descriptor in SDDL, or @file to read it from a file: SDDL, or the output of icacls or Get-Acl | Format-List.",
            HelpName = "SDDL|@file",
        };
        var token = new Option<string?>("--token") { Description = "The client's token as JSON (see docs/cli.md) or a saved 'whoami /all' output; '-' reads it from standard input.", HelpName = "file" };
        var map = SddlCommand.NameMapOption();
        var path = SddlCommand.PathOption();
        var owner = new Option<string?>("--owner") { Description = "The descriptor's owner: required for icacls output, which does not show it; replaces the owner of SDDL input.", HelpName = "SID" };
        var group = new Option<string?>("--group") { Description = "The descriptor's primary group: replaces it; for icacls output it defaults to the owner (the group plays no part in the check).", HelpName = "SID" };
        var desired = new Option<string?>("--desired")
        {
            Description = "The desired access: a mask (0x120089) or right names joined by | , or + (FILE_READ_DATA|SYNCHRONIZE, GENERIC_READ, MAXIMUM_ALLOWED, SDDL codes such as FR). Generic rights are mapped with the type's mapping first.",
            HelpName = "rights",
        };
        var type = CommonOptions.Type("The object's type, for its generic mapping and right names: " + string.Join(", ", CommonOptions.TypeNames) + ".");
        var mapping = CommonOptions.Mapping();
        var objectTypes = new Option<string?>("--object-types")
        {
            Description = "An object type list, level:guid entries separated by commas (0:{guid},1:{guid},2:{guid}): runs AccessCheckByTypeResultList and prints one result per entry.",
            HelpName = "list",
        };
        var self = new Option<string?>("--self") { Description = "The SID that stands for PRINCIPAL_SELF (PS, S-1-5-10) in ACEs.", HelpName = "SID" };
        var policies = new Option<string?>("--policies")
        {
            Description = "Central access policies as JSON (a list of {\"id\", \"name\", \"rules\": [{\"name\", \"appliesTo\", \"effectiveSd\", \"stagedSd\"}]}): the object's SP ACE selects one; the result beside it says what staging would change.",
            HelpName = "FILE.json",
        };
        var explain = new Option<bool>("--explain") { Description = "Also print the explanation: each stage and each ACE, and why it did or did not apply." };
        var json = CommonOptions.Json();
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var batch = new Option<string?>("--batch")
        {
            Description = "Run one check per JSON line of FILE (default: standard input) and write one JSON line each; see docs/cli.md. --type and --mapping are the default for lines that give neither.",
            HelpName = "FILE",
            Arity = ArgumentArity.ZeroOrOne,
        };

        var command = new Command(Name, "Check access: may this token have these rights on an object with this descriptor? Exit code 0 granted, 1 denied.")
        {
            sd, token, desired, type, mapping, objectTypes, self, policies, explain, json, domain, machine, map, path, owner, group, batch,
        };
        var matrix = new CheckMatrix();
        matrix.AddTo(command);
        command.SetAction(parse =>
        {
            var context = CommonOptions.Context(parse, domain, machine);
            ObjectTypeInfo? objectType = parse.GetValue(type) is { } t ? ObjectTypes.Find(t) : null;
            GenericMapping? explicitMapping = parse.GetValue(mapping) is { } m && GenericMapping.TryParse(m, out var gm) ? gm : null;
            if (matrix.Requested(parse))
            {
                return matrix.Run(terminal, parse, parse.GetValue(desired), objectType, explicitMapping, context,
                [
                    ("--sd", parse.GetValue(sd) is not null), ("--token", parse.GetValue(token) is not null), ("--batch", parse.GetResult(batch) is not null),
                    ("--object-types", parse.GetValue(objectTypes) is not null), ("--self", parse.GetValue(self) is not null), ("--explain", parse.GetValue(explain)),
                    ("--json", parse.GetValue(json)), ("--map", parse.GetValue(map) is { Length: > 0 }), ("--path", parse.GetValue(path) is not null),
                    ("--owner", parse.GetValue(owner) is not null), ("--group", parse.GetValue(group) is not null),
                ]);
            }

            if (parse.GetResult(batch) is not null)
            {
                foreach (var (option, given) in new (string, bool)[]
                {
                    ("--sd", parse.GetValue(sd) is not null), ("--token", parse.GetValue(token) is not null), ("--desired", parse.GetValue(desired) is not null),
                    ("--object-types", parse.GetValue(objectTypes) is not null), ("--self", parse.GetValue(self) is not null),
                    ("--map", parse.GetValue(map) is { Length: > 0 }), ("--path", parse.GetValue(path) is not null),
                    ("--owner", parse.GetValue(owner) is not null), ("--group", parse.GetValue(group) is not null),
                    ("--explain", parse.GetValue(explain)), ("--json", parse.GetValue(json)), ("--policies", parse.GetValue(policies) is not null),
                })
                {
                    if (given) return CommonOptions.UsageError(terminal, Name, $"--batch reads each check from a JSON line; {option} cannot be combined with it.");
                }
                return CheckBatch.Run(terminal, parse.GetValue(batch), objectType, explicitMapping, context);
            }

            string? sdText = parse.GetValue(sd), tokenPath = parse.GetValue(token), desiredText = parse.GetValue(desired);
            if (sdText is null || tokenPath is null || desiredText is null)
                return CommonOptions.UsageError(terminal, Name, "give --sd, --token and --desired (or --batch).");
            if (objectType is null && explicitMapping is null)
                return CommonOptions.UsageError(terminal, Name, "give --type or --mapping: the access check needs the object's generic mapping.");

            // One request pipeline: the same reader as --batch (and the library's other front ends).
            var reader = new CheckRequestReader(context, ReadFile(terminal), objectType, explicitMapping);
            var text = new CheckRequestText
            {
                Descriptor = sdText,
                TokenFile = tokenPath,
                Desired = desiredText,
                ObjectTypes = parse.GetValue(objectTypes) is { } listText ? listText.Split(',') : null,
                Self = parse.GetValue(self),
                Owner = parse.GetValue(owner),
                Group = parse.GetValue(group),
                Map = parse.GetValue(map) is { Length: > 0 } mapEntries ? mapEntries : null,
                Path = parse.GetValue(path),
            };
            if (!reader.TryRead(text, out var request, out var error)) return Report(terminal, error!);
            IReadOnlyList<CentralAccessPolicy>? capList = null;
            if (parse.GetValue(policies) is { } policiesPath)
            {
                if (!request!.ObjectTypes.IsDefaultOrEmpty) return CommonOptions.UsageError(terminal, Name, "--policies applies to a plain check, not to an object type list.");
                if (!FileInput.TryReadAll(terminal, policiesPath, out string policiesText, out string? policiesReadError))
                {
                    terminal.Error.WriteLine($"error: --policies: {policiesReadError}");
                    return ExitCodes.BadInput;
                }
                string? capError = null;
                if (!JsonText.TryParse(policiesText, out var doc, out var syntax, allowComments: true))
                {
                    capError = $"not valid JSON: line {syntax!.Line}, column {syntax.Column}: {syntax.Reason}";
                }
                else
                {
                    using (doc)
                    {
                        if (CentralAccessPolicy.TryReadList(doc!.RootElement, context, out var read, out var why)) capList = read;
                        else capError = why!.ToString();
                    }
                }
                if (capError is not null)
                {
                    terminal.Error.WriteLine($"error: --policies: {policiesPath}: {capError}");
                    return ExitCodes.BadInput;
                }
            }
            var run = CheckRun.Execute(request!, parse.GetValue(explain), capList);
            if (parse.GetValue(json)) CheckRenderer.WriteJson(terminal.Out, run);
            else CheckRenderer.WriteText(terminal.Out, run, terminal.Style);
            return run.ExitCode;
        });
        return command;
    }

    /// <summary>Reads the files a request names; <c>-</c> is standard input (the single check has one request).</summary>
    internal static Func<string, (string? Text, string? Error)> ReadFile(Terminal terminal)
        => name => FileInput.TryReadAll(terminal, name, out string text, out string? error) ? (text, null) : (null, error);

    /// <summary>The option a request field is given with on the command line.</summary>
    internal static string OptionOf(string field) => field switch
    {
        "sd" => "--sd",
        "desired" => "--desired",
        "type" => "--type",
        "mapping" => "--mapping",
        "objectTypes" => "--object-types",
        "selfSid" => "--self",
        "owner" => "--owner",
        "group" => "--group",
        "map" => "--map",
        "path" => "--path",
        _ => "--token",
    };

    // Usage problems exit 2, bad input 3. A token error keeps the field inside the token (token.groups[0]...).
    private static int Report(Terminal terminal, CheckRequestError error)
    {
        string option = OptionOf(error.Field);
        string hint = InputHints.Domain(error.Cause);
        if (error.Kind is CheckRequestErrorKind.Usage or CheckRequestErrorKind.Missing || error.Field is "map" or "path")
            return CommonOptions.UsageError(terminal, Name, error.Field == "sd" ? error.Reason + "." : $"{option}: {error.Reason}{hint}.");
        string reason = error.Field.StartsWith("token.", StringComparison.Ordinal) ? $"{error.Field["token.".Length..]}: {error.Reason}" : error.Reason;
        return Fail(terminal, option, reason + hint);
    }

    // Several inputs can be wrong here, so the error line names the option: "error: --token alice.json: owner: ...".
    private static int Fail(Terminal terminal, string option, string message)
    {
        terminal.Error.WriteLine($"error: {option}: {message}");
        return ExitCodes.BadInput;
    }
}
