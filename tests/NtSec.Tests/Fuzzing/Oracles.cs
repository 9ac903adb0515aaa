using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;

namespace NtSec.Tests.Fuzzing;

/// <summary>
/// The invariants every parser input must satisfy. A rejected input has a <see cref="ParseError"/> with a position
/// inside the input and a reason; an accepted one writes back to a form that reads back to the same value.
/// </summary>
public static class Oracles
{
    /// <summary>SDDL: a few kB for any string, then a little per character (an ACE costs an object or two).</summary>
    public static readonly ParseBudget SddlBudget = new(16 * 1024, 96);

    /// <summary>Binary: a few kB for any buffer, then per byte (a 4-byte raw ACE costs an object and an array).</summary>
    public static readonly ParseBudget BinaryBudget = new(8 * 1024, 96);

    /// <summary>SID strings and binary SIDs are short: a fixed allowance and a small rate.</summary>
    public static readonly ParseBudget SidBudget = new(2 * 1024, 8);

    /// <summary>
    /// Runs every parser and writer once on valid input, so that one-time costs (static tables, JIT) are paid before
    /// anything is measured and the budgets do not depend on which test ran first.
    /// </summary>
    public static void WarmUp()
    {
        foreach (var text in FuzzCorpus.BuiltInSddl)
        {
            foreach (var context in new[] { FuzzCorpus.Context, null })
            {
                if (!SddlParser.TryParse(text, context, out var sd, out _)) continue;
                SddlWriter.TryFormat(sd!, context, SecurityInformation.All, out _, out _);
                var bytes = sd!.ToBinary();
                SecurityDescriptor.TryRead(bytes, out _, out _, out _);
                if (sd.Dacl is { } acl) Acl.TryRead(acl.ToBinary(), out _, out _, out _);
            }
        }
        foreach (var ace in FuzzCorpus.HandMadeAces())
        {
            var bytes = new byte[ace.GetBinaryLength()];
            ace.TryWrite(bytes, out _);
            Ace.TryRead(bytes, out _, out _, out _);
            SddlParser.TryParseAce(ace.ToString(), FuzzCorpus.Context, out _, out _);
        }
        Sid.TryParse("S-1-0x1234567890AB-1", out var sid, out _);
        Sid.TryRead(sid.BinaryForm, out _, out _, out _);
        SddlSidAliases.TryParseSid("DA", FuzzCorpus.Context, out _, out _);
        Sid.TryParse("x", out _, out _);
    }

    /// <summary>Checks a rejection: an error, a position within [0, length], a reason, a Win32 code.</summary>
    public static string? CheckError(ParseError? error, int length, string what)
    {
        if (error is null) return $"{what} returned false without an error";
        if (error.Position < 0 || error.Position > length) return $"{what} error position {error.Position} is outside [0, {length}]: {error.Reason}";
        if (string.IsNullOrWhiteSpace(error.Reason)) return $"{what} error at {error.Position} has no reason";
        if (error.Win32Error <= 0) return $"{what} error at {error.Position} has Win32 code {error.Win32Error}";
        return null;
    }

    // ----- SDDL ---------------------------------------------------------------------------------------------

