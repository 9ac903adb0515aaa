using System.Text;
using NtSec.Audit.ActiveDirectory;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Audit;

public class LdifReaderTests
{
    private static (List<LdifRecord> Records, LdifError? Error) Read(string text)
    {
        using var reader = new LdifReader(new StringReader(text));
        var list = new List<LdifRecord>();
        while (reader.TryRead(out var r)) list.Add(r!);
        return (list, reader.Error);
    }

    private static DirectoryObject Map(LdifRecord r)
    {
        Assert.True(DirectoryObject.TryFrom(r, out var o, out var e), e?.ToString());
        return o!;
    }

    private static string B64(byte[] b) => Convert.ToBase64String(b);

    [Fact]
    public void Folds_anywhere_including_inside_names_and_base64_values_decode()
    {
        var sd = SddlParser.Parse("O:BAG:BAD:(A;;RPWP;;;AU)(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;S-1-5-21-1-2-3-1105)");
        var b64 = B64(sd.ToBinary());
        var text = "version: 1\n\n" +
                   "# a comment that is\n  folded\n" +
                   "dn: CN=Ann,OU=Staff,\n DC=corp,DC=example\n" +
                   "objectClass: top\nobjectClass: user\n" +
                   "nTSecurityDesc\n riptor:: " + b64[..10] + "\n " + b64[10..] + "\n" +
                   "sAMAccountName:   ann\n\n\n" +
                   "dn:: " + B64(Encoding.UTF8.GetBytes("CN=Zoë,DC=corp,DC=example")) + "\n" +
                   "description: x\n";
        var (records, error) = Read(text);
        Assert.Null(error);
        Assert.Equal(2, records.Count);
        Assert.Equal("CN=Ann,OU=Staff,DC=corp,DC=example", records[0].Dn);
        Assert.Equal(5, records[0].Line);
        var sdValue = Assert.Single(records[0].Values, v => v.Name == "nTSecurityDescriptor");
        Assert.Equal(sd.ToBinary(), sdValue.Value);
        Assert.Equal(9, sdValue.Line);
        Assert.Equal("ann", records[0].Values.Single(v => v.Name == "sAMAccountName").Text);
        Assert.Equal("CN=Zoë,DC=corp,DC=example", records[1].Dn);
    }

    [Fact]
    public void Paged_ldapsearch_output_concatenated_reads_as_one_export()
    {
        // What ldapsearch -E pr=1/noprompt prints: a header, entries, a result block per page, and the next page.
        const string page = """
            # extended LDIF
            #
            # LDAPv3
            # base <DC=corp,DC=example> with scope subtree
            # filter: (objectClass=*)
            # requesting: ALL
            # with pagedResults control: size=1
            #

            # Ann, corp.example
            dn: CN=Ann,DC=corp,DC=example
            cn: Ann

            # search result
            search: 2
            result: 0 Success
            control: 1.2.840.113556.1.4.319 false MIQAAAAFAgEABAA=
            # pagedresults: cookie=

            """;
        var (records, error) = Read(page + "\r\n" + page.Replace("Ann", "Bob", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal) + "# numResponses: 3\n");
        Assert.Null(error);
        Assert.Equal(["CN=Ann,DC=corp,DC=example", "CN=Bob,DC=corp,DC=example"], records.Select(r => r.Dn));
        Assert.Equal("Bob", records[1].Values.Single().Text);
    }

    [Fact]
    public void Changetype_add_is_content_and_options_are_kept_apart()
    {
        var (records, error) = Read("dn: CN=G,DC=x\nchangetype: add\nmember;range=0-1: CN=A,DC=x\nmember;range=0-1: CN=B,DC=x\n");
        Assert.Null(error);
        var r = Assert.Single(records);
        Assert.All(r.Values, v => Assert.Equal(("member", "range=0-1"), (v.Name, v.Options)));
    }

