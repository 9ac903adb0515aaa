using System.CommandLine;
using NtSec.Authorization;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Principals;

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
        var sd = new Option<string?>("--sd") { Description = "The object's security descriptor in SDDL, or @file to read the SDDL from a file.", HelpName = "SDDL|@file" };
        var token = new Option<string?>("--token") { Description = "The client's token as JSON (see docs/cli.md); '-' reads it from standard input.", HelpName = "file.json" };
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
            sd, token, desired, type, mapping, objectTypes, self, explain, json, domain, machine, batch,
        };
        command.SetAction(parse =>
        {
            var context = CommonOptions.Context(parse, domain, machine);
            ObjectTypeInfo? objectType = parse.GetValue(type) is { } t ? ObjectTypes.Find(t) : null;
            GenericMapping? explicitMapping = parse.GetValue(mapping) is { } m && GenericMapping.TryParse(m, out var gm) ? gm : null;

            if (parse.GetResult(batch) is not null)
            {
                foreach (var (option, given) in new (string, bool)[]
                {
                    ("--sd", parse.GetValue(sd) is not null), ("--token", parse.GetValue(token) is not null), ("--desired", parse.GetValue(desired) is not null),
                    ("--object-types", parse.GetValue(objectTypes) is not null), ("--self", parse.GetValue(self) is not null),
                    ("--explain", parse.GetValue(explain)), ("--json", parse.GetValue(json)),
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
            var genericMapping = explicitMapping ?? objectType!.GenericMapping;

            if (sdText.StartsWith('@'))
            {
                if (!FileInput.TryReadAll(terminal, sdText[1..], out sdText, out string? readError)) return Fail(terminal, "--sd", readError!);
                sdText = sdText.Trim();
            }
            if (!DescriptorInput.TryDecode(sdText, InputFormat.Sddl, context, out var decoded, out var sdError))
                return Fail(terminal, "--sd", $"{sdError!.Position}: {sdError.Reason}");
            if (!TokenInput.TryLoad(terminal, tokenPath, context, out var client, out string? tokenError))
                return Fail(terminal, "--token", tokenError!);
            if (!CheckInputs.TryParseDesired(desiredText, objectType, genericMapping, out uint requested, out uint desiredMask, out string? desiredError))
                return Fail(terminal, "--desired", desiredError!);
            ObjectTypeEntry[] list = [];
            if (parse.GetValue(objectTypes) is { } listText && !CheckInputs.TryParseObjectTypes(listText, out list, out string? listError))
                return Fail(terminal, "--object-types", listError!);
            Sid? principalSelf = null;
            if (parse.GetValue(self) is { } selfText)
            {
                if (!SidResolver.TryResolve(selfText, context, out var selfSid, out var selfError)) return Fail(terminal, "--self", $"{selfError!.Position}: {selfError.Reason}");
                principalSelf = selfSid;
            }

            var run = CheckRun.Execute(decoded!.Descriptor, client!, requested, desiredMask, genericMapping, objectType, list, principalSelf, parse.GetValue(explain));
            if (parse.GetValue(json)) CheckRenderer.WriteJson(terminal.Out, run);
            else CheckRenderer.WriteText(terminal.Out, run, terminal.Style);
            return run.ExitCode;
        });
        return command;
    }

    // Several inputs can be wrong here, so the error line names the option: "error: --token alice.json: owner: ...".
    private static int Fail(Terminal terminal, string option, string message)
    {
        terminal.Error.WriteLine($"error: {option}: {message}");
        return ExitCodes.BadInput;
    }
}
