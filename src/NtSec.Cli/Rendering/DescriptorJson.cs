using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Cli.Rendering;

/// <summary>
/// Writes a security descriptor as JSON. The shape is versioned (<see cref="Version"/>) and documented in
/// <c>docs/cli.md</c>; every key is always present, with null where a value does not apply, so that consumers can
/// index without probing.
/// </summary>
internal static class DescriptorJson
{
    /// <summary>The version of the JSON shape, written as <c>"version"</c>. Bumped when a key changes meaning or goes away.</summary>
    public const int Version = 1;

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the JSON document for <paramref name="descriptor"/>, followed by a new line.</summary>
    public static void Write(TextWriter output, SecurityDescriptor descriptor, RenderOptions options, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(options);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, indented ? Indented : Compact))
        {
            WriteDescriptor(json, descriptor, options);
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>Writes a SID object (<c>{"sid", "alias", "name"}</c>), the same shape the descriptor uses for trustees.</summary>
    public static void WriteSid(Utf8JsonWriter json, Sid sid, SidContext context, SidNameResolver? names = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var d = SidDescription.Of(sid, context, names);
        json.WriteStartObject();
        json.WriteString("sid", sid.ToString());
        json.WriteString("alias", d.Alias);
        json.WriteString("name", d.AccountName);
        json.WriteEndObject();
    }

    // Also the "descriptor" member of ntsec inherit --json.
    internal static void WriteDescriptor(Utf8JsonWriter json, SecurityDescriptor sd, RenderOptions options)
    {
        var context = options.Context;
        json.WriteStartObject();
        json.WriteNumber("version", Version);
        json.WriteString("sddl", SddlWriter.TryFormat(sd, context, SecurityInformation.All, out string? sddl, out _) ? sddl : null);
        json.WriteString("objectType", options.ObjectType?.Name);
        json.WriteNumber("revision", SecurityDescriptor.CurrentRevision);
        json.WriteNumber("length", sd.GetBinaryLength());
        json.WriteNumber("trailingBytes", options.TrailingBytes);

        json.WriteStartObject("control");
        json.WriteNumber("value", (ushort)sd.Control);
        json.WriteString("hex", Hex.Word((ushort)sd.Control));
        WriteStrings(json, "flags", SecurityNames.ControlNames(sd.Control));
        json.WriteEndObject();
        if ((sd.Control & SecurityDescriptorControl.RmControlValid) != 0) json.WriteNumber("rmControl", sd.RmControl);
        else json.WriteNull("rmControl");

        json.WritePropertyName("owner");
        if (sd.Owner is { } owner) WriteSid(json, owner, context, options.Names);
        else json.WriteNullValue();
        json.WritePropertyName("group");
        if (sd.Group is { } group) WriteSid(json, group, context, options.Names);
        else json.WriteNullValue();

        WriteAcl(json, "dacl", sd.DaclState, sd.Dacl, isDacl: true, options);
        WriteAcl(json, "sacl", sd.SaclState, sd.Sacl, isDacl: false, options);
        json.WriteEndObject();
    }

    private static void WriteAcl(Utf8JsonWriter json, string name, AclState state, Acl? acl, bool isDacl, RenderOptions options)
    {
        json.WriteStartObject(name);
        json.WriteString("state", state switch { AclState.Absent => "absent", AclState.Null => "null", _ => "present" });
        if (acl is null)
        {
            json.WriteNull("revision");
            json.WriteNull("canonical");
            json.WriteNull("aces");
            json.WriteEndObject();
            return;
        }
        json.WriteNumber("revision", acl.Revision);
        if (isDacl) json.WriteBoolean("canonical", acl.IsCanonical());
        else json.WriteNull("canonical");
        json.WriteStartArray("aces");
        for (int i = 0; i < acl.Aces.Length; i++) WriteAce(json, i, acl.Aces[i], options);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteAce(Utf8JsonWriter json, int index, Ace ace, RenderOptions options)
    {
        var type = options.ObjectType;
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteString("type", AceTypes.SdkName(ace.Type));
        json.WriteNumber("typeValue", (byte)ace.Type);
        json.WriteString("sddlType", AceTypes.Find(ace.Type)?.SddlCode);

        json.WriteStartObject("flags");
        json.WriteNumber("value", (byte)ace.Flags);
        WriteStrings(json, "names", [.. AceFlagTable.Set(ace.Flags, ace.Type).Select(f => f.SdkName)]);
        json.WriteString("sddl", SddlWriter.FormatAceFlags(ace.Flags, ace.Type));
        json.WriteEndObject();

        json.WriteStartObject("mask");
        json.WriteNumber("value", ace.Mask);
        json.WriteString("hex", Hex.Mask(ace.Mask));
        json.WriteString("sddl", ace.IsRaw ? null : SddlRights.Format(ace.Mask, ace.Type == AceType.SystemMandatoryLabel));
        WriteStrings(json, "rights", ace.IsRaw ? [] : AceRights.Names(ace, type));
        json.WriteString("composite", ace.IsRaw || ace.Type == AceType.SystemMandatoryLabel ? null : AceRights.Composite(ace.Mask, type));
        if (!ace.IsRaw && AceRights.Mapped(ace, type) is { } mapped)
        {
            json.WriteStartObject("mapped");
            json.WriteNumber("value", mapped);
            json.WriteString("hex", Hex.Mask(mapped));
            WriteStrings(json, "rights", AceRights.Names(mapped, type));
            json.WriteString("composite", AceRights.Composite(mapped, type));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("mapped");
        }
        json.WriteEndObject();

        json.WriteString("objectType", ace.ObjectType?.ToString("D"));
        json.WriteString("inheritedObjectType", ace.InheritedObjectType?.ToString("D"));
        json.WritePropertyName("trustee");
        if (ace.IsRaw) json.WriteNullValue();
        else WriteSid(json, ace.Sid, options.Context, options.Names);

        var data = ace.ApplicationData;
        json.WriteString("applicationData", data.Length > 0 ? Hex.Bytes(data) : null);
        json.WriteString("condition", ace.IsCallback && data.Length > 0 && ConditionalExpressions.TryDecompile(data, options.Context, out string c) ? c : null);
        json.WriteString("resourceAttribute", ace.Type == AceType.SystemResourceAttribute && data.Length > 0 && ResourceAttributes.TryFormatSddl(data, options.Context, out string r) ? r : null);
        json.WriteString("rawBody", ace.RawBody is { } raw ? Hex.Bytes(raw) : null);
        var probe = new SecurityDescriptor(dacl: new Acl([ace]));
        json.WriteString("sddl", SddlWriter.TryFormat(probe, options.Context, SecurityInformation.Dacl, out string? aceSddl, out _) ? aceSddl!["D:".Length..] : null);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }
}
