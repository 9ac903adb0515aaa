using System.Globalization;
using System.Text;
using NtSec.Claims;
using NtSec.Principals;

namespace NtSec.Sddl;

/// <summary>
/// Resource attribute ACE payloads: SDDL <c>("name",TI,0x0,1,2)</c> to the CLAIM_SECURITY_ATTRIBUTE_RELATIVE_V1
/// block a SYSTEM_RESOURCE_ATTRIBUTE_ACE stores after its SID, and back.
/// </summary>
/// <remarks>
/// The grammar is MS-DTYP 2.5.1.1's <c>attribute-data</c>: a quoted name, a type code (<c>TI</c> int64,
/// <c>TU</c> uint64, <c>TS</c> string, <c>TD</c> SID, <c>TX</c> octet string, <c>TB</c> boolean), the flags as a
/// number, then zero or more values of that type. Blanks are accepted around every comma (Windows accepts
/// <c>"blue", "red"</c>). Numbers are read as in conditional expressions (decimal, <c>0x</c> hex, leading-0 octal);
/// octet strings as there too, with the leading <c>#</c> optional; SIDs as an alias or <c>S-1-...</c>.
/// </remarks>
public static class ResourceAttributes
{
    private static readonly (string Code, ClaimValueType Type)[] TypeCodes =
    [
        ("TI", ClaimValueType.Int64),
        ("TU", ClaimValueType.UInt64),
        ("TS", ClaimValueType.String),
        ("TD", ClaimValueType.Sid),
        ("TX", ClaimValueType.OctetString),
        ("TB", ClaimValueType.Boolean),
    ];

    /// <summary>Parses "(...)" (outer parentheses included) to the relative attribute block, padded to 4 bytes.</summary>
    /// <param name="text">The attribute, from its opening to its closing parenthesis.</param>
    /// <param name="basePosition">Where <paramref name="text"/> starts in the whole SDDL string, so that error positions are absolute.</param>
    /// <param name="context">The domains for domain-relative SID aliases in TD values; null for none.</param>
    /// <param name="applicationData">The block, when the text is valid.</param>
    /// <param name="error">The position and reason of the first error.</param>
    public static bool TryParseSddl(ReadOnlySpan<char> text, int basePosition, SidContext? context, out byte[] applicationData, out ParseError? error)
    {
        applicationData = [];
        if (!TryParse(text, basePosition, context, out var attribute, out error)) return false;
        applicationData = attribute!.ToRelative();
        return true;
    }

    /// <summary>Parses "(...)" (outer parentheses included) to a <see cref="ClaimSecurityAttribute"/>.</summary>
    /// <param name="text">The attribute, from its opening to its closing parenthesis.</param>
    /// <param name="basePosition">Added to every error position.</param>
    /// <param name="context">The domains for domain-relative SID aliases in TD values; null for none.</param>
    /// <param name="attribute">The attribute, when the text is valid.</param>
    /// <param name="error">The position and reason of the first error.</param>
    public static bool TryParse(ReadOnlySpan<char> text, int basePosition, SidContext? context, out ClaimSecurityAttribute? attribute, out ParseError? error)
    {
        var reader = new Reader(text, basePosition, context);
        return reader.Parse(out attribute, out error);
    }

    /// <summary>Formats a relative attribute block as "(...)"; false when the bytes are not one or SDDL cannot spell it.</summary>
    /// <param name="applicationData">The bytes after the SID of a resource attribute ACE.</param>
    /// <param name="context">The domains used to choose SID aliases for TD values; null for none.</param>
    /// <param name="text">The attribute with its outer parentheses.</param>
    public static bool TryFormatSddl(ReadOnlySpan<byte> applicationData, SidContext? context, out string text)
    {
        text = "";
        return ClaimSecurityAttribute.TryReadRelative(applicationData, out var attribute, out _) && TryFormat(attribute!, context, out text);
    }

