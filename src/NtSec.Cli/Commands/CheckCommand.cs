using System.CommandLine;
using NtSec.Authorization;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Descriptors;
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
            sd, token, desired, type, mapping, objectTypes, self, explain, json, domain, machine, map, path, owner, group, batch,
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

            string? sdFile = null;
            if (sdText.StartsWith('@'))
            {
                sdFile = sdText[1..];
                if (!FileInput.TryReadAll(terminal, sdFile, out sdText, out string? readError)) return Fail(terminal, "--sd", readError!);
            }
            var imported = sdFile is null ? null : DescriptorInput.DetectImported(sdText);
            if (imported is null && (parse.GetValue(map) is { Length: > 0 } || parse.GetValue(path) is not null))
                return CommonOptions.UsageError(terminal, Name, "--map and --path apply to icacls and Get-Acl output given as --sd @file.");
            SecurityDescriptor descriptor;
            if (imported is { } importedFormat)
            {
                if (!NameMapInput.TryParse(parse.GetValue(map), context, out var names, out string? mapError)) return CommonOptions.UsageError(terminal, Name, "--map: " + mapError);
                if (!DescriptorInput.TryDecodeImported(sdText, importedFormat, context, names, out var all, out var importError))
                    return Fail(terminal, "--sd", $"{sdFile}: line {importError!.Line}, column {importError.Column}: {importError.Reason}{DescriptorInput.Hint(importError)}");
                if (!SddlCommand.TrySelectPath(all, parse.GetValue(path), out var selected, out string? pathError)) return CommonOptions.UsageError(terminal, Name, "--path: " + pathError);
                if (selected.Count > 1)
                    return CommonOptions.UsageError(terminal, Name, $"{sdFile} holds {selected.Count} paths ({string.Join(", ", selected.Select(d => "'" + d.Path + "'"))}); choose one with --path.");
                descriptor = selected[0].Descriptor;
                if (importedFormat == InputFormat.Icacls && parse.GetValue(owner) is null)
                    return Fail(terminal, "--sd", $"{sdFile}: icacls does not show the owner, and the access check needs it (the owner may be granted READ_CONTROL and WRITE_DAC); give --owner");
            }
            else
            {
                if (!DescriptorInput.TryDecode(sdText.Trim(), InputFormat.Sddl, context, out var decoded, out var sdError))
                    return Fail(terminal, "--sd", $"{(sdFile is null ? "" : sdFile + ": ")}{sdError!.Position}: {sdError.Reason}");
                descriptor = decoded!.Descriptor;
            }
            if (parse.GetValue(owner) is { } ownerText)
            {
                if (!SidResolver.TryResolve(ownerText, context, out var ownerSid, out var ownerError)) return Fail(terminal, "--owner", $"{ownerError!.Position}: {ownerError.Reason}");
                descriptor = descriptor.WithOwner(ownerSid);
            }
            if (parse.GetValue(group) is { } groupText)
            {
                if (!SidResolver.TryResolve(groupText, context, out var groupSid, out var groupError)) return Fail(terminal, "--group", $"{groupError!.Position}: {groupError.Reason}");
                descriptor = descriptor.WithGroup(groupSid);
            }
            else if (imported == InputFormat.Icacls)
            {
                descriptor = descriptor.WithGroup(descriptor.Owner);
            }
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

            var run = CheckRun.Execute(descriptor, client!, requested, desiredMask, genericMapping, objectType, list, principalSelf, parse.GetValue(explain));
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
