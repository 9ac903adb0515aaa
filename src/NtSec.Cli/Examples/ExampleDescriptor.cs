using NtSec.Principals;

namespace NtSec.Cli.Examples;

/// <summary>
/// The descriptor <c>ntsec sddl --example</c> decodes: a folder on a domain file server, <c>D:\Shares\Finance\Reports</c>,
/// as Windows would store it.
/// </summary>
/// <remarks>
/// The share root <c>D:\Shares\Finance</c> has a protected DACL (inheritance from <c>D:\</c> disabled) granting SYSTEM,
/// Administrators, CREATOR OWNER and Domain Users; Reports inherits those (the ID ACEs) and adds two explicit ACEs of
/// its own: a deny of DELETE, WRITE_DAC and WRITE_OWNER to a contractor account, and Modify for the Finance group.
/// Its DACL is therefore auto-inherited (AI) rather than protected: a protected DACL would not hold inherited ACEs.
/// The SACL audits failed attempts to delete or re-permission anything below, and carries an explicit mandatory label
/// (Medium, no-write-up) of the kind Windows writes when a label is set on purpose.
/// </remarks>
internal static class ExampleDescriptor
{
    /// <summary>The example domain, CONTOSO. The example is decoded in this domain unless <c>--domain</c> says otherwise.</summary>
    public static Sid Domain { get; } = Sid.Parse("S-1-5-21-1004336348-1177238915-682003330");

    /// <summary>The object type whose rights the example is named with unless <c>--type</c> says otherwise.</summary>
    public const string DefaultType = "directory";

    /// <summary>What the example is.</summary>
    public const string Description = @"D:\Shares\Finance\Reports: a folder on a domain file server (domain S-1-5-21-1004336348-1177238915-682003330)";

    /// <summary>The descriptor in SDDL.</summary>
    public const string Sddl =
        "O:BAG:DU" +
        "D:AI" +
        "(D;OICI;SDWDWO;;;S-1-5-21-1004336348-1177238915-682003330-1112)" + // contractor: no delete, no permission changes
        "(A;OICI;0x1301bf;;;S-1-5-21-1004336348-1177238915-682003330-1105)" + // Finance group: Modify
        "(A;OICIID;FA;;;SY)" +
        "(A;OICIID;FA;;;BA)" +
        "(A;OICIIOID;FA;;;CO)" +
        "(A;OICIID;0x1200a9;;;DU)" + // Domain Users: Read & execute
        "S:(AU;OICIFA;SDWDWO;;;WD)(ML;OICI;NW;;;ME)";
}
