using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using NtSec.Audit.Store;
using NtSec.Cli.Commands;
using NtSec.Tests.Audit;
using NtSec.Tests.Cli;
using NtSec.Web;

namespace NtSec.Tests.Web;

/// <summary>A small file estate scanned by <c>ntsec audit scan</c>, served by <c>serve --audit</c> (in process).</summary>
public sealed class AuditWebTests : IAsyncLifetime, IDisposable
{
    private readonly AuditFixtures _f = new();
    private WebApplication? _app;
    private HttpClient? _client;

    internal static string Scan(AuditFixtures f)
    {
        var scan = CliHarness.RunIn(f.Directory, "", "audit", "scan", f.IcaclsSave(), "--principals", "principals.txt", "--out", "e.duckdb");
        Assert.True(scan.ExitCode == 0, scan.Error);
        return f.Path("e.duckdb");
    }

    public async Task InitializeAsync()
    {
        var api = new AuditWebApi(EstateStore.Open(Scan(_f), readOnly: true), "e.duckdb");
        _app = WebServer.Build(new WebApi(), new WebServerOptions(), b => b.WebHost.UseTestServer(), api);
        _app.Lifetime.ApplicationStopped.Register(api.Dispose);
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
    }

    public void Dispose() => _f.Dispose();

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(string path, string? body)
    {
        using var response = body is null ? await _client!.GetAsync(path) : await _client!.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }

