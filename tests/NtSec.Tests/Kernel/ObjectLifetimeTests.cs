using NtSec.Win32;
using global::NtSec;
using global::NtSec.Acls;
using global::NtSec.Authorization;
using global::NtSec.Descriptors;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>Reference counting and lifetime: what closes a handle, what releases an object, and what a failed call leaves behind.</summary>
public class ObjectLifetimeTests
{
    [Fact]
    public void DUPLICATE_CLOSE_SOURCE_closes_a_kernel_handle()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        var zw = alice.Threads[0].Zw;
        Assert.Equal(NtStatus.Success, zw.NtOpenProcess(out var kernel, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.KernelHandle, bob.ProcessId));
        Assert.True(kernel.IsKernelHandle);
        Assert.Equal(1, system.KernelHandleCount);

        Assert.Equal(NtStatus.Success, zw.NtDuplicateObject(NtHandle.CurrentProcess, kernel, NtHandle.CurrentProcess, out var copy, 0, HandleAttributes.None, DuplicateOptions.SameAccess | DuplicateOptions.CloseSource));
        Assert.Equal(0, system.KernelHandleCount);
        Assert.Equal(NtStatus.InvalidHandle, zw.NtClose(kernel));
        Assert.Equal(NtStatus.Success, zw.NtClose(copy));

        // With no target, closing the source is all the call does.
        Assert.Equal(NtStatus.Success, zw.NtOpenProcess(out kernel, ProcessAccessRights.QueryLimitedInformation, HandleAttributes.KernelHandle, bob.ProcessId));
        Assert.Equal(NtStatus.Success, zw.NtDuplicateObject(NtHandle.CurrentProcess, kernel, NtHandle.Null, out _, 0, HandleAttributes.None, DuplicateOptions.CloseSource));
        Assert.Equal(0, system.KernelHandleCount);
        Assert.Equal(0, bob.HandleCount);
        KernelInvariants.AssertConsistent(system);
    }

    [Fact]
    public void A_process_that_has_exited_has_no_handle_table_to_duplicate_from()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        int baseline = system.LiveObjectCount;
        var win32 = alice.Threads[0].Win32;
        var nt = alice.Threads[0].Nt;
        Assert.True(win32.CreateProcess("child.exe", null, false, out var child));
        Assert.Equal(NtStatus.Success, nt.NtDuplicateObject(NtHandle.CurrentProcess, child.Thread, child.Process, out var remote, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.Equal(NtStatus.Success, nt.NtTerminateProcess(child.Process, NtStatus.Success));

        Assert.Equal(NtStatus.ProcessIsTerminating, nt.NtDuplicateObject(child.Process, remote, NtHandle.CurrentProcess, out var h, 0, HandleAttributes.None, DuplicateOptions.SameAccess));
        Assert.True(h.IsNull);
        Assert.Equal(NtStatus.ProcessIsTerminating, nt.NtDuplicateObject(NtHandle.CurrentProcess, child.Thread, child.Process, out _, 0, HandleAttributes.None, DuplicateOptions.SameAccess));

        Assert.True(win32.CloseHandle(child.Thread));
        Assert.True(win32.CloseHandle(child.Process));
        Assert.Equal(baseline, system.LiveObjectCount);
        KernelInvariants.AssertConsistent(system);
    }

    [Fact]
    public void A_desktop_that_is_gone_is_refused_before_anything_is_created()
    {
        var (system, _, _) = KernelFixtures.Machine();
        var (other, _, _) = KernelFixtures.Machine();
        var gone = NewDesktop(system);
        lock (system.SyncRoot) gone.Release();
        Assert.True(gone.IsDeleted);
        var foreign = NewDesktop(other);
        int before = system.LiveObjectCount;

        Assert.Throws<ArgumentException>(() => system.CreateProcess(KernelFixtures.AliceToken(), "app.exe", gone));
        Assert.Throws<ArgumentException>(() => system.CreateProcess(KernelFixtures.AliceToken(), "app.exe", foreign));

        Assert.Equal(before, system.LiveObjectCount);
        KernelInvariants.AssertConsistent(system);
    }

    [Fact]
    public void Processes_of_another_system_are_refused()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        var (other, otherAlice, _) = KernelFixtures.Machine();
        // Both systems number their processes alike: the other Alice has this Alice's ID.
        Assert.Equal(alice.ProcessId, otherAlice.ProcessId);

        Assert.Throws<ArgumentException>(() => system.TerminateProcess(otherAlice, NtStatus.Success));
        Assert.Throws<ArgumentException>(() => system.CreateThread(otherAlice));

        Assert.False(alice.IsTerminated);
        Assert.False(otherAlice.IsTerminated);
        Assert.Same(alice, system.FindProcess(alice.ProcessId));
        Assert.Single(otherAlice.Threads);
        KernelInvariants.AssertConsistent(system);
        KernelInvariants.AssertConsistent(other);
    }

    [Fact]
    public async Task CreateProcess_reports_the_first_thread_even_when_the_process_is_terminated_at_once()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        int baseline = system.LiveObjectCount;
        var thread = alice.Threads[0];
        using var stop = new CancellationTokenSource();
        // Another thread terminates every child as soon as it appears, racing the Win32 layer's look at the new
        // process after NtCreateUserProcess has returned.
        var terminator = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var p in system.Processes)
                    if (p.ParentProcessId == alice.ProcessId) system.TerminateProcess(p, NtStatus.Success);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // The window is a few instructions wide: the old code lost the race once in some ten thousand calls, so the
        // loop runs that many times over, within a time bound for a busy machine.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < 30000 && clock.ElapsedMilliseconds < 2000; i++)
            {
                Assert.True(thread.Win32.CreateProcess("child.exe", null, false, out var info));
                var handleThread = (ThreadObject)alice.GetHandles().Single(h => h.Handle == info.Thread).Entry.Object;
                Assert.Equal(handleThread.ThreadId, info.ThreadId);
                Assert.True(thread.Win32.CloseHandle(info.Thread));
                Assert.True(thread.Win32.CloseHandle(info.Process));
            }
        }
        finally
        {
            stop.Cancel();
            await terminator;
        }
        foreach (var p in system.Processes)
            if (p.ParentProcessId == alice.ProcessId) system.TerminateProcess(p, NtStatus.Success);
        Assert.Equal(baseline, system.LiveObjectCount);
        KernelInvariants.AssertConsistent(system);
    }

    private static DesktopObject NewDesktop(EmulatedSystem system)
    {
        var sd = new SecurityDescriptor(WellKnownSids.LocalSystem, WellKnownSids.LocalSystem, new Acl([Ace.Allow(WellKnownSids.World, AccessMask.GenericAll)]), null, SecurityDescriptorControl.None);
        lock (system.SyncRoot)
        {
            var station = new WindowStationObject(system, "WinSta" + system.LiveObjectCount, sd);
            var desktop = new DesktopObject(system, station, "Default", sd);
            // The desktop holds the window station; the creation reference is not needed past here.
            station.Release();
            return desktop;
        }
    }
}
