using NtSec.Acls;
using NtSec.Audit.Engine;
using NtSec.Audit.Principals;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tests.Cli;
using NtSec.Sddl;

namespace NtSec.Tests.Audit;

/// <summary>Every stored answer of the matrix equals the plain access check (and ntsec check) on the same descriptor and token.</summary>
public sealed class MatrixEqualsCheckTests
{
    private static readonly uint[] Masks = [0x1F01FF, 0x1301BF, 0x1200A9, 0x120116, 0x10000, 0x40000, 0x80000, 0x2, 0x20, 0x100, 0x1200A0];
    private static readonly AceFlags[] Flags = [AceFlags.None, AceFlags.Inherited, AceFlags.InheritOnly | AceFlags.ObjectInherit, AceFlags.ContainerInherit | AceFlags.ObjectInherit];

    [Fact]
    public void A_random_estate_matches_AccessCheck_for_every_cell_and_ntsec_check_on_a_sample()
    {
        using var f = new AuditFixtures();
        var rng = new Random(11);
        var sids = new List<Sid> { WellKnownSids.World, WellKnownSids.AuthenticatedUsers, WellKnownSids.Interactive, WellKnownSids.Network, WellKnownSids.OwnerRights, WellKnownSids.CreatorOwner, WellKnownSids.BuiltinAdministrators };
        for (int i = 0; i < 12; i++) sids.Add(Sid.Parse($"{AuditFixtures.Domain}-{1000 + i}"));
        var lines = new System.Text.StringBuilder();
        for (int n = 0; n < 300; n++)
        {
            var aces = new List<Ace>();
            int count = rng.Next(0, 7);
            for (int a = 0; a < count; a++)
            {
                var sid = sids[rng.Next(sids.Count)];
                var type = rng.Next(3) == 0 ? AceType.AccessDenied : AceType.AccessAllowed;
                aces.Add(new Ace(type, Flags[rng.Next(Flags.Length)], Masks[rng.Next(Masks.Length)], sid));
            }
            Sid? owner = rng.Next(4) == 0 ? null : sids[7 + rng.Next(12)];
            bool nullDacl = rng.Next(10) == 0;
            // Some objects carry a mandatory label (High or Low, no-write-up or no-read-up).
            Acl? sacl = rng.Next(5) != 0 ? null : new Acl([new Ace(AceType.SystemMandatoryLabel, AceFlags.None, (uint)rng.Next(1, 4), rng.Next(2) == 0 ? WellKnownSids.HighIntegrity : WellKnownSids.LowIntegrity)]);
            var sd = new SecurityDescriptor(owner, owner is null ? null : sids[8], nullDacl ? null : new Acl(aces), sacl,
                control: SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent | (sacl is null ? 0 : SecurityDescriptorControl.SaclPresent), daclState: nullDacl ? AclState.Null : null);
            lines.Append($"{{\"path\":\"o{n}\",\"sd\":\"{Convert.ToHexString(sd.ToBinary())}\"}}\n");
        }
        File.WriteAllText(f.Path("r.jsonl"), lines.ToString());
        var principals = new List<AuditPrincipal>();
        for (int u = 0; u < 12; u++)
        {
            var groups = Enumerable.Range(0, 12).Where(g => g != u && rng.Next(3) == 0).Select(g => sids[7 + g]).ToList();
            if (rng.Next(4) == 0) groups.Add(WellKnownSids.BuiltinAdministrators);
            var p = PrincipalLoader.Build($"u{u}", sids[7 + u], groups, (LogonKind)rng.Next(4), "test");
            // Restricted, privileged and low-integrity tokens take the other paths of the check.
            var b = p.Token.ToBuilder();
            if (u % 4 == 1) b.AddRestrictedSid(WellKnownSids.World).AddRestrictedSid(sids[7 + rng.Next(12)]);
            if (u % 4 == 2) b.AddPrivilege("SeTakeOwnershipPrivilege").AddPrivilege("SeSecurityPrivilege");
            if (u % 4 == 3) b.IntegrityLevel = WellKnownSids.LowIntegrity;
            if (u == 5) b.WriteRestricted = true;
            principals.Add(p with { Token = b.Build() });
        }
                // The default questions are read from the MAXIMUM_ALLOWED grant; these two need checks of their own (or test that they do not).
        AccessQuestion[] questions = [.. AccessQuestion.Defaults, new("sacl", AccessMask.AccessSystemSecurity | AccessMask.ReadControl), new("take", AccessMask.WriteOwner)];
        var options = new ScanOptions(f.Path("r.jsonl"), null, principals, null, questions, f.Path("r.duckdb"), false) { Workers = 2 };
        var result = AuditScanner.Run(options, null, CancellationToken.None);
        Assert.Equal(300, result.Objects);

        using var store = EstateStore.Open(f.Path("r.duckdb"), readOnly: true);
        var tokens = new Dictionary<int, NtSec.Tokens.Token>();
        using (var c = store.Command("SELECT token_id, token_json FROM tokens"))
        using (var r = c.ExecuteReader())
            while (r.Read())
            {
                Assert.True(NtSec.Tokens.TokenJson.TryRead(r.GetString(1), null, out var t, out _));
                tokens[r.GetInt32(0)] = t!;
            }
        var mapping = ObjectTypes.File.GenericMapping;
        int cells = 0, cliChecked = 0;
        using (var c = store.Command("SELECT d.sd_binary, m.token_id, m.granted, m.answers, o.path FROM matrix m JOIN descriptors d USING (descriptor_id) JOIN objects o USING (descriptor_id) ORDER BY o.seq, m.token_id"))
        using (var r = c.ExecuteReader())
        {
            while (r.Read())
            {
                using var s = r.GetStream(0);
                var ms = new MemoryStream();
                s.CopyTo(ms);
                var sd = AccessEvaluators.ForCheck(SecurityDescriptor.FromBinary(ms.ToArray()));
                var token = tokens[r.GetInt32(1)];
                uint granted = (uint)r.GetValue(2), answers = (uint)r.GetValue(3);
                var max = AccessCheck.Check(sd, token, AccessMask.MaximumAllowed, mapping);
                Assert.Equal(max.IsGranted ? max.GrantedAccess : 0, granted);
                for (int q = 0; q < questions.Length; q++)
                {
                    bool expected = AccessCheck.Check(sd, token, questions[q].Mask, mapping).IsGranted;
                    Assert.True(expected == ((answers >> q & 1) == 1), $"{questions[q].Name} on {sd.ToSddl()} for {NtSec.Tokens.TokenJson.Write(token)}");
                }
                if (cells++ % 97 == 0)
                {
                    // ntsec check on the same descriptor and token: exit 0 exactly when the matrix says granted.
                    string tokenFile = f.Path($"t{cells}.json");
                    File.WriteAllText(tokenFile, NtSec.Tokens.TokenJson.Write(token));
                    var cli = CliHarness.Run("check", "--sd", sd.ToSddl(), "--token", tokenFile, "--type", "file", "--desired", "0x1200a9");
                    Assert.True(((answers & 1) != 0 ? 0 : 1) == cli.ExitCode, $"{sd.ToSddl()} {NtSec.Tokens.TokenJson.Write(token)} {cli.Out} {cli.Error}");
                    cliChecked++;
                }
            }
        }
        Assert.Equal(300 * 12, cells);
        Assert.True(cliChecked > 30);
    }
}
