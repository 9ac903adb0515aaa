using System.Globalization;
using System.Text.Json;
using NtSec.Cli.Rendering;

namespace NtSec.Cli.Scenarios;

/// <summary>Prints a scenario run as text a person can follow, or as JSON (shape version 1, docs/scenarios.md).</summary>
internal static class ScenarioRenderer
{
    /// <summary>The version of the JSON shape.</summary>
    public const int JsonVersion = 1;

    /// <summary>Each step: its number and thread, the call, the status (name and hex) with the granted rights, and why.</summary>
    public static void WriteText(TextWriter w, ScenarioRun run, Style style, bool explain)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(style);
        w.WriteLine(style.Label(run.Scenario.Name));
        if (run.Scenario.Description is { } d)
            foreach (var line in d.TrimEnd().Split('\n')) w.WriteLine(style.Dim("  " + line.TrimEnd()));
        foreach (var r in run.Steps)
        {
            w.WriteLine();
            if (r.Step.Note is { } note)
                foreach (var line in note.TrimEnd().Split('\n')) w.WriteLine(style.Dim("  # " + line.TrimEnd()));
            w.WriteLine($"{style.Label($"[{r.Number}]")} {style.Name(r.Step.Thread)}: {r.Call}");
            string status = r.Win32Error is { } error ? $"{Win32ErrorNames.Name(error)} ({error})" : $"{r.Status.Name} ({r.Status.ToHex()})";
            status = (r.Win32Error ?? 0) == 0 && r.Status.IsSuccess ? style.Allow(status) : style.Deny(status);
            string granted = r.Granted is { } g ? "  granted " + ScenarioRunner.Rights(g, r.RightsType) : "";
            string verdict = r.Step.Expect is null ? "" : r.Met ? "  " + style.Allow("as expected") : "  " + style.Deny("NOT AS EXPECTED: " + r.Mismatch);
            w.WriteLine($"    {status}{granted}{verdict}");
            w.WriteLine($"    why: {r.Why}");
            if (explain && r.AccessCheck is { } check)
                foreach (var line in check.Explanation.ToText(check.Object.Type).TrimEnd().Split('\n')) w.WriteLine("      " + line.TrimEnd());
        }
        w.WriteLine();
        int expected = run.Steps.Count(s => s.Step.Expect is not null);
        string summary = $"{run.Steps.Count} steps; {expected - run.Unmet} of {expected} expectations met";
        w.WriteLine(run.Unmet == 0 ? style.Allow(summary) : style.Deny(summary + $", {run.Unmet} not"));
    }

    /// <summary>The run as one JSON object (shape version <see cref="JsonVersion"/>).</summary>
    public static void WriteJson(TextWriter w, ScenarioRun run, bool explain)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(run);
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteNumber("version", JsonVersion);
            j.WriteString("scenario", run.Scenario.Name);
            j.WriteStartArray("steps");
            foreach (var r in run.Steps)
            {
                j.WriteStartObject();
                j.WriteNumber("number", r.Number);
                j.WriteNumber("line", r.Step.At.Line);
                j.WriteString("kind", r.Step.Kind);
                j.WriteString("thread", r.Step.Thread);
                j.WriteString("call", r.Call);
                if (r.Win32Error is { } error)
                {
                    // user32 functions have no NTSTATUS: they report a Win32 error instead.
                    j.WriteNull("status");
                    j.WriteStartObject("error");
                    j.WriteString("name", Win32ErrorNames.Name(error));
                    j.WriteNumber("code", error);
                    j.WriteEndObject();
                }
                else
                {
                    j.WriteStartObject("status");
                    j.WriteString("name", r.Status.Name);
                    j.WriteString("hex", r.Status.ToHex());
                    j.WriteEndObject();
                }
                if (r.Granted is { } g)
                {
                    j.WriteStartObject("granted");
                    j.WriteString("mask", "0x" + g.ToString("x", CultureInfo.InvariantCulture));
                    j.WriteStartArray("rights");
                    foreach (var name in r.RightsType?.RightNames(g) ?? []) j.WriteStringValue(name);
                    j.WriteEndArray();
                    j.WriteEndObject();
                }
                else j.WriteNull("granted");
                j.WriteString("why", r.Why);
                if (r.Value is { } v) j.WriteString("value", v);
                if (r.Answer is { } a) j.WriteBoolean("result", a);
                if (r.Step.Expect is not null) j.WriteBoolean("met", r.Met);
                if (r.Mismatch is { } m) j.WriteString("mismatch", m);
                if (explain && r.AccessCheck is { } check) j.WriteString("explanation", check.Explanation.ToText(check.Object.Type));
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteNumber("unmet", run.Unmet);
            j.WriteEndObject();
        }
        w.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
