using System.Diagnostics;
using NtSec.Tests.Cli;

namespace NtSec.Tests.Audit;

/// <summary>What the machine offers for a Samba domain: samba-tool and Samba's Python bindings.</summary>
internal static class SambaDomainEnvironment
{
    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists("/usr/bin/samba-tool")) return "samba-tool is not installed (apt-get install samba python3-samba ldb-tools)";
        if (AuditEnvironment.SambaPython is null) return "python3-samba is not installed (apt-get install python3-samba)";
        if (!File.Exists("/usr/bin/ldbsearch")) return "ldbsearch is not installed (apt-get install ldb-tools)";
        return null;
    });

    /// <summary>Why the Samba domain tests cannot run here, or null.</summary>
    public static string? Skip => Missing.Value;
}

/// <summary>A fact skipped when samba-tool, ldbsearch or Samba's Python bindings are missing.</summary>
public sealed class SambaDomainFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when a Samba domain cannot be provisioned here.</summary>
    public SambaDomainFactAttribute()
    {
        if (SambaDomainEnvironment.Skip is { } reason) Skip = reason;
    }
}

/// <summary>
/// An independent check of the directory audit: Samba provisions a domain controller's database offline (its
/// descriptors are Samba's copy of Windows' defaults), Samba's own database library exports it with the SD_FLAGS
/// control, and the scan's answers are checked against facts every fresh domain holds.
/// </summary>
public sealed class SambaDirectoryTests
{
    private const string Base = "DC=samba,DC=example";

