using System.Runtime.CompilerServices;
using System.Text;
using NtSec.Principals;

namespace NtSec.Sddl;

/// <summary>
/// Conditional ACE expressions (MS-DTYP 2.5.1.1 grammar, 2.4.4.17 byte code): SDDL text to the application data of
/// a callback ACE ("artx" and postfix byte code, zero-padded to 4 bytes) and back.
/// </summary>
/// <remarks>
/// <para>Reading follows Windows where its output is known (the windows-sddl corpus): operator names in any case,
/// <c>@User.</c>/<c>@USER.</c> prefixes in any case, bare names as local attributes, every integer stored as
/// int64 with its sign and base bytes, <c>#</c> standing for <c>0</c> in octet strings, <c>Member_of SID(..)</c>
/// without braces kept apart from <c>Member_of {SID(..)}</c>. Precedence, highest first: Exists/Not_Exists and
/// the membership operators, then the comparisons (==, !=, &lt;, &lt;=, &gt;, &gt;=, Contains, Any_of and their
/// negations), then !, then &amp;&amp;, then ||; equal operators group left to right.</para>
/// <para>Operands are checked for shape only, as Windows' parser does (types are the evaluator's business and
/// give UNKNOWN there): a comparison takes attributes or literals (<c>{...}</c> lists, empty ones and SID(...)
/// included) on either side, a bare name only on its left; a membership operator takes SID(...) or a list;
/// Exists takes an attribute; logical operators take conditions or attributes. Expressions are refused when operators nest deeper than <see cref="MaxDepth"/> or
/// parentheses and ! deeper than <see cref="MaxNesting"/>. Where Windows' behaviour was not observed, the choice
/// is noted beside the code that makes it.</para>
/// </remarks>
public static class ConditionalExpressions
{
    /// <summary>How many operators may nest inside each other; deeper expressions are refused both ways.</summary>
    public const int MaxDepth = CondCodec.MaxDepth;

    /// <summary>How many parentheses and ! may nest in the text; deeper text is refused with an error.</summary>
    public const int MaxNesting = (2 * MaxDepth) + 100;

    /// <summary>True when <paramref name="applicationData"/> starts with the conditional ACE signature "artx".</summary>
    public static bool IsConditional(ReadOnlySpan<byte> applicationData) => applicationData.StartsWith(CondCodec.Signature);

    /// <summary>Compiles "(...)" (outer parentheses included) to "artx" + byte code, padded to 4 bytes.</summary>
    /// <param name="text">The condition, from its opening to its closing parenthesis.</param>
    /// <param name="basePosition">Where <paramref name="text"/> starts in the whole SDDL string, so that error positions are absolute.</param>
    /// <param name="context">The domains for domain-relative SID aliases in SID(...); null for none.</param>
    /// <param name="applicationData">The application data, when the text is valid.</param>
    /// <param name="error">The position (within the text, offset by <paramref name="basePosition"/>) and reason of the first error.</param>
    public static bool TryCompile(ReadOnlySpan<char> text, int basePosition, SidContext? context, out byte[] applicationData, out ParseError? error)
    {
        applicationData = [];
        var parser = new Parser(text, basePosition, context);
        if (!parser.ParseCondition(out var root, out error)) return false;
        var bytes = CondCodec.Encode(root!);
        if (bytes.Length > ushort.MaxValue)
        {
            error = new ParseError(ParseErrorKind.OutOfRange, basePosition, $"the condition compiles to {bytes.Length} bytes, more than an ACE can hold", Win32Error.InvalidAcl);
            return false;
        }
        applicationData = bytes;
        return true;
    }

    /// <summary>
    /// Decompiles application data to "(...)" in the style of Windows' SDDL writer (upper-case prefixes, every nested
    /// operation parenthesised, SID aliases). Returns false, without throwing, for bytes that are not a valid
    /// expression or that SDDL cannot spell; whatever it returns compiles back to the same expression.
    /// </summary>
    /// <param name="applicationData">The application data of a callback ACE.</param>
    /// <param name="context">The domains used to choose SID aliases in SID(...); null for none.</param>
    /// <param name="text">The condition with its outer parentheses.</param>
    public static bool TryDecompile(ReadOnlySpan<byte> applicationData, SidContext? context, out string text)
    {
        text = "";
        return CondCodec.TryDecode(applicationData, out var root) && CondCodec.TryFormat(root!, context, out text);
    }

