using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NtSec.Acls;
using NtSec.Claims;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Authorization.Conditions;

/// <summary>
/// Evaluates the conditional expression of a callback ACE (MS-DTYP 2.4.4.17) as Windows does, straight from its
/// byte code: a stack machine over the postfix tokens, never recursive, with a work budget, so that any byte code
/// ends in time linear in its size (plus the size of the value lists it compares) and never overflows the stack.
/// See docs/conditions.md for every rule and its evidence.
/// </summary>
public static class ConditionEvaluator
{
    /// <summary>How many value comparisons one evaluation may make before it gives up as UNKNOWN.</summary>
    public const int WorkBudget = 1 << 22;

    private const int StackOperands = 32;

    /// <summary>Evaluates the application data of a callback ACE.</summary>
    /// <param name="applicationData">The ACE's application data ("artx" and byte code); anything else is UNKNOWN.</param>
    /// <param name="token">The client: its user claims, device claims, groups and device groups.</param>
    /// <param name="sacl">The object's SACL, whose RA ACEs are the <c>@Resource.</c> attributes; null for none.</param>
    /// <param name="denyAce">True when the condition belongs to a deny ACE: deny-only SIDs and claims then count.</param>
    /// <param name="localAttributes">Local attributes (bare names), as AuthzAccessCheck passes them; null for none.</param>
    /// <param name="trace">Collects every operator's value and reason; null (the default) records nothing.</param>
    public static ConditionValue Evaluate(
        ReadOnlySpan<byte> applicationData,
        Token token,
        Acl? sacl,
        bool denyAce,
        IReadOnlyList<ClaimSecurityAttribute>? localAttributes = null,
        ConditionTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(token);
        var machine = new Machine(applicationData, token, sacl, denyAce, localAttributes, trace);
        var value = machine.Run(out var reason);
        if (trace is not null)
        {
            trace.Value = value;
            trace.Reason = reason;
        }
        return value;
    }

    /// <summary>Whether a callback ACE whose condition has <paramref name="value"/> applies: an allow ACE when TRUE, a deny ACE unless FALSE.</summary>
    public static bool Applies(ConditionValue value, bool denyAce) => denyAce ? value != ConditionValue.False : value == ConditionValue.True;

    // ----- operands -------------------------------------------------------------------------------------------

    internal enum Kind : byte
    {
        Result,
        Attribute,
        Integer,
        String,
        Octet,
        Sid,
        Composite,
    }

    // Unmanaged, so the stack can live in stackalloc'd or pooled memory: literals point into the byte code,
    // attributes into the token's claim lists or the SACL.
    internal struct Operand
    {
        public Kind Kind;
        public ConditionValue Value;
        public bool FromNegatedAttribute;
        public ConditionAttributeSource Source;
        public bool Found;
        public bool CaseSensitive;
        public ClaimValueType ValueType;
        public int Index;      // claim index (token, local) or ACE index (resource)
        public int Count;      // values held
        public int Start;      // literal payload / composite body / attribute name: offset in the code
        public int Length;
        public long Integer;
    }

    internal enum ScalarKind : byte
    {
        Int64,
        UInt64,
        Boolean,
        String,
        Octet,
        Sid,
        Fqbn,
        Invalid,
    }

    internal ref struct Scalar
    {
        public ScalarKind Kind;
        public long Bits;
        public ReadOnlySpan<char> Text;
        public ReadOnlySpan<byte> Bytes;
    }

