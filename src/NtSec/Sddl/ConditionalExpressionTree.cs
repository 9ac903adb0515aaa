using System.Buffers.Binary;
using System.Text;
using NtSec.Principals;

namespace NtSec.Sddl;

/// <summary>The byte codes of a conditional ACE expression (MS-DTYP 2.4.4.17.4 to 2.4.4.17.8).</summary>
internal enum CondOp : byte
{
    Padding = 0x00,
    Int8 = 0x01,
    Int16 = 0x02,
    Int32 = 0x03,
    Int64 = 0x04,
    UnicodeString = 0x10,
    OctetString = 0x18,
    Composite = 0x50,
    Sid = 0x51,
    Equal = 0x80,
    NotEqual = 0x81,
    LessThan = 0x82,
    LessThanOrEqual = 0x83,
    GreaterThan = 0x84,
    GreaterThanOrEqual = 0x85,
    Contains = 0x86,
    Exists = 0x87,
    AnyOf = 0x88,
    MemberOf = 0x89,
    DeviceMemberOf = 0x8a,
    MemberOfAny = 0x8b,
    DeviceMemberOfAny = 0x8c,
    NotExists = 0x8d,
    NotContains = 0x8e,
    NotAnyOf = 0x8f,
    NotMemberOf = 0x90,
    NotDeviceMemberOf = 0x91,
    NotMemberOfAny = 0x92,
    NotDeviceMemberOfAny = 0x93,
    And = 0xa0,
    Or = 0xa1,
    Not = 0xa2,
    LocalAttribute = 0xf8,
    UserAttribute = 0xf9,
    ResourceAttribute = 0xfa,
    DeviceAttribute = 0xfb,
}

/// <summary>The sign byte of an integer literal: it records how the number was written, not its value.</summary>
internal enum IntegerSign : byte
{
    Plus = 1,
    Minus = 2,
    None = 3,
}

/// <summary>The base byte of an integer literal.</summary>
internal enum IntegerBase : byte
{
    Octal = 1,
    Decimal = 2,
    Hexadecimal = 3,
}

/// <summary>A node of a conditional expression; <see cref="Depth"/> counts the operators above the leaves.</summary>
internal abstract record CondNode(int Depth)
{
    /// <summary>True for what may stand as a condition: an operation, or an attribute (tested for a non-zero value).</summary>
    public virtual bool IsCondition => false;
}

internal sealed record AttributeNode(CondOp Kind, string Name) : CondNode(0)
{
    public override bool IsCondition => true;
}

internal sealed record IntegerNode(CondOp Width, long Value, IntegerSign Sign, IntegerBase Base) : CondNode(0);

internal sealed record StringNode(string Value) : CondNode(0);

internal sealed record OctetStringNode(byte[] Value) : CondNode(0);

internal sealed record SidNode(Sid Value) : CondNode(0);

internal sealed record CompositeNode(IReadOnlyList<CondNode> Items) : CondNode(1);

internal sealed record UnaryNode(CondOp Op, CondNode Operand) : CondNode(Operand.Depth + 1)
{
    public override bool IsCondition => true;
}

internal sealed record BinaryNode(CondOp Op, CondNode Left, CondNode Right) : CondNode(Math.Max(Left.Depth, Right.Depth) + 1)
{
    public override bool IsCondition => true;
}

/// <summary>
/// The rules shared by the SDDL compiler and the decompiler: operator spellings, which operands each operator
/// takes, the byte encoding, and the SDDL text Windows-style output gives each node. Keeping both directions on one
/// set of rules means that whatever the decompiler prints, the compiler reads back to the same bytes.
/// </summary>
internal static class CondCodec
{
    /// <summary>How deep operators may nest: deeper trees are refused in both directions.</summary>
    public const int MaxDepth = 200;

    /// <summary>The signature that starts every conditional ACE's application data.</summary>
    public static ReadOnlySpan<byte> Signature => "artx"u8;

