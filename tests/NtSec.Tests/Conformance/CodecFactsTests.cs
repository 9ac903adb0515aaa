using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Win32;
using Xunit.Abstractions;

namespace NtSec.Tests.Conformance;

/// <summary>
/// The sid_*, sddl_* and sd_* cases of facts.jsonl: each fact is checked against NtSec's Win32-style and
/// native APIs, and the pass counts are reported per kind.
/// </summary>
public sealed partial class CodecFactsTests(ITestOutputHelper output)
{
    /// <summary>Prefix of a check result for a case no implementation could pass, with the reason after it.</summary>
    private const string Unreachable = "unreachable: ";

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static SidContext ContextOf(JsonElement input)
        => Str(input, "machine_domain_sid") is { } d ? new SidContext(MachineDomain: Sid.Parse(d)) : ConformanceData.MachineContext;

    [GeneratedRegex(@"\((\d+)\)")]
    private static partial Regex ErrorCode();

    private static int? ExpectedError(JsonElement expected)
    {
        var text = Str(expected, "error");
        if (text is null) return null;
        var m = ErrorCode().Match(text);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private void Run(string kind, Func<JsonElement, string?> check)
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        var unreachable = new List<string>();
        foreach (var fact in ConformanceData.FactsOfKind(kind))
        {
            total++;
            string? failure;
            try
            {
                failure = check(fact);
            }
            catch (Exception ex)
            {
                failure = "threw " + ex.GetType().Name + ": " + ex.Message;
            }
            if (failure is null) passed++;
            else if (failure.StartsWith(Unreachable, StringComparison.Ordinal)) unreachable.Add($"{fact.GetProperty("id").GetString()}: {failure}");
            else failures.Add($"{fact.GetProperty("id").GetString()}: {failure}");
        }
        string note = unreachable.Count == 0 ? "" : $" ({unreachable.Count} not reachable: {unreachable[0][(unreachable[0].IndexOf(Unreachable, StringComparison.Ordinal) + Unreachable.Length)..]})";
        ConformanceData.Report(output, "facts.jsonl " + kind + note, passed, total, failures.Concat(unreachable));
        Assert.True(total > 0, "no facts of kind " + kind);
        Assert.Empty(failures);
    }

    [ConformanceFact]
    public void SidParse() => Run("sid_parse", fact =>
    {
        var input = fact.GetProperty("input");
        var expected = fact.GetProperty("expected");
        string? text = Str(input, "string");
        bool ok = Advapi32.ConvertStringSidToSid(text, out var sid);
        bool want = Str(expected, "result") == "TRUE";
        if (ok != want) return $"returned {ok}, Windows {want}";
        if (!ok) return ExpectedError(expected) is { } code && code != Win32Error.GetLastError() ? $"error {Win32Error.GetLastError()}, Windows {code}" : null;
        if (Str(expected, "sid") is { } s && sid.ToString() != s) return $"got {sid}, Windows {s}";
        if (expected.TryGetProperty("sub_authority", out var subs))
        {
            var want2 = subs.EnumerateArray().Select(x => x.GetUInt32()).ToArray();
            var got = Enumerable.Range(0, sid.SubAuthorityCount).Select(sid.GetSubAuthority).ToArray();
            if (!want2.SequenceEqual(got)) return $"sub-authorities {string.Join(",", got)}, Windows {string.Join(",", want2)}";
        }
        return null;
    });

    [ConformanceFact]
    public void SidFormat() => Run("sid_format", fact =>
    {
        var input = fact.GetProperty("input");
        ulong authority = 0;
        foreach (var b in Str(input, "identifier_authority")!.Split(' ')) authority = (authority << 8) | byte.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var subs = input.GetProperty("sub_authorities").EnumerateArray().Select(x => x.GetUInt32()).ToArray();
        var sid = Sid.Create(authority, subs);
        Assert.True(Advapi32.ConvertSidToStringSid(sid, out var text));
        string want = Str(fact.GetProperty("expected"), "string")!;
        if (text != want) return $"got {text}, Windows {want}";
        if (!Advapi32.ConvertStringSidToSid(text, out var back) || !back.BinaryForm.SequenceEqual(sid.BinaryForm)) return "does not parse back to the same bytes";
        return null;
    });

    [ConformanceFact]
    public void SddlAlias() => Run("sddl_alias", fact =>
    {
        var input = fact.GetProperty("input");
        string alias = Str(input, "alias")!;
        if (!SddlSidAliases.TryResolve(alias, ContextOf(input), out var sid, out var error)) return "not resolved: " + error;
        string want = Str(fact.GetProperty("expected"), "sid")!;
        if (sid.ToString() != want) return $"got {sid}, Windows {want}";
        // And the writer re-aliases it.
        string? back = SddlSidAliases.AliasFor(sid, ContextOf(input));
        return back == alias ? null : $"{sid} is written as {back ?? "a full SID"}, not {alias}";
    });

