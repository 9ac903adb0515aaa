using System.Text;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;

namespace NtSec.Sddl;

/// <summary>
/// Writes SDDL as <c>ConvertSecurityDescriptorToStringSecurityDescriptorW</c> does: components in the order
/// O, G, D, S; ACL flags as P, AR, AI; ACE flags in bit order; rights as a whole-mask code, bit codes or hex;
/// SIDs re-aliased wherever an alias exists in the given context.
/// </summary>
public static class SddlWriter
{
    /// <summary>Formats a descriptor; throws when it holds an ACE SDDL cannot express.</summary>
    /// <exception cref="InvalidOperationException">An ACE has a type without an SDDL code, or undecodable application data.</exception>
    public static string Format(SecurityDescriptor descriptor, SidContext? context = null, SecurityInformation parts = SecurityInformation.All)
        => TryFormat(descriptor, context, parts, out string? text, out string? error) ? text! : throw new InvalidOperationException(error);

    /// <summary>Formats a descriptor, or says why SDDL cannot express it.</summary>
    public static bool TryFormat(SecurityDescriptor descriptor, SidContext? context, SecurityInformation parts, out string? text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var sb = RentBuilder();
        text = null;
        if (!TryAppend(sb, descriptor, context, parts, out error)) return false;
        text = sb.ToString();
        ReturnBuilder(sb);
        return true;
    }

