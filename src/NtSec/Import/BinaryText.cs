namespace NtSec.Import;

/// <summary>
/// Decodes hexadecimal and base64 text to bytes, reporting the character index of the first problem so that the
/// command line can point at it.
/// </summary>
internal static class BinaryText
{
    /// <summary>
    /// Decodes hexadecimal digits in either case. White space anywhere is ignored (dumps are usually grouped), and
    /// one leading <c>0x</c> is accepted.
    /// </summary>
    public static bool TryDecodeHex(string text, out byte[] bytes, out ParseError? error)
    {
        bytes = [];
        int i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        if (i + 1 < text.Length && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) i += 2;
        var output = new List<byte>(text.Length / 2);
        int high = -1;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) continue;
            int v = HexValue(c);
            if (v < 0)
            {
                error = new ParseError(ParseErrorKind.Syntax, i, $"'{Printable(c)}' is not a hexadecimal digit", Win32Error.InvalidParameter);
                return false;
            }
            if (high < 0)
            {
                high = v;
            }
            else
            {
                output.Add((byte)((high << 4) | v));
                high = -1;
            }
        }
        if (high >= 0)
        {
            error = new ParseError(ParseErrorKind.Truncated, text.Length, "odd number of hexadecimal digits: the last byte is incomplete", Win32Error.InvalidParameter);
            return false;
        }
        if (output.Count == 0)
        {
            error = new ParseError(ParseErrorKind.Missing, 0, "no hexadecimal digits", Win32Error.InvalidParameter);
            return false;
        }
        bytes = [.. output];
        error = null;
        return true;
    }

    /// <summary>
    /// Decodes base64. Accepts a bare base64 string (white space and line breaks ignored, padding optional), or LDIF:
    /// an <c>attribute:: value</c> line, folded over continuation lines that start with one space. When the text
    /// holds several LDIF attributes (a whole entry), the <c>nTSecurityDescriptor</c> one is used.
    /// </summary>
    public static bool TryDecodeBase64(string text, out byte[] bytes, out ParseError? error)
    {
        bytes = [];
        if (!TryLocateBase64(text, out int start, out int end, out error)) return false;
        return TryDecodeBase64Range(text, start, end, out bytes, out error);
    }

    /// <summary>True when the text holds an LDIF attribute with a base64 value (<c>name:: value</c>), folded or not.</summary>
    public static bool HasLdifBase64Attribute(string text)
    {
        foreach (var (lineStart, lineEnd) in LogicalLines(text))
            if (TryParseAttribute(text, lineStart, lineEnd, out var attribute) && attribute.IsBase64) return true;
        return false;
    }

    // Finds the base64 value in the text: the value of the nTSecurityDescriptor attribute, else of the only
    // base64 ("::") attribute, else the whole text.
    private static bool TryLocateBase64(string text, out int start, out int end, out ParseError? error)
    {
        start = 0;
        end = text.Length;
        error = null;
        var attributes = new List<LdifAttribute>();
        foreach (var (lineStart, lineEnd) in LogicalLines(text))
        {
            if (TryParseAttribute(text, lineStart, lineEnd, out var attribute)) attributes.Add(attribute);
        }
        if (attributes.Count == 0) return true;

        LdifAttribute? chosen = null;
        foreach (var a in attributes)
        {
            if (a.BaseName.Equals("nTSecurityDescriptor", StringComparison.OrdinalIgnoreCase))
            {
                chosen = a;
                break;
            }
        }
        if (chosen is null)
        {
            var base64Attributes = attributes.FindAll(a => a.IsBase64);
            if (base64Attributes.Count > 1)
            {
                error = new ParseError(ParseErrorKind.NotAllowedHere, base64Attributes[1].NameStart, "several base64 LDIF attributes and none is nTSecurityDescriptor", Win32Error.InvalidParameter);
                return false;
            }
            chosen = base64Attributes.Count == 1 ? base64Attributes[0] : attributes[0];
        }
        var c = chosen.Value;
        if (!c.IsBase64)
        {
            error = new ParseError(ParseErrorKind.Syntax, c.ColonPosition, $"the LDIF attribute '{c.Name}' has a text value (one ':'); a binary descriptor is written with '::' and base64", Win32Error.InvalidParameter);
            return false;
        }
        start = c.ValueStart;
        end = c.End;
        return true;
    }

    private readonly record struct LdifAttribute(string Name, int NameStart, int ColonPosition, bool IsBase64, int ValueStart, int End)
    {
        public string BaseName => Name.Split(';')[0];
    }

    // An LDIF line "name: value", "name:: base64" or "name:< url"; the name is an attribute type (letters, digits,
    // hyphens, or a dotted OID) with optional ";options". Base64 has no ':' so a line without one is never taken.
    // RFC 2849 lets a fold fall anywhere, inside the name or between the two colons too, so folds are stepped over.
    private static bool TryParseAttribute(string text, int lineStart, int lineEnd, out LdifAttribute attribute)
    {
        attribute = default;
        int i = SkipFolds(text, lineStart, lineEnd);
        if (i >= lineEnd || !char.IsAsciiLetterOrDigit(text[i])) return false;
        var name = new System.Text.StringBuilder();
        while (i < lineEnd && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '-' or '.' or ';'))
        {
            name.Append(text[i]);
            i = SkipFolds(text, i + 1, lineEnd);
        }
        if (i >= lineEnd || text[i] != ':') return false;
        int colon = i;
        int next = SkipFolds(text, i + 1, lineEnd);
        bool base64 = next < lineEnd && text[next] == ':';
        attribute = new LdifAttribute(name.ToString(), lineStart, colon, base64, base64 ? next + 1 : colon + 1, lineEnd);
        return true;
    }

    // Past the line break and single leading space of each fold at position i (an LDIF continuation line).
    private static int SkipFolds(string text, int i, int lineEnd)
    {
        while (true)
        {
            if (i + 1 < lineEnd && text[i] == '\n' && text[i + 1] == ' ') i += 2;
            else if (i + 2 < lineEnd && text[i] == '\r' && text[i + 1] == '\n' && text[i + 2] == ' ') i += 3;
            else return i;
        }
    }

    // LDIF logical lines: a physical line plus the continuation lines (starting with one space) that follow it.
    // Blank lines and comment lines ('#') start no logical line.
    private static IEnumerable<(int Start, int End)> LogicalLines(string text)
    {
        int start = -1, end = -1;
        bool inComment = false;
        int pos = 0;
        while (pos <= text.Length)
        {
            int nl = text.IndexOf('\n', pos);
            int lineEnd = nl < 0 ? text.Length : nl;
            int contentEnd = lineEnd > pos && text[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            bool continuation = contentEnd > pos && text[pos] == ' ';
            if (continuation && (start >= 0 || inComment))
            {
                if (!inComment) end = contentEnd;
            }
            else
            {
                if (start >= 0) yield return (start, end);
                start = -1;
                inComment = contentEnd > pos && text[pos] == '#';
                if (!inComment && contentEnd > pos && !string.IsNullOrWhiteSpace(text[pos..contentEnd]))
                {
                    start = pos;
                    end = contentEnd;
                }
            }
            if (nl < 0) break;
            pos = nl + 1;
        }
        if (start >= 0) yield return (start, end);
    }

    private static bool TryDecodeBase64Range(string text, int start, int end, out byte[] bytes, out ParseError? error)
    {
        bytes = [];
        var chars = new char[end - start];
        int count = 0, padding = 0;
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) continue;
            if (c == '=')
            {
                if (++padding > 2)
                {
                    error = new ParseError(ParseErrorKind.Syntax, i, "too much base64 padding", Win32Error.InvalidParameter);
                    return false;
                }
                continue;
            }
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
            {
                error = new ParseError(ParseErrorKind.Syntax, i, $"'{Printable(c)}' is not a base64 character", Win32Error.InvalidParameter);
                return false;
            }
            if (padding > 0)
            {
                error = new ParseError(ParseErrorKind.TrailingData, i, "base64 data after the '=' padding", Win32Error.InvalidParameter);
                return false;
            }
            chars[count++] = c;
        }
        if (count == 0)
        {
            error = new ParseError(ParseErrorKind.Missing, start, "no base64 data", Win32Error.InvalidParameter);
            return false;
        }
        if (count % 4 == 1)
        {
            error = new ParseError(ParseErrorKind.Truncated, end, $"truncated base64: {count} characters cannot encode whole bytes", Win32Error.InvalidParameter);
            return false;
        }
        // Padding is optional on input; restore it so the framework decoder accepts the text.
        int padded = (count + 3) / 4 * 4;
        var full = new char[padded];
        chars.AsSpan(0, count).CopyTo(full);
        full.AsSpan(count).Fill('=');
        var buffer = new byte[padded / 4 * 3];
        if (!Convert.TryFromBase64Chars(full, buffer, out int written))
        {
            error = new ParseError(ParseErrorKind.Syntax, end, "the base64 data does not decode", Win32Error.InvalidParameter);
            return false;
        }
        bytes = buffer.AsSpan(0, written).ToArray();
        error = null;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();
}