    [ConformanceFact]
    public void SddlAccept() => Run("sddl_accept", fact =>
    {
        var input = fact.GetProperty("input");
        var expected = fact.GetProperty("expected");
        if (!Advapi32.ConvertStringSecurityDescriptorToSecurityDescriptor(Str(input, "sddl"), Advapi32.SddlRevision1, out var bytes, ContextOf(input)))
            return $"rejected with {Win32Error.GetLastError()}";
        var sd = SecurityDescriptor.FromBinary(bytes);
        if (Str(expected, "first_ace_mask") is { } m && sd.Dacl!.Aces[0].Mask != Convert.ToUInt32(m, 16)) return $"first mask 0x{sd.Dacl.Aces[0].Mask:x8}, Windows {m}";
        if (expected.TryGetProperty("acl_revision", out var rev) && sd.Dacl!.Revision != rev.GetInt32()) return $"ACL revision {sd.Dacl.Revision}, Windows {rev}";
        return null;
    });

    [ConformanceFact]
    public void SddlReject() => Run("sddl_reject", fact =>
    {
        var input = fact.GetProperty("input");
        var expected = fact.GetProperty("expected");
        string? condition = Str(input, "condition");
        uint revision = condition is not null && condition.StartsWith("revision 0x", StringComparison.Ordinal)
            ? Convert.ToUInt32(condition["revision ".Length..], 16) : Advapi32.SddlRevision1;
        // "output pointer NULL": C# has no null out-pointer; Windows checks it before the text, and the text here
        // ("ROB" as rights) is itself invalid, so the call must fail either way.
        bool ok = Advapi32.ConvertStringSecurityDescriptorToSecurityDescriptor(Str(input, "sddl"), revision, out var bytes, ContextOf(input));
        if (ok) return "accepted as " + SecurityDescriptor.FromBinary(bytes).ToSddl(ContextOf(input));
        if (condition == "output pointer NULL") return null;
        if (ExpectedError(expected) is { } code && code != Win32Error.GetLastError()) return $"error {Win32Error.GetLastError()}, Windows {code}";
        return null;
    });

    [ConformanceFact]
    public void SddlRoundtrip() => Run("sddl_roundtrip", fact =>
    {
        var input = fact.GetProperty("input");
        var ctx = ContextOf(input);
        if (!SddlParser.TryParse(Str(input, "sddl"), ctx, out var sd, out var error)) return "rejected: " + error;
        string got = sd!.ToSddl(ctx), want = Str(fact.GetProperty("expected"), "sddl")!;
        return got == want ? null : $"got {got}, Windows {want}";
    });

    [ConformanceFact]
    public void SddlToBinary() => Run("sddl_to_binary", fact =>
    {
        var input = fact.GetProperty("input");
        var expected = fact.GetProperty("expected");
        if (!SddlParser.TryParse(Str(input, "sddl"), ContextOf(input), out var sd, out var error)) return "rejected: " + error;
        var bytes = sd!.ToBinary();
        if (Str(expected, "hex") is { } hex && ConformanceData.Hex(bytes) != hex)
        {
            // Windows' bytes with ACL slack come from a descriptor edited in place, not from this string.
            var windows = SecurityDescriptor.FromBinary(Convert.FromHexString(hex));
            bool slack = (windows.Dacl?.Slack.Length ?? 0) + (windows.Sacl?.Slack.Length ?? 0) > 0;
            return slack ? Unreachable + "Windows' bytes carry ACL slack, which no SDDL expresses" : $"bytes {ConformanceData.Hex(bytes)}, Windows {hex}";
        }
        if (expected.TryGetProperty("length", out var len) && len.GetInt32() != bytes.Length && Str(expected, "hex") is null) return $"length {bytes.Length}, Windows {len}";
        foreach (var (name, acl) in new[] { ("dacl", sd.Dacl), ("sacl", sd.Sacl) })
        {
            if (!expected.TryGetProperty(name, out var e) || Str(expected, "hex") is not null) continue;
            if (acl is null) return $"no {name}";
            if (e.TryGetProperty("acl_size", out var size) && size.GetInt32() != acl.GetBinaryLength()) return $"{name} size {acl.GetBinaryLength()}, Windows {size}";
            if (e.TryGetProperty("ace_count", out var count) && count.GetInt32() != acl.Count) return $"{name} count {acl.Count}, Windows {count}";
            if (e.TryGetProperty("revision", out var rev) && rev.GetInt32() != acl.Revision) return $"{name} revision {acl.Revision}, Windows {rev}";
        }
        return null;
    });

    private static SecurityInformation InfoOf(string text)
    {
        var info = (SecurityInformation)0;
        foreach (var part in text.Split('|', ' ', '(', ')', ','))
        {
            info |= part switch
            {
                "O" or "OWNER" or "OWNER_SECURITY_INFORMATION" => SecurityInformation.Owner,
                "G" or "GROUP" or "GROUP_SECURITY_INFORMATION" => SecurityInformation.Group,
                "D" or "DACL" or "DACL_SECURITY_INFORMATION" => SecurityInformation.Dacl,
                "S" or "SACL" or "SACL_SECURITY_INFORMATION" => SecurityInformation.Sacl,
                _ => 0,
            };
        }
        return info;
    }

