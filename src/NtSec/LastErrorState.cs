namespace NtSec;

/// <summary>
/// A thread's last error, as the TEB keeps it: LastErrorValue (GetLastError) and LastStatusValue
/// (RtlGetLastNtStatus). An emulated thread has one (<see cref="Kernel.ThreadObject.ErrorState"/>); the functions
/// that are not made on an emulated thread (the static functions of NtSec.Win32.Advapi32) use the calling .NET thread's
/// (<see cref="Current"/>). Either way a failure from an NTSTATUS sets both fields, as RtlNtStatusToDosError does.
/// </summary>
public sealed class LastErrorState
{
    [ThreadStatic]
    private static LastErrorState? _current;

    /// <summary>The calling .NET thread's state, for the functions that run on no emulated thread.</summary>
    public static LastErrorState Current => _current ??= new LastErrorState();

    /// <summary>LastErrorValue.</summary>
    public int Error { get; set; }

    /// <summary>LastStatusValue: the NTSTATUS the last failure from a status was converted from.</summary>
    public NtStatus Status { get; set; }

    /// <summary>Sets the last error from <paramref name="status"/>, as a function failing with it does; returns false.</summary>
    public bool Fail(NtStatus status)
    {
        Status = status;
        Error = status.ToWin32Error();
        return false;
    }

    /// <summary>Sets a Win32 error that no NTSTATUS stands behind; returns false.</summary>
    public bool Fail(int error)
    {
        Error = error;
        return false;
    }

    /// <summary>Sets ERROR_SUCCESS, as functions that clear the last error on success do; returns true.</summary>
    public bool Succeed()
    {
        Error = 0; // ERROR_SUCCESS
        return true;
    }
}
