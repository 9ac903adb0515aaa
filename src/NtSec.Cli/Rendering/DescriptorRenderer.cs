using System.Text;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Cli.Rendering;

/// <summary>
/// Writes a security descriptor as aligned, readable text: owner, group, control flags, and each ACL with every ACE
/// decoded (type, flags, mask and rights, object types, trustee, payload).
/// </summary>
internal static class DescriptorRenderer
{
    private const int TopLabelWidth = 9;
    private const int AceIndent = 2;
    private const int AceLabelIndent = 6;
    private const int AceLabelWidth = 16;

    /// <summary>Writes the text form of <paramref name="descriptor"/>.</summary>
    public static void WriteText(TextWriter output, SecurityDescriptor descriptor, RenderOptions options, Style style)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(style);
        var context = options.Context;

        WriteTop(output, style, "Owner", descriptor.Owner is { } o ? SidDescription.Of(o, context, options.Names).Format(style) : style.Dim("(none)"));
        WriteTop(output, style, "Group", descriptor.Group is { } g ? SidDescription.Of(g, context, options.Names).Format(style) : style.Dim("(none)"));

        var names = SecurityNames.ControlNames(descriptor.Control);
        string control = Hex.Word((ushort)descriptor.Control) + (names.Count > 0 ? "  " + string.Join(" | ", names) : "");
        WriteTop(output, style, "Control", control);
        if ((descriptor.Control & SecurityDescriptorControl.RmControlValid) != 0)
            WriteTop(output, style, "RM ctl", "0x" + descriptor.RmControl.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));

        string size = $"{descriptor.GetBinaryLength()} bytes self-relative";
        if (options.TrailingBytes > 0) size += style.Dim($" ({options.TrailingBytes} trailing input bytes ignored)");
        WriteTop(output, style, "Size", size);
        if (options.ObjectType is { } type) WriteTop(output, style, "Type", $"{type.Name} {style.Dim("(right names)")}");

        WriteAcl(output, style, "DACL", descriptor.DaclState, descriptor.Dacl, isDacl: true, options);
        WriteAcl(output, style, "SACL", descriptor.SaclState, descriptor.Sacl, isDacl: false, options);
    }

    private static void WriteTop(TextWriter output, Style style, string label, string value)
        => output.WriteLine(style.Label(label.PadRight(TopLabelWidth)) + value);

    private static void WriteAcl(TextWriter output, Style style, string label, AclState state, Acl? acl, bool isDacl, RenderOptions options)
    {
        switch (state)
        {
            case AclState.Absent:
                WriteTop(output, style, label, "absent" + (isDacl ? style.Dim(" (no DACL: every access is granted)") : ""));
                return;
            case AclState.Null:
                WriteTop(output, style, label, "NULL" + (isDacl ? style.Dim(" (NO_ACCESS_CONTROL: every access is granted)") : ""));
                return;
        }
        var a = acl!;
        var summary = new StringBuilder();
        summary.Append("present, ").Append(a.Count).Append(a.Count == 1 ? " ACE" : " ACEs").Append(", revision ").Append(a.Revision);
        if (isDacl)
        {
            if (a.Count == 0) summary.Append(style.Dim(" (an empty DACL grants nothing)"));
            else summary.Append(", ").Append(a.IsCanonical() ? "canonical order" : style.Deny("NOT in canonical order") + style.Dim(" (expected: explicit deny, explicit allow, inherited)"));
        }
        if (a.Slack.Length > 0) summary.Append(style.Dim($", {a.Slack.Length} unused bytes at the end"));
        WriteTop(output, style, label, summary.ToString());
        for (int i = 0; i < a.Aces.Length; i++) WriteAce(output, style, i, a.Aces[i], options);
    }

    private static void WriteAce(TextWriter output, Style style, int index, Ace ace, RenderOptions options)
    {
        string typeName = AceTypes.SdkName(ace.Type);
        string? code = AceTypes.Find(ace.Type)?.SddlCode;
        string styled = ace.IsAccessDenied ? style.Deny(typeName) : ace.IsAccessAllowed ? style.Allow(typeName) : style.System(typeName);
        output.WriteLine($"{new string(' ', AceIndent)}[{index}] {styled}{(code is null ? "" : $" ({code})")}");

        string[] flagNames = [.. AceFlagTable.Set(ace.Flags, ace.Type).Select(f => f.SdkName)];
        WriteAceField(output, style, "Flags", flagNames.Length == 0 ? style.Dim("none") : $"{string.Join(" | ", flagNames)} ({SddlWriter.FormatAceFlags(ace.Flags, ace.Type)})");

        if (ace.IsRaw)
        {
            WriteAceField(output, style, "Body", $"{ace.RawBody!.Length} bytes, layout unknown to NtSec: {Hex.Bytes(ace.RawBody)}");
            return;
        }

        string sddlRights = SddlRights.Format(ace.Mask, ace.Type == AceType.SystemMandatoryLabel);
        WriteAceField(output, style, "Mask", Hex.Mask(ace.Mask) + (sddlRights.Length > 0 && !sddlRights.StartsWith("0x", StringComparison.Ordinal) ? $" ({sddlRights})" : ""));

        var type = options.ObjectType;
        var rightNames = AceRights.Names(ace, type);
        if (rightNames.Count > 0)
        {
            string? composite = ace.Type == AceType.SystemMandatoryLabel ? null : AceRights.Composite(ace.Mask, type);
            WriteWrapped(output, style, ace.Type == AceType.SystemMandatoryLabel ? "Policy" : "Rights", composite, rightNames, options.Width);
        }
        if (AceRights.Mapped(ace, type) is { } mapped)
        {
            WriteWrapped(output, style, "Maps to", Hex.Mask(mapped) + (AceRights.Composite(mapped, type) is { } c ? " " + c : ""), AceRights.Names(mapped, type), options.Width);
        }

        if (ace.ObjectType is { } ot) WriteAceField(output, style, "Object type", ot.ToString("D"));
        if (ace.InheritedObjectType is { } iot) WriteAceField(output, style, "Inherited type", iot.ToString("D"));

        WriteAceField(output, style, "Trustee", SidDescription.Of(ace.Sid, options.Context, options.Names).Format(style));

        var data = ace.ApplicationData;
        if (data.Length == 0) return;
        if (ace.IsCallback && ConditionalExpressions.TryDecompile(data, options.Context, out string condition))
            WriteAceField(output, style, "Condition", condition);
        else if (ace.Type == AceType.SystemResourceAttribute && ResourceAttributes.TryFormatSddl(data, options.Context, out string attribute))
            WriteAceField(output, style, "Attribute", attribute);
        else
            WriteAceField(output, style, ace.IsCallback ? "Condition data" : ace.Type == AceType.SystemResourceAttribute ? "Attribute data" : "Extra data",
                $"{data.Length} bytes: {Hex.Bytes(data)}");
    }

    private static void WriteAceField(TextWriter output, Style style, string label, string value)
        => output.WriteLine(new string(' ', AceLabelIndent) + style.Label(label.PadRight(AceLabelWidth)) + value);

    // "Rights  FILE_ALL_ACCESS = FILE_READ_DATA | ..." with the list wrapped under the value column on " | " boundaries.
    private static void WriteWrapped(TextWriter output, Style style, string label, string? head, IReadOnlyList<string> names, int width)
    {
        int column = AceLabelIndent + AceLabelWidth;
        var indent = new string(' ', column);
        var line = new StringBuilder();
        line.Append(new string(' ', AceLabelIndent)).Append(style.Label(label.PadRight(AceLabelWidth)));
        int visible = column;
        if (head is not null)
        {
            line.Append(head).Append(" = ");
            visible += head.Length + 3;
        }
        for (int i = 0; i < names.Count; i++)
        {
            string piece = i < names.Count - 1 ? names[i] + " |" : names[i];
            if (i > 0)
            {
                if (visible + 1 + piece.Length > width)
                {
                    output.WriteLine(line.ToString());
                    line.Clear().Append(indent);
                    visible = column;
                }
                else
                {
                    line.Append(' ');
                    visible++;
                }
            }
            line.Append(piece);
            visible += piece.Length;
        }
        output.WriteLine(line.ToString());
    }
}
