using Microsoft.AspNetCore.Builder;
using NtSec.Cli.Commands;
using NtSec.Tests.Cli;
using NtSec.Web;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace NtSec.Tests.Web;

/// <summary>Skips when the system chromium or chromedriver is missing (Debian: chromium, chromium-driver).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    /// <summary>The browser and its driver, or null when either is missing.</summary>
    internal static (string Browser, string Driver)? Found()
    {
        string? browser = new[] { Environment.GetEnvironmentVariable("CHROME_BIN"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        string? driver = new[] { Environment.GetEnvironmentVariable("CHROMEDRIVER"), "/usr/bin/chromedriver" }.FirstOrDefault(File.Exists);
        return browser is null || driver is null ? null : (browser, driver);
    }

    /// <summary>Sets Skip when the browser is missing.</summary>
    public BrowserFactAttribute()
    {
        if (Found() is null) Skip = "chromium and chromedriver not found (apt-get install chromium chromium-driver)";
    }
}

/// <summary>The page in a real headless chromium over a real loopback socket: enter inputs, read the explanation.</summary>
public sealed class BrowserTests
{
    [BrowserFact]
    public async Task The_page_renders_the_denying_ace_as_a_red_row()
    {
        var (browser, driver) = BrowserFactAttribute.Found()!.Value;
        await using var app = WebServer.Build(new WebApi(), new WebServerOptions { Port = 0 });
        await app.StartAsync();
        string url = app.Urls.First();

        var options = new ChromeOptions { BinaryLocation = browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000");
        using var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        using var web = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        web.Navigate().GoToUrl(url + "/");

        string token = File.ReadAllText(Path.Combine(CliHarness.RepositoryRoot(), "examples", "tokens", "alice.json"));
        var sd = web.FindElement(By.Id("sd"));
        sd.Clear();
        sd.SendKeys("O:BAG:BAD:(A;;FR;;;WD)(D;;FW;;;WD)(A;;FA;;;WD)");
        // The token is set as a value, not typed: typing a page of JSON key by key is slow and proves nothing more.
        ((IJavaScriptExecutor)web).ExecuteScript("document.getElementById('token').value = arguments[0];", token);
        var desired = web.FindElement(By.Id("desired"));
        desired.Clear();
        desired.SendKeys("FILE_READ_DATA|FILE_WRITE_DATA");
        web.FindElement(By.Id("check")).Click();

        var wait = new WebDriverWait(web, TimeSpan.FromSeconds(20));
        var verdict = wait.Until(d => d.FindElements(By.Id("verdict")).FirstOrDefault(e => e.Displayed));
        Assert.StartsWith("Denied", verdict!.Text);
        Assert.Contains("STATUS_ACCESS_DENIED", verdict.Text);

        var dacl = web.FindElement(By.CssSelector("table.pass[data-stage='Dacl']"));
        var denied = dacl.FindElements(By.CssSelector("tr.denied"));
        var row = Assert.Single(denied);
        var cells = row.FindElements(By.TagName("td"));
        Assert.Equal("1", cells[0].Text);
        Assert.Equal("(D;;FW;;;WD)", cells[1].Text);
        Assert.Contains("S-1-1-0", cells[3].Text);
        Assert.Contains("0x00000002", cells[4].Text);
        Assert.NotEmpty(dacl.FindElements(By.CssSelector("tr.granted")));

        // The inputs are in the fragment: the same link shows the same answer.
        Assert.Contains("sd=", new Uri(web.Url).Fragment);

        if (Environment.GetEnvironmentVariable("NTSEC_SCREENSHOT") is { Length: > 0 } shot)
        {
            ((IJavaScriptExecutor)web).ExecuteScript("document.getElementById('summary').scrollIntoView();");
            web.GetScreenshot().SaveAsFile(shot);
        }
    }

    // One server and one headless chromium for a test; disposed in reverse order.
    private sealed class Session : IAsyncDisposable
    {
        public required WebApplication App { get; init; }
        public required ChromeDriverService Service { get; init; }
        public required ChromeDriver Web { get; init; }
        public required string Url { get; init; }

        public static async Task<Session> Start(IAuditApi? audit = null)
        {
            var (browser, driver) = BrowserFactAttribute.Found()!.Value;
            var app = WebServer.Build(new WebApi(), new WebServerOptions { Port = 0 }, audit: audit);
            await app.StartAsync();
            var options = new ChromeOptions { BinaryLocation = browser };
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1600,1200");
            var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
            service.SuppressInitialDiagnosticInformation = true;
            service.HideCommandPromptWindow = true;
            return new Session { App = app, Service = service, Web = new ChromeDriver(service, options, TimeSpan.FromSeconds(60)), Url = app.Urls.First() + "/" };
        }

        public IWebElement Verdict()
        {
            var wait = new WebDriverWait(Web, TimeSpan.FromSeconds(20));
            return wait.Until(d => d.FindElements(By.Id("verdict")).FirstOrDefault(e => e.Displayed))!;
        }

        // Chooses an example by its text: the option is selected and the select's change event fires, as when a user picks
        // it (set by script: a clicked native list stays drawn open in headless screenshots).
        public void Pick(string name)
        {
            var option = Web.FindElement(By.XPath($"//select[@id='example']/option[normalize-space()='{name}']"));
            ((IJavaScriptExecutor)Web).ExecuteScript(
                "const o = arguments[0]; o.parentElement.value = o.value; o.parentElement.dispatchEvent(new Event('change'));", option);
        }

        public void Open(string url)
        {
            Web.Navigate().GoToUrl(url);
            new WebDriverWait(Web, TimeSpan.FromSeconds(20)).Until(d => d.FindElement(By.TagName("body")).GetAttribute("data-ready") == "true");
        }

        public async ValueTask DisposeAsync()
        {
            Web.Quit();
            Web.Dispose();
            Service.Dispose();
            await App.DisposeAsync();
        }
    }

    [BrowserFact]
    public async Task The_restricted_example_shows_both_passes_side_by_side_with_their_intersection()
    {
        await using var session = await Session.Start();
        var web = session.Web;
        session.Open(session.Url);
        session.Pick("Restricted token: the second pass (file, alice-restricted)");
        var verdict = session.Verdict();
        Assert.StartsWith("Granted 0x00120089", verdict.Text);

        var columns = web.FindElements(By.CssSelector("#side-by-side .pass-column"));
        Assert.Equal(["Dacl", "RestrictedPass"], columns.Select(c => c.GetAttribute("data-pass")));
        // The DACL pass grants everything through alice's own SID; the restricted pass only what Everyone has.
        var daclGrant = columns[0].FindElement(By.CssSelector("tr.granted"));
        Assert.Contains("S-1-5-21-1-2-3-1001", daclGrant.FindElements(By.TagName("td"))[3].Text);
        var restrictedRows = columns[1].FindElements(By.CssSelector("tr[data-kind='Ace']"));
        Assert.Equal("skipped", restrictedRows[0].GetAttribute("class"));
        Assert.Equal("granted", restrictedRows[1].GetAttribute("class"));
        Assert.Contains("S-1-1-0", restrictedRows[1].FindElements(By.TagName("td"))[3].Text);

        var combine = web.FindElement(By.Id("intersection"));
        Assert.StartsWith("0x001f01ff", combine.FindElement(By.CssSelector("tr[data-pass='Dacl'] td.mono")).Text);
        Assert.StartsWith("0x00120089", combine.FindElement(By.CssSelector("tr[data-pass='RestrictedPass'] td.mono")).Text);
        Assert.StartsWith("0x00120089", combine.FindElement(By.CssSelector("tr[data-pass='Intersection'] td.mono")).Text);

        // The decoded descriptor, with the rights named for a file.
        var acl = web.FindElement(By.CssSelector("table.acl[data-acl='DACL']"));
        Assert.Contains("FILE_ALL_ACCESS", acl.FindElement(By.CssSelector("tr[data-ace='0']")).Text);

        if (Environment.GetEnvironmentVariable("NTSEC_SCREENSHOT_PASSES") is { Length: > 0 } shot)
        {
            ((IJavaScriptExecutor)web).ExecuteScript("document.getElementById('passes').scrollIntoView();");
            web.GetScreenshot().SaveAsFile(shot);
        }
    }

    [BrowserFact]
    public async Task A_link_with_the_inputs_in_its_fragment_reproduces_the_view()
    {
        await using var session = await Session.Start();
        var web = session.Web;
        session.Open(session.Url);
        var sd = web.FindElement(By.Id("sd"));
        sd.Clear();
        sd.SendKeys("O:BAG:BAD:(A;;FR;;;WD)(D;;FW;;;WD)");
        web.FindElement(By.Id("check")).Click();
        string first = session.Verdict().Text;
        Assert.StartsWith("Denied", first);
        string link = web.Url;
        Assert.Contains("sd=", new Uri(link).Fragment);

        // A fresh page (about:blank first, so the fragment is not a same-document jump) from the link alone.
        web.Navigate().GoToUrl("about:blank");
        session.Open(link);
        Assert.Equal(first, session.Verdict().Text);
        Assert.Equal("O:BAG:BAD:(A;;FR;;;WD)(D;;FW;;;WD)", web.FindElement(By.Id("sd")).GetAttribute("value"));
        Assert.Single(web.FindElements(By.CssSelector("table.pass[data-stage='Dacl'] tr.denied")));
    }

    [BrowserFact]
    public async Task A_whoami_token_and_icacls_output_are_read_and_conditions_show_their_values()
    {
        await using var session = await Session.Start();
        var web = session.Web;
        session.Open(session.Url);
        session.Pick("icacls output and a whoami /all token (file-share-audit)");
        Assert.StartsWith("Granted 0x001301bf", session.Verdict().Text);
        Assert.StartsWith("read as whoami", web.FindElement(By.Id("token-format")).Text);
        // The deny-only Administrators SID never grants: the Full control ACE (#1) is skipped, not granted.
        var row = web.FindElement(By.XPath("//table[@data-stage='Dacl']//tr[td[1]='1']"));
        Assert.NotEqual("granted", row.GetAttribute("class"));

        session.Pick("Conditional ACEs on claims (dynamic-access-control)");
        new WebDriverWait(web, TimeSpan.FromSeconds(20)).Until(d => d.FindElements(By.CssSelector("tr.condition")).Count > 0);
        var condition = web.FindElement(By.CssSelector("table.pass[data-stage='Dacl'] tr.condition"));
        Assert.Contains("@User.ad://ext/Department = [\"Finance\"] == String (1) → TRUE", condition.Text);
    }
    [BrowserFact]
    public async Task The_inheritance_view_shows_where_each_ACE_of_the_new_descriptor_came_from()
    {
        await using var session = await Session.Start();
        var web = session.Web;
        session.Open(session.Url);
        web.FindElement(By.CssSelector("#views button[data-view='inherit']")).Click();
        var option = web.FindElement(By.XPath("//select[@id='inherit-example']/option[starts-with(normalize-space(), 'A subfolder with auto-inheritance')]"));
        ((IJavaScriptExecutor)web).ExecuteScript(
            "const o = arguments[0]; o.parentElement.value = o.value; o.parentElement.dispatchEvent(new Event('change'));", option);
        var verdict = new WebDriverWait(web, TimeSpan.FromSeconds(20)).Until(d => d.FindElements(By.Id("inherit-verdict")).FirstOrDefault(e => e.Displayed))!;
        Assert.Equal("STATUS_SUCCESS", verdict.Text);

        var rows = web.FindElements(By.CssSelector("#inherit-dacl tr[data-ace]"));
        Assert.Equal(7, rows.Count);
        // The creator's explicit ACE first (GA mapped to FA), then the parent's, marked inherited; CREATOR OWNER split in two.
        Assert.Equal("Creator", rows[0].GetAttribute("data-origin"));
        Assert.Equal("creator ACE #0 (A;;GA;;;S-1-5-21-1-2-3-1001): generic rights mapped", rows[0].FindElements(By.TagName("td"))[4].Text);
        Assert.Equal("(A;ID;FA;;;S-1-5-21-1-2-3-1001)", rows[5].FindElements(By.TagName("td"))[1].Text);
        Assert.Equal("parent ACE #4 (A;OICIIO;GA;;;CO): generic rights mapped, CREATOR SID replaced, effective copy, marked INHERITED_ACE", rows[5].FindElements(By.TagName("td"))[4].Text);
        Assert.Equal("parent ACE #4 (A;OICIIO;GA;;;CO): inherit-only copy for the children, marked INHERITED_ACE", rows[6].FindElements(By.TagName("td"))[4].Text);
        Assert.Contains("from the creator's explicit ACEs, then the parent's inheritable ACEs", web.FindElement(By.CssSelector("#inherit-parts tr[data-part='dacl']")).Text);

        // The view and its inputs are in the fragment: a fresh page from the link shows the same descriptor.
        string sddl = web.FindElement(By.Id("inherit-sddl")).Text;
        string link = web.Url;
        Assert.Contains("view=inherit", new Uri(link).Fragment);
        if (Environment.GetEnvironmentVariable("NTSEC_SCREENSHOT_INHERIT") is { Length: > 0 } shot)
        {
            ((IJavaScriptExecutor)web).ExecuteScript("document.getElementById('inherit-output').scrollIntoView();");
            web.GetScreenshot().SaveAsFile(shot);
        }
        web.Navigate().GoToUrl("about:blank");
        session.Open(link);
        Assert.Equal(sddl, new WebDriverWait(web, TimeSpan.FromSeconds(20)).Until(d => d.FindElements(By.Id("inherit-sddl")).FirstOrDefault(e => e.Displayed))!.Text);
    }
    [BrowserFact]
    public async Task The_scenario_view_lists_the_steps_and_expands_a_denied_open_into_its_explanation()
    {
        await using var session = await Session.Start();
        var web = session.Web;
        session.Open(session.Url);
        web.FindElement(By.CssSelector("#views button[data-view='run']")).Click();
        var option = web.FindElement(By.XPath("//select[@id='run-example']/option[starts-with(normalize-space(), 'A first scenario')]"));
        ((IJavaScriptExecutor)web).ExecuteScript(
            "const o = arguments[0]; o.parentElement.value = o.value; o.parentElement.dispatchEvent(new Event('change'));", option);
        var verdict = new WebDriverWait(web, TimeSpan.FromSeconds(20)).Until(d => d.FindElements(By.Id("run-verdict")).FirstOrDefault(e => e.Displayed))!;
        Assert.Equal("a first scenario: 3 steps; 3 of 3 expectations met", verdict.Text);

        // The denied write: its status, its reason, met as expected.
        var write = web.FindElement(By.CssSelector("#run-table tr[data-step='3']"));
        Assert.Equal("failed", write.GetAttribute("class"));
        var cells = write.FindElements(By.TagName("td"));
        Assert.StartsWith("STATUS_ACCESS_DENIED", cells[3].Text);
        Assert.Contains("FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES is not", cells[5].Text);
        Assert.Equal("met", cells[6].Text);

        // Expanded, the kernel's check is the explanation view: BUILTIN\Users' read ACE granted, nothing more.
        var details = write.FindElement(By.CssSelector("details.access-check"));
        details.FindElement(By.TagName("summary")).Click();
        var dacl = new WebDriverWait(web, TimeSpan.FromSeconds(10)).Until(_ => details.FindElements(By.CssSelector("table.pass[data-stage='Dacl']")).FirstOrDefault())!;
        var granted = Assert.Single(dacl.FindElements(By.CssSelector("tr.granted")));
        Assert.Contains("S-1-5-32-545", granted.FindElements(By.TagName("td"))[3].Text);
        Assert.Contains("view=run", new Uri(web.Url).Fragment);
        if (Environment.GetEnvironmentVariable("NTSEC_SCREENSHOT_SCENARIO") is { Length: > 0 } shot)
        {
            ((IJavaScriptExecutor)web).ExecuteScript("document.getElementById('run-output').scrollIntoView();");
            web.GetScreenshot().SaveAsFile(shot);
        }
    }
    [BrowserFact]
    public async Task The_audit_view_drills_down_from_a_row_to_the_explained_cell()
    {
        using var fixture = new NtSec.Tests.Audit.AuditFixtures();
        using var audit = new AuditWebApi(NtSec.Audit.Store.EstateStore.Open(AuditWebTests.Scan(fixture), readOnly: true), "e.duckdb");
        await using var session = await Session.Start(audit);
        var web = session.Web;
        session.Open(session.Url);
        web.FindElement(By.Id("audit-tab")).Click();
        ((IJavaScriptExecutor)web).ExecuteScript("const s = document.getElementById('audit-report'); s.value = 'where'; s.dispatchEvent(new Event('change'));");
        web.FindElement(By.Id("audit-p-principal")).SendKeys("bob");
        web.FindElement(By.Id("audit-run")).Click();
        var wait = new WebDriverWait(web, TimeSpan.FromSeconds(20));
        var row = wait.Until(d => d.FindElements(By.XPath("//table[@id='audit-table']//tr[td[1]='Data\\Public\\readme.txt']")).FirstOrDefault())!;
        Assert.Contains("bob", row.Text);
        Assert.DoesNotContain(web.FindElements(By.CssSelector("#audit-table td")), td => td.Text == "Data\\Finance");

        row.FindElement(By.CssSelector("button.explain")).Click();
        var grant = wait.Until(d => d.FindElements(By.Id("audit-cell-grant")).FirstOrDefault(e => e.Displayed))!;
        Assert.StartsWith("Grants 0x001200a9", grant.Text);
        var granted = Assert.Single(web.FindElements(By.CssSelector(".audit-cell table.pass[data-stage='Dacl'] tr.granted")));
        Assert.Contains("S-1-5-21-1-2-3-513", granted.FindElements(By.TagName("td"))[3].Text);
        Assert.Contains("the stored cell agrees", web.FindElement(By.CssSelector(".audit-cell")).Text);

        // The query and the cell are in the fragment: a fresh page from the link shows the same cell.
        string link = web.Url;
        Assert.Contains("view=audit", new Uri(link).Fragment);
        if (Environment.GetEnvironmentVariable("NTSEC_SCREENSHOT_AUDIT") is { Length: > 0 } shot) web.GetScreenshot().SaveAsFile(shot);
        web.Navigate().GoToUrl("about:blank");
        session.Open(link);
        Assert.StartsWith("Grants 0x001200a9", wait.Until(d => d.FindElements(By.Id("audit-cell-grant")).FirstOrDefault(e => e.Displayed))!.Text);
    }
}
