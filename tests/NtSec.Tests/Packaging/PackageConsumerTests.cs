using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using NtSec.Tests.Cli;
using Xunit.Abstractions;

namespace NtSec.Tests.Packaging;

/// <summary>Skips, saying why, when the dotnet host the tests would drive cannot be found.</summary>
public sealed class DotnetFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when there is no dotnet.</summary>
    public DotnetFactAttribute()
    {
        if (PackageConsumerTests.Dotnet() is null) Skip = "the dotnet host was not found (DOTNET_HOST_PATH, PATH): cannot pack or build a consumer";
    }
}

/// <summary>
/// The NtSec package as a .NET developer meets it: packed from src/NtSec with its metadata (licence, README, tags,
/// repository, symbols), then consumed by a fresh console project from a local folder, offline, and run.
/// </summary>
public sealed class PackageConsumerTests(ITestOutputHelper output)
{
    /// <summary>The dotnet host: the one running the tests, else the first on PATH.</summary>
    internal static string? Dotnet()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private (int Code, string Output) Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Dotnet()!) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The test host's MSBuild settings must not leak into the child builds; no telemetry or first-run text.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "VSTEST_HOST_DEBUG" })
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 10 minutes");
        }
        string text = stdout.Result + stderr.Result;
        output.WriteLine($"$ dotnet {string.Join(' ', args)}  -> {p.ExitCode}");
        output.WriteLine(text);
        return (p.ExitCode, text);
    }

    [DotnetFact]
    public void ThePackage_CarriesItsMetadata_AndAFreshConsoleProjectConsumesItOffline()
    {
        var root = Directory.CreateTempSubdirectory("ntsec-package-");
        try
        {
            string feed = Path.Combine(root.FullName, "feed");
            string repo = CliHarness.RepositoryRoot();
            // A configuration of its own: other tests of the same run build Debug and Release of the library, and two
            // builds writing one bin/ folder collide (a deps.json "used by another process"). Restored already by the
            // test run, so no restore either (obj/project.assets.json is shared by every configuration).
            var pack = Run(repo, "pack", Path.Combine(repo, "src", "NtSec"), "-c", "PackageTest", "-p:Optimize=true", "--no-restore", "-o", feed);
            Assert.True(pack.Code == 0, "dotnet pack failed:\n" + pack.Output);

            // The package: licence expression, README and LICENSE inside, tags, repository, and a symbols package.
            string nupkg = Path.Combine(feed, "NtSec.0.1.0.nupkg");
            Assert.True(File.Exists(nupkg), "no NtSec.0.1.0.nupkg in " + string.Join(", ", Directory.GetFiles(feed)));
            Assert.True(File.Exists(Path.Combine(feed, "NtSec.0.1.0.snupkg")), "no symbols package (.snupkg)");
            using (var zip = ZipFile.OpenRead(nupkg))
            {
                var names = zip.Entries.Select(e => e.FullName).ToHashSet();
                Assert.Contains("README.md", names);
                Assert.Contains("LICENSE", names);
                Assert.Contains("lib/net10.0/NtSec.dll", names);
                Assert.Contains("lib/net10.0/NtSec.xml", names);
                using var reader = new StreamReader(zip.GetEntry("NtSec.nuspec")!.Open());
                string nuspec = reader.ReadToEnd();
                Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
                Assert.Contains("<readme>README.md</readme>", nuspec);
                Assert.Contains("<tags>", nuspec);
                Assert.Contains("sddl", nuspec);
                Assert.Contains("<repository type=\"git\"", nuspec);
                Assert.Contains("<group targetFramework=\"net10.0\" />", nuspec); // no package dependencies
            }

            // A fresh console project, outside the repository, restoring only from the folder: no network needed.
            string app = Path.Combine(root.FullName, "app");
            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config><add key="globalPackagesFolder" value="{Path.Combine(root.FullName, "packages")}" /></config>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "app.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="NtSec" Version="0.1.0" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using NtSec.Authorization;
                using NtSec.Principals;
                using NtSec.Sddl;
                using NtSec.Tokens;

                var sd = SddlParser.Parse("O:BAG:BAD:(A;;FR;;;WD)");
                var token = new TokenBuilder(Sid.Parse("S-1-5-21-1-2-3-1001")).AddGroup(WellKnownSids.World).Build();
                var mapping = ObjectTypes.File.GenericMapping;
                Console.WriteLine($"{sd.ToBinary().Length} bytes; read {AccessCheck.Check(sd, token, 0x1, mapping).IsGranted}; write {AccessCheck.Check(sd, token, 0x2, mapping).IsGranted}");
                """, new UTF8Encoding(false));
            var run = Run(app, "run", "--project", app);
            Assert.True(run.Code == 0, "the consumer did not build or run:\n" + run.Output);
            // The same answer as the library the tests link: header, owner and group BA, a DACL of one ACE.
            int length = global::NtSec.Sddl.SddlParser.Parse("O:BAG:BAD:(A;;FR;;;WD)").ToBinary().Length;
            Assert.Contains($"{length} bytes; read True; write False", run.Output);
        }
        finally
        {
            try { root.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
