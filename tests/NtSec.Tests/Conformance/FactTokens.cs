using System.Text.Json;
using NtSec.Authorization;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Tests.Conformance;

/// <summary>
/// Adapter from the research schema of facts.jsonl (upper-case attrs, restricted_sids, integrity) to NtSec tokens.
/// </summary>
internal static class FactTokens
{
    public static GroupAttributes Attributes(JsonElement attrs)
    {
        var a = GroupAttributes.None;
        foreach (var e in attrs.EnumerateArray())
        {
            a |= e.GetString() switch
            {
                "MANDATORY" => GroupAttributes.Mandatory,
                "ENABLED_BY_DEFAULT" => GroupAttributes.EnabledByDefault,
                "ENABLED" => GroupAttributes.Enabled,
                "OWNER" => GroupAttributes.Owner,
                "USE_FOR_DENY_ONLY" or "DENY_ONLY" => GroupAttributes.UseForDenyOnly,
                "INTEGRITY" => GroupAttributes.Integrity,
                "INTEGRITY_ENABLED" => GroupAttributes.IntegrityEnabled,
                "RESOURCE" => GroupAttributes.Resource,
                "LOGON_ID" => GroupAttributes.LogonId,
                var other => throw new InvalidOperationException("unknown group attribute " + other),
            };
        }
        return a;
    }

    public static Token Build(JsonElement t)
    {
        var user = t.GetProperty("user");
        var b = user.ValueKind == JsonValueKind.String
            ? new TokenBuilder(Sid.Parse(user.GetString()!))
            : new TokenBuilder(Sid.Parse(user.GetProperty("sid").GetString()!)) { User = new SidAndAttributes(Sid.Parse(user.GetProperty("sid").GetString()!), Attributes(user.GetProperty("attrs"))) };
        if (t.TryGetProperty("groups", out var groups))
            foreach (var g in groups.EnumerateArray()) b.AddGroup(Sid.Parse(g.GetProperty("sid").GetString()!), Attributes(g.GetProperty("attrs")));
        if (t.TryGetProperty("privileges", out var privs))
        {
            foreach (var p in privs.EnumerateArray())
            {
                var pa = PrivilegeAttributes.None;
                foreach (var a in p.GetProperty("attrs").EnumerateArray())
                    pa |= a.GetString() switch { "ENABLED" => PrivilegeAttributes.Enabled, "ENABLED_BY_DEFAULT" => PrivilegeAttributes.EnabledByDefault, _ => 0 };
                b.AddPrivilege(p.GetProperty("name").GetString()!, pa);
            }
        }
        if (t.TryGetProperty("restricted_sids", out var rs))
            foreach (var r in rs.EnumerateArray()) b.AddRestrictedSid(Sid.Parse(r.GetProperty("sid").GetString()!), Attributes(r.GetProperty("attrs")));
        if (t.TryGetProperty("write_restricted", out var wr)) b.WriteRestricted = wr.GetBoolean();
        if (t.TryGetProperty("integrity", out var il)) b.IntegrityLevel = Sid.Parse(il.GetString()!);
        if (t.TryGetProperty("mandatory_policy", out var mp))
        {
            var policy = MandatoryPolicy.Off;
            foreach (var m in mp.EnumerateArray())
                policy |= m.GetString() switch { "NO_WRITE_UP" => MandatoryPolicy.NoWriteUp, "NEW_PROCESS_MIN" => MandatoryPolicy.NewProcessMin, _ => 0 };
            b.MandatoryPolicy = policy;
        }
        // The research schema names the owner even when the group carrying it lacks the OWNER attribute; the
        // access check does not use the token's default owner, so it is only taken when the builder accepts it.
        if (t.TryGetProperty("owner", out var owner))
        {
            var o = Sid.Parse(owner.GetString()!);
            if (o == b.User.Sid || b.Groups.Any(g => g.Sid == o && (g.Attributes & GroupAttributes.Owner) != 0)) b.Owner = o;
        }
        if (t.TryGetProperty("primary_group", out var pg))
        {
            var g = Sid.Parse(pg.GetString()!);
            if (g == b.User.Sid || b.Groups.Any(x => x.Sid == g)) b.PrimaryGroup = g;
        }
        b.Type = t.GetProperty("type").GetString() == "primary" ? TokenType.Primary : TokenType.Impersonation;
        if (t.TryGetProperty("impersonation_level", out var lvl))
        {
            b.ImpersonationLevel = lvl.GetString() switch
            {
                "SecurityAnonymous" => SecurityImpersonationLevel.Anonymous,
                "SecurityIdentification" => SecurityImpersonationLevel.Identification,
                "SecurityImpersonation" => SecurityImpersonationLevel.Impersonation,
                "SecurityDelegation" => SecurityImpersonationLevel.Delegation,
                var other => throw new InvalidOperationException("unknown level " + other),
            };
        }
        return b.Build();
    }

    public static GenericMapping Mapping(JsonElement m)
    {
        var v = m.EnumerateArray().Select(x => Convert.ToUInt32(x.GetString(), 16)).ToArray();
        return new GenericMapping(v[0], v[1], v[2], v[3]);
    }

    public static ObjectTypeEntry[] ObjectTypes(JsonElement input)
        => input.TryGetProperty("object_type_list", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => new ObjectTypeEntry((ushort)e.GetProperty("level").GetInt32(), Guid.Parse(e.GetProperty("guid").GetString()!))).ToArray()
            : [];
}
