using System.Text.Json;
using NtSec.Acls;
using NtSec.Claims;
using NtSec.Cli.Input;
using NtSec.Descriptors;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Requests;
using NtSec.Sddl;
using NtSec.Tokens;

namespace NtSec.Tests;

/// <summary>
/// The one error model: every <see cref="ParseErrorKind"/> is produced by some real input, the location has the
/// three forms, and the command line's hints follow the kind, not the words.
/// </summary>
public sealed class ErrorModelTests
{
    // One input per kind, through the parser that reports it; each gives the kind, the location and the Win32 error.
    private static ParseError Produce(ParseErrorKind kind)
    {
        ParseError? error;
        switch (kind)
        {
            case ParseErrorKind.Syntax:
                SddlParser.TryParse("X:", null, out _, out error);
                break;
            case ParseErrorKind.TrailingData:
                Sid.TryParse("S-1-5-18x", out _, out error);
                break;
            case ParseErrorKind.Truncated:
                Sid.TryRead([1, 1, 0], out _, out _, out error);
                break;
            case ParseErrorKind.OutOfRange:
                Sid.TryParse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", out _, out error);
                break;
            case ParseErrorKind.UnknownName:
                SddlParser.TryParse("D:(Q;;FA;;;WD)", null, out _, out error);
                break;
            case ParseErrorKind.UnknownSidAlias:
                SddlParser.TryParse("O:QQ", null, out _, out error);
                break;
            case ParseErrorKind.DomainSidNeeded:
                SddlParser.TryParse("O:DA", null, out _, out error);
                break;
            case ParseErrorKind.UnmappedName:
                IcaclsParser.TryParse("C:\\x CONTOSO\\Nobody:(F)", null, out _, out error);
                break;
            case ParseErrorKind.UnknownRevision:
                SecurityDescriptor.TryRead(new byte[] { 2, 0, 4, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, out _, out _, out error);
                break;
            case ParseErrorKind.BadStructure:
                Acl.TryRead(new byte[] { 2, 0, 4, 0, 0, 0, 0, 0 }, out _, out _, out error);
                break;
            case ParseErrorKind.NotAllowedHere:
                SddlParser.TryParse("D:(AU;SA;FA;;;WD)", null, out _, out error);
                break;
            case ParseErrorKind.Duplicate:
                SddlParser.TryParse("O:SYO:SY", null, out _, out error);
                break;
            case ParseErrorKind.Missing:
                TokenJson.TryRead("{}", null, out _, out error);
                break;
            case ParseErrorKind.WrongType:
                TokenJson.TryRead("{\"user\": 5}", null, out _, out error);
                break;
            case ParseErrorKind.BadEncoding:
                JsonText.TryParse("{\"a\":\0}", out _, out error);
                break;
            case ParseErrorKind.Unsupported:
                // A claim block whose value type (0x00FF) has no relative form.
                ClaimSecurityAttribute.TryReadRelative(new byte[] { 16, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)'x', 0, 0, 0 }, out _, out error);
                break;
            case ParseErrorKind.UndefinedReference:
                // A scenario step on a thread the scenario does not declare.
                NtSec.Cli.Scenarios.ScenarioLoader.TryLoad("steps:\n  - revert: {thread: nope}\n", ".", out _, out error);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "a kind without an input in this test");
        }
        Assert.NotNull(error);
        return error!;
    }

    public static TheoryData<ParseErrorKind> Kinds() => [.. Enum.GetValues<ParseErrorKind>()];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKindIsProducedByARealInput(ParseErrorKind kind)
    {
        var error = Produce(kind);
        Assert.Equal(kind, error.Kind);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Fact]
    public void TheInputsGiveTheLocationsAndWin32ErrorsWindowsDoes()
    {
        // Text: a character index. Binary: a byte offset. Tool output: a line and a column. JSON: a path.
        var syntax = Produce(ParseErrorKind.Syntax);
        Assert.Equal((ParseLocation.AtOffset(0), Win32Error.InvalidParameter), (syntax.Location, syntax.Win32Error));
        var alias = Produce(ParseErrorKind.UnknownSidAlias);
        Assert.Equal((2, Win32Error.InvalidSid), (alias.Position, alias.Win32Error));
        var domain = Produce(ParseErrorKind.DomainSidNeeded);
        Assert.Equal((2, Win32Error.NoneMapped), (domain.Position, domain.Win32Error));
        var revision = Produce(ParseErrorKind.UnknownRevision);
        Assert.Equal((0, Win32Error.UnknownRevision), (revision.Position, revision.Win32Error));
        var truncated = Produce(ParseErrorKind.Truncated);
        Assert.Equal(Win32Error.InvalidSid, truncated.Win32Error);

        var unmapped = Produce(ParseErrorKind.UnmappedName);
        Assert.Equal(ParseLocation.AtLine(1, 6), unmapped.Location);
        Assert.Equal(0, unmapped.Win32Error);

        var missing = Produce(ParseErrorKind.Missing);
        Assert.Equal(ParseLocation.AtPath("user"), missing.Location);
        Assert.Equal("user: missing: a token needs a user SID", missing.ToString());

        var encoding = Produce(ParseErrorKind.BadEncoding);
        Assert.Equal(new ParseLocation(5, 1, 6, null), encoding.Location);
    }

    [Fact]
    public void ANestedErrorKeepsItsKindAndIsPlacedInTheOuterInput()
    {
        // An ACE's SID inside an ACL inside a descriptor: the kind is the SID's, the offset the descriptor's.
        var sd = SddlParser.Parse("O:SYD:(A;;FA;;;WD)").ToBinary();
        int daclOffset = BitConverter.ToInt32(sd, 16);
        sd[daclOffset + 8 + 8] = 9; // the ACE's SID revision
        Assert.False(SecurityDescriptor.TryRead(sd, out _, out _, out var error));
        Assert.Equal(ParseErrorKind.UnknownRevision, error!.Kind);
        Assert.Equal(daclOffset + 8 + 8, error.Position);
        Assert.StartsWith("DACL: ACE 0: ACE SID: ", error.Reason, StringComparison.Ordinal);

        // A domain-relative alias in a token's group keeps its kind through the token reader.
        Assert.False(TokenJson.TryRead("{\"user\": \"SY\", \"groups\": [{\"sid\": \"DA\"}]}", null, out _, out var tokenError));
        Assert.Equal((ParseErrorKind.DomainSidNeeded, "groups[0].sid"), (tokenError!.Kind, tokenError.Field));
    }

    [Fact]
    public void ALocationReadsAsMessagesGiveIt()
    {
        Assert.Equal("12: r", new ParseError(ParseErrorKind.Syntax, 12, "r", 0).ToString());
        Assert.Equal("line 3, column 4: r", new ParseError(ParseErrorKind.Syntax, ParseLocation.AtLine(3, 4), "r").ToString());
        Assert.Equal("column 4: r", new ParseError(ParseErrorKind.Syntax, new ParseLocation(3, 1, 4, null), "r").ToString());
        Assert.Equal("line 2, column 4: r", new ParseError(ParseErrorKind.Syntax, new ParseLocation(9, 2, 4, null), "r").ToString());
        Assert.Equal("groups[2].attributes[0]: r", new ParseError(ParseErrorKind.UnknownName, ParseLocation.AtPath("groups[2].attributes[0]"), "r").ToString());
        Assert.Equal("r", new ParseError(ParseErrorKind.Syntax, ParseLocation.AtPath(""), "r").ToString());
        Assert.Equal("r", new ParseError(ParseErrorKind.Syntax, ParseLocation.None, "r").ToString());
        Assert.Equal(ParseLocation.AtOffset(7), ParseLocation.AtOffset(2).Shift(5));
        Assert.Equal(ParseLocation.AtLine(1, 1), ParseLocation.AtLine(1, 1).Shift(5));
    }

    [Fact]
    public void TheExceptionCarriesTheError()
    {
        var offset = Assert.Throws<NtSecFormatException>(() => SddlParser.Parse("O:QQ"));
        Assert.Equal(ParseErrorKind.UnknownSidAlias, offset.Error.Kind);
        Assert.Equal("at 2: 'QQ' is not an SDDL SID alias", offset.Message);
        var line = Assert.Throws<NtSecFormatException>(() => IcaclsParser.Parse("C:\\x Nobody:(F)"));
        Assert.Equal(ParseErrorKind.UnmappedName, line.Error.Kind);
        Assert.StartsWith("line 1, column ", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHintFollowsTheKind_NotTheWords()
    {
        // Words that never mention a domain, with the kind that needs one: the hint.
        var reworded = new ParseError(ParseErrorKind.DomainSidNeeded, 0, "DA wants a domain", Win32Error.NoneMapped);
        Assert.Equal(" (give it with --domain)", InputHints.Domain(reworded));
        Assert.Equal(" (give it with --domain)", InputHints.DomainOrMap(reworded));
        Assert.Equal("groups[0].sid: DA wants a domain (give it with --domain)", TokenInput.Describe(reworded with { Location = ParseLocation.AtPath("groups[0].sid") }));

        var unmapped = new ParseError(ParseErrorKind.UnmappedName, ParseLocation.AtLine(3, 19), "nobody knows 'CONTOSO\\Finance'");
        Assert.Equal(" (give it with --map NAME=SID)", InputHints.DomainOrMap(unmapped));
        Assert.Equal("", InputHints.Domain(unmapped));

        // The old words with another kind: no hint.
        var words = new ParseError(ParseErrorKind.Syntax, 0, "alias 'DA' is relative to the domain, and no domain SID was given; not a name given in the map", 0);
        Assert.Equal("", InputHints.DomainOrMap(words));
        Assert.Equal("", InputHints.Domain(null));
    }

    [Fact]
    public void ARequestErrorCarriesTheParserErrorBehindIt()
    {
        var reader = new CheckRequestReader(new SidContext());
        using var token = JsonDocument.Parse("{\"user\": \"SY\"}");
        Assert.False(reader.TryRead(new CheckRequestText { Descriptor = "O:SYD:(A;;FA;;;WD)", TokenObject = token.RootElement, Desired = "1", Type = "file", Owner = "DA" }, out _, out var error));
        Assert.Equal(("owner", CheckRequestErrorKind.Invalid), (error!.Field, error.Kind));
        Assert.Equal(ParseErrorKind.DomainSidNeeded, error.Cause!.Kind);

        Assert.False(reader.TryRead(new CheckRequestText { Descriptor = "O:SYD:(A;;FA;;;WD)", TokenObject = token.RootElement, Desired = "1", Type = "file", Owner = "CONTOSO\\Nobody" }, out _, out error));
        Assert.Equal(ParseErrorKind.UnmappedName, error!.Cause!.Kind);
    }
}
