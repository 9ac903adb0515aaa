using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NtSec.Authorization;
using NtSec.Authorization.Matrix;
using NtSec.Cli.Input;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;
using Parquet;
using Parquet.Schema;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec check --matrix --sds FILE --tokens DIR</c>: the access of every token in DIR to every descriptor in
/// FILE through the compiled matrix engine (<see cref="AccessMatrix"/>), as CSV <c>sd,token,granted</c> on standard
/// output or in <c>--out FILE.csv</c>, or as Parquet in <c>--out FILE.parquet</c>; progress on standard error.
/// See docs/matrix.md.
/// </summary>
internal sealed class CheckMatrix
{
    private const string Name = "check";
    private const int ParquetRowGroup = 1 << 20;

    public readonly Option<bool> Matrix = new("--matrix") { Description = "Check every token of --tokens DIR against every descriptor of --sds FILE with the compiled matrix engine; writes CSV sd,token,granted (see docs/matrix.md)." };
    public readonly Option<string?> Sds = new("--sds") { Description = "With --matrix: a file of descriptors, one a line (SDDL, hex or base64); blank lines and lines starting with # are skipped but keep their number.", HelpName = "FILE" };
    public readonly Option<string?> Tokens = new("--tokens") { Description = "With --matrix: a directory whose every file is a token (JSON or saved whoami /all output).", HelpName = "DIR" };
    public readonly Option<string?> Out = new("--out") { Description = "With --matrix: write to FILE.csv or FILE.parquet instead of standard output.", HelpName = "FILE" };