    // The binary export: Samba's database library in Python, writing the values as stored, base64 where they are
    // binary, as ldapsearch does. (ldbsearch's own LDIF prints descriptors as SDDL; the test scans that too.)
    private const string Export = """
        import sys, base64, ldb
        from samba.samdb import SamDB
        from samba.auth import system_session
        from samba.param import LoadParm
        target, out_path = sys.argv[1], sys.argv[2]
        lp = LoadParm()
        lp.load(target + "/etc/smb.conf")
        db = SamDB(url=target + "/private/sam.ldb", session_info=system_session(), lp=lp)
        db.newuser("alice", "Alice-Passw0rd-1")
        db.newuser("bob", "Bobby-Passw0rd-1")
        db.add_remove_group_members("Domain Admins", ["bob"], add_members_operation=True)
        res = db.search(base=str(db.get_default_basedn()), scope=ldb.SCOPE_SUBTREE, expression="(objectClass=*)",
                        attrs=["*", "nTSecurityDescriptor"], controls=["sd_flags:1:7", "search_options:1:2"])
        with open(out_path, "wb") as out:
            for msg in res:
                out.write(b"dn: " + str(msg.dn).encode() + b"\n")
                for attr in msg.keys():
                    if attr == "dn":
                        continue
                    for v in msg[attr]:
                        v = bytes(v)
                        if any(c < 32 or c > 126 for c in v) or v[:1] in (b" ", b":", b"<"):
                            out.write(attr.encode() + b":: " + base64.b64encode(v) + b"\n")
                        else:
                            out.write(attr.encode() + b": " + v + b"\n")
                out.write(b"\n")
        """;

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // Generous: provisioning takes some 10 s of CPU, which a shared machine stretches.
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} did not finish in 10 minutes");
        }
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: exit {p.ExitCode}\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    [SambaDomainFact]
    public void A_provisioned_Samba_domain_scans_to_the_rights_every_fresh_domain_has()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ntsec-samba-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string target = Path.Combine(dir, "dc");
            Run("/usr/bin/samba-tool", "domain", "provision", "--realm=SAMBA.EXAMPLE", "--domain=SAMBA", "--host-name=dc1", $"--targetdir={target}",
                "--use-rfc2307", "--server-role=dc", "--dns-backend=NONE", "--adminpass=Admin-Passw0rd-1");
            string script = Path.Combine(dir, "export.py"), ldif = Path.Combine(dir, "domain.ldif"), db = Path.Combine(dir, "ad.duckdb");
            File.WriteAllText(script, Export);
            Run(AuditEnvironment.SambaPython!, script, target, ldif);
            Assert.Contains("nTSecurityDescriptor:: ", File.ReadAllText(ldif), StringComparison.Ordinal);

            var scan = CliHarness.Run("audit", "scan", ldif, "--out", db);
            Assert.True(scan.ExitCode == 0, scan.Error);
            // The schema partition came along: the schema's names are the export's, not the built-in table's.
            using (var store = NtSec.Audit.Store.EstateStore.Open(db, readOnly: true))
            {
                Assert.True(int.Parse(store.GetState("schema_entries")!, System.Globalization.CultureInfo.InvariantCulture) > 1000, store.GetState("schema_entries"));
                string domainSid = (string)store.Scalar("SELECT sid FROM ad_objects WHERE object_class = 'domainDNS' AND dn_key = lower($1)", Base)!;
                var admin = (string)store.Scalar("SELECT sid FROM principals WHERE name = 'Administrator'")!;
                Assert.Equal(domainSid + "-500", admin);
                // Administrator's network logon token: Domain Admins, Enterprise Admins, Schema Admins and, through
                // Domain Admins, BUILTIN\Administrators.
                var sids = new HashSet<string>();
                using (var cmd = store.Command("SELECT ts.sid FROM principals p JOIN token_sids ts USING (token_id) WHERE p.name = 'Administrator'"))
                using (var r = cmd.ExecuteReader())
                    while (r.Read()) sids.Add(r.GetString(0));
                Assert.Superset(new HashSet<string> { domainSid + "-512", domainSid + "-519", domainSid + "-518", domainSid + "-513", "S-1-5-32-544", "S-1-5-11" }, sids);
                // krbtgt and Guest are disabled: not audited.
                Assert.Null(store.Scalar("SELECT name FROM principals WHERE name IN ('krbtgt', 'Guest')"));
            }

            string Sid(string name)
            {
                using var store = NtSec.Audit.Store.EstateStore.Open(db, readOnly: true);
                return (string)store.Scalar("SELECT sid FROM principals WHERE name = $1", name)!;
            }
            string adminSid = Sid("Administrator"), alice = Sid("alice"), bob = Sid("bob");
            List<string> Holders(string right, string dn)
                => DirectoryAuditTests.Csv(CliHarness.Run("audit", "ad", "who-can", "--db", db, "--right", right, "--on", dn, "--format", "csv"))
                    .Where(r => string.Equals(r[0], dn, StringComparison.OrdinalIgnoreCase)).Select(r => r[1]).ToList();

            // The domain head: Enterprise Admins have full control (Administrator is one); Domain Admins have WriteDacl
            // and may replicate (DCSync) through BUILTIN\Administrators; an ordinary user has none of these.
            Assert.Contains(adminSid, Holders("GenericAll", Base));
            Assert.Contains(bob, Holders("WriteDacl", Base));
            Assert.Contains(bob, Holders("DS-Replication-Get-Changes-All", Base));
            Assert.DoesNotContain(alice, Holders("WriteDacl", Base));
            Assert.DoesNotContain(alice, Holders("DS-Replication-Get-Changes", Base));
            Assert.Contains(alice, Holders("ReadProperty", Base));

            // Domain Admins' member: every authenticated user reads it; only administrators write it.
            string domainAdmins = $"CN=Domain Admins,CN=Users,{Base}";
            Assert.Contains(alice, Holders("ReadProperty:member", domainAdmins));
            Assert.DoesNotContain(alice, Holders("member", domainAdmins));
            Assert.DoesNotContain(alice, Holders("Self-Membership", domainAdmins));
            Assert.Contains(bob, Holders("member", domainAdmins));

            // alice's own object: she may change her password but not reset it, and cannot rewrite its DACL.
            string aliceDn = $"CN=alice,CN=Users,{Base}";
            Assert.Contains(alice, Holders("User-Change-Password", aliceDn));
            Assert.DoesNotContain(alice, Holders("Reset-Password", aliceDn));
            Assert.DoesNotContain(alice, Holders("WriteDacl", aliceDn));

            // Samba's ldbsearch prints every descriptor as SDDL (and SIDs and GUIDs as text): scanned, it gives the
            // same answers as the binary export, so SDDL with domain aliases reads as the binary form does.
            string sddlLdif = Path.Combine(dir, "ldbsearch.ldif"), sddlDb = Path.Combine(dir, "ldbsearch.duckdb");
            File.WriteAllText(sddlLdif, Run("/usr/bin/ldbsearch", "-H", Path.Combine(target, "private", "sam.ldb"), "--controls=sd_flags:1:7",
                "--controls=search_options:1:2", "-b", Base, "(objectClass=*)", "*", "nTSecurityDescriptor"));
            Assert.Contains("\nnTSecurityDescriptor: O:", File.ReadAllText(sddlLdif), StringComparison.Ordinal);
            var sddlScan = CliHarness.Run("audit", "scan", sddlLdif, "--out", sddlDb);
            Assert.True(sddlScan.ExitCode == 0, sddlScan.Error);
            foreach (var right in new[] { "GenericAll", "WriteDacl", "ReadProperty", "member", "Reset-Password", "User-Change-Password", "DS-Replication-Get-Changes-All", "Self-Membership" })
            {
                List<string> All(string database)
                    => [.. DirectoryAuditTests.Csv(CliHarness.Run("audit", "ad", "who-can", "--db", database, "--right", right, "--format", "csv"))
                        .Select(r => string.Join("|", r).ToUpperInvariant()).Order(StringComparer.Ordinal)];
                var binary = All(db);
                Assert.NotEmpty(binary);
                Assert.Equal(binary, All(sddlDb));
            }

            // A fresh domain gives an ordinary user none of the dangerous rights anywhere; the administrators' DCSync
            // is listed once they are asked for.
            var dangerous = DirectoryAuditTests.Csv(CliHarness.Run("audit", "ad", "dangerous", "--db", db, "--include-admins", "--format", "csv"));
            Assert.DoesNotContain(dangerous, r => r[2] == alice);
            Assert.Contains(dangerous, r => r[0] == "dcsync" && string.Equals(r[1], Base, StringComparison.OrdinalIgnoreCase) && r[2] == bob);
            // Without --include-admins nothing is left: a fresh domain gives its rights to administrators only.
            var others = CliHarness.Run("audit", "ad", "dangerous", "--db", db, "--format", "csv");
            Assert.Equal(["finding,dn,principal,right"], others.OutLines.Where(l => l.Length > 0));
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
