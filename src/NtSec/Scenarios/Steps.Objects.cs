using NtSec.Authorization;
using NtSec.Kernel;
using NtSec.Win32;

namespace NtSec.Scenarios;

/// <summary><c>create-process</c>: CreateProcess, or CreateProcessAsUser when <see cref="Token"/> is given. The new process is named <see cref="As"/>; its handles are saved as <c>AS.process</c> and <c>AS.thread</c>.</summary>
public sealed record CreateProcessStep : ScenarioStep
{
    /// <summary>A primary token handle for CreateProcessAsUser; null for CreateProcess (the caller's token).</summary>
    public HandleRef? Token { get; init; }

    /// <summary>The desktop (<c>WinSta0\NAME</c>) the new process runs on; null for the caller's.</summary>
    public string? Desktop { get; init; }

    /// <summary>bInheritHandles.</summary>
    public bool InheritHandles { get; init; }

    /// <summary>CREATE_SUSPENDED.</summary>
    public bool Suspended { get; init; }

    /// <summary>The new process's name (and image name).</summary>
    public required string As { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal override IEnumerable<(DefinedName Kind, string Name)> Defines => [(DefinedName.Process, As)];

    internal static ScenarioStep Read(StepReader r)
    {
        bool inherit = r.Flag("inherit-handles");
        bool suspended = r.Flag("suspended");
        var token = r.Handle("token", required: false);
        string? desktop = r.Desktop(required: false);
        string name = r.NewName(required: true, " (the new process's name)")!;
        return new CreateProcessStep { Token = token, Desktop = desktop, InheritHandles = inherit, Suspended = suspended, As = name };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var w32 = c.Caller.Win32;
        bool ok;
        ProcessInformation info;
        string call;
        string tail = $"{As}{(Desktop is null ? "" : ", desktop " + Desktop)}{(Suspended ? ", CREATE_SUSPENDED" : "")}";
        if (Token is null)
        {
            ok = w32.CreateProcess(As, Desktop, InheritHandles, Suspended, out info);
            call = $"CreateProcess({tail})";
        }
        else
        {
            ok = w32.CreateProcessAsUser(c.H(Token), As, Desktop, InheritHandles, Suspended, out info);
            call = $"CreateProcessAsUser({StepContext.HName(Token)}, {tail})";
        }
        if (!ok) return new StepOutcome(call, w32.GetLastNtStatus());
        var handles = c.Caller.Process.GetHandles();
        var process = c.System.FindProcess(info.ProcessId) ?? handles.Select(e => e.Entry.Object).OfType<ProcessObject>().First(p => p.ProcessId == info.ProcessId);
        var mainThread = handles.Select(e => e.Entry.Object).OfType<ThreadObject>().First(th => th.ThreadId == info.ThreadId);
        c.Runner.AddProcess(As, process, mainThread);
        c.SaveHandle(As + ".process", info.Process, ObjectTypes.Process);
        c.SaveHandle(As + ".thread", info.Thread, ObjectTypes.Thread);
        var refusal = c.Caller.LastCall?.Desktop ?? process.ConnectionRefusal;
        return new StepOutcome(call, NtStatus.Success)
        {
            SavedAs = As,
            Detail = new ProcessDetail(As, process.PrimaryToken.Token, Suspended && !process.IsTerminated, process.IsTerminated, process.ExitStatus, process.Desktop?.Name, refusal),
        };
    }
}

/// <summary><c>resume-thread</c>: ResumeThread; a suspended process connects to its desktop when its first thread runs.</summary>
public sealed record ResumeThreadStep : ScenarioStep
{
    /// <summary>The thread to resume (<c>child</c> for a created process's main thread).</summary>
    public required string Target { get; init; }

    /// <inheritdoc/>
    public override string? TargetThread => Target;

    internal static ScenarioStep Read(StepReader r) => new ResumeThreadStep { Target = r.Thread("target", required: true)! };

    internal override StepOutcome Run(StepContext c)
    {
        var target = c.ThreadHandle(Target, ThreadAccessRights.SuspendResume);
        int previous = c.Caller.Win32.ResumeThread(target);
        string call = $"ResumeThread({Target})";
        if (previous < 0) return new StepOutcome(call, c.Caller.Win32.GetLastNtStatus());
        var process = c.Thread(Target).Process;
        var connection = c.System.GetDesktopConnection(process);
        return new StepOutcome(call, NtStatus.Success)
        {
            Detail = new ResumeDetail(previous, process.ImageName, process.ExitStatus, c.Caller.LastCall?.Desktop, connection?.Desktop.Name, connection?.Token),
        };
    }
}

/// <summary><c>open</c>: opens a declared object (NtOpenFile, NtOpenKey, NtOpenEvent ... by its type).</summary>
public sealed record OpenStep : ScenarioStep
{
    /// <summary>The object's name (declared under <see cref="Scenario.Objects"/>, a desktop, WinSta0, or one a create-object step made).</summary>
    public required string Object { get; init; }

