using System.Globalization;

namespace NtSec.Kernel;

/// <summary>
/// A HANDLE as a process sees it: an index into its handle table (a multiple of 4), a pseudo-handle (negative), or
/// NULL. Handles of the kernel's own table (OBJ_KERNEL_HANDLE) have the sign bit of the low 32 bits set, as on
/// 64-bit Windows, and only calls made from kernel mode can use them.
/// </summary>
/// <param name="Value">The handle value.</param>
public readonly record struct NtHandle(long Value)
{
    internal const long KernelHandleBase = unchecked((long)0xFFFF_FFFF_8000_0000);

    /// <summary>NULL.</summary>
    public static NtHandle Null => default;

    /// <summary>NtCurrentProcess(): (HANDLE)-1, the calling process with PROCESS_ALL_ACCESS.</summary>
    public static NtHandle CurrentProcess => new(-1);

    /// <summary>NtCurrentThread(): (HANDLE)-2, the calling thread with THREAD_ALL_ACCESS.</summary>
    public static NtHandle CurrentThread => new(-2);

    /// <summary>NtCurrentSession(): (HANDLE)-3; NtSec has no session objects, so no call accepts it.</summary>
    public static NtHandle CurrentSession => new(-3);

    /// <summary>GetCurrentProcessToken() (Windows 8+): (HANDLE)-4, the process token, for queries only.</summary>
    public static NtHandle CurrentProcessToken => new(-4);

    /// <summary>GetCurrentThreadToken() (Windows 8+): (HANDLE)-5, the thread's impersonation token, for queries only.</summary>
    public static NtHandle CurrentThreadToken => new(-5);

    /// <summary>GetCurrentThreadEffectiveToken() (Windows 8+): (HANDLE)-6, the impersonation token if any, else the process token.</summary>
    public static NtHandle CurrentThreadEffectiveToken => new(-6);

    /// <summary>True for NULL.</summary>
    public bool IsNull => Value == 0;

    /// <summary>True for the pseudo-handles -1 to -6.</summary>
    public bool IsPseudo => Value is >= -6 and <= -1;

    /// <summary>True for a handle in the kernel's handle table.</summary>
    public bool IsKernelHandle => Value <= KernelHandleBase + 0x7FFF_FFFF && Value >= KernelHandleBase;

    /// <summary><c>0x4</c>, or the pseudo-handle's name.</summary>
    public override string ToString() => Value switch
    {
        0 => "NULL",
        -1 => "NtCurrentProcess",
        -2 => "NtCurrentThread",
        -3 => "NtCurrentSession",
        -4 => "NtCurrentProcessToken",
        -5 => "NtCurrentThreadToken",
        -6 => "NtCurrentThreadEffectiveToken",
        _ => "0x" + Value.ToString("x", CultureInfo.InvariantCulture),
    };
}

/// <summary>OBJ_* attributes of OBJECT_ATTRIBUTES and of handles.</summary>
[Flags]
public enum HandleAttributes : uint
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>OBJ_PROTECT_CLOSE: NtClose refuses the handle (STATUS_HANDLE_NOT_CLOSABLE).</summary>
    ProtectFromClose = 0x1,
    /// <summary>OBJ_INHERIT: child processes created with handle inheritance get a copy.</summary>
    Inherit = 0x2,
    /// <summary>OBJ_CASE_INSENSITIVE: names compare without case (NtSec names always do).</summary>
    CaseInsensitive = 0x40,
    /// <summary>OBJ_OPENIF: create opens an existing object of that name instead of failing.</summary>
    OpenIf = 0x80,
    /// <summary>OBJ_KERNEL_HANDLE: the handle goes into the kernel's table; only kernel-mode callers may ask.</summary>
    KernelHandle = 0x200,
    /// <summary>OBJ_FORCE_ACCESS_CHECK: a kernel-mode call checks access as if it came from user mode.</summary>
    ForceAccessCheck = 0x400,
}

/// <summary>DUPLICATE_* options of NtDuplicateObject.</summary>
[Flags]
public enum DuplicateOptions : uint
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>DUPLICATE_CLOSE_SOURCE: the source handle is closed, whatever the outcome.</summary>
    CloseSource = 0x1,
    /// <summary>DUPLICATE_SAME_ACCESS: the new handle gets the source handle's access; DesiredAccess is ignored.</summary>
    SameAccess = 0x2,
    /// <summary>DUPLICATE_SAME_ATTRIBUTES: the new handle gets the source handle's attributes.</summary>
    SameAttributes = 0x4,
}

/// <summary>The mode a system call was made from (KPROCESSOR_MODE): user-mode calls are checked.</summary>
public enum ProcessorMode
{
    /// <summary>KernelMode: the Zw* path; handles are trusted and objects open without an access check.</summary>
    Kernel = 0,
    /// <summary>UserMode: the Nt* path from an application; every access is checked.</summary>
    User = 1,
}
