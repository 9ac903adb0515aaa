using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NtSec.Audit.ActiveDirectory;
using NtSec.Audit.Store;

namespace NtSec.Cli.Commands;

// ntsec audit over an LDIF export of a directory (docs/audit-ad.md).
internal static partial class AuditCommand
{
    private static int ScanDirectory(Terminal terminal, string source, string? principals, string output, int workers)
    {
        var options = new DirectoryScanOptions(source, principals, output) { Workers = workers };
        bool shown = false;
        try
        {
            var r = DirectoryScanner.Run(options, p => shown |= ShowProgress(terminal, p, "variants evaluated"), TestCancellation ?? CancellationToken.None);
            if (shown) terminal.Error.WriteLine();
            terminal.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"scan: {r.Objects:N0} objects (ldif), {r.Descriptors:N0} distinct descriptors, {r.Keys:N0} descriptor-class pairs, {r.Variants:N0} per-node variants x {r.Tokens:N0} distinct tokens ({r.Principals:N0} principals), {r.SelfCells:N0} PRINCIPAL_SELF cells, {r.SchemaEntries:N0} schema entries from the export, {r.Warnings:N0} warnings, {r.Elapsed.TotalSeconds:F1} s"));
            if (r.Warnings > 0) terminal.Error.WriteLine($"scan: see the warnings with: ntsec audit sql --db {output} \"SELECT * FROM ad_warnings\"");
            return ExitCodes.Success;
        }
        catch (LdifException e)
        {
            if (shown) terminal.Error.WriteLine();
            terminal.Error.WriteLine($"error: {source}: line {e.Error.Line}: {e.Error.Reason}");
            return ExitCodes.BadInput;
        }
        catch (FormatException e)
        {
            if (shown) terminal.Error.WriteLine();
            terminal.Error.WriteLine("error: --principals: " + e.Message);
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            terminal.Error.WriteLine("error: " + e.Message);
            return ExitCodes.Usage;
        }
    }

    private static bool TryOpenDirectory(Terminal terminal, string db, out EstateStore? store)
    {
        if (!TryOpen(terminal, db, out store)) return false;
        if (store!.IsDirectory) return true;
        terminal.Error.WriteLine($"error: --db: {db} is a scan of a file estate, not of a directory (LDIF)");
        store.Dispose();
        store = null;
        return false;
    }

    private static Command DirectoryCommands(Terminal terminal)
        => new("ad", "Questions about a directory scanned from an LDIF export: who can, where, the dangerous rights.")
        {
            DirectoryWhoCan(terminal), DirectoryWhere(terminal), DirectoryDangerous(terminal), DirectoryBloodHound(terminal),
        };

    private static Command DirectoryBloodHound(Terminal terminal)
    {
        var db = Db();
        var output = new Option<string>("--out") { Description = "The directory to write users.json, groups.json, computers.json, domains.json, ous.json, containers.json and gpos.json into.", Required = true };
        var command = new Command("bloodhound", "BloodHound-compatible JSON (SharpHound's format, version 6) whose ACL edges come from the exact cells: deny, inherit-only and object-type ACEs and PRINCIPAL_SELF honoured.") { db, output };
        command.SetAction(parse =>
        {
            if (!TryOpenDirectory(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                try
                {
                    var r = BloodHoundExport.Write(store!, parse.GetValue(output)!);
                    terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"bloodhound: {string.Join(", ", r.Counts.Select(c => $"{c.Value:N0} {c.Key}"))}; {r.GroupEdges + r.UserEdges:N0} edges ({r.GroupEdges:N0} from groups, {r.UserEdges:N0} from accounts) in {parse.GetValue(output)}"));
                    return ExitCodes.Success;
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    terminal.Error.WriteLine("error: " + e.Message);
                    return ExitCodes.BadInput;
                }
            }
        });
        return command;
    }

    private static Option<string?> OnSuffix() => new("--on") { Description = "Only objects at or under this DN." };

    private static Command DirectoryWhoCan(Terminal terminal)
    {
        var db = Db();
        var right = new Option<string>("--right")
        {
            Description = "A right (GenericAll, WriteDacl, WriteOwner, WriteProperty ...), an extended right, attribute, property set or validated write by name or GUID (Reset-Password, member), or RIGHT:NAME (ReadProperty:member).",
            Required = true,
        };
        var on = OnSuffix();
        var format = OutputFormat();
        var command = new Command("who-can", "Every principal holding a right, object by object.") { db, right, on, format };
        command.SetAction(parse =>
        {
            if (!TryOpenDirectory(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                if (!DirectoryRight.TryParse(parse.GetValue(right)!, DirectoryQueries.Schema(store!), out var r, out var error))
                {
                    terminal.Error.WriteLine($"error: --right: {error}");
                    return ExitCodes.BadInput;
                }
                WriteDirectoryRows(terminal, parse.GetValue(format)!, DirectoryQueries.WhoCan(store!, r!, parse.GetValue(on)).Select(x => ("", x)), $"# {r!.Name}");
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static Command DirectoryWhere(Terminal terminal)
    {
        var db = Db();
        var principal = new Option<string>("--principal") { Description = "The principal: name, SID, sAMAccountName or DN.", Required = true };
        var on = OnSuffix();
        var format = OutputFormat();
        var command = new Command("where", "Everything one principal holds, object by object: rights on the object, then rights at the attributes and rights its ACEs name.") { db, principal, on, format };
        command.SetAction(parse =>
        {
            if (!TryOpenDirectory(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                var found = DirectoryQueries.FindPrincipals(store!, parse.GetValue(principal)!);
                if (found.Count == 0)
                {
                    terminal.Error.WriteLine($"error: --principal: {NoPrincipal(parse.GetValue(principal))}");
                    return ExitCodes.BadInput;
                }
                WriteDirectoryRows(terminal, parse.GetValue(format)!, found.SelectMany(p => DirectoryQueries.Where(store!, p.Id, parse.GetValue(on))).Select(x => ("", x)), null);
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static Command DirectoryDangerous(Terminal terminal)
    {
        var db = Db();
        var admins = new Option<bool>("--include-admins") { Description = "Also list principals that are administrators already (Administrators, Domain Admins, Enterprise Admins)." };
        var format = OutputFormat();
        var command = new Command("dangerous", "The rights that give control of the domain: GenericAll, WriteDacl, WriteOwner, DCSync, RBCD, shadow credentials, GPO control, adding members to privileged groups, Reset-Password.") { db, admins, format };
        command.SetAction(parse =>
        {
            if (!TryOpenDirectory(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                var rows = DirectoryQueries.Dangerous(store!, parse.GetValue(admins)).Select(d => (d.Finding, d.Row));
                WriteDirectoryRows(terminal, parse.GetValue(format)!, rows, parse.GetValue(admins) ? null : "# principals holding Administrators, Domain Admins or Enterprise Admins are left out (--include-admins lists them)", findings: true);
                return ExitCodes.Success;
            }
        });
        return command;
    }

    // CSV: dn,principal,right with the principal as its SID (dangerous adds the finding first).
    private static void WriteDirectoryRows(Terminal terminal, string format, IEnumerable<(string Finding, DirectoryAccessRow Row)> rows, string? header, bool findings = false)
    {
        var output = terminal.Out;
        switch (format)
        {
            case "csv":
            {
                bool first = true;
                foreach (var (finding, row) in rows)
                {
                    if (first) output.WriteLine(findings ? "finding,dn,principal,right" : "dn,principal,right");
                    first = false;
                    output.WriteLine((finding.Length > 0 ? finding + "," : "") + $"{Csv(row.Dn)},{row.Sid},{Csv(row.Right)}");
                }
                if (first) output.WriteLine(findings ? "finding,dn,principal,right" : "dn,principal,right");
                break;
            }
            case "json":
            {
                output.WriteLine("[");
                bool first = true;
                foreach (var (finding, row) in rows)
                {
                    if (!first) output.WriteLine(",");
                    first = false;
                    output.Write(JsonSerializer.Serialize(DirectoryRowJson(finding, row), JsonOptions));
                }
                output.WriteLine(first ? "]" : "\n]");
                break;
            }
            default:
            {
                if (header is not null) output.WriteLine(header);
                int n = 0;
                foreach (var (finding, row) in rows)
                {
                    output.WriteLine((finding.Length > 0 ? finding + "\t" : "") + $"{row.Dn}\t{row.Principal} ({row.Sid})\t{row.Right}");
                    n++;
                }
                output.WriteLine($"# {n} row{(n == 1 ? "" : "s")}");
                break;
            }
        }
    }

    /// <summary>One row of <c>ad who-can</c>, <c>ad where</c> and <c>ad dangerous</c> as <c>--format json</c> writes it (and the web API's audit rows).</summary>
    internal static object DirectoryRowJson(string finding, DirectoryAccessRow row) => new
    {
        finding = finding.Length > 0 ? finding : null,
        dn = row.Dn,
        principal = row.Sid,
        name = row.Principal,
        right = row.Right,
        granted = Hex(row.Granted),
    };

    private static int ExplainDirectory(Terminal terminal, EstateStore store, string dn, string principal, string? right)
    {
        var objects = DirectoryQueries.FindObjects(store, dn);
        if (objects.Count == 0)
        {
            terminal.Error.WriteLine($"error: --path: no object '{dn}' in the scan");
            return ExitCodes.BadInput;
        }
        var principals = DirectoryQueries.FindPrincipals(store, principal);
        if (principals.Count == 0)
        {
            terminal.Error.WriteLine($"error: --principal: {NoPrincipal(principal)}");
            return ExitCodes.BadInput;
        }
        DirectoryRight? question = null;
        if (right is not null && !DirectoryRight.TryParse(right, DirectoryQueries.Schema(store), out question, out var error))
        {
            terminal.Error.WriteLine($"error: --right: {error}");
            return ExitCodes.BadInput;
        }
        bool first = true;
        foreach (var o in objects)
        {
            foreach (var p in principals)
            {
                if (!first) terminal.Out.WriteLine();
                first = false;
                terminal.Out.Write(DirectoryExplainer.ToText(DirectoryExplainer.Explain(store, o.Seq, p.Id, question)));
            }
        }
        return ExitCodes.Success;
    }
}
