using NtSec.Authorization;
using NtSec.Kernel;
using NtSec.Principals;
using NtSec.Tokens;
using NtSec.Win32;
using static NtSec.Scenarios.ScenarioValues;

namespace NtSec.Scenarios;

/// <summary><c>impersonate-self</c>: ImpersonateSelf.</summary>
public sealed record ImpersonateSelfStep : ScenarioStep
{
    /// <summary>The impersonation level.</summary>
    public required SecurityImpersonationLevel Level { get; init; }

    internal static ScenarioStep Read(StepReader r) => new ImpersonateSelfStep { Level = r.Level(required: true)!.Value };

    internal override StepOutcome Run(StepContext c)
    {
        bool ok = c.Caller.Win32.ImpersonateSelf(Level);
        return new StepOutcome($"ImpersonateSelf({LevelName(Level)})", ok ? NtStatus.Success : c.Caller.Win32.GetLastNtStatus());
    }
}

/// <summary><c>impersonate</c>: ImpersonateLoggedOnUser.</summary>
public sealed record ImpersonateStep : ScenarioStep
{
    /// <summary>A primary token (TOKEN_QUERY|TOKEN_DUPLICATE) or an impersonation token (TOKEN_QUERY|TOKEN_IMPERSONATE).</summary>
    public required HandleRef Token { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    internal static ScenarioStep Read(StepReader r) => new ImpersonateStep { Token = r.Handle("token", required: true)! };

    internal override StepOutcome Run(StepContext c)
    {
        bool ok = c.Caller.Win32.ImpersonateLoggedOnUser(c.H(Token));
        return new StepOutcome($"ImpersonateLoggedOnUser({StepContext.HName(Token)})", ok ? NtStatus.Success : c.Caller.Win32.GetLastNtStatus());
    }
}

/// <summary><c>set-thread-token</c>: NtSetInformationThread(ThreadImpersonationToken).</summary>
public sealed record SetThreadTokenStep : ScenarioStep
{
    /// <summary>The thread whose token is set; null for the caller.</summary>
    public string? Target { get; init; }

    /// <summary>An impersonation token; NULL stops the thread impersonating.</summary>
    public HandleRef Token { get; init; } = HandleRef.Null;

    /// <inheritdoc/>
    public override string? TargetThread => Target;

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    internal static ScenarioStep Read(StepReader r) => new SetThreadTokenStep { Token = r.Handle("token", required: false) ?? HandleRef.Null, Target = r.Thread("target", required: false) };

    internal override StepOutcome Run(StepContext c)
    {
        var target = c.ThreadHandle(Target, ThreadAccessRights.SetThreadToken);
        var token = c.H(Token);
        var status = c.Caller.Nt.NtSetInformationThread(target, ThreadInformationClass.ThreadImpersonationToken, token);
        return new StepOutcome($"NtSetInformationThread({Target ?? "NtCurrentThread"}, ThreadImpersonationToken, {StepContext.HName(Token)})", status)
        {
            Detail = new ThreadTokenDetail(token.IsNull),
        };
    }
}

/// <summary><c>revert</c>: RevertToSelf.</summary>
public sealed record RevertStep : ScenarioStep
{
    internal static ScenarioStep Read(StepReader r) => new RevertStep();

    internal override StepOutcome Run(StepContext c)
    {
        bool ok = c.Caller.Win32.RevertToSelf();
        return new StepOutcome("RevertToSelf()", ok ? NtStatus.Success : c.Caller.Win32.GetLastNtStatus());
    }
}

/// <summary><c>impersonate-anonymous</c>: NtImpersonateAnonymousToken.</summary>
public sealed record ImpersonateAnonymousStep : ScenarioStep
{
    /// <summary>The thread that impersonates; null for the caller.</summary>
    public string? Target { get; init; }

    /// <inheritdoc/>
    public override string? TargetThread => Target;

    internal static ScenarioStep Read(StepReader r) => new ImpersonateAnonymousStep { Target = r.Thread("target", required: false) };