    /// <summary>
    /// Formats a descriptor into <paramref name="destination"/> without allocating: the text
    /// <see cref="TryFormat(SecurityDescriptor, SidContext?, SecurityInformation, out string?, out string?)"/> gives.
    /// </summary>
    /// <returns>False when SDDL cannot express the descriptor or the text does not fit; <paramref name="error"/> says which.</returns>
    public static bool TryFormat(SecurityDescriptor descriptor, Span<char> destination, out int charsWritten, out string? error, SidContext? context = null, SecurityInformation parts = SecurityInformation.All)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        charsWritten = 0;
        var sb = RentBuilder();
        if (!TryAppend(sb, descriptor, context, parts, out error)) return false;
        bool fits = sb.Length <= destination.Length;
        if (fits)
        {
            sb.CopyTo(0, destination, sb.Length);
            charsWritten = sb.Length;
        }
        else
        {
            error = $"the SDDL is {sb.Length} characters; the destination holds {destination.Length}";
        }
        ReturnBuilder(sb);
        return fits;
    }

    // The one writer behind both forms; a builder that failed is not returned (it is dropped with what it holds).
    private static bool TryAppend(StringBuilder sb, SecurityDescriptor descriptor, SidContext? context, SecurityInformation parts, out string? error)
    {
        if ((parts & SecurityInformation.Owner) != 0 && descriptor.Owner is { } owner)
        {
            if (!CanWriteSid(owner, "owner", false, out error)) return false;
            AppendSid(sb.Append("O:"), owner, context);
        }
        if ((parts & SecurityInformation.Group) != 0 && descriptor.Group is { } group)
        {
            if (!CanWriteSid(group, "group", false, out error)) return false;
            AppendSid(sb.Append("G:"), group, context);
        }
        var c = descriptor.Control;
        if ((parts & SecurityInformation.Dacl) != 0 && descriptor.DaclState != AclState.Absent)
        {
            sb.Append("D:");
            if (!AppendAcl(sb, descriptor.Dacl, true, context,
                    (c & SecurityDescriptorControl.DaclProtected) != 0,
                    (c & SecurityDescriptorControl.DaclAutoInheritRequired) != 0,
                    (c & SecurityDescriptorControl.DaclAutoInherited) != 0, out error)) return false;
        }
        if ((parts & SecurityInformation.Sacl) != 0 && descriptor.SaclState != AclState.Absent)
        {
            sb.Append("S:");
            if (!AppendAcl(sb, descriptor.Sacl, false, context,
                    (c & SecurityDescriptorControl.SaclProtected) != 0,
                    (c & SecurityDescriptorControl.SaclAutoInheritRequired) != 0,
                    (c & SecurityDescriptorControl.SaclAutoInherited) != 0, out error)) return false;
        }
        error = null;
        return true;
    }

    // One builder per thread, reused: growing a fresh builder to a descriptor's length cost more than the text itself
    // (issue 10). A builder grown past 16K characters by an unusual descriptor is let go.
    [ThreadStatic] private static StringBuilder? t_builder;

    private static StringBuilder RentBuilder()
    {
        var sb = t_builder ?? new StringBuilder(1024);
        t_builder = null;
        return sb.Clear();
    }

    private static void ReturnBuilder(StringBuilder sb)
    {
        if (sb.Capacity <= 16 * 1024) t_builder = sb;
    }

    /// <summary>The alias of a SID when it has one in this context, else its S-1-... form.</summary>
    public static string FormatSid(Sid sid, SidContext? context) => SddlSidAliases.AliasFor(sid, context) ?? sid.ToString();

    private static void AppendSid(StringBuilder sb, Sid sid, SidContext? context)
    {
        // What a SID written before on this thread became is remembered (a domain's SIDs and the common aliases
        // recur ACL after ACL): its alias, or its S-1-... text in the entry's piece of a per-thread character
        // arena. Two entries per set, chosen by the SID's hash, the older one replaced, so that two SIDs sharing a
        // set do not evict each other on every descriptor. An entry also records the context its alias was chosen
        // in (SidContext is immutable, so the same instance gives the same alias). Text longer than an entry's
        // piece is formatted each time. Nothing is allocated after the first use on a thread.
        var cache = t_sidCache ??= new SidCache();
        int index = (sid.GetHashCode() & (SidCache.Sets - 1)) * 2;
        if (!cache.Matches(index, sid, context))
        {
            if (cache.Matches(index + 1, sid, context)) index++;
            else
            {
                // The set's newer entry becomes its older one; the new SID takes the newer place.
                cache.Entries[index + 1] = cache.Entries[index];
                cache.Text.AsSpan(index * SidCache.EntryChars, SidCache.EntryChars).CopyTo(cache.Text.AsSpan((index + 1) * SidCache.EntryChars));
                ref var entry = ref cache.Entries[index];
                entry = default;
                if (SddlSidAliases.AliasFor(sid, context) is { } alias) entry.Alias = alias;
                else
                {
                    Span<char> buffer = stackalloc char[200];
                    sid.TryFormat(buffer, out int n, default, null);
                    if (n > SidCache.EntryChars)
                    {
                        sb.Append(buffer[..n]);
                        return;
                    }
                    buffer[..n].CopyTo(cache.Text.AsSpan(index * SidCache.EntryChars));
                    entry.Length = n;
                }
                entry.Sid = sid;
                entry.Context = context;
            }
        }
        ref readonly var found = ref cache.Entries[index];
        if (found.Alias is { } known) sb.Append(known);
        else sb.Append(cache.Text.AsSpan(index * SidCache.EntryChars, found.Length));
    }

    [ThreadStatic] private static SidCache? t_sidCache;

    private sealed class SidCache
    {
        public const int Sets = 128, EntryChars = 64;
        public readonly Entry[] Entries = new Entry[Sets * 2];
        public readonly char[] Text = new char[Sets * 2 * EntryChars];

        public bool Matches(int index, Sid sid, SidContext? context)
        {
            ref readonly var e = ref Entries[index];
            return (e.Alias is not null || e.Length > 0) && ReferenceEquals(e.Context, context) && e.Sid.Equals(sid);
        }

        // Alias, or Length characters of text in the arena; neither for an unused entry.
        public struct Entry
        {
            public Sid Sid;
            public SidContext? Context;
            public string? Alias;
            public int Length;
        }
    }

    // SDDL cannot carry a SID without sub-authorities: Windows' string parser refuses "S-1-5" (a SID needs at least
    // one sub-authority), so text written for it would not read back; with a hex authority it would also run into
    // the next component ("G:S-1-0x74FB80EDFAAF" + "D:"). The conversion fails instead, with this reason.
    // For an ACE, role is its type code, and the text naming it is built only when the SID is refused.
    private static bool CanWriteSid(Sid sid, string role, bool aceCode, out string? error)
    {
        if (sid.SubAuthorityCount == 0)
        {
            error = $"the {role}{(aceCode ? " ACE's" : "")} SID {sid} has no sub-authority; SDDL cannot carry it (Windows' parser requires one)";
            return false;
        }
        error = null;
        return true;
    }

    private static bool AppendAcl(StringBuilder sb, Acl? acl, bool isDacl, SidContext? context, bool isProtected, bool autoInheritRequired, bool autoInherited, out string? error)
    {
        if (isProtected) sb.Append('P');
        if (autoInheritRequired) sb.Append("AR");
        if (autoInherited) sb.Append("AI");
        if (acl is null)
        {
            sb.Append("NO_ACCESS_CONTROL");
            error = null;
            return true;
        }
        foreach (var ace in acl.Aces)
        {
            // Windows' parser refuses an ACE type in the other ACL (AU in a DACL: windows_is_fussy.txt), so such an
            // ACE has no SDDL that reads back to this descriptor.
            if (!ace.IsRaw && AceTypes.Find(ace.Type) is { SddlCode: { } code } info && (info.AllowedIn & (isDacl ? AclKinds.Dacl : AclKinds.Sacl)) == 0)
            {
                error = $"a {code} ACE is in the {(isDacl ? "DACL" : "SACL")}; SDDL cannot carry it there (Windows' parser accepts {code} only in a {(isDacl ? "SACL" : "DACL")})";
                return false;
            }
            if (!AppendAce(sb, ace, context, out error)) return false;
        }
        error = null;
        return true;
    }

    /// <summary>The SDDL code of an ACE type (<c>A</c>, <c>OD</c>, <c>ML</c> ...), or null when SDDL has none.</summary>
    public static string? AceTypeCode(AceType type) => AceTypes.Find(type)?.SddlCode;

    /// <summary>ACE flags as SDDL writes them, in bit order (<c>OICIID</c>); TP instead of SA on an access filter ACE.</summary>
    public static string FormatAceFlags(AceFlags flags, AceType type)
    {
        var sb = new StringBuilder(16);
        AppendAceFlags(sb, flags, type);
        return sb.ToString();
    }

    // Indexed over the bits rather than through AceFlagTable.Set: the writer's path allocates no enumerator.
    private static void AppendAceFlags(StringBuilder sb, AceFlags flags, AceType type)
    {
        for (int i = 0; i < 8; i++)
            if (((int)flags & (1 << i)) != 0) sb.Append(AceFlagTable.For(i, type).SddlCode);
    }

    /// <summary>One ACE in SDDL; for ACEs SDDL cannot express, a description in angle brackets.</summary>
    public static string FormatAce(Ace ace, SidContext? context)
    {
        var sb = new StringBuilder();
        return AppendAce(sb, ace, context, out string? error) ? sb.ToString() : $"<{error}>";
    }

    private static void AppendGuid(StringBuilder sb, Guid guid)
    {
        Span<char> text = stackalloc char[36];
        guid.TryFormat(text, out int n, "D");
        sb.Append(text[..n]);
    }

    private static bool AppendAce(StringBuilder sb, Ace ace, SidContext? context, out string? error)
    {
        string? code = AceTypeCode(ace.Type);
        if (code is null || ace.IsRaw)
        {
            error = $"ACE type 0x{(byte)ace.Type:x2} has no SDDL form";
            return false;
        }
        sb.Append('(').Append(code).Append(';');
        AppendAceFlags(sb, ace.Flags, ace.Type);
        sb.Append(';');
        SddlRights.AppendTo(sb, ace.Mask, ace.Type == AceType.SystemMandatoryLabel);
        sb.Append(';');
        if (ace.ObjectType is { } ot) AppendGuid(sb, ot);
        sb.Append(';');
        if (ace.InheritedObjectType is { } iot) AppendGuid(sb, iot);
        sb.Append(';');
        if (!CanWriteSid(ace.Sid, code, true, out error)) return false;
        AppendSid(sb, ace.Sid, context);
        var data = ace.ApplicationData;
        if (ace.IsCallback)
        {
            // A callback ACE's SDDL always carries its condition; with no application data there is none to write,
            // and "(XA;;FA;;;WD)" does not parse (the condition field is required).
            if (data.Length == 0)
            {
                error = $"the {code} ACE has no application data, so no condition; SDDL cannot carry a callback ACE without one";
                return false;
            }
            if (!ConditionalExpressions.TryDecompile(data, context, out string condition))
            {
                error = "the callback ACE's application data is not a conditional expression SDDL can express";
                return false;
            }
            sb.Append(';').Append(condition);
        }
        else if (ace.Type == AceType.SystemResourceAttribute)
        {
            if (!ResourceAttributes.TryFormatSddl(data, context, out string attribute))
            {
                error = "the resource attribute ACE's data is not a claim attribute SDDL can express";
                return false;
            }
            sb.Append(';').Append(attribute);
        }
        sb.Append(')');
        error = null;
        return true;
    }
}
