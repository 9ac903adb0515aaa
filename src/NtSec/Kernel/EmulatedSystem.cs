using System.Collections.Immutable;
using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Authorization.Conditions;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Kernel;

/// <summary>
/// An emulated Windows machine: the object manager, the processes and threads, and the namespace of named objects.
/// Setting up (creating the first processes, the objects a test needs, desktops) is done here, as Windows' boot and
/// session manager would, without checks; everything a program does afterwards goes through a thread's
/// <see cref="ThreadObject.Nt"/> or <c>Win32</c> calls and is checked.
/// </summary>
/// <remarks>
/// System calls may come from many .NET threads at once. The emulated kernel serialises them with one lock, so
/// handle tables, reference counts and token state are always consistent; the access checks inside run on
/// immutable snapshots and allocate nothing.
/// </remarks>
public sealed partial class EmulatedSystem
{
    private readonly HashSet<KernelObject> _live = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<int, ProcessObject> _processes = [];
    private readonly Dictionary<int, ThreadObject> _threads = [];
    private readonly Dictionary<string, KernelObject> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<KernelObject> _permanent = new(ReferenceEqualityComparer.Instance);
    private int _nextClientId;
    private Token? _anonymousToken;

    /// <summary>Creates a machine with its System process (PID 4, running as LocalSystem).</summary>
    public EmulatedSystem()
    {
        KernelHandles = new HandleTable(NtHandle.KernelHandleBase);
        lock (SyncRoot)
        {
            SystemToken = BuildSystemToken();
            SystemProcess = CreateProcessLocked(SystemToken, "System", null, null, out _);
        }
    }

    internal Lock SyncRoot { get; } = new();

    internal HandleTable KernelHandles { get; }

    /// <summary>The LocalSystem token the System process runs with.</summary>
    public Token SystemToken { get; }

    /// <summary>The System process (PID 4). Its handle table is the kernel's table only in name: kernel handles are separate.</summary>
    public ProcessObject SystemProcess { get; }

    /// <summary>
    /// The "Network access: Let Everyone permissions apply to anonymous users" policy; off by default since
    /// Windows XP, so the anonymous token has no Everyone group.
    /// </summary>
    public bool EveryoneIncludesAnonymous { get; init; }

    /// <summary>
    /// When true, every access check an open makes carries its explanation (and what MAXIMUM_ALLOWED would have
    /// granted) in the calling thread's <see cref="ThreadObject.LastCall"/>; it costs a second check and the
    /// explanation's allocations per open, so it is off by default.
    /// </summary>
    public bool ExplainAccessChecks { get; set; }

    /// <summary>
    /// The central access policies this machine has (a file server's CAPs, as Group Policy delivers them). An open of
    /// an object whose SACL names one by an SP ACE runs its rules after the DACL (see <see cref="CentralAccessCheck"/>);
    /// a policy the object names that is not here gets the recovery policy, as on Windows. Empty (the default): no
    /// policy is configured and SP ACEs are ignored.
    /// </summary>
    public ImmutableArray<CentralAccessPolicy> CentralAccessPolicies { get; set; } = [];

    /// <summary>The number of objects that still exist (a leak test compares it before and after).</summary>
    public int LiveObjectCount
    {
        get { lock (SyncRoot) return _live.Count; }
    }

    /// <summary>The objects that still exist.</summary>
    public IReadOnlyList<KernelObject> LiveObjects
    {
        get { lock (SyncRoot) return [.. _live]; }
    }

    /// <summary>The number of handles in the kernel's table.</summary>
    public int KernelHandleCount
    {
        get { lock (SyncRoot) return KernelHandles.Count; }
    }

    /// <summary>The processes that have not exited.</summary>
    public IReadOnlyList<ProcessObject> Processes
    {
        get { lock (SyncRoot) return [.. _processes.Values.OrderBy(p => p.ProcessId)]; }
    }

