using global::NtSec.Kernel;

namespace NtSec.Tests.Kernel;

/// <summary>
/// Recounts every reference the emulated kernel should hold and compares with the objects' counts, so a leak, a
/// double release or a reference to a deleted object shows up as a line naming the object.
/// </summary>
internal static class KernelInvariants
{
    /// <summary>
    /// The inconsistencies found; empty when every live object's pointer and handle counts equal the references
    /// that exist: handles in process and kernel tables, the system's process and thread lists, the namespace's
    /// permanent references, and the references objects hold to each other (a process its token and desktop, a
    /// thread its process, impersonation token and desktop, a token its linked token, a desktop its window station).
    /// </summary>
    public static List<string> ReferenceCountErrors(EmulatedSystem system)
    {
        var errors = new List<string>();
        lock (system.SyncRoot)
        {
            var live = system.LiveObjects;
            var liveSet = new HashSet<KernelObject>(live, ReferenceEqualityComparer.Instance);
            var pointers = new Dictionary<KernelObject, int>(ReferenceEqualityComparer.Instance);
            var handles = new Dictionary<KernelObject, int>(ReferenceEqualityComparer.Instance);

            void Reference(KernelObject? target, KernelObject? holder, string how)
            {
                if (target is null) return;
                if (!liveSet.Contains(target)) errors.Add($"{holder?.ToString() ?? "the system"} holds {how} to {target}, which is deleted");
                pointers[target] = pointers.GetValueOrDefault(target) + 1;
            }

            void Handles(HandleTable table, KernelObject? owner)
            {
                foreach (var (_, entry) in table.Snapshot())
                {
                    Reference(entry.Object, owner, "a handle");
                    handles[entry.Object] = handles.GetValueOrDefault(entry.Object) + 1;
                }
            }

            foreach (var o in live)
            {
                if (o.IsDeleted) errors.Add($"{o} is deleted but still registered as live");
                if (system.IsPermanentLocked(o)) Reference(o, null, "a permanent reference");
                switch (o)
                {
                    case ProcessObject p:
                        Reference(p.PrimaryTokenLocked, p, "its primary token");
                        Reference(p.Desktop, p, "its desktop");
                        if (!p.IsTerminated)
                        {
                            if (!ReferenceEquals(system.FindProcessLocked(p.ProcessId), p)) errors.Add($"{p} is running but not in the process list");
                            Reference(p, null, "the process list's reference");
                        }
                        else if (p.Handles.Count != 0 || p.ThreadsLocked.Count != 0)
                        {
                            errors.Add($"{p} has exited but still has {p.Handles.Count} handles and {p.ThreadsLocked.Count} threads");
                        }
                        Handles(p.Handles, p);
                        break;
                    case ThreadObject t:
                        Reference(t.Process, t, "its process");
                        Reference(t.ImpersonationTokenLocked, t, "its impersonation token");
                        Reference(t.DesktopOverride, t, "its desktop");
                        if (!t.IsTerminated)
                        {
                            if (!ReferenceEquals(system.FindThreadLocked(t.ThreadId), t) || !t.Process.ThreadsLocked.Contains(t))
                                errors.Add($"{t} is running but not in the thread lists");
                            Reference(t, null, "the thread list's reference");
                        }
                        break;
                    case TokenObject k:
                        Reference(k.LinkedTokenLocked, k, "its linked token");
                        break;
                    case DesktopObject d:
                        Reference(d.WindowStation, d, "its window station");
                        break;
                }
            }
            Handles(system.KernelHandles, null);

            foreach (var o in live)
            {
                int expectedPointers = pointers.GetValueOrDefault(o);
                int expectedHandles = handles.GetValueOrDefault(o);
                if (o.PointerCount != expectedPointers || o.HandleCount != expectedHandles)
                    errors.Add($"{o}: PointerCount {o.PointerCount}, HandleCount {o.HandleCount}; references found {expectedPointers}, handles found {expectedHandles}");
            }
        }
        return errors;
    }

    /// <summary>Fails with every inconsistency <see cref="ReferenceCountErrors"/> finds.</summary>
    public static void AssertConsistent(EmulatedSystem system)
    {
        var errors = ReferenceCountErrors(system);
        Assert.True(errors.Count == 0, "Reference counts are inconsistent:\n" + string.Join('\n', errors));
    }
}
