using System.Text;

namespace NtSec.Authorization;

/// <summary>
/// What NtSec knows about one kind of securable object: its specific rights by name, its generic mapping and
/// the access mask that is valid for it.
/// </summary>
public sealed class ObjectTypeInfo
{
    /// <summary>Defines an object type: NtSec's own are in <see cref="ObjectTypes"/>; a caller may define others.</summary>
    /// <param name="name">The object manager's name for the type (<c>File</c>, <c>Key</c> ...).</param>
    /// <param name="keys">The names <c>--type</c> accepts, the first being the one listed.</param>
    /// <param name="mapping">The type's generic mapping.</param>
    /// <param name="validAccess">Every right that means something for the type.</param>
    /// <param name="specificRights">The specific rights (bits 0-15), one bit each, in bit order, with their SDK names.</param>
    /// <param name="compositeRights">Named combinations (<c>FILE_ALL_ACCESS</c> ...), accepted when parsing.</param>
    public ObjectTypeInfo(string name, IReadOnlyList<string> keys, GenericMapping mapping, uint validAccess,
        IReadOnlyList<(string Name, uint Mask)> specificRights, IReadOnlyList<(string Name, uint Mask)>? compositeRights = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(specificRights);
        foreach (var key in keys)
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("A type's keys must not be empty.", nameof(keys));
        // Specific rights are the low 16 bits of a mask, one bit each (MS-DTYP 2.4.3): a name standing for several
        // bits is a composite right, and two names for one bit would make the rendering ambiguous.
        uint seen = 0;
        foreach (var (rightName, bit) in specificRights)
        {
            if (string.IsNullOrEmpty(rightName) || bit == 0 || (bit & (bit - 1)) != 0 || bit > 0xFFFF || (seen & bit) != 0)
                throw new ArgumentException($"Specific right '{rightName}' (0x{bit:x}) must be a single bit of 0x0000ffff, named once.", nameof(specificRights));
            seen |= bit;
        }
        Name = name;
        Keys = [.. keys];
        GenericMapping = mapping;
        ValidAccessMask = validAccess;
        SpecificRights = [.. specificRights];
        CompositeRights = compositeRights is null ? [] : [.. compositeRights];
    }

    /// <summary>The type's name as the object manager calls it (<c>File</c>, <c>Key</c>, <c>Token</c> ...).</summary>
    public string Name { get; }

    /// <summary>The names the command line accepts for <c>--type</c>.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The type's generic mapping.</summary>
    public GenericMapping GenericMapping { get; }

    /// <summary>Every right that means something for the type (its GENERIC_ALL mapping plus ACCESS_SYSTEM_SECURITY).</summary>
    public uint ValidAccessMask { get; }

    /// <summary>The specific rights (bits 0-15), one bit each, with their winnt.h names.</summary>
    public IReadOnlyList<(string Name, uint Mask)> SpecificRights { get; }

    /// <summary>Named combinations (<c>FILE_ALL_ACCESS</c>, <c>KEY_READ</c> ...), used when parsing names.</summary>
    public IReadOnlyList<(string Name, uint Mask)> CompositeRights { get; }

    /// <summary>
    /// Names each set bit: the type's specific rights, then the standard, special and generic rights, joined with
    /// <c>|</c>; bits without a name are written as one hexadecimal remainder. Zero is <c>0</c>.
    /// </summary>
    public string FormatRights(uint mask) => string.Join(" | ", RightNames(mask));

