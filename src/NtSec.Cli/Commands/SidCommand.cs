using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Principals;

namespace NtSec.Cli.Commands;

/// <summary><c>ntsec sid</c>: resolves a SID string, an SDDL alias or a well-known account name, and prints all three.</summary>
internal static class SidCommand
{
    private const string Name = "sid";

    public static Command Create(Terminal terminal)
    {
        var value = new Argument<string[]>("sid")
        {
            Description = "A SID (S-1-5-18), an SDDL alias (SY, BA, DA ...) or a well-known account name (\"NT AUTHORITY\\SYSTEM\", Everyone, \"Domain Admins\" with --domain). Several tokens are joined with spaces.",
            Arity = ArgumentArity.OneOrMore,
        }.RejectOptionLikeTokens();
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var json = CommonOptions.Json();
        var command = new Command(Name, "Resolve a SID, SDDL alias or account name to the other two.") { value, domain, machine, json };
        command.SetAction(parse =>
        {
            string text = CommonOptions.Joined(parse, value)!;
            var context = CommonOptions.Context(parse, domain, machine);
            // The one resolver: a name typed that the catalogue cannot name (NT SERVICE\\...) is the SID's name here.
            var names = new SidNameResolver(context);
            if (!names.TryResolve(text, out var sid, out var error)) return CommonOptions.InputError(terminal, error!, InputHints.Domain(error));
            if (parse.GetValue(json)) WriteJson(terminal.Out, sid, context, names);
            else WriteText(terminal, sid, context, names);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteText(Terminal terminal, Sid sid, SidContext context, SidNameResolver names)
    {
        var style = terminal.Style;
        var d = SidDescription.Of(sid, context, names);
        var output = terminal.Out;
        output.WriteLine(style.Label("SID".PadRight(8)) + style.Sid(sid.ToString()));
        output.WriteLine(style.Label("Alias".PadRight(8)) + (d.Alias is { } a ? style.Name(a) : style.Dim("(none)")));
        output.WriteLine(style.Label("Name".PadRight(8)) + (d.AccountName is { } n ? style.Name(n) : style.Dim("(not a well-known account)")));
        output.WriteLine(style.Label("Binary".PadRight(8)) + Hex.Bytes(sid.BinaryForm));
    }

    private static void WriteJson(TextWriter output, Sid sid, SidContext context, SidNameResolver names)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var d = SidDescription.Of(sid, context, names);
            json.WriteStartObject();
            json.WriteNumber("version", DescriptorJson.Version);
            json.WriteString("sid", sid.ToString());
            json.WriteString("alias", d.Alias);
            json.WriteString("name", d.AccountName);
            json.WriteString("binary", Hex.Bytes(sid.BinaryForm));
            json.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
