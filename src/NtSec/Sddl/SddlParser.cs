using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;

namespace NtSec.Sddl;

/// <summary>
/// Reads SDDL the way <c>ConvertStringSecurityDescriptorToSecurityDescriptorW</c> does, including what Windows
/// tolerates (white space in many places, lower-case codes and aliases, masks in hex, octal, decimal or negative,
/// oversized numbers clamped) and what it refuses (audit ACEs in a DACL, white space inside a field, a lower-case
/// component letter ...). The rules and the observations behind them are in <c>docs/sddl.md</c>.
/// </summary>
public static class SddlParser
{
    /// <summary>Parses SDDL; throws on bad input.</summary>
    /// <exception cref="NtSecFormatException">The text is not valid SDDL; the exception carries position and reason.</exception>
    public static SecurityDescriptor Parse(string sddl, SidContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(sddl);
        return TryParse(sddl, context, out var sd, out var error) ? sd! : throw new NtSecFormatException(error!);
    }

    /// <summary>Parses SDDL into a security descriptor, or reports the position and reason of the first error.</summary>
    /// <param name="sddl">The SDDL string.</param>
    /// <param name="context">The domains for domain-relative aliases (DA, LA ...); null for none.</param>
    /// <param name="descriptor">The descriptor, when the text is valid.</param>
    /// <param name="error">The first error, when it is not.</param>
    public static bool TryParse(ReadOnlySpan<char> sddl, SidContext? context, out SecurityDescriptor? descriptor, out ParseError? error)
    {
        var reader = new Reader(sddl, context ?? SidContext.None);
        return reader.ParseDescriptor(out descriptor, out error);
    }

    /// <summary>Parses a single ACE string such as <c>(A;OICI;FA;;;BA)</c>.</summary>
    public static bool TryParseAce(ReadOnlySpan<char> text, SidContext? context, out Ace? ace, out ParseError? error)
    {
        var reader = new Reader(text, context ?? SidContext.None);
        return reader.ParseSingleAce(out ace, out error);
    }

    [ThreadStatic] private static Ace[]? t_aces;