    internal override StepOutcome Run(StepContext c) =>
        new($"NtImpersonateAnonymousToken({Target ?? "NtCurrentThread"})", c.Caller.Nt.NtImpersonateAnonymousToken(c.ThreadHandle(Target, ThreadAccessRights.Impersonate)));
}

/// <summary><c>impersonate-thread</c>: NtImpersonateThread; the caller takes on the security context of <see cref="Client"/>.</summary>
public sealed record ImpersonateThreadStep : ScenarioStep
{
    /// <summary>The client thread.</summary>
    public required string Client { get; init; }

    /// <summary>The impersonation level asked for.</summary>
    public required SecurityImpersonationLevel Level { get; init; }

    /// <summary>EffectiveOnly.</summary>
    public bool EffectiveOnly { get; init; }

    /// <inheritdoc/>
    public override string? TargetThread => Client;

    internal static ScenarioStep Read(StepReader r)
    {
        bool effectiveOnly = r.Flag("effective-only");
        string client = r.Thread("client", required: true)!;
        return new ImpersonateThreadStep { Client = client, Level = r.Level(required: true)!.Value, EffectiveOnly = effectiveOnly };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var client = c.ThreadHandle(Client, ThreadAccessRights.DirectImpersonation);
        var status = c.Caller.Nt.NtImpersonateThread(NtHandle.CurrentThread, client, new SecurityQualityOfService(Level, EffectiveOnly));
        return new StepOutcome($"NtImpersonateThread(NtCurrentThread, {Client}, {LevelName(Level)})", status);
    }
}

/// <summary><c>open-process-token</c>: NtOpenProcessToken.</summary>
public sealed record OpenProcessTokenStep : ScenarioStep
{
    /// <summary>The process (null or <c>self</c>: the caller's); ignored when <see cref="Handle"/> is given.</summary>
    public string? Process { get; init; }

    /// <summary>A process handle to use instead of <see cref="Process"/>.</summary>
    public HandleRef? Handle { get; init; }

    /// <summary>The access asked for.</summary>
    public required AccessRequest Access { get; init; }

    /// <summary>A name to save the handle under.</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override string? TargetProcess => Process;

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Handle;

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal static ScenarioStep Read(StepReader r) => new OpenProcessTokenStep
    {
        Access = r.Access(ObjectTypes.Token, required: true)!.Value,
        Handle = r.Handle("handle", required: false),
        Process = r.Process("process", required: false),
        As = r.NewName(required: false),
    };

    internal override StepOutcome Run(StepContext c)
    {
        var process = Handle is not null ? c.H(Handle) : c.ProcessHandle(Process, ProcessAccessRights.QueryLimitedInformation);
        var status = c.Caller.Nt.NtOpenProcessToken(process, Access.Mask, out var h);
        return c.Saved($"NtOpenProcessToken({(Handle is not null ? StepContext.HName(Handle) : Process ?? "NtCurrentProcess")}, {Access.Display(ObjectTypes.Token)})", status, h, ObjectTypes.Token, As);
    }
}

/// <summary><c>open-thread-token</c>: NtOpenThreadToken.</summary>
public sealed record OpenThreadTokenStep : ScenarioStep
{
    /// <summary>The thread (null: the caller); ignored when <see cref="Handle"/> is given.</summary>
    public string? Target { get; init; }

    /// <summary>A thread handle to use instead of <see cref="Target"/>.</summary>
    public HandleRef? Handle { get; init; }

    /// <summary>The access asked for.</summary>
    public required AccessRequest Access { get; init; }

    /// <summary>OpenAsSelf: check with the process's token instead of the thread's impersonation token.</summary>
    public bool OpenAsSelf { get; init; }