    /// <summary>The operators written as words, with their SDDL spelling (matched case-insensitively).</summary>
    public static readonly (string Text, CondOp Op)[] WordOperators =
    [
        ("Member_of", CondOp.MemberOf),
        ("Device_Member_of", CondOp.DeviceMemberOf),
        ("Member_of_Any", CondOp.MemberOfAny),
        ("Device_Member_of_Any", CondOp.DeviceMemberOfAny),
        ("Not_Member_of", CondOp.NotMemberOf),
        ("Not_Device_Member_of", CondOp.NotDeviceMemberOf),
        ("Not_Member_of_Any", CondOp.NotMemberOfAny),
        ("Not_Device_Member_of_Any", CondOp.NotDeviceMemberOfAny),
        ("Exists", CondOp.Exists),
        ("Not_Exists", CondOp.NotExists),
        ("Contains", CondOp.Contains),
        ("Not_Contains", CondOp.NotContains),
        ("Any_of", CondOp.AnyOf),
        ("Not_Any_of", CondOp.NotAnyOf),
    ];

    /// <summary>The attribute prefixes as read (any case) and as written (upper case, as our MS-DTYP notes report Windows does).</summary>
    public static readonly (string Prefix, CondOp Kind)[] AttributePrefixes =
    [
        ("@USER.", CondOp.UserAttribute),
        ("@DEVICE.", CondOp.DeviceAttribute),
        ("@RESOURCE.", CondOp.ResourceAttribute),
    ];

    public static bool IsMembership(CondOp op) => op is >= CondOp.MemberOf and <= CondOp.DeviceMemberOfAny
        or >= CondOp.NotMemberOf and <= CondOp.NotDeviceMemberOfAny;

    public static bool IsUnary(CondOp op) => IsMembership(op) || op is CondOp.Exists or CondOp.NotExists or CondOp.Not;

    public static bool IsLogical(CondOp op) => op is CondOp.And or CondOp.Or;

    /// <summary>The comparisons: attribute on the left, attribute or literal on the right.</summary>
    public static bool IsComparison(CondOp op) => op is >= CondOp.Equal and <= CondOp.Contains
        or CondOp.AnyOf or CondOp.NotContains or CondOp.NotAnyOf;

    /// <summary>The comparisons that take only a single value, never a <c>{...}</c> list (MS-DTYP rel-op).</summary>
    public static bool IsScalarOnly(CondOp op) => op is >= CondOp.LessThan and <= CondOp.GreaterThanOrEqual;

    public static bool IsBinary(CondOp op) => IsLogical(op) || IsComparison(op);

    public static bool IsAttribute(byte code) => code is >= (byte)CondOp.LocalAttribute and <= (byte)CondOp.DeviceAttribute;

    /// <summary>The SDDL spelling of an operator.</summary>
    public static string Text(CondOp op)
    {
        switch (op)
        {
            case CondOp.Equal: return "==";
            case CondOp.NotEqual: return "!=";
            case CondOp.LessThan: return "<";
            case CondOp.LessThanOrEqual: return "<=";
            case CondOp.GreaterThan: return ">";
            case CondOp.GreaterThanOrEqual: return ">=";
            case CondOp.And: return "&&";
            case CondOp.Or: return "||";
            case CondOp.Not: return "!";
        }
        foreach (var (text, o) in WordOperators)
            if (o == op) return text;
        return $"0x{(byte)op:x2}";
    }

    // ----- operand rules ------------------------------------------------------------------------------------

    // Windows' conditional SDDL parser is syntactic (issue 16; the conditional_aces corpus compiles "Any_of 1",
    // "{...}" lists with one value, SIDs outside membership operators): it checks the shape of an expression, not
    // the types of its operands, which surface at evaluation as UNKNOWN. What is still refused is what has no
    // byte-code shape: a condition (an operator's result) where a value belongs, a literal where a condition
    // belongs, Exists on anything but an attribute, a membership operator on anything but SID(...) or a {...}
    // list, and a bare (local) name on the right of a comparison, which MS-DTYP's grammar does not produce.