    /// <summary>
    /// SDDL text: parses or fails cleanly; what parses formats back (SDDL can express everything the parser
    /// produces), the text reads back to an equal descriptor and formats to itself, and the binary form reads back
    /// equal and re-encodes to the same bytes.
    /// </summary>
    public static FuzzVerdict SddlText(string text, ParseMeter meter)
    {
        SecurityDescriptor? sd = null;
        ParseError? error = null;
        bool ok = meter.Run(() => SddlParser.TryParse(text, FuzzCorpus.Context, out sd, out error), text.Length, out var budgetFailure);
        if (budgetFailure is not null) return FuzzVerdict.Fail(budgetFailure);
        if (!ok) return CheckError(error, text.Length, "SddlParser.TryParse") is { } f ? FuzzVerdict.Fail(f) : FuzzVerdict.Reject;
        if (sd is null) return FuzzVerdict.Fail("TryParse returned true and a null descriptor");
        if (error is not null) return FuzzVerdict.Fail($"TryParse returned true and an error: {error}");

        if (!SddlWriter.TryFormat(sd, FuzzCorpus.Context, SecurityInformation.All, out string? written, out string? reason))
            return FuzzVerdict.Fail($"a parsed descriptor does not format back: {reason}");
        if (!SddlParser.TryParse(written, FuzzCorpus.Context, out var again, out var againError))
            return FuzzVerdict.Fail($"formatted as {FuzzHarness.ShowText(written!)}, which does not parse: {againError}");
        if (!sd.Equals(again))
            return FuzzVerdict.Fail($"formatted as {FuzzHarness.ShowText(written!)}, which parses to another value: {FuzzHarness.ShowText(again!.ToSddl(FuzzCorpus.Context))}");
        if (!SddlWriter.TryFormat(again!, FuzzCorpus.Context, SecurityInformation.All, out string? rewritten, out reason) || rewritten != written)
            return FuzzVerdict.Fail($"formatting is not a fixed point: {FuzzHarness.ShowText(written!)} then {(rewritten is null ? reason : FuzzHarness.ShowText(rewritten))}");

        if (BinaryRoundTrip(sd) is { } b) return FuzzVerdict.Fail(b);
        return WithoutContext(text) is { } c ? FuzzVerdict.Fail(c) : FuzzVerdict.Accept;
    }

    /// <summary>
    /// The same text without a SID context: domain-relative aliases must fail cleanly, and what parses must write
    /// back (with full SIDs where an alias needs a domain) to text that parses to the same value.
    /// </summary>
    private static string? WithoutContext(string text)
    {
        if (!SddlParser.TryParse(text, null, out var sd, out var error)) return CheckError(error, text.Length, "SddlParser.TryParse (no context)");
        if (!SddlWriter.TryFormat(sd!, null, SecurityInformation.All, out string? written, out string? reason)) return $"(no context) does not format back: {reason}";
        if (!SddlParser.TryParse(written, null, out var again, out error) || !sd!.Equals(again))
            return $"(no context) formatted as {FuzzHarness.ShowText(written!)}, which does not read back equal ({error})";
        return null;
    }

    /// <summary>
    /// One ACE in SDDL (<see cref="SddlParser.TryParseAce"/>, any type in any position): parses or fails cleanly;
    /// what parses formats back to text that parses to an equal ACE, and its binary form reads back exactly.
    /// </summary>
    public static FuzzVerdict AceText(string text, ParseMeter meter)
    {
        Ace? ace = null;
        ParseError? error = null;
        bool ok = meter.Run(() => SddlParser.TryParseAce(text, FuzzCorpus.Context, out ace, out error), text.Length, out var budgetFailure);
        if (budgetFailure is not null) return FuzzVerdict.Fail(budgetFailure);
        if (!ok) return CheckError(error, text.Length, "SddlParser.TryParseAce") is { } f ? FuzzVerdict.Fail(f) : FuzzVerdict.Reject;
        if (ace is null) return FuzzVerdict.Fail("TryParseAce returned true and a null ACE");
        string written = SddlWriter.FormatAce(ace, FuzzCorpus.Context);
        if (!SddlParser.TryParseAce(written, FuzzCorpus.Context, out var again, out error) || !ace.Equals(again))
            return FuzzVerdict.Fail($"formatted as {FuzzHarness.ShowText(written)}, which does not parse to an equal ACE ({error})");
        return AceInvariants(ace) is { } failure ? FuzzVerdict.Fail(failure) : FuzzVerdict.Accept;
    }

