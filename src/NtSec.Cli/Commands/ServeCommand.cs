using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Authorization;
using NtSec.Cli.Input;
using NtSec.Cli.Rendering;
using NtSec.Principals;
using NtSec.Web;

namespace NtSec.Cli.Commands;

/// <summary><c>ntsec serve</c>: the explainer page and the JSON API (docs/web.md) on 127.0.0.1.</summary>
internal static class ServeCommand
{
    private const string Name = "serve";

    public static Command Create(Terminal terminal)
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 8420 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError("--port: expected 0 to 65535");
        });
        var command = new Command(Name, "Serve the explainer page and the JSON API on 127.0.0.1 (see docs/web.md).") { port };
        command.SetAction(async (parse, cancel) =>
        {
            var app = WebServer.Build(new WebApi(), new WebServerOptions { Port = parse.GetValue(port) });
            try
            {
                await app.StartAsync(cancel);
            }
            catch (IOException e)
            {
                terminal.Error.WriteLine($"error: cannot listen on 127.0.0.1:{parse.GetValue(port)}: {e.Message}");
                return ExitCodes.BadInput;
            }
            foreach (string url in app.Urls) terminal.Out.WriteLine($"ntsec serve: listening on {url.Replace("localhost", "127.0.0.1", StringComparison.Ordinal)}/ (Ctrl+C stops)");
            terminal.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>
/// The web API's answers, written by the CLI's own JSON writers: a check is a <c>check --batch</c> line
/// (<see cref="CheckBatch.State"/>) with its explanation, a decode is <c>sddl --json</c> (<see cref="DescriptorJson"/>).
/// </summary>
internal sealed class WebApi : INtSecApi
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The server reads no file: a request names its descriptor and token inline.
    private static readonly Func<string, (string? Text, string? Error)> NoFiles =
        _ => (null, "the web API reads no file: give the descriptor as text and the token as a JSON object");

    /// <inheritdoc/>
    public ApiAnswer Check(string request)
    {
        // One state per request: its reader caches by text, and a cache shared between requests would grow without bound.
        var state = new CheckBatch.State(NoFiles, null, null, SidContext.None, standalone: true);
        var buffer = new ArrayBufferWriter<byte>(1024);
        bool ok;
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            ok = state.Process(request, json);
        }
        return new ApiAnswer(ok, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <inheritdoc/>
    public ApiAnswer Sddl(string descriptor, string? type)
    {
        ObjectTypeInfo? objectType = null;
        if (type is not null && (objectType = ObjectTypes.Find(type)) is null)
            return new ApiAnswer(false, WebServer.Error($"type: unknown object type '{type}' (known: {string.Join(", ", CommonOptions.TypeNames)})"));
        string text = descriptor.Trim();
        if (DescriptorInput.DetectImported(text) is not null)
            return new ApiAnswer(false, WebServer.Error("sd: icacls and Get-Acl output is not decoded by /api/sddl yet; give SDDL, hex or base64 (or use /api/check)"));
        if (!DescriptorInput.TryDecode(text, InputFormat.Sddl, SidContext.None, out var decoded, out var error))
            return new ApiAnswer(false, WebServer.Error($"sd: {error!.Position}: {error.Reason}"));
        var output = new StringWriter();
        DescriptorJson.Write(output, decoded!.Descriptor, new RenderOptions { ObjectType = objectType, Context = SidContext.None, TrailingBytes = decoded.TrailingBytes }, indented: false);
        return new ApiAnswer(true, output.ToString().TrimEnd());
    }
}
