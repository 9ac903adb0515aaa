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

    /// <summary>The TEB's LastErrorValue, which the Win32 layer sets.</summary>
    public int LastError { get; set; }

    /// <summary>The TEB's LastStatusValue: the NTSTATUS the last failing Win32 function turned into <see cref="LastError"/> (RtlGetLastNtStatus).</summary>
    public NtStatus LastStatus { get; set; }

    /// <summary>
    /// The last access check an open made on this thread, with its explanation, when
    /// <see cref="EmulatedSystem.ExplainAccessChecks"/> is on; null otherwise.
    /// </summary>
    public ObjectAccessCheck? LastAccessCheck { get; internal set; }

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

/// <summary>An access check the object manager made when a thread opened an object, with its explanation.</summary>
/// <param name="Object">The object.</param>
/// <param name="Subject">The token the check used.</param>
/// <param name="DesiredAccess">The access asked for, generic rights mapped.</param>
/// <param name="MaximumAllowed">What a MAXIMUM_ALLOWED request would have been granted (0 when nothing).</param>
/// <param name="Explanation">Every stage and ACE of the check.</param>
public sealed record ObjectAccessCheck(KernelObject Object, Tokens.Token Subject, uint DesiredAccess, uint MaximumAllowed, AccessCheckExplanation Explanation);
