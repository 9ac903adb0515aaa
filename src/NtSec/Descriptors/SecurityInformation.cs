namespace NtSec.Descriptors;

/// <summary>Which parts of a descriptor a call reads, writes or formats (SECURITY_INFORMATION).</summary>
[Flags]
public enum SecurityInformation : uint
{
    /// <summary>OWNER_SECURITY_INFORMATION.</summary>
    Owner = 0x1,
    /// <summary>GROUP_SECURITY_INFORMATION.</summary>
    Group = 0x2,
    /// <summary>DACL_SECURITY_INFORMATION.</summary>
    Dacl = 0x4,
    /// <summary>SACL_SECURITY_INFORMATION (includes the label, attribute and scope ACEs here).</summary>
    Sacl = 0x8,
    /// <summary>All four.</summary>
    All = Owner | Group | Dacl | Sacl,
}
