using System.Diagnostics;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Tests.Cli;
using NtSec.Sddl;

namespace NtSec.Tests.Audit;

public sealed class SambaNtAclTests
{
    // Written by python3-samba 4.17 (Debian 12): ndr_pack of xattr.NTACL holding O:BAG:SYD:(A;;FA;;;SY), version 1
    // and version 4 (hash_type 1, hash 0x03 * 64, description "posix_acl", time 0x0102030405060708, sys_acl_hash 0x04 * 64).
    private const string SambaV1 = "0100010000000200010004801c0000002c00000000000000380000000102000000000005200000002002000001010000000000051200000004001c000100000000001400ff010000010100000000000512000000";
    private const string SambaV4 = "040004000000020004000200010003030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303706f7369785f61636c0008070605040302010404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040401000480b4000000c400000000000000d00000000102000000000005200000002002000001010000000000051200000004001c000100000000001400ff010000010100000000000512000000";

    // The same descriptor as Samba encodes it alone (its SDDL table maps FA to 0x1ff, and it writes ACL revision 4).
    private static readonly SecurityDescriptor Sd = SecurityDescriptor.FromBinary(Convert.FromHexString(
        "01000480140000002400000000000000300000000102000000000005200000002002000001010000000000051200000004001c000100000000001400ff010000010100000000000512000000"));

    [Fact]
    public void Reads_blobs_samba_wrote_and_reports_what_smbd_verifies()
    {
        Assert.True(SambaNtAcl.TryRead(Convert.FromHexString(SambaV1), out var v1, out var e1), e1?.ToString());
        Assert.Equal(Sd, v1!.Descriptor);
        Assert.Equal(SambaNtAclTrust.Stored, v1.Trust);

        Assert.True(SambaNtAcl.TryRead(Convert.FromHexString(SambaV4), out var v4, out var e4), e4?.ToString());
        Assert.Equal(Sd, v4!.Descriptor);
        Assert.Equal("posix_acl", v4.Description);
        Assert.Equal(0x0102030405060708UL, v4.Time);
        Assert.Equal(SambaNtAclHashType.Sha256, v4.HashType);
        Assert.All(v4.SysAclHash.ToArray(), b => Assert.Equal(4, b));
        Assert.Equal(SambaNtAclTrust.Unverified, v4.Trust);
    }

