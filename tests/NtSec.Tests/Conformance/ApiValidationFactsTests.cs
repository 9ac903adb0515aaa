using System.Runtime.CompilerServices;
using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tests.Authorization;
using NtSec.Tokens;
using NtSec.Win32;
using Xunit.Abstractions;

namespace NtSec.Tests.Conformance;

/// <summary>
/// The api_validation cases of facts.jsonl. Each describes a call in prose; each is translated here by hand into
/// the same call against NtSec's ntdll/advapi32-style functions. A fact with no translation fails the test.
/// </summary>
public sealed class ApiValidationFactsTests(ITestOutputHelper output)
{
    private static readonly GenericMapping Key = ObjectTypes.Key.GenericMapping;
    private static readonly SecurityDescriptor Sd = SddlParser.Parse("O:BAG:BAD:(A;;KA;;;WD)");
    private static readonly Guid G0 = Guid.Parse("12345678-1234-5678-1122-334455667788");
    private static readonly Guid G1 = Guid.Parse("23456789-2345-6786-0233-445566778899");

    private static Token Impersonation(SecurityImpersonationLevel level = SecurityImpersonationLevel.Impersonation)
    {
        var b = TestTokens.AliceBuilder();
        b.ImpersonationLevel = level;
        return b.Build();
    }

    private static Token Primary()
    {
        var b = TestTokens.AliceBuilder();
        b.Type = TokenType.Primary;
        return b.Build();
    }

    private static NtStatus ByType(SecurityDescriptor sd, Token? token, uint desired, ObjectTypeEntry[] list)
        => Ntdll.NtAccessCheckByType(sd, null, token, desired, list, Key, new PrivilegeSetBuffer(), new StrongBox<int>(PrivilegeSetBuffer.MinimumLength), out _, out _);

    private static string? Expect(NtStatus actual, NtStatus expected) => actual == expected ? null : $"{actual.Name}, Windows {expected.Name}";

    private static readonly Dictionary<string, Func<string?>> Translations = new()
    {
        ["ros-bt-pv-02"] = () => Expect(ByType(Sd, null, AccessMask.MaximumAllowed, [new(0, G0)]), NtStatus.InvalidHandle),
        ["ros-bt-pv-03"] = () => Expect(ByType(Sd, Primary(), AccessMask.MaximumAllowed, [new(0, G0)]), NtStatus.NoImpersonationToken),
        ["ros-bt-pv-05"] = () => Expect(ByType(Sd, Impersonation(SecurityImpersonationLevel.Anonymous), AccessMask.GenericWrite, [new(0, G0)]), NtStatus.GenericNotMapped),
        ["ros-bt-pv-08"] = () => Expect(ByType(new SecurityDescriptor(), Impersonation(), AccessMask.MaximumAllowed, [new(0, G0)]), NtStatus.InvalidSecurityDescriptor),
        ["ros-bt-pv-09"] = () => Expect(ByType(Sd, Impersonation(), AccessMask.MaximumAllowed, [new(3, G0), new(1, G1)]), NtStatus.InvalidParameter),
        ["ros-bt-pv-10"] = () => Expect(ByType(Sd, Impersonation(), AccessMask.MaximumAllowed, [new(0, G0), new(0, G1)]), NtStatus.InvalidParameter),
        ["ros-bt-pv-11"] = () => Expect(ByType(Sd, Impersonation(), AccessMask.MaximumAllowed, [new(0, G0), new(0xa, G1)]), NtStatus.InvalidParameter),
        ["ros-bt-pv-12"] = () => Expect(ByType(Sd, Impersonation(), AccessMask.MaximumAllowed, [new(0, G0), new(2, G1)]), NtStatus.InvalidParameter),
        ["ros-bt-pv-13"] = () =>
        {
            var acl = new Acl([], Acl.Revision2);
            var status = Ntdll.RtlAddAccessAllowedObjectAce(ref acl, Acl.Revision2, AceFlags.None, 0x1, G0, null, WellKnownSids.World);
            return Expect(status, NtStatus.RevisionMismatch) ?? (acl.Count == 0 ? null : "the ACE was added");
        },
        ["wine-nac-01"] = () =>
        {
            var a = Ntdll.NtAccessCheck(Sd, Impersonation(), AccessMask.GenericRead, Key, null, new StrongBox<int>(64), out _, out _);
            var b = Ntdll.NtAccessCheck(Sd, Impersonation(), AccessMask.GenericRead, Key, new PrivilegeSetBuffer(), null, out _, out _);
            return Expect(a, NtStatus.AccessViolation) ?? Expect(b, NtStatus.AccessViolation);
        },
        ["wine-nac-02"] = () =>
        {
            foreach (int len in new[] { 0, 19 })
            {
                var length = new StrongBox<int>(len);
                var s = Ntdll.NtAccessCheck(Sd, Impersonation(), AccessMask.GenericRead, Key, new PrivilegeSetBuffer(), length, out _, out _);
                if (Expect(s, NtStatus.GenericNotMapped) is { } f) return f;
                if (length.Value != len) return "PrivilegeSetLength changed";
            }
            return null;
        },
        ["wine-ac-pv-01"] = () =>
        {
            bool a = Advapi32.AccessCheck(Sd, Impersonation(), AccessMask.GenericRead, Key, null, new StrongBox<int>(64), out _, out _);
            int e1 = Win32Error.GetLastError();
            bool b = Advapi32.AccessCheck(Sd, Impersonation(), AccessMask.GenericRead, Key, new PrivilegeSetBuffer(), null, out _, out _);
            int e2 = Win32Error.GetLastError();
            return !a && !b && e1 == 998 && e2 == 998 ? null : $"returned {a}/{b} with {e1}/{e2}, Windows FALSE with 998";
        },
        ["wine-ac-pv-03"] = () =>
        {
            var length = new StrongBox<int>(0);
            bool r = Advapi32.AccessCheck(Sd, Impersonation(), 0x20019, Key, null, length, out _, out _);
            int e = Win32Error.GetLastError();
            return !r && e == 122 && length.Value == 20 ? null : $"returned {r}, error {e}, length {length.Value}; Windows FALSE, 122, 20";
        },
        ["wine-ac-pv-04"] = () =>
        {
            foreach (int len in new[] { 1, 19, 20, 4096 })
            {
                var length = new StrongBox<int>(len);
                bool r = Advapi32.AccessCheck(Sd, Impersonation(), 0x20019, Key, null, length, out _, out _);
                int e = Win32Error.GetLastError();
                if (r || e != 998 || length.Value != len) return $"length {len}: returned {r}, error {e}, length now {length.Value}; Windows FALSE, 998, unchanged";
            }
            return null;
        },
        ["wine-ac-pv-05"] = () =>
        {
            foreach (int len in new[] { 20, 21 })
            {
                var set = new PrivilegeSetBuffer();
                var length = new StrongBox<int>(len);
                bool r = Advapi32.AccessCheck(Sd, Impersonation(), 0x20019, Key, set, length, out uint granted, out bool ok);
                if (!r || !ok || granted != 0x20019 || set.Privileges.Count != 0 || length.Value != len) return $"length {len}: returned {r}, access {ok}, privileges {set.Privileges.Count}";
            }
            return null;
        },
        ["ros-rl-pv-01"] = () =>
        {
            var status = Ntdll.NtAccessCheckByTypeResultList(new SecurityDescriptor(), null, Impersonation(), AccessMask.MaximumAllowed, [], Key,
                new PrivilegeSetBuffer(), new StrongBox<int>(20), new uint[1], new NtStatus[1]);
            return Expect(status, NtStatus.InvalidParameter);
        },
    };