    /// <summary>The access asked for.</summary>
    public required AccessRequest Access { get; init; }

    /// <summary>A name to save the handle under.</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal static ScenarioStep Read(StepReader r)
    {
        var obj = r.Object(required: true)!.Value;
        return new OpenStep { Object = obj.Name, Access = r.Access(obj.Type, required: true)!.Value, As = r.NewName(required: false) };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var type = c.System.FindObject(Object)?.Type ?? ObjectTypes.Generic;
        var status = c.Caller.Nt.NtOpenObject(new ObjectAttributes(Object), Access.Mask, out var h);
        return c.Saved($"NtOpen{type.Name}({Object}, {Access.Display(type)})", status, h, type, As);
    }
}

/// <summary><c>open-process</c>: OpenProcess by the process's ID.</summary>
public sealed record OpenProcessStep : ScenarioStep
{
    /// <summary>The process's name.</summary>
    public required string Process { get; init; }

    /// <summary>The access asked for.</summary>
    public required AccessRequest Access { get; init; }

    /// <summary>A name to save the handle under.</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override string? TargetProcess => Process;

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal static ScenarioStep Read(StepReader r)
    {
        var access = r.Access(ObjectTypes.Process, required: true)!.Value;
        return new OpenProcessStep { Access = access, Process = r.Process("process", required: true)!, As = r.NewName(required: false) };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var process = c.ProcessOrSelf(Process);
        var status = c.Caller.Nt.NtOpenProcess(out var h, Access.Mask, HandleAttributes.None, process.ProcessId);
        return c.Saved($"OpenProcess({Process}, {Access.Display(ObjectTypes.Process)})", status, h, ObjectTypes.Process, As);
    }
}

/// <summary><c>open-thread</c>: OpenThread by the thread's ID.</summary>
public sealed record OpenThreadStep : ScenarioStep
{
    /// <summary>The thread (<c>process</c> or <c>process/thread</c>).</summary>
    public required string Target { get; init; }

    /// <summary>The access asked for.</summary>
    public required AccessRequest Access { get; init; }

    /// <summary>A name to save the handle under.</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override string? TargetThread => Target;

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal static ScenarioStep Read(StepReader r)
    {
        var access = r.Access(ObjectTypes.Thread, required: true)!.Value;
        return new OpenThreadStep { Access = access, Target = r.Thread("target", required: true)!, As = r.NewName(required: false) };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var status = c.Caller.Nt.NtOpenThread(out var h, Access.Mask, HandleAttributes.None, c.Thread(Target).ThreadId);
        return c.Saved($"OpenThread({Target}, {Access.Display(ObjectTypes.Thread)})", status, h, ObjectTypes.Thread, As);
    }
}

/// <summary><c>duplicate-handle</c>: DuplicateHandle (NtDuplicateObject) from the caller's process into <see cref="To"/>.</summary>
public sealed record DuplicateHandleStep : ScenarioStep
{
    /// <summary>The source handle, in the caller's process.</summary>
    public required HandleRef Handle { get; init; }

    /// <summary>The target process (null or <c>self</c>: the caller's).</summary>
    public string? To { get; init; }

    /// <summary>The new handle's access (ignored with <see cref="SameAccess"/>).</summary>
    public AccessRequest? Access { get; init; }

    /// <summary>DUPLICATE_SAME_ACCESS.</summary>
    public bool SameAccess { get; init; }

    /// <summary>DUPLICATE_CLOSE_SOURCE.</summary>
    public bool CloseSource { get; init; }