    /// <summary>Why <paramref name="op"/> cannot take <paramref name="operand"/>, or null when it can.</summary>
    public static string? CheckUnary(CondOp op, CondNode operand)
    {
        if (op == CondOp.Not)
            return operand.IsCondition ? null : "'!' applies to a condition or an attribute, not to a literal";
        if (op is CondOp.Exists or CondOp.NotExists)
            return operand is AttributeNode ? null : $"{Text(op)} takes an attribute name";
        // MS-DTYP 2.4.4.17.6: a SID literal or a composite (of SIDs, which evaluation checks).
        return operand is SidNode or CompositeNode ? null : $"{Text(op)} takes SID(...) or a {{...}} list of SID(...)";
    }

    /// <summary>Why the binary operator cannot take these operands: (reason, 1 for the left operand, 2 for the right), or null.</summary>
    public static (string Reason, int Side)? CheckBinary(CondOp op, CondNode left, CondNode right)
    {
        if (IsLogical(op))
        {
            if (!left.IsCondition) return ($"the left operand of '{Text(op)}' must be a condition or an attribute, not a literal", 1);
            if (!right.IsCondition) return ($"the right operand of '{Text(op)}' must be a condition or an attribute, not a literal", 2);
            return null;
        }
        if (left is not (AttributeNode or IntegerNode or StringNode or OctetStringNode or SidNode or CompositeNode))
            return ($"the left side of '{Text(op)}' must be an attribute or a literal, not an operation", 1);
        return right switch
        {
            // MS-DTYP's grammar allows only the prefixed name form (attr-name2) on the right.
            AttributeNode { Kind: CondOp.LocalAttribute } => ($"an attribute on the right of '{Text(op)}' must be written @User., @Device. or @Resource.", 2),
            AttributeNode or IntegerNode or StringNode or OctetStringNode or SidNode or CompositeNode => null,
            _ => ($"the right side of '{Text(op)}' must be an attribute or a literal, not an operation", 2),
        };
    }

    // ----- encoding -----------------------------------------------------------------------------------------

    /// <summary>"artx" followed by the postfix byte code of <paramref name="root"/>, zero-padded to 4 bytes.</summary>
    public static byte[] Encode(CondNode root)
    {
        var buffer = new ByteBuffer();
        buffer.Append(Signature);
        Emit(root, buffer);
        buffer.PadTo4();
        return buffer.ToArray();
    }

    private static void Emit(CondNode node, ByteBuffer b)
    {
        switch (node)
        {
            case AttributeNode a:
                b.Add((byte)a.Kind);
                b.AppendString(a.Name);
                break;
            case IntegerNode i:
                b.Add((byte)i.Width);
                b.AppendInt64(i.Value);
                b.Add((byte)i.Sign);
                b.Add((byte)i.Base);
                break;
            case StringNode s:
                b.Add((byte)CondOp.UnicodeString);
                b.AppendString(s.Value);
                break;
            case OctetStringNode o:
                b.Add((byte)CondOp.OctetString);
                b.AppendUInt32((uint)o.Value.Length);
                b.Append(o.Value);
                break;
            case SidNode sid:
                b.Add((byte)CondOp.Sid);
                b.AppendUInt32((uint)sid.Value.BinaryLength);
                b.Append(sid.Value.BinaryForm);
                break;
            case CompositeNode c:
                b.Add((byte)CondOp.Composite);
                int lengthAt = b.Count;
                b.AppendUInt32(0);
                foreach (var item in c.Items) Emit(item, b);
                b.PatchUInt32(lengthAt, (uint)(b.Count - lengthAt - 4));
                break;
            case UnaryNode u:
                Emit(u.Operand, b);
                b.Add((byte)u.Op);
                break;
            case BinaryNode bin:
                Emit(bin.Left, b);
                Emit(bin.Right, b);
                b.Add((byte)bin.Op);
                break;
        }
    }

    // ----- decoding -----------------------------------------------------------------------------------------