    [ConformanceFact]
    public void MatchesWindows()
    {
        int passed = 0, total = 0;
        var failures = new List<string>();
        foreach (var fact in ConformanceData.FactsOfKind("api_validation"))
        {
            total++;
            string id = fact.GetProperty("id").GetString()!;
            string? failure = Translations.TryGetValue(id, out var check) ? check() : "no translation of this scenario yet";
            if (failure is null) passed++;
            else failures.Add($"{id}: {failure}");
        }
        ConformanceData.Report(output, "facts.jsonl api_validation", passed, total, failures);
        Assert.True(total > 0);
        Assert.Empty(failures);
    }

    [Fact]
    public void AccessCheckSetsLastErrorOnDenialAndPrivilegeSetOnUse()
    {
        var deny = SddlParser.Parse("O:BAG:BAD:");
        Assert.True(Advapi32.AccessCheck(deny, Impersonation(), 0x1, Key, new PrivilegeSetBuffer(), new StrongBox<int>(20), out uint granted, out bool ok));
        Assert.False(ok);
        Assert.Equal(0u, granted);
        Assert.Equal(5, Win32Error.GetLastError());

        var b = TestTokens.AliceBuilder();
        b.AddPrivilege("SeSecurityPrivilege").AddPrivilege("SeTakeOwnershipPrivilege");
        var set = new PrivilegeSetBuffer();
        var small = new StrongBox<int>(20);
        Assert.Equal(NtStatus.BufferTooSmall, Ntdll.NtAccessCheck(deny, b.Build(), AccessMask.AccessSystemSecurity | AccessMask.WriteOwner, Key, set, small, out _, out _));
        Assert.Equal(32, small.Value);
        Assert.Equal(NtStatus.Success, Ntdll.NtAccessCheck(deny, b.Build(), AccessMask.AccessSystemSecurity | AccessMask.WriteOwner, Key, set, small, out granted, out var access));
        Assert.Equal(NtStatus.Success, access);
        Assert.Equal(2, set.Privileges.Count);
    }
}
