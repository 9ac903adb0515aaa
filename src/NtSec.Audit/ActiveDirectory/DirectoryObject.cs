using System.Globalization;
using NtSec.Descriptors;
using NtSec.Principals;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>
/// A directory object as an audit needs it, read from one LDIF record. Attributes an audit does not use are not
/// kept. Schema objects (<c>classSchema</c>, <c>attributeSchema</c>) and Extended-Rights entries
/// (<c>controlAccessRight</c>) are objects too, with their schema attributes set.
/// </summary>
public sealed class DirectoryObject
{
    /// <summary>The distinguished name.</summary>
    public required string Dn { get; init; }
    /// <summary>The line of the record's <c>dn</c>.</summary>
    public long Line { get; init; }
    /// <summary>The <c>objectClass</c> values, most general first as AD returns them (<c>top</c> ... <c>user</c>).</summary>
    public IReadOnlyList<string> ObjectClass { get; init; } = [];
    /// <summary>The <c>objectSid</c>.</summary>
    public Sid? ObjectSid { get; init; }
    /// <summary>The <c>objectGUID</c>.</summary>
    public Guid? ObjectGuid { get; init; }
    /// <summary>The <c>sAMAccountName</c>.</summary>
    public string? SamAccountName { get; init; }
    /// <summary>The <c>member</c> DNs.</summary>
    public IReadOnlyList<string> Member { get; init; } = [];
    /// <summary>The <c>memberOf</c> DNs.</summary>
    public IReadOnlyList<string> MemberOf { get; init; } = [];
    /// <summary>Whether a <c>member;range=...</c> value shows the export holds only part of the member list.</summary>
    public bool MemberRanged { get; init; }
    /// <summary>The <c>primaryGroupID</c> (a RID in the object's domain).</summary>
    public uint? PrimaryGroupId { get; init; }
    /// <summary>The <c>userAccountControl</c> flags.</summary>
    public uint? UserAccountControl { get; init; }
    /// <summary>The <c>groupType</c> flags.</summary>
    public int? GroupType { get; init; }
    /// <summary>The <c>sIDHistory</c> values.</summary>
    public IReadOnlyList<Sid> SidHistory { get; init; } = [];
    /// <summary>The <c>nTSecurityDescriptor</c>.</summary>
    public SecurityDescriptor? NtSecurityDescriptor { get; init; }

    /// <summary>
    /// The <c>nTSecurityDescriptor</c> when the export gives it as SDDL text (Samba's <c>ldbsearch</c> does), parsed
    /// by the scanner once the export's domain SID is known (its aliases DA, DU ... are relative to it).
    /// </summary>
    public string? NtSecurityDescriptorSddl { get; init; }

    /// <summary>The <c>lDAPDisplayName</c> of a schema object.</summary>
    public string? LdapDisplayName { get; init; }
    /// <summary>The <c>schemaIDGUID</c> of a schema object.</summary>
    public Guid? SchemaIdGuid { get; init; }
    /// <summary>The <c>attributeSecurityGUID</c> of an attribute (its property set).</summary>
    public Guid? AttributeSecurityGuid { get; init; }
    /// <summary>The <c>defaultSecurityDescriptor</c> of a class, as the SDDL the schema holds.</summary>
    public string? DefaultSecurityDescriptor { get; init; }
    /// <summary>The <c>rightsGuid</c> of a control access right.</summary>
    public Guid? RightsGuid { get; init; }
    /// <summary>The <c>appliesTo</c> class GUIDs of a control access right.</summary>
    public IReadOnlyList<Guid> AppliesTo { get; init; } = [];
    /// <summary>The <c>validAccesses</c> of a control access right (CR, RP|WP for a property set, SW for a validated write).</summary>
    public uint? ValidAccesses { get; init; }
    /// <summary>The <c>cn</c>.</summary>
    public string? Cn { get; init; }

    /// <summary>The <c>gPLink</c> value (the GPOs linked here, <c>[LDAP://DN;OPTIONS]</c> each), if exported.</summary>
    public string? GpLink { get; init; }

    /// <summary>The most specific <c>objectClass</c> (the last value), or empty.</summary>
    public string StructuralClass => ObjectClass.Count == 0 ? "" : ObjectClass[^1];