    /// <summary>The value's binary form reads back equal, fully, and re-encodes to the same bytes.</summary>
    public static string? BinaryRoundTrip(SecurityDescriptor sd)
    {
        var bytes = sd.ToBinary();
        if (bytes.Length != sd.GetBinaryLength()) return $"ToBinary gave {bytes.Length} bytes, GetBinaryLength says {sd.GetBinaryLength()}";
        if (!SecurityDescriptor.TryRead(bytes, out var back, out int read, out var error))
            return $"ToBinary() {FuzzHarness.ShowBytes(bytes)} does not read back: {error}";
        if (read != bytes.Length) return $"ToBinary() reads back {read} of {bytes.Length} bytes";
        if (!sd.Equals(back)) return $"ToBinary() {FuzzHarness.ShowBytes(bytes)} reads back to another value";
        if (!back!.ToBinary().AsSpan().SequenceEqual(bytes)) return "ToBinary() re-encodes to other bytes";
        if (sd.GetHashCode() != back.GetHashCode()) return "equal descriptors have different hash codes";
        return null;
    }

    // ----- binary security descriptor --------------------------------------------------------------------------

    /// <summary>
    /// A self-relative descriptor: reads or fails cleanly; what reads re-encodes exactly, its extent is right, and
    /// its SDDL form is either refused with a reason (for ACEs SDDL cannot express) or reads back to the descriptor
    /// less what SDDL cannot carry.
    /// </summary>
    public static FuzzVerdict DescriptorBinary(byte[] input, ParseMeter meter)
    {
        SecurityDescriptor? sd = null;
        ParseError? error = null;
        int read = 0;
        bool ok = meter.Run(() => SecurityDescriptor.TryRead(input, out sd, out read, out error), input.Length, out var budgetFailure);
        if (budgetFailure is not null) return FuzzVerdict.Fail(budgetFailure);
        if (!ok) return CheckError(error, input.Length, "SecurityDescriptor.TryRead") is { } f ? FuzzVerdict.Fail(f) : FuzzVerdict.Reject;
        if (sd is null) return FuzzVerdict.Fail("TryRead returned true and a null descriptor");
        if (read < SecurityDescriptor.HeaderLength || read > input.Length) return FuzzVerdict.Fail($"bytesRead {read} is outside [20, {input.Length}]");
        if (!SecurityDescriptor.TryRead(input.AsSpan(0, read), out var cut, out int cutRead, out var cutError) || cutRead != read || !sd.Equals(cut))
            return FuzzVerdict.Fail($"the first bytesRead={read} bytes alone do not read to the same descriptor ({cutError})");
        if (BinaryRoundTrip(sd) is { } b) return FuzzVerdict.Fail(b);
        return SddlOfBinary(sd);
    }

    /// <summary>The SDDL side of a descriptor read from binary.</summary>
    public static FuzzVerdict SddlOfBinary(SecurityDescriptor sd)
    {
        bool expressible = SddlCanWrite(sd);
        if (!SddlWriter.TryFormat(sd, FuzzCorpus.Context, SecurityInformation.All, out string? text, out string? reason))
        {
            if (string.IsNullOrWhiteSpace(reason)) return FuzzVerdict.Fail("TryFormat returned false without a reason");
            return expressible ? FuzzVerdict.Fail($"TryFormat refused a descriptor SDDL can express: {reason}") : FuzzVerdict.AcceptAs(InexpressibleInSddl);
        }
        if (!expressible) return FuzzVerdict.Fail($"TryFormat wrote {FuzzHarness.ShowText(text!)} for a descriptor holding an ACE SDDL cannot express");
        // Whatever the writer emits must read back (docs/cli.md): what Windows' parser refuses, the writer refuses.
        if (!SddlParser.TryParse(text, FuzzCorpus.Context, out var back, out var error))
            return FuzzVerdict.Fail($"formatted as {FuzzHarness.ShowText(text!)}, which does not parse: {error}");
        var expected = SddlProjection(sd);
        if (!expected.Equals(back))
            return FuzzVerdict.Fail($"formatted as {FuzzHarness.ShowText(text!)}, which parses to {FuzzHarness.ShowText(back!.ToSddl(FuzzCorpus.Context))}, not the descriptor less what SDDL cannot carry");
        return FuzzVerdict.AcceptAs(expected.Equals(sd) ? SddlRoundTripExact : SddlRoundTripLossy);
    }

