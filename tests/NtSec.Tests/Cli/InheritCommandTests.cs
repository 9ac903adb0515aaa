using System.Text.Json;

namespace NtSec.Tests.Cli;

public sealed class InheritCommandTests : IDisposable
{
    private const string User = "S-1-5-21-1-2-3-1001";
    private readonly string _dir = Directory.CreateTempSubdirectory("ntsec-inherit").FullName;
    private readonly string _token;

    public InheritCommandTests()
    {
        _token = Path.Combine(_dir, "alice.json");
        File.WriteAllText(_token, $$"""{"user":"{{User}}","groups":[{"sid":"S-1-5-21-1-2-3-513","attributes":["Mandatory","EnabledByDefault","Enabled"]}],"primaryGroup":"S-1-5-21-1-2-3-513","defaultDacl":"D:(A;;GA;;;{{User}})(A;;GA;;;SY)"}""");
    }

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void A_file_under_a_folder_gets_the_inherited_DACL_with_CREATOR_OWNER_replaced()
    {
        var r = CliHarness.Run("inherit", "--parent", "O:BAG:SYD:AI(A;OICI;FA;;;SY)(A;OICIIO;GA;;;CO)", "--token", _token, "--to", "sddl");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"O:{User}G:S-1-5-21-1-2-3-513D:AI(A;ID;FA;;;SY)(A;ID;FA;;;{User})", r.OutLines.Single());
    }

    [Fact]
    public void Icacls_lists_a_subfolders_DACL_as_Windows_shows_it()
    {
        var r = CliHarness.Run("inherit", "--parent", "O:BAG:SYD:AI(A;OICI;FA;;;SY)(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;BU)", "--token", _token, "--container", "--icacls");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["NT AUTHORITY\\SYSTEM:(I)(OI)(CI)(F)", $"{User}:(I)(F)", "CREATOR OWNER:(I)(OI)(CI)(IO)(F)", "BUILTIN\\Users:(I)(OI)(CI)(RX)"], r.OutLines);
    }

    [Fact]
    public void The_text_output_says_where_each_part_came_from()
    {
        var r = CliHarness.Run("inherit", "--parent", "O:BAG:SYD:(A;CI;FA;;;SY)", "--token", _token);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(r.OutLines, l => l.StartsWith("DACL     the token's default DACL", StringComparison.Ordinal));
    }

    [Fact]
    public void An_owner_the_token_may_not_assign_is_rejected_with_its_NTSTATUS()
    {
        var r = CliHarness.Run("inherit", "--creator", "O:BA", "--token", _token);
        Assert.Equal(3, r.ExitCode);
        Assert.StartsWith("error: STATUS_INVALID_OWNER (0xC000005A): the token may not make BUILTIN\\Administrators", r.Error);
        Assert.Equal(2, CliHarness.Run("inherit", "--parent", "D:").ExitCode);
        Assert.Equal(2, CliHarness.Run("inherit", "--token", _token, "--flags", "SEF_NOPE").ExitCode);
    }

    [Fact]
    public void Json_carries_the_trace_and_the_descriptor()
    {
        var r = CliHarness.Run("inherit", "--parent", "O:BAG:SYD:AI(A;OICIIO;GA;;;CO)", "--token", _token, "--json");
        Assert.Equal(0, r.ExitCode);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal("STATUS_SUCCESS", doc.GetProperty("status").GetString());
        Assert.Equal("Parent", doc.GetProperty("trace").GetProperty("dacl").GetString());
        Assert.True(doc.GetProperty("trace").GetProperty("daclAutoInherit").GetBoolean());
        Assert.Equal(JsonValueKind.Object, doc.GetProperty("descriptor").ValueKind);
        var failed = CliHarness.Run("inherit", "--creator", "O:BA", "--token", _token, "--json");
        Assert.Equal(3, failed.ExitCode);
        Assert.Equal("OwnerNotAssignable", JsonDocument.Parse(failed.Out).RootElement.GetProperty("failure").GetString());
    }

    [Fact]
    public void Batch_answers_every_line_in_order_with_id_sddl_and_error()
    {
        var token = $$"""{"user":"{{User}}"}""";
        var input = string.Join('\n',
            $$"""{"id":1,"parent":"O:BAG:SYD:AI(A;OICIIO;GA;;;CO)","creator":null,"container":true,"token":{{token}}}""",
            $$"""{"id":"ad","parent":"O:DAG:DAD:PAI(OA;CI;GA;;bf967a9c-0de6-11d0-a285-00aa003049e2;DA)","creator":"O:AUG:AUD:(A;;CC;;;AU)","type":"ds","objectTypes":["bf967a9c-0de6-11d0-a285-00aa003049e2"],"flags":["SEF_AVOID_OWNER_CHECK"],"token":{{token}}}""",
            $$"""{"id":"s","op":"set","current":"O:BAG:SYD:AI(A;ID;FA;;;SY)","new":"D:(A;;GX;;;BU)","securityInformation":["DACL"],"token":{{token}}}""",
            """{"id":"p","op":"propagate","parent":"O:BAG:SYD:AI(A;OICI;FR;;;BU)","child":"O:BAG:SYD:AI(A;;FA;;;SY)(A;ID;FA;;;WD)"}""",
            """{"id":"x","op":"create"}""",
            "not json");
        var r = CliHarness.RunWithInput(input, "inherit", "--batch", "--domain", "S-1-5-21-9-9-9");
        Assert.Equal(3, r.ExitCode);
        var lines = r.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(6, lines.Length);
        Assert.Equal(1, lines[0].GetProperty("id").GetInt32());
        Assert.Equal($"O:{User}G:{User}D:AI(A;ID;FA;;;{User})(A;OICIIOID;GA;;;CO)", lines[0].GetProperty("sddl").GetString());
        Assert.Equal("O:AUG:AUD:AI(A;;CC;;;AU)(A;ID;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)(OA;CIIOID;GA;;bf967a9c-0de6-11d0-a285-00aa003049e2;DA)", lines[1].GetProperty("sddl").GetString());
        Assert.Equal("O:BAG:SYD:(A;;FX;;;BU)", lines[2].GetProperty("sddl").GetString());
        Assert.Equal("O:BAG:SYD:AI(A;;FA;;;SY)(A;ID;FR;;;BU)", lines[3].GetProperty("sddl").GetString());
        Assert.Equal(JsonValueKind.Null, lines[3].GetProperty("error").ValueKind);
        Assert.Contains("token", lines[4].GetProperty("error").GetString());
        Assert.StartsWith("not valid JSON: column ", lines[5].GetProperty("error").GetString());
    }
}
