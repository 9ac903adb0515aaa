using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Audit.Engine;
using NtSec.Audit.Principals;
using NtSec.Audit.Queries;
using NtSec.Audit.Sources;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Import;

namespace NtSec.Cli.Commands;

/// <summary><c>ntsec audit</c>: effective access over a file estate, stored in DuckDB (see docs/audit.md).</summary>
internal static partial class AuditCommand
{
    /// <summary>Exit code of a scan stopped by Ctrl-C at a checkpoint (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    // Tests stop a scan after this many progress reports, as Ctrl-C would.
    internal static CancellationToken? TestCancellation { get; set; }

    public static Command Create(Terminal terminal)
        => new("audit", "Audit effective access over a file estate (icacls /save, Get-Acl, Samba security.NTACL, ntfs-3g, JSON lines) into DuckDB.")
        {
            Scan(terminal), WhoCan(terminal), Where(terminal), Explain(terminal), Drift(terminal), Diff(terminal), Report(terminal), Sql(terminal),
            DirectoryCommands(terminal),
        };

    private static Option<string> Db() => new("--db") { Description = "The database a scan wrote.", Required = true };

    private static Option<string> OutputFormat() => new Option<string>("--format") { Description = "Output: text, csv or json.", DefaultValueFactory = _ => "text" }
        .AcceptOnlyFromAmong("text", "csv", "json");