    private ref struct Reader
    {
        private readonly ReadOnlySpan<char> _s;
        private readonly SidContext _context;
        private int _pos;

        public Reader(ReadOnlySpan<char> s, SidContext context)
        {
            _s = s;
            _context = context;
            _pos = 0;
        }

        private readonly bool AtEnd => _pos >= _s.Length;

        private void SkipBlanks()
        {
            while (_pos < _s.Length && Sid.IsBlank(_s[_pos])) _pos++;
        }

        private static ParseError Error(ParseErrorKind kind, int position, string reason, int win32 = Win32Error.InvalidParameter) => new(kind, position, reason, win32);

        public bool ParseDescriptor(out SecurityDescriptor? descriptor, out ParseError? error)
        {
            descriptor = null;
            Sid? owner = null, group = null;
            Acl? dacl = null, sacl = null;
            AclState daclState = AclState.Absent, saclState = AclState.Absent;
            var control = SecurityDescriptorControl.None;
            bool seenO = false, seenG = false, seenD = false, seenS = false;

            while (true)
            {
                SkipBlanks();
                if (AtEnd) break;
                int tagPos = _pos;
                char tag = _s[_pos];
                // The component letter is case-sensitive: Windows rejects "d:" (should_fail.txt).
                if (_pos + 1 >= _s.Length || _s[_pos + 1] != ':' || tag is not ('O' or 'G' or 'D' or 'S'))
                {
                    error = Error(ParseErrorKind.Syntax, tagPos, "expected a component: O:, G:, D: or S:");
                    return false;
                }
                _pos += 2;
                ref bool seen = ref seenO;
                if (tag == 'G') seen = ref seenG;
                else if (tag == 'D') seen = ref seenD;
                else if (tag == 'S') seen = ref seenS;
                if (seen)
                {
                    error = Error(ParseErrorKind.Duplicate, tagPos, $"the {tag}: component appears twice");
                    return false;
                }
                seen = true;

                switch (tag)
                {
                    case 'O':
                    case 'G':
                        {
                            SkipBlanks();
                            if (!ParseSid(out var sid, out error, NextComponent(_pos))) return false;
                            if (tag == 'O') owner = sid;
                            else group = sid;
                            break;
                        }
                    default:
                        {
                            bool isDacl = tag == 'D';
                            if (!ParseAcl(isDacl, out var acl, out var state, out var flags, out error)) return false;
                            control |= flags;
                            if (isDacl) { dacl = acl; daclState = state; }
                            else { sacl = acl; saclState = state; }
                            break;
                        }
                }
            }
            descriptor = new SecurityDescriptor(owner, group, dacl, sacl, control | SecurityDescriptorControl.SelfRelative, daclState, saclState);
            error = null;
            return true;
        }

        public bool ParseSingleAce(out Ace? ace, out ParseError? error)
        {
            ace = null;
            SkipBlanks();
            if (AtEnd || _s[_pos] != '(')
            {
                error = Error(ParseErrorKind.Syntax, _pos, "an ACE starts with '('", Win32Error.InvalidAcl);
                return false;
            }
            if (!ParseAce(null, out ace, out error)) return false;
            SkipBlanks();
            if (!AtEnd)
            {
                error = Error(ParseErrorKind.TrailingData, _pos, "unexpected characters after the ACE", Win32Error.InvalidAcl);
                return false;
            }
            return true;
        }

        // Where the next component (an upper-case O, G, D or S and a colon) starts, or the end. An owner or group
        // SID ends there even when its last field is hexadecimal: Windows reads "O:S-1-2-0x200D:" as S-1-2-512
        // followed by "D:", not as a sub-authority 0x200D (Samba's non_canonical.txt, run against Windows).
        private readonly int NextComponent(int from)
        {
            for (int i = from + 1; i + 1 < _s.Length; i++)
                if (_s[i + 1] == ':' && _s[i] is 'O' or 'G' or 'D' or 'S') return i;
            return _s.Length;
        }

        // A SID where SDDL expects one: an S-1-... string or a two-letter alias. Leading blanks are the caller's.
        // An S-1-... string ends at the first character that cannot continue it, and never at or after limit.
        private bool ParseSid(out Sid sid, out ParseError? error, int limit = int.MaxValue)
        {
            sid = default;
            int start = _pos;
            if (_pos + 1 < _s.Length && (_s[_pos] == 'S' || _s[_pos] == 's') && _s[_pos + 1] == '-')
            {
                if (!Sid.TryParsePrefix(_s[..Math.Min(limit, _s.Length)], ref _pos, out sid, out error))
                {
                    error = error! with { Win32Error = Win32Error.InvalidSid };
                    return false;
                }
                // Windows takes an S-1-... SID up to the delimiter and rejects trailing blanks ("S-1-3-4 )" fails
                // in should_fail.txt), though it accepts blanks after an alias ("WD )" in windows_is_less_fussy.txt).
                if (_pos < _s.Length && Sid.IsBlank(_s[_pos]))
                {
                    error = Error(ParseErrorKind.Syntax, _pos, "a blank may not follow an S-1-... SID", Win32Error.InvalidSid);
                    return false;
                }
                return true;
            }
            if (_pos + 2 > _s.Length || !char.IsAsciiLetter(_s[_pos]) || !char.IsAsciiLetter(_s[_pos + 1]))
            {
                error = Error(ParseErrorKind.Syntax, start, "expected a SID: S-1-... or a two-letter alias", Win32Error.InvalidSid);
                return false;
            }
            if (SddlSidAliases.TryConstant(_s[_pos], _s[_pos + 1], out sid))
            {
                _pos += 2;
                error = null;
                return true;
            }

            var alias = _s.Slice(_pos, 2);
            if (!SddlSidAliases.TryResolve(alias, _context, out sid, out error))
            {
                error = error!.Within(start);
                return false;
            }
            _pos += 2;
            error = null;
            return true;
        }

        private bool ParseAcl(bool isDacl, out Acl? acl, out AclState state, out SecurityDescriptorControl control, out ParseError? error)
        {
            acl = null;
            state = AclState.Present;
            control = SecurityDescriptorControl.None;
            bool isNull = false;
            // ACL flags: P, AR, AI and NO_ACCESS_CONTROL, in any order, blanks between them allowed ("D: AI(...)").
            while (true)
            {
                SkipBlanks();
                if (AtEnd) break;
                var rest = _s[_pos..];
                if (rest.StartsWith("NO_ACCESS_CONTROL", StringComparison.OrdinalIgnoreCase))
                {
                    isNull = true;
                    _pos += "NO_ACCESS_CONTROL".Length;
                }
                else if (rest.StartsWith("AR", StringComparison.OrdinalIgnoreCase))
                {
                    control |= isDacl ? SecurityDescriptorControl.DaclAutoInheritRequired : SecurityDescriptorControl.SaclAutoInheritRequired;
                    _pos += 2;
                }
                else if (rest.StartsWith("AI", StringComparison.OrdinalIgnoreCase))
                {
                    control |= isDacl ? SecurityDescriptorControl.DaclAutoInherited : SecurityDescriptorControl.SaclAutoInherited;
                    _pos += 2;
                }
                else if (rest[0] is 'P' or 'p')
                {
                    control |= isDacl ? SecurityDescriptorControl.DaclProtected : SecurityDescriptorControl.SaclProtected;
                    _pos += 1;
                }
                else break;
            }

            // The ACEs gather in a buffer kept per thread (taken while in use, so a nested parse gets its own) and
            // the ACL copies them once into an array of the exact size.
            var aces = t_aces ?? new Ace[16];
            t_aces = null;
            int count = 0;
            try
            {
                int aclSize = Acl.HeaderLength;
                while (true)
                {
                    SkipBlanks();
                    if (AtEnd || _s[_pos] != '(') break;
                    int acePos = _pos;
                    if (isNull)
                    {
                        error = Error(ParseErrorKind.NotAllowedHere, acePos, "NO_ACCESS_CONTROL (a NULL ACL) cannot be followed by ACEs", Win32Error.InvalidAcl);
                        return false;
                    }
                    if (!ParseAce(isDacl, out var ace, out error)) return false;
                    aclSize += ace!.GetBinaryLength();
                    if (aclSize > ushort.MaxValue)
                    {
                        error = Error(ParseErrorKind.OutOfRange, acePos, "the ACL would exceed 65535 bytes", Win32Error.InvalidAcl);
                        return false;
                    }
                    if (count == aces.Length) Array.Resize(ref aces, count * 2);
                    aces[count++] = ace;
                }
                if (isNull)
                {
                    state = AclState.Null;
                    acl = null;
                }
                else
                {
                    var parsed = aces.AsSpan(0, count);
                    int slack = OversizeSlack(parsed);
                    if (aclSize + slack > ushort.MaxValue)
                    {
                        error = Error(ParseErrorKind.OutOfRange, _pos, "the ACL would exceed 65535 bytes", Win32Error.InvalidAcl);
                        return false;
                    }
                    acl = Acl.FromParsed(parsed, slack);
                }
                error = null;
                return true;
            }
            finally
            {
                // The buffer must not keep the ACEs alive; one grown past a large ACL is let go.
                aces.AsSpan(0, count).Clear();
                if (aces.Length <= 1024) t_aces = aces;
            }
        }

        /// <summary>
        /// The zero bytes Windows' parser leaves after the last ACE ("oversize ACLs", Samba's name for them): 4 for
        /// each non-object ACE with an empty access mask whose neighbour (the ACE before or after it) has the same
        /// type, flags and SID. Such an ACL is also written with revision 4 (ACL_REVISION_DS), as if it held an
        /// object ACE. This is the rule that gives exactly Windows' bytes for every observed case: the 8
        /// short-ordinary-acls descriptors (one such ACE: 4 bytes) and Samba's oversize-acls cases
        /// (D:P(D;;;;;MP) repeated n times: 4n bytes), and no slack for the other 7,132, among them repeated SIDs
        /// with an empty mask that are not neighbours, neighbours that are equal but carry rights, and empty-mask
        /// object ACEs next to a plain one for the same SID (docs/sddl.md).
        /// </summary>
        private static int OversizeSlack(ReadOnlySpan<Ace> aces)
        {
            int slack = 0;
            for (int i = 0; i < aces.Length; i++)
            {
                var ace = aces[i];
                if (ace.IsObjectAce || ace.Mask != 0) continue;
                if ((i > 0 && SameTrustee(aces[i - 1], ace)) || (i + 1 < aces.Length && SameTrustee(ace, aces[i + 1]))) slack += 4;
            }
            return slack;

            static bool SameTrustee(Ace a, Ace b) => a.Type == b.Type && a.Flags == b.Flags && a.Sid == b.Sid;
        }

        // The text up to the next ';' or ')' (whichever comes first), not consuming the delimiter.
        private ReadOnlySpan<char> Field(out int start)
        {
            start = _pos;
            while (_pos < _s.Length && _s[_pos] != ';' && _s[_pos] != ')') _pos++;
            return _s[start.._pos];
        }

        private bool Expect(char c, string what, out ParseError? error)
        {
            if (_pos < _s.Length && _s[_pos] == c)
            {
                _pos++;
                error = null;
                return true;
            }
            error = Error(AtEnd ? ParseErrorKind.Truncated : ParseErrorKind.Syntax, _pos, AtEnd ? $"the ACE ends early: expected '{c}' {what}" : $"expected '{c}' {what}, found '{_s[_pos]}'", Win32Error.InvalidAcl);
            return false;
        }

        // isDacl: true in D:, false in S:, null for a standalone ACE (any type).
        private bool ParseAce(bool? isDacl, out Ace? ace, out ParseError? error)
        {
            int acePos = _pos;
            if (ParseAceFields(isDacl, out ace, out error)) return true;

            // An ACE that closes before its sixth field is reported as such, not as whatever its last field fails to
            // be ("(A;;FA;;SY)" has 5 fields: SY is not a bad inherited-object GUID). Callback and resource attribute
            // ACEs carry a seventh field; counting stops at the sixth ';', where their expression begins. Counted only
            // once the ACE has failed (issue 10: a scan of every ACE): an ACE that parses has read five ';' before
            // any ')', since no field reads past a ')'.
            int fields = 1, close = acePos + 1;
            for (; close < _s.Length && _s[close] != ')'; close++)
                if (_s[close] == ';' && ++fields == 7) break;
            if (close < _s.Length && _s[close] == ')' && fields < 6)
                error = Error(ParseErrorKind.Syntax, close, $"the ACE has {fields} field{(fields == 1 ? "" : "s")}, 6 expected (type;flags;rights;object type;inherited object type;SID)", Win32Error.InvalidAcl);
            return false;
        }

        private bool ParseAceFields(bool? isDacl, out Ace? ace, out ParseError? error)
        {
            ace = null;
            int acePos = _pos;
            _pos++; // '('

            // Type.
            SkipBlanks();
            var typeText = Field(out int typePos);
            if (AceTypes.FindSddl(typeText) is not { } typeInfo)
            {
                error = Error(ParseErrorKind.UnknownName, typePos, $"unknown ACE type '{typeText}'", Win32Error.InvalidAcl);
                return false;
            }
            var type = typeInfo.Type;
            if (isDacl is { } d && (typeInfo.AllowedIn & (d ? AclKinds.Dacl : AclKinds.Sacl)) == 0)
            {
                error = Error(ParseErrorKind.NotAllowedHere, typePos, d ? $"ACE type {typeInfo.SddlCode} belongs in a SACL, not a DACL" : $"ACE type {typeInfo.SddlCode} belongs in a DACL, not a SACL", Win32Error.InvalidAcl);
                return false;
            }
            if (!Expect(';', "after the ACE type", out error)) return false;

            // Flags.
            SkipBlanks();
            var flagsText = Field(out int flagsPos);
            var flags = AceFlags.None;
            for (int i = 0; i < flagsText.Length; i += 2)
            {
                bool ok = false;
                if (i + 1 < flagsText.Length && AceFlagTable.FindSddl(flagsText.Slice(i, 2)) is { } f)
                {
                    flags |= f.Flag;
                    ok = true;
                }
                if (!ok)
                {
                    error = Error(ParseErrorKind.UnknownName, flagsPos + i, $"unknown ACE flag '{flagsText[i..Math.Min(i + 2, flagsText.Length)]}'", Win32Error.InvalidAcl);
                    return false;
                }
            }
            if (!Expect(';', "after the ACE flags", out error)) return false;

            // Rights.
            SkipBlanks();
            var rightsText = Field(out int rightsPos);
            if (!ParseRights(rightsText, rightsPos, out uint mask, out error)) return false;
            if (!Expect(';', "after the ACE rights", out error)) return false;

            // Object type and inherited object type.
            bool isObject = typeInfo.IsObject;
            if (!ParseGuidField(isObject, "object type", out Guid? objectType, out error)) return false;
            if (!Expect(';', "after the object type", out error)) return false;
            if (!ParseGuidField(isObject, "inherited object type", out Guid? inheritedObjectType, out error)) return false;
            if (!Expect(';', "after the inherited object type", out error)) return false;

            // Trustee.
            SkipBlanks();
            if (!ParseSid(out var sid, out error)) return false;
            SkipBlanks();

            // Callback and resource attribute ACEs carry one more field: a parenthesised expression.
            byte[] applicationData = [];
            bool conditional = typeInfo.IsCallback;
            bool resource = typeInfo.Layout == AceLayout.ResourceAttribute;
            if (conditional || resource)
            {
                if (!Expect(';', conditional ? "and a condition after the SID of a callback ACE" : "and an attribute after the SID of a resource attribute ACE", out error)) return false;
                SkipBlanks();
                int exprStart = _pos;
                if (!SkipBalanced(out error)) return false;
                var expr = _s[exprStart.._pos];
                bool ok = conditional
                    ? ConditionalExpressions.TryCompile(expr, exprStart, _context, out applicationData, out error)
                    : ResourceAttributes.TryParseSddl(expr, exprStart, _context, out applicationData, out error);
                if (!ok) return false;
                SkipBlanks();
            }
            if (!Expect(')', "to close the ACE", out error)) return false;

            try
            {
                ace = new Ace(type, flags, mask, sid, objectType, inheritedObjectType, applicationData);
            }
            catch (ArgumentException ex)
            {
                error = Error(ParseErrorKind.OutOfRange, acePos, ex.Message, Win32Error.InvalidAcl);
                return false;
            }
            error = null;
            return true;
        }

        // Moves past "( ... )", honouring nested parentheses and "quoted strings"; the expression must open with '('.
        private bool SkipBalanced(out ParseError? error)
        {
            int start = _pos;
            if (AtEnd || _s[_pos] != '(')
            {
                error = Error(ParseErrorKind.Syntax, _pos, "expected '(' to open the expression", Win32Error.InvalidAcl);
                return false;
            }
            int depth = 0;
            bool inString = false;
            for (; _pos < _s.Length; _pos++)
            {
                char c = _s[_pos];
                if (inString)
                {
                    if (c == '"') inString = false;
                    continue;
                }
                if (c == '"') inString = true;
                else if (c == '(') depth++;
                else if (c == ')')
                {
                    depth--;
                    if (depth == 0)
                    {
                        _pos++;
                        error = null;
                        return true;
                    }
                }
            }
            error = Error(ParseErrorKind.Syntax, start, inString ? "unterminated string in the expression" : "unbalanced parentheses in the expression", Win32Error.InvalidAcl);
            return false;
        }

        private static readonly string ObjectCodes = string.Join(", ", AceTypes.All.Where(t => t.IsObject && t.SddlCode is not null).Select(t => t.SddlCode));

        private bool ParseGuidField(bool isObject, string what, out Guid? guid, out ParseError? error)
        {
            guid = null;
            if (_pos < _s.Length && _s[_pos] == ';')
            {
                // The empty field of nearly every ACE.
                error = null;
                return true;
            }
            var text = Field(out int start);
            // A field of blanks counts as empty; a GUID must fill its field exactly (no blanks, no braces).
            bool blank = true;
            foreach (char c in text)
            {
                if (!Sid.IsBlank(c))
                {
                    blank = false;
                    break;
                }
            }
            if (blank)
            {
                error = null;
                return true;
            }
            if (!isObject)
            {
                error = Error(ParseErrorKind.NotAllowedHere, start, $"only object ACEs ({ObjectCodes}) carry an {what} GUID", Win32Error.InvalidAcl);
                return false;
            }
            if (text.Length != 36 || !Guid.TryParseExact(text, "D", out var g))
            {
                error = Error(ParseErrorKind.Syntax, start, $"the {what} is not a GUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", Win32Error.InvalidAcl);
                return false;
            }
            guid = g;
            error = null;
            return true;
        }

        // Rights: numbers (read as wcstoul with base 0 would, clamped, negatives wrapping) and two-letter codes in any
        // order, all ORed together ("0xFFFFFFFFGR", "GR0x10"). Spaces (U+0020 only) may stand between two items, and
        // are skipped; a space may not split a code, nor end the field, and a tab is never allowed (Samba's tests run
        // against Windows: "RP LCLORC" and "RP LCLO  RC" read as LCRPLORC; "RP LCLOR C", "RP LC\tLORC", "GA " fail).
        private static bool ParseRights(ReadOnlySpan<char> text, int basePos, out uint mask, out ParseError? error)
        {
            mask = 0;
            int i = 0;
            while (i < text.Length)
            {
                if (i > 0 && text[i] == ' ')
                {
                    while (i < text.Length && text[i] == ' ') i++;
                    if (i == text.Length)
                    {
                        error = Error(ParseErrorKind.Syntax, basePos + i - 1, "a blank may not end the rights field", Win32Error.InvalidAcl);
                        return false;
                    }
                }
                if (char.IsAsciiDigit(text[i]) || text[i] == '-' || text[i] == '+')
                {
                    int numberPos = i;
                    if (!TryParseUlong(text, ref i, out uint number))
                    {
                        error = Error(ParseErrorKind.Syntax, basePos + numberPos, "the access mask is not a number", Win32Error.InvalidAcl);
                        return false;
                    }
                    mask |= number;
                    continue;
                }
                if (i + 1 >= text.Length || !SddlRights.TryLookup(text.Slice(i, 2), out uint m))
                {
                    error = Error(ParseErrorKind.UnknownName, basePos + i, $"unknown right '{text[i..Math.Min(i + 2, text.Length)]}'", Win32Error.InvalidAcl);
                    return false;
                }
                mask |= m;
                i += 2;
            }
            error = null;
            return true;
        }

        /// <summary>
        /// Windows' number reading for masks: optional sign, then 0x hex, 0 octal or decimal. An overflowing value
        /// becomes 0xFFFFFFFF, and a minus sign then negates it (so -9876543210 is 1, as observed).
        /// </summary>
        internal static bool TryParseUlong(ReadOnlySpan<char> text, ref int i, out uint value)
        {
            value = 0;
            bool negative = false;
            if (i < text.Length && (text[i] == '-' || text[i] == '+'))
            {
                negative = text[i] == '-';
                i++;
            }
            int radix = 10;
            if (i + 1 < text.Length && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X') && i + 2 < text.Length && Uri.IsHexDigit(text[i + 2]))
            {
                radix = 16;
                i += 2;
            }
            else if (i < text.Length && text[i] == '0')
            {
                radix = 8;
            }
            int digitsStart = i;
            ulong acc = 0;
            bool overflow = false;
            while (i < text.Length)
            {
                int d = text[i] switch
                {
                    >= '0' and <= '9' => text[i] - '0',
                    >= 'a' and <= 'f' => text[i] - 'a' + 10,
                    >= 'A' and <= 'F' => text[i] - 'A' + 10,
                    _ => 99,
                };
                if (d >= radix) break;
                if (!overflow)
                {
                    acc = (acc * (uint)radix) + (uint)d;
                    if (acc > uint.MaxValue) overflow = true;
                }
                i++;
            }
            if (i == digitsStart) return false;
            uint magnitude = overflow ? uint.MaxValue : (uint)acc;
            value = negative ? unchecked(0u - magnitude) : magnitude;
            return true;
        }
    }
}
