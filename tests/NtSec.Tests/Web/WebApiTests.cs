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

    private static string Example(string path) => File.ReadAllText(Path.Combine(CliHarness.RepositoryRoot(), "examples", path));

    private static readonly string[] FinanceMap = ["CONTOSO\\Finance=S-1-5-21-1004336348-1177238915-682003330-1120", "CONTOSO\\Interns=S-1-5-21-1004336348-1177238915-682003330-1150"];

    [Fact]
    public async Task Sddl_decodes_icacls_output_with_the_map_and_names_the_rights_for_the_type()
    {
        string body = JsonSerializer.Serialize(new { sd = Example("file-share-audit/icacls-finance.txt"), type = "directory", map = FinanceMap });
        var (status, answer) = await Post("/api/sddl", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Directory", answer.GetProperty("objectType").GetString());
        var aces = answer.GetProperty("dacl").GetProperty("aces").EnumerateArray().ToList();
        Assert.Equal(6, aces.Count);
        Assert.Equal("S-1-5-21-1004336348-1177238915-682003330-1150", aces[4].GetProperty("trustee").GetProperty("sid").GetString());
        Assert.Equal("D", aces[4].GetProperty("sddlType").GetString());
        Assert.Contains("FILE_ADD_FILE", aces[4].GetProperty("mask").GetProperty("rights").EnumerateArray().Select(r => r.GetString()));

        // Without the map the domain name cannot be resolved: the line and column of the name, never a guess.
        (status, answer) = await Post("/api/sddl", JsonSerializer.Serialize(new { sd = Example("file-share-audit/icacls-finance.txt") }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("sd: line 3, column ", answer.GetProperty("error").GetString());

        (status, answer) = await Post("/api/sddl", """{"sd": "D:", "map": ["X=S-1-1-0"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("icacls and Get-Acl output only", answer.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Sddl_decodes_base64_and_hex_as_sddl()
    {
        var (_, hex) = await Post("/api/sddl", """{"sd": "010004800000000000000000000000001400000002001c00010000000000140000000010010100000000000512000000"}""");
        Assert.Equal("D:(A;;GA;;;SY)", hex.GetProperty("sddl").GetString());
        string base64 = Convert.ToBase64String(Convert.FromHexString("010004800000000000000000000000001400000002001c00010000000000140000000010010100000000000512000000"));
        var (_, b64) = await Post("/api/sddl", $$"""{"sd": "{{base64}}"}""");
        Assert.Equal("D:(A;;GA;;;SY)", b64.GetProperty("sddl").GetString());
    }

    [Fact]
    public async Task Token_reads_whoami_all_and_json_and_rejects_bad_text_with_its_place()
    {
        var (status, answer) = await Post("/api/token", JsonSerializer.Serialize(new { token = Example("file-share-audit/alice-whoami.txt") }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("whoami", answer.GetProperty("format").GetString());
        Assert.Equal("S-1-5-21-1004336348-1177238915-682003330-1104", answer.GetProperty("token").GetProperty("user").GetString());
        Assert.Contains(answer.GetProperty("token").GetProperty("groups").EnumerateArray(),
            g => g.GetProperty("sid").GetString() == "S-1-5-32-544" && g.GetProperty("attributes").EnumerateArray().Any(a => a.GetString() == "UseForDenyOnly"));

        (status, answer) = await Post("/api/token", JsonSerializer.Serialize(new { token = Alice }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("json", answer.GetProperty("format").GetString());
        Assert.Equal("S-1-5-21-1-2-3-1001", answer.GetProperty("token").GetProperty("user").GetString());

        (status, answer) = await Post("/api/token", """{"token": "{\"user\": \"S-1-5-21-1-2-3-1001\", \"groups\": [{\"sid\": \"S-1-1-0\", \"attributes\": [\"Enabeld\"]}]}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("token: groups[0].attributes[0]: ", answer.GetProperty("error").GetString());

        (status, answer) = await Post("/api/token", """{"whoami": "x"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("whoami: unknown field", answer.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Check_takes_icacls_and_a_whoami_token_turned_into_json_as_the_page_does()
    {
        var (_, token) = await Post("/api/token", JsonSerializer.Serialize(new { token = Example("file-share-audit/alice-whoami.txt") }));
        string body = JsonSerializer.Serialize(new
        {
            sd = Example("file-share-audit/icacls-finance.txt"), token = token.GetProperty("token"), desired = "MAXIMUM_ALLOWED", type = "directory", owner = "BA", map = FinanceMap,
        });
        var (status, answer) = await Post("/api/check", body);
        Assert.Equal(HttpStatusCode.OK, status);
        // The figure docs/inputs.md and the file-share-audit README give for the same inputs on the command line.
        Assert.Equal("0x001301bf", answer.GetProperty("granted").GetString());
    }

    [Fact]
    public async Task Inherit_creates_a_child_as_inherit_batch_does_and_carries_the_library_result()
    {
        string body = $$"""{"id": 7, "parent": "O:BAG:BAD:(A;OICI;FA;;;BA)(A;OICIIO;GA;;;CO)", "creator": null, "container": false, "token": {{Alice}}}""";
        var (status, answer) = await Post("/api/inherit", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(7, answer.GetProperty("id").GetInt32());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("error").ValueKind);
        // CREATOR OWNER becomes the creator (alice); without DaclAutoInherit in "flags" the ACEs are not marked ID.
        Assert.Equal("O:S-1-5-21-1-2-3-1001G:S-1-5-21-1-2-3-513D:(A;;FA;;;BA)(A;;FA;;;S-1-5-21-1-2-3-1001)", answer.GetProperty("sddl").GetString());
        var result = answer.GetProperty("result");
        Assert.Equal("STATUS_SUCCESS", result.GetProperty("status").GetString());
        Assert.Equal(2, result.GetProperty("descriptor").GetProperty("dacl").GetProperty("aces").GetArrayLength());
        // Each new ACE names the parent ACE it came from: BA's as it was, CREATOR OWNER's as an effective copy for alice.
        var origins = result.GetProperty("trace").GetProperty("daclOrigins").EnumerateArray().ToList();
        Assert.Equal(["Parent:0:EffectiveCopy", "Parent:1:MaskMapped,CreatorSidReplaced,EffectiveCopy"],
            origins.Select(o => $"{o.GetProperty("source").GetString()}:{o.GetProperty("index").GetInt32()}:{string.Join(",", o.GetProperty("changes").EnumerateArray().Select(c => c.GetString()))}"));

        // The library refuses an owner the creator may not assign: its status and failure, as data, in a 200.
        (status, answer) = await Post("/api/inherit", $$"""{"parent": null, "creator": "O:SYD:", "token": {{Alice}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("STATUS_INVALID_OWNER", answer.GetProperty("result").GetProperty("status").GetString());
        Assert.StartsWith("STATUS_INVALID_OWNER: ", answer.GetProperty("error").GetString());

        (status, answer) = await Post("/api/inherit", """{"op": "graft", "parent": "D:"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("op: unknown operation", answer.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("result").ValueKind);
    }

    private static string RunBody(string yaml) => JsonSerializer.Serialize(new { scenario = yaml });

    [Fact]
    public async Task Run_answers_with_the_run_json_document_and_each_kernel_access_check_explained_as_data()
    {
        string yaml = Example("scenarios/first.yaml").Replace("expect: STATUS_ACCESS_DENIED", "expect: STATUS_SUCCESS", StringComparison.Ordinal);
        var (status, run) = await Post("/api/run", RunBody(yaml));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, run.GetProperty("version").GetInt32());
        Assert.Equal("a first scenario", run.GetProperty("scenario").GetString());
        Assert.Equal(1, run.GetProperty("unmet").GetInt32());
        var steps = run.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(3, steps.Count);
        Assert.False(steps[0].TryGetProperty("reason", out var first) && first.TryGetProperty("accessCheck", out _));
        // The failed write: its reason, its unmet expectation, and the kernel's check as the structured explanation.
        var write = steps[2];
        Assert.Equal("STATUS_ACCESS_DENIED", write.GetProperty("status").GetProperty("name").GetString());
        Assert.False(write.GetProperty("met").GetBoolean());
        Assert.Contains("FILE_WRITE_DATA", write.GetProperty("why").GetString());
        var check = write.GetProperty("reason").GetProperty("accessCheck");
        Assert.Equal(@"C:\report.txt", check.GetProperty("object").GetString());
        Assert.Equal("STATUS_ACCESS_DENIED", check.GetProperty("status").GetString());
        var aces = check.GetProperty("explanation").GetProperty("steps").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "Ace").ToList();
        Assert.Contains(aces, e => e.GetProperty("sid").GetString() == "S-1-5-32-545" && e.GetProperty("outcome").GetString() == "Granted");
        // The granted read has its check too.
        Assert.Equal("0x120089", steps[1].GetProperty("reason").GetProperty("accessCheck").GetProperty("granted").GetString());
        Assert.True(steps[1].GetProperty("reason").GetProperty("accessCheck").GetProperty("explanation").GetProperty("granted").GetBoolean());
    }

    [Theory]
    [InlineData("dynamic-access-control/policy.yaml")]
    [InlineData("file-share-audit/audit.yaml")]
    public async Task Run_refuses_an_example_scenario_that_reads_a_file(string example)
    {
        var (status, answer) = await Post("/api/run", RunBody(Example(example)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Matches(@"^scenario:\d+:\d+: the web API reads no file: '(file|whoami)' names one", answer.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("tokens:\n  a: {file: /etc/passwd}\nsteps: []\n", "2:7")]
    [InlineData("tokens:\n  a:\n    whoami: ../../secret.txt\nsteps: []\n", "3:5")]
    [InlineData("policies: {\"File\": x}\nsteps: []\n", "1:12")]
    [InlineData("x: &k file\ntokens:\n  a: {*k : /etc/passwd}\n", "3:7")]
    public async Task Run_refuses_every_key_that_names_a_file_before_the_loader_runs(string yaml, string where)
    {
        var (status, answer) = await Post("/api/run", RunBody(yaml));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        string error = answer.GetProperty("error").GetString()!;
        Assert.StartsWith("scenario:" + where, error);
        Assert.Contains("web API", error);
    }

    [Fact]
    public async Task Run_reports_a_mistake_with_its_line_and_column_and_bad_bodies_as_400()
    {
        var (status, answer) = await Post("/api/run", RunBody("name: x\nsteps:\n  - open: {thread: nobody, object: C:\\x, access: FILE_READ_DATA}\n"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Matches(@"^scenario:3:\d+: ", answer.GetProperty("error").GetString());
        (status, answer) = await Post("/api/run", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("scenario: missing", answer.GetProperty("error").GetString());
        (status, answer) = await Post("/api/run", """{"scenario": "steps: []", "path": "x.yaml"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("path: unknown field", answer.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Examples_inline_the_files_of_examples_and_each_one_checks()
    {
        using var response = await _client!.GetAsync("/api/examples");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var examples = document.RootElement.GetProperty("examples").EnumerateArray().ToList();
        Assert.True(examples.Count >= 5);
        Assert.Contains(examples, e => e.GetProperty("view").GetString() == "inherit");
        foreach (var example in examples)
        {
            var request = example.GetProperty("request");
            string view = example.GetProperty("view").GetString()!;
            if (request.TryGetProperty("tokenSource", out var source))
                Assert.Equal(Example(source.GetString()!["examples/".Length..]), request.GetProperty("token").GetString());
            // The page turns the token text into an object (whoami through /api/token) and drops the *Source notes.
            if (view == "run")
            {
                var (runStatus, run) = await Post("/api/run", RunBody(request.GetProperty("scenario").GetString()!));
                Assert.True(runStatus == HttpStatusCode.OK, example.GetProperty("name").GetString() + ": " + run);
                Assert.Equal(0, run.GetProperty("unmet").GetInt32());
                continue;
            }
            var (_, token) = await Post("/api/token", JsonSerializer.Serialize(new { token = request.GetProperty("token").GetString() }));
            var fields = request.EnumerateObject().Where(p => !p.Name.EndsWith("Source", StringComparison.Ordinal) && p.Name != "token").ToDictionary(p => p.Name, p => p.Value);
            fields["token"] = token.GetProperty("token");
            var (status, answer) = await Post(view == "inherit" ? "/api/inherit" : "/api/check", JsonSerializer.Serialize(fields));
            Assert.True(status == HttpStatusCode.OK, example.GetProperty("name").GetString() + ": " + answer);
            if (view == "inherit") Assert.Equal("STATUS_SUCCESS", answer.GetProperty("result").GetProperty("status").GetString());
            else Assert.Equal(JsonValueKind.Object, answer.GetProperty("explanation").ValueKind);
        }
    }
}

/// <summary>The server's limits with an API that misbehaves on purpose: slow, throwing; and the address it binds.</summary>
public sealed class WebServerSafetyTests
{
    private sealed class FakeApi(Func<string, ApiAnswer> answer) : INtSecApi
    {
        public ApiAnswer Check(string request) => answer(request);

        public ApiAnswer Sddl(string request) => answer(request);

        public ApiAnswer Token(string request) => answer(request);

        public ApiAnswer Inherit(string request) => answer(request);

        public ApiAnswer Run(string request) => answer(request);
    }

    private static async Task<(HttpStatusCode, string)> PostOnce(INtSecApi api, WebServerOptions options)
    {
        await using var app = WebServer.Build(api, options, b => b.WebHost.UseTestServer());
        await app.StartAsync();
        using var client = app.GetTestClient();
        using var response = await client.PostAsync("/api/check", new StringContent("{}", Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_request_over_the_time_limit_is_503_with_a_reason()
    {
        using var release = new ManualResetEventSlim();
        var (status, body) = await PostOnce(new FakeApi(_ => { release.Wait(TimeSpan.FromSeconds(5)); return new ApiAnswer(true, "{}"); }),
            new WebServerOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        release.Set();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("took longer than 0.2 s", body);
    }

    [Fact]
    public async Task An_unexpected_failure_is_500_with_a_fixed_message_and_no_stack_trace()
    {
        var (status, body) = await PostOnce(new FakeApi(_ => throw new InvalidOperationException("secret detail at NtSec.Somewhere()")), new WebServerOptions());
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("""{"version":1,"error":"internal error: the request could not be answered"}""", body);
        Assert.DoesNotContain("secret", body);
    }

    [Fact]
    public async Task The_server_listens_on_loopback_only()
    {
        await using var app = WebServer.Build(new WebApi(), new WebServerOptions { Port = 0 });
        await app.StartAsync();
        var url = new Uri(Assert.Single(app.Urls));
        Assert.True(IPAddress.Parse(url.Host).Equals(IPAddress.Loopback), url.ToString());
    }
}
