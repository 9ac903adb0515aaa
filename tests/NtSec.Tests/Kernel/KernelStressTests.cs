using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using global::NtSec;
using global::NtSec.Acls;
using global::NtSec.Authorization;
using global::NtSec.Descriptors;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Sddl;
using global::NtSec.Tokens;
using global::NtSec.Win32;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace NtSec.Tests.Kernel;

/// <summary>
/// Many .NET threads calling into one emulated machine at once. Every call's status is checked against what that call
/// may return in that situation; afterwards no handle may be left open, every object must be freed once the
/// processes exit, and every reference count must match the references that exist. Each worker draws its
/// scenarios from its own seeded <see cref="Random"/>, so a failure names the seed and the scenario that failed
/// (set NTSEC_STRESS_SEED to replay it); the interleaving of the threads is what varies between runs.
/// </summary>
public class KernelStressTests(ITestOutputHelper output)
{
    private const int WorkerCount = 8;
    private const int Iterations = 500;

    private static readonly int Seed = Environment.GetEnvironmentVariable("NTSEC_STRESS_SEED") is { Length: > 0 } text
        ? int.Parse(text, CultureInfo.InvariantCulture)
        : 7919;

    // A group no descriptor mentions: toggling it in a shared process token changes no other call's outcome.
    private static readonly Sid Project = KernelFixtures.Domain.Append(2000);

    private const uint FileReadData = 0x1;
    private const uint FileWriteData = 0x2;

    private static readonly NtStatus Success = NtStatus.Success;