    /// <summary>A name to save the new handle under.</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override string? TargetProcess => To;

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Handle;

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal static ScenarioStep Read(StepReader r)
    {
        bool same = r.Flag("same-access");
        bool close = r.Flag("close-source");
        var access = r.Access(null, required: false);
        if (access is null && !same) throw r.Fail(ParseErrorKind.Missing, "'duplicate-handle' needs 'access' or 'same-access: true'");
        var handle = r.Handle("handle", required: true)!;
        return new DuplicateHandleStep { Handle = handle, Access = access, SameAccess = same, CloseSource = close, To = r.Process("to", required: false), As = r.NewName(required: false) };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var target = c.ProcessHandle(To, ProcessAccessRights.DupHandle);
        var options = (SameAccess ? DuplicateOptions.SameAccess : 0) | (CloseSource ? DuplicateOptions.CloseSource : 0);
        var sourceType = c.SavedType(Handle);
        var status = c.Caller.Nt.NtDuplicateObject(NtHandle.CurrentProcess, c.H(Handle), target, out var h, Access?.Mask ?? 0, HandleAttributes.None, options);
        string call = $"DuplicateHandle({StepContext.HName(Handle)}, {(SameAccess ? "DUPLICATE_SAME_ACCESS" : Access?.Display(sourceType))})";
        if (!status.IsSuccess || As is not { } name) return new StepOutcome(call, status);
        c.SaveHandle(name, h, sourceType);
        var owner = c.ProcessOrSelf(To);
        uint granted = owner.GetHandles().FirstOrDefault(e => e.Handle == h).Entry.GrantedAccess;
        return new StepOutcome(call, status) { Granted = granted, RightsType = sourceType, SavedAs = name, Detail = new DuplicatedHandleDetail(owner.ImageName) };
    }
}

/// <summary><c>close</c>: NtClose. The name keeps its value: a later step that uses it uses a stale handle, as a buggy program would.</summary>
public sealed record CloseStep : ScenarioStep
{
    /// <summary>The handle.</summary>
    public required HandleRef Handle { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Handle;

    internal static ScenarioStep Read(StepReader r) => new CloseStep { Handle = r.Handle("handle", required: true)! };

    internal override StepOutcome Run(StepContext c) => new($"NtClose({StepContext.HName(Handle)})", c.Caller.Nt.NtClose(c.H(Handle)));
}

/// <summary>
/// <c>create-object</c>: NtCreateFile / NtCreateKey inside a container. The handle to the parent needs its create-child
/// right; the new object's descriptor is inherited from the parent, the explicit one and the caller's token. Later
/// steps name it <c>PARENT\NAME</c>.
/// </summary>
public sealed record CreateObjectStep : ScenarioStep
{
    /// <summary>The container (a declared directory or key, or one an earlier step created).</summary>
    public required string Object { get; init; }

    /// <summary>The new object's name inside it: one path element.</summary>
    public required string Name { get; init; }

    /// <summary>The new object's type (default file).</summary>
    public ObjectTypeInfo Type { get; init; } = ObjectTypes.File;

    /// <summary>The explicit descriptor the caller passes, or null.</summary>
    public Descriptors.SecurityDescriptor? Descriptor { get; init; }

    /// <summary>The access asked for.</summary>
    public required AccessRequest Access { get; init; }

    /// <summary>A name to save the handle under.</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal static ScenarioStep Read(StepReader r)
    {
        var type = r.Type() ?? ObjectTypes.File;
        var access = r.Access(type, required: true)!.Value;
        var parent = r.Object(required: true)!.Value.Name;
        if (r.Opt("name") is not { } nameNode || StepReader.Text(nameNode).Length == 0)
            throw r.Fail(ParseErrorKind.Missing, "'create-object' needs 'name' (one path element, no backslash)");
        if (StepReader.Text(nameNode).Contains('\\', StringComparison.Ordinal))
            throw r.Fail(ParseErrorKind.Syntax, "'create-object' needs 'name' (one path element, no backslash)");
        string name = StepReader.Text(nameNode);
        var sd = r.Sddl();
        r.Context.DeclareObject(parent + "\\" + name, type);
        return new CreateObjectStep { Object = parent, Name = name, Type = type, Descriptor = sd, Access = access, As = r.NewName(required: false) };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var parentType = c.System.FindObject(Object)?.Type ?? ObjectTypes.Generic;
        string call = $"NtCreate{Type.Name}({Object}\\{Name}, {Access.Display(Type)})";
        var st = c.Caller.Nt.NtOpenObject(new ObjectAttributes(Object), ObjectInheritance.CreateChildRight(parentType, ObjectInheritance.IsContainer(Type)), out var parent);
        if (!st.IsSuccess) return new StepOutcome(call, st);
        c.CloseAfterwards(parent);
        var status = c.Caller.Nt.NtCreateObjectInContainer(parent, Type, Name, Descriptor, Access.Mask, out var h);
        var made = c.System.FindObject(Object + "\\" + Name)?.SecurityDescriptor;
        return c.Saved(call, status, h, Type, As) with
        {
            Detail = new CreatedObjectDetail(c.Caller.InspectToken(NtHandle.CurrentThreadEffectiveToken), parentType, Type, made),
        };
    }
}
