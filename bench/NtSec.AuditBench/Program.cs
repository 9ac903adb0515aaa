using System.Diagnostics;
using System.Globalization;
using System.Text;
using NtSec;
using NtSec.Acls;
using NtSec.Audit.Engine;
using NtSec.Audit.Principals;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

// Generates an icacls /save estate (UTF-16LE, as icacls writes it) of PATHS paths over DESCRIPTORS distinct
// descriptors, a principal list of PRINCIPALS users in 200 groups, scans it end to end, and compares the engine's
// cost per distinct descriptor-token pair with the plain access check's.
int paths = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
int distinct = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
int users = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000;
string dir = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "ntsec-auditbench");
// A fifth argument "plain" measures the engine without the compiled matrix.
if (args.Length > 4 && args[4] == "plain") AccessEvaluators.UseMatrix = false;
Directory.CreateDirectory(dir);
const string Domain = "S-1-5-21-1004336348-1177238915-682003330";
const int Groups = 200;
var rng = new Random(42);

string Group(int g) => $"{Domain}-{2000 + g}";
string User(int u) => $"{Domain}-{5000 + u}";

var sw = Stopwatch.StartNew();
string save = Path.Combine(dir, "estate.txt");
var sddl = new string[distinct];
var seen = new HashSet<string>(StringComparer.Ordinal);
for (int d = 0; d < distinct; d++)
{
    var sb = new StringBuilder(d % 7 == 0 ? "D:PAI" : "D:AI");
    int explicitAces = rng.Next(0, 4);
    for (int a = 0; a < explicitAces; a++)
    {
        bool deny = rng.Next(6) == 0;
        string who = rng.Next(3) == 0 ? User(rng.Next(users)) : Group(rng.Next(Groups));
        string rights = rng.Next(4) switch { 0 => "FA", 1 => "0x1301bf", 2 => "0x1200a9", _ => "0x120116" };
        sb.Append(CultureInfo.InvariantCulture, $"({(deny ? "D" : "A")};OICI;{rights};;;{who})");
    }
    sb.Append("(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)");
    int inherited = rng.Next(1, 5);
    for (int a = 0; a < inherited; a++) sb.Append(CultureInfo.InvariantCulture, $"(A;OICIID;{(rng.Next(3) == 0 ? "0x1301bf" : "0x1200a9")};;;{Group(rng.Next(Groups))})");
    sb.Append(CultureInfo.InvariantCulture, $"(A;OICIID;0x1200a9;;;{Domain}-513)");
    // Random draws repeat now and then; a repeat is drawn again so that the estate has exactly DESCRIPTORS.
    if (!seen.Add(sb.ToString()))
    {
        d--;
        continue;
    }
    sddl[d] = sb.ToString();
}
using (var w = new StreamWriter(save, false, new UnicodeEncoding(false, false), 1 << 20))
{
    for (int p = 0; p < paths; p++)
    {
        // Deep trees share descriptors: a path's descriptor is drawn with a skew, as real estates reuse a few heavily.
        int d = p < distinct ? p : (int)(Math.Pow(rng.NextDouble(), 3) * distinct);
        w.Write(string.Create(CultureInfo.InvariantCulture, $"Data\\dept{p % 50}\\project{p % 997}\\folder{p % 7919}\\file{p}.docx\r\n"));
        w.Write(sddl[d]);
        w.Write("\r\n");
    }
}
string list = Path.Combine(dir, "principals.txt");
using (var w = new StreamWriter(list))
{
    for (int u = 0; u < users; u++)
    {
        w.Write(string.Create(CultureInfo.InvariantCulture, $"user{u} {User(u)} {Domain}-513"));
        for (int g = 0; g < 5; g++) w.Write(" " + Group(rng.Next(Groups)));
        if (u % 100 == 0) w.Write(" S-1-5-32-544");
        w.WriteLine();
    }
}
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated {paths:N0} paths over {distinct:N0} descriptors ({new FileInfo(save).Length / 1e6:F0} MB) and {users:N0} principals in {sw.Elapsed.TotalSeconds:F1} s"));

var principals = PrincipalLoader.Load(list, LogonKind.Interactive, false);
string db = Path.Combine(dir, "estate.duckdb");
File.Delete(db);
File.Delete(db + ".wal");
var options = new ScanOptions(save, null, principals, null, AccessQuestion.Defaults, db, false);
GC.Collect();
var process = Process.GetCurrentProcess();
sw.Restart();
var result = AuditScanner.Run(options, p => Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
    $"\r{p.Objects:N0} objects ({p.Fraction:P0}), {p.ObjectsPerSecond:N0}/s, {p.Descriptors:N0} descriptors, {p.Evaluated:N0} evaluated, ETA {p.Eta:mm\\:ss}   ")), CancellationToken.None);
double scan = sw.Elapsed.TotalSeconds;
process.Refresh();
Console.Error.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"end to end: {result.Objects:N0} paths, {result.Descriptors:N0} descriptors x {result.Tokens:N0} tokens = {result.Pairs:N0} pairs in {scan:F1} s; peak working set {process.PeakWorkingSet64 / 1e9:F2} GB; database {new FileInfo(db).Length / 1e6:F0} MB"));

// The cost per pair: the engine (one evaluator, one thread) against the plain check, MAXIMUM_ALLOWED, on the same pairs.
var tokens = principals.Select(p => p.Token).ToArray();
var sample = sddl.Take(500).Select(s => AccessEvaluators.ForCheck(SecurityDescriptor.FromSddl(s))).ToArray();
var evaluator = AccessEvaluators.Create(tokens, AccessQuestion.Defaults, ObjectTypes.File.GenericMapping);
var granted = new uint[sample.Length * tokens.Length];
var answers = new uint[sample.Length * tokens.Length];
var mapping = ObjectTypes.File.GenericMapping;
double Time(Action run)
{
    run();
    var t = Stopwatch.StartNew();
    run();
    return t.Elapsed.TotalSeconds;
}
// The engine as the scanner drives it: batches of 256 distinct descriptors, one thread.
double engine = Time(() =>
{
    for (int i = 0; i < sample.Length; i += 256)
    {
        var batch = sample.Skip(i).Take(256).ToList();
        evaluator.Evaluate(batch, granted, answers);
    }
});
double plain = Time(() =>
{
    foreach (var sd in sample)
        foreach (var token in tokens) AccessCheck.Check(sd, token, AccessMask.MaximumAllowed, mapping);
});
double pairs = (double)sample.Length * tokens.Length;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"per pair: engine ({(AccessEvaluators.UseMatrix ? "AccessMatrix" : "AccessCheck.Check")}) {engine / pairs * 1e9:F0} ns (MAXIMUM_ALLOWED + {AccessQuestion.Defaults.Count} questions), plain AccessCheck.Check {plain / pairs * 1e9:F0} ns: {engine / plain:F2}x"));