    [Fact]
    public async Task Threads_racing_through_tokens_handles_and_processes_leak_nothing()
    {
        var system = new EmulatedSystem();
        system.CreateObject(ObjectTypes.File, @"\Stress\alice.txt", FileReadableBy(KernelFixtures.Alice));
        system.CreateObject(ObjectTypes.File, @"\Stress\bob.txt", FileReadableBy(KernelFixtures.Bob));
        // The fresh machine with its permanent files: what must be left once every process has exited.
        int baseline = system.LiveObjectCount;

        var alice = new[] { system.CreateProcess(AliceToken(), "alice1.exe"), system.CreateProcess(AliceToken(), "alice2.exe") };
        var bob = new[] { system.CreateProcess(BobToken(), "bob1.exe"), system.CreateProcess(BobToken(), "bob2.exe") };
        var processes = alice.Concat(bob).ToArray();
        var otherUserToken = GiveOtherUsersToken(system, alice, bob);

        var threads = processes.SelectMany(p => new[] { system.CreateThread(p), system.CreateThread(p) }).ToArray();
        var failures = new ConcurrentQueue<string>();
        var workers = new Worker[WorkerCount];
        for (int i = 0; i < WorkerCount; i++)
        {
            var thread = threads[i];
            bool isAlice = alice.Contains(thread.Process);
            var mine = isAlice ? alice : bob;
            var theirs = isAlice ? bob : alice;
            workers[i] = new Worker
            {
                Index = i,
                Thread = thread,
                Random = new Random(Seed + i),
                User = isAlice ? KernelFixtures.Alice : KernelFixtures.Bob,
                OtherUser = isAlice ? KernelFixtures.Bob : KernelFixtures.Alice,
                Logon = isAlice ? KernelFixtures.AliceLogon : KernelFixtures.BobLogon,
                Peer = mine.Single(p => p != thread.Process),
                OtherUserProcesses = theirs,
                // Each process's first thread is driven by no worker: others set and clear its impersonation.
                Victims = [.. mine.Select(p => p.Threads[0])],
                OtherUserVictims = [.. theirs.Select(p => p.Threads[0])],
                Clients = [.. threads.Where(t => t != thread && mine.Contains(t.Process))],
                OtherUserToken = otherUserToken[thread.Process],
                OwnPrefix = isAlice ? @"\Stress\alice-event-" : @"\Stress\bob-event-",
                OtherPrefix = isAlice ? @"\Stress\bob-event-" : @"\Stress\alice-event-",
                OwnFile = isAlice ? @"\Stress\alice.txt" : @"\Stress\bob.txt",
                OtherFile = isAlice ? @"\Stress\bob.txt" : @"\Stress\alice.txt",
                Failures = failures,
            };
        }

        var clock = Stopwatch.StartNew();
        int audits = 0;
        using (var start = new Barrier(WorkerCount))
        using (var done = new CancellationTokenSource())
        {
            var tasks = workers.Select(w => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                w.Run(Iterations);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            // Every call runs whole under the kernel lock, so between any two calls the counts must add up: an
            // auditor recounts them while the workers run.
            var auditor = Task.Factory.StartNew(() =>
            {
                do
                {
                    var errors = KernelInvariants.ReferenceCountErrors(system);
                    if (errors.Count > 0) failures.Enqueue("reference counts between two calls:\n" + string.Join('\n', errors));
                    audits++;
                    Thread.Sleep(1);
                }
                while (!done.IsCancellationRequested && failures.IsEmpty);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Task.WhenAll(tasks);
            await done.CancelAsync();
            await auditor;
        }
        clock.Stop();
        output.WriteLine($"{WorkerCount} threads x {Iterations} scenarios, {workers.Sum(w => w.Calls)} checked calls, {audits} audits, seed {Seed}: {clock.ElapsedMilliseconds} ms");
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures));
        foreach (var w in workers) Assert.Null(w.Thread.ImpersonationToken);
        foreach (var outcome in workers.SelectMany(w => w.Outcomes).GroupBy(o => o.Key).OrderBy(o => o.Key, StringComparer.Ordinal))
            output.WriteLine($"  {outcome.Key}: {outcome.Sum(o => o.Value)}");

        // The set-up handles are the only ones left; their owners' first threads close them.
        foreach (var p in processes) Assert.Equal(Success, p.Threads[0].Nt.NtClose(otherUserToken[p]));
        foreach (var p in processes.Append(system.SystemProcess))
            Assert.True(p.HandleTableCount == 0, $"{p} still holds: {string.Join(", ", p.GetHandles().Select(h => $"{h.Handle} -> {h.Entry.Object}"))}");
        Assert.Equal(0, system.KernelHandleCount);
        foreach (var t in processes.Select(p => p.Threads[0])) Assert.Null(t.ImpersonationToken);
        KernelInvariants.AssertConsistent(system);

        foreach (var p in processes) system.TerminateProcess(p, Success);
        Assert.True(baseline == system.LiveObjectCount,
            $"{system.LiveObjectCount - baseline} objects leaked: " + string.Join(", ", system.LiveObjects.Select(o => $"{o} (pointers {o.PointerCount}, handles {o.HandleCount})")));
        KernelInvariants.AssertConsistent(system);
    }

    /// <summary>One .NET thread's emulated thread, what it may reach, and its seeded choices.</summary>
    private sealed class Worker
    {
        public required int Index { get; init; }
        public required ThreadObject Thread { get; init; }
        public required Random Random { get; init; }
        public required Sid User { get; init; }
        public required Sid OtherUser { get; init; }
        public required Sid Logon { get; init; }
        public required ProcessObject Peer { get; init; }
        public required ProcessObject[] OtherUserProcesses { get; init; }
        public required ThreadObject[] Victims { get; init; }
        public required ThreadObject[] OtherUserVictims { get; init; }
        public required ThreadObject[] Clients { get; init; }
        public required NtHandle OtherUserToken { get; init; }
        public required string OwnPrefix { get; init; }
        public required string OtherPrefix { get; init; }
        public required string OwnFile { get; init; }
        public required string OtherFile { get; init; }
        public required ConcurrentQueue<string> Failures { get; init; }

        public int Calls { get; set; }

        /// <summary>How often each call whose outcome depends on the interleaving had each outcome.</summary>
        public Dictionary<string, int> Outcomes { get; } = [];

        public NtCalls Nt => Thread.Nt;

        public Win32Api Win32 => Thread.Win32;

        public ProcessObject Process => Thread.Process;

        public EmulatedSystem System => Thread.System;

        public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

        public SecurityImpersonationLevel AnyLevel() => (SecurityImpersonationLevel)Random.Next(4);

        public void Run(int iterations)
        {
            for (int i = 0; i < iterations; i++)
            {
                var (name, scenario) = Scenarios[Random.Next(Scenarios.Length)];
                try
                {
                    scenario(this);
                }
                catch (Exception e)
                {
                    // A failed scenario leaves its handles open; stopping here keeps the report to the first cause.
                    Failures.Enqueue($"worker {Index} (NTSEC_STRESS_SEED={Seed}), iteration {i}, {name}: {e}");
                    return;
                }
            }
        }
    }

    private static readonly (string Name, Action<Worker> Run)[] Scenarios =
    [
        (nameof(QueryProcessToken), QueryProcessToken),
        (nameof(DuplicateAdjustAndFilter), DuplicateAdjustAndFilter),
        (nameof(AdjustSharedProcessToken), AdjustSharedProcessToken),
        (nameof(ImpersonateSelf), ImpersonateSelf),
        (nameof(ImpersonateLoggedOnUser), ImpersonateLoggedOnUser),
        (nameof(ImpersonateAnonymous), ImpersonateAnonymous),
        (nameof(SetAnotherThreadsToken), SetAnotherThreadsToken),
        (nameof(ImpersonateThread), ImpersonateThread),
        (nameof(DuplicateHandles), DuplicateHandles),
        (nameof(HandleChurn), HandleChurn),
        (nameof(NamedObjects), NamedObjects),
        (nameof(CreateThreadAndEndIt), CreateThreadAndEndIt),
        (nameof(CreateRestrictedChild), CreateRestrictedChild),
    ];

    // ----------------------------------------------------------------------------------------------------------------
    // Scenarios. Each starts and ends with the worker not impersonating and holding no handle of its own.

    private static void QueryProcessToken(Worker w)
    {
        var nt = w.Nt;
        Is(w, Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var token));
        Is(w, Success, nt.NtQueryInformationToken(token, TokenInformationClass.TokenUser, out var user));
        Check(((SidAndAttributes)user!).Sid == w.User, "TokenUser is the process's user");
        Is(w, Success, nt.NtQueryInformationToken(token, TokenInformationClass.TokenType, out var type));
        Check(type is TokenType.Primary, "a process token is primary");
        Is(w, NtStatus.InvalidParameter, nt.NtQueryInformationToken(token, TokenInformationClass.TokenImpersonationLevel, out _));
        Is(w, NtStatus.AccessDenied, nt.NtQueryInformationToken(token, TokenInformationClass.TokenSource, out _));
        Is(w, NtStatus.AccessDenied, nt.NtAdjustPrivilegesToken(token, true, null));
        Is(w, NtStatus.NoSuchLogonSession, nt.NtQueryInformationToken(token, TokenInformationClass.TokenLinkedToken, out _));

        Is(w, Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var again));
        Is(w, Success, nt.NtCompareTokens(token, again, out bool equal));
        Check(equal, "a token equals itself");
        Is(w, Success, nt.NtQueryObject(again, out var basic));
        Check(basic.TypeName == "Token" && basic.GrantedAccess == TokenAccessRights.Query, "the handle's type and access");
        Check(basic.HandleCount >= 2 && basic.PointerCount > basic.HandleCount, $"counts of a process token with two handles: {basic}");

        // Other threads toggle SeShutdownPrivilege and SeUndockPrivilege in this token: their states vary, the set
        // of privileges never does.
        Is(w, Success, nt.NtQueryInformationToken(NtHandle.CurrentProcessToken, TokenInformationClass.TokenPrivileges, out var privileges));
        var names = ((ImmutableArray<Privilege>)privileges!).Select(p => p.Name).Order(StringComparer.Ordinal);
        Check(names.SequenceEqual(["SeChangeNotifyPrivilege", "SeShutdownPrivilege", "SeUndockPrivilege"]), "the process token's privileges");
        Is(w, NtStatus.NoToken, nt.NtQueryInformationToken(NtHandle.CurrentThreadToken, TokenInformationClass.TokenUser, out _));