    /// <summary>
    /// Starts a process as the session manager would: with <paramref name="primaryToken"/> (converted to a primary
    /// token if needed), one thread, an empty handle table, and <paramref name="desktop"/>. No check is made on the
    /// token; the process then connects to its desktop as user32 would (<see cref="GetDesktopConnection"/>), and a
    /// token that may not use the desktop leaves the returned process exited with STATUS_DLL_INIT_FAILED, as on
    /// Windows.
    /// </summary>
    /// <param name="primaryToken">The process's token.</param>
    /// <param name="imageName">A name for the process (shown in output).</param>
    /// <param name="desktop">The desktop the process runs on; null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="desktop"/> belongs to another system or has been deleted.</exception>
    public ProcessObject CreateProcess(Token primaryToken, string imageName = "process.exe", DesktopObject? desktop = null)
    {
        ArgumentNullException.ThrowIfNull(primaryToken);
        lock (SyncRoot)
        {
            // Checked before anything is created: a failure half-way would leave the new token object unreleased.
            if (desktop is not null && (!ReferenceEquals(desktop.System, this) || desktop.IsDeleted))
                throw new ArgumentException($"{desktop} is not a live desktop of this system.", nameof(desktop));
            var token = primaryToken.Type == TokenType.Primary ? primaryToken : NtCalls.Copy(primaryToken, TokenType.Primary, SecurityImpersonationLevel.Anonymous, effectiveOnly: false);
            var process = CreateProcessLocked(token, imageName, desktop, null, out _);
            ConnectToDesktopLocked(process);
            return process;
        }
    }

    /// <summary>
    /// Starts a process of a UAC split logon, as the session manager would after an administrator logs on: the
    /// process runs with <paramref name="primaryToken"/> (usually the limited half), whose TokenLinkedToken is
    /// <paramref name="linkedToken"/> (the other half). The two must have opposite elevation types (Limited and
    /// Full). No check is made.
    /// </summary>
    /// <remarks>
    /// The link goes one way: the linked token's own TokenLinkedToken is empty, since two token objects that
    /// referenced each other would never be freed. A process started with the other half sees its link the same way.
    /// </remarks>
    /// <param name="primaryToken">The process's token (converted to a primary token if needed).</param>
    /// <param name="linkedToken">The other half of the split token.</param>
    /// <param name="imageName">A name for the process.</param>
    /// <param name="desktop">The desktop the process runs on; null for none.</param>
    /// <exception cref="ArgumentException">The elevation types are not Limited and Full.</exception>
    public ProcessObject CreateProcess(Token primaryToken, Token linkedToken, string imageName = "process.exe", DesktopObject? desktop = null)
    {
        ArgumentNullException.ThrowIfNull(primaryToken);
        ArgumentNullException.ThrowIfNull(linkedToken);
        if ((primaryToken.ElevationType, linkedToken.ElevationType) is not ((TokenElevationType.Limited, TokenElevationType.Full) or (TokenElevationType.Full, TokenElevationType.Limited)))
            throw new ArgumentException($"The halves of a split token are Limited and Full, not {primaryToken.ElevationType} and {linkedToken.ElevationType}.", nameof(linkedToken));
        lock (SyncRoot)
        {
            var token = primaryToken.Type == TokenType.Primary ? primaryToken : NtCalls.Copy(primaryToken, TokenType.Primary, SecurityImpersonationLevel.Anonymous, effectiveOnly: false);
            var other = linkedToken.Type == TokenType.Primary ? linkedToken : NtCalls.Copy(linkedToken, TokenType.Primary, SecurityImpersonationLevel.Anonymous, effectiveOnly: false);
            var process = CreateProcessLocked(token, imageName, desktop, null, out _);
            var linked = new TokenObject(this, other, ObjectSecurity.ForNewObject(other, ObjectTypes.Token, other.IntegrityLevel, ObjectSecurity.NoWriteUp));
            process.PrimaryTokenLocked.LinkedTokenLocked = linked;
            linked.Release();
            return process;
        }
    }

    /// <summary>Adds a thread to a process without any check (the process's own CreateThread is <see cref="NtCalls.NtCreateThread"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="process"/> belongs to another system.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="process"/> has exited.</exception>
    public ThreadObject CreateThread(ProcessObject process)
    {
        ArgumentNullException.ThrowIfNull(process);
        CheckOwn(process, nameof(process));
        lock (SyncRoot)
        {
            if (process.IsTerminated) throw new InvalidOperationException($"{process} has exited.");
            var thread = CreateThreadLocked(process, ThreadSecurity(process.PrimaryTokenLocked.TokenLocked, process.PrimaryTokenLocked.TokenLocked));
            thread.Release();
            return thread;
        }
    }

