using System.Reflection;
using System.Runtime.CompilerServices;
using global::NtSec;
using global::NtSec.Authorization;
using global::NtSec.Descriptors;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Sddl;
using global::NtSec.Tokens;
using global::NtSec.Win32;

namespace NtSec.Tests.Kernel;

/// <summary>
/// Emulated Nt* calls return an NTSTATUS and Win32-style calls a BOOL (or handle) with a last error; neither throws,
/// whatever the caller passes (issue 16: NULL descriptors threw ArgumentNullException and NullReferenceException).
/// Every public entry point is called by reflection with null and default arguments; the ones taking spans
/// (which reflection cannot pass) are called directly.
/// </summary>
public sealed class NeverThrowTests
{
    private static IEnumerable<(object? Target, MethodInfo Method)> EntryPoints(ThreadObject thread)
    {
        foreach (var (type, target) in new (Type, object?)[]
                 {
                     (typeof(NtCalls), thread.Nt), (typeof(NtCalls), thread.Zw), (typeof(Win32Api), thread.Win32),
                     (typeof(Ntdll), null), (typeof(Advapi32), null),
                 })
        {
            var flags = BindingFlags.Public | BindingFlags.DeclaredOnly | (target is null ? BindingFlags.Static : BindingFlags.Instance);
            foreach (var m in type.GetMethods(flags))
            {
                if (m.IsSpecialName || m.IsGenericMethodDefinition) continue;
                if (m.GetParameters().Any(p => (p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType).IsByRefLike)) continue;
                yield return (target, m);
            }
        }
    }

    // A default for each parameter: null for references, default(T) for values, or the given handle for NtHandle.
    private static object?[] Arguments(MethodInfo m, NtHandle handle)
        => [.. m.GetParameters().Select(p =>
        {
            var t = p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType;
            if (t == typeof(NtHandle)) return handle;
            return t.IsValueType ? Activator.CreateInstance(t) : null;
        })];

    public static TheoryData<string> Handles => new() { "null", "current process", "current thread", "current thread token", "bogus" };