    private ref struct Machine
    {
        private readonly ReadOnlySpan<byte> _code;
        private readonly Token _token;
        private readonly Acl? _sacl;
        private readonly bool _deny;
        private readonly IReadOnlyList<ClaimSecurityAttribute>? _local;
        private readonly ConditionTrace? _trace;
        private long _work;
        private bool _exhausted;

        public Machine(ReadOnlySpan<byte> data, Token token, Acl? sacl, bool deny, IReadOnlyList<ClaimSecurityAttribute>? local, ConditionTrace? trace)
        {
            _code = data;
            _token = token;
            _sacl = sacl;
            _deny = deny;
            _local = local;
            _trace = trace;
            _work = 0;
            _exhausted = false;
        }

        public ConditionValue Run(out ConditionReason reason)
        {
            reason = ConditionReason.Malformed;
            if (_code.Length < 4 || !_code.StartsWith("artx"u8)) return ConditionValue.Unknown;
            // Every operand token takes at least 5 bytes, so this bounds the stack.
            int capacity = ((_code.Length - 4) / 5) + 1;
            Operand[]? rented = null;
            Span<Operand> stack = capacity <= StackOperands ? stackalloc Operand[StackOperands] : (rented = ArrayPool<Operand>.Shared.Rent(capacity));
            try
            {
                return Execute(stack, out reason);
            }
            finally
            {
                if (rented is not null) ArrayPool<Operand>.Shared.Return(rented);
            }
        }

        private ConditionValue Execute(scoped Span<Operand> stack, out ConditionReason reason)
        {
            reason = ConditionReason.Malformed;
            int sp = 0;
            int pos = 4;
            while (pos < _code.Length)
            {
                byte b = _code[pos];
                if (b == 0x00)
                {
                    // Padding ends the expression; nothing but zeros may follow.
                    if (_code[pos..].ContainsAnyExcept((byte)0)) return ConditionValue.Unknown;
                    break;
                }
                int opPos = pos;
                if (IsUnary(b))
                {
                    pos++;
                    if (sp < 1) return ConditionValue.Unknown;
                    var operand = stack[sp - 1];
                    stack[sp - 1] = Unary(b, in operand, opPos);
                }
                else if (IsBinary(b))
                {
                    pos++;
                    if (sp < 2) return ConditionValue.Unknown;
                    var left = stack[sp - 2];
                    var right = stack[sp - 1];
                    sp--;
                    stack[sp - 1] = Binary(b, in left, in right, opPos);
                }
                else
                {
                    if (sp >= stack.Length || !TryReadOperand(ref pos, out stack[sp])) return ConditionValue.Unknown;
                    sp++;
                }
                if (_exhausted)
                {
                    reason = ConditionReason.TooComplex;
                    return ConditionValue.Unknown;
                }
            }
            if (sp != 1) return ConditionValue.Unknown;
            var root = stack[0];
            if (root.Kind == Kind.Result)
            {
                reason = ConditionReason.Evaluated;
                return root.Value;
            }
            // A bare attribute stands for "has a non-zero value".
            if (_trace is not null) _trace.Root = Describe(in root);
            var v = ToBoolean(in root, out reason);
            return v;
        }

        private static bool IsUnary(byte b) => b is 0x87 or 0x8d or (>= 0x89 and <= 0x8c) or (>= 0x90 and <= 0x93) or 0xa2;

        private static bool IsBinary(byte b) => b is (>= 0x80 and <= 0x86) or 0x88 or 0x8e or 0x8f or 0xa0 or 0xa1;

        // ----- reading tokens ---------------------------------------------------------------------------------

        private readonly bool TryCounted(int at, out int start, out int length)
        {
            start = at + 4;
            length = 0;
            if (at > _code.Length - 4) return false;
            uint n = BinaryPrimitives.ReadUInt32LittleEndian(_code[at..]);
            if (n > (uint)(_code.Length - start)) return false;
            length = (int)n;
            return true;
        }

        private bool TryReadOperand(ref int pos, out Operand op)
        {
            op = default;
            byte b = _code[pos];
            switch (b)
            {
                case >= 0x01 and <= 0x04:
                    if (pos > _code.Length - 11) return false;
                    byte sign = _code[pos + 9], radix = _code[pos + 10];
                    if (sign is < 1 or > 3 || radix is < 1 or > 3) return false;
                    op.Kind = Kind.Integer;
                    op.Integer = BinaryPrimitives.ReadInt64LittleEndian(_code[(pos + 1)..]);
                    op.Count = 1;
                    op.Start = pos + 1;
                    op.Length = 8;
                    pos += 11;
                    return true;
                case 0x10:
                case 0x18:
                case 0x51:
                    {
                        if (!TryCounted(pos + 1, out int start, out int length)) return false;
                        if (b == 0x10 && length % 2 != 0) return false;
                        if (b == 0x51 && !IsSid(_code.Slice(start, length))) return false;
                        op.Kind = b == 0x10 ? Kind.String : b == 0x18 ? Kind.Octet : Kind.Sid;
                        op.Start = start;
                        op.Length = length;
                        op.Count = 1;
                        pos = start + length;
                        return true;
                    }
                case 0x50:
                    {
                        if (!TryCounted(pos + 1, out int start, out int length)) return false;
                        // A list holds literals only: no attributes, operators or nested lists.
                        int count = 0, inner = start, end = start + length;
                        while (inner < end)
                        {
                            if (!TrySkipLiteral(ref inner, end)) return false;
                            count++;
                        }
                        op.Kind = Kind.Composite;
                        op.Start = start;
                        op.Length = length;
                        op.Count = count;
                        pos = end;
                        return true;
                    }
                case >= 0xf8 and <= 0xfb:
                    {
                        if (!TryCounted(pos + 1, out int start, out int length) || length == 0 || length % 2 != 0) return false;
                        op.Kind = Kind.Attribute;
                        op.Start = start;
                        op.Length = length;
                        op.Source = b switch
                        {
                            0xf8 => ConditionAttributeSource.Local,
                            0xf9 => ConditionAttributeSource.User,
                            0xfa => ConditionAttributeSource.Resource,
                            _ => ConditionAttributeSource.Device,
                        };
                        Resolve(ref op, Chars(_code.Slice(start, length)));
                        pos = start + length;
                        return true;
                    }
                default:
                    return false;
            }
        }

        private readonly bool TrySkipLiteral(ref int pos, int end)
        {
            byte b = _code[pos];
            if (b is >= 0x01 and <= 0x04)
            {
                if (pos > end - 11) return false;
                byte sign = _code[pos + 9], radix = _code[pos + 10];
                if (sign is < 1 or > 3 || radix is < 1 or > 3) return false;
                pos += 11;
                return true;
            }
            if (b is not (0x10 or 0x18 or 0x51)) return false;
            if (!TryCounted(pos + 1, out int start, out int length) || start + length > end) return false;
            if (b == 0x10 && length % 2 != 0) return false;
            if (b == 0x51 && !IsSid(_code.Slice(start, length))) return false;
            pos = start + length;
            return true;
        }

        private static bool IsSid(ReadOnlySpan<byte> bytes) => bytes.Length >= 8 && bytes[0] == 1 && bytes.Length == 8 + (4 * bytes[1]) && bytes[1] <= Sid.MaxSubAuthorities;

        internal static ReadOnlySpan<char> Chars(ReadOnlySpan<byte> utf16) => MemoryMarshal.Cast<byte, char>(utf16);

        // ----- attribute lookup ---------------------------------------------------------------------------------

        private readonly void Resolve(ref Operand op, ReadOnlySpan<char> name)
        {
            op.Index = -1;
            switch (op.Source)
            {
                case ConditionAttributeSource.User:
                    FindClaim(ref op, _token.UserClaims.AsSpan(), name);
                    break;
                case ConditionAttributeSource.Device:
                    FindClaim(ref op, _token.DeviceClaims.AsSpan(), name);
                    break;
                case ConditionAttributeSource.Local:
                    if (_local is not null)
                    {
                        for (int i = _local.Count - 1; i >= 0; i--)
                        {
                            if (!Usable(_local[i].Flags) || WindowsUpcase.Compare(_local[i].Name, name) != 0) continue;
                            Set(ref op, i, _local[i]);
                            break;
                        }
                    }
                    break;
                default:
                    if (_sacl is null) break;
                    var aces = _sacl.Aces;
                    for (int i = 0; i < aces.Length; i++)
                    {
                        var ace = aces[i];
                        if (ace.Type != AceType.SystemResourceAttribute || ace.IsRaw || ace.IsInheritOnly) continue;
                        var block = ace.ApplicationData;
                        if (!RelativeClaim.TryHeader(block, out var type, out var flags, out int count, out var attrName)) continue;
                        if (WindowsUpcase.Compare(attrName, name) != 0) continue;
                        // The first RA ACE of a name is the object's attribute.
                        if (!Usable(flags)) break;
                        op.Found = true;
                        op.Index = i;
                        op.ValueType = type;
                        op.Count = count;
                        op.CaseSensitive = (flags & ClaimSecurityAttributeFlags.ValueCaseSensitive) != 0;
                        break;
                    }
                    break;
            }
        }

        // A disabled claim is not there; a deny-only claim is there for deny ACEs only.
        private readonly bool Usable(ClaimSecurityAttributeFlags flags)
            => (flags & ClaimSecurityAttributeFlags.Disabled) == 0 && (_deny || (flags & ClaimSecurityAttributeFlags.UseForDenyOnly) == 0);

        private readonly void FindClaim(ref Operand op, ReadOnlySpan<ClaimSecurityAttribute> claims, ReadOnlySpan<char> name)
        {
            // When a name is given twice, the last one counts, as Windows builds a token from a PAC.
            for (int i = claims.Length - 1; i >= 0; i--)
            {
                if (WindowsUpcase.Compare(claims[i].Name, name) != 0) continue;
                if (Usable(claims[i].Flags)) Set(ref op, i, claims[i]);
                return;
            }
        }

        private static void Set(ref Operand op, int index, ClaimSecurityAttribute claim)
        {
            op.Found = true;
            op.Index = index;
            op.ValueType = claim.ValueType;
            op.Count = claim.Values.Count;
            op.CaseSensitive = (claim.Flags & ClaimSecurityAttributeFlags.ValueCaseSensitive) != 0;
        }

        // ----- values -------------------------------------------------------------------------------------------

        private static bool IsValue(in Operand op) => op.Kind != Kind.Result;

        private static bool IsMissing(in Operand op) => op.Kind == Kind.Attribute && (!op.Found || op.Count == 0);

        private static ConditionReason MissingReason(in Operand op) => op.Found ? ConditionReason.AttributeHasNoValue : ConditionReason.AttributeMissing;

        private bool Spend(long units)
        {
            _work += units;
            if (_work > WorkBudget) _exhausted = true;
            return !_exhausted;
        }

        private readonly Scalar Get(in Operand op, int i)
        {
            var s = default(Scalar);
            switch (op.Kind)
            {
                case Kind.Integer:
                    s.Kind = ScalarKind.Int64;
                    s.Bits = op.Integer;
                    return s;
                case Kind.String:
                    s.Kind = ScalarKind.String;
                    s.Text = Chars(_code.Slice(op.Start, op.Length));
                    return s;
                case Kind.Octet:
                case Kind.Sid:
                    s.Kind = op.Kind == Kind.Octet ? ScalarKind.Octet : ScalarKind.Sid;
                    s.Bytes = _code.Slice(op.Start, op.Length);
                    return s;
                case Kind.Composite:
                    {
                        int p = op.Start, end = op.Start + op.Length;
                        for (int k = 0; k < i; k++) SkipLiteral(ref p);
                        return LiteralAt(p, end);
                    }
                case Kind.Attribute:
                    if (op.Source == ConditionAttributeSource.Resource)
                    {
                        var block = _sacl!.Aces[op.Index].ApplicationData;
                        return RelativeClaim.TryValue(block, op.ValueType, i, out s) ? s : new Scalar { Kind = ScalarKind.Invalid };
                    }
                    var claim = op.Source switch
                    {
                        ConditionAttributeSource.User => _token.UserClaims[op.Index],
                        ConditionAttributeSource.Device => _token.DeviceClaims[op.Index],
                        _ => _local![op.Index],
                    };
                    return FromClaim(claim.Values[i]);
                default:
                    s.Kind = ScalarKind.Invalid;
                    return s;
            }
        }

        private readonly void SkipLiteral(ref int p)
        {
            byte b = _code[p];
            if (b is >= 0x01 and <= 0x04) p += 11;
            else p += 5 + (int)BinaryPrimitives.ReadUInt32LittleEndian(_code[(p + 1)..]);
        }

        private readonly Scalar LiteralAt(int p, int end)
        {
            var s = default(Scalar);
            byte b = _code[p];
            if (b is >= 0x01 and <= 0x04)
            {
                s.Kind = ScalarKind.Int64;
                s.Bits = BinaryPrimitives.ReadInt64LittleEndian(_code[(p + 1)..]);
                return s;
            }
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(_code[(p + 1)..]);
            var payload = _code.Slice(p + 5, Math.Min(length, end - p - 5));
            switch (b)
            {
                case 0x10:
                    s.Kind = ScalarKind.String;
                    s.Text = Chars(payload);
                    break;
                case 0x18:
                    s.Kind = ScalarKind.Octet;
                    s.Bytes = payload;
                    break;
                default:
                    s.Kind = ScalarKind.Sid;
                    s.Bytes = payload;
                    break;
            }
            return s;
        }

        private static Scalar FromClaim(object value)
        {
            var s = default(Scalar);
            switch (value)
            {
                case long l:
                    s.Kind = ScalarKind.Int64;
                    s.Bits = l;
                    break;
                case ulong u:
                    s.Kind = ScalarKind.UInt64;
                    s.Bits = unchecked((long)u);
                    break;
                case bool b:
                    s.Kind = ScalarKind.Boolean;
                    s.Bits = b ? 1 : 0;
                    break;
                case string t:
                    s.Kind = ScalarKind.String;
                    s.Text = t;
                    break;
                case Sid sid:
                    s.Kind = ScalarKind.Sid;
                    s.Bytes = sid.BinaryForm;
                    break;
                case ReadOnlyMemory<byte> m:
                    s.Kind = ScalarKind.Octet;
                    s.Bytes = m.Span;
                    break;
                case FqbnValue f:
                    s.Kind = ScalarKind.Fqbn;
                    s.Bits = unchecked((long)f.Version);
                    s.Text = f.Name;
                    break;
                default:
                    s.Kind = ScalarKind.Invalid;
                    break;
            }
            return s;
        }

        private static int Family(ScalarKind k) => k switch
        {
            ScalarKind.Int64 or ScalarKind.UInt64 => 1,
            ScalarKind.Boolean => 2,
            ScalarKind.String => 3,
            ScalarKind.Octet => 4,
            ScalarKind.Sid => 5,
            ScalarKind.Fqbn => 6,
            _ => 0,
        };

        // Compares two values of one family; false when they cannot be compared.
        private static bool TryCompare(in Scalar a, in Scalar b, bool caseSensitive, out int order)
        {
            order = 0;
            int fa = Family(a.Kind);
            if (fa == 0 || fa != Family(b.Kind)) return false;
            switch (fa)
            {
                case 1:
                    if (a.Kind == b.Kind)
                    {
                        order = a.Kind == ScalarKind.Int64 ? a.Bits.CompareTo(b.Bits) : ((ulong)a.Bits).CompareTo((ulong)b.Bits);
                    }
                    else if (a.Kind == ScalarKind.Int64)
                    {
                        order = a.Bits < 0 ? -1 : ((ulong)a.Bits).CompareTo((ulong)b.Bits);
                    }
                    else
                    {
                        order = b.Bits < 0 ? 1 : ((ulong)a.Bits).CompareTo((ulong)b.Bits);
                    }
                    break;
                case 2:
                    order = a.Bits.CompareTo(b.Bits);
                    break;
                case 3:
                    order = caseSensitive ? WindowsUpcase.CompareOrdinal(a.Text, b.Text) : WindowsUpcase.Compare(a.Text, b.Text);
                    break;
                case 6:
                    order = caseSensitive ? WindowsUpcase.CompareOrdinal(a.Text, b.Text) : WindowsUpcase.Compare(a.Text, b.Text);
                    if (order == 0) order = ((ulong)a.Bits).CompareTo((ulong)b.Bits);
                    break;
                default:
                    order = a.Bytes.SequenceCompareTo(b.Bytes);
                    break;
            }
            order = Math.Sign(order);
            return true;
        }

        // Every value on both sides must be comparable with every other: one family throughout.
        private bool SameFamily(in Operand a, in Operand b)
        {
            int family = 0;
            return FamilyOf(in a, ref family) && FamilyOf(in b, ref family);
        }

        private bool FamilyOf(in Operand op, ref int family)
        {
            for (int i = 0; i < op.Count; i++)
            {
                if (!Spend(1 + (op.Kind == Kind.Composite ? i : 0))) return false;
                var v = Get(in op, i);
                int f = Family(v.Kind);
                if (f == 0) return false;
                if (family == 0) family = f;
                else if (f != family) return false;
            }
            return true;
        }

        private bool Equal(in Operand a, int i, in Operand b, int j, bool caseSensitive)
        {
            if (!Spend(1 + (a.Kind == Kind.Composite ? i : 0) + (b.Kind == Kind.Composite ? j : 0))) return false;
            var x = Get(in a, i);
            var y = Get(in b, j);
            return TryCompare(in x, in y, caseSensitive, out int order) && order == 0;
        }

        private bool Contains(in Operand set, in Operand value, int j, bool caseSensitive)
        {
            for (int i = 0; i < set.Count; i++)
                if (Equal(in set, i, in value, j, caseSensitive)) return true;
            return false;
        }

        private int CountOf(in Operand set, in Operand value, int j, bool caseSensitive)
        {
            int n = 0;
            for (int i = 0; i < set.Count; i++)
                if (Equal(in set, i, in value, j, caseSensitive)) n++;
            return n;
        }

        // ----- operators ----------------------------------------------------------------------------------------

        private Operand Result(ConditionValue value, ConditionReason reason, int opPos, byte code, in Operand left, in Operand right, bool binary)
        {
            if (_trace is not null)
                _trace.Steps.Add(new ConditionStep(opPos, OperatorName(code), value, reason, Describe(in left), binary ? Describe(in right) : null));
            return new Operand { Kind = Kind.Result, Value = value };
        }

        private Operand Unary(byte code, in Operand x, int opPos)
        {
            var none = default(Operand);
            if (code == 0xa2)
            {
                var v = ToBoolean(in x, out var why);
                var negated = v == ConditionValue.Unknown ? v : v == ConditionValue.True ? ConditionValue.False : ConditionValue.True;
                var r = Result(negated, why, opPos, code, in x, in none, false);
                r.FromNegatedAttribute = x.Kind == Kind.Attribute;
                return r;
            }
            if (code is 0x87 or 0x8d)
            {
                if (x.Kind != Kind.Attribute) return Result(ConditionValue.Unknown, ConditionReason.NotAnAttribute, opPos, code, in x, in none, false);
                if (x.Found && x.Count == 0) return Result(ConditionValue.Unknown, ConditionReason.AttributeHasNoValue, opPos, code, in x, in none, false);
                bool exists = x.Found;
                return Result((exists == (code == 0x87)) ? ConditionValue.True : ConditionValue.False, exists ? ConditionReason.Evaluated : ConditionReason.AttributeMissing, opPos, code, in x, in none, false);
            }
            // Membership: SID(...) or a non-empty list of SID(...).
            bool ok = x.Kind == Kind.Sid || (x.Kind == Kind.Composite && x.Count > 0);
            if (ok && x.Kind == Kind.Composite)
            {
                for (int i = 0; i < x.Count && ok; i++)
                {
                    if (!Spend(1 + i)) return Result(ConditionValue.Unknown, ConditionReason.TooComplex, opPos, code, in x, in none, false);
                    ok = Get(in x, i).Kind == ScalarKind.Sid;
                }
            }
            if (!ok) return Result(ConditionValue.Unknown, ConditionReason.NotSids, opPos, code, in x, in none, false);
            bool device = code is 0x8a or 0x8c or 0x91 or 0x93;
            bool any = code is 0x8b or 0x8c or 0x92 or 0x93;
            bool negate = code >= 0x90;
            bool result = !any;
            for (int i = 0; i < x.Count; i++)
            {
                if (!Spend(1 + (x.Kind == Kind.Composite ? i : 0) + _token.Groups.Length)) return Result(ConditionValue.Unknown, ConditionReason.TooComplex, opPos, code, in x, in none, false);
                bool member = device ? InDeviceGroups(Get(in x, i).Bytes) : InToken(Get(in x, i).Bytes);
                if (any && member)
                {
                    result = true;
                    break;
                }
                if (!any && !member)
                {
                    result = false;
                    break;
                }
            }
            if (negate) result = !result;
            return Result(result ? ConditionValue.True : ConditionValue.False, ConditionReason.Evaluated, opPos, code, in x, in none, false);
        }

        private readonly bool InToken(ReadOnlySpan<byte> sid)
        {
            var user = _token.User;
            if (user.Sid.Equals(sid) && (_deny || (user.Attributes & GroupAttributes.UseForDenyOnly) == 0)) return true;
            foreach (var g in _token.Groups)
                if (g.Sid.Equals(sid) && Enabled(g.Attributes)) return true;
            return false;
        }

        private readonly bool InDeviceGroups(ReadOnlySpan<byte> sid)
        {
            foreach (var g in _token.DeviceGroups)
                if (g.Sid.Equals(sid) && Enabled(g.Attributes)) return true;
            return false;
        }

        private readonly bool Enabled(GroupAttributes a)
            => _deny ? (a & (GroupAttributes.Enabled | GroupAttributes.UseForDenyOnly)) != 0
                     : (a & (GroupAttributes.Enabled | GroupAttributes.UseForDenyOnly)) == GroupAttributes.Enabled;

        private ConditionValue ToBoolean(in Operand x, out ConditionReason reason)
        {
            reason = ConditionReason.Evaluated;
            if (x.Kind == Kind.Result) return x.Value;
            if (x.Kind != Kind.Attribute)
            {
                reason = ConditionReason.NotBoolean;
                return ConditionValue.Unknown;
            }
            if (IsMissing(in x))
            {
                reason = MissingReason(in x);
                return ConditionValue.Unknown;
            }
            bool unknown = false;
            for (int i = 0; i < x.Count; i++)
            {
                if (!Spend(1))
                {
                    reason = ConditionReason.TooComplex;
                    return ConditionValue.Unknown;
                }
                var v = Get(in x, i);
                switch (v.Kind)
                {
                    case ScalarKind.Int64 or ScalarKind.UInt64 or ScalarKind.Boolean:
                        if (v.Bits != 0) return ConditionValue.True;
                        break;
                    case ScalarKind.String:
                        if (!v.Text.IsEmpty) return ConditionValue.True;
                        break;
                    case ScalarKind.Octet:
                        if (!v.Bytes.IsEmpty) return ConditionValue.True;
                        break;
                    default:
                        unknown = true;
                        break;
                }
            }
            if (unknown) reason = ConditionReason.NotBoolean;
            return unknown ? ConditionValue.Unknown : ConditionValue.False;
        }

        private Operand Binary(byte code, in Operand l, in Operand r, int opPos)
        {
            if (code is 0xa0 or 0xa1)
            {
                // Observed on Windows (Samba's krb5 conditional ACE tests): "a || !(a)" and "a && !(b)" are
                // UNKNOWN whatever a and b hold, while "!(a) || a" and "!(a) || !(a)" give the logical answer.
                if (l.Kind == Kind.Attribute && r.Kind == Kind.Result && r.FromNegatedAttribute)
                    return Result(ConditionValue.Unknown, ConditionReason.NegatedAttributeOnTheRight, opPos, code, in l, in r, true);
                var a = ToBoolean(in l, out var whyA);
                var b = ToBoolean(in r, out var whyB);
                ConditionValue v;
                if (code == 0xa0) v = a == ConditionValue.False || b == ConditionValue.False ? ConditionValue.False : a == ConditionValue.True && b == ConditionValue.True ? ConditionValue.True : ConditionValue.Unknown;
                else v = a == ConditionValue.True || b == ConditionValue.True ? ConditionValue.True : a == ConditionValue.False && b == ConditionValue.False ? ConditionValue.False : ConditionValue.Unknown;
                var why = v != ConditionValue.Unknown ? ConditionReason.Evaluated
                    : a == ConditionValue.Unknown && whyA != ConditionReason.Evaluated ? whyA
                    : b == ConditionValue.Unknown && whyB != ConditionReason.Evaluated ? whyB
                    : ConditionReason.OperandUnknown;
                return Result(v, why, opPos, code, in l, in r, true);
            }
            if (!IsValue(in l) || !IsValue(in r)) return Result(ConditionValue.Unknown, ConditionReason.NotAValue, opPos, code, in l, in r, true);
            bool cs = l.CaseSensitive || r.CaseSensitive;
            switch (code)
            {
                case 0x86:
                case 0x8e:
                    {
                        // Contains: an empty list on the right is FALSE even before the left is looked at.
                        if (r.Kind == Kind.Composite && r.Count == 0) return Result(code == 0x86 ? ConditionValue.False : ConditionValue.True, ConditionReason.Evaluated, opPos, code, in l, in r, true);
                        if (IsMissing(in l)) return Result(ConditionValue.Unknown, MissingReason(in l), opPos, code, in l, in r, true);
                        if (IsMissing(in r)) return Result(ConditionValue.Unknown, MissingReason(in r), opPos, code, in l, in r, true);
                        if (!SameFamily(in l, in r)) return Mismatch(opPos, code, in l, in r);
                        bool all = true;
                        for (int j = 0; j < r.Count && all; j++) all = Contains(in l, in r, j, cs);
                        if (_exhausted) return Result(ConditionValue.Unknown, ConditionReason.TooComplex, opPos, code, in l, in r, true);
                        return Result(all == (code == 0x86) ? ConditionValue.True : ConditionValue.False, ConditionReason.Evaluated, opPos, code, in l, in r, true);
                    }
                case 0x88:
                case 0x8f:
                    {
                        if (IsMissing(in l)) return Result(ConditionValue.Unknown, MissingReason(in l), opPos, code, in l, in r, true);
                        if (r.Kind is not (Kind.Composite or Kind.Attribute)) return Result(ConditionValue.Unknown, ConditionReason.RightNotASet, opPos, code, in l, in r, true);
                        if (IsMissing(in r)) return Result(ConditionValue.Unknown, MissingReason(in r), opPos, code, in l, in r, true);
                        if (r.Count == 0) return Result(code == 0x88 ? ConditionValue.False : ConditionValue.True, ConditionReason.Evaluated, opPos, code, in l, in r, true);
                        if (!SameFamily(in l, in r)) return Mismatch(opPos, code, in l, in r);
                        bool some = false;
                        for (int j = 0; j < r.Count && !some; j++) some = Contains(in l, in r, j, cs);
                        if (_exhausted) return Result(ConditionValue.Unknown, ConditionReason.TooComplex, opPos, code, in l, in r, true);
                        return Result(some == (code == 0x88) ? ConditionValue.True : ConditionValue.False, ConditionReason.Evaluated, opPos, code, in l, in r, true);
                    }
                case 0x80:
                case 0x81:
                    {
                        if (IsMissing(in l)) return Result(ConditionValue.Unknown, MissingReason(in l), opPos, code, in l, in r, true);
                        if (IsMissing(in r)) return Result(ConditionValue.Unknown, MissingReason(in r), opPos, code, in l, in r, true);
                        if (!SameFamily(in l, in r)) return Mismatch(opPos, code, in l, in r);
                        // Values compare as multisets: order does not matter, the number of each value does.
                        bool equal = l.Count == r.Count;
                        for (int i = 0; i < l.Count && equal; i++) equal = CountOf(in l, in l, i, cs) == CountOf(in r, in l, i, cs);
                        if (_exhausted) return Result(ConditionValue.Unknown, ConditionReason.TooComplex, opPos, code, in l, in r, true);
                        return Result(equal == (code == 0x80) ? ConditionValue.True : ConditionValue.False, ConditionReason.Evaluated, opPos, code, in l, in r, true);
                    }
                default:
                    {
                        if (IsMissing(in l)) return Result(ConditionValue.Unknown, MissingReason(in l), opPos, code, in l, in r, true);
                        if (IsMissing(in r)) return Result(ConditionValue.Unknown, MissingReason(in r), opPos, code, in l, in r, true);
                        if (l.Count != 1 || r.Count != 1) return Result(ConditionValue.Unknown, ConditionReason.NotASingleValue, opPos, code, in l, in r, true);
                        var x = Get(in l, 0);
                        var y = Get(in r, 0);
                        if (!TryCompare(in x, in y, cs, out int order)) return Mismatch(opPos, code, in l, in r);
                        bool holds = code switch
                        {
                            0x82 => order < 0,
                            0x83 => order <= 0,
                            0x84 => order > 0,
                            _ => order >= 0,
                        };
                        return Result(holds ? ConditionValue.True : ConditionValue.False, ConditionReason.Evaluated, opPos, code, in l, in r, true);
                    }
            }
        }

        private Operand Mismatch(int opPos, byte code, in Operand l, in Operand r)
            => Result(ConditionValue.Unknown, _exhausted ? ConditionReason.TooComplex : ConditionReason.TypeMismatch, opPos, code, in l, in r, true);

        // ----- explanation (only with a trace) --------------------------------------------------------------------

        private readonly ConditionOperand Describe(in Operand op)
        {
            var kind = op.Kind switch
            {
                Kind.Result => ConditionOperandKind.Result,
                Kind.Attribute => ConditionOperandKind.Attribute,
                Kind.Integer => ConditionOperandKind.Integer,
                Kind.String => ConditionOperandKind.String,
                Kind.Octet => ConditionOperandKind.OctetString,
                Kind.Sid => ConditionOperandKind.Sid,
                _ => ConditionOperandKind.Composite,
            };
            if (op.Kind != Kind.Attribute) return new ConditionOperand(kind, ConditionAttributeSource.None, null, false, null, op.Kind == Kind.Result ? 0 : op.Count, op.Value);
            string name = new(Chars(_code.Slice(op.Start, op.Length)));
            return new ConditionOperand(kind, op.Source, name, op.Found, op.Found ? op.ValueType : null, op.Found ? op.Count : 0, ConditionValue.Unknown);
        }

        private static string OperatorName(byte code) => code switch
        {
            0x80 => "==",
            0x81 => "!=",
            0x82 => "<",
            0x83 => "<=",
            0x84 => ">",
            0x85 => ">=",
            0x86 => "Contains",
            0x87 => "Exists",
            0x88 => "Any_of",
            0x89 => "Member_of",
            0x8a => "Device_Member_of",
            0x8b => "Member_of_Any",
            0x8c => "Device_Member_of_Any",
            0x8d => "Not_Exists",
            0x8e => "Not_Contains",
            0x8f => "Not_Any_of",
            0x90 => "Not_Member_of",
            0x91 => "Not_Device_Member_of",
            0x92 => "Not_Member_of_Any",
            0x93 => "Not_Device_Member_of_Any",
            0xa0 => "&&",
            0xa1 => "||",
            _ => "!",
        };
    }