    [Fact]
    public void Writes_the_layout_samba_writes()
    {
        var v4 = new SambaNtAcl(4, Sd, SambaNtAclHashType.Sha256, Enumerable.Repeat((byte)3, 64).ToArray(), "posix_acl", 0x0102030405060708, Enumerable.Repeat((byte)4, 64).ToArray());
        // Samba lays the descriptor out as owner, group, DACL; NtSec in its own order: compare by reading back and by the header.
        var bytes = v4.ToBinary();
        Assert.Equal(SambaV4[..(160 * 2)], Convert.ToHexStringLower(bytes)[..(160 * 2)]);
        Assert.True(SambaNtAcl.TryRead(bytes, out var back, out _));
        Assert.Equal(Sd, back!.Descriptor);
        Assert.Equal(bytes.Length, v4.GetBinaryLength());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_version_round_trips_and_every_truncation_is_rejected_without_throwing(ushort version)
    {
        var sd = SecurityDescriptor.FromSddl("O:S-1-5-21-1-2-3-500G:S-1-5-21-1-2-3-513D:PAI(A;OICI;FA;;;SY)(D;;WD;;;S-1-5-21-1-2-3-1002)");
        var blob = new SambaNtAcl(version, sd, version >= 3 ? SambaNtAclHashType.None : SambaNtAclHashType.None, new byte[version == 2 ? 16 : 8], version == 4 ? "posix_acl_sd" : null, 7);
        var bytes = blob.ToBinary();
        Assert.True(SambaNtAcl.TryRead(bytes, out var back, out var error), error?.ToString());
        Assert.Equal(sd, back!.Descriptor);
        Assert.Equal(version, back.Version);
        Assert.Equal(version >= 3 ? SambaNtAclTrust.StoredNoHash : SambaNtAclTrust.Stored, back.Trust);
        for (int n = 0; n < bytes.Length; n++)
            Assert.False(SambaNtAcl.TryRead(bytes.AsSpan(0, n), out _, out _), $"{n} bytes accepted");
    }

    [Fact]
    public void Bad_headers_say_where()
    {
        Assert.False(SambaNtAcl.TryRead(Convert.FromHexString("0500050000000200"), out _, out var e));
        Assert.Equal(0, e!.Position);
        Assert.False(SambaNtAcl.TryRead(Convert.FromHexString("0100020000000200"), out _, out e));
        Assert.Equal(2, e!.Position);
        var v1 = Convert.FromHexString(SambaV1);
        v1[12] = 4; // the owner offset now points into the blob's header
        Assert.False(SambaNtAcl.TryRead(v1, out _, out e));
        Assert.Equal(12, e!.Position);
    }

    [SambaPythonFact]
    public void Python_samba_reads_what_ntsec_writes_and_ntsec_reads_what_it_writes()
    {
        // An independent writer and reader.
        string python = AuditEnvironment.SambaPython!;
        // Masks in hexadecimal: Samba's SDDL table differs from Windows' for FA.
        string sddl = "O:S-1-5-21-1-2-3-500G:S-1-5-21-1-2-3-513D:PAI(A;OICI;0x1f01ff;;;SY)(D;;0x1301bf;;;S-1-5-21-1-2-3-1002)(A;;0x1200a9;;;S-1-5-11)";
        var sd = SecurityDescriptor.FromSddl(sddl);
        foreach (ushort version in new ushort[] { 1, 2, 3, 4 })
        {
            foreach (string description in new[] { "posix_acl", "ab" })
            {
                string script = $$"""
                    import sys
                    from samba.dcerpc import xattr, security
                    from samba.ndr import ndr_pack, ndr_unpack
                    sd = security.descriptor.from_sddl('{{sddl}}', security.dom_sid('S-1-5-21-1-2-3'))
                    v = {{version}}
                    x = xattr.NTACL(); x.version = v
                    if v == 1: x.info = sd
                    elif v == 2:
                        i = xattr.security_descriptor_hash_v2(); i.sd = sd; i.hash = [9] * 16; x.info = i
                    elif v == 3:
                        i = xattr.security_descriptor_hash_v3(); i.sd = sd; i.hash_type = 1; i.hash = [9] * 64; x.info = i
                    else:
                        i = xattr.security_descriptor_hash_v4(); i.sd = sd; i.hash_type = 1; i.hash = [9] * 64; i.description = '{{description}}'; i.time = 12345; i.sys_acl_hash = [8] * 64; x.info = i
                    print(ndr_pack(x).hex())
                    mine = ndr_unpack(xattr.NTACL, bytes.fromhex(sys.stdin.readline().strip()))
                    s = mine.info if mine.version == 1 else mine.info.sd
                    print(s.as_sddl(security.dom_sid('S-1-5-21-1-2-3')))
                    """;
                var mine = new SambaNtAcl(version, sd, version >= 3 ? SambaNtAclHashType.Sha256 : SambaNtAclHashType.None,
                    Enumerable.Repeat((byte)9, version == 2 ? 16 : 64).ToArray(), description, 12345, Enumerable.Repeat((byte)8, 64).ToArray());
                var psi = new ProcessStartInfo(python, ["-c", script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
                using var p = Process.Start(psi)!;
                p.StandardInput.WriteLine(Convert.ToHexStringLower(mine.ToBinary()));
                p.StandardInput.Close();
                string output = p.StandardOutput.ReadToEnd();
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, err);
                var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.True(SambaNtAcl.TryRead(Convert.FromHexString(lines[0]), out var theirs, out var error), $"v{version}: {error}");
                Assert.Equal(sd.ToSddl(), theirs!.Descriptor.ToSddl());
                Assert.Equal(mine.Hash.ToArray(), theirs.Hash.ToArray());
                if (version == 4)
                {
                    Assert.Equal(description, theirs.Description);
                    Assert.Equal(12345UL, theirs.Time);
                    Assert.Equal(mine.SysAclHash.ToArray(), theirs.SysAclHash.ToArray());
                }
                // Samba orders owner, group, DACL; ntsec may not: Samba's reading of ntsec's blob is the cross-check.
                Assert.True(SecurityDescriptor.FromSddl(lines[1], new NtSec.Principals.SidContext(NtSec.Principals.Sid.Parse("S-1-5-21-1-2-3"), NtSec.Principals.Sid.Parse("S-1-5-21-1-2-3"))).ToSddl() == sd.ToSddl(), lines[1]);
            }
        }
    }

    [XattrFact]
    public void A_samba_tree_is_scanned_through_its_xattrs()
    {
        using var f = new AuditFixtures();
        Assert.NotNull(f.SambaTree(version: 4));
        var scan = CliHarness.RunIn(f.Directory, "", "audit", "scan", "share", "--principals", "principals.txt", "--out", "s.duckdb");
        Assert.True(scan.ExitCode == 0, scan.Error);
        Assert.Contains("6 objects (ntacl)", scan.Error, StringComparison.Ordinal);
        var who = CliHarness.RunIn(f.Directory, "", "audit", "who-can", "--db", "s.duckdb", "--right", "write", "--path", "share/finance*", "--format", "csv");
        Assert.Contains("share/Finance,alice,0x001301bf", who.OutLines);
        Assert.DoesNotContain(who.OutLines, l => l.StartsWith("share/Finance,bob,", StringComparison.Ordinal));
        using var store = NtSec.Audit.Store.EstateStore.Open(f.Path("s.duckdb"), readOnly: true);
        Assert.Equal("unverified", store.Scalar("SELECT DISTINCT status FROM objects"));
    }
}
