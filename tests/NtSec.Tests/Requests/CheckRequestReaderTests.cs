using NtSec.Authorization;
using NtSec.Principals;
using NtSec.Requests;
using NtSec.Sddl;

namespace NtSec.Tests.Requests;

/// <summary>The library's one request parser, without the command line.</summary>
public sealed class CheckRequestReaderTests
{
    private const string Token = """{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "WD", "attributes": ["Enabled"]}]}""";

    private static CheckRequestReader Reader(Dictionary<string, string>? files = null)
        => new(new SidContext(Sid.Parse("S-1-5-21-1-2-3")), name => files is not null && files.TryGetValue(name, out var t) ? (t, null) : (null, $"cannot read '{name}'"));

    [Fact]
    public void ReadsEveryFieldAndRunsTheCheck()
    {
        string hex = Convert.ToHexString(SddlParser.Parse("O:SYG:SYD:(A;;FA;;;WD)").ToBinary());
        var reader = Reader(new() { ["t.json"] = Token, ["sd.hex"] = hex });
        Assert.True(reader.TryRead(new CheckRequestText { Descriptor = "@sd.hex", TokenFile = "t.json", Desired = "GENERIC_READ", Type = "file", Owner = "DA", Self = "S-1-5-21-1-2-3-1001" }, out var request, out var error), error?.Reason);
        Assert.Equal(Sid.Parse("S-1-5-21-1-2-3-512"), request!.Descriptor.Owner);
        Assert.Equal(0x80000000u, request.Requested);
        Assert.Equal(ObjectTypes.File.GenericMapping.GenericRead, request.Desired);
        Assert.Equal(Sid.Parse("S-1-5-21-1-2-3-1001"), request.PrincipalSelf);
        var result = request.Run([], []);
        Assert.True(result.IsGranted);
        Assert.Equal("Domain Admins", request.Names.NameOf(Sid.Parse("S-1-5-21-1-2-3-512"))?.Split('\\')[^1]);
    }

    [Theory]
    [InlineData(null, "t.json", "FR", "file", "sd", CheckRequestErrorKind.Missing)]
    [InlineData("@nope", "t.json", "FR", "file", "sd", CheckRequestErrorKind.Unreadable)]
    [InlineData("O:SYG:SYD:(A;;FA;;;WD)", "t.json", "FR", null, "mapping", CheckRequestErrorKind.Usage)]
    [InlineData("O:SYG:SYD:(A;;FA;;;WD)", "t.json", "FLY", "file", "desired", CheckRequestErrorKind.Invalid)]
    [InlineData("O:SYG:SYD:(A;;FA;;;WD)", "nope.json", "FR", "file", "token", CheckRequestErrorKind.Unreadable)]
    [InlineData("O:SYG:SYD:(A;;FA;;WD)", "t.json", "FR", "file", "sd", CheckRequestErrorKind.Invalid)]
    public void ErrorsNameTheFieldAndTheKind(string? sd, string token, string desired, string? type, string field, CheckRequestErrorKind kind)
    {
        var reader = Reader(new() { ["t.json"] = Token });
        Assert.False(reader.TryRead(new CheckRequestText { Descriptor = sd, TokenFile = token, Desired = desired, Type = type }, out _, out var error));
        Assert.Equal(field, error!.Field);
        Assert.Equal(kind, error.Kind);
    }

    [Fact]
    public void WithoutAFileReaderNoFileIsRead()
    {
        var reader = new CheckRequestReader(new SidContext());
        Assert.False(reader.TryRead(new CheckRequestText { Descriptor = "@/etc/passwd", TokenFile = "t.json", Desired = "1", Type = "file" }, out _, out var error));
        Assert.Equal(CheckRequestErrorKind.Unreadable, error!.Kind);
    }
}
