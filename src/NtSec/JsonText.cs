using System.Text;
using System.Text.Json;

namespace NtSec;

/// <summary>
/// The one way NtSec reads a JSON document from text (token files, batch lines, policy lists, API bodies): the same
/// checks everywhere, and a syntax error reported with its line, column and cause instead of System.Text.Json's
/// messages, which speak of reader options and final blocks and give UTF-8 byte positions.
/// </summary>
public static class JsonText
{
    /// <summary>
    /// Parses <paramref name="text"/>. Never throws for bad input: a NUL character (UTF-16 bytes read as UTF-8) and
    /// every syntax error give a <see cref="ParseError"/> with the character offset, the line and the column (see
    /// <see cref="ParseLocation.ToString"/>: a one-line text is placed by column alone).
    /// </summary>
    /// <param name="text">The JSON text.</param>
    /// <param name="document">The document; the caller disposes it.</param>
    /// <param name="error">Where and why the text is not JSON.</param>
    /// <param name="allowComments">Whether <c>//</c> and <c>/* */</c> comments are skipped (hand-written files).</param>
    public static bool TryParse(string text, out JsonDocument? document, out ParseError? error, bool allowComments = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        document = null;
        int nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            error = At(ParseErrorKind.BadEncoding, text, nul, "a NUL character; is the file UTF-16 without a byte order mark? Save it as UTF-8");
            return false;
        }
        var options = new JsonDocumentOptions { CommentHandling = allowComments ? JsonCommentHandling.Skip : JsonCommentHandling.Disallow };
        try
        {
            document = JsonDocument.Parse(text, options);
            error = null;
            return true;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            error = Describe(text, e as JsonException, options);
            return false;
        }
    }

    // The reader counts UTF-8 bytes within a line; turn that into a character offset, then say what is there.
    private static ParseError Describe(string text, JsonException? e, JsonDocumentOptions options)
    {
        if (e?.LineNumber is not long line || e.BytePositionInLine is not long bytes)
            return new ParseError(ParseErrorKind.Syntax, new ParseLocation(0, 1, 1, null), "the text is not a JSON document");
        int offset = 0;
        for (long l = 0; l < line && offset < text.Length; offset++)
            if (text[offset] == '\n') l++;
        long counted = 0;
        while (offset < text.Length && text[offset] != '\n' && counted < bytes)
        {
            counted += char.IsSurrogate(text[offset]) ? 2 : Encoding.UTF8.GetByteCount(text.AsSpan(offset, 1));
            offset++;
        }
        if (text.AsSpan(offset).Trim().Length == 0)
            return At(ParseErrorKind.Truncated, text, offset, text.AsSpan().Trim().Length == 0
                ? "the text ends before the document does (nothing was given)"
                : "the text ends before the document does (an object, array or string is not closed)");
        if (Completes(text.AsSpan(0, offset), options))
            return At(ParseErrorKind.TrailingData, text, offset, "text after the end of the JSON document");
        // A bare word: the reader stops inside it; report it from its first letter.
        int start = offset;
        while (start > 0 && char.IsAsciiLetterOrDigit(text[start - 1])) start--;
        if (start < text.Length && char.IsAsciiLetter(text[start]))
        {
            int end = start;
            while (end < text.Length && char.IsAsciiLetterOrDigit(text[end]) && end - start < 40) end++;
            return At(ParseErrorKind.Syntax, text, start, $"'{text[start..end]}' is not a JSON value (text needs double quotes; the bare words are true, false and null)");
        }
        char c = text[offset];
        string shown = c < ' ' || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}'";
        return At(ParseErrorKind.Syntax, text, offset, $"unexpected {shown} (expected a value, a field name in double quotes, ',' or a closing bracket)");
    }

    // Whether the text before the error is a whole document, so what follows it is trailing text.
    private static bool Completes(ReadOnlySpan<char> prefix, JsonDocumentOptions options)
    {
        if (prefix.Trim().Length == 0) return false;
        try
        {
            using var _ = JsonDocument.Parse(prefix.ToString(), options);
            return true;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return false;
        }
    }

    private static ParseError At(ParseErrorKind kind, string text, int offset, string reason)
    {
        int line = 1, column = 1;
        for (int i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n') { line++; column = 1; }
            else column++;
        }
        return new ParseError(kind, new ParseLocation(offset, line, column, null), reason);
    }
}