    /// <summary>
    /// Formats an attribute as <c>("name",TYPE,0xFLAGS,value,...)</c>: flags in lower-case hex, integers in
    /// decimal, strings quoted, SIDs as their alias or <c>S-1-...</c>, octet strings as <c>#</c> and lower-case
    /// hex, booleans as 0 or 1. False when a name or string holds a double quote, which SDDL cannot escape.
    /// </summary>
    public static bool TryFormat(ClaimSecurityAttribute attribute, SidContext? context, out string text)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        text = "";
        string? code = null;
        foreach (var (c, t) in TypeCodes)
            if (t == attribute.ValueType) code = c;
        if (code is null || attribute.Name.Contains('"')) return false;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("(\"").Append(attribute.Name).Append("\",").Append(code).Append(",0x").Append(((uint)attribute.Flags).ToString("x", inv));
        foreach (var value in attribute.Values)
        {
            sb.Append(',');
            switch (value)
            {
                case long v:
                    sb.Append(v.ToString(inv));
                    break;
                case ulong v:
                    sb.Append(v.ToString(inv));
                    break;
                case bool v:
                    sb.Append(v ? '1' : '0');
                    break;
                case string v:
                    if (v.Contains('"')) return false;
                    sb.Append('"').Append(v).Append('"');
                    break;
                case Sid v:
                    sb.Append(SddlWriter.FormatSid(v, context));
                    break;
                case ReadOnlyMemory<byte> v:
                    sb.Append('#').Append(Convert.ToHexStringLower(v.Span));
                    break;
                default:
                    return false;
            }
        }
        sb.Append(')');
        text = sb.ToString();
        return true;
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<char> _s;
        private readonly int _base;
        private readonly SidContext? _context;
        private int _pos;

        public Reader(ReadOnlySpan<char> s, int basePosition, SidContext? context)
        {
            _s = s;
            _base = basePosition;
            _context = context;
            _pos = 0;
        }

        private readonly bool AtEnd => _pos >= _s.Length;

        private void SkipBlanks()
        {
            while (_pos < _s.Length && Sid.IsBlank(_s[_pos])) _pos++;
        }

        private readonly ParseError Error(ParseErrorKind kind, int position, string reason, int win32 = Win32Error.InvalidAcl)
            => new(kind, _base + Math.Clamp(position, 0, _s.Length), reason, win32);

        // An error a literal reader reported at its own position in the text.
        private readonly ParseError Error(ParseError literal, string? prefix = null) => Error(literal.Kind, literal.Position, prefix + literal.Reason);

        private bool Expect(char c, string what, out ParseError? error)
        {
            SkipBlanks();
            if (!AtEnd && _s[_pos] == c)
            {
                _pos++;
                error = null;
                return true;
            }
            error = Error(AtEnd ? ParseErrorKind.Truncated : ParseErrorKind.Syntax, _pos, AtEnd ? $"the attribute ends early: expected '{c}' {what}" : $"expected '{c}' {what}, found '{_s[_pos]}'");
            return false;
        }

        public bool Parse(out ClaimSecurityAttribute? attribute, out ParseError? error)
        {
            attribute = null;
            if (!Expect('(', "to open the attribute", out error)) return false;
            if (!Expect('"', "to open the attribute name", out error)) return false;
            int nameStart = _pos;
            int close = _s[nameStart..].IndexOf('"');
            if (close < 0)
            {
                error = Error(ParseErrorKind.Truncated, nameStart - 1, "the attribute name is not closed");
                return false;
            }
            if (close == 0)
            {
                error = Error(ParseErrorKind.Missing, nameStart, "the attribute name is empty");
                return false;
            }
            string name = _s.Slice(nameStart, close).ToString();
            _pos = nameStart + close + 1;
            if (!Expect(',', "after the attribute name", out error)) return false;

            SkipBlanks();
            int typePos = _pos;
            ClaimValueType? type = null;
            if (_pos + 2 <= _s.Length)
            {
                var code = _s.Slice(_pos, 2);
                foreach (var (c, t) in TypeCodes)
                    if (code.Equals(c, StringComparison.OrdinalIgnoreCase)) type = t;
            }
            if (type is null || (_pos + 2 < _s.Length && char.IsAsciiLetterOrDigit(_s[_pos + 2])))
            {
                error = Error(ParseErrorKind.UnknownName, typePos, "expected a value type: TI, TU, TS, TD, TX or TB");
                return false;
            }
            _pos += 2;
            if (!Expect(',', "after the value type", out error)) return false;

            SkipBlanks();
            int flagsPos = _pos;
            if (!ConditionalExpressions.TryReadInteger(_s, ref _pos, out ulong flags, out var flagSign, out _, out var flagsError))
            {
                error = Error(flagsError!, "the attribute flags are not a number: ");
                return false;
            }
            if (flagSign == IntegerSign.Minus || flags > uint.MaxValue)
            {
                error = Error(ParseErrorKind.OutOfRange, flagsPos, "the attribute flags must be a 32-bit unsigned number");
                return false;
            }

            var values = new List<object>();
            while (true)
            {
                SkipBlanks();
                if (AtEnd)
                {
                    error = Error(ParseErrorKind.Truncated, _pos, "the attribute ends early: expected ',' or ')'");
                    return false;
                }
                if (_s[_pos] == ')')
                {
                    _pos++;
                    break;
                }
                if (!Expect(',', "or ')' after a value", out error)) return false;
                SkipBlanks();
                if (!ParseValue(type.Value, out object? value, out error)) return false;
                values.Add(value!);
            }
            SkipBlanks();
            if (!AtEnd)
            {
                error = Error(ParseErrorKind.TrailingData, _pos, "unexpected text after the attribute's closing parenthesis");
                return false;
            }
            attribute = new ClaimSecurityAttribute(name, type.Value, (ClaimSecurityAttributeFlags)(uint)flags, values);
            error = null;
            return true;
        }