    /// <summary>A name to save the handle under.</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override string? TargetThread => Target;

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Handle;

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal static ScenarioStep Read(StepReader r)
    {
        bool self = r.Flag("open-as-self");
        var access = r.Access(ObjectTypes.Token, required: true)!.Value;
        return new OpenThreadTokenStep
        {
            OpenAsSelf = self,
            Access = access,
            Handle = r.Handle("handle", required: false),
            Target = r.Thread("target", required: false),
            As = r.NewName(required: false),
        };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var target = Handle is not null ? c.H(Handle) : c.ThreadHandle(Target, ThreadAccessRights.QueryLimitedInformation);
        var status = c.Caller.Nt.NtOpenThreadToken(target, Access.Mask, OpenAsSelf, out var h);
        return c.Saved($"NtOpenThreadToken({(Handle is not null ? StepContext.HName(Handle) : Target ?? "NtCurrentThread")}, {Access.Display(ObjectTypes.Token)}, OpenAsSelf={(OpenAsSelf ? "TRUE" : "FALSE")})",
            status, h, ObjectTypes.Token, As);
    }
}

/// <summary><c>duplicate-token</c>: NtDuplicateToken / DuplicateTokenEx.</summary>
public sealed record DuplicateTokenStep : ScenarioStep
{
    /// <summary>The source token handle.</summary>
    public required HandleRef Token { get; init; }

    /// <summary>The new handle's access; null (0) gives the source handle's.</summary>
    public AccessRequest? Access { get; init; }

    /// <summary>The new token's impersonation level (default SecurityImpersonation).</summary>
    public SecurityImpersonationLevel Level { get; init; } = SecurityImpersonationLevel.Impersonation;

    /// <summary>The new token's type (default impersonation).</summary>
    public TokenType TokenType { get; init; } = TokenType.Impersonation;

    /// <summary>EffectiveOnly.</summary>
    public bool EffectiveOnly { get; init; }

    /// <summary>A name to save the handle under.</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal static ScenarioStep Read(StepReader r)
    {
        bool effectiveOnly = r.Flag("effective-only");
        var access = r.Access(ObjectTypes.Token, required: false);
        var token = r.Handle("token", required: true)!;
        var level = r.Level(required: false) ?? SecurityImpersonationLevel.Impersonation;
        var type = r.Opt("type") is { } ty ? StepReader.Text(ty).ToLowerInvariant() switch
        {
            "primary" => TokenType.Primary,
            "impersonation" => TokenType.Impersonation,
            _ => throw StepReader.Fail(ParseErrorKind.UnknownName, ty, $"token type '{StepReader.Text(ty)}' is not 'primary' or 'impersonation'"),
        } : TokenType.Impersonation;
        return new DuplicateTokenStep { Token = token, Access = access, Level = level, TokenType = type, EffectiveOnly = effectiveOnly, As = r.NewName(required: false) };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var oa = new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(Level));
        var status = c.Caller.Nt.NtDuplicateToken(c.H(Token), Access?.Mask ?? 0, oa, EffectiveOnly, TokenType, out var h);
        return c.Saved($"NtDuplicateToken({StepContext.HName(Token)}, {Access?.Display(ObjectTypes.Token) ?? "0"}, {LevelName(Level)}, {TokenType})", status, h, ObjectTypes.Token, As);
    }
}

/// <summary><c>restrict-token</c>: CreateRestrictedToken (NtFilterToken). The new handle has the source handle's access.</summary>
public sealed record RestrictTokenStep : ScenarioStep
{
    /// <summary>The source token handle.</summary>
    public required HandleRef Token { get; init; }

    /// <summary>DISABLE_MAX_PRIVILEGE, WRITE_RESTRICTED, SANDBOX_INERT, LUA_TOKEN.</summary>
    public FilterTokenFlags Flags { get; init; }

    /// <summary>SIDs made deny-only.</summary>
    public IReadOnlyList<Sid> DenyOnly { get; init; } = [];

    /// <summary>Privileges deleted.</summary>
    public IReadOnlyList<Luid> DeletePrivileges { get; init; } = [];

    /// <summary>Restricting SIDs added.</summary>
    public IReadOnlyList<Sid> RestrictingSids { get; init; } = [];

