namespace NtSec.Cli.Input;

/// <summary>How a descriptor is written on the command line or on a line of standard input.</summary>
internal enum InputFormat
{
    /// <summary>SDDL text.</summary>
    Sddl,
    /// <summary>A self-relative binary descriptor in hexadecimal; white space is ignored.</summary>
    Hex,
    /// <summary>A self-relative binary descriptor in base64, bare or as an LDIF <c>attribute:: value</c> line.</summary>
    Base64,
    /// <summary>The output of <c>icacls PATH</c>: a DACL per path, without owner or group.</summary>
    Icacls,
    /// <summary>The output of <c>Get-Acl | Format-List</c>: the <c>Sddl</c> field of each object.</summary>
    GetAcl,
}