    [Theory]
    [InlineData("dn: CN=A\ncn: A\n\ncn: B\n", 4, "must start with 'dn:'")]
    [InlineData("dn: CN=A\nnoColonHere\n", 2, "no ':'")]
    [InlineData("dn: CN=A\nobjectSid:: !!!!\n", 2, "not valid base64")]
    [InlineData("dn: CN=A\nchangetype: modify\nreplace: cn\n", 2, "content records only")]
    [InlineData(" folded: nothing\n", 1, "no line to continue")]
    [InlineData("dn: CN=A\njpegPhoto:< file:///etc/passwd\n", 2, "URL")]
    [InlineData("version: 2\n\ndn: CN=A\n", 1, "version")]
    [InlineData("dn: CN=A\nbad name: x\n", 2, "not an attribute name")]
    public void Errors_name_the_line(string text, long line, string reason)
    {
        var (_, error) = Read(text);
        Assert.NotNull(error);
        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_an_error_not_a_buffer()
    {
        var text = new StringBuilder("dn: CN=A\ndescription: ").Append('x', LdifReader.MaxLineChars + 10).Append("\ncn: A\n").ToString();
        var (records, error) = Read(text);
        Assert.Empty(records);
        Assert.NotNull(error);
        Assert.Equal(2, error.Line);
        Assert.Contains("longer than", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Maps_binary_and_text_forms_of_the_attributes_an_audit_reads()
    {
        var sid = Sid.Parse("S-1-5-21-1-2-3-1105");
        var old = Sid.Parse("S-1-5-21-9-9-9-1001");
        var guid = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        var sd = SddlParser.Parse("O:BAG:BAD:(A;;GA;;;BA)");
        var text = $"dn: CN=Ann,DC=corp,DC=example\nobjectClass: top\nobjectClass: person\nobjectClass: user\n" +
                   $"objectSid:: {B64(sid.BinaryForm.ToArray())}\nobjectGUID:: {B64(guid.ToByteArray())}\n" +
                   $"sIDHistory:: {B64(old.BinaryForm.ToArray())}\nprimaryGroupID: 513\nuserAccountControl: 514\n" +
                   $"memberOf: CN=G1,DC=corp,DC=example\nnTSecurityDescriptor:: {B64(sd.ToBinary())}\n\n" +
                   "dn: CN=G1,DC=corp,DC=example\nobjectClass: group\nobjectSid: S-1-5-21-1-2-3-1200\n" +
                   "objectGUID: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1\ngroupType: -2147483646\nmember: CN=Ann,DC=corp,DC=example\n\n" +
                   "dn: CN=User-Force-Change-Password,CN=Extended-Rights,CN=Configuration,DC=corp,DC=example\n" +
                   "objectClass: controlAccessRight\nrightsGuid: 00299570-246d-11d0-a768-00aa006e0529\n" +
                   "appliesTo: bf967aba-0de6-11d0-a285-00aa003049e2\nvalidAccesses: 256\n";
        var (records, error) = Read(text);
        Assert.Null(error);
        var objects = records.Select(Map).ToList();
        var ann = objects[0];
        Assert.Equal("user", ann.StructuralClass);
        Assert.Equal(sid, ann.ObjectSid);
        Assert.Equal(guid, ann.ObjectGuid);
        Assert.Equal([old], ann.SidHistory);
        Assert.Equal(513u, ann.PrimaryGroupId);
        Assert.Equal(514u, ann.UserAccountControl);
        Assert.Equal(sd.ToBinary(), ann.NtSecurityDescriptor!.ToBinary());
        var g = objects[1];
        Assert.Equal(Sid.Parse("S-1-5-21-1-2-3-1200"), g.ObjectSid);
        Assert.Equal(unchecked((int)0x80000002), g.GroupType);
        Assert.Equal(["CN=Ann,DC=corp,DC=example"], g.Member);
        var right = objects[2];
        Assert.Equal(Guid.Parse("00299570-246d-11d0-a768-00aa006e0529"), right.RightsGuid);
        Assert.Equal([Guid.Parse("bf967aba-0de6-11d0-a285-00aa003049e2")], right.AppliesTo);
        Assert.Equal(0x100u, right.ValidAccesses);
    }

    [Theory]
    [InlineData("objectSid:: AQUAAAAAAAUVAAAA", "SID")]
    [InlineData("objectGUID:: AAEC", "16 bytes")]
    [InlineData("nTSecurityDescriptor:: AQAEgA==", "nTSecurityDescriptor")]
    [InlineData("primaryGroupID: abc", "not a number")]
    public void Malformed_values_name_their_line(string line, string reason)
    {
        var (records, error) = Read("dn: CN=A\ncn: A\n" + line + "\n");
        Assert.Null(error);
        Assert.False(DirectoryObject.TryFrom(records.Single(), out _, out var e));
        Assert.Equal(3, e!.Line);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_guid_table_names_each_guid_once_per_kind()
    {
        Assert.Equal(DirectoryGuids.All.Count, DirectoryGuids.All.Select(g => (g.Guid, g.Kind)).Distinct().Count());
        Assert.Equal(DirectoryGuids.All.Count, DirectoryGuids.All.Select(g => g.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(DirectoryGuids.Aliases, a => Assert.Contains(DirectoryGuids.All, g => g.Name == a.Name));
        // A validated write's GUID is its attribute's schemaIDGUID [MS-ADTS 5.1.3.2.2].
        var byName = DirectoryGuids.All.ToDictionary(g => g.Name);
        Assert.Equal(byName["member"].Guid, byName["Self-Membership"].Guid);
        Assert.Equal(byName["servicePrincipalName"].Guid, byName["Validated-SPN"].Guid);
    }

    [Fact]
    public void Descriptors_given_as_SDDL_resolve_domain_aliases_with_the_domain_head_read_later()
    {
        // ldbsearch's form: SIDs and GUIDs as text, descriptors as SDDL whose DA is the export's domain. The user comes
        // before the domain head, so its descriptor is parsed once the head has been read.
        const string domain = "S-1-5-21-7-8-9";
        string export = $"""
            dn: CN=alice,CN=Users,DC=samba,DC=example
            objectClass: top
            objectClass: user
            objectSid: {domain}-1102
            sAMAccountName: alice
            userAccountControl: 512
            primaryGroupID: 513
            nTSecurityDescriptor: O:DAG:DAD:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;AU)

            dn: CN=bob,CN=Users,DC=samba,DC=example
            objectClass: top
            objectClass: user
            objectSid: {domain}-1103
            sAMAccountName: bob
            userAccountControl: 512
            primaryGroupID: 513
            nTSecurityDescriptor: O:DAG:DAD:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;AU)

            dn: CN=Domain Admins,CN=Users,DC=samba,DC=example
            objectClass: top
            objectClass: group
            objectSid: {domain}-512
            sAMAccountName: Domain Admins
            groupType: -2147483646
            member: CN=bob,CN=Users,DC=samba,DC=example
            nTSecurityDescriptor: O:DAG:DAD:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;AU)

            dn: DC=samba,DC=example
            objectClass: top
            objectClass: domain
            objectClass: domainDNS
            objectSid: {domain}
            nTSecurityDescriptor: O:BAG:BAD:(A;;RPLCLORC;;;AU)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)

            """.Replace("\r\n", "\n", StringComparison.Ordinal);
        string dir = Path.Combine(Path.GetTempPath(), "ntsec-sddl-ldif-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string ldif = Path.Combine(dir, "e.ldif"), db = Path.Combine(dir, "e.duckdb");
            File.WriteAllText(ldif, export);
            var scan = NtSec.Tests.Cli.CliHarness.Run("audit", "scan", ldif, "--out", db);
            Assert.True(scan.ExitCode == 0, scan.Error);
            var rows = NtSec.Tests.Cli.CliHarness.Run("audit", "ad", "who-can", "--db", db, "--right", "WriteDacl", "--on", "CN=alice,CN=Users,DC=samba,DC=example", "--format", "csv").OutLines;
            Assert.Equal(["dn,principal,right", $"\"CN=alice,CN=Users,DC=samba,DC=example\",{domain}-1103,WriteDacl"], rows);

            // Without the domain head, DA cannot be resolved: the scan refuses the export at the descriptor's line.
            File.WriteAllText(ldif, export[..export.IndexOf("dn: DC=samba", StringComparison.Ordinal)]);
            File.Delete(db);
            var refused = NtSec.Tests.Cli.CliHarness.Run("audit", "scan", ldif, "--out", db);
            Assert.Equal(3, refused.ExitCode);
            Assert.Contains("line 1: nTSecurityDescriptor: SDDL:", refused.Error, StringComparison.Ordinal);
            Assert.Contains("no domainDNS object", refused.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(db));

            // Text that is not SDDL is refused likewise.
            File.WriteAllText(ldif, export.Replace("(A;;RPLCLORC;;;AU)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)", "(A;;NOSUCHRIGHT;;;AU)", StringComparison.Ordinal));
            var bad = NtSec.Tests.Cli.CliHarness.Run("audit", "scan", ldif, "--out", db);
            Assert.Equal(3, bad.ExitCode);
            Assert.Contains("nTSecurityDescriptor: SDDL:", bad.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