    /// <summary>
    /// Creates a permanent named object (it exists with no handle open, like a file or registry key on disk).
    /// </summary>
    /// <param name="type">The object type (<see cref="ObjectTypes.File"/>, <see cref="ObjectTypes.Key"/>, <see cref="ObjectTypes.Event"/> ...).</param>
    /// <param name="name">The object's name; names compare without case.</param>
    /// <param name="securityDescriptor">Its security descriptor; it needs an owner and a group.</param>
    /// <exception cref="ArgumentException">The name is taken or the descriptor has no owner or group.</exception>
    public NamedObject CreateObject(ObjectTypeInfo type, string name, SecurityDescriptor securityDescriptor)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(securityDescriptor);
        if (securityDescriptor.Owner is null || securityDescriptor.Group is null)
            throw new ArgumentException("An object's security descriptor needs an owner and a group.", nameof(securityDescriptor));
        lock (SyncRoot)
        {
            if (_names.ContainsKey(name)) throw new ArgumentException($"An object named '{name}' exists already.", nameof(name));
            var obj = new NamedObject(this, type, name, Kernel.ObjectSecurity.MapGenericRights(securityDescriptor, type.GenericMapping));
            _names[name] = obj;
            // The creation reference becomes the permanent reference.
            _permanent.Add(obj);
            return obj;
        }
    }

    /// <summary>Finds a named object (a window station or desktop too: <c>WinSta0\Default</c>).</summary>
    public KernelObject? FindObject(string name)
    {
        lock (SyncRoot) return _names.GetValueOrDefault(name);
    }

    /// <summary>Finds a running process by ID.</summary>
    public ProcessObject? FindProcess(int processId)
    {
        lock (SyncRoot) return _processes.GetValueOrDefault(processId);
    }

    /// <summary>Finds a running thread by ID.</summary>
    public ThreadObject? FindThread(int threadId)
    {
        lock (SyncRoot) return _threads.GetValueOrDefault(threadId);
    }

    /// <summary>Ends a process as if it exited: its threads end, its handles close, its objects are released when unreferenced.</summary>
    /// <exception cref="ArgumentException"><paramref name="process"/> belongs to another system.</exception>
    public void TerminateProcess(ProcessObject process, NtStatus exitStatus)
    {
        ArgumentNullException.ThrowIfNull(process);
        CheckOwn(process, nameof(process));
        lock (SyncRoot) TerminateProcessLocked(process, exitStatus);
    }

    // Process and thread IDs are only unique within one system: another system's process would be taken off this
    // system's lists by its ID, dropping a reference to one of ours, and mutated under the wrong lock.
    private void CheckOwn(KernelObject obj, string paramName)
    {
        if (!ReferenceEquals(obj.System, this)) throw new ArgumentException($"{obj} belongs to another system.", paramName);
    }

    internal void Register(KernelObject obj) => _live.Add(obj);

    internal void Unregister(KernelObject obj)
    {
        _live.Remove(obj);
        if (obj.Name is { } name && _names.TryGetValue(name, out var o) && ReferenceEquals(o, obj)) _names.Remove(name);
    }

    internal KernelObject? FindObjectLocked(string name) => _names.GetValueOrDefault(name);

    /// <summary>True for an object the namespace holds a reference to (a permanent object).</summary>
    internal bool IsPermanentLocked(KernelObject obj) => _permanent.Contains(obj);

    internal ProcessObject? FindProcessLocked(int id) => _processes.GetValueOrDefault(id);

    internal ThreadObject? FindThreadLocked(int id) => _threads.GetValueOrDefault(id);

    internal void AddName(KernelObject obj, bool permanent)
    {
        _names[obj.Name!] = obj;
        if (permanent && _permanent.Add(obj)) obj.AddReference();
    }

    internal int NewClientId() => _nextClientId += 4;

    internal ProcessObject CreateProcessLocked(Token primaryToken, string imageName, DesktopObject? desktop, ProcessObject? parent, out ThreadObject thread, Token? creator = null)
    {
        creator ??= primaryToken;
        var tokenObject = new TokenObject(this, primaryToken, ObjectSecurity.ForNewObject(creator, ObjectTypes.Token, primaryToken.IntegrityLevel, ObjectSecurity.NoWriteUp));
        int pid = NewClientId();
        var process = new ProcessObject(this, pid, imageName, tokenObject, desktop, parent, ObjectSecurity.ForNewObject(creator, ObjectTypes.Process, primaryToken.IntegrityLevel, ObjectSecurity.NoWriteUp | ObjectSecurity.NoReadUp));
        tokenObject.Release();
        // The running process is referenced by the process list until it exits.
        _processes[pid] = process;
        thread = CreateThreadLocked(process, ThreadSecurity(creator, primaryToken));
        process.InitialThread = thread;
        thread.Release();
        return process;
    }

    private static SecurityDescriptor ThreadSecurity(Token creator, Token processToken) =>
        ObjectSecurity.ForNewObject(creator, ObjectTypes.Thread, processToken.IntegrityLevel, ObjectSecurity.NoWriteUp | ObjectSecurity.NoReadUp);

    internal ThreadObject CreateThreadLocked(ProcessObject process, SecurityDescriptor securityDescriptor)
    {
        int tid = NewClientId();
        var thread = new ThreadObject(this, tid, process, securityDescriptor);
        process.ThreadsLocked.Add(thread);
        // The running thread is referenced by the thread list until it exits; the caller releases the creation reference.
        thread.AddReference();
        _threads[tid] = thread;
        return thread;
    }

    internal void TerminateThreadLocked(ThreadObject thread, NtStatus exitStatus)
    {
        if (thread.IsTerminated) return;
        thread.IsTerminated = true;
        thread.ImpersonationTokenLocked = null;
        ReleaseThreadUserStateLocked(thread);
        var process = thread.Process;
        process.ThreadsLocked.Remove(thread);
        _threads.Remove(thread.ThreadId);
        thread.Release();
        // A process ends with its last thread.
        if (process.ThreadsLocked.Count == 0) TerminateProcessLocked(process, exitStatus);
    }

    internal void TerminateProcessLocked(ProcessObject process, NtStatus exitStatus)
    {
        if (process.IsTerminated) return;
        process.IsTerminated = true;
        process.ExitStatus = exitStatus;
        foreach (var t in process.ThreadsLocked.ToList())
        {
            t.IsTerminated = true;
            t.ImpersonationTokenLocked = null;
            ReleaseThreadUserStateLocked(t);
            _threads.Remove(t.ThreadId);
            process.ThreadsLocked.Remove(t);
            t.Release();
        }
        ReleaseProcessUserStateLocked(process);
        // Handles close at exit, not when the process object goes: a process holding a handle to itself must not live forever.
        process.Handles.CloseAll();
        _processes.Remove(process.ProcessId);
        process.Release();
    }

    internal Token AnonymousToken()
    {
        if (_anonymousToken is not null) return _anonymousToken;
        var b = new TokenBuilder(WellKnownSids.Anonymous)
        {
            Type = TokenType.Impersonation,
            ImpersonationLevel = SecurityImpersonationLevel.Impersonation,
            IntegrityLevel = WellKnownSids.UntrustedIntegrity,
            AuthenticationId = new Luid(0x3E6, 0), // ANONYMOUS_LOGON_LUID
            Source = new TokenSource("NtSec", default),
            SessionId = 0,
        };
        if (EveryoneIncludesAnonymous) b.AddGroup(WellKnownSids.World);
        b.AddGroup(WellKnownSids.Network);
        b.DefaultDacl = new Acl([Ace.Allow(WellKnownSids.LocalSystem, AccessMask.GenericAll)]);
        return _anonymousToken = b.Build();
    }

    private static Token BuildSystemToken()
    {
        var b = new TokenBuilder(WellKnownSids.LocalSystem)
        {
            Type = TokenType.Primary,
            IntegrityLevel = WellKnownSids.SystemIntegrity,
            AuthenticationId = new Luid(0x3E7, 0), // SYSTEM_LUID
            Source = new TokenSource("*SYSTEM*", default),
            SessionId = 0,
            Owner = WellKnownSids.BuiltinAdministrators,
            DefaultDacl = new Acl([Ace.Allow(WellKnownSids.LocalSystem, AccessMask.GenericAll), Ace.Allow(WellKnownSids.BuiltinAdministrators, AccessMask.GenericRead | AccessMask.GenericExecute | AccessMask.ReadControl)]),
        };
        b.AddGroup(WellKnownSids.BuiltinAdministrators, GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled | GroupAttributes.Owner);
        b.AddGroup(WellKnownSids.World);
        b.AddGroup(WellKnownSids.AuthenticatedUsers);
        foreach (var (name, _) in Privileges.All) b.AddPrivilege(name);
        return b.Build();
    }
}