    /// <summary>
    /// Rebuilds the tree from application data. Fails, without throwing, on a missing signature, a truncated or
    /// unknown token, an operator short of operands, operands the operator does not take (the same rules the
    /// compiler applies), more than one expression left over, non-zero bytes after the trailing padding, or a tree
    /// deeper than <see cref="MaxDepth"/>.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, out CondNode? root)
    {
        root = null;
        if (data.Length < Signature.Length || !data.StartsWith(Signature)) return false;
        var code = data[Signature.Length..];
        var stack = new List<CondNode>();
        int pos = 0;
        while (pos < code.Length)
        {
            byte b = code[pos];
            if (b == (byte)CondOp.Padding)
            {
                // Padding only ends the expression: nothing but zeros may follow it.
                if (code[pos..].ContainsAnyExcept((byte)0)) return false;
                break;
            }
            var op = (CondOp)b;
            if (IsUnary(op))
            {
                pos++;
                if (stack.Count < 1) return false;
                var operand = Pop(stack);
                if (CheckUnary(op, operand) is not null) return false;
                stack.Add(new UnaryNode(op, operand));
            }
            else if (IsBinary(op))
            {
                pos++;
                if (stack.Count < 2) return false;
                var right = Pop(stack);
                var left = Pop(stack);
                if (CheckBinary(op, left, right) is not null) return false;
                stack.Add(new BinaryNode(op, left, right));
            }
            else
            {
                if (!TryReadOperand(code, ref pos, inComposite: false, out var operand)) return false;
                stack.Add(operand!);
            }
            if (stack[^1].Depth > MaxDepth) return false;
        }
        if (stack.Count != 1 || !stack[0].IsCondition) return false;
        root = stack[0];
        return true;
    }

    private static CondNode Pop(List<CondNode> stack)
    {
        var node = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return node;
    }

    private static bool TryReadOperand(ReadOnlySpan<byte> code, ref int pos, bool inComposite, out CondNode? node)
    {
        node = null;
        byte b = code[pos];
        var rest = code[(pos + 1)..];
        switch (b)
        {
            case (byte)CondOp.Int8:
            case (byte)CondOp.Int16:
            case (byte)CondOp.Int32:
            case (byte)CondOp.Int64:
                {
                    if (rest.Length < 10) return false;
                    long value = BinaryPrimitives.ReadInt64LittleEndian(rest);
                    byte sign = rest[8], radix = rest[9];
                    if (sign is < 1 or > 3 || radix is < 1 or > 3) return false;
                    node = new IntegerNode((CondOp)b, value, (IntegerSign)sign, (IntegerBase)radix);
                    pos += 11;
                    return true;
                }
            case (byte)CondOp.UnicodeString:
                {
                    if (!TryReadCounted(rest, out var bytes) || bytes.Length % 2 != 0) return false;
                    node = new StringNode(Utf16Le.GetString(bytes));
                    pos += 5 + bytes.Length;
                    return true;
                }
            case (byte)CondOp.OctetString:
                {
                    if (!TryReadCounted(rest, out var bytes)) return false;
                    node = new OctetStringNode(bytes.ToArray());
                    pos += 5 + bytes.Length;
                    return true;
                }
            case (byte)CondOp.Sid:
                {
                    if (!TryReadCounted(rest, out var bytes)) return false;
                    if (!Sid.TryRead(bytes, out var sid, out int read, out _) || read != bytes.Length) return false;
                    node = new SidNode(sid);
                    pos += 5 + bytes.Length;
                    return true;
                }
            case (byte)CondOp.Composite when !inComposite:
                {
                    if (!TryReadCounted(rest, out var bytes)) return false;
                    var items = new List<CondNode>();
                    int inner = 0;
                    while (inner < bytes.Length)
                    {
                        // A composite holds literals only: no attributes, operators, padding or nested lists.
                        byte itemCode = bytes[inner];
                        if (itemCode is not ((>= 0x01 and <= 0x04) or 0x10 or 0x18 or 0x51)) return false;
                        if (!TryReadOperand(bytes, ref inner, inComposite: true, out var item)) return false;
                        items.Add(item!);
                    }
                    node = new CompositeNode(items);
                    pos += 5 + bytes.Length;
                    return true;
                }
            case >= (byte)CondOp.LocalAttribute and <= (byte)CondOp.DeviceAttribute when !inComposite:
                {
                    if (!TryReadCounted(rest, out var bytes) || bytes.Length % 2 != 0 || bytes.Length == 0) return false;
                    node = new AttributeNode((CondOp)b, Utf16Le.GetString(bytes));
                    pos += 5 + bytes.Length;
                    return true;
                }
            default:
                return false;
        }
    }