    /// <summary>A name to save the handle under.</summary>
    public string? As { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    /// <inheritdoc/>
    public override string? SavesAs => As;

    internal static ScenarioStep Read(StepReader r)
    {
        var flags = (r.Flag("disable-max-privilege") ? FilterTokenFlags.DisableMaxPrivilege : 0) | (r.Flag("write-restricted") ? FilterTokenFlags.WriteRestricted : 0)
            | (r.Flag("sandbox-inert") ? FilterTokenFlags.SandboxInert : 0) | (r.Flag("lua-token") ? FilterTokenFlags.LuaToken : 0);
        var token = r.Handle("token", required: true)!;
        string? name = r.NewName(required: false);
        return new RestrictTokenStep
        {
            Token = token,
            Flags = flags,
            As = name,
            DenyOnly = r.Sids("deny-only"),
            RestrictingSids = r.Sids("restricting-sids"),
            DeletePrivileges = r.Privileges("delete-privileges"),
        };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var status = c.Caller.Nt.NtFilterToken(c.H(Token), Flags, DenyOnly.Select(s => new SidAndAttributes(s, GroupAttributes.None)), DeletePrivileges,
            RestrictingSids.Select(s => new SidAndAttributes(s, GroupAttributes.None)), out var h);
        string flags = Flags == FilterTokenFlags.None ? "0" : Flags.ToString().Replace(", ", "|", StringComparison.Ordinal);
        return c.Saved($"CreateRestrictedToken({StepContext.HName(Token)}, {flags})", status, h, ObjectTypes.Token, As);
    }
}

/// <summary><c>adjust-privileges</c>: NtAdjustPrivilegesToken.</summary>
public sealed record AdjustPrivilegesStep : ScenarioStep
{
    /// <summary>The token handle.</summary>
    public required HandleRef Token { get; init; }

    /// <summary>Privileges to enable.</summary>
    public IReadOnlyList<Luid> Enable { get; init; } = [];

    /// <summary>Privileges to disable.</summary>
    public IReadOnlyList<Luid> Disable { get; init; } = [];

    /// <summary>Privileges to remove.</summary>
    public IReadOnlyList<Luid> Remove { get; init; } = [];

    /// <summary>DisableAllPrivileges.</summary>
    public bool DisableAll { get; init; }

    /// <summary>The changes as the call takes them.</summary>
    public IReadOnlyList<Privilege> Changes =>
        [.. Enable.Select(p => new Privilege(p, PrivilegeAttributes.Enabled)), .. Disable.Select(p => new Privilege(p, PrivilegeAttributes.None)),
         .. Remove.Select(p => new Privilege(p, PrivilegeAttributes.Removed))];

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    internal static ScenarioStep Read(StepReader r)
    {
        bool all = r.Flag("disable-all");
        var token = r.Handle("token", required: true)!;
        return new AdjustPrivilegesStep { Token = token, DisableAll = all, Enable = r.Privileges("enable"), Disable = r.Privileges("disable"), Remove = r.Privileges("remove") };
    }

    // No previous state is asked for (it would need TOKEN_QUERY); the kernel's record says what changed.
    internal override StepOutcome Run(StepContext c)
    {
        var changes = Changes;
        var status = c.Caller.Nt.NtAdjustPrivilegesToken(c.H(Token), DisableAll, changes);
        string list = DisableAll ? "DisableAllPrivileges"
            : string.Join(", ", changes.Select(p => $"{p.Name}={(p.Attributes == PrivilegeAttributes.None ? "disabled" : p.Attributes.ToString().ToLowerInvariant())}"));
        return new StepOutcome($"NtAdjustPrivilegesToken({StepContext.HName(Token)}, {list})", status);
    }
}

/// <summary><c>adjust-groups</c>: NtAdjustGroupsToken.</summary>
public sealed record AdjustGroupsStep : ScenarioStep
{
    /// <summary>The token handle.</summary>
    public required HandleRef Token { get; init; }

    /// <summary>Groups to enable.</summary>
    public IReadOnlyList<Sid> Enable { get; init; } = [];

    /// <summary>Groups to disable.</summary>
    public IReadOnlyList<Sid> Disable { get; init; } = [];

