using NtSec.Authorization;
using NtSec.Descriptors;

namespace NtSec.Kernel;

/// <summary>
/// An emulated thread. Code "runs on" a thread by calling through <see cref="Nt"/> (system calls from user mode,
/// checked), <see cref="Zw"/> (from kernel mode, not checked) or <c>Win32</c> (the advapi32/kernel32
/// layer, an extension property in NtSec.Win32, which sits above the kernel). The thread may wear an impersonation token; otherwise it acts with its process's primary token.
/// </summary>
public sealed class ThreadObject : KernelObject
{
    private TokenObject? _impersonationToken;

    internal ThreadObject(EmulatedSystem system, int threadId, ProcessObject process, SecurityDescriptor securityDescriptor)
        : base(system, ObjectTypes.Thread, null, securityDescriptor)
    {
        ThreadId = threadId;
        process.AddReference();
        Process = process;
        Nt = new NtCalls(this, ProcessorMode.User);
        Zw = new NtCalls(this, ProcessorMode.Kernel);
    }

    /// <summary>The thread ID.</summary>
    public int ThreadId { get; }

    /// <summary>The process the thread belongs to.</summary>
    public ProcessObject Process { get; }

    /// <summary>System calls made by this thread from user mode: every handle use and open is checked.</summary>
    public NtCalls Nt { get; }

    /// <summary>The same calls made from kernel mode (the Zw* path): no access checks, kernel handles allowed.</summary>
    public NtCalls Zw { get; }

    /// <summary>The impersonation token the thread wears, or null when it acts as its process.</summary>
    public TokenObject? ImpersonationToken
    {
        get { lock (System.SyncRoot) return _impersonationToken; }
    }

    internal TokenObject? ImpersonationTokenLocked
    {
        get => _impersonationToken;
        set
        {
            value?.AddReference();
            _impersonationToken?.Release();
            _impersonationToken = value;
        }
    }

    /// <summary>The desktop the thread is attached to: its process's desktop unless the thread switched (SetThreadDesktop).</summary>
    public DesktopObject? Desktop
    {
        get { lock (System.SyncRoot) return DesktopLocked; }
    }

    internal DesktopObject? DesktopOverride { get; set; }

    internal DesktopObject? DesktopLocked => DesktopOverride ?? Process.Desktop;

    /// <summary>The TEB's last-error fields (LastErrorValue and LastStatusValue), which the Win32 layer sets.</summary>
    public LastErrorState ErrorState { get; } = new();

    /// <summary>The TEB's LastErrorValue, which the Win32 layer sets (<see cref="ErrorState"/>).</summary>
    public int LastError
    {
        get => ErrorState.Error;
        set => ErrorState.Error = value;
    }

    /// <summary>The TEB's LastStatusValue: the NTSTATUS the last failing Win32 function turned into <see cref="LastError"/> (RtlGetLastNtStatus).</summary>
    public NtStatus LastStatus
    {
        get => ErrorState.Status;
        set => ErrorState.Status = value;
    }

    /// <summary>
    /// What the last call this thread made (an Nt call, or a Win32-layer function with the Nt calls it made) decided,
    /// and why; null before the first call.
    /// </summary>
    public CallDiagnostic? LastCall => Recorder.Last;

    internal CallRecorder Recorder { get; } = new();

    /// <summary>
    /// The token a handle of this thread's process (or a token pseudo-handle, relative to this thread) refers to now,
    /// or null: an inspection for hosts that display state, with no access check and no diagnostic.
    /// </summary>
    public Tokens.Token? InspectToken(NtHandle handle)
    {
        lock (System.SyncRoot)
            return Nt.ResolveLocked(Process, handle, out var entry, out _, tokenPseudoHandles: true) && entry.Object is TokenObject t ? t.TokenLocked : null;
    }

    /// <summary>The thread's suspend count (a thread created with CREATE_SUSPENDED starts at 1).</summary>
    public int SuspendCount
    {
        get { lock (System.SyncRoot) return SuspendCountLocked; }
    }

    internal int SuspendCountLocked { get; set; }

    /// <summary>True once the thread has exited.</summary>
    public bool IsTerminated { get; internal set; }

    private protected override void OnDelete()
    {
        ImpersonationTokenLocked = null;
        DesktopOverride?.Release();
        DesktopOverride = null;
        Process.Release();
    }

    /// <summary>Thread and process IDs.</summary>
    public override string ToString() => $"Thread {ThreadId} of {Process.ImageName} ({Process.ProcessId})";
}