        private bool ParseValue(ClaimValueType type, out object? value, out ParseError? error)
        {
            value = null;
            int start = _pos;
            if (AtEnd)
            {
                error = Error(ParseErrorKind.Truncated, _pos, "the attribute ends where a value was expected");
                return false;
            }
            switch (type)
            {
                case ClaimValueType.Int64:
                case ClaimValueType.UInt64:
                case ClaimValueType.Boolean:
                    {
                        if (!ConditionalExpressions.TryReadInteger(_s, ref _pos, out ulong magnitude, out var sign, out _, out var numberError))
                        {
                            error = Error(numberError!);
                            return false;
                        }
                        if (type == ClaimValueType.Int64)
                        {
                            if (!ConditionalExpressions.TryToInt64(magnitude, sign, out long v))
                            {
                                error = Error(ParseErrorKind.OutOfRange, start, "a TI value must fit a signed 64-bit integer");
                                return false;
                            }
                            value = v;
                        }
                        else if (sign == IntegerSign.Minus && magnitude != 0)
                        {
                            error = Error(ParseErrorKind.OutOfRange, start, $"a {(type == ClaimValueType.UInt64 ? "TU" : "TB")} value cannot be negative");
                            return false;
                        }
                        else if (type == ClaimValueType.UInt64)
                        {
                            value = magnitude;
                        }
                        else if (magnitude > 1)
                        {
                            error = Error(ParseErrorKind.OutOfRange, start, "a TB value must be 0 or 1");
                            return false;
                        }
                        else
                        {
                            value = magnitude == 1;
                        }
                        error = null;
                        return true;
                    }
                case ClaimValueType.String:
                    {
                        if (_s[_pos] != '"')
                        {
                            error = Error(ParseErrorKind.Syntax, _pos, "a TS value is a \"quoted string\"");
                            return false;
                        }
                        int close = _s[(start + 1)..].IndexOf('"');
                        if (close < 0)
                        {
                            error = Error(ParseErrorKind.Truncated, start, "this string is not closed");
                            return false;
                        }
                        value = _s.Slice(start + 1, close).ToString();
                        _pos = start + 1 + close + 1;
                        error = null;
                        return true;
                    }
                case ClaimValueType.Sid:
                    {
                        while (_pos < _s.Length && _s[_pos] != ',' && _s[_pos] != ')' && !Sid.IsBlank(_s[_pos])) _pos++;
                        if (_pos == start)
                        {
                            error = Error(ParseErrorKind.Syntax, start, "a TD value is a SID: an alias or S-1-...");
                            return false;
                        }
                        if (!SddlSidAliases.TryParseSid(_s[start.._pos], _context, out var sid, out var sidError))
                        {
                            error = Error(sidError!.Kind, start + sidError.Position, $"a TD value is not a SID: {sidError.Reason}", sidError.Win32Error);
                            return false;
                        }
                        value = sid;
                        error = null;
                        return true;
                    }
                default:
                    {
                        // The '#' is optional here: Windows is reported (our MS-DTYP notes, 7.1) to read numeric-looking
                        // TX values as octet strings.
                        byte[]? bytes;
                        ParseError? octetsError;
                        if (_s[_pos] == '#')
                        {
                            if (!ConditionalExpressions.TryReadOctets(_s, ref _pos, out bytes, out octetsError))
                            {
                                error = Error(octetsError!);
                                return false;
                            }
                        }
                        else
                        {
                            while (_pos < _s.Length && (char.IsAsciiHexDigit(_s[_pos]) || _s[_pos] == '#')) _pos++;
                            if (_pos == start || (_pos < _s.Length && char.IsAsciiLetterOrDigit(_s[_pos])))
                            {
                                error = Error(ParseErrorKind.Syntax, _pos, "a TX value is an octet string: hexadecimal digits, optionally after '#'");
                                return false;
                            }
                            bytes = ConditionalExpressions.HexToBytes(_s[start.._pos]);
                        }
                        value = bytes;
                        error = null;
                        return true;
                    }
            }
        }
    }
}
