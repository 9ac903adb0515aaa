using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Kernel;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tests.Kernel;
using NtSec.Tokens;
using NtSec.Win32;
using Xunit.Abstractions;

namespace NtSec.Tests.Conformance;

/// <summary>
/// Every token_api and api_validation case of facts.jsonl, translated by hand from its prose scenario into calls on
/// the emulated kernel (a thread's <see cref="ThreadObject.Nt"/> and <see cref="ThreadObject.Win32"/> calls, with
/// real handles), and compared with the machine-comparable values of the case's <c>expected</c> field: statuses,
/// Win32 errors, BOOL results, levels, access masks. The corpus is the oracle: each translation reads what it
/// expects from the fact, never from a constant of its own.
/// </summary>
/// <remarks>
/// Expected values that cannot be compared (a byte size of a C structure the managed API does not have) are listed
/// in <see cref="UncomparedFields"/> and in docs/kernel-conformance.md, with the reason; a test checks the two agree.
/// Two cases are pure functions with no kernel part (tok-57 GetWindowsAccountDomainSid, ros-bt-pv-13
/// RtlAddAccessAllowedObjectAce): they run through NtSec's advapi32/ntdll functions and are counted with the rest.
/// </remarks>
public sealed class KernelFactsTests(ITestOutputHelper output)
{
    private const uint KeyRead = 0x0002_0019;
    private static readonly GenericMapping Key = ObjectTypes.Key.GenericMapping;
    private static readonly SecurityDescriptor KeySd = SddlParser.Parse("O:BAG:BAD:(A;;KA;;;WD)");
    private static readonly Guid G0 = Guid.Parse("12345678-1234-5678-1122-334455667788");
    private static readonly Guid G1 = Guid.Parse("23456789-2345-6786-0233-445566778899");

    /// <summary>
    /// Expected fields a translation does not compare, by case, with the reason. docs/kernel-conformance.md lists the
    /// same cases.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> UncomparedFields = new Dictionary<string, string>
    {
        ["tok-48"] = "returned_size: GetTokenInformation returns a TokenDefaultDacl object, not a buffer whose size could be sizeof(TOKEN_DEFAULT_DACL); that the DACL is NULL is compared",
        ["tok-02"] = "token_handle_out: the Windows 2003 alternative (left unchanged) is not modelled; the Windows 7 and later NULL is compared",
    };

