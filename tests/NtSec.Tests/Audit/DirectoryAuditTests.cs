using System.Globalization;
using NtSec.Audit.ActiveDirectory;
using NtSec.Audit.Store;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tests.Cli;
using NtSec.Tokens;

namespace NtSec.Tests.Audit;

/// <summary>One generated domain, exported as LDIF and scanned once for all the tests of the class.</summary>
public sealed class DirectoryScanFixture : IDisposable
{
    public DirectoryScanFixture()
    {
        // NTSEC_KEEP_AD_FIXTURE=DIR keeps the export and the database in DIR, to look at them after the run.
        _keep = Environment.GetEnvironmentVariable("NTSEC_KEEP_AD_FIXTURE");
        Directory = _keep ?? Path.Combine(Path.GetTempPath(), "ntsec-ad-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        if (File.Exists(Path.Combine(Directory, "ad.duckdb"))) File.Delete(Path.Combine(Directory, "ad.duckdb"));
        Export = Path.Combine(Directory, "export.ldif");
        using (var w = new StreamWriter(Export)) Generator.Write(w);
        Db = Path.Combine(Directory, "ad.duckdb");
        var run = CliHarness.Run("audit", "scan", Export, "--out", Db);
        ScanOutput = run.Error;
        Assert.True(run.ExitCode == 0, run.Error);
    }

    internal DirectoryFixture Generator { get; } = new() { Users = 600, Groups = 60, Departments = 5, Computers = 40, PageSize = 150 };

    public string Directory { get; }

    public string Export { get; }

    public string Db { get; }

    public string ScanOutput { get; }

    private readonly string? _keep;

    public void Dispose()
    {
        if (_keep is not null) return;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public class DirectoryAuditTests(DirectoryScanFixture fx) : IClassFixture<DirectoryScanFixture>
{
    private static readonly Sid Helpdesk3 = DirectoryFixture.Rid(DirectoryFixture.FirstUser + 3);
    private static readonly Sid Intern5 = DirectoryFixture.Rid(DirectoryFixture.FirstUser + 5);

    private EstateStore Open() => EstateStore.Open(fx.Db, readOnly: true);

    [Fact]
    public void Scan_recognises_LDIF_reads_the_schema_and_builds_a_token_per_enabled_user()
    {
        Assert.Contains("(ldif)", fx.ScanOutput, StringComparison.Ordinal);
        using var store = Open();
        Assert.True(store.IsDirectory);
        // 600 generated users (every 40th disabled: 15), admin, svc-backup, svc-half.
        long principals = Convert.ToInt64(store.Scalar("SELECT count(*) FROM principals"), CultureInfo.InvariantCulture);
        Assert.Equal(600 - 15 + 3, principals);
        Assert.Equal(0L, Convert.ToInt64(store.Scalar("SELECT count(*) FROM principals WHERE name = 'user39'"), CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(store.Scalar("SELECT count(*) FROM principals WHERE name LIKE 'srv%'"), CultureInfo.InvariantCulture));
        Assert.NotEqual("0", store.GetState("schema_entries"));
        Assert.Equal("true", store.GetState("complete"));
    }

    private static HashSet<string> TokenSids(EstateStore store, string name)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        using var cmd = store.Command("SELECT ts.sid FROM principals p JOIN token_sids ts ON ts.token_id = p.token_id WHERE p.name = $1", name);
        using var r = cmd.ExecuteReader();
        while (r.Read()) set.Add(r.GetString(0));
        return set;
    }

    [Fact]
    public void Tokens_hold_the_network_logon_groups_the_primary_group_nesting_and_SID_history()
    {
        using var store = Open();
        var t = TokenSids(store, "user4");
        foreach (var wellKnown in new[] { "S-1-1-0", "S-1-5-11", "S-1-5-2", "S-1-5-15" }) Assert.Contains(wellKnown, t);
        Assert.DoesNotContain("S-1-5-4", t); // not INTERACTIVE: a network logon
        Assert.Contains($"{DirectoryFixture.DomainSid}-513", t); // primaryGroupID
        Assert.Contains($"{DirectoryFixture.OldDomainSid}-{DirectoryFixture.OldAccount}", t); // sIDHistory
        // Nesting with cycles: group0 contains group(n-1), group i contains group i-1, so a member of group0 reaches
        // every security group of the chain, and the walk ends.
        var admin = TokenSids(store, "admin");
        Assert.Contains($"{DirectoryFixture.DomainSid}-512", admin);
        Assert.Contains("S-1-5-32-544", admin); // Domain Admins is a member of BUILTIN\Administrators
        // user13 is in AllHands (a distribution group) through memberOf only: no AllHands SID.
        Assert.DoesNotContain(DirectoryFixture.Rid(DirectoryFixture.Distribution).ToString(), TokenSids(store, "user13"));
    }

    [Fact]
    public void Nested_membership_is_transitive_through_a_cycle()
    {
        var membership = new DirectoryMembership();
        var reader = new LdifReader(new StringReader("""
            dn: CN=a,DC=x
            objectClass: group
            objectSid: S-1-5-21-1-1-1-2001
            groupType: -2147483646
            member: CN=b,DC=x

            dn: CN=b,DC=x
            objectClass: group
            objectSid: S-1-5-21-1-1-1-2002
            groupType: -2147483646
            member: CN=u,DC=x
            member: CN=a,DC=x

            dn: CN=u,DC=x
            objectClass: user
            objectSid: S-1-5-21-1-1-1-1001
            primaryGroupID: 513
            userAccountControl: 512

            dn: CN=dc1,DC=x
            objectClass: user
            objectClass: computer
            objectSid: S-1-5-21-1-1-1-1000
            primaryGroupID: 516
            userAccountControl: 532480

            """));
        long seq = 0;
        while (reader.TryRead(out var r))
        {
            Assert.True(DirectoryObject.TryFrom(r!, out var o, out var e), e?.ToString());
            membership.Add(o!, seq++);
        }
        Assert.Null(reader.Error);
        var user = membership.Find(Sid.Parse("S-1-5-21-1-1-1-1001"))!;
        var groups = membership.GroupsOf(user).Select(g => g.Sid.ToString()).ToList();
        Assert.Equal(["S-1-5-21-1-1-1-2002", "S-1-5-21-1-1-1-2001"], groups);
        var token = membership.Principal(user).Token;
        Assert.True(token.MatchesSid(Sid.Parse("S-1-5-21-1-1-1-513"), false)); // primary group not exported: added by RID
        Assert.False(token.MatchesSid(WellKnownSids.EnterpriseControllers, false));
        // A DC's account (SERVER_TRUST_ACCOUNT | TRUSTED_FOR_DELEGATION) gets ENTERPRISE DOMAIN CONTROLLERS (MS-PAC 4.1.2.1).
        var dc = membership.Principal(membership.Find(Sid.Parse("S-1-5-21-1-1-1-1000"))!).Token;
        Assert.True(dc.MatchesSid(WellKnownSids.EnterpriseControllers, false));
        Assert.True(dc.MatchesSid(Sid.Parse("S-1-5-21-1-1-1-516"), false));
    }

    // The full object type trees a DC checks with (MS-ADTS 5.1.3.3.3): the class, every property set with its
    // attributes, the attributes of no set; and the class with every extended right and validated write.
    private static (ObjectTypeEntry[] Properties, ObjectTypeEntry[] Rights) Trees(Guid classGuid, DirectorySchema schema)
    {
        var props = new List<ObjectTypeEntry> { new(0, classGuid) };
        var attributes = schema.All.Where(e => e.Kind == DirectoryGuidKind.Property).ToList();
        foreach (var set in attributes.Where(a => a.PropertySet is not null).GroupBy(a => a.PropertySet!.Value))
        {
            props.Add(new(1, set.Key));
            foreach (var a in set) props.Add(new(2, a.Guid));
        }
        foreach (var a in attributes.Where(a => a.PropertySet is null)) props.Add(new(1, a.Guid));
        var rights = new List<ObjectTypeEntry> { new(0, classGuid) };
        foreach (var r in schema.All.Where(e => e.Kind is DirectoryGuidKind.ExtendedRight or DirectoryGuidKind.ValidatedWrite).Select(e => e.Guid).Distinct())
            rights.Add(new(1, r));
        return ([.. props], [.. rights]);
    }

    [Fact]
    public void Every_sampled_cell_equals_AccessCheckByTypeResultList_over_the_whole_object_type_tree()
    {
        using var store = Open();
        var schema = DirectoryQueries.Schema(store);
        var tokens = new List<(int Id, Token Token)>();
        using (var cmd = store.Command("SELECT token_id, token_json FROM tokens ORDER BY token_id"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                Assert.True(TokenJson.TryRead(r.GetString(1), null, out var tok, out var err), err?.ToString());
                tokens.Add((r.GetInt32(0), tok!));
            }
        var objects = new List<(long Seq, string Dn, Sid? Sid, Guid Class, SecurityDescriptor Sd)>();
        using (var cmd = store.Command("SELECT a.seq, a.dn, a.sid, k.class_guid, d.sd_binary FROM ad_objects a JOIN ad_keys k ON k.key_id = a.key_id JOIN descriptors d ON d.descriptor_id = k.descriptor_id WHERE k.class_guid IS NOT NULL ORDER BY a.seq"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                using var blob = r.GetStream(4);
                var ms = new MemoryStream();
                blob.CopyTo(ms);
                objects.Add((r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : Sid.Parse(r.GetString(2)), Guid.Parse(r.GetString(3)), SecurityDescriptor.FromBinary(ms.ToArray())));
            }
        var cells = DirectoryCells.Load(store);
        var rng = new Random(5);
        int compared = 0, selfCompared = 0, nonZero = 0;
        // Every object with a few random tokens, plus each account with the tokens holding its SID (SELF cells).
        var holders = tokens.ToLookup(t => t.Token.User.Sid);
        foreach (var o in objects)
        {
            var sample = Enumerable.Range(0, 3).Select(_ => tokens[rng.Next(tokens.Count)]).ToList();
            if (o.Sid is Sid own) sample.AddRange(holders[own]);
            if (o.Sid is Sid g && rng.Next(4) == 0) sample.AddRange(tokens.Where(t => t.Token.Groups.Any(x => x.Sid == g)).Take(3));
            var (props, rights) = Trees(o.Class, schema);
            var sd = NtSec.Audit.Engine.AccessEvaluators.ForCheck(o.Sd);
            foreach (var (id, token) in sample)
            {
                var granted = new uint[props.Length];
                var status = new NtStatus[props.Length];
                var root = new uint[1];
                var rootStatus = new NtStatus[1];
                AccessCheck.CheckResultList(sd, token, AccessMask.MaximumAllowed, DirectoryAccess.Mapping, [new(0, o.Class)], root, rootStatus, o.Sid);
                Assert.Equal(root[0], cells.Grant(o.Seq, id, DirectoryNode.Root));
                AccessCheck.CheckResultList(sd, token, AccessMask.MaximumAllowed, DirectoryAccess.Mapping, props, granted, status, o.Sid);
                for (int i = 1; i < props.Length; i++)
                {
                    if (props[i].Level == 1 && i + 1 < props.Length && props[i + 1].Level == 2) continue; // a set: not a leaf
                    Guid? set = props[i].Level == 2 ? props.Take(i).Last(p => p.Level == 1).ObjectType : null;
                    var stored = cells.Grant(o.Seq, id, new DirectoryNode(set, props[i].ObjectType));
                    Assert.True(granted[i] == stored, $"{o.Dn} / {token.User.Sid} / {schema.Display(props[i].ObjectType)}: by type 0x{granted[i]:x}, stored 0x{stored:x}");
                    compared++;
                    if (granted[i] != root[0]) nonZero++;
                }
                var rg = new uint[rights.Length];
                var rs = new NtStatus[rights.Length];
                AccessCheck.CheckResultList(sd, token, AccessMask.MaximumAllowed, DirectoryAccess.Mapping, rights, rg, rs, o.Sid);
                for (int i = 1; i < rights.Length; i++)
                {
                    var stored = cells.Grant(o.Seq, id, new DirectoryNode(null, rights[i].ObjectType));
                    Assert.True(rg[i] == stored, $"{o.Dn} / {token.User.Sid} / {schema.Display(rights[i].ObjectType)}: by type 0x{rg[i]:x}, stored 0x{stored:x}");
                    compared++;
                    if (rg[i] != root[0]) nonZero++;
                }
                if (o.Sid is Sid s && token.MatchesSid(s, false)) selfCompared++;
            }
        }
        // The sample must reach cells where object ACEs and SELF make a difference, or it proves little.
        Assert.True(compared > 20_000, $"{compared} cells compared");
        Assert.True(nonZero > 500, $"{nonZero} cells differ from the object-level grant");
        Assert.True(selfCompared > 500, $"{selfCompared} SELF cells");
    }

    [Fact]
    public void Sampled_cells_equal_ntsec_check_with_object_types()
    {
        using var store = Open();
        var cases = new[]
        {
            (Dn: DirectoryFixture.UserDn(1, 5), Principal: "user3", Node: new DirectoryNode(null, Guid.Parse(DirectoryFixture.ResetPassword)), Class: DirectoryFixture.User),
            (Dn: DirectoryFixture.UserDn(0, 5), Principal: "user3", Node: new DirectoryNode(null, Guid.Parse(DirectoryFixture.ResetPassword)), Class: DirectoryFixture.User),
            (Dn: DirectoryFixture.UserDn(5, 5), Principal: "user5", Node: new DirectoryNode(Guid.Parse(DirectoryFixture.PersonalInfo), Guid.Parse(DirectoryFixture.Telephone)), Class: DirectoryFixture.User),
            (Dn: DirectoryFixture.UserDn(6, 5), Principal: "user5", Node: new DirectoryNode(Guid.Parse(DirectoryFixture.PersonalInfo), Guid.Parse(DirectoryFixture.Telephone)), Class: DirectoryFixture.User),
        };
        foreach (var c in cases)
        {
            var (seq, _) = DirectoryQueries.FindObjects(store, c.Dn).Single();
            var p = DirectoryQueries.FindPrincipals(store, c.Principal).Single();
            int tokenId = Convert.ToInt32(store.Scalar("SELECT token_id FROM principals WHERE principal_id = $1", p.Id), CultureInfo.InvariantCulture);
            string tokenFile = Path.Combine(fx.Directory, $"token-{c.Principal}.json");
            File.WriteAllText(tokenFile, (string)store.Scalar("SELECT token_json FROM tokens WHERE token_id = $1", tokenId)!);
            string sddl = (string)store.Scalar("SELECT d.sddl FROM objects o JOIN descriptors d ON d.descriptor_id = o.descriptor_id WHERE o.seq = $1", seq)!;
            string self = (string)store.Scalar("SELECT sid FROM ad_objects WHERE seq = $1", seq)!;
            var list = string.Join(",", c.Node.ObjectTypes(Guid.Parse(c.Class)).Select(e => $"{e.Level}:{e.ObjectType}"));
            var run = CliHarness.Run("check", "--sd", sddl, "--token", tokenFile, "--type", "ds", "--desired", "MAXIMUM_ALLOWED", "--object-types", list, "--self", self);
            var last = run.OutLines.Last(l => l.TrimStart().StartsWith('[') && l.Contains("level", StringComparison.Ordinal));
            var mask = last.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(x => x.StartsWith("0x", StringComparison.Ordinal));
            uint byCheck = uint.Parse(mask[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.Equal(byCheck, DirectoryQueries.StoredGrant(store, seq, tokenId, c.Node));
        }
    }

    internal static List<string[]> Csv(CliResult run)
    {
        Assert.True(run.ExitCode == 0, run.Error);
        return [.. run.OutLines.Skip(1).Select(Fields)];
    }

    // RFC 4180 fields: DNs hold commas, so they are quoted.
    internal static string[] Fields(string line)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') sb.Append(line[++i]);
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',')
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return [.. fields];
    }

    [Fact]
    public void Who_can_reset_passwords_honours_the_deny_and_inherit_only_ACEs()
    {
        var rows = Csv(CliHarness.Run("audit", "ad", "who-can", "--db", fx.Db, "--right", "Reset-Password", "--on", "OU=Staff," + DirectoryFixture.Base, "--format", "csv"));
        Assert.Equal("dn,principal,right", CliHarness.Run("audit", "ad", "who-can", "--db", fx.Db, "--right", "Reset-Password", "--format", "csv").OutLines[0]);
        // Helpdesk member user3 may reset user1's password (Dept1), not user0's (Dept0 denies Helpdesk CR).
        Assert.Contains(rows, r => r[0] == DirectoryFixture.UserDn(1, 5) && r[1] == Helpdesk3.ToString());
        Assert.DoesNotContain(rows, r => r[0] == DirectoryFixture.UserDn(0, 5) && r[1] == Helpdesk3.ToString());
        // The ACE is inherit-only on the OUs: Helpdesk has nothing there.
        Assert.DoesNotContain(rows, r => r[0].StartsWith("OU=", StringComparison.Ordinal) && r[1] == Helpdesk3.ToString());
        // OuAdmins' member user7 has full control of everything below OU=Staff (inherit-only GA), so Reset-Password too.
        Assert.Contains(rows, r => r[0] == DirectoryFixture.UserDn(0, 5) && r[1] == DirectoryFixture.Rid(DirectoryFixture.FirstUser + 7).ToString());
        Assert.All(rows, r => Assert.Equal("ExtendedRight:User-Force-Change-Password", r[2]));
    }

    [Fact]
    public void Who_can_write_a_property_sees_the_deny_on_the_property_and_SELF_before_it()
    {
        var rows = Csv(CliHarness.Run("audit", "ad", "who-can", "--db", fx.Db, "--right", "telephoneNumber", "--format", "csv"));
        // user5 is an intern: Interns may write Personal-Information but are denied telephoneNumber on others; on
        // its own object the explicit SELF allow comes before the inherited deny.
        Assert.Contains(rows, r => r[0] == DirectoryFixture.UserDn(5, 5) && r[1] == Intern5.ToString());
        Assert.DoesNotContain(rows, r => r[0] == DirectoryFixture.UserDn(6, 5) && r[1] == Intern5.ToString());
        var street = Csv(CliHarness.Run("audit", "ad", "who-can", "--db", fx.Db, "--right", "WriteProperty:streetAddress", "--format", "csv"));
        Assert.Contains(street, r => r[0] == DirectoryFixture.UserDn(6, 5) && r[1] == Intern5.ToString());
        var json = CliHarness.Run("audit", "ad", "who-can", "--db", fx.Db, "--right", DirectoryFixture.Telephone, "--on", DirectoryFixture.UserDn(6, 5), "--format", "json");
        Assert.Equal(0, json.ExitCode);
        Assert.Contains("\"right\": \"WriteProperty:telephoneNumber\"", json.Out.Replace("\":\"", "\": \"", StringComparison.Ordinal), StringComparison.Ordinal);
        var text = CliHarness.Run("audit", "ad", "who-can", "--db", fx.Db, "--right", "NoSuchRight");
        Assert.Equal(3, text.ExitCode);
        Assert.Contains("neither a directory right nor a name in the schema", text.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Reset-Password", null)]
    [InlineData("telephoneNumber", null)]
    [InlineData("Self-Membership", null)]
    [InlineData("WriteDacl", "OU=Staff," + DirectoryFixture.Base)]
    [InlineData("ReadProperty", null)]
    public void Who_can_streams_every_stored_cell_object_by_object_in_principal_order(string right, string? on)
    {
        // The streamed answer equals reading each (object, principal) cell apart, PRINCIPAL_SELF cells included,
        // in the order the reports promise: seq, then principal_id.
        using var store = EstateStore.Open(fx.Db, readOnly: true);
        Assert.True(DirectoryRight.TryParse(right, DirectoryQueries.Schema(store), out var question, out var error), error);
        var cells = DirectoryCells.Load(store);
        var principals = new List<(int Id, string Sid, int Token)>();
        using (var cmd = store.Command("SELECT principal_id, sid, token_id FROM principals ORDER BY principal_id"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) principals.Add((r.GetInt32(0), r.GetString(1), r.GetInt32(2)));
        var expected = new List<(long, string, uint)>();
        using (var cmd = store.Command("SELECT seq, dn_key FROM ad_objects ORDER BY seq"))
        using (var r = cmd.ExecuteReader())
        {
            string? key = on is null ? null : DistinguishedName.Key(on);
            while (r.Read())
            {
                long seq = r.GetInt64(0);
                string dn = r.GetString(1);
                if (key is not null && dn != key && !dn.EndsWith("," + key, StringComparison.Ordinal)) continue;
                foreach (var p in principals)
                    if (cells.Grant(seq, p.Token, question!.Node) is uint g && (g & question.Mask) == question.Mask) expected.Add((seq, p.Sid, g));
            }
        }
        var actual = DirectoryQueries.WhoCan(store, question!, on).Select(x => (x.Seq, x.Sid, x.Granted)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
        // One principal alone: the same rows, filtered.
        var one = principals[3];
        Assert.Equal(expected.Where(x => x.Item2 == one.Sid).ToList(),
            DirectoryQueries.WhoCan(store, question!, on, principalId: one.Id).Select(x => (x.Seq, x.Sid, x.Granted)).ToList());
    }

    [Fact]
    public void Dangerous_lists_each_finding_for_the_right_principals()
    {
        var run = CliHarness.Run("audit", "ad", "dangerous", "--db", fx.Db, "--format", "csv");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("finding,dn,principal,right", run.OutLines[0]);
        var rows = run.OutLines.Skip(1).Select(Fields).ToList();
        string svcBackup = DirectoryFixture.Rid(DirectoryFixture.SvcBackup).ToString(), svcHalf = DirectoryFixture.Rid(DirectoryFixture.SvcHalf).ToString();
        Assert.Contains(rows, r => r[0] == "dcsync" && r[^1].Contains("Get-Changes-All", StringComparison.Ordinal) && r.Contains(svcBackup));
        Assert.DoesNotContain(rows, r => r[0] == "dcsync" && r.Contains(svcHalf));
        Assert.Contains(rows, r => r[0] == "rbcd" && r.Contains(DirectoryFixture.Rid(DirectoryFixture.FirstUser + 9).ToString()));
        Assert.Contains(rows, r => r[0] == "gpo-control" && r.Contains(DirectoryFixture.Rid(DirectoryFixture.FirstUser + 11).ToString()));
        Assert.Contains(rows, r => r[0] == "gpo-link" && r.Contains(DirectoryFixture.Rid(DirectoryFixture.FirstUser + 11).ToString()));
        Assert.Contains(rows, r => r[0] == "reset-password" && r.Contains(Helpdesk3.ToString()));
        Assert.Contains(rows, r => r[0] == "generic-all" && r.Contains(DirectoryFixture.Rid(DirectoryFixture.FirstUser + 7).ToString()));
        Assert.Contains(rows, r => r[0] == "shadow-credentials" && r[^1] == "WriteProperty:msDS-KeyCredentialLink");
        // Interns: denied WriteProperty member on Domain Admins (the deny comes first), but may add themselves to
        // Account Operators through Self-Membership.
        Assert.DoesNotContain(rows, r => r[0] == "add-member" && r[1].StartsWith("CN=Domain Admins", StringComparison.Ordinal) && r.Contains(Intern5.ToString()));
        Assert.Contains(rows, r => r[0] == "add-member" && r[1].StartsWith("CN=Account Operators", StringComparison.Ordinal) && r.Contains(Intern5.ToString()) && r[^1] == "Self:Self-Membership");
        Assert.Contains(rows, r => r[0] == "add-member" && r[1].StartsWith("CN=Domain Admins", StringComparison.Ordinal));
        // Administrators are left out by default: user1 is a Domain Admin.
        string user1 = DirectoryFixture.Rid(DirectoryFixture.FirstUser + 1).ToString();
        Assert.DoesNotContain(rows, r => r.Contains(user1));
        var all = CliHarness.Run("audit", "ad", "dangerous", "--db", fx.Db, "--include-admins", "--format", "csv");
        Assert.Contains(all.OutLines, l => l.StartsWith("generic-all,", StringComparison.Ordinal) && l.Contains(user1, StringComparison.Ordinal));
    }

    [Fact]
    public void Where_lists_rights_on_objects_and_at_the_nodes_their_ACEs_name()
    {
        var run = CliHarness.Run("audit", "ad", "where", "--db", fx.Db, "--principal", "user3", "--on", DirectoryFixture.UserDn(1, 5));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains(run.OutLines, l => l.StartsWith(DirectoryFixture.UserDn(1, 5), StringComparison.Ordinal) && l.EndsWith("ExtendedRight:User-Force-Change-Password", StringComparison.Ordinal));
        Assert.Contains(run.OutLines, l => l.StartsWith(DirectoryFixture.UserDn(1, 5), StringComparison.Ordinal) && l.Contains("ReadProperty", StringComparison.Ordinal) && !l.Contains(':', StringComparison.Ordinal));
        var bySid = CliHarness.Run("audit", "ad", "where", "--db", fx.Db, "--principal", Helpdesk3.ToString(), "--on", DirectoryFixture.UserDn(1, 5));
        Assert.Equal(run.Out, bySid.Out);
        var missing = CliHarness.Run("audit", "ad", "where", "--db", fx.Db, "--principal", "nobody");
        Assert.Equal(3, missing.ExitCode);
    }

    [Fact]
    public void Explain_gives_the_by_type_check_and_agrees_with_the_stored_cell()
    {
        var run = CliHarness.Run("audit", "explain", "--db", fx.Db, "--path", DirectoryFixture.UserDn(0, 5), "--principal", "user3", "--right", "Reset-Password");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("object types (AccessCheckByTypeResultList):", run.Out, StringComparison.Ordinal);
        Assert.Contains("User-Force-Change-Password", run.Out, StringComparison.Ordinal);
        Assert.Contains("answer:     no", run.Out, StringComparison.Ordinal);
        Assert.Contains("matrix:     the stored cell agrees", run.Out, StringComparison.Ordinal);
        var yes = CliHarness.Run("audit", "explain", "--db", fx.Db, "--path", DirectoryFixture.UserDn(1, 5), "--principal", "user3", "--right", "Reset-Password");
        Assert.Contains("answer:     yes", yes.Out, StringComparison.Ordinal);
        Assert.Contains("matrix:     the stored cell agrees", yes.Out, StringComparison.Ordinal);
    }
}