    /// <summary>Path: SDDL cannot write the descriptor, and TryFormat said why.</summary>
    public const string InexpressibleInSddl = "SDDL refused by the writer";

    /// <summary>Path: the SDDL reads back to the same descriptor.</summary>
    public const string SddlRoundTripExact = "SDDL round trip exact";

    /// <summary>Path: the SDDL reads back to the descriptor less what SDDL cannot carry.</summary>
    public const string SddlRoundTripLossy = "SDDL round trip less what SDDL drops";

    /// <summary>The ACE types the SDDL writer has a code for.</summary>
    public static bool HasSddlCode(AceType type) => AceTypes.Find(type)?.SddlCode is not null;

    /// <summary>
    /// True when SDDL can carry the descriptor so that Windows' parser reads it back: an owner and group with
    /// sub-authorities (S-1-5 is refused), and every ACE with an SDDL code, in the ACL its type belongs to (AU in a
    /// DACL is refused), naming a SID with sub-authorities, and for callback and resource attribute ACEs data that
    /// decodes (a callback ACE without data has no condition to write).
    /// </summary>
    public static bool SddlCanWrite(SecurityDescriptor sd)
    {
        if (sd.Owner is { SubAuthorityCount: 0 } || sd.Group is { SubAuthorityCount: 0 }) return false;
        foreach (var (acl, inDacl) in new[] { (sd.Dacl, true), (sd.Sacl, false) })
        {
            if (acl is null) continue;
            foreach (var ace in acl.Aces)
            {
                if (ace.IsRaw || !HasSddlCode(ace.Type)) return false;
                if (AceTypes.Find(ace.Type)!.AllowedIn != (inDacl ? AclKinds.Dacl : AclKinds.Sacl)) return false;
                if (ace.Sid.SubAuthorityCount == 0) return false;
                if (ace.IsCallback && !ConditionalExpressions.TryDecompile(ace.ApplicationData, FuzzCorpus.Context, out _)) return false;
                if (ace.Type == AceType.SystemResourceAttribute && !ResourceAttributes.TryFormatSddl(ace.ApplicationData, FuzzCorpus.Context, out _)) return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The descriptor as SDDL carries it: ACL flags only on present ACLs, no other control bits, no RM byte, ACL
    /// revisions as Windows sets them, no slack, object flags following the GUIDs, no data after a plain ACE's SID.
    /// </summary>
    public static SecurityDescriptor SddlProjection(SecurityDescriptor sd)
    {
        const SecurityDescriptorControl daclBits = SecurityDescriptorControl.DaclProtected | SecurityDescriptorControl.DaclAutoInheritRequired | SecurityDescriptorControl.DaclAutoInherited;
        const SecurityDescriptorControl saclBits = SecurityDescriptorControl.SaclProtected | SecurityDescriptorControl.SaclAutoInheritRequired | SecurityDescriptorControl.SaclAutoInherited;
        var control = SecurityDescriptorControl.None;
        if (sd.DaclState != AclState.Absent) control |= sd.Control & daclBits;
        if (sd.SaclState != AclState.Absent) control |= sd.Control & saclBits;
        return new SecurityDescriptor(sd.Owner, sd.Group, Project(sd.Dacl), Project(sd.Sacl), control, sd.DaclState, sd.SaclState);

        static Acl? Project(Acl? acl)
        {
            if (acl is null) return null;
            var aces = acl.Aces.Select(a => new Ace(a.Type, a.Flags, a.Mask, a.Sid, a.ObjectType, a.InheritedObjectType, CarriedData(a))).ToArray();
            int slack = OversizeSlack(aces);
            return slack == 0 ? new Acl(aces) : Acl.WithZeroSlack(aces, Acl.RevisionDs, slack);
        }
    }

    /// <summary>
    /// Windows' "oversize ACL" rule, computed independently of the parser: 4 zero bytes after the ACEs for every
    /// non-object ACE with mask 0 whose neighbour has the same type, flags and SID, and then revision 4.
    /// </summary>
    public static int OversizeSlack(IReadOnlyList<Ace> aces)
    {
        int slack = 0;
        for (int i = 0; i < aces.Count; i++)
        {
            if (aces[i].IsObjectAce || aces[i].Mask != 0) continue;
            bool before = i > 0 && Same(aces[i - 1], aces[i]);
            bool after = i + 1 < aces.Count && Same(aces[i], aces[i + 1]);
            if (before || after) slack += 4;
        }
        return slack;

        static bool Same(Ace a, Ace b) => a.Type == b.Type && a.Flags == b.Flags && a.Sid == b.Sid;
    }

    /// <summary>
    /// The application data SDDL carries: text spells a condition's expression or an attribute's name, flags and
    /// values, not the bytes that encoded them. Offsets into the block, values that overlap the name, bytes after the
    /// last value and the padding are layout, so the reduction is the canonical encoding of the decoded value
    /// (computed here by the codecs' decode and encode, not by the SDDL writer or parser under test).
    /// </summary>
    public static byte[] CarriedData(Ace ace)
    {
        var data = ace.ApplicationData;
        if (ace.Type == AceType.SystemResourceAttribute)
            return Claims.ClaimSecurityAttribute.TryReadRelative(data, out var attribute, out _) ? attribute!.ToRelative() : data.ToArray();
        if (!ace.IsCallback) return [];
        if (data.Length == 0) return [];
        return CondCodec.TryDecode(data, out var root) ? CondCodec.Encode(root!) : data.ToArray();
    }

    private static IEnumerable<Ace> AllAces(SecurityDescriptor sd)
        => (sd.Dacl?.Aces ?? []).Concat(sd.Sacl?.Aces ?? []);

    // ----- ACL, ACE -------------------------------------------------------------------------------------------

    /// <summary>An ACL: reads or fails cleanly; what reads re-encodes byte for byte (slack included).</summary>
    public static FuzzVerdict AclBinary(byte[] input, ParseMeter meter)
    {
        Acl? acl = null;
        ParseError? error = null;
        int read = 0;
        bool ok = meter.Run(() => Acl.TryRead(input, out acl, out read, out error), input.Length, out var budgetFailure);
        if (budgetFailure is not null) return FuzzVerdict.Fail(budgetFailure);
        if (!ok) return CheckError(error, input.Length, "Acl.TryRead") is { } f ? FuzzVerdict.Fail(f) : FuzzVerdict.Reject;
        if (acl is null) return FuzzVerdict.Fail("TryRead returned true and a null ACL");
        if (read < Acl.HeaderLength || read > input.Length) return FuzzVerdict.Fail($"bytesRead {read} is outside [8, {input.Length}]");
        if (acl.GetBinaryLength() != read) return FuzzVerdict.Fail($"GetBinaryLength {acl.GetBinaryLength()} differs from bytesRead {read}");
        // The reserved Sbz1 and Sbz2 header fields are not checked by Windows nor kept: they are written as zero.
        var expected = input.AsSpan(0, read).ToArray();
        expected[1] = expected[6] = expected[7] = 0;
        var bytes = acl.ToBinary();
        if (!bytes.AsSpan().SequenceEqual(expected)) return FuzzVerdict.Fail($"re-encodes to other bytes: {FuzzHarness.ShowBytes(bytes)}");
        if (acl.Count != (input[4] | (input[5] << 8))) return FuzzVerdict.Fail($"holds {acl.Count} ACEs, AceCount says {input[4] | (input[5] << 8)}");
        var compact = acl.Compact();
        if (!Acl.TryRead(compact.ToBinary(), out var back, out _, out error) || !compact.Equals(back))
            return FuzzVerdict.Fail($"the compacted ACL does not read back equal ({error})");
        if (compact.Equals(acl) != (acl.Slack.Length == 0)) return FuzzVerdict.Fail("Compact() changes equality other than by the slack");
        foreach (var ace in acl.Aces)
            if (AceInvariants(ace) is { } aceFailure) return FuzzVerdict.Fail(aceFailure);
        return FuzzVerdict.Accept;
    }

    /// <summary>An ACE: reads or fails cleanly; what reads re-encodes byte for byte.</summary>
    public static FuzzVerdict AceBinary(byte[] input, ParseMeter meter)
    {
        Ace? ace = null;
        ParseError? error = null;
        int read = 0;
        bool ok = meter.Run(() => Ace.TryRead(input, out ace, out read, out error), input.Length, out var budgetFailure);
        if (budgetFailure is not null) return FuzzVerdict.Fail(budgetFailure);
        if (!ok) return CheckError(error, input.Length, "Ace.TryRead") is { } f ? FuzzVerdict.Fail(f) : FuzzVerdict.Reject;
        if (ace is null) return FuzzVerdict.Fail("TryRead returned true and a null ACE");
        if (read < 4 || read > input.Length) return FuzzVerdict.Fail($"bytesRead {read} is outside [4, {input.Length}]");
        if (ace.GetBinaryLength() != read) return FuzzVerdict.Fail($"GetBinaryLength {ace.GetBinaryLength()} differs from AceSize {read}");
        var bytes = new byte[read];
        if (!ace.TryWrite(bytes, out int written) || written != read) return FuzzVerdict.Fail("TryWrite into a buffer of its own size failed");
        if (!bytes.AsSpan().SequenceEqual(input.AsSpan(0, read))) return FuzzVerdict.Fail($"re-encodes to other bytes: {FuzzHarness.ShowBytes(bytes)}");
        return AceInvariants(ace) is { } failure ? FuzzVerdict.Fail(failure) : FuzzVerdict.Accept;
    }

    /// <summary>Invariants of any ACE value: a short buffer is refused, a copy reads back equal, it prints.</summary>
    public static string? AceInvariants(Ace ace)
    {
        int length = ace.GetBinaryLength();
        var bytes = new byte[length];
        if (ace.TryWrite(bytes.AsSpan(0, length - 1), out int none) || none != 0) return "TryWrite into a buffer one byte short did not refuse";
        ace.TryWrite(bytes, out _);
        if (!Ace.TryRead(bytes, out var back, out int read, out var error) || read != length) return $"the ACE's bytes do not read back ({error})";
        if (!ace.Equals(back) || ace.GetHashCode() != back!.GetHashCode()) return "the ACE's bytes read back to another value or hash";
        _ = ace.ToString(); // SDDL or a description in angle brackets, never an exception
        return null;
    }

    // ----- SID ----------------------------------------------------------------------------------------------

    /// <summary>A SID string: parses or fails cleanly; what parses prints in Windows' form and parses back equal.</summary>
    public static FuzzVerdict SidString(string text, ParseMeter meter)
    {
        Sid sid = default;
        ParseError? error = null;
        bool ok = meter.Run(() => Sid.TryParse(text, out sid, out error), text.Length, out var budgetFailure);
        if (budgetFailure is not null) return FuzzVerdict.Fail(budgetFailure);

        // The alias-aware entry point must not disagree on plain S-1-... strings, nor throw on anything.
        bool aliasOk = SddlSidAliases.TryParseSid(text, FuzzCorpus.Context, out var aliasSid, out var aliasError);
        if (!aliasOk && CheckError(aliasError, text.Length, "SddlSidAliases.TryParseSid") is { } af) return FuzzVerdict.Fail(af);
        if (ok && (!aliasOk || aliasSid != sid)) return FuzzVerdict.Fail("SddlSidAliases.TryParseSid disagrees with Sid.TryParse");

        if (!ok) return CheckError(error, text.Length, "Sid.TryParse") is { } f ? FuzzVerdict.Fail(f) : FuzzVerdict.Reject;
        if (sid.IsDefault) return FuzzVerdict.Fail("TryParse returned true and default(Sid)");
        return SidInvariants(sid) is { } failure ? FuzzVerdict.Fail(failure) : FuzzVerdict.Accept;
    }

    /// <summary>A binary SID: reads or fails cleanly; what reads is the bytes it came from and prints.</summary>
    public static FuzzVerdict SidBinary(byte[] input, ParseMeter meter)
    {
        Sid sid = default;
        ParseError? error = null;
        int read = 0;
        bool ok = meter.Run(() => Sid.TryRead(input, out sid, out read, out error), input.Length, out var budgetFailure);
        if (budgetFailure is not null) return FuzzVerdict.Fail(budgetFailure);
        if (!ok) return CheckError(error, input.Length, "Sid.TryRead") is { } f ? FuzzVerdict.Fail(f) : FuzzVerdict.Reject;
        if (read < 8 || read > input.Length || read != sid.BinaryLength) return FuzzVerdict.Fail($"bytesRead {read} is wrong (input {input.Length}, SID {sid.BinaryLength})");
        if (!sid.BinaryForm.SequenceEqual(input.AsSpan(0, read))) return FuzzVerdict.Fail("BinaryForm differs from the bytes read");
        if (Sid.FromBinary(input.AsSpan(0, read)) != sid) return FuzzVerdict.Fail("FromBinary of the same bytes gives another SID");
        if (sid.SubAuthorityCount == 0)
        {
            // Windows cannot write a SID without sub-authorities as text that it reads back: S-1-5 is refused.
            string text = sid.ToString();
            if (Sid.TryParse(text, out _, out var e)) return FuzzVerdict.Fail($"{text} (no sub-authority) parsed, though Windows refuses it");
            return CheckError(e, text.Length, "Sid.TryParse") is { } f2 ? FuzzVerdict.Fail(f2) : FuzzVerdict.Accept;
        }
        return SidInvariants(sid) is { } failure ? FuzzVerdict.Fail(failure) : FuzzVerdict.Accept;
    }

    /// <summary>Invariants of a SID with sub-authorities: Windows' string form, which parses back equal.</summary>
    public static string? SidInvariants(Sid sid)
    {
        string text = sid.ToString();
        if (!Sid.TryParse(text, out var back, out var error)) return $"ToString() {text} does not parse: {error}";
        if (back != sid || back.GetHashCode() != sid.GetHashCode()) return $"ToString() {text} parses to another SID";
        if (WindowsSidFormat(sid) is { } expected && expected != text) return $"ToString() is {text}, Windows writes {expected}";
        if (!Sid.TryRead(sid.BinaryForm, out var fromBytes, out int read, out error) || read != sid.BinaryLength || fromBytes != sid)
            return $"the binary form does not read back ({error})";
        return null;
    }

    /// <summary>
    /// ConvertSidToStringSid's form, computed independently: S-1-, the authority in decimal below 2^32 and as 0x with
    /// upper-case hex digits (no padding) from 2^32 on, then each sub-authority in decimal.
    /// </summary>
    public static string WindowsSidFormat(Sid sid)
    {
        var b = sid.BinaryForm;
        ulong authority = 0;
        for (int i = 2; i < 8; i++) authority = (authority << 8) | b[i];
        var sb = new System.Text.StringBuilder("S-1-");
        sb.Append(authority < (1UL << 32)
            ? authority.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "0x" + authority.ToString("X", System.Globalization.CultureInfo.InvariantCulture));
        for (int i = 0; i < b[1]; i++)
            sb.Append('-').Append(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(b[(8 + (4 * i))..]).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