    /// <summary>ResetToDefault.</summary>
    public bool Reset { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    internal static ScenarioStep Read(StepReader r)
    {
        bool reset = r.Flag("reset");
        var token = r.Handle("token", required: true)!;
        return new AdjustGroupsStep { Token = token, Reset = reset, Enable = r.Sids("enable"), Disable = r.Sids("disable") };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var changes = Enable.Select(s => new SidAndAttributes(s, GroupAttributes.Enabled)).Concat(Disable.Select(s => new SidAndAttributes(s, GroupAttributes.None))).ToList();
        var status = c.Caller.Nt.NtAdjustGroupsToken(c.H(Token), Reset, changes);
        return new StepOutcome($"NtAdjustGroupsToken({StepContext.HName(Token)}{(Reset ? ", ResetToDefault" : "")})", status);
    }
}

/// <summary><c>query-token</c>: NtQueryInformationToken. A linked token's new handle is saved as <c>TOKEN.linked</c>.</summary>
public sealed record QueryTokenStep : ScenarioStep
{
    /// <summary>The token handle.</summary>
    public required HandleRef Token { get; init; }

    /// <summary>The information class.</summary>
    public required TokenInformationClass Class { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    internal override IEnumerable<(DefinedName Kind, string Name)> Defines => Class == TokenInformationClass.TokenLinkedToken ? [(DefinedName.Handle, Token.Text + ".linked")] : [];

    internal static ScenarioStep Read(StepReader r)
    {
        var token = r.Handle("token", required: true)!;
        return new QueryTokenStep { Token = token, Class = r.InfoClass() };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var status = c.Caller.Nt.NtQueryInformationToken(c.H(Token), Class, out var info);
        string call = $"NtQueryInformationToken({StepContext.HName(Token)}, {Class})";
        if (!status.IsSuccess) return new StepOutcome(call, status);
        if (info is NtHandle linked)
        {
            string name = StepContext.HName(Token) + ".linked";
            c.SaveHandle(name, linked, ObjectTypes.Token);
            return new StepOutcome(call, status) { Value = $"handle '{name}'", SavedAs = name };
        }
        return new StepOutcome(call, status) { Value = c.Format(info) };
    }
}

/// <summary><c>set-token</c>: NtSetInformationToken.</summary>
public sealed record SetTokenStep : ScenarioStep
{
    /// <summary>The token handle.</summary>
    public required HandleRef Token { get; init; }

    /// <summary>The information class (Owner, PrimaryGroup, DefaultDacl, IntegrityLevel, SessionId, MandatoryPolicy).</summary>
    public required TokenInformationClass Class { get; init; }

    /// <summary>The value: a <see cref="Sid"/>, a <see cref="TokenDefaultDacl"/>, a session ID (uint) or a <see cref="MandatoryPolicy"/>.</summary>
    public required object Value { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    internal static ScenarioStep Read(StepReader r)
    {
        var token = r.Handle("token", required: true)!;
        var c = r.InfoClass();
        return new SetTokenStep { Token = token, Class = c, Value = r.SetValue(c) };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var value = Class == TokenInformationClass.TokenIntegrityLevel && Value is Sid sid ? new SidAndAttributes(sid, GroupAttributes.Integrity) : Value;
        var status = c.Caller.Nt.NtSetInformationToken(c.H(Token), Class, value);
        return new StepOutcome($"NtSetInformationToken({StepContext.HName(Token)}, {Class}, {c.Format(Value)})", status);
    }
}

/// <summary><c>is-token-restricted</c>: IsTokenRestricted.</summary>
public sealed record IsTokenRestrictedStep : ScenarioStep
{
    /// <summary>The token handle.</summary>
    public required HandleRef Token { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    internal static ScenarioStep Read(StepReader r) => new IsTokenRestrictedStep { Token = r.Handle("token", required: true)! };

    internal override StepOutcome Run(StepContext c)
    {
        var w32 = c.Caller.Win32;
        bool answer = w32.IsTokenRestricted(c.H(Token));
        var status = answer || w32.GetLastError() == 0 ? NtStatus.Success : w32.GetLastNtStatus();
        return new StepOutcome($"IsTokenRestricted({StepContext.HName(Token)})", status)
        {
            Answer = status.IsSuccess ? answer : null,
            Detail = new TokenDetail(c.Caller.InspectToken(c.H(Token))),
        };
    }
}

/// <summary><c>check-membership</c>: CheckTokenMembership.</summary>
public sealed record CheckMembershipStep : ScenarioStep
{
    /// <summary>The token handle (NULL: the caller's effective token).</summary>
    public HandleRef Token { get; init; } = HandleRef.Null;

