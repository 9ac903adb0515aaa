using NtSec.Authorization;
using NtSec.Descriptors;

namespace NtSec.Kernel;

/// <summary>
/// An emulated process: a primary token, a handle table, its threads, and the desktop it was started on.
/// </summary>
public sealed class ProcessObject : KernelObject
{
    private readonly List<ThreadObject> _threads = [];
    private TokenObject _token;

    internal ProcessObject(EmulatedSystem system, int processId, string imageName, TokenObject primaryToken, DesktopObject? desktop, ProcessObject? parent, SecurityDescriptor securityDescriptor)
        : base(system, ObjectTypes.Process, null, securityDescriptor)
    {
        ProcessId = processId;
        ImageName = imageName;
        primaryToken.AddReference();
        _token = primaryToken;
        desktop?.AddReference();
        Desktop = desktop;
        ParentProcessId = parent?.ProcessId ?? 0;
        Handles = new HandleTable(0);
    }

    /// <summary>The process ID (a multiple of 4, as Windows allocates them).</summary>
    public int ProcessId { get; }

    /// <summary>The image name given when the process was created.</summary>
    public string ImageName { get; }

    /// <summary>The ID of the process that created this one (0 for a process the system created).</summary>
    public int ParentProcessId { get; }

    /// <summary>The process's primary token.</summary>
    public TokenObject PrimaryToken
    {
        get { lock (System.SyncRoot) return _token; }
    }

    internal TokenObject PrimaryTokenLocked => _token;

    /// <summary>The desktop the process was started on (null for a process with no desktop, such as System).</summary>
    public DesktopObject? Desktop { get; private set; }

    /// <summary>The threads that have not exited, oldest first.</summary>
    public IReadOnlyList<ThreadObject> Threads
    {
        get { lock (System.SyncRoot) return [.. _threads]; }
    }

    internal List<ThreadObject> ThreadsLocked => _threads;

    /// <summary>
    /// The thread the process was created with, also after it exited (a process that could not connect to its
    /// desktop ends before its first thread runs): a caller that started the process can still name it.
    /// </summary>
    public ThreadObject? InitialThread { get; internal set; }

    /// <summary>True once the process has exited.</summary>
    public bool IsTerminated { get; internal set; }

    /// <summary>The exit status, once the process has exited.</summary>
    public NtStatus ExitStatus { get; internal set; } = new(0x103); // STATUS_PENDING, as GetExitCodeProcess reports STILL_ACTIVE.

    internal HandleTable Handles { get; }

    /// <summary>
    /// Why the process ended at start with STATUS_DLL_INIT_FAILED: the window station or desktop that refused its
    /// connection, in which pass, with the access check. Null for a process that connected (or has not yet: one
    /// created suspended connects when its first thread resumes).
    /// </summary>
    public DesktopRefusal? ConnectionRefusal { get; internal set; }

    /// <summary>A suspended new process's pending connection: whether lpDesktop named nothing, and the name.</summary>
    internal (bool DesktopNotFound, string? DesktopName)? PendingConnection { get; set; }

    /// <summary>The handles the process holds, in handle order.</summary>
    public IReadOnlyList<(NtHandle Handle, HandleEntry Entry)> GetHandles()
    {
        lock (System.SyncRoot) return [.. Handles.Snapshot().Select(e => (new NtHandle(e.Value), e.Entry))];
    }

    /// <summary>The number of handles the process holds.</summary>
    public int HandleTableCount
    {
        get { lock (System.SyncRoot) return Handles.Count; }
    }

    private protected override void OnDelete()
    {
        Handles.CloseAll();
        _token.Release();
        Desktop?.Release();
        Desktop = null;
    }

    /// <summary>Image name and ID.</summary>
    public override string ToString() => $"Process {ImageName} ({ProcessId})";
}