    /// <summary>The names of the set bits, in bit order, with an unnamed remainder in hexadecimal at the end.</summary>
    public IEnumerable<string> RightNames(uint mask)
    {
        if (mask == 0) return ["0"];
        var names = new List<string>();
        uint rest = BitNames.AppendNames(names, mask, SpecificRights);
        BitNames.Append(names, rest, AccessRightNames.Standard);
        return names;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The object types NtSec knows, with their rights and generic mappings as Windows defines them.</summary>
public static class ObjectTypes
{
    private const uint Rc = AccessMask.ReadControl;
    private const uint Sy = AccessMask.Synchronize;

    // The file, directory and pipe rows name the same nine bits: the first three and the sixth under the names
    // each kind of object gives them, the rest alike.
    private static (string, uint)[] FileBits(string bit0, string bit1, string bit2, string bit5) =>
    [
        (bit0, FileAccessRights.ReadData), (bit1, FileAccessRights.WriteData), (bit2, FileAccessRights.AppendData),
        ("FILE_READ_EA", FileAccessRights.ReadEa), ("FILE_WRITE_EA", FileAccessRights.WriteEa), (bit5, FileAccessRights.Execute),
        ("FILE_DELETE_CHILD", FileAccessRights.DeleteChild), ("FILE_READ_ATTRIBUTES", FileAccessRights.ReadAttributes),
        ("FILE_WRITE_ATTRIBUTES", FileAccessRights.WriteAttributes),
    ];

    private static readonly (string, uint)[] FileComposite =
    [
        ("FILE_ALL_ACCESS", FileAccessRights.AllAccess), ("FILE_GENERIC_READ", FileAccessRights.GenericRead),
        ("FILE_GENERIC_WRITE", FileAccessRights.GenericWrite), ("FILE_GENERIC_EXECUTE", FileAccessRights.GenericExecute),
    ];

    private static readonly GenericMapping FileMapping =
        new(FileAccessRights.GenericRead, FileAccessRights.GenericWrite, FileAccessRights.GenericExecute, FileAccessRights.AllAccess);

    /// <summary>Files (NTFS and other file systems).</summary>
    public static ObjectTypeInfo File { get; } = new("File", ["file"], FileMapping, FileAccessRights.AllAccess,
        FileBits("FILE_READ_DATA", "FILE_WRITE_DATA", "FILE_APPEND_DATA", "FILE_EXECUTE"), FileComposite);

    /// <summary>Directories: the file rights under their directory names.</summary>
    public static ObjectTypeInfo Directory { get; } = new("Directory", ["directory", "dir", "folder"], FileMapping, FileAccessRights.AllAccess,
        FileBits("FILE_LIST_DIRECTORY", "FILE_ADD_FILE", "FILE_ADD_SUBDIRECTORY", "FILE_TRAVERSE"), FileComposite);

    /// <summary>Named pipes.</summary>
    public static ObjectTypeInfo Pipe { get; } = new("NamedPipe", ["pipe", "namedpipe"], FileMapping, FileAccessRights.AllAccess,
        FileBits("FILE_READ_DATA", "FILE_WRITE_DATA", "FILE_CREATE_PIPE_INSTANCE", "FILE_EXECUTE"), FileComposite);

    /// <summary>Registry keys.</summary>
    public static ObjectTypeInfo Key { get; } = new("Key", ["key", "registry", "reg"],
        new(KeyAccessRights.Read, KeyAccessRights.Write, KeyAccessRights.Execute, KeyAccessRights.AllAccess),
        KeyAccessRights.AllAccess | KeyAccessRights.Wow64Key64 | KeyAccessRights.Wow64Key32,
    [
        ("KEY_QUERY_VALUE", KeyAccessRights.QueryValue), ("KEY_SET_VALUE", KeyAccessRights.SetValue),
        ("KEY_CREATE_SUB_KEY", KeyAccessRights.CreateSubKey), ("KEY_ENUMERATE_SUB_KEYS", KeyAccessRights.EnumerateSubKeys),
        ("KEY_NOTIFY", KeyAccessRights.Notify), ("KEY_CREATE_LINK", KeyAccessRights.CreateLink),
        ("KEY_WOW64_64KEY", KeyAccessRights.Wow64Key64), ("KEY_WOW64_32KEY", KeyAccessRights.Wow64Key32),
    ],
    [
        ("KEY_ALL_ACCESS", KeyAccessRights.AllAccess), ("KEY_READ", KeyAccessRights.Read),
        ("KEY_WRITE", KeyAccessRights.Write), ("KEY_EXECUTE", KeyAccessRights.Execute),
    ]);

    /// <summary>Processes (Vista and later mapping: QUERY_LIMITED_INFORMATION is part of read and execute).</summary>
    public static ObjectTypeInfo Process { get; } = new("Process", ["process"], new(0x21410, 0x20BEA, 0x121000, ProcessAccessRights.AllAccess), ProcessAccessRights.AllAccess,
    [
        ("PROCESS_TERMINATE", ProcessAccessRights.Terminate), ("PROCESS_CREATE_THREAD", ProcessAccessRights.CreateThread),
        ("PROCESS_SET_SESSIONID", ProcessAccessRights.SetSessionId), ("PROCESS_VM_OPERATION", ProcessAccessRights.VmOperation),
        ("PROCESS_VM_READ", ProcessAccessRights.VmRead), ("PROCESS_VM_WRITE", ProcessAccessRights.VmWrite),
        ("PROCESS_DUP_HANDLE", ProcessAccessRights.DupHandle), ("PROCESS_CREATE_PROCESS", ProcessAccessRights.CreateProcess),
        ("PROCESS_SET_QUOTA", ProcessAccessRights.SetQuota), ("PROCESS_SET_INFORMATION", ProcessAccessRights.SetInformation),
        ("PROCESS_QUERY_INFORMATION", ProcessAccessRights.QueryInformation), ("PROCESS_SUSPEND_RESUME", ProcessAccessRights.SuspendResume),
        ("PROCESS_QUERY_LIMITED_INFORMATION", ProcessAccessRights.QueryLimitedInformation),
        ("PROCESS_SET_LIMITED_INFORMATION", ProcessAccessRights.SetLimitedInformation),
    ],
    [("PROCESS_ALL_ACCESS", ProcessAccessRights.AllAccess)]);

    /// <summary>Threads (Vista and later mapping).</summary>
    public static ObjectTypeInfo Thread { get; } = new("Thread", ["thread"], new(0x20848, 0x20437, 0x120800, ThreadAccessRights.AllAccess), ThreadAccessRights.AllAccess,
    [
        ("THREAD_TERMINATE", ThreadAccessRights.Terminate), ("THREAD_SUSPEND_RESUME", ThreadAccessRights.SuspendResume),
        ("THREAD_ALERT", ThreadAccessRights.Alert), ("THREAD_GET_CONTEXT", ThreadAccessRights.GetContext),
        ("THREAD_SET_CONTEXT", ThreadAccessRights.SetContext), ("THREAD_SET_INFORMATION", ThreadAccessRights.SetInformation),
        ("THREAD_QUERY_INFORMATION", ThreadAccessRights.QueryInformation), ("THREAD_SET_THREAD_TOKEN", ThreadAccessRights.SetThreadToken),
        ("THREAD_IMPERSONATE", ThreadAccessRights.Impersonate), ("THREAD_DIRECT_IMPERSONATION", ThreadAccessRights.DirectImpersonation),
        ("THREAD_SET_LIMITED_INFORMATION", ThreadAccessRights.SetLimitedInformation),
        ("THREAD_QUERY_LIMITED_INFORMATION", ThreadAccessRights.QueryLimitedInformation), ("THREAD_RESUME", ThreadAccessRights.Resume),
    ],
    [("THREAD_ALL_ACCESS", ThreadAccessRights.AllAccess)]);

    /// <summary>Access tokens.</summary>
    public static ObjectTypeInfo Token { get; } = new("Token", ["token"],
        new(TokenAccessRights.Read, TokenAccessRights.Write, TokenAccessRights.Execute, TokenAccessRights.AllAccess), TokenAccessRights.AllAccess,
    [
        ("TOKEN_ASSIGN_PRIMARY", TokenAccessRights.AssignPrimary), ("TOKEN_DUPLICATE", TokenAccessRights.Duplicate),
        ("TOKEN_IMPERSONATE", TokenAccessRights.Impersonate), ("TOKEN_QUERY", TokenAccessRights.Query),
        ("TOKEN_QUERY_SOURCE", TokenAccessRights.QuerySource), ("TOKEN_ADJUST_PRIVILEGES", TokenAccessRights.AdjustPrivileges),
        ("TOKEN_ADJUST_GROUPS", TokenAccessRights.AdjustGroups), ("TOKEN_ADJUST_DEFAULT", TokenAccessRights.AdjustDefault),
        ("TOKEN_ADJUST_SESSIONID", TokenAccessRights.AdjustSessionId),
    ],
    [
        ("TOKEN_ALL_ACCESS", TokenAccessRights.AllAccess), ("TOKEN_READ", TokenAccessRights.Read),
        ("TOKEN_WRITE", TokenAccessRights.Write), ("TOKEN_EXECUTE", TokenAccessRights.Execute),
    ]);

    /// <summary>Desktops.</summary>
    public static ObjectTypeInfo Desktop { get; } = new("Desktop", ["desktop"], new(0x20041, 0x200BE, 0x20100, DesktopAccessRights.AllAccess), DesktopAccessRights.AllAccess,
    [
        ("DESKTOP_READOBJECTS", DesktopAccessRights.ReadObjects), ("DESKTOP_CREATEWINDOW", DesktopAccessRights.CreateWindow),
        ("DESKTOP_CREATEMENU", DesktopAccessRights.CreateMenu), ("DESKTOP_HOOKCONTROL", DesktopAccessRights.HookControl),
        ("DESKTOP_JOURNALRECORD", DesktopAccessRights.JournalRecord), ("DESKTOP_JOURNALPLAYBACK", DesktopAccessRights.JournalPlayback),
        ("DESKTOP_ENUMERATE", DesktopAccessRights.Enumerate), ("DESKTOP_WRITEOBJECTS", DesktopAccessRights.WriteObjects),
        ("DESKTOP_SWITCHDESKTOP", DesktopAccessRights.SwitchDesktop),
    ], []);

    /// <summary>Window stations.</summary>
    public static ObjectTypeInfo WindowStation { get; } = new("WindowStation", ["winsta", "windowstation"],
        new(0x20303, 0x2001C, 0x20060, WindowStationAccessRights.AllAccessWithStandard), WindowStationAccessRights.AllAccessWithStandard,
    [
        ("WINSTA_ENUMDESKTOPS", WindowStationAccessRights.EnumDesktops), ("WINSTA_READATTRIBUTES", WindowStationAccessRights.ReadAttributes),
        ("WINSTA_ACCESSCLIPBOARD", WindowStationAccessRights.AccessClipboard), ("WINSTA_CREATEDESKTOP", WindowStationAccessRights.CreateDesktop),
        ("WINSTA_WRITEATTRIBUTES", WindowStationAccessRights.WriteAttributes), ("WINSTA_ACCESSGLOBALATOMS", WindowStationAccessRights.AccessGlobalAtoms),
        ("WINSTA_EXITWINDOWS", WindowStationAccessRights.ExitWindows), ("WINSTA_ENUMERATE", WindowStationAccessRights.Enumerate),
        ("WINSTA_READSCREEN", WindowStationAccessRights.ReadScreen),
    ],
    [("WINSTA_ALL_ACCESS", WindowStationAccessRights.AllAccess)]);

    /// <summary>Services.</summary>
    public static ObjectTypeInfo Service { get; } = new("Service", ["service"], new(0x2008D, 0x20002, 0x20170, 0xF01FF), 0xF01FF,
    [
        ("SERVICE_QUERY_CONFIG", 0x1), ("SERVICE_CHANGE_CONFIG", 0x2), ("SERVICE_QUERY_STATUS", 0x4), ("SERVICE_ENUMERATE_DEPENDENTS", 0x8),
        ("SERVICE_START", 0x10), ("SERVICE_STOP", 0x20), ("SERVICE_PAUSE_CONTINUE", 0x40), ("SERVICE_INTERROGATE", 0x80),
        ("SERVICE_USER_DEFINED_CONTROL", 0x100),
    ],
    [("SERVICE_ALL_ACCESS", 0xF01FF)]);

    /// <summary>The service control manager.</summary>
    public static ObjectTypeInfo ServiceControlManager { get; } = new("SCManager", ["scm", "scmanager"], new(0x20014, 0x20022, 0x20009, 0xF003F), 0xF003F,
    [
        ("SC_MANAGER_CONNECT", 0x1), ("SC_MANAGER_CREATE_SERVICE", 0x2), ("SC_MANAGER_ENUMERATE_SERVICE", 0x4), ("SC_MANAGER_LOCK", 0x8),
        ("SC_MANAGER_QUERY_LOCK_STATUS", 0x10), ("SC_MANAGER_MODIFY_BOOT_CONFIG", 0x20),
    ],
    [("SC_MANAGER_ALL_ACCESS", 0xF003F)]);

    /// <summary>Sections (file mappings).</summary>
    public static ObjectTypeInfo Section { get; } = new("Section", ["section", "filemapping"], new(0x20005, 0x20002, 0x20008, 0xF001F), 0xF003F,
    [
        ("SECTION_QUERY", 0x1), ("SECTION_MAP_WRITE", 0x2), ("SECTION_MAP_READ", 0x4), ("SECTION_MAP_EXECUTE", 0x8),
        ("SECTION_EXTEND_SIZE", 0x10), ("SECTION_MAP_EXECUTE_EXPLICIT", 0x20),
    ],
    [("SECTION_ALL_ACCESS", 0xF001F)]);

    /// <summary>Events.</summary>
    public static ObjectTypeInfo Event { get; } = new("Event", ["event"], new(Rc | 0x1, Rc | 0x2, Rc | Sy, 0x1F0003), 0x1F0003,
        [("EVENT_QUERY_STATE", 0x1), ("EVENT_MODIFY_STATE", 0x2)], [("EVENT_ALL_ACCESS", 0x1F0003)]);

    /// <summary>Mutants (mutexes).</summary>
    public static ObjectTypeInfo Mutant { get; } = new("Mutant", ["mutant", "mutex"], new(Rc | 0x1, Rc, Rc | Sy, 0x1F0001), 0x1F0001,
        [("MUTANT_QUERY_STATE", 0x1)], [("MUTANT_ALL_ACCESS", 0x1F0001)]);

    /// <summary>Semaphores.</summary>
    public static ObjectTypeInfo Semaphore { get; } = new("Semaphore", ["semaphore"], new(Rc | 0x1, Rc | 0x2, Rc | Sy, 0x1F0003), 0x1F0003,
        [("SEMAPHORE_QUERY_STATE", 0x1), ("SEMAPHORE_MODIFY_STATE", 0x2)], [("SEMAPHORE_ALL_ACCESS", 0x1F0003)]);

    /// <summary>Job objects.</summary>
    public static ObjectTypeInfo Job { get; } = new("Job", ["job"], new(0x20004, 0x2000B, 0x120000, 0x1F003F), 0x1F003F,
    [
        ("JOB_OBJECT_ASSIGN_PROCESS", 0x1), ("JOB_OBJECT_SET_ATTRIBUTES", 0x2), ("JOB_OBJECT_QUERY", 0x4), ("JOB_OBJECT_TERMINATE", 0x8),
        ("JOB_OBJECT_SET_SECURITY_ATTRIBUTES", 0x10), ("JOB_OBJECT_IMPERSONATE", 0x20),
    ],
    [("JOB_OBJECT_ALL_ACCESS", 0x1F003F)]);

    /// <summary>Active Directory objects (the ADS_RIGHT_* / ACTRL_DS_* rights).</summary>
    public static ObjectTypeInfo DirectoryServiceObject { get; } = new("DirectoryServiceObject", ["ds", "ad", "directoryservice"],
        new(DirectoryServiceAccessRights.GenericRead, DirectoryServiceAccessRights.GenericWrite, DirectoryServiceAccessRights.GenericExecute,
            DirectoryServiceAccessRights.AllAccess), DirectoryServiceAccessRights.AllAccess,
    [
        ("ADS_RIGHT_DS_CREATE_CHILD", DirectoryServiceAccessRights.CreateChild), ("ADS_RIGHT_DS_DELETE_CHILD", DirectoryServiceAccessRights.DeleteChild),
        ("ADS_RIGHT_ACTRL_DS_LIST", DirectoryServiceAccessRights.List), ("ADS_RIGHT_DS_SELF", DirectoryServiceAccessRights.Self),
        ("ADS_RIGHT_DS_READ_PROP", DirectoryServiceAccessRights.ReadProperty), ("ADS_RIGHT_DS_WRITE_PROP", DirectoryServiceAccessRights.WriteProperty),
        ("ADS_RIGHT_DS_DELETE_TREE", DirectoryServiceAccessRights.DeleteTree), ("ADS_RIGHT_DS_LIST_OBJECT", DirectoryServiceAccessRights.ListObject),
        ("ADS_RIGHT_DS_CONTROL_ACCESS", DirectoryServiceAccessRights.ControlAccess),
    ], []);

    /// <summary>A type with no specific right names; rights print as bits. Its mapping maps nothing.</summary>
    public static ObjectTypeInfo Generic { get; } = new("Generic", ["generic", "none"], default, 0xFFFFFFFF, [], []);

    /// <summary>Every known type.</summary>
    public static IReadOnlyList<ObjectTypeInfo> All { get; } =
    [
        File, Directory, Key, Process, Thread, Token, Desktop, WindowStation, Service, ServiceControlManager,
        Section, Event, Mutant, Semaphore, Job, DirectoryServiceObject, Pipe, Generic,
    ];

    /// <summary>The built-in types as a catalogue: what <c>--type</c> and a request's <c>type</c> resolve against by default.</summary>
    public static ObjectTypeCatalog Catalog { get; } = new(All);

    /// <summary>The first key of every type a caller names with <c>--type</c> (all but <see cref="Generic"/>), in order.</summary>
    public static IReadOnlyList<string> Keys => Catalog.Keys;

    /// <summary>Finds a built-in type by one of its <see cref="ObjectTypeInfo.Keys"/> or its name, case-insensitively.</summary>
    public static ObjectTypeInfo? Find(string key) => Catalog.Find(key);
}

/// <summary>
/// The object types names are resolved against: NtSec's own (<see cref="ObjectTypes.Catalog"/>), or those and a
/// caller's own (<see cref="With"/>), so that a type NtSec does not know is named, checked and rendered the same way.
/// </summary>
public sealed class ObjectTypeCatalog
{
    private readonly ObjectTypeInfo[] _types;

    /// <summary>A catalogue of these types.</summary>
    /// <exception cref="ArgumentException">Two types share a name or key (compared case-insensitively).</exception>
    public ObjectTypeCatalog(IEnumerable<ObjectTypeInfo> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        _types = [.. types];
        var owner = new Dictionary<string, ObjectTypeInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var t in _types)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(types));
            foreach (var key in t.Keys.Prepend(t.Name))
            {
                if (owner.TryGetValue(key, out var other) && !ReferenceEquals(other, t))
                    throw new ArgumentException($"'{key}' names both {other.Name} and {t.Name}.", nameof(types));
                owner[key] = t;
            }
        }
        Keys = [.. _types.Where(t => !ReferenceEquals(t, ObjectTypes.Generic) && t.Keys.Count > 0).Select(t => t.Keys[0])];
    }

    /// <summary>Every type, in order.</summary>
    public IReadOnlyList<ObjectTypeInfo> All => _types;

    /// <summary>The first key of every type a caller would name (all but <see cref="ObjectTypes.Generic"/>), in order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Finds a type by one of its <see cref="ObjectTypeInfo.Keys"/> or its name, case-insensitively.</summary>
    public ObjectTypeInfo? Find(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var t in _types)
        {
            if (string.Equals(t.Name, key, StringComparison.OrdinalIgnoreCase)) return t;
            foreach (var k in t.Keys)
                if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) return t;
        }
        return null;
    }

    /// <summary>This catalogue and more types.</summary>
    /// <exception cref="ArgumentException">A new type shares a name or key with another.</exception>
    public ObjectTypeCatalog With(params IEnumerable<ObjectTypeInfo> types) => new([.. _types, .. types]);
}