        Is(w, Success, nt.NtClose(again));
        Is(w, Success, nt.NtClose(token));
    }

    private static void DuplicateAdjustAndFilter(Worker w)
    {
        var nt = w.Nt;
        Is(w, Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate | TokenAccessRights.Query, out var source));
        bool effectiveOnly = w.Random.Next(2) == 0;
        var type = w.Random.Next(2) == 0 ? TokenType.Primary : TokenType.Impersonation;
        var level = w.AnyLevel();
        const uint access = TokenAccessRights.AdjustPrivileges | TokenAccessRights.AdjustGroups | TokenAccessRights.AdjustDefault
            | TokenAccessRights.AdjustSessionId | TokenAccessRights.Query | TokenAccessRights.Duplicate;
        var qos = new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(level));
        Is(w, Success, nt.NtDuplicateToken(source, access, qos, effectiveOnly, type, out var copy));
        Is(w, Success, nt.NtQueryInformationToken(copy, TokenInformationClass.TokenStatistics, out var info));
        var statistics = (TokenStatistics)info!;
        Check(statistics.TokenType == type && (type == TokenType.Primary || statistics.ImpersonationLevel == level), $"the copy's type and level: {statistics}");

        // SeChangeNotifyPrivilege is enabled in every process token and nobody adjusts it there.
        var previous = new List<Privilege>();
        Is(w, Success, nt.NtAdjustPrivilegesToken(copy, false, [Privilege.Create("SeChangeNotifyPrivilege", PrivilegeAttributes.None)], previous));
        Check(previous is [{ IsEnabled: true } p] && p.Luid == Privileges.ChangeNotify, "the previous state of SeChangeNotifyPrivilege");
        Is(w, NtStatus.NotAllAssigned, nt.NtAdjustPrivilegesToken(copy, false, [Privilege.Create("SeDebugPrivilege", PrivilegeAttributes.Enabled)]));
        // SeShutdownPrivilege is toggled in the process token by other threads: EffectiveOnly kept it only if it was
        // enabled at the moment of the copy.
        var shutdown = OneOf(w, effectiveOnly ? [Success, NtStatus.NotAllAssigned] : [Success],
            nt.NtAdjustPrivilegesToken(copy, false, [Privilege.Create("SeShutdownPrivilege", PrivilegeAttributes.Enabled)]));
        Is(w, Success, nt.NtQueryInformationToken(copy, TokenInformationClass.TokenPrivileges, out var privileges));
        var held = (ImmutableArray<Privilege>)privileges!;
        Check(held.Any(x => x.Luid == Privileges.ChangeNotify && !x.IsEnabled), "SeChangeNotifyPrivilege disabled");
        Check(shutdown != Success || held.Any(x => x.Name == "SeShutdownPrivilege" && x.IsEnabled), "SeShutdownPrivilege enabled");

        Is(w, NtStatus.CantDisableMandatory, nt.NtAdjustGroupsToken(copy, false, [new SidAndAttributes(KernelFixtures.DomainUsers, GroupAttributes.None)]));
        var project = OneOf(w, effectiveOnly ? [Success, NtStatus.NotAllAssigned] : [Success],
            nt.NtAdjustGroupsToken(copy, false, [new SidAndAttributes(Project, GroupAttributes.None)]));
        Is(w, Success, nt.NtAdjustGroupsToken(copy, true, null));
        Is(w, Success, nt.NtQueryInformationToken(copy, TokenInformationClass.TokenGroups, out var groups));
        var projectGroup = ((ImmutableArray<SidAndAttributes>)groups!).Where(g => g.Sid == Project).ToList();
        Check(project == Success ? projectGroup is [{ IsEnabled: true }] : projectGroup.Count == 0, "the Project group after the reset");

        Is(w, Success, nt.NtAdjustPrivilegesToken(copy, false, [Privilege.Create("SeChangeNotifyPrivilege", PrivilegeAttributes.Removed)]));
        Is(w, NtStatus.NotAllAssigned, nt.NtAdjustPrivilegesToken(copy, false, [Privilege.Create("SeChangeNotifyPrivilege", PrivilegeAttributes.Enabled)]));
        Is(w, Success, nt.NtSetInformationToken(copy, TokenInformationClass.TokenDefaultDacl, new TokenDefaultDacl(null)));
        Is(w, NtStatus.InvalidOwner, nt.NtSetInformationToken(copy, TokenInformationClass.TokenOwner, WellKnownSids.LocalSystem));
        Is(w, NtStatus.PrivilegeNotHeld, nt.NtSetInformationToken(copy, TokenInformationClass.TokenSessionId, 5u));

        Is(w, Success, nt.NtFilterToken(copy, FilterTokenFlags.DisableMaxPrivilege, [new SidAndAttributes(WellKnownSids.Interactive, GroupAttributes.None)], null,
            [new SidAndAttributes(WellKnownSids.World, GroupAttributes.None), new SidAndAttributes(w.Logon, GroupAttributes.None)], out var filtered));
        Is(w, Success, nt.NtQueryInformationToken(filtered, TokenInformationClass.TokenGroupsAndPrivileges, out var all));
        var gp = (TokenGroupsAndPrivileges)all!;
        Check(gp.RestrictedSids.Length == 2 && gp.Privileges.IsEmpty, "the filtered token's restricting SIDs and privileges");
        Check(gp.Sids.Single(s => s.Sid == WellKnownSids.Interactive).IsDenyOnly, "Interactive is deny-only");
        Is(w, Success, nt.NtCompareTokens(copy, filtered, out bool equal));
        Check(!equal, "a restricted token differs from its source");

        Is(w, Success, nt.NtClose(filtered));
        Is(w, Success, nt.NtClose(copy));
        Is(w, Success, nt.NtClose(source));
    }

    private static void AdjustSharedProcessToken(Worker w)
    {
        var nt = w.Nt;
        Is(w, Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.AdjustPrivileges | TokenAccessRights.AdjustGroups | TokenAccessRights.Query, out var token));
        var change = new[]
        {
            Privilege.Create("SeShutdownPrivilege", w.Random.Next(2) == 0 ? PrivilegeAttributes.Enabled : PrivilegeAttributes.None),
            Privilege.Create("SeUndockPrivilege", w.Random.Next(2) == 0 ? PrivilegeAttributes.Enabled : PrivilegeAttributes.None),
        };
        var previous = new List<Privilege>();
        Is(w, Success, nt.NtAdjustPrivilegesToken(token, false, change, previous));
        // Only a privilege whose state changed is reported, with the state it had.
        foreach (var p in previous)
            Check(change.Any(c => c.Luid == p.Luid && c.IsEnabled != p.IsEnabled), $"previous state {p}");
        Is(w, Success, nt.NtAdjustGroupsToken(token, false, [new SidAndAttributes(Project, w.Random.Next(2) == 0 ? GroupAttributes.Enabled : GroupAttributes.None)]));
        Is(w, NtStatus.CantDisableMandatory, nt.NtAdjustGroupsToken(token, false, [new SidAndAttributes(WellKnownSids.World, GroupAttributes.None)]));
        Is(w, NtStatus.NotAllAssigned, nt.NtAdjustPrivilegesToken(token, false, [Privilege.Create("SeDebugPrivilege", PrivilegeAttributes.Enabled)]));
        Is(w, Success, nt.NtClose(token));
    }

    private static void ImpersonateSelf(Worker w)
    {
        var level = w.AnyLevel();
        bool openAsSelf = w.Random.Next(2) == 0;
        Check(w.Win32.ImpersonateSelf(level), "ImpersonateSelf");
        var expected = level switch
        {
            SecurityImpersonationLevel.Anonymous => NtStatus.CantOpenAnonymous,
            SecurityImpersonationLevel.Identification => openAsSelf ? Success : NtStatus.BadImpersonationLevel,
            _ => Success,
        };
        Is(w, expected, w.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, openAsSelf, out var token));
        if (!token.IsNull)
        {
            Is(w, Success, w.Nt.NtQueryInformationToken(token, TokenInformationClass.TokenImpersonationLevel, out var worn));
            Check(worn is SecurityImpersonationLevel l && l == level, "the level worn");
            Is(w, Success, w.Nt.NtClose(token));
        }
        // Below SecurityImpersonation the client cannot be used to open anything.
        Is(w, level >= SecurityImpersonationLevel.Impersonation ? Success : NtStatus.BadImpersonationLevel,
            w.Nt.NtOpenProcess(out var peer, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, w.Peer.ProcessId));
        if (!peer.IsNull) Is(w, Success, w.Nt.NtClose(peer));
        Check(w.Win32.CheckTokenMembership(NtHandle.Null, WellKnownSids.World, out bool member) && member, "CheckTokenMembership(Everyone)");
        Check(w.Win32.RevertToSelf(), "RevertToSelf");
        Is(w, NtStatus.NoToken, w.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out _));
    }

    private static void ImpersonateLoggedOnUser(Worker w)
    {
        var nt = w.Nt;
        Is(w, Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var own));
        Check(w.Win32.ImpersonateLoggedOnUser(own), "ImpersonateLoggedOnUser(own token)");
        Is(w, Success, nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, false, out var worn));
        Is(w, Success, nt.NtQueryInformationToken(worn, TokenInformationClass.TokenImpersonationLevel, out var level));
        Check(level is SecurityImpersonationLevel.Impersonation, "the own token is worn at SecurityImpersonation");
        Is(w, Success, nt.NtClose(worn));
        Is(w, Success, nt.NtOpenProcess(out var peer, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, w.Peer.ProcessId));
        Is(w, Success, nt.NtClose(peer));
        Check(w.Win32.RevertToSelf(), "RevertToSelf");
        Is(w, Success, nt.NtClose(own));

        // Another user's token, without SeImpersonatePrivilege: the thread silently gets an identification-level copy.
        Check(w.Win32.ImpersonateLoggedOnUser(w.OtherUserToken), "ImpersonateLoggedOnUser(other user's token)");
        Is(w, NtStatus.BadImpersonationLevel, nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, false, out _));
        Is(w, Success, nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out worn));
        Is(w, Success, nt.NtQueryInformationToken(worn, TokenInformationClass.TokenGroupsAndPrivileges, out var gp));
        Is(w, Success, nt.NtQueryInformationToken(worn, TokenInformationClass.TokenImpersonationLevel, out level));
        Check(level is SecurityImpersonationLevel.Identification && ((TokenGroupsAndPrivileges)gp!).Sids[0].Sid == w.OtherUser, "an identification-level copy of the other user");
        Is(w, Success, nt.NtClose(worn));
        Is(w, NtStatus.BadImpersonationLevel, nt.NtOpenProcess(out _, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, w.Peer.ProcessId));
        Check(w.Win32.RevertToSelf(), "RevertToSelf");
    }

    private static void ImpersonateAnonymous(Worker w)
    {
        var nt = w.Nt;
        Is(w, Success, nt.NtImpersonateAnonymousToken(NtHandle.CurrentThread));
        // The anonymous token belongs to SYSTEM; neither the process nor ANONYMOUS LOGON may open it or the peer.
        Is(w, NtStatus.AccessDenied, nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out _));
        Is(w, NtStatus.AccessDenied, nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, false, out _));
        Is(w, NtStatus.AccessDenied, nt.NtOpenProcess(out _, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, w.Peer.ProcessId));
        Check(w.Win32.CheckTokenMembership(NtHandle.Null, WellKnownSids.Anonymous, out bool anonymous) && anonymous, "the thread is ANONYMOUS LOGON");
        Check(w.Win32.RevertToSelf(), "RevertToSelf");
    }

    private static void SetAnotherThreadsToken(Worker w)
    {
        var nt = w.Nt;
        var victim = w.Pick(w.Victims);
        Is(w, Success, nt.NtOpenThread(out var thread, ThreadAccessRights.SetThreadToken | ThreadAccessRights.QueryLimitedInformation, HandleAttributes.None, victim.ThreadId));
        Is(w, Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var source));
        Check(w.Win32.DuplicateTokenEx(source, TokenAccessRights.Impersonate | TokenAccessRights.Query, null, w.AnyLevel(), TokenType.Impersonation, out var copy), "DuplicateTokenEx");
        Check(w.Win32.SetThreadToken(thread, copy), "SetThreadToken(victim)");
        // Other workers set and clear the victim's token at the same time: it may wear anyone's copy, at any level,
        // an anonymous token copy (which the process may not open), or none.
        for (int i = 0; i < 4; i++)
        {
            OneOf(w, [Success, NtStatus.NoToken, NtStatus.CantOpenAnonymous, NtStatus.AccessDenied],
                nt.NtOpenThreadToken(thread, TokenAccessRights.Query, true, out var worn));
            if (!worn.IsNull) Is(w, Success, nt.NtClose(worn));
        }
        Check(w.Win32.SetThreadToken(thread, NtHandle.Null), "SetThreadToken(victim, NULL)");
        Is(w, Success, nt.NtClose(copy));
        Is(w, Success, nt.NtClose(source));
        Is(w, Success, nt.NtClose(thread));
        Is(w, NtStatus.AccessDenied, nt.NtOpenThread(out _, ThreadAccessRights.SetThreadToken, HandleAttributes.None, w.Pick(w.OtherUserVictims).ThreadId));
    }

    private static void ImpersonateThread(Worker w)
    {
        var nt = w.Nt;
        var level = w.AnyLevel();
        // As its own client: a copy of its process token at the level asked.
        Is(w, Success, nt.NtImpersonateThread(NtHandle.CurrentThread, NtHandle.CurrentThread, new SecurityQualityOfService(level)));
        Is(w, level == SecurityImpersonationLevel.Anonymous ? NtStatus.CantOpenAnonymous : Success,
            nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out var worn));
        if (!worn.IsNull) Is(w, Success, nt.NtClose(worn));
        Check(w.Win32.RevertToSelf(), "RevertToSelf");

        // A victim takes on another worker's context: that worker may be impersonating at a lower level right now.
        Is(w, Success, nt.NtOpenThread(out var server, ThreadAccessRights.Impersonate | ThreadAccessRights.SetThreadToken, HandleAttributes.None, w.Pick(w.Victims).ThreadId));
        Is(w, Success, nt.NtOpenThread(out var client, ThreadAccessRights.DirectImpersonation, HandleAttributes.None, w.Pick(w.Clients).ThreadId));
        OneOf(w, [Success, NtStatus.BadImpersonationLevel], nt.NtImpersonateThread(server, client, new SecurityQualityOfService(w.AnyLevel())));
        Check(w.Win32.SetThreadToken(server, NtHandle.Null), "SetThreadToken(victim, NULL)");
        Is(w, Success, nt.NtClose(client));
        Is(w, Success, nt.NtClose(server));
    }

    private static void DuplicateHandles(Worker w)
    {
        var nt = w.Nt;
        const uint tokenAccess = TokenAccessRights.Query | TokenAccessRights.Duplicate;
        Is(w, Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, tokenAccess, out var token));
        Is(w, Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, token, NtHandle.CurrentProcess, out var same, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Is(w, Success, nt.NtQueryObject(same, out var info));
        Check(info.GrantedAccess == tokenAccess, "DUPLICATE_SAME_ACCESS");
        Is(w, Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, token, NtHandle.CurrentProcess, out var less, TokenAccessRights.Query, HandleAttributes.None, DuplicateOptions.None));
        Is(w, Success, nt.NtQueryObject(less, out info));
        Check(info.GrantedAccess == TokenAccessRights.Query, "a subset of the source's access");
        // More than the source handle has is an access check against the token, which the user passes.
        Is(w, Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, token, NtHandle.CurrentProcess, out var more, TokenAccessRights.AdjustDefault, HandleAttributes.None, DuplicateOptions.None));
        // An inheritable handle: a child another worker creates with bInheritHandles may take a copy along.
        Is(w, Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, token, NtHandle.CurrentProcess, out var inheritable, 0, HandleAttributes.Inherit, DuplicateOptions.SameAccess));

        Is(w, Success, nt.NtOpenProcess(out var peer, ProcessAccessRights.DupHandle, HandleAttributes.None, w.Peer.ProcessId));
        Is(w, Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, token, peer, out var remote, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        if (w.Random.Next(2) == 0)
        {
            Is(w, Success, nt.NtDuplicateObject(peer, remote, NtHandle.CurrentProcess, out var back, 0, HandleAttributes.None, DuplicateOptions.SameAccess | DuplicateOptions.CloseSource));
            Is(w, Success, nt.NtClose(back));
        }
        else
        {
            Is(w, Success, nt.NtDuplicateObject(peer, remote, NtHandle.Null, out _, 0, HandleAttributes.None, DuplicateOptions.CloseSource));
        }
        Is(w, Success, nt.NtOpenProcess(out var weak, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, w.Peer.ProcessId));
        Is(w, NtStatus.AccessDenied, nt.NtDuplicateObject(NtHandle.CurrentProcess, token, weak, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Is(w, NtStatus.AccessDenied, nt.NtOpenProcess(out _, ProcessAccessRights.DupHandle, HandleAttributes.None, w.Pick(w.OtherUserProcesses).ProcessId));

        foreach (var h in new[] { weak, peer, inheritable, more, less, same, token }) Is(w, Success, nt.NtClose(h));
    }

    private static void HandleChurn(Worker w)
    {
        // Cheap calls in a tight loop on a table other threads use too: the table and the counts change most often
        // here, so a mutation made outside the lock is most likely to collide with another.
        var nt = w.Nt;
        Is(w, Success, nt.NtOpenProcess(out var self, ProcessAccessRights.QueryLimitedInformation | ProcessAccessRights.DupHandle, HandleAttributes.None, w.Process.ProcessId));
        var copies = new List<NtHandle>();
        for (int i = 0; i < 32; i++)
        {
            Is(w, Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, self, NtHandle.CurrentProcess, out var copy, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
            copies.Add(copy);
            if (w.Random.Next(3) == 0)
            {
                Is(w, Success, nt.NtClose(copies[^1]));
                copies.RemoveAt(copies.Count - 1);
            }
        }
        foreach (var copy in copies) Is(w, Success, nt.NtClose(copy));
        Is(w, Success, nt.NtClose(self));
    }

    private static void NamedObjects(Worker w)
    {
        var nt = w.Nt;
        string name = w.OwnPrefix + w.Random.Next(3).ToString(CultureInfo.InvariantCulture);
        bool openIf = w.Random.Next(2) == 0;
        var created = OneOf(w, openIf ? [Success, NtStatus.ObjectNameExists] : [Success, NtStatus.ObjectNameCollision],
            nt.NtCreateObject(ObjectTypes.Event, new ObjectAttributes(name, openIf ? HandleAttributes.OpenIf : HandleAttributes.None), AccessMask.GenericAll, out var ev));
        Check(created.IsSuccess != ev.IsNull, "a handle exactly when the call succeeded");
        if (!ev.IsNull)
        {
            Is(w, Success, nt.NtQuerySecurityObject(ev, SecurityInformation.Owner | SecurityInformation.Dacl, out var sd));
            Check(sd!.Owner == w.User, "the event's owner is its creator");
        }
        // The last handle to a named event takes its name with it.
        OneOf(w, [Success, NtStatus.ObjectNameNotFound], nt.NtOpenObject(new ObjectAttributes(name), AccessMask.GenericRead, out var opened, ObjectTypes.Event));
        OneOf(w, [NtStatus.AccessDenied, NtStatus.ObjectNameNotFound],
            nt.NtOpenObject(new ObjectAttributes(w.OtherPrefix + w.Random.Next(3).ToString(CultureInfo.InvariantCulture)), AccessMask.GenericRead, out _));
        Is(w, NtStatus.ObjectTypeMismatch, nt.NtOpenObject(new ObjectAttributes(w.OwnFile), FileReadData, out _, ObjectTypes.Event));
        Is(w, Success, nt.NtOpenObject(new ObjectAttributes(w.OwnFile), FileReadData, out var file, ObjectTypes.File));
        Is(w, NtStatus.AccessDenied, nt.NtOpenObject(new ObjectAttributes(w.OwnFile), FileWriteData, out _, ObjectTypes.File));
        Is(w, NtStatus.AccessDenied, nt.NtOpenObject(new ObjectAttributes(w.OtherFile), FileReadData, out _, ObjectTypes.File));
        Is(w, Success, nt.NtCreateObject(ObjectTypes.Event, new ObjectAttributes(), AccessMask.GenericAll, out var unnamed));

        foreach (var h in new[] { unnamed, file, opened, ev })
            if (!h.IsNull) Is(w, Success, nt.NtClose(h));
    }

    private static void CreateThreadAndEndIt(Worker w)
    {
        var nt = w.Nt;
        Is(w, Success, nt.NtCreateThread(out var handle, ThreadAccessRights.AllAccess, NtHandle.CurrentProcess, out var extra));
        Is(w, Success, extra!.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var itsHandle));
        Check(extra.Win32.ImpersonateSelf(SecurityImpersonationLevel.Identification), "ImpersonateSelf on the new thread");
        Is(w, Success, nt.NtTerminateThread(handle, Success));
        Check(extra.IsTerminated && !w.Process.IsTerminated, "the thread ended, its process did not");
        Is(w, NtStatus.ThreadIsTerminating, extra.Nt.NtClose(itsHandle));
        // Its impersonation ended with it; the handle it opened belongs to the process and outlives it.
        Is(w, NtStatus.NoToken, nt.NtOpenThreadToken(handle, TokenAccessRights.Query, true, out _));
        Is(w, Success, nt.NtClose(itsHandle));
        Is(w, Success, nt.NtClose(handle));
    }

    private static void CreateRestrictedChild(Worker w)
    {
        var nt = w.Nt;
        Is(w, Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AssignPrimary, out var token));
        Check(w.Win32.CreateRestrictedToken(token, FilterTokenFlags.DisableMaxPrivilege, null, null,
            [new SidAndAttributes(WellKnownSids.World, GroupAttributes.None), new SidAndAttributes(w.Logon, GroupAttributes.None)], out var restricted), "CreateRestrictedToken");
        Check(w.Win32.CreateProcessAsUser(restricted, "child.exe", null, w.Random.Next(2) == 0, out var info), $"CreateProcessAsUser: error {w.Win32.GetLastError()}");
        var child = w.System.FindProcess(info.ProcessId);
        var first = w.System.FindThread(info.ThreadId);
        Check(child is not null && first is not null && first.Process == child && child.ParentProcessId == w.Process.ProcessId, "the child and its first thread");
        var c = first!;

        // The child's restricting SIDs let it query its token (the logon SID reads it) but not duplicate it.
        Is(w, Success, c.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var childToken));
        Is(w, Success, c.Nt.NtQueryInformationToken(childToken, TokenInformationClass.TokenRestrictedSids, out var restrictedSids));
        Check(((ImmutableArray<SidAndAttributes>)restrictedSids!).Length == 2, "the child's restricting SIDs");
        Is(w, Success, c.Nt.NtClose(childToken));
        Is(w, NtStatus.AccessDenied, c.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out _));
        Check(!c.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation) && c.Win32.GetLastError() == 5, "ImpersonateSelf needs TOKEN_DUPLICATE");
        Is(w, Success, c.Nt.NtOpenProcess(out var parent, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, w.Process.ProcessId));
        Is(w, Success, c.Nt.NtClose(parent));
        Is(w, NtStatus.AccessDenied, c.Nt.NtOpenProcess(out _, ProcessAccessRights.Terminate, HandleAttributes.None, w.Process.ProcessId));
        Check(c.Win32.CheckTokenMembership(NtHandle.Null, WellKnownSids.World, out bool world) && world, "Everyone is a restricting SID");
        Check(c.Win32.CheckTokenMembership(NtHandle.Null, WellKnownSids.BuiltinUsers, out bool users) && !users, "Users is not");
        Is(w, Success, c.Nt.NtCreateThread(out var second, ThreadAccessRights.AllAccess, NtHandle.CurrentProcess, out _));
        Is(w, Success, c.Nt.NtTerminateThread(second, Success));
        Is(w, Success, c.Nt.NtClose(second));

        // It ends by its parent's hand or by its only thread's exit; either way its handles close.
        if (w.Random.Next(2) == 0) Is(w, Success, nt.NtTerminateProcess(info.Process, new NtStatus(1)));
        else Is(w, Success, c.Nt.NtTerminateThread(NtHandle.CurrentThread, Success));
        Check(child!.IsTerminated && child.HandleTableCount == 0, "the child has exited and closed its handles");
        Is(w, NtStatus.ThreadIsTerminating, c.Nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out _));
        Is(w, NtStatus.ProcessIsTerminating, nt.NtTerminateProcess(info.Process, Success));
        Is(w, NtStatus.ProcessIsTerminating, nt.NtDuplicateObject(NtHandle.CurrentProcess, token, info.Process, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));

        foreach (var h in new[] { info.Thread, info.Process, restricted, token }) Is(w, Success, nt.NtClose(h));
        // The other user's token may be queried and duplicated here, not assigned.
        Check(!w.Win32.CreateProcessAsUser(w.OtherUserToken, "other.exe", null, false, out _) && w.Win32.GetLastError() == 5, "CreateProcessAsUser(other user's token)");
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Concurrent adjustments of one token

    [Fact]
    public async Task Concurrent_adjustments_of_one_token_lose_no_update_and_readers_see_whole_snapshots()
    {
        const int writers = 8;
        const int readers = 2;
        const int flips = 300;
        // Writer k owns the privilege pair (P[k], Q[k]) and the group pair (G[k], H[k]); one call flips both members
        // of a pair, so every state the token passes through has exactly one of each pair enabled.
        var names = Privileges.All.Select(p => p.Name).Where(n => n != "SeChangeNotifyPrivilege").Take(2 * writers).ToArray();
        var p = names.Take(writers).ToArray();
        var q = names.Skip(writers).ToArray();
        var g = Enumerable.Range(0, writers).Select(k => KernelFixtures.Domain.Append(3000 + (uint)k)).ToArray();
        var h = Enumerable.Range(0, writers).Select(k => KernelFixtures.Domain.Append(4000 + (uint)k)).ToArray();
        var builder = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
        for (int k = 0; k < writers; k++)
        {
            builder.AddPrivilege(p[k], PrivilegeAttributes.Enabled).AddPrivilege(q[k], PrivilegeAttributes.None);
            builder.AddGroup(g[k], GroupAttributes.Enabled).AddGroup(h[k], GroupAttributes.None);
        }
        var system = new EmulatedSystem();
        int baseline = system.LiveObjectCount;
        var process = system.CreateProcess(builder.Build(), "shared.exe");
        var threads = Enumerable.Range(0, writers + readers).Select(_ => system.CreateThread(process)).ToArray();
        var failures = new ConcurrentQueue<string>();
        var privilegeNames = p.Concat(q).ToHashSet();

        void Writer(int k)
        {
            var nt = threads[k].Nt;
            Is(null, Success, nt.NtOpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.AdjustPrivileges | TokenAccessRights.AdjustGroups | TokenAccessRights.Query, out var token));
            for (int i = 0; i < flips; i++)
            {
                bool pOn = i % 2 == 1;
                var previousPrivileges = new List<Privilege>();
                Is(null, Success, nt.NtAdjustPrivilegesToken(token, false,
                    [Privilege.Create(p[k], pOn ? PrivilegeAttributes.Enabled : PrivilegeAttributes.None), Privilege.Create(q[k], pOn ? PrivilegeAttributes.None : PrivilegeAttributes.Enabled)],
                    previousPrivileges));
                // Nobody else touches this pair: the previous state is exactly the one this thread left.
                Check(previousPrivileges.Count == 2
                      && previousPrivileges.Single(x => x.Name == p[k]).IsEnabled == !pOn
                      && previousPrivileges.Single(x => x.Name == q[k]).IsEnabled == pOn, $"writer {k} flip {i}: previous privileges {string.Join(", ", previousPrivileges)}");
                var previousGroups = new List<SidAndAttributes>();
                Is(null, Success, nt.NtAdjustGroupsToken(token, false,
                    [new SidAndAttributes(g[k], pOn ? GroupAttributes.Enabled : GroupAttributes.None), new SidAndAttributes(h[k], pOn ? GroupAttributes.None : GroupAttributes.Enabled)],
                    previousGroups));
                Check(previousGroups.Count == 2
                      && previousGroups.Single(x => x.Sid == g[k]).IsEnabled == !pOn
                      && previousGroups.Single(x => x.Sid == h[k]).IsEnabled == pOn, $"writer {k} flip {i}: previous groups {string.Join(", ", previousGroups)}");
            }
            Is(null, Success, nt.NtClose(token));
        }

        int snapshots = 0;
        using var writing = new CancellationTokenSource();
        void Reader(int r)
        {
            var thread = threads[writers + r];
            var last = default(Luid);
            while (!writing.IsCancellationRequested)
            {
                // One call, one snapshot: the groups and privileges it returns were current together.
                Is(null, Success, thread.Nt.NtQueryInformationToken(NtHandle.CurrentProcessToken, TokenInformationClass.TokenGroupsAndPrivileges, out var info));
                var gp = (TokenGroupsAndPrivileges)info!;
                var enabledPrivileges = gp.Privileges.Where(x => privilegeNames.Contains(x.Name)).ToDictionary(x => x.Name, x => x.IsEnabled);
                var enabledGroups = gp.Sids.ToDictionary(x => x.Sid, x => x.IsEnabled);
                for (int k = 0; k < writers; k++)
                {
                    Check(enabledPrivileges[p[k]] != enabledPrivileges[q[k]], $"a snapshot with {p[k]} and {q[k]} both {(enabledPrivileges[p[k]] ? "enabled" : "disabled")}");
                    Check(enabledGroups[g[k]] != enabledGroups[h[k]], $"a snapshot with groups {g[k]} and {h[k]} both in one state");
                }
                // Each adjustment publishes a new snapshot with a new ModifiedId, in order.
                Is(null, Success, thread.Nt.NtQueryInformationToken(NtHandle.CurrentProcessToken, TokenInformationClass.TokenStatistics, out var statistics));
                var modified = ((TokenStatistics)statistics!).ModifiedId;
                Check(modified.Value >= last.Value, $"ModifiedId went back from {last} to {modified}");
                last = modified;
                var token = process.PrimaryToken.Token;
                Check(token.Privileges.Count(x => x.IsEnabled && privilegeNames.Contains(x.Name)) == writers, "TokenObject.Token is a whole snapshot");
                Interlocked.Increment(ref snapshots);
            }
        }

        void Guard(Action body, string who)
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failures.Enqueue($"{who}: {e}");
            }
        }

        var readerTasks = Enumerable.Range(0, readers).Select(r => Task.Factory.StartNew(() => Guard(() => Reader(r), $"reader {r}"),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var writerTasks = Enumerable.Range(0, writers).Select(k => Task.Factory.StartNew(() => Guard(() => Writer(k), $"writer {k}"),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        await Task.WhenAll(writerTasks);
        await writing.CancelAsync();
        await Task.WhenAll(readerTasks);
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures));
        Assert.True(snapshots > 0, "the readers read nothing");
        output.WriteLine($"{writers} writers x {flips} flips, {snapshots} snapshots read");

        // Every writer flipped its pairs an even number of times: each is back where it started.
        var final = process.PrimaryToken.Token;
        for (int k = 0; k < writers; k++)
        {
            Assert.True(final.IsPrivilegeEnabled(Privilege.Create(p[k], PrivilegeAttributes.None).Luid), p[k]);
            Assert.False(final.IsPrivilegeEnabled(Privilege.Create(q[k], PrivilegeAttributes.None).Luid), q[k]);
            Assert.True(final.Groups.Single(x => x.Sid == g[k]).IsEnabled, g[k].ToString());
            Assert.False(final.Groups.Single(x => x.Sid == h[k]).IsEnabled, h[k].ToString());
        }
        Assert.Equal(0, process.HandleTableCount);
        system.TerminateProcess(process, Success);
        Assert.Equal(baseline, system.LiveObjectCount);
        KernelInvariants.AssertConsistent(system);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Set-up and checks

    private static Token AliceToken() => KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001)
        .AddGroup(Project, GroupAttributes.EnabledByDefault | GroupAttributes.Enabled).Build();

    private static Token BobToken() => KernelFixtures.UserBuilder(KernelFixtures.Bob, KernelFixtures.BobLogon, 0x1002)
        .AddGroup(Project, GroupAttributes.EnabledByDefault | GroupAttributes.Enabled).Build();

    private static SecurityDescriptor FileReadableBy(Sid user) => new(WellKnownSids.LocalSystem, WellKnownSids.LocalSystem,
        new Acl([Ace.Allow(WellKnownSids.LocalSystem, AccessMask.GenericAll), Ace.Allow(user, AccessMask.GenericRead)]));

    /// <summary>
    /// Puts into each process a handle (TOKEN_QUERY | TOKEN_DUPLICATE) to a primary token of the other user, as a
    /// service would hand one over: the System process opens it (SeDebugPrivilege) and duplicates it across.
    /// </summary>
    private static Dictionary<ProcessObject, NtHandle> GiveOtherUsersToken(EmulatedSystem system, ProcessObject[] alice, ProcessObject[] bob)
    {
        var nt = system.SystemProcess.Threads[0].Nt;
        var result = new Dictionary<ProcessObject, NtHandle>();
        foreach (var (target, owner) in alice.Select(a => (a, bob[0])).Concat(bob.Select(b => (b, alice[0]))))
        {
            Assert.Equal(Success, nt.NtOpenProcess(out var source, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.None, owner.ProcessId));
            Assert.Equal(Success, nt.NtOpenProcessToken(source, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var token));
            Assert.Equal(Success, nt.NtOpenProcess(out var into, ProcessAccessRights.DupHandle, HandleAttributes.None, target.ProcessId));
            Assert.Equal(Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, token, into, out var there, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
            result[target] = there;
            foreach (var handle in new[] { into, token, source }) Assert.Equal(Success, nt.NtClose(handle));
        }
        return result;
    }

    private static void Is(Worker? w, NtStatus expected, NtStatus actual, [CallerArgumentExpression(nameof(actual))] string call = "")
    {
        if (w is not null) NextCall(w);
        if (actual != expected) throw new XunitException($"{call} returned {actual}; expected {expected}");
    }

    private static NtStatus OneOf(Worker w, NtStatus[] allowed, NtStatus actual, [CallerArgumentExpression(nameof(actual))] string call = "", [CallerLineNumber] int line = 0)
    {
        NextCall(w);
        if (Array.IndexOf(allowed, actual) < 0) throw new XunitException($"{call} returned {actual}; expected one of {string.Join(", ", allowed)}");
        string key = $"{call[..call.IndexOf('(', StringComparison.Ordinal)]} (line {line}) -> {actual}";
        w.Outcomes[key] = w.Outcomes.GetValueOrDefault(key) + 1;
        return actual;
    }

    private static void NextCall(Worker w)
    {
        w.Calls++;
        // The kernel lock lets the thread that just released it take it straight back, so without giving up the
        // processor a worker runs whole scenarios alone and the scenarios barely interleave.
        Thread.Sleep(0);
    }

    private static void Check(bool condition, string what)
    {
        if (!condition) throw new XunitException($"not so: {what}");
    }
}
