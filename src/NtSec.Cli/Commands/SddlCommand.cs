using System.CommandLine;
using NtSec.Authorization;
using NtSec.Cli.Examples;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Principals;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec sddl</c>: decodes a security descriptor given as SDDL, hex or base64 and explains it, or converts it
/// (<c>--to</c>); <c>--batch</c> converts one descriptor per line of standard input.
/// </summary>
internal static class SddlCommand
{
    private const string Name = "sddl";

    public static Command Create(Terminal terminal)
    {
        var descriptor = new Argument<string[]>("descriptor")
        {
            Description = "The descriptor: SDDL, or with --from-hex/--from-base64 a self-relative binary descriptor; icacls or Get-Acl | Format-List output is recognised. '-' reads it from standard input, @FILE from a file. Several tokens are joined with spaces.",
            Arity = ArgumentArity.ZeroOrMore,
        }.RejectOptionLikeTokens();
        var to = new Option<string?>("--to") { Description = "Print the descriptor converted instead of decoded: sddl (Windows' canonical SDDL), hex or base64 (self-relative binary).", HelpName = "sddl|hex|base64" };
        to.AcceptOnlyFromAmong("sddl", "hex", "base64");
        var fromHex = new Option<bool>("--from-hex") { Description = "The input is a binary self-relative descriptor in hexadecimal (white space ignored)." };
        var fromBase64 = new Option<bool>("--from-base64") { Description = "The input is a binary self-relative descriptor in base64, bare or as an LDIF 'nTSecurityDescriptor:: ...' line (folded lines joined)." };
        var fromIcacls = new Option<bool>("--from-icacls") { Description = "The input is the output of 'icacls PATH': one DACL per path (recognised without this option)." };
        var fromGetAcl = new Option<bool>("--from-getacl") { Description = "The input is the output of 'Get-Acl PATH | Format-List': its Sddl field (recognised without this option)." };
        var map = NameMapOption();
        var path = PathOption();
        var type = CommonOptions.Type();
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var json = CommonOptions.Json();
        var batch = new Option<bool>("--batch") { Description = "Read one descriptor per line from standard input and write one result per line: the conversion (--to, default sddl) or 'error: position: reason'." };
        var example = new Option<bool>("--example") { Description = "Decode a built-in example: a folder on a domain file server, named as a directory." };

        var command = new Command(Name, "Decode, explain and convert a security descriptor (SDDL, hex, base64, or icacls or Get-Acl output).")
        {
            descriptor, to, fromHex, fromBase64, fromIcacls, fromGetAcl, map, path, type, domain, machine, json, batch, example,
        };
        command.SetAction(parse =>
        {
            string? text = CommonOptions.Joined(parse, descriptor);
            bool isBatch = parse.GetValue(batch), isExample = parse.GetValue(example), isJson = parse.GetValue(json);
            string? target = parse.GetValue(to);
            var formats = new (Option<bool> Option, InputFormat Format)[] { (fromHex, InputFormat.Hex), (fromBase64, InputFormat.Base64), (fromIcacls, InputFormat.Icacls), (fromGetAcl, InputFormat.GetAcl) }
                .Where(f => parse.GetValue(f.Option)).ToList();
            if (formats.Count > 1) return CommonOptions.UsageError(terminal, Name, string.Join(" and ", formats.Select(f => f.Option.Name)) + " cannot be combined.");
            var format = formats.Count == 1 ? formats[0].Format : InputFormat.Sddl;
            string[] names = parse.GetValue(map) ?? [];
            string? wantedPath = parse.GetValue(path);
            bool imported = format is InputFormat.Icacls or InputFormat.GetAcl;
            if (isJson && target is not null) return CommonOptions.UsageError(terminal, Name, "--json decodes; it cannot be combined with --to.");

            if (isBatch)
            {
                if (text is not null) return CommonOptions.UsageError(terminal, Name, "--batch reads standard input; give no descriptor argument.");
                if (isExample) return CommonOptions.UsageError(terminal, Name, "--batch and --example cannot be combined.");
                if (isJson) return CommonOptions.UsageError(terminal, Name, "--batch writes one conversion per line; it cannot be combined with --json.");
                if (imported || names.Length > 0 || wantedPath is not null) return CommonOptions.UsageError(terminal, Name, "--batch reads one descriptor a line; icacls and Get-Acl output (--from-icacls, --from-getacl, --map, --path) span several lines.");
                return BatchConverter.Run(terminal, format, target ?? "sddl", CommonOptions.Context(parse, domain, machine));
            }

            ObjectTypeInfo? objectType = parse.GetValue(type) is { } t ? ObjectTypes.Find(t) : null;
            SidContext context;
            if (isExample)
            {
                if (text is not null) return CommonOptions.UsageError(terminal, Name, "--example decodes the built-in example; give no descriptor argument.");
                if (format != InputFormat.Sddl) return CommonOptions.UsageError(terminal, Name, "--example cannot be combined with --from-hex, --from-base64, --from-icacls or --from-getacl.");
                if (names.Length > 0 || wantedPath is not null) return CommonOptions.UsageError(terminal, Name, "--map and --path apply to icacls and Get-Acl output, not to --example.");
                text = ExampleDescriptor.Sddl;
                objectType ??= ObjectTypes.Find(ExampleDescriptor.DefaultType);
                context = CommonOptions.Context(parse, domain, machine, ExampleDescriptor.Domain);
            }
            else
            {
                if (text is null) return CommonOptions.UsageError(terminal, Name, "give a descriptor, or use --batch or --example.");
                bool fromFile = false;
                if (text == "-") text = terminal.In.ReadToEnd();
                else if (text.Length > 1 && text[0] == '@')
                {
                    if (!FileInput.TryReadAll(terminal, text[1..], out text, out string? readError))
                    {
                        terminal.Error.WriteLine($"error: {readError}");
                        return ExitCodes.BadInput;
                    }
                    fromFile = true;
                }
                context = CommonOptions.Context(parse, domain, machine);
                if (format == InputFormat.Sddl && DescriptorInput.DetectImported(text) is { } detected)
                {
                    format = detected;
                    imported = true;
                }
                // A file ends with a line break, which is not part of the SDDL; tool output keeps its lines for error positions.
                if (fromFile && format == InputFormat.Sddl) text = text.Trim();
                if (imported) return RunImported(terminal, text, format, context, names, wantedPath, objectType, target, isJson);
                if (names.Length > 0 || wantedPath is not null) return CommonOptions.UsageError(terminal, Name, "--map and --path apply to icacls and Get-Acl output.");
            }

            if (!DescriptorInput.TryDecode(text, format, context, out var decoded, out var error)) return CommonOptions.InputError(terminal, error!);

            if (target is not null)
            {
                if (!DescriptorInput.TryConvert(decoded!, target, context, out string converted, out error)) return CommonOptions.InputError(terminal, error!);
                terminal.Out.WriteLine(converted);
                return ExitCodes.Success;
            }

            var options = new RenderOptions { ObjectType = objectType, Context = context, TrailingBytes = decoded!.TrailingBytes };
            if (isJson)
            {
                DescriptorJson.Write(terminal.Out, decoded.Descriptor, options);
                return ExitCodes.Success;
            }
            if (isExample)
            {
                terminal.Out.WriteLine(terminal.Style.Dim("Example: " + ExampleDescriptor.Description));
                terminal.Out.WriteLine(terminal.Style.Dim("SDDL:    " + ExampleDescriptor.Sddl));
                terminal.Out.WriteLine();
            }
            DescriptorRenderer.WriteText(terminal.Out, decoded.Descriptor, options, terminal.Style);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The <c>--map NAME=SID</c> option <c>sddl</c> and <c>check</c> share.</summary>
    public static Option<string[]> NameMapOption() => new("--map")
    {
        Description = "For icacls output: the SID of an account name the well-known catalogue cannot know, as NAME=SID (CONTOSO\\Finance=S-1-5-21-...-1120). May be repeated.",
        HelpName = "NAME=SID",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The <c>--path</c> option <c>sddl</c> and <c>check</c> share.</summary>
    public static Option<string?> PathOption() => new("--path")
    {
        Description = "For icacls or Get-Acl output holding several paths: the one to use (as printed, any case).",
        HelpName = "PATH",
    };

    /// <summary>
    /// Keeps the descriptors of <paramref name="all"/> whose path is <paramref name="wanted"/> (all of them when
    /// null); the error names the paths there are.
    /// </summary>
    public static bool TrySelectPath(IReadOnlyList<DecodedDescriptor> all, string? wanted, out IReadOnlyList<DecodedDescriptor> selected, out string? error)
    {
        selected = all;
        error = null;
        if (wanted is null) return true;
        selected = [.. all.Where(d => string.Equals(d.Path, wanted, StringComparison.OrdinalIgnoreCase))];
        if (selected.Count > 0) return true;
        error = $"no path '{wanted}' in the output; it holds {string.Join(", ", all.Select(d => "'" + d.Path + "'"))}";
        return false;
    }

    // icacls and Get-Acl output: one or more descriptors, each shown with its path.
    private static int RunImported(Terminal terminal, string text, InputFormat format, SidContext context, string[] mapValues, string? wantedPath,
        ObjectTypeInfo? objectType, string? target, bool isJson)
    {
        if (!NameMapInput.TryParse(mapValues, context, out var names, out string? mapError)) return CommonOptions.UsageError(terminal, Name, "--map: " + mapError);
        // The one resolver reads the names icacls printed (given, well-known, domain-relative) and names them in the output.
        var resolver = new SidNameResolver(context, names);
        if (!DescriptorText.TryDecodeToolOutput(text, format, resolver, out var all, out var importError))
        {
            terminal.Error.WriteLine(DescriptorInput.FormatError(importError!) + InputHints.DomainOrMap(importError));
            return ExitCodes.BadInput;
        }
        if (!TrySelectPath(all, wantedPath, out var selected, out string? pathError)) return CommonOptions.UsageError(terminal, Name, "--path: " + pathError);
        if (isJson && selected.Count > 1)
            return CommonOptions.UsageError(terminal, Name, $"--json decodes one descriptor and the output holds {selected.Count} paths; choose one with --path.");

        for (int i = 0; i < selected.Count; i++)
        {
            var decoded = selected[i];
            if (target is not null)
            {
                if (!DescriptorInput.TryConvert(decoded, target, context, out string converted, out var error)) return CommonOptions.InputError(terminal, error!);
                terminal.Out.WriteLine(selected.Count == 1 ? converted : decoded.Path + "\t" + converted);
                continue;
            }
            var options = new RenderOptions { ObjectType = objectType, Context = context, Names = resolver };
            if (isJson)
            {
                DescriptorJson.Write(terminal.Out, decoded.Descriptor, options);
                continue;
            }
            if (i > 0) terminal.Out.WriteLine();
            terminal.Out.WriteLine(terminal.Style.Label("Path".PadRight(9)) + (decoded.Path ?? terminal.Style.Dim("(none)")));
            DescriptorRenderer.WriteText(terminal.Out, decoded.Descriptor, options, terminal.Style);
        }
        return ExitCodes.Success;
    }
}
