using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Inheritance;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;
using Xunit.Abstractions;

namespace NtSec.Tests.Conformance;

/// <summary>
/// Every case of inheritance.jsonl and every <c>inheritance</c> case of facts.jsonl, run through
/// <see cref="SecurityInheritance"/>, <see cref="Propagation"/> and <see cref="IcaclsDisplay"/>. Each case's inputs
/// are translated into one call; the expectation is read from the case, never from a constant here.
/// </summary>
/// <remarks>
/// The caller each case describes decides the flavour: an LDAP add or modify (Active Directory) passes
/// SEF_DACL_AUTO_INHERIT | SEF_SACL_AUTO_INHERIT as AD does; an SMB create or SET_INFO (NTFS) and SeAssignSecurity
/// pass the case's own flags (none).
/// </remarks>
public sealed class InheritanceFactsTests(ITestOutputHelper output)
{
    /// <summary>The domain of the AD and SMB cases: DA, DU, LG resolve against it.</summary>
    private static readonly Sid Domain = Sid.Parse("S-1-5-21-2212615479-2695158682-2101375467");
    private static readonly SidContext Context = new(Domain: Domain, MachineDomain: Domain);

    [ConformanceFileFact("inheritance.jsonl")]
    public void InheritanceJsonl_EveryCase()
    {
        var failures = new List<string>();
        int total = 0, passed = 0;
        foreach (var line in File.ReadLines(ConformanceData.PathOf("inheritance.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var c = doc.RootElement;
            total++;
            string id = c.GetProperty("id").GetString()!;
            string? why;
            try
            {
                why = c.GetProperty("kind").GetString() switch
                {
                    "inheritance" => RunCreate(c.GetProperty("input"), c.GetProperty("expected")),
                    "set_security" => RunSet(c.GetProperty("input"), c.GetProperty("expected")),
                    "propagation" => RunPropagation(c.GetProperty("input"), c.GetProperty("expected")),
                    "inheritance_static" => RunStatic(c.GetProperty("input"), c.GetProperty("expected")),
                    "icacls_display" => RunIcacls(c.GetProperty("input"), c.GetProperty("expected")),
                    var k => $"unknown kind {k}",
                };
            }
            catch (Exception e)
            {
                why = "threw " + e;
            }
            if (why is null) passed++;
            else failures.Add($"{id}: {why}");
        }
        ConformanceData.Report(output, "inheritance.jsonl", passed, total, failures);
        Assert.True(total > 0, "inheritance.jsonl holds no case");
        Assert.Empty(failures);
    }

    [ConformanceFileFact("facts.jsonl")]
    public void FactsJsonl_InheritanceCases()
    {
        var failures = new List<string>();
        int total = 0, passed = 0;
        foreach (var c in ConformanceData.FactsOfKind("inheritance"))
        {
            total++;
            string id = c.GetProperty("id").GetString()!;
            string? why;
            try
            {
                why = RunFact(id, c.GetProperty("input"), c.GetProperty("expected"));
            }
            catch (Exception e)
            {
                why = "threw " + e;
            }
            if (why is null) passed++;
            else failures.Add($"{id}: {why}");
        }
        ConformanceData.Report(output, "facts.jsonl inheritance", passed, total, failures);
        Assert.True(total > 0, "facts.jsonl holds no inheritance case");
        Assert.Empty(failures);
    }

    // ----- inheritance.jsonl -------------------------------------------------------------------------------------

    private static string? RunCreate(JsonElement input, JsonElement expected)
    {
        var parent = OptionalSd(input, "parent_sddl");
        var creator = OptionalSd(input, "creator_sddl");
        if (creator is not null && input.TryGetProperty("creator_dacl_defaulted", out var cdd) && cdd.GetBoolean())
            creator = creator.WithControl(creator.Control | SecurityDescriptorControl.DaclDefaulted);
        var flags = AutoInheritFlags.None;
        if (input.TryGetProperty("auto_inherit_flags", out var fl) && fl.ValueKind == JsonValueKind.Array)
            foreach (var f in fl.EnumerateArray())
            {
                Assert.True(AutoInheritFlagNames.TryParse(f.GetString()!, out var one), f.GetString());
                flags |= one;
            }
        var result = SecurityInheritance.CreatePrivateObjectSecurity(parent, creator, input.GetProperty("is_container").GetBoolean(),
            Subject(input.GetProperty("token")), Mapping(input.GetProperty("generic_mapping")), Guids(input, "object_type_guids"), flags);
        return CompareOutcome(result, expected);
    }

    private static string? RunSet(JsonElement input, JsonElement expected)
    {
        var subject = Subject(input.GetProperty("token"));
        var mapping = Mapping(input.GetProperty("generic_mapping"));
        bool ds = input.GetProperty("api").GetString()!.Contains("LDAP", StringComparison.Ordinal);
        var flags = ds ? AutoInheritFlags.DaclAutoInherit | AutoInheritFlags.SaclAutoInherit : AutoInheritFlags.None;
        bool isContainer = ds || (input.TryGetProperty("object_is_container", out var oc) && oc.GetBoolean());
        var parent = OptionalSd(input, "parent_sddl");
        var current = OptionalSd(input, "current_sddl") ?? new SecurityDescriptor(subject.DefaultOwner, subject.PrimaryGroup, Acl.Empty);
        var n = input.GetProperty("new_sd");
        SecurityDescriptor modification;
        var parts = (SecurityInformation)0;
        if (n.TryGetProperty("sddl", out var whole))
        {
            modification = Parse(whole.GetString()!);
            if (modification.Owner is not null) parts |= SecurityInformation.Owner;
            if (modification.Group is not null) parts |= SecurityInformation.Group;
            if (modification.DaclState != AclState.Absent) parts |= SecurityInformation.Dacl;
            if (modification.SaclState != AclState.Absent) parts |= SecurityInformation.Sacl;
        }
        else
        {
            var dacl = n.TryGetProperty("dacl", out var d) ? Parse(d.GetString()!) : null;
            var owner = n.TryGetProperty("owner", out var o) ? Sid.Parse(o.GetString()!) : (Sid?)null;
            var control = SecurityDescriptorControl.None;
            if (n.TryGetProperty("control", out var cl))
                foreach (var name in cl.EnumerateArray()) control |= ControlBit(name.GetString()!);
            else if (dacl is not null) control = dacl.Control & ~(SecurityDescriptorControl.DaclPresent | SecurityDescriptorControl.SaclPresent);
            modification = new SecurityDescriptor(owner, null, dacl?.Dacl, null, control, dacl?.DaclState ?? AclState.Absent);
            if (owner is not null) parts |= SecurityInformation.Owner;
            if (dacl is not null) parts |= SecurityInformation.Dacl;
        }
        if (input.TryGetProperty("security_information", out var si))
        {
            parts = 0;
            foreach (var p in si.EnumerateArray())
                parts |= p.GetString() switch
                {
                    "OWNER" => SecurityInformation.Owner,
                    "GROUP" => SecurityInformation.Group,
                    "DACL" => SecurityInformation.Dacl,
                    "SACL" => SecurityInformation.Sacl,
                    var x => throw new InvalidOperationException("security information " + x),
                };
        }
        var result = SecurityInheritance.SetPrivateObjectSecurity(current, modification, parts, subject, mapping, flags, isContainer, parent, Guids(input, "object_type_guids"));
        if (!result.IsSuccess) return $"status {result.Status} ({result.Failure})";
        var sd = result.Descriptor!;
        if (expected.TryGetProperty("stored_dacl_sddl", out var sds))
        {
            var want = Parse(sds.GetString()!);
            if (!Equals(want.Dacl, sd.Dacl) || want.DaclState != sd.DaclState) return $"stored DACL {Show(sd)}, expected {sds.GetString()}";
        }
        if (expected.TryGetProperty("stored_sddl", out var ss))
        {
            var want = Parse(ss.GetString()!);
            if (want.Owner != sd.Owner || !Equals(want.Dacl, sd.Dacl)) return $"stored {Show(sd)}, expected {ss.GetString()}";
        }
        if (expected.TryGetProperty("stored_dacl_control", out var sc))
        {
            var want = SecurityDescriptorControl.None;
            foreach (var name in sc.EnumerateArray()) want |= ControlBit(name.GetString()!);
            const SecurityDescriptorControl daclBits = SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclAutoInheritRequired
                | SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclDefaulted;
            if ((sd.Control & daclBits) != want) return $"stored DACL control {sd.Control & daclBits}, expected {want}";
        }
        return CompareOutcome(result, expected, skipStored: true);
    }

    private static string? RunPropagation(JsonElement input, JsonElement expected)
    {
        var mapping = Mapping(input.GetProperty("generic_mapping"));
        Assert.True(SddlParser.TryParseAce(input.GetProperty("target_folder_ace").GetString(), Context, out var ace, out var err), err?.ToString());
        var empty = new SecurityDescriptor(WellKnownSids.BuiltinAdministrators, WellKnownSids.LocalSystem, Acl.Empty, control: SecurityDescriptorControl.DaclAutoInherited);
        var target = new SecurityDescriptor(WellKnownSids.BuiltinAdministrators, WellKnownSids.LocalSystem, new Acl([ace!]), control: SecurityDescriptorControl.DaclAutoInherited);
        // The tree the case describes: target folder / child file, child folder / grandchild file and grandchild folder.
        var root = new SecurityTreeNode("target_folder", true, target,
        [
            SecurityTreeNode.Leaf("child_file", false, empty),
            new SecurityTreeNode("child_folder", true, empty,
            [
                SecurityTreeNode.Leaf("grandchild_file", false, empty),
                SecurityTreeNode.Leaf("grandchild_folder", true, empty),
            ]),
        ]);
        var result = Propagation.Propagate(root, mapping, out _);
        var descriptors = new Dictionary<string, SecurityDescriptor>();
        void Walk(SecurityTreeNode node)
        {
            descriptors[node.Name] = node.Descriptor;
            foreach (var ch in node.Children) Walk(ch);
        }
        Walk(result);
        foreach (var p in expected.GetProperty("ace_effective_on").EnumerateObject())
        {
            var sd = descriptors[p.Name];
            bool effective = sd.Dacl!.Aces.Any(a => a.Sid == ace!.Sid && !a.IsInheritOnly && a.Type == ace.Type);
            if (effective != p.Value.GetBoolean()) return $"{p.Name}: effective {effective}, expected {p.Value.GetBoolean()} ({Show(sd)})";
        }
        return null;
    }

    private static string? RunStatic(JsonElement input, JsonElement expected)
    {
        var subject = Subject(input.GetProperty("token"));
        var mapping = Mapping(input.GetProperty("generic_mapping"));
        var parentBefore = Parse(input.GetProperty("parent_sddl_at_create").GetString()!).WithOwner(subject.DefaultOwner).WithGroup(subject.PrimaryGroup);
        var created = SecurityInheritance.CreatePrivateObjectSecurity(parentBefore, null, input.GetProperty("is_container").GetBoolean(), subject, mapping);
        if (!created.IsSuccess) return "create: " + created.Status;
        var child = created.Descriptor!;
        // The parent's DACL is then set (NtSetSecurityObject): the kernel does not re-propagate, so the child keeps
        // the descriptor it was created with.
        var token = new TokenBuilder(Sid.Parse(input.GetProperty("token").GetProperty("user").GetString()!)) { Type = TokenType.Impersonation, ImpersonationLevel = SecurityImpersonationLevel.Impersonation }.Build();
        if (expected.TryGetProperty("child_dacl_reconstructed", out var rec) && !Equals(Parse(rec.GetString()!).Dacl, child.Dacl))
            return $"child {Show(child)}, expected {rec.GetString()}";
        foreach (var open in expected.GetProperty("opens_after_parent_change").EnumerateArray())
        {
            uint desired = uint.Parse(open.GetProperty("desired").GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var r = AccessCheck.Check(child, token, desired, mapping);
            string status = r.Status.IsSuccess ? r.AccessStatus.Name : r.Status.Name;
            if (status != open.GetProperty("status").GetString()) return $"open 0x{desired:x}: {status}, expected {open.GetProperty("status").GetString()}";
        }
        return null;
    }

    private static string? RunIcacls(JsonElement input, JsonElement expected)
    {
        Assert.True(SddlParser.TryParseAce(input.GetProperty("ace_sddl").GetString(), Context, out var ace, out var err), err?.ToString());
        var line = IcaclsDisplay.FormatAce(ace!, Context);
        var want = expected.GetProperty("icacls_line").GetString();
        return line == want ? null : $"'{line}', expected '{want}'";
    }

    // ----- facts.jsonl ------------------------------------------------------------------------------------------

    private static string? RunFact(string id, JsonElement input, JsonElement expected)
    {
        var api = input.GetProperty("api").GetString()!;
        if (!input.TryGetProperty("token_default_owner", out _)) return RunWineFact(id, api, expected);
        var mapping = Mapping(input.GetProperty("generic_mapping"));
        var subject = new SecuritySubject(
            Sid.Parse(input.GetProperty("token_default_owner").GetString()!),
            input.GetProperty("token_primary_group").ValueKind == JsonValueKind.Null ? null : Sid.Parse(input.GetProperty("token_primary_group").GetString()!),
            SddlParser.Parse("D:" + input.GetProperty("token_default_dacl").GetString()!.Split("  [")[0].Trim()).Dacl,
            // The kmtest's SYSTEM thread token: user SYSTEM, default owner Administrators (an owner group).
            [WellKnownSids.LocalSystem, Sid.Parse(input.GetProperty("token_default_owner").GetString()!)],
            RestorePrivilege: true, SecurityPrivilege: true, TakeOwnershipPrivilege: true);
        var parent = FactSd(input, "parent_sd");
        var creator = FactSd(input, "explicit_sd");
        var flags = AutoInheritFlags.None;
        if (input.TryGetProperty("flags", out var f)) Assert.True(AutoInheritFlagNames.TryParse(f.GetString()!, out flags));
        bool isDir = input.TryGetProperty("is_directory", out var d) && d.GetBoolean();
        var result = SecurityInheritance.CreatePrivateObjectSecurity(parent, creator, isDir, subject, mapping, null, flags);
        if (expected.TryGetProperty("ntstatus", out var st))
            return result.Status.Name == st.GetString() ? null : $"status {result.Status}, expected {st.GetString()}";
        if (!result.IsSuccess) return $"status {result.Status} ({result.Failure})";
        var sd = result.Descriptor!;
        if (expected.TryGetProperty("dacl", out var dacl))
        {
            var text = dacl.GetString()!;
            if (text.StartsWith("NULL DACL", StringComparison.Ordinal))
            {
                if (sd.DaclState != AclState.Null) return $"DACL {Show(sd)}, expected a NULL DACL";
            }
            else if (!Equals(SddlParser.Parse(text).Dacl, sd.Dacl)) return $"DACL {Show(sd)}, expected {text}";
        }
        if (expected.TryGetProperty("sacl", out var sacl) && !Equals(SddlParser.Parse(sacl.GetString()!).Sacl, sd.Sacl)) return $"SACL {Show(sd)}, expected {sacl.GetString()}";
        if (expected.TryGetProperty("owner", out var o) && sd.Owner != Sid.Parse(o.GetString()!)) return $"owner {sd.Owner}";
        if (expected.TryGetProperty("group", out var g) && sd.Group != Sid.Parse(g.GetString()!)) return $"group {sd.Group}";
        return CompareDefaulted(sd, expected);
    }

    // The three Wine cases describe one CreateDirectory/CreateFile sequence in words: a directory created with an
    // explicit DACL inside an auto-inherited temp directory, a file created in it without a descriptor, and one
    // created with a present, empty DACL. The temp directory's DACL is the usual profile one.
    private static string? RunWineFact(string id, string api, JsonElement expected)
    {
        var user = Sid.Parse("S-1-5-21-1-2-3-1001");
        var subject = new SecuritySubject(user, user, SddlParser.Parse($"D:(A;;GA;;;{user})(A;;GA;;;SY)").Dacl, [user]);
        var mapping = ObjectTypes.File.GenericMapping;
        var temp = SddlParser.Parse($"O:{user}G:{user}D:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;FA;;;{user})");
        var dirCreator = SddlParser.Parse($"D:(A;OICI;GA;;;{user})(A;OICI;GA;;;BA)");
        var dir = SecurityInheritance.CreatePrivateObjectSecurity(temp, dirCreator, true, subject, mapping).Descriptor!;
        SecurityDescriptor result = id switch
        {
            "wine-inh-dir" => dir,
            "wine-inh-file" => SecurityInheritance.CreatePrivateObjectSecurity(dir, null, false, subject, mapping).Descriptor!,
            "wine-inh-file-explicit" => SecurityInheritance.CreatePrivateObjectSecurity(dir, new SecurityDescriptor(dacl: Acl.Empty), false, subject, mapping).Descriptor!,
            _ => throw new InvalidOperationException("no translation for " + id + ": " + api),
        };
        var text = expected.EnumerateObject().First().Value.GetString()!;
        // "N ACEs, flags 0xFF (...), mask 0xMMMMMMMM": the count, and the flags and mask every ACE has.
        int count = int.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        if (result.Dacl!.Count != count) return $"{result.Dacl.Count} ACEs, expected {text}";
        var flags = System.Text.RegularExpressions.Regex.Match(text, @"flags 0x([0-9a-fA-F]+)");
        var mask = System.Text.RegularExpressions.Regex.Match(text, @"mask 0x([0-9a-fA-F]+)");
        foreach (var a in result.Dacl.Aces)
        {
            if (flags.Success && (byte)a.Flags != byte.Parse(flags.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)) return $"flags {a.Flags} in {Show(result)}, expected {text}";
            if (mask.Success && a.Mask != uint.Parse(mask.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)) return $"mask 0x{a.Mask:x} in {Show(result)}, expected {text}";
        }
        return null;
    }

    private static SecurityDescriptor? FactSd(JsonElement input, string name)
    {
        if (!input.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        var text = v.GetString()!;
        if (text.StartsWith('(')) return new SecurityDescriptor(); // "(SD without DACL)"
        const string defaulted = " with SE_DACL_DEFAULTED";
        if (text.EndsWith(defaulted, StringComparison.Ordinal))
        {
            var sd = SddlParser.Parse(text[..^defaulted.Length]);
            return sd.WithControl(sd.Control | SecurityDescriptorControl.DaclDefaulted);
        }
        return SddlParser.Parse(text);
    }

    // ----- comparison -------------------------------------------------------------------------------------------

    private static string? CompareOutcome(InheritanceResult result, JsonElement expected, bool skipStored = false)
    {
        if (expected.TryGetProperty("ntstatus", out var st))
            return result.Status.Name == st.GetString() ? null : $"status {result.Status}, expected {st.GetString()}";
        if (!result.IsSuccess) return $"status {result.Status} ({result.Failure}, {result.FailureSid})";
        var sd = result.Descriptor!;
        if (!skipStored && expected.TryGetProperty("sddl", out var sddl))
        {
            var want = Parse(sddl.GetString()!);
            var compare = expected.TryGetProperty("compare", out var cmp) ? cmp.GetString()!.Split('+') : ["owner", "group", "dacl", "dacl_control", "sacl"];
            foreach (var part in compare)
            {
                bool same = part switch
                {
                    "owner" => want.Owner == sd.Owner,
                    "group" => want.Group == sd.Group,
                    "dacl" => want.DaclState == sd.DaclState && Equals(want.Dacl, sd.Dacl),
                    "dacl_control" => (want.Control & DaclControl) == (sd.Control & DaclControl),
                    "sacl" => want.SaclState == sd.SaclState && Equals(want.Sacl, sd.Sacl),
                    _ => throw new InvalidOperationException("compare part " + part),
                };
                if (!same) return $"{part} differs: got {Show(sd)}, expected {sddl.GetString()}";
            }
        }
        else if (skipStored && expected.TryGetProperty("sddl", out var setSddl))
        {
            var want = Parse(setSddl.GetString()!);
            if (want.Owner != sd.Owner || want.Group != sd.Group || !Equals(want.Dacl, sd.Dacl) || (want.Control & DaclControl) != (sd.Control & DaclControl))
                return $"got {Show(sd)}, expected {setSddl.GetString()}";
        }
        if (expected.TryGetProperty("dacl_must_contain", out var must))
            foreach (var a in must.EnumerateArray())
            {
                Assert.True(SddlParser.TryParseAce(a.GetString(), Context, out var ace, out var e), e?.ToString());
                if (sd.Dacl is null || !sd.Dacl.Aces.Contains(ace!)) return $"DACL lacks {a.GetString()}: {Show(sd)}";
            }
        if (expected.TryGetProperty("dacl_must_not_contain", out var mustNot))
            foreach (var a in mustNot.EnumerateArray())
            {
                var s = a.GetString()!;
                if (s.StartsWith('(') && SddlParser.TryParseAce(s, Context, out var ace, out _))
                {
                    if (sd.Dacl is not null && sd.Dacl.Aces.Contains(ace!)) return $"DACL holds {s}: {Show(sd)}";
                }
                else if (Show(sd).Contains(s, StringComparison.OrdinalIgnoreCase)) return $"DACL mentions {s}: {Show(sd)}";
            }
        if (expected.TryGetProperty("sacl_present", out var sp) && (sd.SaclState != AclState.Absent) != sp.GetBoolean()) return $"SACL present {sd.SaclState}";
        return CompareDefaulted(sd, expected);
    }

    private const SecurityDescriptorControl DaclControl = SecurityDescriptorControl.DaclAutoInherited | SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclAutoInheritRequired;

    private static string? CompareDefaulted(SecurityDescriptor sd, JsonElement expected)
    {
        foreach (var (name, bit) in new[] { ("owner_defaulted", SecurityDescriptorControl.OwnerDefaulted), ("group_defaulted", SecurityDescriptorControl.GroupDefaulted), ("dacl_defaulted", SecurityDescriptorControl.DaclDefaulted) })
            if (expected.TryGetProperty(name, out var v) && ((sd.Control & bit) != 0) != v.GetBoolean()) return $"{name} is {(sd.Control & bit) != 0}";
        return null;
    }

    // ----- adapters ---------------------------------------------------------------------------------------------

    private static SecuritySubject Subject(JsonElement t)
    {
        var user = Sid.Parse(t.GetProperty("user").GetString()!);
        var owner = Sid.Parse(t.GetProperty("default_owner").GetString()!);
        var group = t.GetProperty("primary_group").ValueKind == JsonValueKind.Null ? (Sid?)null : Sid.Parse(t.GetProperty("primary_group").GetString()!);
        var dd = t.GetProperty("default_dacl").ValueKind == JsonValueKind.Null ? null : Parse(t.GetProperty("default_dacl").GetString()!).Dacl;
        var privs = t.TryGetProperty("privileges", out var p) ? p.EnumerateArray().Select(x => x.GetString()).ToHashSet() : [];
        // The token's default owner is always one it may assign (the user, or a group marked SE_GROUP_OWNER).
        return new SecuritySubject(owner, group, dd, [user, owner],
            privs.Contains("SeRestorePrivilege"), privs.Contains("SeSecurityPrivilege"), privs.Contains("SeTakeOwnershipPrivilege"));
    }

    private static GenericMapping Mapping(JsonElement m)
    {
        var v = m.EnumerateArray().Select(x => uint.Parse(x.GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        return new GenericMapping(v[0], v[1], v[2], v[3]);
    }

    private static IReadOnlyList<Guid>? Guids(JsonElement input, string name)
        => input.TryGetProperty(name, out var g) && g.ValueKind == JsonValueKind.Array ? g.EnumerateArray().Select(x => Guid.Parse(x.GetString()!)).ToList() : null;

    private static SecurityDescriptor? OptionalSd(JsonElement input, string name)
        => input.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? Parse(v.GetString()!) : null;

    private static SecurityDescriptor Parse(string sddl) => SddlParser.Parse(sddl, Context);

    private static string Show(SecurityDescriptor sd) => sd.ToSddl(Context);

    private static SecurityDescriptorControl ControlBit(string name) => name switch
    {
        "SE_DACL_AUTO_INHERITED" => SecurityDescriptorControl.DaclAutoInherited,
        "SE_DACL_AUTO_INHERIT_REQ" => SecurityDescriptorControl.DaclAutoInheritRequired,
        "SE_DACL_PROTECTED" => SecurityDescriptorControl.DaclProtected,
        "SE_DACL_DEFAULTED" => SecurityDescriptorControl.DaclDefaulted,
        "SE_SACL_AUTO_INHERITED" => SecurityDescriptorControl.SaclAutoInherited,
        "SE_SACL_AUTO_INHERIT_REQ" => SecurityDescriptorControl.SaclAutoInheritRequired,
        "SE_SACL_PROTECTED" => SecurityDescriptorControl.SaclProtected,
        _ => throw new InvalidOperationException("control bit " + name),
    };
}

/// <summary>A fact skipped, with the reason, when the corpus or the one corpus file it reads is not there.</summary>
public sealed class ConformanceFileFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when the corpus folder, or <paramref name="file"/> in it, is missing.</summary>
    public ConformanceFileFactAttribute(string file)
    {
        if (ConformanceData.Directory is not { } dir) Skip = "conformance corpus not found (../shared/conformance or NTSEC_CONFORMANCE_DIR)";
        else if (!File.Exists(Path.Combine(dir, file))) Skip = $"{file} is not in the conformance corpus at {dir}";
    }
}