    /// <summary>The SID asked about.</summary>
    public required Sid Sid { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    internal static ScenarioStep Read(StepReader r)
    {
        var token = r.Handle("token", required: false) ?? HandleRef.Null;
        return new CheckMembershipStep { Token = token, Sid = r.Sid("sid") };
    }

    internal override StepOutcome Run(StepContext c)
    {
        bool ok = c.Caller.Win32.CheckTokenMembership(c.H(Token), Sid, out bool member);
        string sid = WellKnownSids.GetAccountName(Sid, c.Scenario.Context) ?? Sid.ToString();
        return new StepOutcome($"CheckTokenMembership({StepContext.HName(Token)}, {sid})", ok ? NtStatus.Success : c.Caller.Win32.GetLastNtStatus()) { Answer = ok ? member : null };
    }
}

/// <summary><c>access-check</c>: AccessCheck with an impersonation token on a declared object's descriptor or a given one.</summary>
public sealed record AccessCheckStep : ScenarioStep
{
    /// <summary>The client token (an impersonation token handle).</summary>
    public required HandleRef Token { get; init; }

    /// <summary>A declared object whose descriptor is checked; null when <see cref="Descriptor"/> is given.</summary>
    public string? Object { get; init; }

    /// <summary>The descriptor checked (wins over <see cref="Object"/>'s).</summary>
    public Descriptors.SecurityDescriptor? Descriptor { get; init; }

    /// <summary>The object type whose generic mapping and right names apply; null: the object's, or Generic.</summary>
    public ObjectTypeInfo? Type { get; init; }

    /// <summary>The access asked for.</summary>
    public required AccessRequest Access { get; init; }

    /// <inheritdoc/>
    public override HandleRef? HandleArgument => Token;

    internal static ScenarioStep Read(StepReader r)
    {
        var obj = r.Object(required: false);
        var type = obj?.Type ?? r.Type();
        var access = r.Access(type, required: true)!.Value;
        var token = r.Handle("token", required: true)!;
        if (obj is null && r.Opt("sddl") is null) throw r.Fail(ParseErrorKind.Missing, "'access-check' needs 'object' or 'sddl'");
        return new AccessCheckStep { Token = token, Object = obj?.Name, Descriptor = r.Sddl(), Type = type ?? ObjectTypes.Generic, Access = access };
    }

    internal override StepOutcome Run(StepContext c)
    {
        var found = Object is null ? null : c.System.FindObject(Object);
        var type = Type ?? found?.Type ?? ObjectTypes.Generic;
        string call = $"AccessCheck({Object ?? "sd"}, {StepContext.HName(Token)}, {Access.Display(type)})";
        if ((Descriptor ?? found?.SecurityDescriptor) is not { } sd) return new StepOutcome(call, NtStatus.ObjectNameNotFound);
        var explanation = new AccessCheckExplanation();
        var status = c.Caller.Nt.NtAccessCheck(sd, c.H(Token), Access.Mask, type.GenericMapping, out uint granted, out var accessStatus, explanation);
        if (!status.IsSuccess) return new StepOutcome(call, status);
        return new StepOutcome(call, accessStatus)
        {
            Granted = granted,
            RightsType = type,
            Answer = accessStatus.IsSuccess,
            Detail = new AccessCheckDetail(c.Caller.InspectToken(c.H(Token)), explanation),
        };
    }
}
