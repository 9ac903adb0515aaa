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
            Description = "The descriptor: SDDL, or with --from-hex/--from-base64 a self-relative binary descriptor. '-' reads it from standard input. Several tokens are joined with spaces.",
            Arity = ArgumentArity.ZeroOrMore,
        }.RejectOptionLikeTokens();
        var to = new Option<string?>("--to") { Description = "Print the descriptor converted instead of decoded: sddl (Windows' canonical SDDL), hex or base64 (self-relative binary).", HelpName = "sddl|hex|base64" };
        to.AcceptOnlyFromAmong("sddl", "hex", "base64");
        var fromHex = new Option<bool>("--from-hex") { Description = "The input is a binary self-relative descriptor in hexadecimal (white space ignored)." };
        var fromBase64 = new Option<bool>("--from-base64") { Description = "The input is a binary self-relative descriptor in base64, bare or as an LDIF 'nTSecurityDescriptor:: ...' line (folded lines joined)." };
        var type = CommonOptions.Type();
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var json = CommonOptions.Json();
        var batch = new Option<bool>("--batch") { Description = "Read one descriptor per line from standard input and write one result per line: the conversion (--to, default sddl) or 'error: position: reason'." };
        var example = new Option<bool>("--example") { Description = "Decode a built-in example: a folder on a domain file server, named as a directory." };

        var command = new Command(Name, "Decode, explain and convert a security descriptor (SDDL, hex or base64).")
        {
            descriptor, to, fromHex, fromBase64, type, domain, machine, json, batch, example,
        };
        command.SetAction(parse =>
        {
            string? text = CommonOptions.Joined(parse, descriptor);
            bool isBatch = parse.GetValue(batch), isExample = parse.GetValue(example), isJson = parse.GetValue(json);
            string? target = parse.GetValue(to);
            if (parse.GetValue(fromHex) && parse.GetValue(fromBase64)) return CommonOptions.UsageError(terminal, Name, "--from-hex and --from-base64 cannot be combined.");
            var format = parse.GetValue(fromHex) ? InputFormat.Hex : parse.GetValue(fromBase64) ? InputFormat.Base64 : InputFormat.Sddl;
            if (isJson && target is not null) return CommonOptions.UsageError(terminal, Name, "--json decodes; it cannot be combined with --to.");

            if (isBatch)
            {
                if (text is not null) return CommonOptions.UsageError(terminal, Name, "--batch reads standard input; give no descriptor argument.");
                if (isExample) return CommonOptions.UsageError(terminal, Name, "--batch and --example cannot be combined.");
                if (isJson) return CommonOptions.UsageError(terminal, Name, "--batch writes one conversion per line; it cannot be combined with --json.");
                return BatchConverter.Run(terminal, format, target ?? "sddl", CommonOptions.Context(parse, domain, machine));
            }

            ObjectTypeInfo? objectType = parse.GetValue(type) is { } t ? ObjectTypes.Find(t) : null;
            SidContext context;
            if (isExample)
            {
                if (text is not null) return CommonOptions.UsageError(terminal, Name, "--example decodes the built-in example; give no descriptor argument.");
                if (format != InputFormat.Sddl) return CommonOptions.UsageError(terminal, Name, "--example cannot be combined with --from-hex or --from-base64.");
                text = ExampleDescriptor.Sddl;
                objectType ??= ObjectTypes.Find(ExampleDescriptor.DefaultType);
                context = CommonOptions.Context(parse, domain, machine, ExampleDescriptor.Domain);
            }
            else
            {
                if (text is null) return CommonOptions.UsageError(terminal, Name, "give a descriptor, or use --batch or --example.");
                if (text == "-") text = terminal.In.ReadToEnd();
                context = CommonOptions.Context(parse, domain, machine);
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
}