    // A 4-byte little-endian length, then that many bytes.
    private static bool TryReadCounted(ReadOnlySpan<byte> source, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (source.Length < 4) return false;
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(source);
        if (length > (uint)(source.Length - 4)) return false;
        bytes = source.Slice(4, (int)length);
        return true;
    }

    // ----- SDDL text ----------------------------------------------------------------------------------------

    /// <summary>
    /// Writes the expression as SDDL. No Windows output of a condition has been observed, so the layout is a choice
    /// that stays inside MS-DTYP's grammar: outer parentheses, every operation that is an operand of another in its own
    /// parentheses (a negation already has them: <c>!(...)</c>), single spaces around binary operators, <c>!(...)</c>, <c>Member_of {SID(BA), SID(WD)}</c>,
    /// prefixes in upper case. Fails for what SDDL cannot spell and the compiler could not read back: a string
    /// holding a double quote, a local attribute name outside the attr-name1 alphabet, a sign byte that
    /// contradicts the value.
    /// </summary>
    public static bool TryFormat(CondNode root, SidContext? context, out string text)
    {
        var sb = new StringBuilder();
        sb.Append('(');
        bool ok = AppendNode(sb, root, context);
        sb.Append(')');
        text = ok ? sb.ToString() : "";
        return ok;
    }

    private static bool AppendOperand(StringBuilder sb, CondNode node, SidContext? context)
    {
        // "!(...)" carries its own parentheses; every other operation gets a pair when it is an operand.
        if (node is BinaryNode || node is UnaryNode { Op: not CondOp.Not })
        {
            sb.Append('(');
            bool ok = AppendNode(sb, node, context);
            sb.Append(')');
            return ok;
        }
        return AppendNode(sb, node, context);
    }

    private static bool AppendNode(StringBuilder sb, CondNode node, SidContext? context)
    {
        switch (node)
        {
            case UnaryNode { Op: CondOp.Not } u:
                // MS-DTYP writes negation as "!" "(" cond-expr ")": the parentheses are always there.
                sb.Append("!(");
                if (!AppendNode(sb, u.Operand, context)) return false;
                sb.Append(')');
                return true;
            case UnaryNode u:
                sb.Append(Text(u.Op)).Append(' ');
                return AppendOperand(sb, u.Operand, context);
            case BinaryNode b:
                if (!AppendOperand(sb, b.Left, context)) return false;
                sb.Append(' ').Append(Text(b.Op)).Append(' ');
                return AppendOperand(sb, b.Right, context);
            case AttributeNode a:
                return AppendAttribute(sb, a);
            case IntegerNode i:
                return AppendInteger(sb, i);
            case StringNode s:
                if (s.Value.Contains('"')) return false;
                sb.Append('"').Append(s.Value).Append('"');
                return true;
            case OctetStringNode o:
                sb.Append('#').Append(Convert.ToHexStringLower(o.Value));
                return true;
            case SidNode sid:
                sb.Append("SID(").Append(SddlWriter.FormatSid(sid.Value, context)).Append(')');
                return true;
            case CompositeNode c:
                sb.Append('{');
                for (int k = 0; k < c.Items.Count; k++)
                {
                    if (k > 0) sb.Append(", ");
                    if (!AppendNode(sb, c.Items[k], context)) return false;
                }
                sb.Append('}');
                return true;
            default:
                return false;
        }
    }

