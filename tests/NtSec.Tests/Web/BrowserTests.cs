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
            web.GetScreenshot().SaveAsFile(shot);
    }
}
