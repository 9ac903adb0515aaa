using System.Text;
using System.Text.Json;

namespace NtSec;

/// <summary>
/// Where and why a JSON text could not be read, in words the text's author can act on.
/// </summary>
/// <param name="Offset">Zero-based character offset of the problem in the text.</param>
/// <param name="Line">One-based line.</param>
/// <param name="Column">One-based column (characters, not UTF-8 bytes).</param>
/// <param name="Reason">What is wrong there.</param>
public sealed record JsonSyntaxError(int Offset, int Line, int Column, string Reason)
{
    /// <summary><c>line L, column C: reason</c>; <c>column C: reason</c> for a one-line text such as a batch line.</summary>
    public override string ToString() => Line == 1 ? $"column {Column}: {Reason}" : $"line {Line}, column {Column}: {Reason}";
}

/// <summary>
/// The one way NtSec reads a JSON document from text (token files, batch lines, policy lists, API bodies): the same
/// checks everywhere, and a syntax error reported with its line, column and cause instead of System.Text.Json's
/// messages, which speak of reader options and final blocks and give UTF-8 byte positions.
/// </summary>
public static class JsonText
{
    /// <summary>
    /// Parses <paramref name="text"/>. Never throws for bad input: a NUL character (UTF-16 bytes read as UTF-8) and
    /// every syntax error give a <see cref="JsonSyntaxError"/>.
    /// </summary>
    /// <param name="text">The JSON text.</param>
    /// <param name="document">The document; the caller disposes it.</param>
    /// <param name="error">Where and why the text is not JSON.</param>
    /// <param name="allowComments">Whether <c>//</c> and <c>/* */</c> comments are skipped (hand-written files).</param>
    public static bool TryParse(string text, out JsonDocument? document, out JsonSyntaxError? error, bool allowComments = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        document = null;
        int nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            error = At(text, nul, "a NUL character; is the file UTF-16 without a byte order mark? Save it as UTF-8");
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
    private static JsonSyntaxError Describe(string text, JsonException? e, JsonDocumentOptions options)
    {
        if (e?.LineNumber is not long line || e.BytePositionInLine is not long bytes)
            return new JsonSyntaxError(0, 1, 1, "the text is not a JSON document");
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
            return At(text, offset, text.AsSpan().Trim().Length == 0
                ? "the text ends before the document does (nothing was given)"
                : "the text ends before the document does (an object, array or string is not closed)");
        if (Completes(text.AsSpan(0, offset), options))
            return At(text, offset, "text after the end of the JSON document");
        // A bare word: the reader stops inside it; report it from its first letter.
        int start = offset;
        while (start > 0 && char.IsAsciiLetterOrDigit(text[start - 1])) start--;
        if (start < text.Length && char.IsAsciiLetter(text[start]))
        {
            int end = start;
            while (end < text.Length && char.IsAsciiLetterOrDigit(text[end]) && end - start < 40) end++;
            return At(text, start, $"'{text[start..end]}' is not a JSON value (text needs double quotes; the bare words are true, false and null)");
        }
        char c = text[offset];
        string shown = c < ' ' || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}'";
        return At(text, offset, $"unexpected {shown} (expected a value, a field name in double quotes, ',' or a closing bracket)");
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

    private static JsonSyntaxError At(string text, int offset, string reason)
    {
        int line = 1, column = 1;
        for (int i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n') { line++; column = 1; }
            else column++;
        }
        return new JsonSyntaxError(offset, line, column, reason);
    }
}
