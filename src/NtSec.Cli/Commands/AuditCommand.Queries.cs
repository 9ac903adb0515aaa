using System.CommandLine;
using System.Text.Json;
using NtSec.Audit.ActiveDirectory;
using NtSec.Audit.Queries;
using NtSec.Audit.Report;
using NtSec.Audit.Store;
using NtSec.Authorization;

namespace NtSec.Cli.Commands;

internal static partial class AuditCommand
{
    private static Command Explain(Terminal terminal)
    {
        var db = Db();
        var path = new Option<string>("--path") { Description = "The object's path as stored (case-insensitive, \\ or /); for a directory scan, its DN.", Required = true };
        var principal = new Option<string>("--principal") { Description = "The principal's name or user SID.", Required = true };
        var right = new Option<string?>("--right") { Description = "Explain a check for these rights instead of MAXIMUM_ALLOWED." };
        var command = new Command("explain", "The full explanation of one cell: every stage and ACE of the access check, and the share's part.") { db, path, principal, right };
        command.SetAction(parse =>
        {
            if (!TryOpen(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                if (store!.IsDirectory) return ExplainDirectory(terminal, store, parse.GetValue(path)!, parse.GetValue(principal)!, parse.GetValue(right));
                var objects = CellExplainer.FindObjects(store!, parse.GetValue(path)!);
                if (objects.Count == 0)
                {
                    terminal.Error.WriteLine($"error: --path: no object '{parse.GetValue(path)}' in the scan");
                    return ExitCodes.BadInput;
                }
                var principals = AccessQueries.FindPrincipals(store!, parse.GetValue(principal)!);
                if (principals.Count == 0)
                {
                    terminal.Error.WriteLine($"error: --principal: {NoPrincipal(parse.GetValue(principal))}");
                    return ExitCodes.BadInput;
                }
                uint desired = AccessMask.MaximumAllowed;
                if (parse.GetValue(right) is { } r)
                {
                    if (!TryRight(store!, r, out var q, out var error))
                    {
                        terminal.Error.WriteLine($"error: --right: {error}");
                        return ExitCodes.BadInput;
                    }
                    desired = q.Mask;
                }
                bool first = true;
                foreach (var o in objects)
                {
                    foreach (var p in principals)
                    {
                        if (!first) terminal.Out.WriteLine();
                        first = false;
                        terminal.Out.Write(CellExplainer.ToText(CellExplainer.Explain(store!, o.Seq, p.Id, desired)));
                    }
                }
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static Command Drift(Terminal terminal)
    {
        var db = Db();
        var kinds = new Option<string[]>("--kind") { Description = "Only these kinds: " + string.Join(", ", Enum.GetValues<DriftKind>().Select(DriftQueries.Name)) + ".", AllowMultipleArgumentsPerToken = true };
        var path = new Option<string?>("--path") { Description = "Only paths matching this glob." };
        var format = OutputFormat();
        var command = new Command("drift", "ACLs that drift from inheritance and hygiene: explicit ACEs (in a directory: those not in the class's defaultSecurityDescriptor), default ACEs removed (directory), protected or non-canonical DACLs, orphaned SIDs, deny ACEs that never match, inherited ACEs the parent does not give, unreadable ACLs.") { db, kinds, path, format };
        command.SetAction(parse =>
        {
            var all = Enum.GetValues<DriftKind>();
            var chosen = new List<DriftKind>();
            foreach (var k in parse.GetValue(kinds) ?? [])
            {
                var match = all.Where(x => DriftQueries.Name(x) == k).ToList();
                if (match.Count == 0)
                {
                    terminal.Error.WriteLine($"error: --kind: unknown kind '{k}'");
                    return ExitCodes.Usage;
                }
                chosen.AddRange(match);
            }
            if (chosen.Count == 0) chosen.AddRange(all);
            if (!TryOpen(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                var rows = store!.IsDirectory ? DirectoryDrift.Find(store, chosen, parse.GetValue(path)) : DriftQueries.Find(store, chosen, parse.GetValue(path));
                var output = terminal.Out;
                switch (parse.GetValue(format))
                {
                    case "csv":
                        output.WriteLine("kind,path,detail");
                        foreach (var r in rows) output.WriteLine($"{DriftQueries.Name(r.Kind)},{Csv(r.Path)},{Csv(r.Detail)}");
                        break;
                    case "json":
                        output.WriteLine(JsonSerializer.Serialize(rows.Select(DriftJson), JsonOptions));
                        break;
                    default:
                        int n = 0;
                        foreach (var r in rows)
                        {
                            output.WriteLine($"{DriftQueries.Name(r.Kind)}\t{r.Path}\t{r.Detail}");
                            n++;
                        }
                        output.WriteLine($"# {n} finding{(n == 1 ? "" : "s")}");
                        break;
                }
                return ExitCodes.Success;
            }
        });
        return command;
    }

    /// <summary>One drift finding as <c>--format json</c> writes it (and the web API's audit rows).</summary>
    internal static object DriftJson(DriftRow r) => new { kind = DriftQueries.Name(r.Kind), path = r.Path, detail = r.Detail };

    private static Command Diff(Terminal terminal)
    {
        var db = Db();
        var baseline = new Option<string>("--baseline") { Description = "An earlier scan's database.", Required = true };
        var format = OutputFormat();
        var command = new Command("diff", "What changed since a baseline scan: objects added and removed, descriptors, principals, and the access that changed with them.") { db, baseline, format };
        command.SetAction(parse =>
        {
            string basePath = terminal.ResolvePath(parse.GetValue(baseline)!);
            if (!TryOpen(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                try
                {
                    using (EstateStore.Open(basePath, readOnly: true)) { }
                }
                catch (Exception e) when (e is IOException or InvalidDataException or DuckDB.NET.Data.DuckDBException)
                {
                    terminal.Error.WriteLine("error: --baseline: " + e.Message);
                    return ExitCodes.BadInput;
                }
                bool directory = store!.IsDirectory;
                if (directory)
                {
                    bool baseDirectory;
                    using (var b = EstateStore.Open(basePath, readOnly: true)) baseDirectory = b.IsDirectory;
                    if (!baseDirectory)
                    {
                        terminal.Error.WriteLine("error: --baseline: the database is a directory scan and the baseline is not; compare scans of the same kind");
                        return ExitCodes.BadInput;
                    }
                }
                var rows = DiffQueries.Compare(store!, basePath);
                var output = terminal.Out;
                var rights = directory ? ObjectTypes.DirectoryServiceObject : ObjectTypes.File;
                switch (parse.GetValue(format))
                {
                    case "csv":
                        output.WriteLine(directory ? "change,path,principal,before,after,node" : "change,path,principal,before,after");
                        foreach (var r in rows)
                            output.WriteLine($"{r.Change},{Csv(r.Path)},{Csv(r.Principal ?? "")},{Csv(r.Before ?? "")},{Csv(r.After ?? "")}" + (directory ? "," + Csv(r.Node ?? "") : ""));
                        break;
                    case "json":
                        output.WriteLine(directory
                            ? JsonSerializer.Serialize(rows.Select(r => new { change = r.Change, path = r.Path, principal = r.Principal, before = r.Before, after = r.After, node = r.Node }), JsonOptions)
                            : JsonSerializer.Serialize(rows.Select(r => new { change = r.Change, path = r.Path, principal = r.Principal, before = r.Before, after = r.After }), JsonOptions));
                        break;
                    default:
                        int n = 0;
                        foreach (var r in rows)
                        {
                            n++;
                            output.WriteLine(r.Change switch
                            {
                                "access" => $"access\t{r.Path}{(string.IsNullOrEmpty(r.Node) ? "" : " @ " + r.Node)}\t{r.Principal}\t{rights.FormatRights(Convert.ToUInt32(r.Before, 16))} -> {rights.FormatRights(Convert.ToUInt32(r.After, 16))}",
                                "added" or "removed" or "descriptor" => $"{r.Change}\t{r.Path}\t{r.Before ?? "-"} -> {r.After ?? "-"}",
                                _ => $"{r.Change}\t{r.Principal}",
                            });
                        }
                        output.WriteLine($"# {n} change{(n == 1 ? "" : "s")}");
                        break;
                }
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static Command Sql(Terminal terminal)
    {
        var db = Db();
        var query = new Argument<string>("query") { Description = "SQL over the tables (docs/audit.md); COPY ... TO 'file.parquet' (FORMAT parquet) exports." };
        var command = new Command("sql", "Run SQL on the database (read-only) and print the result as CSV.") { db, query };
        command.SetAction(parse =>
        {
            if (!TryOpen(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                try
                {
                    using var cmd = store!.Command(parse.GetValue(query)!);
                    using var r = cmd.ExecuteReader();
                    if (r.FieldCount > 0)
                    {
                        terminal.Out.WriteLine(string.Join(',', Enumerable.Range(0, r.FieldCount).Select(i => Csv(r.GetName(i)))));
                        while (r.Read())
                            terminal.Out.WriteLine(string.Join(',', Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "" : Csv(Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? ""))));
                    }
                    return ExitCodes.Success;
                }
                catch (DuckDB.NET.Data.DuckDBException e)
                {
                    terminal.Error.WriteLine("error: " + e.Message);
                    return ExitCodes.BadInput;
                }
            }
        });
        return command;
    }

    private static Command Report(Terminal terminal)
    {
        var db = Db();
        var html = new Option<string>("--html") { Description = "The HTML file to write (self-contained: one file, no network).", Required = true };
        var max = new Option<int>("--max-paths") { Description = "Paths in the drill-down (flagged ones first).", DefaultValueFactory = _ => 20_000 };
        var command = new Command("report", "Write a self-contained HTML report: summary tables and a per-path drill-down.") { db, html, max };
        command.SetAction(parse =>
        {
            if (!TryOpen(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                string file = terminal.ResolvePath(parse.GetValue(html)!);
                using var writer = new StreamWriter(file, false, new System.Text.UTF8Encoding(false));
                int n = HtmlReport.Write(store!, writer, parse.GetValue(max));
                terminal.Error.WriteLine($"report: {file} ({n:N0} paths in the drill-down)");
                return ExitCodes.Success;
            }
        });
        return command;
    }
}
