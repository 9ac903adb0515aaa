using System.Text.Json;
using NtSec.Acls;
using NtSec.Cli.Examples;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Cli;

public class SddlCommandTests
{
    // D:(A;;GA;;;SY) as Windows lays it out: header, DACL at 0x14 (AclSize 0x1c: 8-byte header + one 20-byte ACE), SID.
    private const string GaSystemHex = "010004800000000000000000000000001400000002001c00010000000000140000000010010100000000000512000000";

    [Fact]
    public void Decodes_a_descriptor_into_aligned_text()
    {
        var r = CliHarness.Run("sddl", "O:BAG:SYD:PAI(D;OICI;WD;;;WD)(A;OICI;FA;;;BA)(A;OICIID;FR;;;AU)", "--type", "file");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        string[] expected =
        [
            "Owner    S-1-5-32-544 (BA: BUILTIN\\Administrators)",
            "Group    S-1-5-18 (SY: NT AUTHORITY\\SYSTEM)",
            "Control  0x9404  SE_DACL_PRESENT | SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED | SE_SELF_RELATIVE",
            "Size     120 bytes self-relative",
            "Type     File (right names)",
            "DACL     present, 3 ACEs, revision 2, canonical order",
            "  [0] ACCESS_DENIED_ACE_TYPE (D)",
            "      Flags           OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE (OICI)",
            "      Mask            0x00040000 (WD)",
            "      Rights          WRITE_DAC",
            "      Trustee         S-1-1-0 (WD: Everyone)",
            "  [1] ACCESS_ALLOWED_ACE_TYPE (A)",
            "      Flags           OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE (OICI)",
            "      Mask            0x001f01ff (FA)",
            "      Rights          FILE_ALL_ACCESS = FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA |",
            "                      FILE_READ_EA | FILE_WRITE_EA | FILE_EXECUTE | FILE_DELETE_CHILD |",
            "                      FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | DELETE | READ_CONTROL |",
            "                      WRITE_DAC | WRITE_OWNER | SYNCHRONIZE",
            "      Trustee         S-1-5-32-544 (BA: BUILTIN\\Administrators)",
            "  [2] ACCESS_ALLOWED_ACE_TYPE (A)",
            "      Flags           OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | INHERITED_ACE (OICIID)",
            "      Mask            0x00120089 (FR)",
            "      Rights          FILE_GENERIC_READ = FILE_READ_DATA | FILE_READ_EA | FILE_READ_ATTRIBUTES |",
            "                      READ_CONTROL | SYNCHRONIZE",
            "      Trustee         S-1-5-11 (AU: NT AUTHORITY\\Authenticated Users)",
            "SACL     absent",
        ];
        Assert.Equal(expected, r.OutLines);
    }

    [Fact]
    public void Without_a_type_only_standard_and_generic_rights_are_named()
    {
        var r = CliHarness.Run("sddl", "D:(A;;0x1200a9;;;WD)(A;;GA;;;SY)");

        Assert.Contains("      Rights          READ_CONTROL | SYNCHRONIZE | 0xa9", r.OutLines);
        Assert.Contains("      Rights          GENERIC_ALL", r.OutLines);
        Assert.DoesNotContain(r.OutLines, l => l.Contains("Maps to", StringComparison.Ordinal));
    }

    [Fact]
    public void With_a_type_generic_rights_show_what_they_map_to()
    {
        var r = CliHarness.Run("sddl", "D:(A;;GA;;;SY)", "--type", "key");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains(r.OutLines, l => l.StartsWith("      Maps to         0x000f003f KEY_ALL_ACCESS = KEY_QUERY_VALUE | KEY_SET_VALUE", StringComparison.Ordinal));
    }

    [Fact]
    public void Object_aces_show_their_guids_and_label_aces_their_policy()
    {
        var r = CliHarness.Run("sddl", "D:(OA;CI;RPWP;bf967a68-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;AU)S:(ML;;NWNR;;;HI)", "--type", "ds");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("DACL     present, 1 ACE, revision 4, canonical order", r.OutLines);
        Assert.Contains("      Rights          ADS_RIGHT_DS_READ_PROP | ADS_RIGHT_DS_WRITE_PROP", r.OutLines);
        Assert.Contains("      Object type     bf967a68-0de6-11d0-a285-00aa003049e2", r.OutLines);
        Assert.Contains("      Inherited type  bf967aba-0de6-11d0-a285-00aa003049e2", r.OutLines);
        Assert.Contains("  [0] SYSTEM_MANDATORY_LABEL_ACE_TYPE (ML)", r.OutLines);
        Assert.Contains("      Policy          SYSTEM_MANDATORY_LABEL_NO_WRITE_UP | SYSTEM_MANDATORY_LABEL_NO_READ_UP", r.OutLines);
        Assert.Contains("      Trustee         S-1-16-12288 (HI: Mandatory Label\\High Mandatory Level)", r.OutLines);
    }