    private static bool AppendAttribute(StringBuilder sb, AttributeNode a)
    {
        if (a.Kind == CondOp.LocalAttribute)
        {
            // A bare name must read back as a name: attr-name1 characters, not starting with a digit (that reads
            // as a number), and not an operator keyword.
            if (!IsLocalName(a.Name)) return false;
            sb.Append(a.Name);
            return true;
        }
        foreach (var (prefix, kind) in AttributePrefixes)
        {
            if (kind != a.Kind) continue;
            sb.Append(prefix);
            foreach (char c in a.Name)
            {
                // attr-char2 admits "%" 4HEXDIG for any other character.
                if (IsAttrChar2(c)) sb.Append(c);
                else sb.Append('%').Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            return true;
        }
        return false;
    }

    /// <summary>True when <paramref name="name"/> can be written bare (as a local attribute) and read back.</summary>
    public static bool IsLocalName(string name)
    {
        if (name.Length == 0 || !IsAttrChar1(name[0]) || char.IsAsciiDigit(name[0])) return false;
        foreach (char c in name)
            if (!IsAttrChar1(c) && c != '@') return false;
        foreach (var (text, _) in WordOperators)
            if (name.Equals(text, StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }

    private static bool AppendInteger(StringBuilder sb, IntegerNode i)
    {
        ulong magnitude;
        switch (i.Sign)
        {
            case IntegerSign.Minus:
                if (i.Value > 0) return false;
                magnitude = unchecked(0UL - (ulong)i.Value);
                sb.Append('-');
                break;
            default:
                if (i.Value < 0) return false;
                magnitude = (ulong)i.Value;
                if (i.Sign == IntegerSign.Plus) sb.Append('+');
                break;
        }
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        switch (i.Base)
        {
            case IntegerBase.Hexadecimal:
                sb.Append("0x").Append(magnitude.ToString("x", inv));
                break;
            case IntegerBase.Octal:
                // A leading 0 marks octal; zero itself is just "0".
                sb.Append('0');
                if (magnitude != 0) sb.Append(ToOctal(magnitude));
                break;
            default:
                sb.Append(magnitude.ToString(inv));
                break;
        }
        return true;
    }

    private static string ToOctal(ulong value)
    {
        Span<char> digits = stackalloc char[22];
        int n = digits.Length;
        do
        {
            digits[--n] = (char)('0' + (int)(value & 7));
            value >>= 3;
        }
        while (value != 0);
        return new string(digits[n..]);
    }

    // ----- character classes (MS-DTYP 2.5.1.1) --------------------------------------------------------------

    /// <summary>attr-char1: ASCII letters and digits, ':', '.', '/', '_'.</summary>
    public static bool IsAttrChar1(char c) => char.IsAsciiLetterOrDigit(c) || c is ':' or '.' or '/' or '_';

    /// <summary>lit-char without its "%" escape form.</summary>
    public static bool IsLitChar(char c) => c >= '\u0080'
        || c is '#' or '$' or '\'' or '*' or '+' or '-' or '.' or '/' or ':' or ';' or '?' or '@' or '[' or '\\' or ']' or '^' or '_' or '`' or '{' or '}' or '~';

    /// <summary>attr-char2 without its "%" escape form.</summary>
    public static bool IsAttrChar2(char c) => IsAttrChar1(c) || IsLitChar(c);

    /// <summary>A small growable byte buffer that can patch a length written earlier.</summary>
    private sealed class ByteBuffer
    {
        private byte[] _bytes = new byte[64];

        public int Count { get; private set; }

        private Span<byte> Grow(int n)
        {
            if (Count + n > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Count + n));
            var span = _bytes.AsSpan(Count, n);
            Count += n;
            return span;
        }

        public void Add(byte b) => Grow(1)[0] = b;

        public void Append(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));

        public void AppendUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);

        public void AppendInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Grow(8), value);

        public void AppendString(string value)
        {
            AppendUInt32((uint)(2 * value.Length));
            Utf16Le.Write(Grow(2 * value.Length), value);
        }

        public void PatchUInt32(int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(at), value);

        public void PadTo4()
        {
            while (Count % 4 != 0) Add(0);
        }

        public byte[] ToArray() => _bytes.AsSpan(0, Count).ToArray();
    }
}