    /// <summary>Whether <c>objectClass</c> holds <paramref name="name"/>.</summary>
    public bool Is(string name)
    {
        foreach (var c in ObjectClass)
            if (c.Equals(name, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// Maps a record, reading the binary attributes with the library's codecs. Text forms are accepted where tools
    /// write them (<c>ldbsearch</c> prints <c>objectSid</c> as <c>S-1-...</c> and GUIDs as text).
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="value">The object.</param>
    /// <param name="error">The line and reason when a value is malformed.</param>
    public static bool TryFrom(LdifRecord record, out DirectoryObject? value, out LdifError? error)
    {
        value = null;
        error = null;
        List<string> classes = [], member = [], memberOf = [];
        List<Sid> history = [];
        List<Guid> appliesTo = [];
        Sid? sid = null;
        Guid? guid = null, schemaId = null, attrSecurity = null, rights = null;
        string? sam = null, display = null, defaultSd = null, cn = null, gpLink = null;
        uint? pgid = null, uac = null, valid = null;
        int? groupType = null;
        bool ranged = false;
        SecurityDescriptor? sd = null;
        string? sddl = null;
        foreach (var v in record.Values)
        {
            switch (v.Name.ToLowerInvariant())
            {
                case "objectclass": classes.Add(v.Text); break;
                case "objectsid":
                    if (!TrySid(v, out var s, out error)) return false;
                    sid = s;
                    break;
                case "sidhistory":
                    if (!TrySid(v, out var h, out error)) return false;
                    history.Add(h);
                    break;
                case "objectguid":
                    if (!TryGuid(v, out var g, out error)) return false;
                    guid = g;
                    break;
                case "schemaidguid":
                    if (!TryGuid(v, out var sg, out error)) return false;
                    schemaId = sg;
                    break;
                case "attributesecurityguid":
                    if (!TryGuid(v, out var ag, out error)) return false;
                    attrSecurity = ag;
                    break;
                case "rightsguid":
                    if (!TryGuid(v, out var rg, out error)) return false;
                    rights = rg;
                    break;
                case "appliesto":
                    if (!TryGuid(v, out var at, out error)) return false;
                    appliesTo.Add(at);
                    break;
                case "member":
                    member.Add(v.Text);
                    if (v.Options.StartsWith("range=", StringComparison.OrdinalIgnoreCase)) ranged = true;
                    break;
                case "memberof": memberOf.Add(v.Text); break;
                case "samaccountname": sam = v.Text; break;
                case "ldapdisplayname": display = v.Text; break;
                case "cn": cn = v.Text; break;
                case "defaultsecuritydescriptor": defaultSd = v.Text; break;
                case "gplink": gpLink = v.Text; break;
                case "primarygroupid":
                    if (!TryUInt(v, out var p, out error)) return false;
                    pgid = p;
                    break;
                case "useraccountcontrol":
                    if (!TryUInt(v, out var u, out error)) return false;
                    uac = u;
                    break;
                case "validaccesses":
                    if (!TryUInt(v, out var va, out error)) return false;
                    valid = va;
                    break;
                case "grouptype":
                    if (!TryUInt(v, out var gt, out error)) return false;
                    groupType = unchecked((int)gt);
                    break;
                case "ntsecuritydescriptor":
                    // A binary descriptor starts with its revision byte (1); SDDL with a component letter and ':'.
                    if (v.Value.Length >= 2 && v.Value[1] == (byte)':' && v.Value[0] is (byte)'O' or (byte)'G' or (byte)'D' or (byte)'S')
                    {
                        sddl = v.Text;
                        break;
                    }
                    if (!SecurityDescriptor.TryRead(v.Value, out sd, out _, out var pe))
                    {
                        error = new LdifError(v.Line, $"nTSecurityDescriptor: {pe!.Reason} at byte {pe.Position}");
                        return false;
                    }
                    break;
            }
        }
        value = new DirectoryObject
        {
            NtSecurityDescriptorSddl = sddl,
            Dn = record.Dn, Line = record.Line, ObjectClass = classes, ObjectSid = sid, ObjectGuid = guid, SamAccountName = sam,
            Member = member, MemberOf = memberOf, MemberRanged = ranged, PrimaryGroupId = pgid, UserAccountControl = uac,
            GroupType = groupType, SidHistory = history, NtSecurityDescriptor = sd, LdapDisplayName = display,
            SchemaIdGuid = schemaId, AttributeSecurityGuid = attrSecurity, DefaultSecurityDescriptor = defaultSd,
            RightsGuid = rights, AppliesTo = appliesTo, ValidAccesses = valid, Cn = cn, GpLink = gpLink,
        };
        return true;
    }

    private static bool TrySid(LdifValue v, out Sid sid, out LdifError? error)
    {
        error = null;
        if (v.Value.Length >= 2 && v.Value[0] == (byte)'S' && v.Value[1] == (byte)'-')
        {
            if (Sid.TryParse(v.Text, out sid, out var pe)) return true;
            error = new LdifError(v.Line, $"{v.Name} '{v.Text}': {pe!.Reason}");
            return false;
        }
        if (Sid.TryRead(v.Value, out sid, out int read, out var be) && read == v.Value.Length) return true;
        error = new LdifError(v.Line, $"{v.Name}: {(be is null ? $"{v.Value.Length - read} bytes after the SID" : be.Reason)}");
        return false;
    }

    // Binary GUIDs are the 16 bytes of the GUID structure (Data1..Data3 little-endian), which is what .NET's
    // Guid(byte[]) reads; rightsGuid and appliesTo are strings in the schema, with or without braces.
    private static bool TryGuid(LdifValue v, out Guid guid, out LdifError? error)
    {
        error = null;
        if (v.Value.Length == 16 && !Guid.TryParse(v.Text, out _))
        {
            guid = new Guid(v.Value);
            return true;
        }
        if (Guid.TryParse(v.Text.Trim(), out guid)) return true;
        error = new LdifError(v.Line, $"{v.Name}: neither 16 bytes nor a GUID string ({v.Value.Length} bytes)");
        return false;
    }

    private static bool TryUInt(LdifValue v, out uint value, out LdifError? error)
    {
        error = null;
        var t = v.Text.Trim();
        // groupType is signed in AD (0x80000002 prints as -2147483646).
        if (uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return true;
        if (int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int signed))
        {
            value = unchecked((uint)signed);
            return true;
        }
        error = new LdifError(v.Line, $"{v.Name} '{t}' is not a number");
        return false;
    }
}
