using System.Buffers;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NtSec.Web;

/// <summary>Limits of the server; the defaults are the safe ones.</summary>
public sealed record WebServerOptions
{
    /// <summary>The TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; } = 8420;

    /// <summary>The largest request body accepted, in bytes (1 MiB).</summary>
    public int MaxRequestBytes { get; init; } = 1 << 20;

    /// <summary>How long one request may compute before it is answered with 503.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The <c>ntsec serve</c> web server: the JSON API (version <see cref="Version"/>, docs/web.md) and the explainer
/// page, bound to loopback only. Nothing is read from disk: the page is embedded in this assembly.
/// </summary>
public static class WebServer
{
    /// <summary>The version of the API's envelope, written as <c>"version"</c> in every answer.</summary>
    public const int Version = 1;

    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Builds the application. <paramref name="configure"/> may change the host before it is built (tests use an
    /// in-memory server); the address is always 127.0.0.1.
    /// </summary>
    /// <param name="api">The answers of the API.</param>
    /// <param name="options">The port and the limits.</param>
    /// <param name="configure">Changes to the host before it is built, or null.</param>
    /// <param name="audit">The audit store's answers (<c>--audit</c>), or null: then <c>/api/audit</c> is a 404.</param>
    public static WebApplication Build(INtSecApi api, WebServerOptions options, Action<WebApplicationBuilder>? configure = null, IAuditApi? audit = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            k.Listen(System.Net.IPAddress.Loopback, options.Port);
        });
        configure?.Invoke(builder);
        var app = builder.Build();

        // Anything unexpected is answered with JSON and no detail: a stack trace tells an attacker more than a user.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await WriteAsync(context, StatusCodes.Status500InternalServerError, Error("internal error: the request could not be answered"));
            }
        });

        app.MapGet("/", context => Resource(context, "index.html", "text/html; charset=utf-8"));
        app.MapGet("/app.js", context => Resource(context, "app.js", "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", context => Resource(context, "app.css", "text/css; charset=utf-8"));
        app.MapPost("/api/check", context => Answer(context, options, body => api.Check(body)));
        app.MapPost("/api/sddl", context => Answer(context, options, api.Sddl));
        app.MapPost("/api/token", context => Answer(context, options, api.Token));
        app.MapPost("/api/inherit", context => Answer(context, options, api.Inherit));
        app.MapPost("/api/run", context => Answer(context, options, api.Run));
        app.MapGet("/api/examples", context => WriteAsync(context, StatusCodes.Status200OK, Examples.Value));
        if (audit is not null)
        {
            app.MapGet("/api/audit", context => Compute(context, options, audit.Describe));
            app.MapPost("/api/audit/query", context => Answer(context, options, audit.Query));
            app.MapPost("/api/audit/explain", context => Answer(context, options, audit.Explain));
        }
        else
        {
            const string none = "no audit store: start the server with ntsec serve --audit FILE.duckdb";
            app.MapGet("/api/audit", context => WriteAsync(context, StatusCodes.Status404NotFound, Error(none)));
            app.MapPost("/api/audit/{*rest}", context => WriteAsync(context, StatusCodes.Status404NotFound, Error(none)));
        }
        return app;
    }

    // The examples picker's list: examples.json with each "@examples/..." string replaced by that embedded file's text.
    private static readonly Lazy<string> Examples = new(() =>
    {
        using var manifest = JsonDocument.Parse(ReadResource("examples.json"));
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteStartArray("examples");
            foreach (var example in manifest.RootElement.EnumerateArray())
            {
                json.WriteStartObject();
                json.WriteString("name", example.GetProperty("name").GetString());
                // Which view of the page the example is for: "check" (a /api/check body), "inherit", "run".
                json.WriteString("view", example.TryGetProperty("view", out var view) ? view.GetString() : "check");
                json.WriteStartObject("request");
                foreach (var field in example.GetProperty("request").EnumerateObject())
                {
                    if (field.Value.ValueKind == JsonValueKind.String && field.Value.GetString() is { } text && text.StartsWith("@examples/", StringComparison.Ordinal))
                    {
                        json.WriteString(field.Name, ReadResource(text[1..]));
                        json.WriteString(field.Name + "Source", text[1..]);
                    }
                    else
                    {
                        field.WriteTo(json);
                    }
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    });

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("NtSec.Web." + name)
            ?? throw new InvalidOperationException($"resource {name} is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static async Task Answer(HttpContext context, WebServerOptions options, Func<string, ApiAnswer> compute)
    {
        var request = context.Request;
        if (request.ContentLength > options.MaxRequestBytes)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, Error($"the request is larger than {options.MaxRequestBytes} bytes"));
            return;
        }
        // The declared length may be absent (chunked): the limit is enforced on what is actually read.
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            int read = await request.Body.ReadAsync(memory, context.RequestAborted);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > options.MaxRequestBytes)
            {
                await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, Error($"the request is larger than {options.MaxRequestBytes} bytes"));
                return;
            }
        }
        string body;
        try
        {
            body = new UTF8Encoding(false, true).GetString(buffer.WrittenSpan);
        }
        catch (DecoderFallbackException)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, Error("the request is not UTF-8 text"));
            return;
        }
        await Compute(context, options, () => compute(body));
    }

    // The computation off the request thread, answered 503 when it takes longer than the limit.
    private static async Task Compute(HttpContext context, WebServerOptions options, Func<ApiAnswer> compute)
    {
        var work = Task.Run(compute);
        ApiAnswer answer;
        try
        {
            answer = await work.WaitAsync(options.RequestTimeout, context.RequestAborted);
        }
        catch (TimeoutException)
        {
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, Error($"the request took longer than {options.RequestTimeout.TotalSeconds:0.#} s"));
            return;
        }
        await WriteAsync(context, answer.Ok ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, answer.Json);
    }

    /// <summary>An error document: <c>{"version": 1, "error": reason}</c>.</summary>
    public static string Error(string reason)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteString("error", reason);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Task WriteAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    private static async Task Resource(HttpContext context, string name, string contentType)
    {
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("NtSec.Web." + name)
            ?? throw new InvalidOperationException($"resource {name} is not embedded");
        context.Response.ContentType = contentType;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; style-src 'self'; script-src 'self'";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