    [Theory]
    [MemberData(nameof(Handles))]
    public void EveryEntryPoint_ReturnsAStatus_ForNullAndDefaultArguments(string handleName)
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var thread = alice.Threads[0];
        var handle = handleName switch
        {
            "null" => NtHandle.Null,
            "current process" => NtHandle.CurrentProcess,
            "current thread" => NtHandle.CurrentThread,
            "current thread token" => NtHandle.CurrentThreadToken,
            _ => new NtHandle(0x7ffc),
        };
        var thrown = new List<string>();
        int called = 0;
        foreach (var (target, m) in EntryPoints(thread))
        {
            called++;
            try
            {
                m.Invoke(target, Arguments(m, handle));
            }
            catch (TargetInvocationException e)
            {
                thrown.Add($"{m.DeclaringType!.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))}): {e.InnerException!.GetType().Name}: {e.InnerException.Message}");
            }
        }
        Assert.True(called > 60, $"only {called} entry points found");
        Assert.True(thrown.Count == 0, $"{thrown.Count} of {called} entry points threw:\n" + string.Join("\n", thrown));
    }

    // ----- the access checks, with their span arguments, in Windows' order of checks -----------------------------

    private static (ThreadObject Thread, NtHandle Token) Impersonating()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate | TokenAccessRights.Query, out var primary));
        Assert.True(t.Win32.DuplicateToken(primary, SecurityImpersonationLevel.Impersonation, out var impersonation));
        return (t, impersonation);
    }

    [Fact]
    public void KernelAccessChecks_NullDescriptor_IsInvalidSecurityDescr_AfterTheProbesAndTokenChecks()
    {
        var (t, token) = Impersonating();
        var nt = t.Nt;
        var mapping = new GenericMapping(0x120089, 0x120116, 0x1200A0, 0x1F01FF);
        var set = new PrivilegeSetBuffer();
        ObjectTypeEntry[] list = [new(0, Guid.NewGuid())];
        var granted = new uint[1];
        var statuses = new NtStatus[1];

        Assert.Equal(NtStatus.InvalidSecurityDescriptor, nt.NtAccessCheck(null, token, 1, mapping, out var g, out var s));
        Assert.Equal((0u, NtStatus.AccessDenied), (g, s));
        Assert.Equal(NtStatus.InvalidSecurityDescriptor, nt.NtAccessCheck(null, token, 1, mapping, set, new StrongBox<int>(PrivilegeSetBuffer.MinimumLength), out _, out _));
        Assert.Equal(NtStatus.InvalidSecurityDescriptor, nt.NtAccessCheckByType(null, null, token, 1, list, mapping, set, new StrongBox<int>(PrivilegeSetBuffer.MinimumLength), out _, out _));
        Assert.Equal(NtStatus.InvalidSecurityDescriptor, nt.NtAccessCheckByTypeResultList(null, null, token, 1, list, mapping, set, new StrongBox<int>(PrivilegeSetBuffer.MinimumLength), granted, statuses));

        // First the output pointers (a NULL length pointer faults) ...
        Assert.Equal(NtStatus.AccessViolation, nt.NtAccessCheck(null, token, 1, mapping, set, null, out _, out _));
        Assert.Equal(NtStatus.AccessViolation, nt.NtAccessCheckByType(null, null, token, 1, list, mapping, null, new StrongBox<int>(20), out _, out _));
        Assert.Equal(NtStatus.AccessViolation, nt.NtAccessCheckByTypeResultList(null, null, token, 1, list, mapping, set, new StrongBox<int>(20), [], []));
        // ... then the token (a bad handle, a primary token) ...
        Assert.Equal(NtStatus.InvalidHandle, nt.NtAccessCheck(null, new NtHandle(0x7ffc), 1, mapping, out _, out _));
        Assert.Equal(NtStatus.InvalidHandle, nt.NtAccessCheckByType(null, null, NtHandle.Null, 1, list, mapping, set, new StrongBox<int>(20), out _, out _));
        Assert.True(t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var primary));
        Assert.Equal(NtStatus.NoImpersonationToken, nt.NtAccessCheckByTypeResultList(null, null, primary, 1, list, mapping, set, new StrongBox<int>(20), granted, statuses));
        // ... and the generic bits, before the descriptor.
        Assert.Equal(NtStatus.GenericNotMapped, nt.NtAccessCheckByType(null, null, token, AccessMask.GenericRead, list, mapping, set, new StrongBox<int>(20), out _, out _));
    }

    [Fact]
    public void NtdllAccessChecks_OverATokenObject_NullDescriptor_IsInvalidSecurityDescr()
    {
        var token = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
        token.Type = TokenType.Impersonation;
        token.ImpersonationLevel = SecurityImpersonationLevel.Impersonation;
        var t = token.Build();
        var mapping = new GenericMapping(0x120089, 0x120116, 0x1200A0, 0x1F01FF);
        ObjectTypeEntry[] list = [new(0, Guid.NewGuid())];
        Assert.Equal(NtStatus.InvalidSecurityDescriptor, Ntdll.NtAccessCheck(null, t, 1, mapping, new PrivilegeSetBuffer(), new StrongBox<int>(20), out _, out _));
        Assert.Equal(NtStatus.InvalidSecurityDescriptor, Ntdll.NtAccessCheckByType(null, null, t, 1, list, mapping, new PrivilegeSetBuffer(), new StrongBox<int>(20), out _, out _));
        Assert.Equal(NtStatus.InvalidSecurityDescriptor, Ntdll.NtAccessCheckByTypeResultList(null, null, t, 1, list, mapping, new PrivilegeSetBuffer(), new StrongBox<int>(20), new uint[1], new NtStatus[1]));
        Assert.Equal(NtStatus.InvalidHandle, Ntdll.NtAccessCheckByType(null, null, null, 1, list, mapping, new PrivilegeSetBuffer(), new StrongBox<int>(20), out _, out _));
        // A real descriptor still answers.
        var sd = SddlParser.Parse("O:BAG:BAD:(A;;FA;;;WD)");
        Assert.Equal(NtStatus.Success, Ntdll.NtAccessCheck(sd, t, 1, mapping, new PrivilegeSetBuffer(), new StrongBox<int>(20), out uint granted, out var status));
        Assert.Equal((1u, NtStatus.Success), (granted, status));
    }

    [Fact]
    public void Win32AccessChecks_NullDescriptor_FailWithTheMappedLastError()
    {
        var (t, token) = Impersonating();
        var mapping = new GenericMapping(0x120089, 0x120116, 0x1200A0, 0x1F01FF);
        var w = t.Win32;
        bool ok = w.AccessCheck(null, token, 1, mapping, new PrivilegeSetBuffer(), new StrongBox<int>(20), out _, out _);
        Assert.False(ok);
        Assert.Equal(Win32Error.InvalidSecurityDescriptor, w.GetLastError());
        ok = w.AccessCheck(null, token, 1, mapping, out _, out _);
        Assert.False(ok);
        Assert.Equal(Win32Error.InvalidSecurityDescriptor, w.GetLastError());
    }

    [Fact]
    public void NullPointers_AreAccessViolations_AndNullNames_InvalidParameter()
    {
        var (_, alice, _) = KernelFixtures.Machine();
        var t = alice.Threads[0];
        var nt = t.Nt;
        Assert.Equal(NtStatus.AccessViolation, nt.NtOpenObject(null, 1, out var h));
        Assert.True(h.IsNull);
        Assert.Equal(NtStatus.AccessViolation, nt.NtCreateObject(ObjectTypes.File, null, 1, out _));
        Assert.Equal(NtStatus.InvalidParameter, nt.NtCreateObject(null, new ObjectAttributes("x"), 1, out _));
        Assert.Equal(NtStatus.AccessViolation, nt.NtSetSecurityObject(NtHandle.CurrentProcess, SecurityInformation.Dacl, null));
        Assert.Equal(NtStatus.AccessViolation, nt.NtImpersonateThread(NtHandle.CurrentThread, NtHandle.CurrentThread, null));
        Assert.Equal(NtStatus.AccessViolation, nt.NtCreateToken(out _, TokenAccessRights.Query, null, null));
        Assert.Equal(NtStatus.AccessViolation, nt.NtPrivilegeCheck(NtHandle.CurrentProcessToken, null, true, out bool held));
        Assert.False(held);
        Assert.Equal(NtStatus.InvalidParameter, nt.NtCreateUserProcess(out _, out _, NtHandle.Null, null, null, false, out var process));
        Assert.Null(process);

        var w = t.Win32;
        Assert.True(w.OpenDesktop(null, 0, false, 1).IsNull);
        Assert.Equal(Win32Error.InvalidParameter, w.GetLastError());
        Assert.True(w.OpenWindowStation(null, false, 1).IsNull);
        Assert.Equal(Win32Error.InvalidParameter, w.GetLastError());
        Assert.False(w.EnumWindows(null));
        Assert.Equal(Win32Error.InvalidParameter, w.GetLastError());
        Assert.False(w.CreateProcess(null, null, false, out _));
        Assert.Equal(Win32Error.InvalidParameter, w.GetLastError());
        Assert.False(w.PrivilegeCheck(NtHandle.CurrentProcessToken, null, true, out _));
        Assert.Equal(NtStatus.AccessViolation.ToWin32Error(), w.GetLastError());

        Assert.False(Advapi32.SetSecurityDescriptorControl(null, 0, 0, out var changed));
        Assert.Null(changed);
        Assert.Equal(Win32Error.InvalidSecurityDescriptor, Win32Error.GetLastError());
        Assert.Equal(0, Advapi32.GetSelfRelativeLength(null));
    }
}