    private static Command Scan(Terminal terminal)
    {
        var source = new Argument<string>("source") { Description = "The icacls /save file, Get-Acl CSV or JSON export, JSON lines file, LDIF export of a directory, or the root of a Samba (security.NTACL) or ntfs-3g tree." };
        var format = new Option<string?>("--format") { Description = "The source's format; recognised by content when omitted." }
            .AcceptOnlyFromAmong([.. SourceDetector.Names.Select(n => n.Name)]);
        var principals = new Option<string?>("--principals") { Description = "A file or directory of token JSON files, whoami /all captures, or principal lists (NAME SID [GROUP-SID ...]). For an LDIF export: all-users (the default: every enabled user, tokens built from membership) or a file of SIDs, sAMAccountNames or DNs, one a line." };
        var share = new Option<string?>("--share-acl") { Description = "The share's ACL (SDDL, or @FILE with SDDL or sharesec --view output): access is then through the share, with a NETWORK logon." };
        var logon = new Option<string>("--logon") { Description = "The logon principal lists are built for: interactive, network, batch or service (network whenever --share-acl is given).", DefaultValueFactory = _ => "interactive" }
            .AcceptOnlyFromAmong("interactive", "network", "batch", "service");
        var outFile = new Option<string>("--out") { Description = "The DuckDB database to write.", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted scan into --out." };
        var workers = new Option<int?>("--workers") { Description = "Evaluation threads (default: one per core)." };
        var domain = CommonOptions.Domain();
        var machine = CommonOptions.Machine();
        var command = new Command("scan", "Read an estate, evaluate every distinct descriptor against every distinct token, store the matrix.")
        {
            source, format, principals, share, logon, outFile, resume, workers, domain, machine,
        };
        command.SetAction(parse =>
        {
            EstateFormat? f = parse.GetValue(format) is { } name ? SourceDetector.Names.First(n => n.Name == name).Format : null;
            string sourcePath = terminal.ResolvePath(parse.GetValue(source)!);
            try
            {
                if ((f ?? SourceDetector.Detect(sourcePath)) == EstateFormat.Ldif)
                {
                    string? named = parse.GetValue(principals);
                    return ScanDirectory(terminal, sourcePath, named is null or "all-users" ? null : terminal.ResolvePath(named),
                        terminal.ResolvePath(parse.GetValue(outFile)!), parse.GetValue(workers) ?? 0);
                }
            }
            catch (EstateFormatException e)
            {
                terminal.Error.WriteLine($"error: {e.Where}: {e.Reason}");
                return ExitCodes.BadInput;
            }
            if (parse.GetValue(principals) is null)
            {
                terminal.Error.WriteLine("error: --principals is required (only an LDIF export builds its principals itself)");
                return ExitCodes.Usage;
            }
            SecurityDescriptor? shareAcl = null;
            try
            {
                if (parse.GetValue(share) is { } s)
                    shareAcl = ShareAcl.Parse(s.StartsWith('@') ? File.ReadAllText(terminal.ResolvePath(s[1..])) : s);
            }
            catch (Exception e) when (e is FormatException or IOException)
            {
                terminal.Error.WriteLine("error: --share-acl: " + e.Message);
                return ExitCodes.BadInput;
            }
            var kind = Enum.Parse<LogonKind>(parse.GetValue(logon)!, ignoreCase: true);
            IReadOnlyList<AuditPrincipal> list;
            try
            {
                list = PrincipalLoader.Load(terminal.ResolvePath(parse.GetValue(principals)!), kind, shareAcl is not null);
            }
            catch (Exception e) when (e is FormatException or IOException)
            {
                terminal.Error.WriteLine("error: --principals: " + e.Message);
                return ExitCodes.BadInput;
            }
            var options = new ScanOptions(sourcePath, f, list, shareAcl, AccessQuestion.Defaults,
                terminal.ResolvePath(parse.GetValue(outFile)!), parse.GetValue(resume))
            {
                Workers = parse.GetValue(workers) ?? Math.Max(1, Environment.ProcessorCount),
                Context = CommonOptions.Context(parse, domain, machine),
            };
            using var cts = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                // The first Ctrl-C stops at a checkpoint; a second one kills the process as usual.
                if (cts.IsCancellationRequested) return;
                e.Cancel = true;
                cts.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            var token = TestCancellation ?? cts.Token;
            bool shown = false;
            try
            {
                var result = AuditScanner.Run(options, p => shown |= ShowProgress(terminal, p, "evaluated"), token);
                if (shown) terminal.Error.WriteLine();
                terminal.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"scan: {result.Objects:N0} objects ({SourceDetector.NameOf(result.Format)}), {result.Descriptors:N0} distinct descriptors x {result.Tokens:N0} distinct tokens ({result.Principals:N0} principals), {result.Pairs:N0} pairs evaluated, {result.Problems:N0} without a readable descriptor, {result.Elapsed.TotalSeconds:F1} s"));
                if (result.Interrupted)
                {
                    terminal.Error.WriteLine($"scan: interrupted at a checkpoint after {result.Objects:N0} objects; continue with the same command and --resume");
                    return Interrupted;
                }
                return ExitCodes.Success;
            }
            catch (EstateFormatException e)
            {
                terminal.Error.WriteLine($"error: {e.Where}: {e.Reason}");
                return ExitCodes.BadInput;
            }
            catch (InvalidOperationException e)
            {
                terminal.Error.WriteLine("error: " + e.Message);
                return ExitCodes.Usage;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }

    /// <summary>The scan's progress line on stderr, when stderr is a terminal; true when it was shown.</summary>
    private static bool ShowProgress(Terminal terminal, ScanProgress p, string evaluated)
    {
        if (!terminal.ErrorIsTerminal) return false;
        string eta = p.Eta is { } t ? $", ETA {t:hh\\:mm\\:ss}" : "";
        string pct = p.Fraction is { } fr ? $" ({fr:P0})" : "";
        terminal.Error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\rscan: {p.Objects:N0} objects{pct}, {p.ObjectsPerSecond:N0}/s, {p.Descriptors:N0} distinct descriptors ({p.Evaluated:N0} {evaluated}){eta}   "));
        terminal.Error.Flush();
        return true;
    }

    /// <summary>A right given on the command line: a stored question's name, an icacls code (F, M, RX ...), names or a mask.</summary>
    internal static bool TryRight(EstateStore store, string text, out RightQuery query, out string? error)
    {
        error = null;
        if (AccessQueries.TryQuestion(store, text, out query)) return true;
        uint mask = 0;
        bool icacls = true;
        foreach (var code in text.Split(','))
        {
            if (IcaclsRights.TryGetCode(code, out uint bits, out var kind) && kind != IcaclsRights.CodeKind.LabelPolicy && kind != IcaclsRights.CodeKind.NoAccess) mask |= bits;
            else
            {
                icacls = false;
                break;
            }
        }
        if (!icacls && !AccessRightNames.TryParse(text, ObjectTypes.File, out mask, out error)) return false;
        mask = ObjectTypes.File.GenericMapping.Map(mask);
        if (mask == 0)
        {
            error = "no rights";
            return false;
        }
        query = AccessQueries.Resolve(store, mask);
        return true;
    }

    // The one wording, for the command line and the web API, of a principal the scan does not hold.
    internal static string NoPrincipal(string? name) => $"no principal '{name}' in the scan";

    private static bool TryOpen(Terminal terminal, string db, out EstateStore? store)
    {
        try
        {
            store = EstateStore.Open(terminal.ResolvePath(db), readOnly: true);
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or DuckDB.NET.Data.DuckDBException)
        {
            terminal.Error.WriteLine("error: --db: " + e.Message);
            store = null;
            return false;
        }
    }

    private static Command WhoCan(Terminal terminal)
    {
        var db = Db();
        var right = new Option<string>("--right") { Description = "The rights: a scan question (read, write, modify, full), icacls codes (RX, M ...), right names (FILE_WRITE_DATA|DELETE) or a mask.", Required = true };
        var path = new Option<string?>("--path") { Description = "Only paths matching this glob (* and ?, case-insensitive, \\ or /)." };
        var format = OutputFormat();
        var command = new Command("who-can", "Every principal holding the rights, per path.") { db, right, path, format };
        command.SetAction(parse =>
        {
            if (!TryOpen(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                if (!TryRight(store!, parse.GetValue(right)!, out var query, out var error))
                {
                    terminal.Error.WriteLine($"error: --right: {error}");
                    return ExitCodes.BadInput;
                }
                WriteRows(terminal, parse.GetValue(format)!, AccessQueries.WhoCan(store!, query, parse.GetValue(path)), query);
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static Command Where(Terminal terminal)
    {
        var db = Db();
        var principal = new Option<string>("--principal") { Description = "The principal's name or user SID.", Required = true };
        var right = new Option<string?>("--right") { Description = "Only where the principal holds these rights (default: any access)." };
        var path = new Option<string?>("--path") { Description = "Only paths matching this glob." };
        var format = OutputFormat();
        var command = new Command("where", "Every path a principal can access, with its grant.") { db, principal, right, path, format };
        command.SetAction(parse =>
        {
            if (!TryOpen(terminal, parse.GetValue(db)!, out var store)) return ExitCodes.BadInput;
            using (store)
            {
                var found = AccessQueries.FindPrincipals(store!, parse.GetValue(principal)!);
                if (found.Count == 0)
                {
                    terminal.Error.WriteLine($"error: --principal: {NoPrincipal(parse.GetValue(principal))}");
                    return ExitCodes.BadInput;
                }
                RightQuery? query = null;
                if (parse.GetValue(right) is { } r)
                {
                    if (!TryRight(store!, r, out var q, out var error))
                    {
                        terminal.Error.WriteLine($"error: --right: {error}");
                        return ExitCodes.BadInput;
                    }
                    query = q;
                }
                WriteRows(terminal, parse.GetValue(format)!, found.SelectMany(p => AccessQueries.Where(store!, p.Id, query, parse.GetValue(path))), query);
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static void WriteRows(Terminal terminal, string format, IEnumerable<AccessRow> rows, RightQuery? query)
    {
        var output = terminal.Out;
        switch (format)
        {
            case "csv":
                output.WriteLine("path,principal,granted");
                foreach (var row in rows) output.WriteLine($"{Csv(row.Path)},{Csv(row.Principal)},{Hex(row.Granted)}");
                break;
            case "json":
                output.WriteLine("[");
                bool first = true;
                foreach (var row in rows)
                {
                    if (!first) output.WriteLine(",");
                    first = false;
                    output.Write(JsonSerializer.Serialize(AccessRowJson(row), JsonOptions));
                }
                output.WriteLine(first ? "]" : "\n]");
                break;
            default:
                if (query is not null)
                    output.WriteLine(query.Question is not null
                        ? $"# rights {Hex(query.Mask)} (question '{query.Question}', checked as requested)"
                        : $"# rights {Hex(query.Mask)} ({ObjectTypes.File.FormatRights(query.Mask)}), read from the MAXIMUM_ALLOWED grant");
                int n = 0;
                foreach (var row in rows)
                {
                    output.WriteLine($"{row.Path}\t{row.Principal}\t{ObjectTypes.File.FormatRights(row.Granted)}");
                    n++;
                }
                output.WriteLine($"# {n} row{(n == 1 ? "" : "s")}");
                break;
        }
    }

    /// <summary>One row of <c>who-can</c> and <c>where</c> as <c>--format json</c> writes it (and the web API's audit rows).</summary>
    internal static object AccessRowJson(AccessRow row) => new
    {
        path = row.Path,
        principal = row.Principal,
        sid = row.Sid,
        granted = Hex(row.Granted),
        rights = ObjectTypes.File.RightNames(row.Granted).ToArray(),
    };

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static string Hex(uint mask) => "0x" + mask.ToString("x8", CultureInfo.InvariantCulture);

    internal static string Csv(string value)
        => value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
