namespace NtSec.Tests;

/// <summary>The one JSON reader: every syntax error in NtSec's words, with line and column in characters.</summary>
public sealed class JsonTextTests
{
    [Theory]
    [InlineData("", 1, 1, "the text ends before the document does (nothing was given)")]
    [InlineData("{\"a\": ", 1, 7, "the text ends before the document does (an object, array or string is not closed)")]
    [InlineData("{\"a\": nul}", 1, 7, "'nul' is not a JSON value (text needs double quotes; the bare words are true, false and null)")]
    [InlineData("{\"a\": TRUE}", 1, 7, "'TRUE' is not a JSON value (text needs double quotes; the bare words are true, false and null)")]
    [InlineData("{\"a\": 1} x", 1, 10, "text after the end of the JSON document")]
    [InlineData("{\"a\": 1}{}", 1, 9, "text after the end of the JSON document")]
    [InlineData("{\"é\": 1,\n  ]", 2, 3, "unexpected ']' (expected a value, a field name in double quotes, ',' or a closing bracket)")]
    [InlineData("{\"ab\u00e9\u00e9\": @}", 1, 10, "unexpected '@' (expected a value, a field name in double quotes, ',' or a closing bracket)")]
    [InlineData("{\"a\":\0}", 1, 6, "a NUL character; is the file UTF-16 without a byte order mark? Save it as UTF-8")]
    public void SyntaxErrors_NameTheLineTheColumnAndTheCause(string text, int line, int column, string reason)
    {
        Assert.False(JsonText.TryParse(text, out var document, out var error));
        Assert.Null(document);
        Assert.Equal((line, column, reason), (error!.Line, error.Column, error.Reason));
        Assert.DoesNotContain("Expected", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("isFinalBlock", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AOneLineTextIsPlacedByColumn_AndALongerOneByLineAndColumn()
    {
        Assert.False(JsonText.TryParse("[1,,2]", out _, out var one));
        Assert.Equal("column 4: unexpected ',' (expected a value, a field name in double quotes, ',' or a closing bracket)", one!.ToString());
        Assert.False(JsonText.TryParse("[1,\n,2]", out _, out var two));
        Assert.StartsWith("line 2, column 1: unexpected ','", two!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CommentsAreSkippedOnlyWhenAllowed()
    {
        const string text = "// a token\n{\"a\": 1 /* one */}";
        Assert.False(JsonText.TryParse(text, out _, out var error));
        Assert.Equal(1, error!.Line);
        Assert.True(JsonText.TryParse(text, out var document, out _, allowComments: true));
        using (document) Assert.Equal(1, document!.RootElement.GetProperty("a").GetInt32());
    }
}