    private static Acl? AclOf(JsonElement sd, string name, out AclState state)
    {
        state = AclState.Absent;
        if (!sd.TryGetProperty(name, out var e)) return null;
        if (e.ValueKind == JsonValueKind.String)
        {
            state = AclState.Null;
            return null;
        }
        state = AclState.Present;
        var aces = e.EnumerateArray().Select(a => new Ace(
            Str(a, "type") switch
            {
                "ACCESS_ALLOWED" => AceType.AccessAllowed,
                "ACCESS_DENIED" => AceType.AccessDenied,
                "SYSTEM_AUDIT" => AceType.SystemAudit,
                var t => throw new InvalidOperationException("ACE type " + t),
            },
            (AceFlags)Convert.ToByte(Str(a, "flags"), 16),
            Convert.ToUInt32(Str(a, "mask"), 16),
            Sid.Parse(Str(a, "sid")!)));
        return new Acl(aces);
    }

    [ConformanceFact]
    public void SdToSddl() => Run("sd_to_sddl", fact =>
    {
        var input = fact.GetProperty("input");
        SecurityDescriptor sd;
        SecurityInformation info;
        if (input.TryGetProperty("sd", out var desc))
        {
            var control = SecurityDescriptorControl.None;
            if (desc.TryGetProperty("owner_defaulted", out _)) control |= SecurityDescriptorControl.OwnerDefaulted;
            if (desc.TryGetProperty("dacl_defaulted", out _)) control |= SecurityDescriptorControl.DaclDefaulted;
            var dacl = AclOf(desc, "dacl", out var daclState);
            var sacl = AclOf(desc, "sacl", out var saclState);
            sd = new SecurityDescriptor(
                Str(desc, "owner") is { } o ? Sid.Parse(o) : null,
                Str(desc, "group") is { } g ? Sid.Parse(g) : null,
                dacl, sacl, control, daclState, saclState);
            info = InfoOf(Str(input, "security_information")!);
        }
        else
        {
            sd = SddlParser.Parse(Str(input, "sddl_source")!);
            if (Str(input, "control_extra") == "SE_DACL_PROTECTED")
            {
                Assert.True(Advapi32.SetSecurityDescriptorControl(sd, SecurityDescriptorControl.DaclProtected, SecurityDescriptorControl.DaclProtected, out var withControl));
                sd = withControl;
            }
            string op = Str(input, "op")!;
            info = InfoOf(op[(op.IndexOf('(') + 1)..op.IndexOf(')')]);
            sd = sd.Select(info);
        }
        if (!Advapi32.ConvertSecurityDescriptorToStringSecurityDescriptor(sd.ToBinary(), Advapi32.SddlRevision1, info, out var text)) return "failed with " + Win32Error.GetLastError();
        var expected = fact.GetProperty("expected");
        string want = Str(expected, "sddl")!;
        if (text != want) return $"got {text}, Windows {want}";
        var written = SecurityDescriptor.FromBinary(sd.ToBinary());
        if (Str(expected, "control") is { } c && (ushort)written.Control != Convert.ToUInt16(c, 16)) return $"control 0x{(ushort)written.Control:x4}, Windows {c}";
        if (Str(expected, "control_without_protected") is { } cw && (ushort)(written.Control & ~SecurityDescriptorControl.DaclProtected) != Convert.ToUInt16(cw, 16))
            return $"control without SE_DACL_PROTECTED 0x{(ushort)(written.Control & ~SecurityDescriptorControl.DaclProtected):x4}, Windows {cw}";
        return null;
    });

    [ConformanceFact]
    public void SdControl() => Run("sd_control", fact =>
    {
        var input = fact.GetProperty("input");
        var sd = SddlParser.Parse(Str(input, "sddl")!);
        Assert.Contains("SE_DACL_PROTECTED, SE_DACL_PROTECTED", Str(input, "op"));
        if (!Advapi32.SetSecurityDescriptorControl(sd, SecurityDescriptorControl.DaclProtected, SecurityDescriptorControl.DaclProtected, out var changed)) return "failed";
        var written = SecurityDescriptor.FromBinary(changed.ToBinary());
        string want = Str(fact.GetProperty("expected"), "control")!;
        return (ushort)written.Control == Convert.ToUInt16(want, 16) ? null : $"control 0x{(ushort)written.Control:x4}, Windows {want}";
    });

    [ConformanceFact]
    public void SdBinarySize() => Run("sd_binary_size", fact =>
    {
        var sd = SddlParser.Parse(Str(fact.GetProperty("input"), "sddl")!);
        int want = fact.GetProperty("expected").GetProperty("required_size").GetInt32();
        return Advapi32.GetSelfRelativeLength(sd) == want ? null : $"size {Advapi32.GetSelfRelativeLength(sd)}, Windows {want}";
    });
}