    /// <summary>Reads a CLAIM_SECURITY_ATTRIBUTE_RELATIVE_V1 block (an RA ACE's data) in place, without allocating.</summary>
    internal static class RelativeClaim
    {
        public static bool TryHeader(ReadOnlySpan<byte> block, out ClaimValueType type, out ClaimSecurityAttributeFlags flags, out int count, out ReadOnlySpan<char> name)
        {
            type = default;
            flags = default;
            count = 0;
            name = default;
            if (block.Length < 16) return false;
            uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(block);
            type = (ClaimValueType)BinaryPrimitives.ReadUInt16LittleEndian(block[4..]);
            flags = (ClaimSecurityAttributeFlags)BinaryPrimitives.ReadUInt32LittleEndian(block[8..]);
            uint n = BinaryPrimitives.ReadUInt32LittleEndian(block[12..]);
            if (n > (uint)((block.Length - 16) / 4)) return false;
            count = (int)n;
            return TryString(block, nameOffset, out name) && !name.IsEmpty;
        }

        public static bool TryValue(ReadOnlySpan<byte> block, ClaimValueType type, int index, out Scalar value)
        {
            value = default;
            value.Kind = ScalarKind.Invalid;
            int at = 16 + (4 * index);
            if (at > block.Length - 4) return false;
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(block[at..]);
            switch (type)
            {
                case ClaimValueType.Int64:
                case ClaimValueType.UInt64:
                case ClaimValueType.Boolean:
                    if (offset > (uint)(block.Length - 8)) return false;
                    value.Bits = BinaryPrimitives.ReadInt64LittleEndian(block[(int)offset..]);
                    value.Kind = type == ClaimValueType.Int64 ? ScalarKind.Int64 : type == ClaimValueType.UInt64 ? ScalarKind.UInt64 : ScalarKind.Boolean;
                    return type != ClaimValueType.Boolean || (ulong)value.Bits <= 1 || Invalid(ref value);
                case ClaimValueType.String:
                    if (!TryString(block, offset, out var text)) return false;
                    value.Kind = ScalarKind.String;
                    value.Text = text;
                    return true;
                case ClaimValueType.Sid:
                case ClaimValueType.OctetString:
                    if (offset > (uint)(block.Length - 4)) return false;
                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(block[(int)offset..]);
                    if (length > (uint)(block.Length - (int)offset - 4)) return false;
                    value.Bytes = block.Slice((int)offset + 4, (int)length);
                    value.Kind = type == ClaimValueType.Sid ? ScalarKind.Sid : ScalarKind.Octet;
                    return true;
                default:
                    return false;
            }
        }

        private static bool Invalid(ref Scalar value)
        {
            value.Kind = ScalarKind.Invalid;
            return false;
        }

        private static bool TryString(ReadOnlySpan<byte> block, uint offset, out ReadOnlySpan<char> text)
        {
            text = default;
            if (offset >= (uint)block.Length) return false;
            var rest = block[(int)offset..];
            for (int i = 0; i + 1 < rest.Length; i += 2)
            {
                if (rest[i] != 0 || rest[i + 1] != 0) continue;
                text = Machine.Chars(rest[..i]);
                return true;
            }
            return false;
        }
    }
}