    // Longer spellings first, so that "<=" is not read as "<" followed by "=".
    private static readonly (string Text, CondOp Op)[] ComparisonSymbols =
    [
        ("==", CondOp.Equal), ("!=", CondOp.NotEqual), ("<=", CondOp.LessThanOrEqual),
        (">=", CondOp.GreaterThanOrEqual), ("<", CondOp.LessThan), (">", CondOp.GreaterThan),
    ];

    /// <summary>A recursive-descent reader over the condition text; the first error stops it.</summary>
    private ref struct Parser
    {
        private readonly ReadOnlySpan<char> _s;
        private readonly int _base;
        private readonly SidContext? _context;
        private int _pos;
        private int _nesting;
        private ParseError? _error;

        public Parser(ReadOnlySpan<char> s, int basePosition, SidContext? context)
        {
            _s = s;
            _base = basePosition;
            _context = context;
            _pos = 0;
            _nesting = 0;
            _error = null;
        }

        private readonly bool AtEnd => _pos >= _s.Length;

        private readonly char Cur => _s[_pos];

        private readonly bool At(string token) => _s[_pos..].StartsWith(token, StringComparison.Ordinal);

        private void SkipBlanks()
        {
            while (_pos < _s.Length && Sid.IsBlank(_s[_pos])) _pos++;
        }

        // Records the first error only: later ones are consequences of it.
        private CondNode? Fail(ParseErrorKind kind, int position, string reason, int win32 = Win32Error.InvalidAcl)
        {
            _error ??= new ParseError(kind, _base + Math.Clamp(position, 0, _s.Length), reason, win32);
            return null;
        }

        // An error a literal reader reported at its own position in the text.
        private CondNode? Fail(ParseError literal) => Fail(literal.Kind, literal.Position, literal.Reason);

        public bool ParseCondition(out CondNode? root, out ParseError? error)
        {
            root = null;
            SkipBlanks();
            if (AtEnd || Cur != '(')
            {
                Fail(ParseErrorKind.Syntax, _pos, "a condition starts with '('");
                error = _error;
                return false;
            }
            int inner = _pos + 1;
            while (inner < _s.Length && Sid.IsBlank(_s[inner])) inner++;
            var node = ParseOperand();
            if (node is not null)
            {
                SkipBlanks();
                if (!AtEnd) Fail(ParseErrorKind.TrailingData, _pos, "unexpected text after the condition's closing parenthesis");
                else if (!node.IsCondition) Fail(ParseErrorKind.WrongType, inner, "a condition must be a comparison, a membership or existence test, a logical operation or an attribute, not a literal");
                else root = node;
            }
            error = _error;
            return _error is null;
        }

        private bool Enter(int position)
        {
            // Both limits matter: the count keeps the result printable and re-readable, the stack probe keeps a
            // thread with a small stack from overflowing before the count is reached.
            if (++_nesting > MaxNesting || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                Fail(ParseErrorKind.OutOfRange, position, $"the condition nests parentheses and '!' more than {MaxNesting} deep");
                return false;
            }
            return true;
        }

        private CondNode? MakeUnary(CondOp op, CondNode operand, int opPos, int operandPos)
        {
            if (CondCodec.CheckUnary(op, operand) is { } reason) return Fail(ParseErrorKind.WrongType, operandPos, reason);
            var node = new UnaryNode(op, operand);
            if (node.Depth > MaxDepth) return Fail(ParseErrorKind.OutOfRange, opPos, $"operators nest more than {MaxDepth} deep");
            return node;
        }

        private CondNode? MakeBinary(CondOp op, CondNode left, int leftPos, CondNode right, int rightPos, int opPos)
        {
            if (CondCodec.CheckBinary(op, left, right) is { } problem) return Fail(ParseErrorKind.WrongType, problem.Side == 1 ? leftPos : rightPos, problem.Reason);
            var node = new BinaryNode(op, left, right);
            if (node.Depth > MaxDepth) return Fail(ParseErrorKind.OutOfRange, opPos, $"operators nest more than {MaxDepth} deep");
            return node;
        }

        // or-expr = and-expr *( "||" and-expr )
        private CondNode? ParseOr() => ParseChain(CondOp.Or);

        // and-expr = not-expr *( "&&" not-expr )
        private CondNode? ParseAnd() => ParseChain(CondOp.And);

        // The two logical levels parse alike: operands of the next tighter level joined left to right by the operator.
        private CondNode? ParseChain(CondOp op)
        {
            string token = op == CondOp.Or ? "||" : "&&";
            SkipBlanks();
            int leftPos = _pos;
            var left = op == CondOp.Or ? ParseAnd() : ParseNot();
            while (left is not null)
            {
                SkipBlanks();
                if (AtEnd || !At(token)) return left;
                int opPos = _pos;
                _pos += 2;
                SkipBlanks();
                int rightPos = _pos;
                var right = op == CondOp.Or ? ParseAnd() : ParseNot();
                if (right is null) return null;
                left = MakeBinary(op, left, leftPos, right, rightPos, opPos);
            }
            return null;
        }

        // not-expr = "!" not-expr / comparison; '!' binds more loosely than the comparisons, so "!a == 1" is !(a == 1).
        private CondNode? ParseNot()
        {
            SkipBlanks();
            if (!AtEnd && Cur == '!' && !At("!="))
            {
                int opPos = _pos;
                _pos++;
                if (!Enter(opPos)) return null;
                SkipBlanks();
                int operandPos = _pos;
                var operand = ParseNot();
                _nesting--;
                return operand is null ? null : MakeUnary(CondOp.Not, operand, opPos, operandPos);
            }
            return ParseComparison();
        }

        // comparison = unary-op operand / operand [ comparison-op operand ]
        private CondNode? ParseComparison()
        {
            SkipBlanks();
            int start = _pos;
            if (TryPeekWordOperator(out var keyword, out int length))
            {
                if (!CondCodec.IsUnary(keyword))
                    return Fail(ParseErrorKind.Syntax, start, $"'{_s.Slice(start, length)}' needs an attribute on its left");
                _pos += length;
                SkipBlanks();
                int operandPos = _pos;
                var operand = ParseOperand();
                return operand is null ? null : MakeUnary(keyword, operand, start, operandPos);
            }
            var left = ParseOperand();
            if (left is null) return null;
            SkipBlanks();
            int opPos = _pos;
            if (!TryReadComparison(out var op)) return left;
            SkipBlanks();
            int rightPos = _pos;
            var right = ParseOperand();
            return right is null ? null : MakeBinary(op, left, start, right, rightPos, opPos);
        }

        // The run of attr-name1 characters at the cursor, and whether it spells an operator keyword.
        private readonly bool TryPeekWordOperator(out CondOp op, out int length)
        {
            op = default;
            length = NameRunLength(_pos);
            if (length == 0) return false;
            var word = _s.Slice(_pos, length);
            foreach (var (text, o) in CondCodec.WordOperators)
            {
                if (word.Equals(text, StringComparison.OrdinalIgnoreCase))
                {
                    op = o;
                    return true;
                }
            }
            return false;
        }

        private readonly int NameRunLength(int from)
        {
            if (from >= _s.Length || !CondCodec.IsAttrChar1(_s[from])) return 0;
            int end = from + 1;
            while (end < _s.Length && (CondCodec.IsAttrChar1(_s[end]) || _s[end] == '@')) end++;
            return end - from;
        }

        private bool TryReadComparison(out CondOp op)
        {
            op = default;
            if (AtEnd) return false;
            foreach (var (text, o) in ComparisonSymbols)
            {
                if (At(text))
                {
                    op = o;
                    _pos += text.Length;
                    return true;
                }
            }
            if (TryPeekWordOperator(out var word, out int length) && CondCodec.IsComparison(word))
            {
                op = word;
                _pos += length;
                return true;
            }
            return false;
        }

        // operand = "(" or-expr ")" / attribute / literal
        private CondNode? ParseOperand()
        {
            SkipBlanks();
            if (AtEnd) return Fail(ParseErrorKind.Truncated, _pos, "the condition ends where an operand was expected");
            int start = _pos;
            char c = Cur;
            switch (c)
            {
                case '(':
                    {
                        if (!Enter(start)) return null;
                        _pos++;
                        var inner = ParseOr();
                        if (inner is null) return null;
                        SkipBlanks();
                        if (AtEnd) return Fail(ParseErrorKind.Truncated, start, "this parenthesis is not closed");
                        if (Cur != ')') return Fail(ParseErrorKind.Syntax, _pos, $"expected an operator or ')', found {Describe(_pos)}");
                        _pos++;
                        _nesting--;
                        return inner;
                    }
                case '"':
                    return ParseString();
                case '#':
                    return ParseOctetString();
                case '{':
                    return ParseComposite();
                case '@':
                    return ParsePrefixedAttribute();
                case ')':
                    return Fail(ParseErrorKind.Missing, start, "an operand is missing before ')'");
            }
            if (IsNumberStart(_pos)) return ParseInteger();
            int length = NameRunLength(_pos);
            if (length == 0) return Fail(ParseErrorKind.Syntax, start, $"expected an attribute, a literal or '(', found {Describe(start)}");
            var word = _s.Slice(start, length);
            if (word.Equals("SID", StringComparison.OrdinalIgnoreCase) && start + length < _s.Length && _s[start + length] == '(')
                return ParseSidLiteral();
            foreach (var (text, _) in CondCodec.WordOperators)
                if (word.Equals(text, StringComparison.OrdinalIgnoreCase)) return Fail(ParseErrorKind.Syntax, start, $"the operator '{word}' cannot stand where an operand is expected");
            _pos += length;
            return new AttributeNode(CondOp.LocalAttribute, word.ToString());
        }

        private readonly string Describe(int at)
        {
            if (at >= _s.Length) return "the end of the condition";
            int length = NameRunLength(at);
            return length > 0 ? $"'{_s.Slice(at, length)}'" : $"'{_s[at]}'";
        }

        private readonly bool IsNumberStart(int at)
        {
            if (at < _s.Length && (_s[at] == '+' || _s[at] == '-')) at++;
            return at < _s.Length && char.IsAsciiDigit(_s[at]);
        }

        private CondNode? ParseInteger()
        {
            int start = _pos;
            if (!TryReadInteger(_s, ref _pos, out ulong magnitude, out var sign, out var radix, out var literalError))
                return Fail(literalError!);
            if (!TryToInt64(magnitude, sign, out long value))
                return Fail(ParseErrorKind.OutOfRange, start, "the number is outside the signed 64-bit range");
            // Windows writes every integer literal as int64, whatever its size (conditional_aces corpus).
            return new IntegerNode(CondOp.Int64, value, sign, radix);
        }

        private CondNode? ParseString()
        {
            int start = _pos;
            int close = _s[(start + 1)..].IndexOf('"');
            if (close < 0) return Fail(ParseErrorKind.Truncated, start, "this string is not closed");
            _pos = start + 1 + close + 1;
            return new StringNode(_s.Slice(start + 1, close).ToString());
        }

        private CondNode? ParseOctetString()
        {
            if (!TryReadOctets(_s, ref _pos, out var bytes, out var literalError)) return Fail(literalError!);
            return new OctetStringNode(bytes!);
        }

        private CondNode? ParseSidLiteral()
        {
            int start = _pos;
            int contentStart = start + 4; // after "SID("
            int close = _s[contentStart..].IndexOf(')');
            if (close < 0) return Fail(ParseErrorKind.Truncated, start, "SID( is not closed");
            var content = _s.Slice(contentStart, close);
            if (!SddlSidAliases.TryParseSid(content, _context, out var sid, out var sidError))
                return Fail(sidError!.Kind, contentStart + sidError.Position, $"SID(...) does not hold a SID: {sidError.Reason}", sidError.Win32Error);
            _pos = contentStart + close + 1;
            return new SidNode(sid);
        }

        // "{" value *( "," value ) "}", values being numbers, strings, octet strings or SID(...).
        private CondNode? ParseComposite()
        {
            int start = _pos;
            _pos++;
            var items = new List<CondNode>();
            SkipBlanks();
            if (!AtEnd && Cur == '}')
            {
                // "{}" is a list of no values (Windows compiles it: Samba's krb5 conditional ACE tests).
                _pos++;
                return new CompositeNode(items);
            }
            while (true)
            {
                SkipBlanks();
                if (AtEnd) return Fail(ParseErrorKind.Truncated, start, "this {...} list is not closed");
                int itemPos = _pos;
                CondNode? item;
                if (Cur == '"') item = ParseString();
                else if (Cur == '#') item = ParseOctetString();
                else if (IsNumberStart(_pos)) item = ParseInteger();
                else if (NameRunLength(_pos) == 3 && _s.Slice(_pos, 3).Equals("SID", StringComparison.OrdinalIgnoreCase) && _pos + 3 < _s.Length && _s[_pos + 3] == '(') item = ParseSidLiteral();
                else return Fail(ParseErrorKind.Syntax, itemPos, $"a {{...}} list holds numbers, \"strings\", #octets and SID(...), not {Describe(itemPos)}");
                if (item is null) return null;
                items.Add(item);
                SkipBlanks();
                if (AtEnd) return Fail(ParseErrorKind.Truncated, start, "this {...} list is not closed");
                if (Cur == ',')
                {
                    _pos++;
                    continue;
                }
                if (Cur == '}')
                {
                    _pos++;
                    return new CompositeNode(items);
                }
                return Fail(ParseErrorKind.Syntax, _pos, $"expected ',' or '}}' in a {{...}} list, found {Describe(_pos)}");
            }
        }

        // ("@User." / "@Device." / "@Resource.") 1*attr-char2, any case; "%" 4HEXDIG stands for one character.
        private CondNode? ParsePrefixedAttribute()
        {
            int start = _pos;
            CondOp kind = default;
            int prefixLength = 0;
            foreach (var (prefix, k) in CondCodec.AttributePrefixes)
            {
                if (_s[start..].StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    kind = k;
                    prefixLength = prefix.Length;
                    break;
                }
            }
            if (prefixLength == 0) return Fail(ParseErrorKind.Syntax, start, "an attribute starting with '@' must be @User., @Device. or @Resource.");
            _pos += prefixLength;
            var name = new StringBuilder();
            while (!AtEnd)
            {
                char c = Cur;
                if (c == '%')
                {
                    if (_pos + 4 >= _s.Length || !ushort.TryParse(_s.Slice(_pos + 1, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out ushort code))
                        return Fail(ParseErrorKind.Syntax, _pos, "'%' in an attribute name must be followed by four hexadecimal digits");
                    name.Append((char)code);
                    _pos += 5;
                    continue;
                }
                if (!CondCodec.IsAttrChar2(c)) break;
                name.Append(c);
                _pos++;
            }
            if (name.Length == 0) return Fail(ParseErrorKind.Missing, _pos, "the attribute name is missing after its prefix");
            return new AttributeNode(kind, name.ToString());
        }
    }

    // ----- literal readers shared with the resource attribute parser ----------------------------------------

    /// <summary>
    /// Reads an integer literal: an optional sign, then <c>0x</c> and hexadecimal digits, or <c>0</c> and octal
    /// digits, or decimal digits. The magnitude must fit 64 bits; a letter or digit glued to the number is an error.
    /// </summary>
    internal static bool TryReadInteger(ReadOnlySpan<char> s, ref int pos, out ulong magnitude, out IntegerSign sign, out IntegerBase radix, out ParseError? error)
    {
        magnitude = 0;
        sign = IntegerSign.None;
        radix = IntegerBase.Decimal;
        if (pos < s.Length && (s[pos] == '+' || s[pos] == '-'))
        {
            sign = s[pos] == '-' ? IntegerSign.Minus : IntegerSign.Plus;
            pos++;
        }
        if (pos >= s.Length || !char.IsAsciiDigit(s[pos]))
        {
            error = new ParseError(ParseErrorKind.Syntax, pos, "expected a digit", 0);
            return false;
        }
        int digitBase = 10;
        if (s[pos] == '0' && pos + 2 < s.Length && (s[pos + 1] == 'x' || s[pos + 1] == 'X') && char.IsAsciiHexDigit(s[pos + 2]))
        {
            radix = IntegerBase.Hexadecimal;
            digitBase = 16;
            pos += 2;
        }
        else if (s[pos] == '0')
        {
            // As with C's strtol, a leading 0 (zero itself included) marks octal.
            radix = IntegerBase.Octal;
            digitBase = 8;
        }
        while (pos < s.Length)
        {
            int d = s[pos] switch
            {
                >= '0' and <= '9' => s[pos] - '0',
                >= 'a' and <= 'f' => s[pos] - 'a' + 10,
                >= 'A' and <= 'F' => s[pos] - 'A' + 10,
                _ => 99,
            };
            if (d >= digitBase) break;
            if (magnitude > (ulong.MaxValue - (ulong)d) / (ulong)digitBase)
            {
                error = new ParseError(ParseErrorKind.OutOfRange, pos, "the number does not fit in 64 bits", 0);
                return false;
            }
            magnitude = (magnitude * (ulong)digitBase) + (ulong)d;
            pos++;
        }
        if (pos < s.Length && (char.IsAsciiLetterOrDigit(s[pos]) || s[pos] == '_'))
        {
            error = new ParseError(ParseErrorKind.Syntax, pos, $"'{s[pos]}' is not a digit of this {(radix == IntegerBase.Octal ? "octal" : radix == IntegerBase.Hexadecimal ? "hexadecimal" : "decimal")} number", 0);
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>The signed value of a magnitude and sign, when it fits a 64-bit signed integer.</summary>
    internal static bool TryToInt64(ulong magnitude, IntegerSign sign, out long value)
    {
        value = 0;
        if (sign == IntegerSign.Minus)
        {
            if (magnitude > 1UL << 63) return false;
            value = unchecked((long)(0UL - magnitude));
            return true;
        }
        if (magnitude > long.MaxValue) return false;
        value = (long)magnitude;
        return true;
    }

    /// <summary>
    /// Reads an octet string literal at <paramref name="pos"/>: <c>#</c>, then hexadecimal digits in which
    /// <c>#</c> stands for <c>0</c>; an odd count gets a leading 0 (the opening <c>#</c> read as a digit), so
    /// <c>##1#2#3##</c> and <c>#1#2#3##</c> are both 01 02 03 00.
    /// </summary>
    internal static bool TryReadOctets(ReadOnlySpan<char> s, ref int pos, out byte[]? bytes, out ParseError? error)
    {
        bytes = null;
        if (pos >= s.Length || s[pos] != '#')
        {
            error = new ParseError(ParseErrorKind.Syntax, pos, "an octet string starts with '#'", 0);
            return false;
        }
        pos++;
        int start = pos;
        while (pos < s.Length && (char.IsAsciiHexDigit(s[pos]) || s[pos] == '#')) pos++;
        if (pos < s.Length && (char.IsAsciiLetterOrDigit(s[pos]) || s[pos] == '_'))
        {
            error = new ParseError(ParseErrorKind.Syntax, pos, $"'{s[pos]}' is not a hexadecimal digit", 0);
            return false;
        }
        bytes = HexToBytes(s[start..pos]);
        error = null;
        return true;
    }

    /// <summary>Hexadecimal digits (with '#' as '0') to bytes, an odd count taking a leading 0.</summary>
    internal static byte[] HexToBytes(ReadOnlySpan<char> digits)
    {
        int odd = digits.Length % 2;
        var bytes = new byte[(digits.Length + odd) / 2];
        for (int i = 0; i < digits.Length; i++)
        {
            char c = digits[i];
            int v = c == '#' ? 0 : char.IsAsciiDigit(c) ? c - '0' : (char.ToLowerInvariant(c) - 'a' + 10);
            int nibble = i + odd;
            bytes[nibble / 2] |= (byte)(nibble % 2 == 0 ? v << 4 : v);
        }
        return bytes;
    }
}