    [Theory]
    [InlineData("D:(A;;FA;;;BA)(D;;FA;;;WD)", "DACL     present, 2 ACEs, revision 2, NOT in canonical order (expected: explicit deny, explicit allow, inherited)")]
    [InlineData("D:(A;ID;FA;;;BA)(A;;FA;;;WD)", "DACL     present, 2 ACEs, revision 2, NOT in canonical order (expected: explicit deny, explicit allow, inherited)")]
    [InlineData("D:NO_ACCESS_CONTROL", "DACL     NULL (NO_ACCESS_CONTROL: every access is granted)")]
    [InlineData("O:SY", "DACL     absent (no DACL: every access is granted)")]
    [InlineData("D:", "DACL     present, 0 ACEs, revision 2 (an empty DACL grants nothing)")]
    public void Reports_the_dacl_state_and_order(string sddl, string expectedLine)
    {
        var r = CliHarness.Run("sddl", sddl);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains(expectedLine, r.OutLines);
    }

    [Fact]
    public void To_hex_gives_the_self_relative_bytes()
    {
        var r = CliHarness.Run("sddl", "D:(A;;GA;;;SY)", "--to", "hex");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal([GaSystemHex], r.OutLines);
    }

    [Fact]
    public void An_acl_size_too_small_for_its_ace_is_rejected_with_the_byte_offset()
    {
        // Same bytes with AclSize 0x14: the ACE would end 8 bytes past the ACL. 30 = DACL at 20 + ACL header 8 + AceSize at 2.
        var r = CliHarness.Run("sddl", "--from-hex", GaSystemHex.Replace("02001c00", "02001400", StringComparison.Ordinal));

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal(["error: 30: DACL: ACE 0: AceSize 20 runs past the end of the ACL (12 bytes left)"], r.ErrorLines);
    }

    [Fact]
    public void To_base64_and_back()
    {
        var toBase64 = CliHarness.Run("sddl", "O:BAG:SYD:(A;;GA;;;SY)", "--to", "base64");
        Assert.Equal(0, toBase64.ExitCode);
        Assert.Equal(Convert.ToBase64String(SecurityDescriptor.FromSddl("O:BAG:SYD:(A;;GA;;;SY)").ToBinary()), toBase64.OutLines.Single());

        var back = CliHarness.Run("sddl", "--from-base64", toBase64.OutLines.Single(), "--to", "sddl");
        Assert.Equal(["O:BAG:SYD:(A;;GA;;;SY)"], back.OutLines);
    }

    [Fact]
    public void To_sddl_writes_windows_canonical_form()
    {
        var r = CliHarness.Run("sddl", "D:(A;;0x10000000;;;S-1-5-18)(A;;0x1f01ff;;;s-1-5-32-544)", "--to", "sddl");

        Assert.Equal(["D:(A;;GA;;;SY)(A;;FA;;;BA)"], r.OutLines);
    }