    [Fact]
    public async Task The_store_lists_the_reports_it_can_answer_and_none_that_reads_another_file_or_runs_SQL()
    {
        var (status, body) = await Send("/api/audit", null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("files", body.GetProperty("kind").GetString());
        Assert.Equal(["who-can", "where", "drift"], body.GetProperty("reports").EnumerateArray().Select(r => r.GetProperty("name").GetString()!));
        var whoCan = body.GetProperty("reports")[0];
        Assert.True(whoCan.GetProperty("parameters")[0].GetProperty("required").GetBoolean());
    }

    [Fact]
    public async Task Pages_of_a_report_are_the_rows_audit_who_can_writes_as_json()
    {
        var cli = CliHarness.RunIn(_f.Directory, "", "audit", "who-can", "--db", "e.duckdb", "--right", "read", "--format", "json");
        Assert.Equal(0, cli.ExitCode);
        using var expected = JsonDocument.Parse(cli.Out);
        var all = expected.RootElement.EnumerateArray().Select(r => r.GetRawText()).ToList();
        Assert.True(all.Count > 5, cli.Out);

        var rows = new List<string>();
        int offset = 0;
        while (true)
        {
            var (status, page) = await Send("/api/audit/query", $$"""{"report": "who-can", "right": "read", "offset": {{offset}}, "limit": 4}""");
            Assert.Equal(HttpStatusCode.OK, status);
            rows.AddRange(page.GetProperty("rows").EnumerateArray().Select(r => r.GetRawText()));
            if (!page.GetProperty("more").GetBoolean()) break;
            Assert.Equal(4, page.GetProperty("rows").GetArrayLength());
            offset += 4;
        }
        Assert.Equal(all, rows);
    }

    [Fact]
    public async Task A_cell_is_explained_as_data_with_the_deny_that_decides()
    {
        var (status, body) = await Send("/api/audit/explain", """{"path": "data/finance", "principal": "bob"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var cell = Assert.Single(body.GetProperty("cells").EnumerateArray());
        Assert.Equal("Data\\Finance", cell.GetProperty("path").GetString());
        Assert.Equal("0x00000000", cell.GetProperty("effective").GetString());
        Assert.Equal(cell.GetProperty("effective").GetString(), cell.GetProperty("stored").GetString());
        Assert.False(cell.GetProperty("ownerKnown").GetBoolean());
        var deny = cell.GetProperty("explanation").GetProperty("steps").EnumerateArray().First(s => s.GetProperty("kind").GetString() == "Ace");
        Assert.Equal("Denied", deny.GetProperty("outcome").GetString());
        Assert.Equal("S-1-5-21-1-2-3-1002", deny.GetProperty("sid").GetString());
        Assert.Equal("bob", deny.GetProperty("sidName").GetString());
    }

    [Theory]
    [InlineData("/api/audit/query", """{"report": "sql", "query": "SELECT 1"}""", "report: unknown report 'sql'")]
    [InlineData("/api/audit/query", """{"report": "diff", "baseline": "/etc/passwd"}""", "report: unknown report 'diff'")]
    [InlineData("/api/audit/query", """{"report": "who-can"}""", "right: missing")]
    [InlineData("/api/audit/query", """{"report": "who-can", "right": "read", "db": "x.duckdb"}""", "db: unknown field for who-can")]
    [InlineData("/api/audit/query", """{"report": "who-can", "right": "read", "limit": 100000}""", "limit: a whole number from 1 to 1000")]
    [InlineData("/api/audit/query", """{"report": "where", "principal": "nobody"}""", "principal: no principal 'nobody' in the scan")]
    [InlineData("/api/audit/explain", """{"path": "nope", "principal": "bob"}""", "path: no object 'nope' in the scan")]
    [InlineData("/api/audit/explain", """{"path": "Data"}""", "principal: missing")]
    public async Task Bad_requests_are_400_naming_the_field(string path, string body, string error)
    {
        var (status, answer) = await Send(path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(error, answer.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Without_a_store_the_audit_endpoints_are_404()
    {
        await using var app = WebServer.Build(new WebApi(), new WebServerOptions(), b => b.WebHost.UseTestServer());
        await app.StartAsync();
        using var client = app.GetTestClient();
        using var response = await client.GetAsync("/api/audit");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("ntsec serve --audit", await response.Content.ReadAsStringAsync());
        using var post = await client.PostAsync("/api/audit/query", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }
}

/// <summary>A small generated directory, scanned from LDIF, served by <c>serve --audit</c>: a dangerous row drills down to its cell.</summary>
public sealed class DirectoryAuditWebTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ntsec-adweb-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_dangerous_row_drills_down_to_its_explained_cell()
    {
        Directory.CreateDirectory(_directory);
        string export = Path.Combine(_directory, "export.ldif");
        using (var w = new StreamWriter(export)) new DirectoryFixture { Users = 40, Groups = 8, Departments = 2, Computers = 4, PageSize = 50 }.Write(w);
        string db = Path.Combine(_directory, "ad.duckdb");
        var scan = CliHarness.Run("audit", "scan", export, "--out", db);
        Assert.True(scan.ExitCode == 0, scan.Error);

        var api = new AuditWebApi(EstateStore.Open(db, readOnly: true), "ad.duckdb");
        await using var app = WebServer.Build(new WebApi(), new WebServerOptions(), b => b.WebHost.UseTestServer(), api);
        await app.StartAsync();
        using var client = app.GetTestClient();
        async Task<JsonElement> Post(string path, object body)
        {
            using var response = await client.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        using (var describe = await client.GetAsync("/api/audit"))
            Assert.Contains("\"kind\":\"directory\"", await describe.Content.ReadAsStringAsync());

        var page = await Post("/api/audit/query", new { report = "dangerous", limit = 5 });
        var rows = page.GetProperty("rows").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            // The page's drill-down: the row's DN, its principal's SID and its right.
            var explained = await Post("/api/audit/explain", new { path = row.GetProperty("dn").GetString(), principal = row.GetProperty("principal").GetString(), right = row.GetProperty("right").GetString() });
            var cell = explained.GetProperty("cells")[0];
            Assert.True(cell.GetProperty("answer").GetBoolean(), row + " -> " + cell);
            Assert.Equal("Ace", cell.GetProperty("explanation").GetProperty("steps").EnumerateArray().First(s => s.GetProperty("outcome").GetString() == "Granted").GetProperty("kind").GetString());
        }
        api.Dispose();
    }
}
