namespace NtSec.Tokens;

/// <summary>SE_PRIVILEGE_* attributes.</summary>
[Flags]
public enum PrivilegeAttributes : uint
{
    /// <summary>Present but disabled.</summary>
    None = 0,
    /// <summary>SE_PRIVILEGE_ENABLED_BY_DEFAULT.</summary>
    EnabledByDefault = 0x1,
    /// <summary>SE_PRIVILEGE_ENABLED.</summary>
    Enabled = 0x2,
    /// <summary>SE_PRIVILEGE_REMOVED.</summary>
    Removed = 0x4,
    /// <summary>SE_PRIVILEGE_USED_FOR_ACCESS.</summary>
    UsedForAccess = 0x8000_0000,
}

/// <summary>A privilege held by a token (LUID_AND_ATTRIBUTES with its name).</summary>
/// <param name="Luid">The privilege's LUID (the same on every Windows machine).</param>
/// <param name="Attributes">Enabled, enabled by default ...</param>
public readonly record struct Privilege(Luid Luid, PrivilegeAttributes Attributes)
{
    /// <summary>The privilege's name (<c>SeChangeNotifyPrivilege</c> ...), or its LUID when unknown.</summary>
    public string Name => Privileges.NameOf(Luid);

    /// <summary>True when the privilege is enabled.</summary>
    public bool IsEnabled => (Attributes & PrivilegeAttributes.Enabled) != 0;

    /// <summary>A privilege by name.</summary>
    /// <exception cref="ArgumentException">The name is not a known privilege.</exception>
    public static Privilege Create(string name, PrivilegeAttributes attributes)
        => Privileges.TryGetLuid(name, out var luid) ? new Privilege(luid, attributes) : throw new ArgumentException($"unknown privilege '{name}'", nameof(name));

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Attributes})";
}

/// <summary>The privileges Windows defines, with their fixed LUIDs (winnt.h SE_*_PRIVILEGE values).</summary>
public static class Privileges
{
    /// <summary>SeCreateTokenPrivilege.</summary>
    public static readonly Luid CreateToken = new(2, 0);
    /// <summary>SeAssignPrimaryTokenPrivilege.</summary>
    public static readonly Luid AssignPrimaryToken = new(3, 0);
    /// <summary>SeTcbPrivilege.</summary>
    public static readonly Luid Tcb = new(7, 0);
    /// <summary>SeSecurityPrivilege: ACCESS_SYSTEM_SECURITY.</summary>
    public static readonly Luid Security = new(8, 0);
    /// <summary>SeTakeOwnershipPrivilege: WRITE_OWNER regardless of the DACL.</summary>
    public static readonly Luid TakeOwnership = new(9, 0);
    /// <summary>SeBackupPrivilege.</summary>
    public static readonly Luid Backup = new(17, 0);
    /// <summary>SeRestorePrivilege.</summary>
    public static readonly Luid Restore = new(18, 0);
    /// <summary>SeDebugPrivilege.</summary>
    public static readonly Luid Debug = new(20, 0);
    /// <summary>SeChangeNotifyPrivilege (bypass traverse checking); the one privilege DISABLE_MAX_PRIVILEGE keeps.</summary>
    public static readonly Luid ChangeNotify = new(23, 0);
    /// <summary>SeImpersonatePrivilege.</summary>
    public static readonly Luid Impersonate = new(29, 0);
    /// <summary>SeRelabelPrivilege: WRITE_OWNER past the integrity check, and raising labels.</summary>
    public static readonly Luid Relabel = new(32, 0);

    private static readonly string[] Names =
    [
        "", "", "SeCreateTokenPrivilege", "SeAssignPrimaryTokenPrivilege", "SeLockMemoryPrivilege", "SeIncreaseQuotaPrivilege",
        "SeMachineAccountPrivilege", "SeTcbPrivilege", "SeSecurityPrivilege", "SeTakeOwnershipPrivilege", "SeLoadDriverPrivilege",
        "SeSystemProfilePrivilege", "SeSystemtimePrivilege", "SeProfileSingleProcessPrivilege", "SeIncreaseBasePriorityPrivilege",
        "SeCreatePagefilePrivilege", "SeCreatePermanentPrivilege", "SeBackupPrivilege", "SeRestorePrivilege", "SeShutdownPrivilege",
        "SeDebugPrivilege", "SeAuditPrivilege", "SeSystemEnvironmentPrivilege", "SeChangeNotifyPrivilege", "SeRemoteShutdownPrivilege",
        "SeUndockPrivilege", "SeSyncAgentPrivilege", "SeEnableDelegationPrivilege", "SeManageVolumePrivilege", "SeImpersonatePrivilege",
        "SeCreateGlobalPrivilege", "SeTrustedCredManAccessPrivilege", "SeRelabelPrivilege", "SeIncreaseWorkingSetPrivilege",
        "SeTimeZonePrivilege", "SeCreateSymbolicLinkPrivilege", "SeDelegateSessionUserImpersonatePrivilege",
    ];

    /// <summary>Every known privilege name with its LUID, in LUID order.</summary>
    public static IEnumerable<(string Name, Luid Luid)> All
    {
        get
        {
            for (int i = 2; i < Names.Length; i++) yield return (Names[i], new Luid((uint)i, 0));
        }
    }

    /// <summary>The name of a privilege LUID, or the LUID in text when it is not a known privilege.</summary>
    public static string NameOf(Luid luid) => luid.HighPart == 0 && luid.LowPart >= 2 && luid.LowPart < Names.Length ? Names[luid.LowPart] : luid.ToString();

    /// <summary>Looks up a privilege by name, case-insensitively (as LookupPrivilegeValue does).</summary>
    public static bool TryGetLuid(string name, out Luid luid)
    {
        for (int i = 2; i < Names.Length; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                luid = new Luid((uint)i, 0);
                return true;
            }
        }
        luid = default;
        return false;
    }
}
