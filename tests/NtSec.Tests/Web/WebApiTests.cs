using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using NtSec.Cli.Commands;
using NtSec.Tests.Cli;
using NtSec.Web;

namespace NtSec.Tests.Web;

/// <summary>The web API in process (an in-memory server): real checks and decodes, errors and the size limit.</summary>
public sealed class WebApiTests : IAsyncLifetime
{
    private static readonly string Alice = File.ReadAllText(Path.Combine(CliHarness.RepositoryRoot(), "examples", "tokens", "alice.json"));
    private WebApplication? _app;
    private HttpClient? _client;

    public async Task InitializeAsync()
    {
        _app = WebServer.Build(new WebApi(), new WebServerOptions { MaxRequestBytes = 64 * 1024 }, b => b.WebHost.UseTestServer());
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string body)
    {
        using var response = await _client!.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static string CheckBody(string sddl, string desired) => $$"""{"id": "q1", "sd": "{{sddl}}", "token": {{Alice}}, "desired": "{{desired}}", "type": "file"}""";

    [Fact]
    public async Task Check_grants_and_explains_the_granting_ace()
    {
        var (status, body) = await Post("/api/check", CheckBody("O:BAG:BAD:(A;;FR;;;WD)", "FILE_READ_DATA"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("version").GetInt32());
        Assert.Equal("q1", body.GetProperty("id").GetString());
        Assert.Equal("STATUS_SUCCESS", body.GetProperty("status").GetString());
        Assert.Equal("0x00000001", body.GetProperty("granted").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("error").ValueKind);
        Assert.Equal(["FILE_READ_DATA"], body.GetProperty("grantedRights").EnumerateArray().Select(r => r.GetString()!));
        var steps = body.GetProperty("explanation").GetProperty("steps").EnumerateArray().ToList();
        var ace = Assert.Single(steps, s => s.GetProperty("kind").GetString() == "Ace");
        Assert.Equal(0, ace.GetProperty("ace").GetInt32());
        Assert.Equal("S-1-1-0", ace.GetProperty("sid").GetString());
    }

    [Fact]
    public async Task Check_deny_names_the_denying_ace_index()
    {
        // The allow at #0 grants read; the deny at #1 takes write away: the step for ACE 1 says Denied.
        var (status, body) = await Post("/api/check", CheckBody("O:BAG:BAD:(A;;FR;;;WD)(D;;FW;;;WD)(A;;FA;;;WD)", "FILE_READ_DATA|FILE_WRITE_DATA"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("STATUS_ACCESS_DENIED", body.GetProperty("status").GetString());
        Assert.False(body.GetProperty("explanation").GetProperty("granted").GetBoolean());
        var denying = Assert.Single(body.GetProperty("explanation").GetProperty("steps").EnumerateArray(),
            s => s.GetProperty("kind").GetString() == "Ace" && s.GetProperty("outcome").GetString() == "Denied");
        Assert.Equal(1, denying.GetProperty("ace").GetInt32());
        Assert.Equal("0x00000002", denying.GetProperty("denied").GetString());
    }

    [Fact]
    public async Task Check_bad_input_is_400_with_the_field_and_reason()
    {
        var (status, body) = await Post("/api/check", CheckBody("O:BAG:BAD:(A;;FR;;;WDX)", "FILE_READ_DATA"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("q1", body.GetProperty("id").GetString());
        Assert.StartsWith("sd: ", body.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("explanation").ValueKind);

        (status, body) = await Post("/api/check", "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("not valid JSON: column 2: ", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Check_reads_no_file()
    {
        var (status, body) = await Post("/api/check", """{"sd": "O:BAG:BAD:(A;;FR;;;WD)", "token": "/etc/passwd", "desired": "FILE_READ_DATA", "type": "file"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("reads no file", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Sddl_answers_the_sddl_json_document_and_rejects_bad_sddl_with_its_position()
    {
        var (status, body) = await Post("/api/sddl", """{"sd": "O:BAG:SYD:(A;;FR;;;WD)", "type": "file"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("version").GetInt32());
        Assert.Equal("O:BAG:SYD:(A;;FR;;;WD)", body.GetProperty("sddl").GetString());
        Assert.Equal("S-1-5-32-544", body.GetProperty("owner").GetProperty("sid").GetString());

        (status, body) = await Post("/api/sddl", """{"sd": "O:BAG:BAD:(A;;FR;;;WDX)"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("sd: 21: ", body.GetProperty("error").GetString());

        (status, body) = await Post("/api/sddl", """{"sd": "D:", "colour": "red"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("colour: unknown field", body.GetProperty("error").GetString());

        (status, body) = await Post("/api/sddl", """{"sd": "D:", "type": "spaceship"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("type: unknown object type", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_with_a_reason()
    {
        string big = "{\"sd\": \"" + new string('x', 65 * 1024) + "\"}";
        var (status, body) = await Post("/api/sddl", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("larger than 65536 bytes", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_page_is_served_from_the_assembly()
    {
        using var response = await _client!.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<script src=\"app.js\"", await response.Content.ReadAsStringAsync());
        using var js = await _client.GetAsync("/app.js");
        Assert.Contains("/api/check", await js.Content.ReadAsStringAsync());
    }
}
