using NtSec.Import;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Descriptors;
using NtSec.Tokens;

namespace NtSec.Cli.Rendering;

/// <summary>Writes a token as aligned text for <c>ntsec token show</c>.</summary>
internal static class TokenRenderer
{
    private const int LabelWidth = 18;

    /// <summary>User, groups, privileges, restricting SIDs, integrity, type, defaults, flags and the rest.</summary>
    public static void WriteText(TextWriter output, Token token, SidNameResolver names, Style style)
    {
        var context = names.Context;
        string user = SidDescription.Of(token.User.Sid, context, names).Format(style);
        if (token.User.IsDenyOnly) user += " " + style.Deny("UseForDenyOnly");
        Line(output, style, "User", user);
        SidList(output, style, "Groups", token.Groups, names);
        var privileges = token.Privileges.Select(p => (p.Name, string.Join(", ", TokenJson.PrivilegeAttributeNames(p.Attributes)))).ToList();
        Table(output, style, "Privileges", privileges.Select(p => (p.Name, p.Name.Length, p.Item2)).ToList());
        SidList(output, style, "Restricting SIDs", token.RestrictedSids, names);
        var policy = TokenJson.MandatoryPolicyNames(token.MandatoryPolicy);
        Line(output, style, "Integrity", SidDescription.Of(token.IntegrityLevel, context, names).Format(style)
            + ", policy " + (policy.Count == 0 ? "Off" : string.Join(", ", policy)));
        Line(output, style, "Type", token.Type == TokenType.Primary ? "Primary" : $"Impersonation, level {token.ImpersonationLevel}");
        Line(output, style, "Owner", SidDescription.Of(token.Owner, context, names).Format(style));
        Line(output, style, "Primary group", SidDescription.Of(token.PrimaryGroup, context, names).Format(style));
        Line(output, style, "Default DACL", token.DefaultDacl is { } dacl
            ? SddlWriter.Format(new SecurityDescriptor(dacl: dacl), context, SecurityInformation.Dacl)
            : style.Dim("(none)"));

        var flags = new List<string>();
        if (token.IsRestricted) flags.Add(token.WriteRestricted ? "write-restricted" : "restricted");
        else if (token.WriteRestricted) flags.Add("write-restricted (no restricting SIDs)");
        if (token.SandboxInert) flags.Add("sandbox inert");
        if (token.IsLuaToken) flags.Add("LUA token");
        if (token.IsAppContainer) flags.Add("AppContainer");
        Line(output, style, "Flags", flags.Count == 0 ? style.Dim("(none)") : string.Join(", ", flags));
        if (token.AppContainer is { } ac)
        {
            Line(output, style, "Package", SidDescription.Of(ac.PackageSid, context, names).Format(style) + (ac.LowboxNumber != 0 ? $", lowbox number {ac.LowboxNumber}" : ""));
            SidList(output, style, "Capabilities", ac.Capabilities, names);
        }
        Line(output, style, "Session", token.SessionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Line(output, style, "Logon session", token.AuthenticationId.ToString());
        Line(output, style, "Elevation", token.ElevationType.ToString());
        Line(output, style, "Source", $"{token.Source.Name} {token.Source.Identifier}");
        if (token.Origin != default) Line(output, style, "Origin", token.Origin.ToString());
        if (token.DeviceGroups.Length > 0) SidList(output, style, "Device groups", token.DeviceGroups, names);
        if (token.UserClaims.Length > 0) ClaimList(output, style, "User claims", token.UserClaims);
        if (token.DeviceClaims.Length > 0) ClaimList(output, style, "Device claims", token.DeviceClaims);
    }

    // One line per claim: name, type, values, flags (the token JSON's own spellings).
    private static void ClaimList(TextWriter output, Style style, string label, IReadOnlyList<NtSec.Claims.ClaimSecurityAttribute> claims)
    {
        for (int i = 0; i < claims.Count; i++)
        {
            var c = claims[i];
            var flags = ClaimJson.FlagNamesOf(c.Flags);
            string text = $"{c.Name} ({ClaimJson.TypeName(c.ValueType)}) = {(c.Values.Count == 0 ? "(no value)" : string.Join(", ", c.Values.Select(ClaimJson.FormatValue)))}{(flags.Count > 0 ? $"  [{string.Join(", ", flags)}]" : "")}";
            Line(output, style, i == 0 ? label : "", text);
        }
    }

    private static void SidList(TextWriter output, Style style, string label, IReadOnlyList<SidAndAttributes> sids, SidNameResolver names)
    {
        var rows = new List<(string Text, int Width, string Attributes)>(sids.Count);
        foreach (var s in sids)
        {
            var d = SidDescription.Of(s.Sid, names.Context, names);
            rows.Add((d.Format(style), d.Format(Style.Plain).Length, string.Join(", ", TokenJson.GroupAttributeNames(s.Attributes))));
        }
        Table(output, style, label, rows);
    }

    // One row a line, the second column aligned; the label on the first row only. Widths are of the plain text,
    // since colour escapes take no room on screen.
    private static void Table(TextWriter output, Style style, string label, IReadOnlyList<(string Text, int Width, string Attributes)> rows)
    {
        if (rows.Count == 0)
        {
            Line(output, style, label, style.Dim("(none)"));
            return;
        }
        int column = rows.Max(r => r.Width) + 2;
        for (int i = 0; i < rows.Count; i++)
        {
            var (text, width, attributes) = rows[i];
            string head = i == 0 ? style.Label(label.PadRight(LabelWidth)) : new string(' ', LabelWidth);
            string attributesText = attributes.Length == 0 ? style.Dim("(disabled)") : attributes;
            output.WriteLine(head + text + new string(' ', column - width) + attributesText);
        }
    }

    private static void Line(TextWriter output, Style style, string label, string value)
        => output.WriteLine(style.Label(label.PadRight(LabelWidth)) + value);
}
