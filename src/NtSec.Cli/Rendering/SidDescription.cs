using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Cli.Rendering;

/// <summary>A SID with what the catalogue knows about it in a given domain context.</summary>
/// <param name="Sid">The SID.</param>
/// <param name="Alias">Its SDDL alias (<c>BA</c>, <c>DA</c> ...), or null.</param>
/// <param name="AccountName">Its <c>DOMAIN\Name</c>, or null when NtSec does not know the account.</param>
internal readonly record struct SidDescription(Sid Sid, string? Alias, string? AccountName)
{
    /// <summary>Describes a SID, with the best name known: <paramref name="names"/>' (the names the user gave), else the catalogue's.</summary>
    public static SidDescription Of(Sid sid, SidContext context, SidNameResolver? names = null)
        => new(sid, SddlSidAliases.AliasFor(sid, context), names?.NameOf(sid) ?? WellKnownSids.GetAccountName(sid, context));

    /// <summary><c>S-1-5-32-544 (BA: BUILTIN\Administrators)</c>, or the bare SID when nothing more is known.</summary>
    public string Format(Style style)
    {
        string sid = style.Sid(Sid.ToString());
        return (Alias, AccountName) switch
        {
            (null, null) => sid,
            (null, { } name) => $"{sid} ({style.Name(name)})",
            ({ } alias, null) => $"{sid} ({style.Name(alias)})",
            ({ } alias, { } name) => $"{sid} ({style.Name(alias)}: {style.Name(name)})",
        };
    }
}