    private static readonly Dictionary<string, Func<JsonElement, string?>> TokenApi = new()
    {
        ["tok-01"] = f =>
        {
            var t = AliceThread();
            bool r = t.Win32.OpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out var h);
            return Result(f, r) ?? Error(f, t) ?? NullHandle(h);
        },
        ["tok-02"] = f =>
        {
            var t = AliceThread();
            var status = t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Read, true, out var h);
            return Status(f, "ntstatus", status) ?? (Field(f, "token_handle_out").Contains("NULL", StringComparison.Ordinal) ? NullHandle(h) : "the expected output handle changed");
        },
        ["tok-03"] = f => OpenOwnTokenAfterImpersonateSelf(f, SecurityImpersonationLevel.Anonymous),
        ["tok-04"] = f => OpenOwnTokenAfterImpersonateSelf(f, SecurityImpersonationLevel.Identification),
        ["tok-05"] = f => OpenOwnTokenAfterImpersonateSelf(f, SecurityImpersonationLevel.Impersonation),
        ["tok-07"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation) || t.ImpersonationToken is null) return "setup: ImpersonateSelf failed";
            var status = t.Nt.NtSetInformationThread(NtHandle.CurrentThread, ThreadInformationClass.ThreadImpersonationToken, NtHandle.Null);
            if (Status(f, "ntstatus", status) is { } failure) return failure;
            if (Field(f, "effect") != "impersonation removed") return "the expected effect changed";
            if (t.ImpersonationToken is not null) return "the thread still wears a token";
            return t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out _) == NtStatus.NoToken ? null : "OpenThreadToken still finds a token";
        },
        ["tok-08"] = f =>
        {
            var t = AliceThread();
            var w = t.Win32;
            if (!w.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var primary)) return "setup: OpenProcessToken";
            if (!w.DuplicateTokenEx(primary, TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.Impersonate, null, SecurityImpersonationLevel.Anonymous, TokenType.Impersonation, out var anonymous))
                return "setup: DuplicateTokenEx to an anonymous-level token failed";
            bool r = w.DuplicateToken(anonymous, SecurityImpersonationLevel.Identification, out var raised);
            return Result(f, r) ?? Error(f, t) ?? NullHandle(raised);
        },
        ["tok-10"] = f =>
        {
            var t = AliceThread();
            var w = t.Win32;
            var anonymous = DuplicateOwn(t, TokenAccessRights.Query, SecurityImpersonationLevel.Anonymous, TokenType.Impersonation);
            if (!w.GetTokenInformation<ImmutableArray<Privilege>>(anonymous, TokenInformationClass.TokenPrivileges, out var privileges)) return "setup: TokenPrivileges";
            bool r = w.PrivilegeCheck(anonymous, [.. privileges.Select(p => p.Luid)], requireAll: true, out _);
            return Result(f, r) ?? Error(f, t);
        },
        ["tok-12"] = f => OpenHkcuSoftware(f, SecurityImpersonationLevel.Identification),
        ["tok-13"] = f => OpenHkcuSoftware(f, SecurityImpersonationLevel.Impersonation),
        ["tok-14"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var h)) return "setup: OpenProcessToken";
            bool r = t.Win32.GetTokenInformation(h, TokenInformationClass.TokenImpersonationLevel, out _);
            return Result(f, r) ?? Error(f, t);
        },
        ["tok-15"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.DuplicateToken(h, LevelIn(Scenario(f)), out var copy)) return "DuplicateToken failed";
            if (!t.Win32.GetTokenInformation<SecurityImpersonationLevel>(copy, TokenInformationClass.TokenImpersonationLevel, out var level)) return "TokenImpersonationLevel failed";
            return Level(f, "level", level);
        },
        ["tok-16"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.DuplicateToken(h, LevelIn(Scenario(f)), out var copy)) return "DuplicateToken failed";
            return Access(f, t, copy, sourceAccess: null);
        },
        ["tok-17"] = f =>
        {
            var t = AliceThread();
            const uint sourceAccess = TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AdjustDefault | TokenAccessRights.AdjustPrivileges;
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, sourceAccess, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.DuplicateTokenEx(h, 0, null, SecurityImpersonationLevel.Anonymous, TokenType.Primary, out var copy)) return "DuplicateTokenEx failed: " + t.Win32.GetLastError();
            return Access(f, t, copy, sourceAccess);
        },
        ["tok-19"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.DuplicateTokenEx(h, TokenAccessRights.QuerySource, null, SecurityImpersonationLevel.Anonymous, TokenType.Primary, out var copy)) return "DuplicateTokenEx failed: " + t.Win32.GetLastError();
            return Access(f, t, copy, null);
        },
        ["tok-20"] = f =>
        {
            var t = AliceThread();
            const uint sourceAccess = TokenAccessRights.Query | TokenAccessRights.Duplicate;
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, sourceAccess, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.DuplicateTokenEx(h, 0, null, SecurityImpersonationLevel.Identification, TokenType.Impersonation, out var copy)) return "DuplicateTokenEx failed: " + t.Win32.GetLastError();
            if (!t.Win32.GetTokenInformation<SecurityImpersonationLevel>(copy, TokenInformationClass.TokenImpersonationLevel, out var level)) return "TokenImpersonationLevel failed";
            return Level(f, "level", level) ?? Access(f, t, copy, sourceAccess);
        },
        ["tok-21"] = f => NtDuplicateTokenLevel(f, new ObjectAttributes()),
        ["tok-22"] = f => NtDuplicateTokenLevel(f, new ObjectAttributes(SecurityQualityOfService: new SecurityQualityOfService(LevelIn(Scenario(f)), EffectiveOnly: false))),
        ["tok-23"] = f =>
        {
            var t = AliceThread();
            const uint access = TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AdjustPrivileges;
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, access, out var h)) return "setup: OpenProcessToken";
            var privilege = Privileges.ChangeNotify;
            if (!Scenario(f).Contains(Privileges.NameOf(privilege), StringComparison.Ordinal)) return "the scenario names another privilege";
            if (!t.Win32.AdjustTokenPrivileges(h, false, [new Privilege(privilege, PrivilegeAttributes.None)])) return "setup: disabling the privilege failed";
            var status = t.Nt.NtDuplicateToken(h, 0, new ObjectAttributes(), effectiveOnly: true, TokenType.Impersonation, out var copy);
            if (!status.IsSuccess) return "NtDuplicateToken: " + status;
            if (!t.Win32.GetTokenInformation<ImmutableArray<Privilege>>(copy, TokenInformationClass.TokenPrivileges, out var privileges)) return "TokenPrivileges failed";
            bool present = privileges.Any(p => p.Luid == privilege);
            bool want = Expected(f).GetProperty("privilege_present").GetBoolean();
            return present == want ? null : $"privilege present {present}, Windows {want}";
        },
        ["tok-25"] = DuplicatePrimaryStatistics,
        ["tok-26"] = f => Status(f, "ntstatus", AliceThread().Nt.NtDuplicateToken(NtHandle.Null, 0, null, true, TokenType.Primary, (StrongBox<NtHandle>?)null)),
        ["tok-28"] = f =>
        {
            var t = AliceThread();
            var group = WellKnownSids.BuiltinUsers;
            if (t.Process.PrimaryToken.Token.Groups.Single(g => g.Sid == group) is not { IsEnabled: true }) return "setup: the group is not enabled";
            bool r = t.Win32.CheckTokenMembership(NtHandle.Null, group, out bool member);
            return Result(f, r) ?? Bool(f, "is_member", member);
        },
        ["tok-29"] = f =>
        {
            var t = AliceThread();
            var group = WellKnownSids.BuiltinUsers;
            var impersonation = DuplicateOwn(t, TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.Impersonate, SecurityImpersonationLevel.Impersonation, TokenType.Impersonation);
            if (!t.Win32.CreateRestrictedToken(impersonation, FilterTokenFlags.None, [new SidAndAttributes(group, GroupAttributes.None)], null, null, out var restricted)) return "CreateRestrictedToken failed";
            if (!t.Win32.CheckTokenMembership(restricted, group, out bool member)) return "CheckTokenMembership failed: " + t.Win32.GetLastError();
            if (!t.Win32.GetTokenInformation<ImmutableArray<SidAndAttributes>>(restricted, TokenInformationClass.TokenGroups, out var groups)) return "TokenGroups failed";
            if (!t.Win32.GetTokenInformation<TokenType>(restricted, TokenInformationClass.TokenType, out var type)) return "TokenType failed";
            if (!t.Win32.GetTokenInformation<SecurityImpersonationLevel>(restricted, TokenInformationClass.TokenImpersonationLevel, out var level)) return "TokenImpersonationLevel failed";
            return Bool(f, "is_member", member)
                ?? GroupAttributeRule(f, "group_attributes", groups.Single(g => g.Sid == group).Attributes)
                ?? TypeName(f, "TokenType", type)
                ?? Level(f, "ImpersonationLevel", level);
        },
        ["tok-30"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.CreateRestrictedToken(h, FilterTokenFlags.None, [new SidAndAttributes(WellKnownSids.BuiltinUsers, GroupAttributes.None)], null, null, out var restricted)) return "CreateRestrictedToken failed";
            if (!t.Win32.GetTokenInformation<TokenType>(restricted, TokenInformationClass.TokenType, out var type)) return "TokenType failed";
            return TypeName(f, "TokenType", type);
        },
        ["tok-31"] = f =>
        {
            var t = AliceThread();
            var privilege = Privileges.ChangeNotify;
            if (!t.Process.PrimaryToken.Token.IsPrivilegeEnabled(privilege)) return "setup: the privilege is not enabled";
            var impersonation = DuplicateOwn(t, TokenAccessRights.Query | TokenAccessRights.Duplicate, SecurityImpersonationLevel.Impersonation, TokenType.Impersonation);
            if (!t.Win32.CreateRestrictedToken(impersonation, FilterTokenFlags.None, null, [privilege], null, out var restricted)) return "CreateRestrictedToken failed";
            if (!t.Win32.GetTokenInformation<ImmutableArray<Privilege>>(restricted, TokenInformationClass.TokenPrivileges, out var privileges)) return "TokenPrivileges failed";
            string present = privileges.Any(p => p.Luid == privilege) ? "present" : "absent";
            if (present != Field(f, "privilege_in_new_token")) return $"privilege {present}, Windows {Field(f, "privilege_in_new_token")}";
            if (!t.Win32.PrivilegeCheck(restricted, [privilege], requireAll: true, out bool held)) return "PrivilegeCheck failed: " + t.Win32.GetLastError();
            return Bool(f, "PrivilegeCheck", held);
        },
        ["tok-32"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var h)) return "setup: OpenProcessToken";
            var token = t.Process.PrimaryToken.Token;
            if (token.TryGetSidAttributes(KernelFixtures.Bob, out _) || token.HasPrivilege(Privileges.Debug)) return "setup: the SID or privilege is in the token";
            bool r = t.Win32.CreateRestrictedToken(h, FilterTokenFlags.None, [new SidAndAttributes(KernelFixtures.Bob, GroupAttributes.None)], [Privileges.Debug], null, out _);
            return Result(f, r);
        },
        ["tok-33"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var h)) return "setup: OpenProcessToken";
            if (!Scenario(f).Contains("SE_GROUP_ENABLED", StringComparison.Ordinal)) return "the scenario changed";
            var sid = SidIn(Scenario(f));
            var status = t.Nt.NtFilterToken(h, FilterTokenFlags.None, null, null, [new SidAndAttributes(sid, GroupAttributes.Enabled)], out var restricted);
            return Status(f, "ntstatus", status) ?? NullHandle(restricted);
        },
        ["tok-38"] = f => AdjustGroups(f, TokenAccessRights.Duplicate, resetToDefault: true),
        ["tok-39"] = f => AdjustGroups(f, TokenAccessRights.AdjustGroups, resetToDefault: false),
        ["tok-40"] = f => AdjustGroups(f, TokenAccessRights.AdjustGroups, resetToDefault: true),
        ["tok-42"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var h)) return "setup: OpenProcessToken";
            return Status(f, "ntstatus", t.Nt.NtCompareTokens(NtHandle.Null, NtHandle.Null, (StrongBox<bool>?)null))
                ?? Status(f, "ntstatus", t.Nt.NtCompareTokens(h, h, (StrongBox<bool>?)null));
        },
        ["tok-43"] = f =>
        {
            var t = AliceThread();
            return Status(f, "ntstatus", t.Nt.NtImpersonateAnonymousToken(NtHandle.Null)) ?? (t.ImpersonationToken is null ? null : "the thread impersonates");
        },
        ["tok-45"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.GetTokenInformation<SidAndAttributes>(h, TokenInformationClass.TokenIntegrityLevel, out var label)) return "TokenIntegrityLevel failed";
            if ((uint)label.Attributes != Hex(Field(f, "label_attributes"))) return $"attributes 0x{(uint)label.Attributes:x8}, Windows {Field(f, "label_attributes")}";
            var allowed = Field(f, "label_sid").Split(" or ").Select(Sid.Parse).ToList();
            return allowed.Contains(label.Sid) ? null : $"label {label.Sid}, Windows {Field(f, "label_sid")}";
        },
        ["tok-46"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.GetTokenInformation<ImmutableArray<SidAndAttributes>>(h, TokenInformationClass.TokenLogonSid, out var logon)) return "TokenLogonSid failed";
            int count = Expected(f).GetProperty("group_count").GetInt32();
            if (logon.Length != count) return $"{logon.Length} groups, Windows {count}";
            var sid = logon[0].Sid;
            // "S-1-5-5-X-Y": the logon SID is S-1-5-5 with two more sub-authorities.
            var pattern = Field(f, "sid").Split('-');
            if (sid.SubAuthorityCount != pattern.Length - 3 || !sid.ToString().StartsWith(string.Join('-', pattern.TakeWhile(p => p is not ("X" or "Y"))) + "-", StringComparison.Ordinal))
                return $"logon SID {sid}, Windows {Field(f, "sid")}";
            return (uint)logon[0].Attributes == Hex(Field(f, "attributes")) ? null : $"attributes 0x{(uint)logon[0].Attributes:x8}, Windows {Field(f, "attributes")}";
        },
        ["tok-47"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.AdjustDefault, out var h)) return "setup: OpenProcessToken";
            var errors = Expected(f).GetProperty("errors").EnumerateArray().Select(e => ErrorCode(e.GetString()!)).ToList();
            // (NULL, 0), then (NULL, the size of TOKEN_DEFAULT_DACL).
            var actual = new List<int>();
            foreach (int length in new[] { 0, IntPtr.Size })
            {
                if (t.Win32.SetTokenInformation(h, TokenInformationClass.TokenDefaultDacl, null, length)) return $"length {length}: succeeded";
                actual.Add(t.Win32.GetLastError());
            }
            return actual.SequenceEqual(errors) ? null : $"errors {string.Join(", ", actual)}, Windows {string.Join(", ", errors)}";
        },
        ["tok-48"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.AdjustDefault, out var h)) return "setup: OpenProcessToken";
            bool set = t.Win32.SetTokenInformation(h, TokenInformationClass.TokenDefaultDacl, new TokenDefaultDacl(null), IntPtr.Size);
            if ((set ? "TRUE" : "FALSE") != Field(f, "set")) return $"set returned {set}, Windows {Field(f, "set")}";
            if (!t.Win32.GetTokenInformation<TokenDefaultDacl>(h, TokenInformationClass.TokenDefaultDacl, out var dacl) || dacl is null) return "TokenDefaultDacl failed";
            if (Field(f, "DefaultDacl") != "NULL") return "the expected DACL changed";
            return dacl.DefaultDacl is null ? null : "the default DACL is not NULL";
        },
        ["tok-50"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.AllAccess, out var h)) return "setup: OpenProcessToken";
            // TOKEN_ELEVATION_TYPE and TOKEN_ELEVATION are 4 bytes each.
            bool r1 = t.Win32.SetTokenInformation(h, TokenInformationClass.TokenElevationType, TokenElevationType.Default, 4);
            var f1 = Result(f, r1) ?? Error(f, t);
            bool r2 = t.Win32.SetTokenInformation(h, TokenInformationClass.TokenElevation, false, 4);
            return f1 is null ? Result(f, r2) ?? Error(f, t) : "TokenElevationType: " + f1;
        },
        ["tok-51"] = ElevationAndLinkedToken,
        ["tok-52"] = f =>
        {
            var t = AliceThread();
            foreach (var access in new[] { TokenAccessRights.Query, TokenAccessRights.AssignPrimary })
            {
                if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, access, out var h)) return "setup: OpenProcessToken";
                bool r = t.Win32.CreateProcessAsUser(h, "child.exe", null, false, out var info);
                if ((Result(f, r) ?? Error(f, t)) is { } failure) return $"handle with 0x{access:x}: {failure}";
                if (!info.Process.IsNull) return "a process handle was returned";
            }
            return null;
        },
        ["tok-54"] = DuplicateHandleUsesTheEffectiveToken,
        ["tok-55"] = NoTokenAndAnonymousComeBeforeTheAccessCheck,
        ["tok-57"] = f =>
        {
            // The scenario's pattern S-1-5-21-a-b-c-rid, with numbers for the letters, and the expected domain SID with the same numbers.
            var m = Regex.Match(Scenario(f), @"GetWindowsAccountDomainSid\((S-1-5-21-[a-z]+-[a-z]+-[a-z]+-rid)\)");
            if (!m.Success) return "the scenario changed";
            var values = new Dictionary<string, string> { ["a"] = "2457507606", ["b"] = "2709100691", ["c"] = "398136650", ["rid"] = "1001" };
            string Fill(string pattern) => string.Join('-', pattern.Split('-').Select(p => values.GetValueOrDefault(p, p)));
            var sid = Sid.Parse(Fill(m.Groups[1].Value));
            var domain = new StrongBox<Sid>();
            var size = new StrongBox<int>(Sid.MaxBinaryLength);
            if (!Advapi32.GetWindowsAccountDomainSid(sid, domain, size)) return "failed: " + Win32Error.GetLastError();
            var want = Sid.Parse(Fill(Field(f, "sid")));
            if (domain.Value != want) return $"domain {domain.Value}, Windows {want}";
            int wantSize = Expected(f).GetProperty("size").GetInt32();
            return size.Value == wantSize && domain.Value.BinaryLength == wantSize ? null : $"size {size.Value}, Windows {wantSize}";
        },
        ["ros-sit-01"] = f => Status(f, "ntstatus", AliceThread().Nt.NtSetInformationToken(NtHandle.Null, TokenInformationClass.TokenOwner, null, 0)),
        ["ros-sit-03"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Read | TokenAccessRights.AdjustDefault | TokenAccessRights.AdjustSessionId, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.GetTokenInformation<TokenDefaultDacl>(h, TokenInformationClass.TokenDefaultDacl, out var original) || original is null) return "TokenDefaultDacl failed";
            var system = SddlParser.Parse("D:(A;;GA;;;SY)").Dacl!;
            var set = t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenDefaultDacl, new TokenDefaultDacl(system), IntPtr.Size);
            if (Status(f, "ntstatus", set) is { } failure) return "new DACL: " + failure;
            if (!t.Win32.GetTokenInformation<TokenDefaultDacl>(h, TokenInformationClass.TokenDefaultDacl, out var now) || now?.DefaultDacl != system) return "the new DACL was not stored";
            var restore = t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenDefaultDacl, original, IntPtr.Size);
            return Status(f, "ntstatus", restore) is { } f2 ? "restoring: " + f2 : null;
        },
        ["ros-sit-04"] = f =>
        {
            var t = AliceThread();
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Read | TokenAccessRights.AdjustDefault | TokenAccessRights.AdjustSessionId, out var h)) return "setup: OpenProcessToken";
            if (t.Process.PrimaryToken.Token.HasPrivilege(Privileges.Tcb)) return "setup: the token holds SeTcbPrivilege";
            return Status(f, "ntstatus", t.Nt.NtSetInformationToken(h, TokenInformationClass.TokenSessionId, 1u, sizeof(uint)));
        },
        ["ros-apt-01"] = f =>
        {
            // ReactOS's test passes on Windows, so its token held SeImpersonatePrivilege (a standard user's token does
            // not: that would be STATUS_NOT_ALL_ASSIGNED); the translation runs as a service that holds it.
            var system = new EmulatedSystem();
            var service = system.CreateProcess(KernelFixtures.ServiceToken(KernelFixtures.Alice, 0x3001), "service.exe");
            var t = service.Threads[0];
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.AdjustPrivileges, out var h)) return "setup: OpenProcessToken";
            var status = t.Nt.NtAdjustPrivilegesToken(h, false, [new Privilege(Privileges.Impersonate, PrivilegeAttributes.None)]);
            return Status(f, "ntstatus", status) ?? (service.PrimaryToken.Token.IsPrivilegeEnabled(Privileges.Impersonate) ? "the privilege is still enabled" : null);
        },
    };

    private static readonly Dictionary<string, Func<JsonElement, string?>> ApiValidation = new()
    {
        ["ros-bt-pv-02"] = f => ByType(f, (_, _) => NtHandle.Null, AccessMask.MaximumAllowed, [new(0, G0)]),
        ["ros-bt-pv-03"] = f => ByType(f, (t, _) => OpenOwn(t, TokenAccessRights.Query), AccessMask.MaximumAllowed, [new(0, G0)]),
        ["ros-bt-pv-05"] = f => ByType(f, (t, _) => DuplicateOwn(t, TokenAccessRights.Query, SecurityImpersonationLevel.Anonymous, TokenType.Impersonation), AccessMask.GenericWrite, [new(0, G0)]),
        ["ros-bt-pv-08"] = f => ByType(f, (_, imp) => imp, AccessMask.MaximumAllowed, [new(0, G0)], new SecurityDescriptor()),
        ["ros-bt-pv-09"] = f => ByType(f, (_, imp) => imp, AccessMask.MaximumAllowed, [new(3, G0), new(1, G1)]),
        ["ros-bt-pv-10"] = f => ByType(f, (_, imp) => imp, AccessMask.MaximumAllowed, [new(0, G0), new(0, G1)]),
        ["ros-bt-pv-11"] = f => ByType(f, (_, imp) => imp, AccessMask.MaximumAllowed, [new(0, G0), new(0xa, G1)]),
        ["ros-bt-pv-12"] = f => ByType(f, (_, imp) => imp, AccessMask.MaximumAllowed, [new(0, G0), new(2, G1)]),
        ["ros-bt-pv-13"] = f =>
        {
            // An Rtl routine on the caller's own ACL buffer: no handle and no system call.
            var acl = new Acl([], Acl.Revision2);
            var status = Ntdll.RtlAddAccessAllowedObjectAce(ref acl, Acl.Revision2, AceFlags.None, 0x1, G0, null, WellKnownSids.World);
            return Status(f, "ntstatus", status) ?? (acl.Count == 0 ? null : "the ACE was added");
        },
        ["wine-nac-01"] = f =>
        {
            var (t, imp) = ImpersonationHandle();
            t.LastError = 0x0BAD;
            var a = t.Nt.NtAccessCheck(KeySd, imp, AccessMask.GenericRead, Key, null, new StrongBox<int>(64), out _, out _);
            var b = t.Nt.NtAccessCheck(KeySd, imp, AccessMask.GenericRead, Key, new PrivilegeSetBuffer(), null, out _, out _);
            if ((Status(f, "ntstatus", a) ?? Status(f, "ntstatus", b)) is { } failure) return failure;
            return Field(f, "last_error") == "unchanged" && t.LastError != 0x0BAD ? "the last error changed" : null;
        },
        ["wine-nac-02"] = f =>
        {
            var (t, imp) = ImpersonationHandle();
            foreach (int length in new[] { 0, 19 })
            {
                var box = new StrongBox<int>(length);
                var status = t.Nt.NtAccessCheck(KeySd, imp, AccessMask.GenericRead, Key, new PrivilegeSetBuffer(), box, out _, out _);
                if (Status(f, "ntstatus", status) is { } failure) return $"length {length}: {failure}";
                if (Field(f, "privilege_set_length").StartsWith("unchanged", StringComparison.Ordinal) && box.Value != length) return $"length {length} became {box.Value}";
            }
            return null;
        },
        ["wine-ac-pv-01"] = f =>
        {
            var (t, imp) = ImpersonationHandle();
            foreach (var (set, length) in new (PrivilegeSetBuffer?, StrongBox<int>?)[] { (null, new StrongBox<int>(64)), (new PrivilegeSetBuffer(), null), (null, null) })
            {
                bool r = t.Win32.AccessCheck(KeySd, imp, AccessMask.GenericRead, Key, set, length, out _, out _);
                if ((ApiReturn(f, r) ?? Error(f, t, "last_error")) is { } failure) return $"set {(set is null ? "NULL" : "given")}, length {(length is null ? "NULL" : "given")}: {failure}";
            }
            return null;
        },
        ["wine-ac-pv-03"] = f =>
        {
            var (t, imp) = ImpersonationHandle();
            var length = new StrongBox<int>(0);
            bool r = t.Win32.AccessCheck(KeySd, imp, KeyRead, Key, null, length, out _, out _);
            return ApiReturn(f, r) ?? Error(f, t, "last_error") ?? Number(f, "privilege_set_length", length.Value);
        },
        ["wine-ac-pv-04"] = f =>
        {
            var (t, imp) = ImpersonationHandle();
            foreach (int len in new[] { 1, 19, 20, 4096 })
            {
                var length = new StrongBox<int>(len);
                bool r = t.Win32.AccessCheck(KeySd, imp, KeyRead, Key, null, length, out _, out _);
                if ((ApiReturn(f, r) ?? Error(f, t, "last_error")) is { } failure) return $"length {len}: {failure}";
                if (Field(f, "privilege_set_length") == "unchanged" && length.Value != len) return $"length {len} became {length.Value}";
            }
            return null;
        },
        ["wine-ac-pv-05"] = f =>
        {
            var (t, imp) = ImpersonationHandle();
            foreach (int len in new[] { 20, 21 })
            {
                var set = new PrivilegeSetBuffer();
                var length = new StrongBox<int>(len);
                bool r = t.Win32.AccessCheck(KeySd, imp, KeyRead, Key, set, length, out uint granted, out bool ok);
                if (ApiReturn(f, r) is { } failure) return $"length {len}: {failure}";
                if (!ok || granted != KeyRead) return $"length {len}: access {ok}, granted 0x{granted:x}; the scenario says granted";
                if (Number(f, "privilege_count", set.Privileges.Count) is { } f2) return $"length {len}: {f2}";
                if (Field(f, "privilege_set_length").StartsWith("unchanged", StringComparison.Ordinal) && length.Value != len) return $"length {len} became {length.Value}";
            }
            return null;
        },
        ["ros-rl-pv-01"] = f =>
        {
            var (t, imp) = ImpersonationHandle();
            var status = t.Nt.NtAccessCheckByTypeResultList(new SecurityDescriptor(), null, imp, AccessMask.MaximumAllowed, [], Key,
                new PrivilegeSetBuffer(), new StrongBox<int>(PrivilegeSetBuffer.MinimumLength), new uint[1], new NtStatus[1]);
            return Status(f, "ntstatus", status);
        },
    };

    // ------------------------------------------------------------------------------------------------------------
    // Scenarios shared by several cases

    private static ThreadObject AliceThread() => KernelFixtures.Machine().Alice.Threads[0];

    private static NtHandle OpenOwn(ThreadObject t, uint access)
        => t.Win32.OpenProcessToken(NtHandle.CurrentProcess, access, out var h) ? h : throw new InvalidOperationException("setup: OpenProcessToken failed: " + t.Win32.GetLastError());

    /// <summary>DuplicateTokenEx of the process's own token.</summary>
    private static NtHandle DuplicateOwn(ThreadObject t, uint access, SecurityImpersonationLevel level, TokenType type)
    {
        var source = OpenOwn(t, TokenAccessRights.Duplicate);
        if (!t.Win32.DuplicateTokenEx(source, access, null, level, type, out var copy)) throw new InvalidOperationException("setup: DuplicateTokenEx failed: " + t.Win32.GetLastError());
        t.Win32.CloseHandle(source);
        return copy;
    }

    /// <summary>A thread and a handle (TOKEN_QUERY) to an impersonation token of its own user, as Wine's tests make one: ImpersonateSelf, OpenThreadToken, RevertToSelf.</summary>
    private static (ThreadObject Thread, NtHandle Token) ImpersonationHandle()
    {
        var t = AliceThread();
        if (!t.Win32.ImpersonateSelf(SecurityImpersonationLevel.Impersonation) || !t.Win32.OpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out var h) || !t.Win32.RevertToSelf())
            throw new InvalidOperationException("setup: no impersonation token");
        return (t, h);
    }

    private static string? OpenOwnTokenAfterImpersonateSelf(JsonElement f, SecurityImpersonationLevel level)
    {
        if (LevelIn(Scenario(f)) != level) return "the scenario names another level";
        var t = AliceThread();
        if (!t.Win32.ImpersonateSelf(level)) return "ImpersonateSelf failed: " + t.Win32.GetLastError();
        const uint access = TokenAccessRights.Query | TokenAccessRights.AdjustPrivileges | TokenAccessRights.QuerySource | TokenAccessRights.Impersonate | TokenAccessRights.AdjustDefault;
        bool r = t.Win32.OpenThreadToken(NtHandle.CurrentThread, access, true, out var h);
        if ((Result(f, r) ?? (r ? null : Error(f, t))) is { } failure) return failure;
        if (!r) return NullHandle(h);
        // The handle is to the thread's token, at the level asked for.
        if (!t.Win32.GetTokenInformation<SecurityImpersonationLevel>(h, TokenInformationClass.TokenImpersonationLevel, out var actual)) return "TokenImpersonationLevel failed";
        return actual == level ? null : $"the opened token is at {actual}";
    }

    // HKCU\Software, as a key object of the user's hive opened by name (RegOpenKeyEx returns the Win32 error of NtOpenKey).
    private static string? OpenHkcuSoftware(JsonElement f, SecurityImpersonationLevel level)
    {
        if (LevelIn(Scenario(f)) != level || !Scenario(f).Contains("KEY_READ", StringComparison.Ordinal)) return "the scenario changed";
        var (system, alice, _) = KernelFixtures.Machine();
        var user = KernelFixtures.Alice;
        string name = $@"\REGISTRY\USER\{user}\Software";
        system.CreateObject(ObjectTypes.Key, name, SddlParser.Parse($"O:{user}G:{user}D:(A;OICI;KA;;;{user})(A;OICI;KA;;;SY)(A;OICI;KR;;;RC)"));
        var t = alice.Threads[0];
        if (!t.Win32.ImpersonateSelf(level)) return "ImpersonateSelf failed";
        var status = t.Nt.NtOpenObject(new ObjectAttributes(name), KeyRead, out var h, ObjectTypes.Key);
        int error = status.ToWin32Error();
        string result = Field(f, "result");
        if (result == "fails")
        {
            if (status.IsSuccess) return "the key was opened";
            var allowed = Field(f, "error").Split(" / ").Select(ErrorCode).ToList();
            return allowed.Contains(error) ? NullHandle(h) : $"error {error} ({status.Name}), Windows one of {Field(f, "error")}";
        }
        return error == ErrorCode(result) ? null : $"error {error} ({status.Name}), Windows {result}";
    }

    private static string? NtDuplicateTokenLevel(JsonElement f, ObjectAttributes attributes)
    {
        var t = AliceThread();
        const uint sourceAccess = TokenAccessRights.Query | TokenAccessRights.Duplicate;
        if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, sourceAccess, out var h)) return "setup: OpenProcessToken";
        var status = t.Nt.NtDuplicateToken(h, 0, attributes, effectiveOnly: false, TokenType.Impersonation, out var copy);
        if (Status(f, "ntstatus", status) is { } failure) return failure;
        if (!t.Win32.GetTokenInformation<SecurityImpersonationLevel>(copy, TokenInformationClass.TokenImpersonationLevel, out var level)) return "TokenImpersonationLevel failed";
        return Level(f, "level", level) ?? (Expected(f).TryGetProperty("granted_access", out _) ? Access(f, t, copy, sourceAccess) : null);
    }

    private static string? AdjustGroups(JsonElement f, uint access, bool resetToDefault)
    {
        var t = AliceThread();
        if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, access, out var h)) return "setup: OpenProcessToken";
        return Status(f, "ntstatus", t.Nt.NtAdjustGroupsToken(h, resetToDefault, null));
    }

    // "DuplicateTokenEx(primary, 0, NULL, SecurityImpersonation, TokenPrimary) TokenStatistics vs source".
    private static string? DuplicatePrimaryStatistics(JsonElement f)
    {
        var t = AliceThread();
        if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Duplicate | TokenAccessRights.Query, out var h)) return "setup: OpenProcessToken";
        if (!t.Win32.GetTokenInformation<TokenStatistics>(h, TokenInformationClass.TokenStatistics, out var source) || source is null) return "TokenStatistics of the source failed";
        if (!t.Win32.DuplicateTokenEx(h, 0, null, SecurityImpersonationLevel.Impersonation, TokenType.Primary, out var copy)) return "DuplicateTokenEx failed";
        if (!t.Win32.GetTokenInformation<TokenStatistics>(copy, TokenInformationClass.TokenStatistics, out var dup) || dup is null) return "TokenStatistics of the copy failed";
        var fields = new Dictionary<string, (object Source, object Copy)>
        {
            ["TokenId"] = (source.TokenId, dup.TokenId),
            ["AuthenticationId"] = (source.AuthenticationId, dup.AuthenticationId),
            ["GroupCount"] = (source.GroupCount, dup.GroupCount),
            ["PrivilegeCount"] = (source.PrivilegeCount, dup.PrivilegeCount),
            ["DynamicCharged"] = (source.DynamicCharged, dup.DynamicCharged),
            ["DynamicAvailable"] = (source.DynamicAvailable, dup.DynamicAvailable),
            ["ModifiedId"] = (source.ModifiedId, dup.ModifiedId),
        };
        int compared = 0;
        foreach (var property in Expected(f).EnumerateObject())
        {
            string want = property.Value.GetString()!;
            if (property.Name == "TokenType")
            {
                if (TypeName(f, "TokenType", dup.TokenType) is { } failure) return failure;
            }
            else if (property.Name == "ImpersonationLevel")
            {
                if (Level(f, "ImpersonationLevel", dup.ImpersonationLevel) is { } failure) return failure;
            }
            else
            {
                foreach (var name in property.Name.Split('/'))
                {
                    if (!fields.TryGetValue(name, out var pair)) return $"no translation of the field {name}";
                    bool equal = pair.Source.Equals(pair.Copy);
                    if (want == "equal" && !equal || want == "different" && equal) return $"{name}: source {pair.Source}, copy {pair.Copy}; Windows {want}";
                    if (want is not ("equal" or "different")) return $"{name}: cannot read '{want}'";
                }
            }
            compared++;
        }
        return compared > 0 ? null : "nothing compared";
    }

    // "DuplicateTokenEx / CreateRestrictedToken (no changes) of a token": the elevation type is the source's, and
    // TokenLinkedToken opens a token exactly when the source's type is not Default.
    private static string? ElevationAndLinkedToken(JsonElement f)
    {
        if (Field(f, "elevation_type") != "same as source" || Field(f, "linked_token") != "present iff source not Default") return "the expected values changed";
        foreach (var type in Enum.GetValues<TokenElevationType>())
        {
            var system = new EmulatedSystem();
            ProcessObject process;
            if (type == TokenElevationType.Default)
            {
                process = system.CreateProcess(KernelFixtures.AliceToken(), "alice.exe");
            }
            else
            {
                var mine = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
                mine.ElevationType = type;
                var other = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1003);
                other.ElevationType = type == TokenElevationType.Full ? TokenElevationType.Limited : TokenElevationType.Full;
                process = system.CreateProcess(mine.Build(), other.Build(), "alice.exe");
            }
            var t = process.Threads[0];
            if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var h)) return "setup: OpenProcessToken";
            if (!t.Win32.DuplicateTokenEx(h, 0, null, SecurityImpersonationLevel.Impersonation, TokenType.Primary, out var duplicate)) return "DuplicateTokenEx failed";
            if (!t.Win32.CreateRestrictedToken(h, FilterTokenFlags.None, null, null, null, out var restricted)) return "CreateRestrictedToken failed";
            foreach (var (name, copy) in new[] { ("DuplicateTokenEx", duplicate), ("CreateRestrictedToken", restricted) })
            {
                if (!t.Win32.GetTokenInformation<TokenElevationType>(copy, TokenInformationClass.TokenElevationType, out var actual)) return $"{name}: TokenElevationType failed";
                if (actual != type) return $"{name} of a {type} token: {actual}";
                bool linked = t.Win32.GetTokenInformation(copy, TokenInformationClass.TokenLinkedToken, out var info);
                if (linked != (type != TokenElevationType.Default)) return $"{name} of a {type} token: linked token {(linked ? "present" : "absent")}";
                if (linked && info is NtHandle other)
                {
                    if (!t.Win32.GetTokenInformation<TokenElevationType>(other, TokenInformationClass.TokenElevationType, out var otherType) || otherType == type || otherType == TokenElevationType.Default)
                        return $"{name} of a {type} token: the linked token is {otherType}";
                    t.Win32.CloseHandle(other);
                }
            }
        }
        return null;
    }

    // "DuplicateHandle(handle with SYNCHRONIZE only -> EVENT_MODIFY_STATE) while impersonating a token whose matching
    // SID is deny-only": denied, because the check is made with the thread's effective token. The same call made
    // without impersonating (the process token has the SID enabled) succeeds, which shows it is that token that
    // decides and not the caller's primary token.
    private static string? DuplicateHandleUsesTheEffectiveToken(JsonElement f)
    {
        const uint synchronize = AccessMask.Synchronize;
        const uint eventModifyState = 0x0002;
        var (system, alice, _) = KernelFixtures.Machine();
        var group = WellKnownSids.BuiltinUsers;
        system.CreateObject(ObjectTypes.Event, @"\BaseNamedObjects\tok-54", SddlParser.Parse($"O:SYG:SYD:(A;;0x1f0003;;;{group})"));
        var t = alice.Threads[0];
        if (!t.Nt.NtOpenObject(new ObjectAttributes(@"\BaseNamedObjects\tok-54"), synchronize, out var ev).IsSuccess) return "setup: opening the event";

        if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate, out var own)) return "setup: OpenProcessToken";
        if (!t.Win32.CreateRestrictedToken(own, FilterTokenFlags.None, [new SidAndAttributes(group, GroupAttributes.None)], null, null, out var denyOnly)) return "setup: CreateRestrictedToken";
        if (!t.Win32.ImpersonateLoggedOnUser(denyOnly)) return "setup: ImpersonateLoggedOnUser";
        if (t.ImpersonationToken?.Token is not { ImpersonationLevel: SecurityImpersonationLevel.Impersonation } worn || !worn.TryGetSidAttributes(group, out var a) || (a & GroupAttributes.UseForDenyOnly) == 0)
            return "setup: the thread does not wear the deny-only token at SecurityImpersonation";

        bool r = t.Win32.DuplicateHandle(NtHandle.CurrentProcess, ev, NtHandle.CurrentProcess, out var copy, eventModifyState, false, DuplicateOptions.None);
        if ((Result(f, r) ?? Error(f, t)) is { } failure) return failure;
        if (!copy.IsNull) return "a handle was returned";
        if (!Field(f, "rule").Contains("effective token", StringComparison.Ordinal)) return "the rule changed";

        if (!t.Win32.RevertToSelf()) return "RevertToSelf failed";
        if (!t.Win32.DuplicateHandle(NtHandle.CurrentProcess, ev, NtHandle.CurrentProcess, out copy, eventModifyState, false, DuplicateOptions.None))
            return "without impersonation the duplication fails too, so the primary token decided: " + t.Win32.GetLastError();

        // "and target process token, not caller's primary": a child running the deny-only token as its primary token
        // may raise the handle in its parent's table (the parent's token decides), not in its own.
        if (!t.Win32.OpenProcessToken(NtHandle.CurrentProcess, TokenAccessRights.Query | TokenAccessRights.Duplicate | TokenAccessRights.AssignPrimary, out var assignable)
            || !t.Win32.CreateRestrictedToken(assignable, FilterTokenFlags.None, [new SidAndAttributes(group, GroupAttributes.None)], null, null, out var childToken)
            || !t.Win32.CreateProcessAsUser(childToken, "child.exe", null, false, out var child))
            return "setup: the child process";
        // As in Wine's test_duplicate_handle_access: the child gets a PROCESS_DUP_HANDLE handle to its parent and the
        // value of the parent's SYNCHRONIZE handle, and duplicates that handle out of the parent's table.
        if (!t.Win32.DuplicateHandle(NtHandle.CurrentProcess, NtHandle.CurrentProcess, child.Process, out var parentInChild, ProcessAccessRights.DupHandle, false, DuplicateOptions.None))
            return "setup: a parent handle for the child";
        var c = system.FindProcess(child.ProcessId)!.Threads[0];
        if (!c.Win32.DuplicateHandle(parentInChild, ev, parentInChild, out _, eventModifyState, false, DuplicateOptions.None))
            return "a restricted child could not raise the handle in its parent's table: " + c.Win32.GetLastError();
        if (c.Win32.DuplicateHandle(parentInChild, ev, NtHandle.CurrentProcess, out _, eventModifyState, false, DuplicateOptions.None))
            return "a restricted child raised the handle in its own table";
        return c.Win32.GetLastError() == ErrorCode(Field(f, "error")) ? null : "child: last error " + c.Win32.GetLastError();
    }

    // "STATUS_NO_TOKEN and STATUS_CANT_OPEN_ANONYMOUS are returned before any access check on the token object, so a
    // DesiredAccess of 0 reveals presence/anonymity". Asked for nothing, and with a token whose descriptor grants the
    // caller nothing, the two statuses still come; a token that is there and not anonymous gives the access check's
    // answer instead.
    private static string? NoTokenAndAnonymousComeBeforeTheAccessCheck(JsonElement f)
    {
        string rule = Field(f, "rule");
        var named = Regex.Matches(rule, "STATUS_[A-Z_]+").Select(m => m.Value).ToList();
        if (!named.SequenceEqual(["STATUS_NO_TOKEN", "STATUS_CANT_OPEN_ANONYMOUS"]) || !rule.Contains("DesiredAccess of 0", StringComparison.Ordinal)) return "the rule changed";
        NtStatus.TryParse(named[0], out var noToken);
        NtStatus.TryParse(named[1], out var cantOpenAnonymous);

        var t = AliceThread();
        var status = t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, 0, false, out _);
        if (status != noToken) return $"not impersonating, access 0: {status.Name}, Windows {noToken.Name}";

        // An anonymous-level token whose descriptor grants nobody anything.
        var source = OpenOwn(t, TokenAccessRights.Duplicate);
        var oa = new ObjectAttributes(SecurityDescriptor: SddlParser.Parse("O:SYG:SYD:"), SecurityQualityOfService: new SecurityQualityOfService(SecurityImpersonationLevel.Anonymous));
        if (!t.Nt.NtDuplicateToken(source, TokenAccessRights.Impersonate, oa, false, TokenType.Impersonation, out var anonymous).IsSuccess) return "setup: NtDuplicateToken";
        if (!t.Win32.SetThreadToken(null, anonymous)) return "setup: SetThreadToken";
        foreach (uint access in new[] { 0u, TokenAccessRights.Query })
        {
            status = t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, access, true, out _);
            if (status != cantOpenAnonymous) return $"anonymous, access 0x{access:x}: {status.Name}, Windows {cantOpenAnonymous.Name}";
        }

        // The same token at SecurityImpersonation: now the access check runs, and the empty DACL refuses.
        oa = oa with { SecurityQualityOfService = new SecurityQualityOfService(SecurityImpersonationLevel.Impersonation) };
        if (!t.Nt.NtDuplicateToken(source, TokenAccessRights.Impersonate, oa, false, TokenType.Impersonation, out var locked).IsSuccess) return "setup: NtDuplicateToken";
        if (!t.Win32.SetThreadToken(null, locked)) return "setup: SetThreadToken";
        status = t.Nt.NtOpenThreadToken(NtHandle.CurrentThread, TokenAccessRights.Query, true, out _);
        return status == NtStatus.AccessDenied ? null : $"a token the caller may not open: {status.Name}, expected the access check's STATUS_ACCESS_DENIED";
    }

    private static string? ByType(JsonElement f, Func<ThreadObject, NtHandle, NtHandle> token, uint desired, ObjectTypeEntry[] list, SecurityDescriptor? sd = null)
    {
        var (t, imp) = ImpersonationHandle();
        var status = t.Nt.NtAccessCheckByType(sd ?? KeySd, null, token(t, imp), desired, list, Key, new PrivilegeSetBuffer(), new StrongBox<int>(PrivilegeSetBuffer.MinimumLength), out _, out _);
        return Status(f, "ntstatus", status);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reading the expected values

    private static JsonElement Expected(JsonElement fact) => fact.GetProperty("expected");

    private static string Scenario(JsonElement fact) => fact.GetProperty("input").GetProperty("scenario").GetString() ?? "";

    private static string Field(JsonElement fact, string name)
        => Expected(fact).TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new InvalidOperationException($"the fact has no text field '{name}'");

    // Win32 error names the corpus writes without their number (winerror.h values).
    private static readonly Dictionary<string, int> ErrorNames = new()
    {
        ["ERROR_SUCCESS"] = 0,
        ["ERROR_ACCESS_DENIED"] = 5,
        ["ERROR_INVALID_HANDLE"] = 6,
        ["ERROR_INVALID_PARAMETER"] = 87,
        ["ERROR_BAD_IMPERSONATION_LEVEL"] = 1346,
    };

    /// <summary>"ERROR_NO_TOKEN (1008)" is 1008; a bare name is looked up in winerror.h's values.</summary>
    private static int ErrorCode(string text)
    {
        var number = Regex.Match(text, @"\((\d+)\)");
        if (number.Success) return int.Parse(number.Groups[1].Value, CultureInfo.InvariantCulture);
        string name = text.Trim().Split(' ')[0];
        return ErrorNames.TryGetValue(name, out int code) ? code : throw new InvalidOperationException($"no code for '{text}'");
    }

    /// <summary>"STATUS_NO_TOKEN (0xC000007C)": the status by name, checked against the hex value when one is given.</summary>
    private static NtStatus StatusCode(string text)
    {
        string name = text.Trim().Split(' ')[0];
        if (!NtStatus.TryParse(name, out var status)) throw new InvalidOperationException($"unknown status '{text}'");
        var hex = Regex.Match(text, "0x[0-9A-Fa-f]{8}");
        if (hex.Success && Hex(hex.Value) != status.Value) throw new InvalidOperationException($"'{text}': NtSec gives {name} the value {status.ToHex()}");
        return status;
    }

    private static uint Hex(string text)
    {
        var m = Regex.Match(text, "0x([0-9A-Fa-f]+)");
        return m.Success ? uint.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : throw new InvalidOperationException($"no hex number in '{text}'");
    }

    /// <summary>The first Security* level a text names ("SecurityAnonymous (0)", "ImpersonateSelf(SecurityIdentification)").</summary>
    private static SecurityImpersonationLevel LevelIn(string text)
    {
        var m = Regex.Match(text, "Security(Anonymous|Identification|Impersonation|Delegation)");
        return m.Success ? Enum.Parse<SecurityImpersonationLevel>(m.Groups[1].Value) : throw new InvalidOperationException($"no level in '{text}'");
    }

    private static Sid SidIn(string text)
    {
        var m = Regex.Match(text, @"S-1-\d+(-\d+)*");
        return m.Success ? Sid.Parse(m.Value) : throw new InvalidOperationException($"no SID in '{text}'");
    }

    private static string? Status(JsonElement f, string field, NtStatus actual)
    {
        var want = StatusCode(Field(f, field));
        return actual == want ? null : $"{actual.Name}, Windows {want.Name}";
    }

    private static string? Result(JsonElement f, bool actual)
    {
        string want = Field(f, "result");
        if (want is not ("TRUE" or "FALSE")) throw new InvalidOperationException($"result '{want}' is not a BOOL");
        return (actual ? "TRUE" : "FALSE") == want ? null : $"returned {(actual ? "TRUE" : "FALSE")}, Windows {want}";
    }

    private static string? ApiReturn(JsonElement f, bool actual)
    {
        bool want = Expected(f).GetProperty("api_return").GetBoolean();
        return actual == want ? null : $"returned {actual}, Windows {want}";
    }

    private static string? Error(JsonElement f, ThreadObject t, string field = "error")
    {
        int want = ErrorCode(Field(f, field));
        int actual = t.Win32.GetLastError();
        return actual == want ? null : $"last error {actual}, Windows {Field(f, field)}";
    }

    private static string? Bool(JsonElement f, string field, bool actual)
    {
        bool want = Expected(f).GetProperty(field).GetBoolean();
        return actual == want ? null : $"{field} {actual}, Windows {want}";
    }

    private static string? Number(JsonElement f, string field, int actual)
    {
        int want = Expected(f).GetProperty(field).GetInt32();
        return actual == want ? null : $"{field} {actual}, Windows {want}";
    }

    private static string? Level(JsonElement f, string field, SecurityImpersonationLevel actual)
    {
        var want = LevelIn(Field(f, field));
        return actual == want ? null : $"{field} Security{actual}, Windows {Field(f, field)}";
    }

    private static string? TypeName(JsonElement f, string field, TokenType actual)
    {
        string name = actual == TokenType.Primary ? "TokenPrimary" : "TokenImpersonation";
        return name == Field(f, field) ? null : $"{field} {name}, Windows {Field(f, field)}";
    }

    private static string? NullHandle(NtHandle h) => h.IsNull ? null : $"the output handle is {h}, not NULL";

    /// <summary>
    /// granted_access: "0x0000000c (...)" is that mask; "same as source" is the source handle's access (and, when a
    /// mask is given too, that mask).
    /// </summary>
    private static string? Access(JsonElement f, ThreadObject t, NtHandle handle, uint? sourceAccess)
    {
        string want = Field(f, "granted_access");
        if (!t.Nt.NtQueryObject(handle, out var info).IsSuccess) return "NtQueryObject failed";
        if (want.StartsWith("same as source", StringComparison.Ordinal))
        {
            if (sourceAccess is not { } s) throw new InvalidOperationException("the translation has no source handle");
            if (info.GrantedAccess != s) return $"granted 0x{info.GrantedAccess:x8}, the source handle has 0x{s:x8}";
            if (want.Contains("0x", StringComparison.Ordinal) && info.GrantedAccess != Hex(want)) return $"granted 0x{info.GrantedAccess:x8}, Windows {want}";
            return null;
        }
        return info.GrantedAccess == Hex(want) ? null : $"granted 0x{info.GrantedAccess:x8}, Windows {want}";
    }

    private static readonly Dictionary<string, GroupAttributes> GroupAttributeNames = new()
    {
        ["MANDATORY"] = GroupAttributes.Mandatory,
        ["ENABLED_BY_DEFAULT"] = GroupAttributes.EnabledByDefault,
        ["ENABLED"] = GroupAttributes.Enabled,
        ["OWNER"] = GroupAttributes.Owner,
        ["USE_FOR_DENY_ONLY"] = GroupAttributes.UseForDenyOnly,
    };

    /// <summary>"USE_FOR_DENY_ONLY set, ENABLED cleared": each named SE_GROUP_* bit set or clear.</summary>
    private static string? GroupAttributeRule(JsonElement f, string field, GroupAttributes actual)
    {
        foreach (var part in Field(f, field).Split(", "))
        {
            var words = part.Split(' ');
            if (words.Length != 2 || !GroupAttributeNames.TryGetValue(words[0], out var bit) || words[1] is not ("set" or "cleared")) throw new InvalidOperationException($"cannot read '{part}'");
            if ((words[1] == "set") != ((actual & bit) != 0)) return $"attributes {actual}, Windows {Field(f, field)}";
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The tests

    private static Dictionary<string, Func<JsonElement, string?>> TranslationsOf(string kind) => kind switch
    {
        "token_api" => TokenApi,
        "api_validation" => ApiValidation,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string? Run(string kind, JsonElement fact)
    {
        string id = fact.GetProperty("id").GetString()!;
        if (!TranslationsOf(kind).TryGetValue(id, out var check)) return "no translation of this scenario";
        try
        {
            return check(fact);
        }
        catch (Exception ex)
        {
            return "threw " + ex.GetType().Name + ": " + ex.Message;
        }
    }

    /// <summary>The ids of every translated case, one test each.</summary>
    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var id in TokenApi.Keys.Order(StringComparer.Ordinal)) data.Add("token_api", id);
            foreach (var id in ApiValidation.Keys.Order(StringComparer.Ordinal)) data.Add("api_validation", id);
            return data;
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(Cases))]
    public void Case(string kind, string id)
    {
        var fact = ConformanceData.FactsOfKind(kind).SingleOrDefault(f => f.GetProperty("id").GetString() == id);
        Assert.True(fact.ValueKind == JsonValueKind.Object, $"{id} is not a {kind} case of facts.jsonl");
        Assert.Null(Run(kind, fact));
    }

    [ConformanceTheory]
    [InlineData("token_api")]
    [InlineData("api_validation")]
    public void EveryCaseOfTheKindMatchesWindows(string kind)
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var fact in ConformanceData.FactsOfKind(kind))
        {
            total++;
            string id = fact.GetProperty("id").GetString()!;
            if (Run(kind, fact) is { } failure) failures.Add($"{id}: {failure}");
            else passed++;
        }
        ConformanceData.Report(output, $"facts.jsonl {kind} (kernel)", passed, total, failures);
        Assert.True(total > 0);
        Assert.Empty(failures);
    }

    [Fact]
    public void TheDocumentListsEveryFieldLeftUncompared()
    {
        string? root = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && root is null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NtSec.slnx"))) root = dir.FullName;
        Assert.NotNull(root);
        string doc = File.ReadAllText(Path.Combine(root!, "docs", "kernel-conformance.md"));
        Assert.All(UncomparedFields.Keys, id => Assert.Contains(id, doc, StringComparison.Ordinal));
        Assert.All(UncomparedFields.Keys, id => Assert.True(TokenApi.ContainsKey(id) || ApiValidation.ContainsKey(id), id + " has no translation"));
    }
}