    [Fact]
    public void From_hex_accepts_white_space_and_converts_back_to_sddl()
    {
        var spaced = string.Join(' ', Enumerable.Range(0, GaSystemHex.Length / 8).Select(i => GaSystemHex.Substring(i * 8, 8)));
        var r = CliHarness.Run("sddl", "--from-hex", "\n  " + spaced.ToUpperInvariant() + "\n", "--to", "sddl");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["D:(A;;GA;;;SY)"], r.OutLines);
    }

    [Fact]
    public void From_hex_tokens_given_unquoted_are_joined()
    {
        var bytes = Enumerable.Range(0, GaSystemHex.Length / 2).Select(i => GaSystemHex.Substring(i * 2, 2));
        var r = CliHarness.Run(["sddl", "--from-hex", .. bytes, "--to", "sddl"]);

        Assert.Equal(["D:(A;;GA;;;SY)"], r.OutLines);
    }

    [Theory]
    [InlineData("0100048g", "error: 7: 'g' is not a hexadecimal digit")]
    [InlineData("010", "error: 3: odd number of hexadecimal digits: the last byte is incomplete")]
    [InlineData("0100", "error: 0: a self-relative security descriptor needs a 20-byte header, 2 bytes given")]
    public void Bad_hex_is_rejected_with_a_position(string hex, string expected)
    {
        var r = CliHarness.Run("sddl", "--from-hex", hex);

        Assert.Equal(3, r.ExitCode);
        Assert.Equal([expected], r.ErrorLines);
    }

    [Fact]
    public void From_base64_reads_a_folded_ldif_entry()
    {
        const string sddl = "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;AU)";
        string b64 = Convert.ToBase64String(SecurityDescriptor.FromSddl(sddl).ToBinary());
        // RFC 2849 folding: each continuation line starts with one space, which is not part of the value.
        string ldif = "dn: CN=Reports,DC=contoso,DC=com\r\nobjectClass: top\r\nnTSecurityDescriptor:: " + b64[..40] + "\r\n " + b64[40..90] + "\r\n " + b64[90..] + "\r\nname: Reports\r\n";

        var fromArgument = CliHarness.Run("sddl", "--from-base64", ldif, "--to", "sddl");
        var fromStdin = CliHarness.RunWithInput(ldif, "sddl", "--from-base64", "-", "--to", "sddl");

        Assert.Equal(0, fromArgument.ExitCode);
        Assert.Equal([sddl], fromArgument.OutLines);
        Assert.Equal([sddl], fromStdin.OutLines);
    }

    [Theory]
    [InlineData("nTSecurityDescriptor:: AQAAgBQAAAAAAAAAAAAAAAAAAAABAQAAAAAABRIAAAA=")]
    [InlineData("msDS-AllowedToActOnBehalfOfOtherIdentity:: AQAAgBQAAAAAAAAAAAAAAAAAAAABAQAAAAAABRIAAAA")]
    [InlineData("AQAAgBQAAAAA\nAAAAAAAAAAAAAAAB\nAQAAAAAABRIAAAA=\n")]
    public void From_base64_accepts_bare_wrapped_or_ldif_values(string input)
    {
        var r = CliHarness.Run("sddl", "--from-base64", input, "--to", "sddl");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["O:SY"], r.OutLines);
    }

    [Theory]
    [InlineData("nTSecurityDescriptor: AQAEgBQ", "error: 20: the LDIF attribute 'nTSecurityDescriptor' has a text value (one ':'); a binary descriptor is written with '::' and base64")]
    [InlineData("AQAE*BQ", "error: 4: '*' is not a base64 character")]
    [InlineData("AQAEg", "error: 5: truncated base64: 5 characters cannot encode whole bytes")]
    public void Bad_base64_is_rejected_with_a_position(string input, string expected)
    {
        var r = CliHarness.Run("sddl", "--from-base64", input);

        Assert.Equal(3, r.ExitCode);
        Assert.Equal([expected], r.ErrorLines);
    }

    [Fact]
    public void Trailing_bytes_after_a_binary_descriptor_are_reported()
    {
        var r = CliHarness.Run("sddl", "--from-hex", GaSystemHex + "deadbeef");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Size     48 bytes self-relative (4 trailing input bytes ignored)", r.OutLines);
    }

    [Fact]
    public void An_ace_sddl_cannot_express_decodes_as_text_but_fails_to_sddl_at_its_offset()
    {
        var compound = Ace.CreateRaw((byte)AceType.AccessAllowedCompound, AceFlags.None, [0xff, 0x01, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x00]);
        var sd = new SecurityDescriptor(dacl: new Acl([Ace.Allow(WellKnownSids.World, 1), compound]));
        string hex = Convert.ToHexStringLower(sd.ToBinary());

        var decoded = CliHarness.Run("sddl", "--from-hex", hex);
        Assert.Equal(0, decoded.ExitCode);
        Assert.Contains("  [1] ACCESS_ALLOWED_COMPOUND_ACE_TYPE", decoded.OutLines);
        Assert.Contains("      Body            8 bytes, layout unknown to NtSec: ff011f0001000000", decoded.OutLines);

        // The second ACE starts after the header (20), the ACL header (8) and the first ACE (20).
        var toSddl = CliHarness.Run("sddl", "--from-hex", hex, "--to", "sddl");
        Assert.Equal(3, toSddl.ExitCode);
        Assert.Equal(["error: 48: DACL ACE 1: ACE type 0x04 has no SDDL form"], toSddl.ErrorLines);
    }

    [Fact]
    public void Json_of_an_ace_sddl_cannot_express_has_its_raw_body_and_no_sddl()
    {
        var compound = Ace.CreateRaw((byte)AceType.AccessAllowedCompound, AceFlags.Inherited, [0x01, 0x00, 0x00, 0x00]);
        string hex = Convert.ToHexStringLower(new SecurityDescriptor(dacl: new Acl([compound])).ToBinary());

        var r = CliHarness.Run("sddl", "--from-hex", hex, "--json");

        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("sddl").ValueKind);
        var ace = doc.RootElement.GetProperty("dacl").GetProperty("aces")[0];
        Assert.Equal("ACCESS_ALLOWED_COMPOUND_ACE_TYPE", ace.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, ace.GetProperty("sddlType").ValueKind);
        Assert.Equal("01000000", ace.GetProperty("rawBody").GetString());
        Assert.Equal(JsonValueKind.Null, ace.GetProperty("trustee").ValueKind);
        Assert.Equal(JsonValueKind.Null, ace.GetProperty("sddl").ValueKind);
        Assert.Equal(["INHERITED_ACE"], ace.GetProperty("flags").GetProperty("names").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public void Callback_data_that_is_not_a_condition_is_shown_as_bytes()
    {
        // No "artx" signature, so no conditional expression decoder will accept it.
        var callback = new Ace(AceType.AccessAllowedCallback, AceFlags.None, 0x1200a9, WellKnownSids.AuthenticatedUsers, applicationData: [0x01, 0x02, 0x03, 0x04]);
        string hex = Convert.ToHexStringLower(new SecurityDescriptor(dacl: new Acl([callback])).ToBinary());

        var text = CliHarness.Run("sddl", "--from-hex", hex, "--type", "file");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("  [0] ACCESS_ALLOWED_CALLBACK_ACE_TYPE (XA)", text.OutLines);
        Assert.Contains("      Condition data  4 bytes: 01020304", text.OutLines);

        using var doc = JsonDocument.Parse(CliHarness.Run("sddl", "--from-hex", hex, "--json").Out);
        var ace = doc.RootElement.GetProperty("dacl").GetProperty("aces")[0];
        Assert.Equal("01020304", ace.GetProperty("applicationData").GetString());
        Assert.Equal(JsonValueKind.Null, ace.GetProperty("condition").ValueKind);
    }

    [Fact]
    public void Bad_sddl_exits_3_with_position_and_reason_on_stderr()
    {
        var r = CliHarness.Run("sddl", "D:(A;;GA;;;SX)");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal(["error: 11: 'SX' is not an SDDL SID alias"], r.ErrorLines);
    }

    [Fact]
    public void Dash_reads_the_descriptor_from_standard_input()
    {
        var r = CliHarness.RunWithInput("O:BAD:(A;;GA;;;SY)\n", "sddl", "-", "--to", "hex");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal([Convert.ToHexStringLower(SecurityDescriptor.FromSddl("O:BAD:(A;;GA;;;SY)").ToBinary())], r.OutLines);
    }

    [Fact]
    public void Domain_resolves_domain_relative_aliases()
    {
        var text = CliHarness.Run("sddl", "O:DAG:DUD:(A;;GA;;;DG)", "--domain", "S-1-5-21-1-2-3");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("Owner    S-1-5-21-1-2-3-512 (DA: Domain Admins)", text.OutLines);
        Assert.Contains("Group    S-1-5-21-1-2-3-513 (DU: Domain Users)", text.OutLines);
        Assert.Contains("      Trustee         S-1-5-21-1-2-3-514 (DG: Domain Guests)", text.OutLines);

        // Converting back re-aliases in the same domain; the hex carries the full SIDs.
        Assert.Equal(["O:DAG:DUD:(A;;GA;;;DG)"], CliHarness.Run("sddl", "O:DAG:DUD:(A;;GA;;;DG)", "--domain", "S-1-5-21-1-2-3", "--to", "sddl").OutLines);
        var hex = CliHarness.Run("sddl", "O:DA", "--domain", "S-1-5-21-1-2-3", "--to", "hex").OutLines.Single();
        Assert.EndsWith("01050000000000051500000001000000020000000300000000020000", hex, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_domain_a_domain_relative_alias_is_bad_input()
    {
        var r = CliHarness.Run("sddl", "O:DA");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal(["error: 2: alias 'DA' is relative to the domain, and no domain SID was given"], r.ErrorLines);
    }

    [Fact]
    public void Machine_sets_the_domain_of_LA_and_LG_and_defaults_to_domain()
    {
        var both = CliHarness.Run("sddl", "O:LAG:DA", "--domain", "S-1-5-21-1-2-3", "--machine", "S-1-5-21-7-8-9", "--to", "hex");
        var sd = SecurityDescriptor.FromBinary(Convert.FromHexString(both.OutLines.Single()));
        Assert.Equal(Sid.Parse("S-1-5-21-7-8-9-500"), sd.Owner);
        Assert.Equal(Sid.Parse("S-1-5-21-1-2-3-512"), sd.Group);

        var domainOnly = CliHarness.Run("sddl", "O:LG", "--domain", "S-1-5-21-1-2-3");
        Assert.Contains("Owner    S-1-5-21-1-2-3-501 (LG: Guest)", domainOnly.OutLines);
    }

    [Fact]
    public void Json_has_the_documented_versioned_shape()
    {
        var r = CliHarness.Run("sddl", "O:BAG:DUD:PAI(D;;WD;;;WD)(A;OICI;GA;;;SY)S:(ML;;NW;;;LW)", "--type", "file", "--json", "--domain", "S-1-5-21-1-2-3");

        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("O:BAG:DUD:PAI(D;;WD;;;WD)(A;OICI;GA;;;SY)S:(ML;;NW;;;LW)", root.GetProperty("sddl").GetString());
        Assert.Equal("File", root.GetProperty("objectType").GetString());
        Assert.Equal(1, root.GetProperty("revision").GetInt32());
        Assert.Equal(SecurityDescriptor.FromSddl("O:BAG:DUD:PAI(D;;WD;;;WD)(A;OICI;GA;;;SY)S:(ML;;NW;;;LW)", new SidContext(Sid.Parse("S-1-5-21-1-2-3"))).GetBinaryLength(), root.GetProperty("length").GetInt32());
        Assert.Equal("0x9414", root.GetProperty("control").GetProperty("hex").GetString());
        Assert.Equal(["SE_DACL_PRESENT", "SE_SACL_PRESENT", "SE_DACL_AUTO_INHERITED", "SE_DACL_PROTECTED", "SE_SELF_RELATIVE"],
            root.GetProperty("control").GetProperty("flags").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("rmControl").ValueKind);

        var owner = root.GetProperty("owner");
        Assert.Equal("S-1-5-32-544", owner.GetProperty("sid").GetString());
        Assert.Equal("BA", owner.GetProperty("alias").GetString());
        Assert.Equal("BUILTIN\\Administrators", owner.GetProperty("name").GetString());
        Assert.Equal("S-1-5-21-1-2-3-513", root.GetProperty("group").GetProperty("sid").GetString());
        Assert.Equal("Domain Users", root.GetProperty("group").GetProperty("name").GetString());

        var dacl = root.GetProperty("dacl");
        Assert.Equal("present", dacl.GetProperty("state").GetString());
        Assert.Equal(2, dacl.GetProperty("revision").GetInt32());
        Assert.True(dacl.GetProperty("canonical").GetBoolean());
        var aces = dacl.GetProperty("aces");
        Assert.Equal(2, aces.GetArrayLength());
        var deny = aces[0];
        Assert.Equal(0, deny.GetProperty("index").GetInt32());
        Assert.Equal("ACCESS_DENIED_ACE_TYPE", deny.GetProperty("type").GetString());
        Assert.Equal(1, deny.GetProperty("typeValue").GetInt32());
        Assert.Equal("D", deny.GetProperty("sddlType").GetString());
        Assert.Equal(0x40000u, deny.GetProperty("mask").GetProperty("value").GetUInt32());
        Assert.Equal("0x00040000", deny.GetProperty("mask").GetProperty("hex").GetString());
        Assert.Equal(["WRITE_DAC"], deny.GetProperty("mask").GetProperty("rights").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("(D;;WD;;;WD)", deny.GetProperty("sddl").GetString());
        Assert.Equal("Everyone", deny.GetProperty("trustee").GetProperty("name").GetString());
        var allow = aces[1];
        Assert.Equal(["OBJECT_INHERIT_ACE", "CONTAINER_INHERIT_ACE"], allow.GetProperty("flags").GetProperty("names").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("OICI", allow.GetProperty("flags").GetProperty("sddl").GetString());
        var mapped = allow.GetProperty("mask").GetProperty("mapped");
        Assert.Equal(0x1F01FFu, mapped.GetProperty("value").GetUInt32());
        Assert.Equal("FILE_ALL_ACCESS", mapped.GetProperty("composite").GetString());
        Assert.Equal(JsonValueKind.Null, allow.GetProperty("objectType").ValueKind);
        Assert.Equal(JsonValueKind.Null, allow.GetProperty("applicationData").ValueKind);

        var sacl = root.GetProperty("sacl");
        Assert.Equal("present", sacl.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, sacl.GetProperty("canonical").ValueKind);
        var label = sacl.GetProperty("aces")[0];
        Assert.Equal("SYSTEM_MANDATORY_LABEL_ACE_TYPE", label.GetProperty("type").GetString());
        Assert.Equal(["SYSTEM_MANDATORY_LABEL_NO_WRITE_UP"], label.GetProperty("mask").GetProperty("rights").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("LW", label.GetProperty("trustee").GetProperty("alias").GetString());
    }

    [Fact]
    public void Json_writes_absent_and_null_acls_with_every_key()
    {
        var r = CliHarness.Run("sddl", "D:NO_ACCESS_CONTROL", "--json");

        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("owner").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("objectType").ValueKind);
        Assert.Equal("null", root.GetProperty("dacl").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("dacl").GetProperty("aces").ValueKind);
        Assert.Equal("absent", root.GetProperty("sacl").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("sacl").GetProperty("revision").ValueKind);
    }

    [Fact]
    public void Example_decodes_a_realistic_folder_named_as_a_directory()
    {
        var r = CliHarness.Run("sddl", "--example");

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("Example: D:\\Shares\\Finance\\Reports", r.OutLines[0], StringComparison.Ordinal);
        Assert.Contains("Owner    S-1-5-32-544 (BA: BUILTIN\\Administrators)", r.OutLines);
        Assert.Contains("Group    S-1-5-21-1004336348-1177238915-682003330-513 (DU: Domain Users)", r.OutLines);
        Assert.Contains("Type     Directory (right names)", r.OutLines);
        Assert.Contains("DACL     present, 6 ACEs, revision 2, canonical order", r.OutLines);
        Assert.Contains("  [0] ACCESS_DENIED_ACE_TYPE (D)", r.OutLines);
        Assert.Contains("      Flags           OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | INHERITED_ACE (OICIID)", r.OutLines);
        Assert.Contains(r.OutLines, l => l.Contains("FILE_LIST_DIRECTORY", StringComparison.Ordinal));
        Assert.Contains("  [1] SYSTEM_MANDATORY_LABEL_ACE_TYPE (ML)", r.OutLines);
        Assert.Contains("      Policy          SYSTEM_MANDATORY_LABEL_NO_WRITE_UP", r.OutLines);
    }

    [Fact]
    public void Example_is_already_in_canonical_sddl()
    {
        var r = CliHarness.Run("sddl", "--example", "--to", "sddl");

        Assert.Equal([ExampleDescriptor.Sddl], r.OutLines);
    }

    [Fact]
    public void Example_honours_an_explicit_type()
    {
        var r = CliHarness.Run("sddl", "--example", "--type", "file");

        Assert.Contains("Type     File (right names)", r.OutLines);
        Assert.DoesNotContain(r.OutLines, l => l.Contains("FILE_LIST_DIRECTORY", StringComparison.Ordinal));
    }

    [Fact]
    public void No_arguments_prints_help()
    {
        var r = CliHarness.Run();

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.Out, StringComparison.Ordinal);
        Assert.Contains("sddl", r.Out, StringComparison.Ordinal);
        Assert.Contains("sid", r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sddl", "--bogus")]
    [InlineData("sddl", "D:", "--to", "xml")]
    [InlineData("sddl", "D:", "--type", "toaster")]
    [InlineData("sddl", "D:", "--domain", "CONTOSO")]
    [InlineData("sddl", "--from-hex", "--from-base64", "00")]
    [InlineData("sddl", "D:", "--json", "--to", "hex")]
    [InlineData("sddl")]
    [InlineData("sddl", "--example", "D:")]
    [InlineData("sddl", "--batch", "D:")]
    [InlineData("sddl", "--batch", "--json")]
    [InlineData("frobnicate")]
    [InlineData("sid")]
    public void Usage_errors_exit_2_with_a_message_on_stderr(params string[] args)
    {
        var r = CliHarness.Run(args);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.StartsWith("ntsec", r.Error, StringComparison.Ordinal);
        Assert.Contains("--help", r.ErrorLines[^1], StringComparison.Ordinal);
    }
}
