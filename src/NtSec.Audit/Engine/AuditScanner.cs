using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using DuckDB.NET.Data;
using NtSec.Audit.Principals;
using NtSec.Audit.Sources;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Sddl;
using NtSec.Tokens;

namespace NtSec.Audit.Engine;

/// <summary>What <c>ntsec audit scan</c> was asked to do.</summary>
/// <param name="Source">The file or directory read.</param>
/// <param name="Format">The format, or null to detect it.</param>
/// <param name="Principals">The principals audited.</param>
/// <param name="ShareAcl">The share's ACL, combined with each file's as Windows does for access through the share; null for local access.</param>
/// <param name="Questions">The requested-right questions besides MAXIMUM_ALLOWED (at most 32).</param>
/// <param name="Out">The database file.</param>
/// <param name="Resume">Continue an interrupted scan into <paramref name="Out"/> rather than start a new one.</param>
public sealed record ScanOptions(string Source, EstateFormat? Format, IReadOnlyList<AuditPrincipal> Principals, SecurityDescriptor? ShareAcl,
    IReadOnlyList<AccessQuestion> Questions, string Out, bool Resume)
{
    /// <summary>Evaluation threads; by default one per core.</summary>
    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>The domains SDDL aliases such as DU and DA resolve in (Get-Acl writes them for the machine's domain).</summary>
    public NtSec.Principals.SidContext? Context { get; init; }

    /// <summary>DuckDB's memory limit for the scan (its default is 80% of the machine's memory).</summary>
    public string MemoryLimit { get; init; } = "1GB";

    /// <summary>Objects between checkpoints (the points a resumed scan restarts from).</summary>
    public int CheckpointEvery { get; init; } = 250_000;
}

/// <summary>A progress report of a running scan.</summary>
/// <param name="Objects">Objects read (including those skipped by a resume).</param>
/// <param name="ObjectsPerSecond">Objects read per second in this run.</param>
/// <param name="Descriptors">Distinct descriptors so far.</param>
/// <param name="Evaluated">Distinct descriptors evaluated against every token.</param>
/// <param name="Fraction">The share of the source read, when its size is known.</param>
/// <param name="Elapsed">Time since this run started.</param>
/// <param name="Eta">The estimated time left, when the fraction is known.</param>
public readonly record struct ScanProgress(long Objects, double ObjectsPerSecond, int Descriptors, int Evaluated, double? Fraction, TimeSpan Elapsed, TimeSpan? Eta);

/// <summary>The outcome of a scan.</summary>
/// <param name="Format">The format read.</param>
/// <param name="Objects">Objects stored.</param>
/// <param name="Descriptors">Distinct descriptors.</param>
/// <param name="Tokens">Distinct tokens.</param>
/// <param name="Principals">Principals.</param>
/// <param name="Pairs">Descriptor-token pairs evaluated in this run.</param>
/// <param name="Interrupted">True when the scan stopped at a checkpoint before the end (resume it with --resume).</param>
/// <param name="Elapsed">The run's duration.</param>
/// <param name="Resumed">Objects a resume skipped because they were already stored.</param>
/// <param name="Problems">Objects whose descriptor is missing or invalid.</param>
public sealed record ScanResult(EstateFormat Format, long Objects, int Descriptors, int Tokens, int Principals, long Pairs, bool Interrupted, TimeSpan Elapsed, long Resumed, long Problems);

/// <summary>
/// The audit engine: streams a source, deduplicates descriptors (by security ID, by source text, by bytes),
/// evaluates each distinct descriptor once against each distinct token on every core, and stores objects,
/// descriptors, principals and the matrix in DuckDB. Paths reach their access through the <c>access</c> view.
/// </summary>
/// <remarks>
/// Interruption: when <c>cancellation</c> fires the scan finishes the objects read, writes a checkpoint and returns
/// <see cref="ScanResult.Interrupted"/>. A checkpoint records the next object's sequence number and the next
/// descriptor ID after everything before them was flushed; a resume deletes whatever lies past the checkpoint (from
/// a kill between checkpoints too), reloads the distinct descriptors, skips the objects stored and goes on.
/// </remarks>
public static class AuditScanner
{
    /// <summary>Byte arrays compared by content (descriptors deduplicated by their bytes).</summary>
    internal sealed class ByteKey : IEqualityComparer<byte[]>
    {
        public static readonly ByteKey Instance = new();
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj)
        {
            var h = new HashCode();
            h.AddBytes(obj);
            return h.ToHashCode();
        }
    }

    private sealed record Work(int Id, SecurityDescriptor Descriptor);

    // Distinct descriptors a worker evaluates at once.
    private const int Batch = 256;

    private sealed record Result(int Id, uint[] Granted, uint[] Answers);

    /// <summary>Runs a scan; see the type's remarks for interruption and resumption.</summary>
    /// <exception cref="EstateFormatException">The source is not in its format.</exception>
    /// <exception cref="InvalidOperationException">The options contradict the database (a resume with other principals, a new scan over an existing file).</exception>
    public static ScanResult Run(ScanOptions options, Action<ScanProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Questions.Count > 32) throw new ArgumentException("at most 32 questions", nameof(options));
        var clock = Stopwatch.StartNew();
        var mapping = ObjectTypes.File.GenericMapping;

        var (tokens, tokenJson, principalToken) = DistinctTokens(options.Principals);

        using var source = SourceDetector.Open(options.Source, options.Format);
        bool exists = File.Exists(options.Out);
        if (exists && !options.Resume) throw new InvalidOperationException($"{options.Out} exists: remove it, or continue an interrupted scan with --resume");
        if (!exists && options.Resume) throw new InvalidOperationException($"{options.Out} does not exist: nothing to resume");
        using var store = exists ? EstateStore.Open(options.Out) : EstateStore.Create(options.Out);
        store.Execute($"SET memory_limit = '{options.MemoryLimit.Replace("'", "", StringComparison.Ordinal)}'");

        // Share access: the share's grant per token, intersected with each file's.
        uint[]? shareGranted = null, shareAnswers = null;
        if (options.ShareAcl is not null)
        {
            shareGranted = new uint[tokens.Count];
            shareAnswers = new uint[tokens.Count];
            AccessEvaluators.Create(tokens, options.Questions, mapping).Evaluate(AccessEvaluators.ForCheck(options.ShareAcl), shareGranted, shareAnswers);
        }

        long startSeq = 0;
        int nextDescriptor = 0;
        var byBytes = new Dictionary<byte[], int>(ByteKey.Instance);
        if (!exists)
        {
            WriteHeader(store, options, source.Format, tokens, tokenJson, principalToken, shareGranted, shareAnswers);
        }
        else
        {
            if (store.GetState("complete") == "true") throw new InvalidOperationException($"{options.Out}: the scan is complete; nothing to resume");
            if (store.GetState("source") != Path.GetFullPath(options.Source) || store.GetState("format") != SourceDetector.NameOf(source.Format))
                throw new InvalidOperationException($"{options.Out} is a scan of {store.GetState("source")} ({store.GetState("format")}), not of this source");
            var stored = new List<string>();
            using (var cmd = store.Command("SELECT token_json FROM tokens ORDER BY token_id"))
            using (var r = cmd.ExecuteReader())
                while (r.Read()) stored.Add(r.GetString(0));
            if (!stored.SequenceEqual(tokenJson)) throw new InvalidOperationException($"{options.Out} was scanned with other principals: resume with the same --principals (and --share-acl, --logon)");
            startSeq = long.Parse(store.GetState("next_seq") ?? "0", CultureInfo.InvariantCulture);
            nextDescriptor = int.Parse(store.GetState("next_descriptor") ?? "0", CultureInfo.InvariantCulture);
            store.Execute("DELETE FROM objects WHERE seq >= $1", startSeq);
            store.Execute("DELETE FROM descriptors WHERE descriptor_id >= $1", nextDescriptor);
            store.Execute("DELETE FROM aces WHERE descriptor_id >= $1", nextDescriptor);
            store.Execute("DELETE FROM matrix WHERE descriptor_id >= $1", nextDescriptor);
            using var cmd2 = store.Command("SELECT descriptor_id, sd_binary FROM descriptors");
            using var r2 = cmd2.ExecuteReader();
            while (r2.Read())
            {
                using var blob = r2.GetStream(1);
                var ms = new MemoryStream();
                blob.CopyTo(ms);
                byBytes[ms.ToArray()] = r2.GetInt32(0);
            }
        }

        var bySecurityId = new Dictionary<uint, int>();
        var byText = new Dictionary<string, int>(StringComparer.Ordinal);
        var work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleWriter = true });
        var results = new ConcurrentQueue<Result>();
        int evaluated = 0;
        var workers = new Task[Math.Max(1, options.Workers)];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Factory.StartNew(() =>
            {
                var evaluator = AccessEvaluators.Create(tokens, options.Questions, mapping);
                var batch = new List<Work>(Batch);
                var descriptors = new List<SecurityDescriptor>(Batch);
                int n = tokens.Count;
                while (work.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    // Evaluate what is waiting, up to a batch: the matrix engine compiles a batch at once.
                    batch.Clear();
                    descriptors.Clear();
                    while (batch.Count < Batch && work.Reader.TryRead(out var item))
                    {
                        batch.Add(item);
                        descriptors.Add(AccessEvaluators.ForCheck(item.Descriptor));
                    }
                    if (batch.Count == 0) continue;
                    var granted = new uint[batch.Count * n];
                    var answers = new uint[batch.Count * n];
                    evaluator.Evaluate(descriptors, granted, answers);
                    for (int i = 0; i < batch.Count; i++)
                    {
                        results.Enqueue(new Result(batch[i].Id, granted.AsSpan(i * n, n).ToArray(), answers.AsSpan(i * n, n).ToArray()));
                        Interlocked.Increment(ref evaluated);
                    }
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        DuckDBAppender objects = store.Connection.CreateAppender("objects");
        DuckDBAppender descriptors = store.Connection.CreateAppender("descriptors");
        DuckDBAppender aces = store.Connection.CreateAppender("aces");
        DuckDBAppender matrix = store.Connection.CreateAppender("matrix");
        long seq = 0, pairs = 0, problems = 0, sinceCheckpoint = 0;
        int assigned = nextDescriptor, drained = nextDescriptor;
        bool interrupted = false;
        long lastReport = -1000;

        void Drain()
        {
            while (results.TryDequeue(out var r))
            {
                for (int t = 0; t < tokens.Count; t++)
                {
                    uint g = r.Granted[t], a = r.Answers[t];
                    uint eg = shareGranted is null ? g : g & shareGranted[t];
                    uint ea = shareAnswers is null ? a : a & shareAnswers[t];
                    matrix.CreateRow().AppendValue(r.Id).AppendValue(t).AppendValue(g).AppendValue(eg).AppendValue(ea).EndRow();
                }
                pairs += tokens.Count;
                drained++;
            }
        }

        void Checkpoint()
        {
            // Everything assigned must be evaluated and appended before the state names it as done.
            while (drained < assigned)
            {
                Drain();
                if (drained < assigned) Thread.Sleep(1);
            }
            objects.Close();
            descriptors.Close();
            aces.Close();
            matrix.Close();
            store.SetState("next_seq", seq.ToString(CultureInfo.InvariantCulture));
            store.SetState("next_descriptor", assigned.ToString(CultureInfo.InvariantCulture));
            objects = store.Connection.CreateAppender("objects");
            descriptors = store.Connection.CreateAppender("descriptors");
            aces = store.Connection.CreateAppender("aces");
            matrix = store.Connection.CreateAppender("matrix");
            sinceCheckpoint = 0;
        }

        int Assign(SecurityDescriptor sd, byte[] canonical, uint? securityId)
        {
            if (byBytes.TryGetValue(canonical, out int id)) return id;
            id = assigned++;
            byBytes[canonical] = id;
            AppendDescriptor(descriptors, aces, id, sd, canonical, securityId);
            work.Writer.TryWrite(new Work(id, sd));
            return id;
        }

        try
        {
            foreach (var entry in source.Read(CancellationToken.None))
            {
                if (seq < startSeq)
                {
                    seq++;
                    continue;
                }
                int? id = null;
                var status = entry.Status;
                string? error = entry.Error;
                if (entry.SecurityId is uint sid && bySecurityId.TryGetValue(sid, out int known)) id = known;
                else if (entry.Sddl is not null)
                {
                    if (byText.TryGetValue(entry.Sddl, out int t)) id = t;
                    else if (SddlParser.TryParse(entry.Sddl, options.Context, out var sd, out var e))
                    {
                        id = Assign(sd!, sd!.ToBinary(), entry.SecurityId);
                        byText[entry.Sddl] = id.Value;
                    }
                    else
                    {
                        status = EntryStatus.Invalid;
                        error = $"SDDL at {e!.Position}: {e.Reason}";
                    }
                }
                else if (entry.Binary is not null)
                {
                    if (byBytes.TryGetValue(entry.Binary, out int b)) id = b;
                    else if (SecurityDescriptor.TryRead(entry.Binary, out var sd, out _, out var e))
                    {
                        var canonical = sd!.ToBinary();
                        id = Assign(sd, canonical, entry.SecurityId);
                        if (!canonical.AsSpan().SequenceEqual(entry.Binary)) byBytes[entry.Binary] = id.Value;
                    }
                    else
                    {
                        status = EntryStatus.Invalid;
                        error = $"descriptor at byte {e!.Position}: {e.Reason}";
                    }
                }
                if (id is int found && entry.SecurityId is uint s2) bySecurityId.TryAdd(s2, found);
                if (id is null) problems++;
                AppendObject(objects, seq, entry, id, status, error);
                seq++;
                sinceCheckpoint++;
                Drain();
                if (sinceCheckpoint >= options.CheckpointEvery) Checkpoint();
                if (progress is not null && (seq & 0x3FF) == 0)
                {
                    long now = clock.ElapsedMilliseconds;
                    if (now - lastReport >= 250)
                    {
                        lastReport = now;
                        progress(Report(seq, startSeq, assigned, evaluated, source.Progress, clock.Elapsed));
                    }
                }
                if (cancellation.IsCancellationRequested)
                {
                    interrupted = true;
                    break;
                }
            }
        }
        finally
        {
            // An exception from the source leaves the last checkpoint as the resume point; the workers stop either way.
            work.Writer.TryComplete();
        }
        Task.WaitAll(workers, CancellationToken.None);
        Checkpoint();
        objects.Close();
        descriptors.Close();
        aces.Close();
        matrix.Close();
        if (!interrupted) store.SetState("complete", "true");
        store.SetState("objects", seq.ToString(CultureInfo.InvariantCulture));
        store.SetState("elapsed_seconds", clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
        progress?.Invoke(Report(seq, startSeq, assigned, evaluated, 1, clock.Elapsed));
        return new ScanResult(source.Format, seq, assigned, tokens.Count, options.Principals.Count, pairs, interrupted, clock.Elapsed, startSeq, problems);
    }

    /// <summary>The distinct tokens of the principals (two principals with equal tokens are evaluated once), with each principal's token index.</summary>
    internal static (List<Token> Tokens, List<string> Json, int[] PrincipalToken) DistinctTokens(IReadOnlyList<AuditPrincipal> principals)
    {
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var tokens = new List<Token>();
        var tokenJson = new List<string>();
        var principalToken = new int[principals.Count];
        for (int i = 0; i < principals.Count; i++)
        {
            string json = TokenJson.Write(principals[i].Token);
            if (!tokenIds.TryGetValue(json, out int id))
            {
                tokenIds[json] = id = tokens.Count;
                tokens.Add(principals[i].Token);
                tokenJson.Add(json);
            }
            principalToken[i] = id;
        }
        return (tokens, tokenJson, principalToken);
    }

    private static ScanProgress Report(long seq, long startSeq, int assigned, int evaluated, double? fraction, TimeSpan elapsed)
    {
        double rate = (seq - startSeq) / Math.Max(0.001, elapsed.TotalSeconds);
        TimeSpan? eta = fraction is double f && f > 0.001 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - f) / f) : null;
        return new ScanProgress(seq, rate, assigned, evaluated, fraction, elapsed, eta);
    }

    private static void WriteHeader(EstateStore store, ScanOptions options, EstateFormat format, List<Token> tokens, List<string> tokenJson,
        int[] principalToken, uint[]? shareGranted, uint[]? shareAnswers)
    {
        store.SetState("source", Path.GetFullPath(options.Source));
        store.SetState("format", SourceDetector.NameOf(format));
        store.SetState("started", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        store.SetState("complete", "false");
        store.SetState("next_seq", "0");
        store.SetState("next_descriptor", "0");
        store.SetState("engine", AccessEvaluators.UseMatrix ? "AccessMatrix" : "AccessCheck.Check");
        if (options.ShareAcl is not null) store.SetState("share_acl", options.ShareAcl.ToSddl());
        WritePrincipals(store, options.Principals, tokens, tokenJson, principalToken);
        using (var a = store.Connection.CreateAppender("questions"))
            for (int q = 0; q < options.Questions.Count; q++) a.CreateRow().AppendValue(q).AppendValue(options.Questions[q].Name).AppendValue(options.Questions[q].Mask).EndRow();
        if (shareGranted is not null)
        {
            using var a = store.Connection.CreateAppender("share_access");
            for (int t = 0; t < tokens.Count; t++) a.CreateRow().AppendValue(t).AppendValue(shareGranted[t]).AppendValue(shareAnswers![t]).EndRow();
        }
    }

    /// <summary>Writes the <c>tokens</c>, <c>token_sids</c> and <c>principals</c> tables.</summary>
    internal static void WritePrincipals(EstateStore store, IReadOnlyList<AuditPrincipal> principals, List<Token> tokens, List<string> tokenJson, int[] principalToken)
    {
        using (var a = store.Connection.CreateAppender("tokens"))
            for (int t = 0; t < tokens.Count; t++) a.CreateRow().AppendValue(t).AppendValue(tokenJson[t]).EndRow();
        using (var a = store.Connection.CreateAppender("token_sids"))
        {
            for (int t = 0; t < tokens.Count; t++)
            {
                var token = tokens[t];
                a.CreateRow().AppendValue(t).AppendValue(token.User.Sid.ToString()).AppendValue("user").AppendValue(token.User.IsDenyOnly).EndRow();
                foreach (var g in token.Groups) a.CreateRow().AppendValue(t).AppendValue(g.Sid.ToString()).AppendValue("group").AppendValue(g.IsDenyOnly).EndRow();
                foreach (var g in token.RestrictedSids) a.CreateRow().AppendValue(t).AppendValue(g.Sid.ToString()).AppendValue("restricted").AppendValue(g.IsDenyOnly).EndRow();
            }
        }
        using (var a = store.Connection.CreateAppender("principals"))
        {
            for (int i = 0; i < principals.Count; i++)
            {
                var p = principals[i];
                a.CreateRow().AppendValue(i).AppendValue(p.Name).AppendValue(p.Sid.ToString()).AppendValue(principalToken[i]).AppendValue(p.Source).AppendValue(p.Logon).EndRow();
            }
        }
    }

    private static void AppendObject(DuckDBAppender objects, long seq, in EstateEntry entry, int? id, EntryStatus status, string? error)
    {
        string path = entry.Path;
        int cut = path.AsSpan().TrimEnd("\\/").LastIndexOfAny('\\', '/');
        string? parent = cut > 0 ? path[..cut] : null;
        int depth = path.AsSpan().Count('\\') + path.AsSpan().Count('/');
        var row = objects.CreateRow().AppendValue(seq).AppendValue(path);
        row = parent is null ? row.AppendNullValue() : row.AppendValue(parent);
        row = row.AppendValue(depth);
        row = entry.IsDirectory is bool d ? row.AppendValue(d) : row.AppendNullValue();
        row = id is int i ? row.AppendValue(i) : row.AppendNullValue();
        row = row.AppendValue(StatusName(status));
        row = error is null ? row.AppendNullValue() : row.AppendValue(error);
        row.EndRow();
    }

    /// <summary>The name the <c>status</c> column stores.</summary>
    public static string StatusName(EntryStatus status) => status switch
    {
        EntryStatus.Ok => "ok",
        EntryStatus.Stored => "stored",
        EntryStatus.StoredNoHash => "stored-no-hash",
        EntryStatus.Unverified => "unverified",
        EntryStatus.Ignored => "ignored",
        EntryStatus.Missing => "missing",
        _ => "invalid",
    };

    internal static void AppendDescriptor(DuckDBAppender descriptors, DuckDBAppender aces, int id, SecurityDescriptor sd, byte[] canonical, uint? securityId)
    {
        string? sddl;
        try
        {
            sddl = sd.ToSddl();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            sddl = null;
        }
        var dacl = sd.Dacl;
        int count = dacl?.Count ?? 0, explicitCount = 0, deny = 0;
        if (dacl is not null)
        {
            foreach (var ace in dacl.Aces)
            {
                if (!ace.IsInherited) explicitCount++;
                if (ace.IsAccessDenied) deny++;
            }
        }
        var row = descriptors.CreateRow().AppendValue(id);
        row = sddl is null ? row.AppendNullValue() : row.AppendValue(sddl);
        row = row.AppendValue(canonical);
        row = securityId is uint s ? row.AppendValue(s) : row.AppendNullValue();
        row = sd.Owner is { } o ? row.AppendValue(o.ToString()) : row.AppendNullValue();
        row = sd.Group is { } g ? row.AppendValue(g.ToString()) : row.AppendNullValue();
        row.AppendValue((ushort)sd.Control)
            .AppendValue(sd.DaclState.ToString().ToLowerInvariant())
            .AppendValue((sd.Control & SecurityDescriptorControl.DaclProtected) != 0)
            .AppendValue((sd.Control & SecurityDescriptorControl.DaclAutoInherited) != 0)
            .AppendValue(count).AppendValue(explicitCount).AppendValue(deny)
            .AppendValue(dacl?.IsCanonical() ?? true)
            .AppendValue(sd.Owner is not null)
            .EndRow();
        if (dacl is null) return;
        for (int i = 0; i < dacl.Count; i++)
        {
            var ace = dacl.Aces[i];
            var r = aces.CreateRow().AppendValue(id).AppendValue(i).AppendValue(ace.Type.ToString()).AppendValue((byte)ace.Flags)
                .AppendValue(ace.IsInherited).AppendValue(ace.IsInheritOnly);
            r = ace.IsRaw ? r.AppendNullValue().AppendNullValue() : r.AppendValue(ace.Mask).AppendValue(ace.Sid.ToString());
            r.EndRow();
        }
    }
}