    /// <summary>Adds the matrix options to the check command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Matrix);
        command.Options.Add(Sds);
        command.Options.Add(Tokens);
        command.Options.Add(Out);
    }

    /// <summary>True when a matrix option was given: the check command then hands the whole request to <see cref="Run"/>.</summary>
    public bool Requested(ParseResult parse) => parse.GetValue(Matrix) || parse.GetValue(Sds) is not null || parse.GetValue(Tokens) is not null || parse.GetValue(Out) is not null;

    /// <summary>Runs the matrix. <paramref name="conflicting"/> names the single-check options given, which cannot be combined with it.</summary>
    public int Run(Terminal terminal, ParseResult parse, string? desiredText, ObjectTypeInfo? type, GenericMapping? explicitMapping, SidContext context, IEnumerable<(string Option, bool Given)> conflicting)
    {
        if (!parse.GetValue(Matrix)) return CommonOptions.UsageError(terminal, Name, "--sds, --tokens and --out belong to --matrix.");
        foreach (var (option, given) in conflicting)
            if (given) return CommonOptions.UsageError(terminal, Name, $"--matrix checks --sds against --tokens; {option} cannot be combined with it.");
        string? sdsPath = parse.GetValue(Sds), tokensPath = parse.GetValue(Tokens), outPath = parse.GetValue(Out);
        if (sdsPath is null || tokensPath is null) return CommonOptions.UsageError(terminal, Name, "--matrix needs --sds FILE and --tokens DIR.");
        if (type is null && explicitMapping is null) return CommonOptions.UsageError(terminal, Name, "give --type or --mapping: the access check needs the object's generic mapping.");
        bool parquet = false;
        if (outPath is not null)
        {
            string ext = Path.GetExtension(outPath).ToLowerInvariant();
            if (ext is not ".csv" and not ".parquet") return CommonOptions.UsageError(terminal, Name, $"--out must name a .csv or .parquet file; got '{outPath}'.");
            parquet = ext == ".parquet";
        }
        var mapping = explicitMapping ?? type!.GenericMapping;
        uint desired = AccessMask.MaximumAllowed;
        if (desiredText is not null)
        {
            if (!AccessRightNames.TryParse(desiredText, type, out uint requested, out string? desiredError)) return Fail(terminal, "--desired", desiredError!);
            desired = mapping.Map(requested);
        }

        var watch = Stopwatch.StartNew();
        if (!TryReadDescriptors(terminal, sdsPath, context, out var descriptors, out var lines)) return ExitCodes.BadInput;
        if (!TryReadTokens(terminal, tokensPath, context, out var tokens, out var names)) return ExitCodes.BadInput;
        terminal.Error.WriteLine($"ntsec check --matrix: {descriptors.Count} descriptors, {tokens.Count} tokens read in {watch.Elapsed.TotalSeconds:F1} s");
        var matrix = AccessMatrix.Compile(descriptors, tokens, mapping);
        terminal.Error.WriteLine($"ntsec check --matrix: compiled {matrix.DistinctDescriptorCount} distinct descriptors; {matrix.FullCheckDescriptorCount} descriptors and {matrix.FullCheckTokenCount} tokens go through the full check");

        long failed = 0;
        string? firstFailure = null;
        var progress = Stopwatch.StartNew();
        int rows = 0;
        void Progress()
        {
            rows++;
            if (progress.ElapsedMilliseconds < 1000 && rows != descriptors.Count) return;
            progress.Restart();
            terminal.Error.WriteLine($"ntsec check --matrix: {rows}/{descriptors.Count} descriptors");
        }
        void Note(int d, int t, AccessCheckResult r)
        {
            // A refused call grants nothing (fail closed); the summary says so.
            if (r.Status == NtStatus.Success) return;
            failed++;
            firstFailure ??= $"descriptor line {lines[d]} against {names[t]}: {r.Status.Name}";
        }

        if (parquet)
        {
            WriteParquet(terminal.ResolvePath(outPath!), matrix, desired, lines, names, Note, Progress);
        }
        else
        {
            using var file = outPath is null ? null : new StreamWriter(terminal.ResolvePath(outPath), false, new System.Text.UTF8Encoding(false), 1 << 16);
            var writer = (TextWriter?)file ?? terminal.Out;
            WriteCsv(writer, matrix, desired, lines, names, Note, Progress);
            writer.Flush();
        }
        terminal.Error.WriteLine($"ntsec check --matrix: {(long)descriptors.Count * tokens.Count} cells in {watch.Elapsed.TotalSeconds:F1} s");
        if (failed > 0)
            terminal.Error.WriteLine($"ntsec check --matrix: warning: the access check refused {failed} cells (granted 0 is written for them), e.g. {firstFailure}");
        return ExitCodes.Success;
    }

    private static void WriteCsv(TextWriter writer, AccessMatrix matrix, uint desired, int[] lines, string[] names, Action<int, int, AccessCheckResult> note, Action progress)
    {
        writer.Write("sd,token,granted\n");
        var quoted = names.Select(Csv).ToArray();
        var buffer = new char[64];
        matrix.Evaluate(desired, (d, row) =>
        {
            for (int t = 0; t < row.Length; t++)
            {
                var r = row[t];
                note(d, t, r);
                lines[d].TryFormat(buffer, out int n, default, CultureInfo.InvariantCulture);
                buffer[n++] = ',';
                writer.Write(buffer, 0, n);
                writer.Write(quoted[t]);
                n = 0;
                buffer[n++] = ',';
                buffer[n++] = '0';
                buffer[n++] = 'x';
                Granted(r).TryFormat(buffer.AsSpan(n), out int m, "x", CultureInfo.InvariantCulture);
                n += m;
                buffer[n++] = '\n';
                writer.Write(buffer, 0, n);
            }
            progress();
        });
    }

    private static void WriteParquet(string path, AccessMatrix matrix, uint desired, int[] lines, string[] names, Action<int, int, AccessCheckResult> note, Action progress)
    {
        var sdField = new DataField<int>("sd");
        var tokenField = new DataField<string>("token");
        var grantedField = new DataField<long>("granted");
        var schema = new ParquetSchema(sdField, tokenField, grantedField);
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
        try
        {
            var sd = new int[ParquetRowGroup];
            var token = new string[ParquetRowGroup];
            var granted = new long[ParquetRowGroup];
            int count = 0;
            void Flush()
            {
                if (count == 0) return;
                using var group = writer.CreateRowGroup();
                group.WriteAsync<int>(sdField, new ReadOnlyMemory<int>(sd, 0, count)).GetAwaiter().GetResult();
                group.WriteAsync(tokenField, new ArraySegment<string>(token, 0, count)).GetAwaiter().GetResult();
                group.WriteAsync<long>(grantedField, new ReadOnlyMemory<long>(granted, 0, count)).GetAwaiter().GetResult();
                count = 0;
            }
            matrix.Evaluate(desired, (d, row) =>
            {
                for (int t = 0; t < row.Length; t++)
                {
                    note(d, t, row[t]);
                    sd[count] = lines[d];
                    token[count] = names[t];
                    granted[count] = Granted(row[t]);
                    if (++count == ParquetRowGroup) Flush();
                }
                progress();
            });
            Flush();
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static uint Granted(AccessCheckResult r) => r.IsGranted ? r.GrantedAccess : 0;

    private static string Csv(string field) => field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static bool TryReadDescriptors(Terminal terminal, string path, SidContext context, out List<SecurityDescriptor> descriptors, out int[] lineNumbers)
    {
        descriptors = [];
        lineNumbers = [];
        if (!FileInput.TryReadAll(terminal, path, out string text, out string? readError))
        {
            Fail(terminal, "--sds", readError!);
            return false;
        }
        var numbers = new List<int>();
        int errors = 0, line = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var content = raw.Trim();
            int number = line++;
            if (content.IsEmpty || content[0] == '#') continue;
            if (!TryDecodeLine(content.ToString(), context, out var decoded, out var error))
            {
                if (errors++ < 10) terminal.Error.WriteLine($"error: --sds: {path}: line {number}: {error!.Position}: {error.Reason}");
                continue;
            }
            descriptors.Add(decoded!.Descriptor);
            numbers.Add(number);
        }
        if (errors > 0)
        {
            terminal.Error.WriteLine($"error: --sds: {path}: {errors} lines are not descriptors; nothing was checked");
            return false;
        }
        lineNumbers = [.. numbers];
        return true;
    }

    /// <summary>
    /// One line as <c>check --sd</c> reads a descriptor: its form told by <see cref="DescriptorText.Detect"/> (the
    /// request pipeline's one recognition of SDDL, hex and base64), then decoded. icacls and Get-Acl output span
    /// several lines and name their paths, so a line that looks like them is refused.
    /// </summary>
    private static bool TryDecodeLine(string line, SidContext context, out DecodedDescriptor? decoded, out ParseError? error)
    {
        var format = DescriptorText.Detect(line);
        if (!DescriptorText.IsToolOutput(format)) return DescriptorText.TryDecode(line, format, context, out decoded, out error);
        decoded = null;
        error = new ParseError(ParseErrorKind.NotAllowedHere, 0, $"{format} output is not a descriptor a line; give SDDL, hex or base64 (convert it with ntsec sddl)", Win32Error.InvalidParameter);
        return false;
    }

    private static bool TryReadTokens(Terminal terminal, string path, SidContext context, out List<Token> tokens, out string[] names)
    {
        tokens = [];
        names = [];
        string dir = terminal.ResolvePath(path);
        if (!Directory.Exists(dir))
        {
            Fail(terminal, "--tokens", $"{path}: not a directory");
            return false;
        }
        var files = Directory.GetFiles(dir).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            Fail(terminal, "--tokens", $"{path}: holds no files");
            return false;
        }
        foreach (var file in files)
        {
            if (!TokenInput.TryLoad(terminal, file, context, out var token, out string? error))
            {
                Fail(terminal, "--tokens", error!);
                return false;
            }
            tokens.Add(token!);
        }
        names = [.. files.Select(Path.GetFileName)!];
        return true;
    }

    private static int Fail(Terminal terminal, string option, string message)
    {
        terminal.Error.WriteLine($"error: {option}: {message}");
        return ExitCodes.BadInput;
    }
}