/// <summary>Names of the rights common to every type, and parsing of masks written as names or numbers.</summary>
public static class AccessRightNames
{
    /// <summary>The standard, special and generic rights, in bit order.</summary>
    public static IReadOnlyList<(string Name, uint Mask)> Standard { get; } =
    [
        ("DELETE", AccessMask.Delete), ("READ_CONTROL", AccessMask.ReadControl), ("WRITE_DAC", AccessMask.WriteDac),
        ("WRITE_OWNER", AccessMask.WriteOwner), ("SYNCHRONIZE", AccessMask.Synchronize),
        ("ACCESS_SYSTEM_SECURITY", AccessMask.AccessSystemSecurity), ("MAXIMUM_ALLOWED", AccessMask.MaximumAllowed),
        ("GENERIC_ALL", AccessMask.GenericAll), ("GENERIC_EXECUTE", AccessMask.GenericExecute),
        ("GENERIC_WRITE", AccessMask.GenericWrite), ("GENERIC_READ", AccessMask.GenericRead),
    ];

    /// <summary>Parses a number: 0x hexadecimal or decimal (<see cref="AccessMask.TryParseNumber"/>).</summary>
    public static bool TryParseNumber(string text, out uint value) => AccessMask.TryParseNumber(text, out value);

    /// <summary>The mask's rights by name for an object type (<c>FILE_READ_DATA | SYNCHRONIZE</c>).</summary>
    public static string ToString(this AccessMask mask, ObjectTypeInfo type) => type.FormatRights(mask.Value);

