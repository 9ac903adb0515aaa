using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Cli.Commands;

/// <summary>
/// The matrix case of issue 10: distinct file descriptors of a share estate and user tokens of one domain, made from
/// a fixed seed so every run measures the same data. ntsec bench and the BenchmarkDotNet project (which references this one) share it.
/// </summary>
internal static class MatrixInputs
{
    private static readonly Sid Domain = Sid.Parse("S-1-5-21-1004336348-1177238915-682003330");
    private const int GroupPool = 2000;
    private const int UserPool = 20000;
    private static readonly uint[] Masks = [0x1200a9, 0x1301bf, 0x1f01ff, 0x120089, 0x100004, 0x12019f];

    /// <summary>
    /// <paramref name="count"/> distinct descriptors: SYSTEM and Administrators full control, then 2-12 ACEs for
    /// domain groups and users (about one in eight a deny), now and then CREATOR OWNER inherit-only, OWNER RIGHTS, a label.
    /// </summary>
    public static SecurityDescriptor[] Descriptors(int count, int seed = 10)
    {
        var random = new Random(seed);
        var seen = new HashSet<SecurityDescriptor>();
        var list = new List<SecurityDescriptor>(count);
        while (list.Count < count)
        {
            var aces = new List<Ace>
            {
                Ace.Allow(WellKnownSids.LocalSystem, 0x1f01ff, AceFlags.ObjectInherit | AceFlags.ContainerInherit),
                Ace.Allow(WellKnownSids.BuiltinAdministrators, 0x1f01ff, AceFlags.ObjectInherit | AceFlags.ContainerInherit),
            };
            int extra = random.Next(2, 13);
            for (int i = 0; i < extra; i++)
            {
                var sid = random.Next(4) == 0 ? Domain.Append((uint)(10000 + random.Next(UserPool))) : Domain.Append((uint)(3000 + random.Next(GroupPool)));
                uint mask = Masks[random.Next(Masks.Length)];
                var ace = random.Next(8) == 0 ? Ace.Deny(sid, mask) : Ace.Allow(sid, mask, random.Next(3) == 0 ? AceFlags.Inherited : AceFlags.None);
                if (ace.Type == AceType.AccessDenied) aces.Insert(0, ace);
                else aces.Add(ace);
            }
            if (random.Next(5) == 0) aces.Add(Ace.Allow(WellKnownSids.CreatorOwner, 0x1f01ff, AceFlags.InheritOnly | AceFlags.ObjectInherit));
            if (random.Next(20) == 0) aces.Add(Ace.Allow(WellKnownSids.OwnerRights, 0x120089));
            if (random.Next(3) == 0) aces.Add(Ace.Allow(WellKnownSids.AuthenticatedUsers, 0x1200a9));
            var owner = random.Next(2) == 0 ? WellKnownSids.BuiltinAdministrators : Domain.Append((uint)(10000 + random.Next(UserPool)));
            Acl? sacl = random.Next(10) == 0 ? new Acl([new Ace(AceType.SystemMandatoryLabel, AceFlags.None, 1, random.Next(2) == 0 ? WellKnownSids.HighIntegrity : WellKnownSids.LowIntegrity)]) : null;
            var sd = new SecurityDescriptor(owner, Domain.Append(513), new Acl(aces), sacl);
            if (seen.Add(sd)) list.Add(sd);
        }
        return [.. list];
    }

    /// <summary>
    /// <paramref name="count"/> user tokens: Domain Users, Everyone, Authenticated Users, Users, Interactive and
    /// 10-40 domain groups; one in ten also an administrator at High integrity, one in fifty with a deny-only group.
    /// </summary>
    public static Token[] Tokens(int count, int seed = 11)
    {
        var random = new Random(seed);
        var tokens = new Token[count];
        for (int t = 0; t < count; t++)
        {
            var b = new TokenBuilder(Domain.Append((uint)(10000 + random.Next(UserPool))));
            b.AddGroup(Domain.Append(513)).AddGroup(WellKnownSids.World).AddGroup(WellKnownSids.AuthenticatedUsers)
             .AddGroup(WellKnownSids.BuiltinUsers).AddGroup(WellKnownSids.Interactive);
            int groups = random.Next(10, 41);
            for (int i = 0; i < groups; i++)
                b.AddGroup(Domain.Append((uint)(3000 + random.Next(GroupPool))), random.Next(50) == 0 ? GroupAttributes.UseForDenyOnly : GroupAttributes.Mandatory | GroupAttributes.EnabledByDefault | GroupAttributes.Enabled);
            bool admin = random.Next(10) == 0;
            if (admin) b.AddGroup(WellKnownSids.BuiltinAdministrators);
            var level = admin ? WellKnownSids.HighIntegrity : WellKnownSids.MediumIntegrity;
            b.AddGroup(level, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled);
            b.IntegrityLevel = level;
            b.AddPrivilege("SeChangeNotifyPrivilege");
            tokens[t] = b.Build();
        }
        return tokens;
    }
}
