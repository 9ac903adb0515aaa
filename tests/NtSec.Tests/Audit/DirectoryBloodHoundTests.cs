using System.Globalization;
using System.Text.Json;
using NtSec.Audit.ActiveDirectory;
using NtSec.Audit.Store;
using NtSec.Tests.Cli;

namespace NtSec.Tests.Audit;

/// <summary>The BloodHound export of the generated domain: format, and edges equal to the exact cells.</summary>
public sealed class DirectoryBloodHoundTests(DirectoryScanFixture fx) : IClassFixture<DirectoryScanFixture>, IDisposable
{
    private readonly string _out = Path.Combine(fx.Directory, "bh-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    private sealed record Edge(string Object, string ObjectDn, string Principal, string Type, string Right, bool Inherited);

    // Runs the command and reads every file: per type the parsed document, and every edge of every object.
    private (Dictionary<string, JsonDocument> Files, List<Edge> Edges) Export()
    {
        var run = CliHarness.Run("audit", "ad", "bloodhound", "--db", fx.Db, "--out", _out);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.StartsWith("bloodhound: ", run.Out, StringComparison.Ordinal);
        var files = new Dictionary<string, JsonDocument>();
        var edges = new List<Edge>();
        foreach (var type in new[] { "users", "groups", "computers", "domains", "ous", "containers", "gpos" })
        {
            var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, type + ".json")));
            files[type] = doc;
            foreach (var o in doc.RootElement.GetProperty("data").EnumerateArray())
            {
                string dn = o.GetProperty("Properties").TryGetProperty("distinguishedname", out var d) ? d.GetString()! : "";
                foreach (var a in o.GetProperty("Aces").EnumerateArray())
                    edges.Add(new Edge(o.GetProperty("ObjectIdentifier").GetString()!, dn, a.GetProperty("PrincipalSID").GetString()!,
                        a.GetProperty("PrincipalType").GetString()!, a.GetProperty("RightName").GetString()!, a.GetProperty("IsInherited").GetBoolean()));
            }
        }
        return (files, edges);
    }

    private EstateStore Open() => EstateStore.Open(fx.Db, readOnly: true);

    private static long Count(EstateStore store, string sql) => Convert.ToInt64(store.Scalar(sql), CultureInfo.InvariantCulture);

    [Fact]
    public void The_files_parse_with_the_meta_SharpHound_writes_and_count_the_objects_of_each_kind()
    {
        var (files, _) = Export();
        using var store = Open();
        var expected = new Dictionary<string, long>
        {
            ["users"] = Count(store, "SELECT count(*) FROM ad_objects WHERE kind = 'user'"),
            ["computers"] = Count(store, "SELECT count(*) FROM ad_objects WHERE kind = 'computer'"),
            // Security and distribution groups of the export, and the well-known groups the DACLs name (Everyone, Authenticated Users).
            ["groups"] = Count(store, "SELECT count(*) FROM ad_objects WHERE kind = 'group'") + 2,
            ["domains"] = 1,
            ["ous"] = 3 + fx.Generator.Departments, // Staff, its departments, Groups, Servers
            ["containers"] = Count(store, "SELECT count(*) FROM ad_objects WHERE object_class IN ('container', 'builtinDomain')"),
            ["gpos"] = 1,
        };
        Assert.Equal(600 + 3, expected["users"]);
        foreach (var (type, doc) in files)
        {
            var meta = doc.RootElement.GetProperty("meta");
            Assert.Equal(type, meta.GetProperty("type").GetString());
            Assert.Equal(6, meta.GetProperty("version").GetInt32());
            Assert.Equal(BloodHoundExport.Methods, meta.GetProperty("methods").GetInt32());
            Assert.Equal(expected[type], meta.GetProperty("count").GetInt64());
            Assert.Equal(expected[type], doc.RootElement.GetProperty("data").GetArrayLength());
        }
        // Accounts carry their SID, primary group and enabled flag; OUs their GUID, children and GPO links.
        var user1 = files["users"].RootElement.GetProperty("data").EnumerateArray().Single(u => u.GetProperty("ObjectIdentifier").GetString() == DirectoryFixture.Rid(DirectoryFixture.FirstUser + 1).ToString());
        Assert.Equal($"{DirectoryFixture.DomainSid}-513", user1.GetProperty("PrimaryGroupSID").GetString());
        Assert.Equal("USER1@CORP.EXAMPLE", user1.GetProperty("Properties").GetProperty("name").GetString());
        Assert.True(user1.GetProperty("Properties").GetProperty("enabled").GetBoolean());
        Assert.Equal("OU", user1.GetProperty("ContainedBy").GetProperty("ObjectType").GetString());
        var dept0 = files["ous"].RootElement.GetProperty("data").EnumerateArray().Single(o => o.GetProperty("Properties").GetProperty("name").GetString() == "DEPT0@CORP.EXAMPLE");
        string gpo = files["gpos"].RootElement.GetProperty("data")[0].GetProperty("ObjectIdentifier").GetString()!;
        Assert.Equal(gpo, dept0.GetProperty("Links")[0].GetProperty("GUID").GetString());
        Assert.Contains(dept0.GetProperty("ChildObjects").EnumerateArray(), c => c.GetProperty("ObjectType").GetString() == "User");
        // A distribution group is no member: its members' tokens do not hold the groups it is nested in.
        var allHands = DirectoryFixture.Rid(DirectoryFixture.Distribution).ToString();
        foreach (var g in files["groups"].RootElement.GetProperty("data").EnumerateArray())
            Assert.DoesNotContain(g.GetProperty("Members").EnumerateArray(), m => m.GetProperty("ObjectIdentifier").GetString() == allHands);
        // BUILTIN and well-known SIDs get the domain's prefix, as SharpHound writes them.
        Assert.Contains(files["groups"].RootElement.GetProperty("data").EnumerateArray(), g => g.GetProperty("ObjectIdentifier").GetString() == "CORP.EXAMPLE-S-1-5-32-544");
    }

    [Fact]
    public void A_deny_ACE_removes_the_edge_a_collector_of_ACEs_emits()
    {
        var (_, edges) = Export();
        string interns = DirectoryFixture.Rid(DirectoryFixture.Interns).ToString(), domainAdmins = DirectoryFixture.Rid(512).ToString();
        // Domain Admins' DACL allows Interns to write member (a collector emits AddMember from Interns), but a deny for
        // Interns comes first: no edge from Interns, and none from any intern.
        using (var store = Open())
        {
            Assert.Equal(1L, Count(store, $"SELECT count(*) FROM ad_objects o JOIN ad_keys k ON k.key_id = o.key_id JOIN aces a ON a.descriptor_id = k.descriptor_id WHERE o.sid = '{domainAdmins}' AND a.sid = '{interns}' AND a.ace_type = 'AccessAllowedObject'"));
            Assert.Equal(1L, Count(store, $"SELECT count(*) FROM ad_objects o JOIN ad_keys k ON k.key_id = o.key_id JOIN aces a ON a.descriptor_id = k.descriptor_id WHERE o.sid = '{domainAdmins}' AND a.sid = '{interns}' AND a.ace_type = 'AccessDeniedObject'"));
        }
        var onDa = edges.Where(e => e.Object == domainAdmins).ToList();
        Assert.DoesNotContain(onDa, e => e.Principal == interns);
        Assert.Contains(onDa, e => e.Right == "AddMember"); // Tier1's members still can
        var internSids = InternSids();
        Assert.NotEmpty(internSids);
        Assert.DoesNotContain(onDa, e => internSids.Contains(e.Principal) && e.Right is "AddMember" or "GenericWrite" or "GenericAll");
        // Tier1 may write member too, but an intern holds Tier1: no edge from Tier1; its other members get edges of
        // their own (unless a group edge covers them: Domain Admins' members have GenericAll).
        string tier1 = DirectoryFixture.Rid(DirectoryFixture.Tier1).ToString();
        var tier1Holders = Holders(tier1);
        Assert.NotEmpty(tier1Holders.Intersect(internSids));
        Assert.DoesNotContain(onDa, e => e.Principal == tier1);
        var admins = Holders(domainAdmins);
        foreach (var member in tier1Holders.Except(internSids).Except(admins)) Assert.Contains(onDa, e => e.Principal == member && e.Right == "AddMember" && e.Type == "User");
        // Interns may add themselves to Account Operators (Self-Membership): AddSelf, from the group.
        Assert.Contains(edges, e => e.Object == "CORP.EXAMPLE-S-1-5-32-548" && e.Principal == interns && e.Right == "AddSelf" && e.Type == "Group");
    }

    private HashSet<string> InternSids() => Holders(DirectoryFixture.Rid(DirectoryFixture.Interns).ToString());

    // The audited accounts whose token holds a SID.
    private HashSet<string> Holders(string sid)
    {
        using var store = Open();
        var set = new HashSet<string>(StringComparer.Ordinal);
        using var cmd = store.Command("SELECT p.sid FROM principals p JOIN token_sids ts ON ts.token_id = p.token_id WHERE ts.sid = $1 AND NOT ts.deny_only", sid);
        using var r = cmd.ExecuteReader();
        while (r.Read()) set.Add(r.GetString(0));
        return set;
    }

    [Fact]
    public void An_inherit_only_ACE_gives_no_edge_on_the_container_and_an_object_type_ACE_only_its_right()
    {
        var (_, edges) = Export();
        string ouAdmins = DirectoryFixture.Rid(DirectoryFixture.OuAdmins).ToString(), helpdesk = DirectoryFixture.Rid(DirectoryFixture.Helpdesk).ToString();
        // OU=Staff holds (A;CIIO;GA;;;OuAdmins): nothing on the OU itself, GenericAll (inherited) on the users below.
        Assert.DoesNotContain(edges, e => string.Equals(e.ObjectDn, $"OU=Staff,{DirectoryFixture.Base}", StringComparison.OrdinalIgnoreCase) && e.Principal == ouAdmins);
        var user1 = DirectoryFixture.Rid(DirectoryFixture.FirstUser + 1).ToString();
        Assert.Contains(edges, e => e.Object == user1 && e.Principal == ouAdmins && e.Right == "GenericAll" && e.Inherited);
        // Helpdesk's (OA;CIIO;CR;Reset-Password;user;Helpdesk) gives ForceChangePassword alone: no AllExtendedRights,
        // no GenericAll. On user0 (OU=Dept0 denies Helpdesk every extended right) it gives nothing.
        var fromHelpdesk = edges.Where(e => e.Object == user1 && e.Principal == helpdesk).Select(e => e.Right).ToList();
        Assert.Equal(["ForceChangePassword"], fromHelpdesk);
        var user0 = DirectoryFixture.Rid(DirectoryFixture.FirstUser).ToString();
        Assert.DoesNotContain(edges, e => e.Object == user0 && e.Principal == helpdesk);
        // user3 (a Helpdesk member) owns user0: Owns, not inherited.
        Assert.Contains(edges, e => e.Object == user0 && e.Principal == DirectoryFixture.Rid(DirectoryFixture.FirstUser + 3).ToString() && e.Right == "Owns" && !e.Inherited);
    }

    // The rights an edge name stands for, as BloodHound reads it: GenericAll holds everything, GenericWrite every
    // attribute write, AllExtendedRights every extended right.
    private static readonly Dictionary<string, string[]> Implied = new()
    {
        ["ForceChangePassword"] = ["ForceChangePassword", "AllExtendedRights", "GenericAll"],
        ["AddMember"] = ["AddMember", "GenericWrite", "GenericAll"],
        ["AddKeyCredentialLink"] = ["AddKeyCredentialLink", "GenericWrite", "GenericAll"],
        ["AddAllowedToAct"] = ["AddAllowedToAct", "GenericWrite", "GenericAll"],
        ["GetChangesAll"] = ["GetChangesAll"],
    };

    [Theory]
    [InlineData("ForceChangePassword", "Reset-Password", "user")]
    [InlineData("AddMember", "member", "group")]
    [InlineData("AddKeyCredentialLink", "msDS-KeyCredentialLink", "user")]
    [InlineData("AddAllowedToAct", "msDS-AllowedToActOnBehalfOfOtherIdentity", "computer")]
    [InlineData("GetChangesAll", "DS-Replication-Get-Changes-All", "domainDNS")]
    public void Every_path_through_the_edges_is_an_exact_cell_and_every_exact_cell_has_one(string rightName, string question, string objectClass)
    {
        var (_, edges) = Export();
        using var store = Open();
        // Members of each group as the audit's tokens have them (by the BloodHound identifiers of the group).
        var holders = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        using (var cmd = store.Command("SELECT ts.sid, p.sid FROM principals p JOIN token_sids ts ON ts.token_id = p.token_id WHERE NOT ts.deny_only"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                string g = r.GetString(0);
                string id = g.StartsWith("S-1-5-21-", StringComparison.Ordinal) ? g : "CORP.EXAMPLE-" + g;
                if (!holders.TryGetValue(id, out var set)) holders[id] = set = new(StringComparer.Ordinal);
                set.Add(r.GetString(1));
            }
        }
        var audited = new HashSet<string>(StringComparer.Ordinal);
        using (var cmd = store.Command("SELECT sid FROM principals"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) audited.Add(r.GetString(0));
        var fromEdges = new HashSet<(string, string)>();
        foreach (var e in edges.Where(e => Implied[rightName].Contains(e.Right)))
        {
            if (e.Type == "Group")
            {
                foreach (var m in holders.GetValueOrDefault(e.Principal) ?? []) fromEdges.Add((e.ObjectDn, m));
            }
            else if (audited.Contains(e.Principal)) fromEdges.Add((e.ObjectDn, e.Principal));
        }
        Assert.True(DirectoryRight.TryParse(question, DirectoryQueries.Schema(store), out var right, out var error), error);
        var exact = DirectoryQueries.WhoCan(store, right!, null, [objectClass]).Select(x => (x.Dn.ToUpperInvariant(), x.Sid)).ToHashSet();
        var onClass = new HashSet<string>(StringComparer.Ordinal);
        using (var cmd = store.Command("SELECT upper(dn) FROM ad_objects WHERE lower(object_class) = lower($1)", objectClass))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) onClass.Add(r.GetString(0));
        fromEdges.RemoveWhere(x => !onClass.Contains(x.Item1));
        Assert.NotEmpty(exact);
        Assert.Empty(fromEdges.Except(exact)); // no false path
        Assert.Empty(exact.Except(fromEdges)); // no right left out
    }
}