    /// <summary>
    /// Parses a mask written as a number or as right names joined by <c>|</c>, <c>,</c> or <c>+</c>: the type's
    /// specific and composite names, the standard and generic names, and the SDDL right codes (<c>FA</c>, <c>RC</c>...).
    /// Names are case-insensitive.
    /// </summary>
    public static bool TryParse(string text, ObjectTypeInfo? type, out uint mask, out string? error)
    {
        mask = 0;
        error = null;
        var parts = text.Split(['|', ',', '+'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            error = "no rights given";
            return false;
        }
        foreach (var part in parts)
        {
            if (TryParseNumber(part, out uint n)) { mask |= n; continue; }
            if (TryLookup(part, type, out n)) { mask |= n; continue; }
            if (Sddl.SddlRights.TryParseCodes(part, out n)) { mask |= n; continue; }
            error = $"unknown right '{part}'" + (type is null ? "" : $" for type {type.Name}");
            return false;
        }
        return true;
    }

    private static bool TryLookup(string name, ObjectTypeInfo? type, out uint mask)
    {
        foreach (var (n, m) in Standard)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) { mask = m; return true; }
        var types = type is null ? ObjectTypes.All : [type];
        foreach (var t in types)
        {
            foreach (var (n, m) in t.SpecificRights)
                if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) { mask = m; return true; }
            foreach (var (n, m) in t.CompositeRights)
                if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) { mask = m; return true; }
        }
        mask = 0;
        return false;
    }

    internal static string Join(IEnumerable<string> names)
    {
        var sb = new StringBuilder();
        foreach (var n in names)
        {
            if (sb.Length > 0) sb.Append(" | ");
            sb.Append(n);
        }
        return sb.ToString();
    }
}
