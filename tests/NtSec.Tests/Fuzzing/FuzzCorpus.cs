using System.Text.RegularExpressions;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tests.Conformance;

namespace NtSec.Tests.Fuzzing;

/// <summary>
/// The seeds the fuzzers mutate: the Windows conformance corpus when it is beside the repository, otherwise a small
/// built-in list so that the fuzz tests still run (and say so in their output).
/// </summary>
public static partial class FuzzCorpus
{
    /// <summary>
    /// The SID context of every fuzz and property test: the conformance machine's domain (LA, LG) plus a domain and a
    /// forest root, so that the domain-relative aliases (DA, EA, ...) are read and written too.
    /// </summary>
    public static readonly SidContext Context = new(
        Domain: Sid.Parse("S-1-5-21-1004336348-1177238915-682003330"),
        MachineDomain: ConformanceData.MachineDomain,
        ForestRootDomain: Sid.Parse("S-1-5-21-3623811015-3361044348-30300820"));

    private static readonly Lazy<Seeds> SeedsLazy = new(Load);

    /// <summary>True when the seeds come from the conformance corpus.</summary>
    public static bool FromConformance => SeedsLazy.Value.FromConformance;

    /// <summary>SDDL strings: every corpus input and output, accepted or not.</summary>
    public static IReadOnlyList<string> Sddl => SeedsLazy.Value.Sddl;

    /// <summary>Single ACE strings cut out of the SDDL seeds.</summary>
    public static IReadOnlyList<string> AceStrings => SeedsLazy.Value.AceStrings;

    /// <summary>Self-relative descriptors: Windows' bytes, and the bytes of the SDDL seeds that parse.</summary>
    public static IReadOnlyList<byte[]> Descriptors => SeedsLazy.Value.Descriptors;

    /// <summary>ACLs cut out of the descriptor seeds.</summary>
    public static IReadOnlyList<byte[]> Acls => SeedsLazy.Value.Acls;

    /// <summary>ACEs cut out of the descriptor seeds, plus raw and callback ACEs.</summary>
    public static IReadOnlyList<byte[]> Aces => SeedsLazy.Value.Aces;

    /// <summary>Binary SIDs from the descriptor seeds.</summary>
    public static IReadOnlyList<byte[]> Sids => SeedsLazy.Value.Sids;

    /// <summary>SID strings found in the SDDL seeds, plus odd forms Windows accepts.</summary>
    public static IReadOnlyList<string> SidStrings => SeedsLazy.Value.SidStrings;

    /// <summary>One line describing where the seeds came from, for test output.</summary>
    public static string Describe()
    {
        var s = SeedsLazy.Value;
        return $"corpus: {(s.FromConformance ? "conformance (" + ConformanceData.Directory + ")" : "built-in fallback (conformance corpus not found)")}; "
               + $"{s.Sddl.Length} SDDL, {s.Descriptors.Length} descriptors, {s.Acls.Length} ACLs, {s.Aces.Length} ACEs, {s.Sids.Length} binary SIDs, {s.SidStrings.Length} SID strings, {s.AceStrings.Length} ACE strings";
    }

    private sealed record Seeds(bool FromConformance, string[] Sddl, byte[][] Descriptors, byte[][] Acls, byte[][] Aces, byte[][] Sids, string[] SidStrings, string[] AceStrings);

    /// <summary>SDDL seeds used when the conformance corpus is missing.</summary>
    internal static readonly string[] BuiltInSddl =
    [
        "O:BAG:SYD:(A;;FA;;;SY)(A;OICI;GA;;;BA)(D;;WD;;;WD)",
        "O:S-1-5-21-1225132014-296224811-2507946102-512G:S-1-5-21-1225132014-296224811-2507946102-512D:P",
        "D:PAI(A;OICIID;0x1200a9;;;BU)(A;OICIIOID;GA;;;CO)S:AI(AU;SAFA;FA;;;WD)",
        "D:NO_ACCESS_CONTROLS:NO_ACCESS_CONTROL",
        "D:S:",
        "D:ARAI(OA;CI;RPWP;bf967a68-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;PS)(OD;;CR;00299570-246d-11d0-a768-00aa006e0529;;AU)",
        "S:(OU;CISA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)(ML;;NWNR;;;HI)",
        "S:(ML;;NW;;;LW)(SP;;;;;S-1-17-1)(TL;;;;;S-1-19-512-8192)",
        "D:(A;;0x401200a0;;;LG)(A;;GA;;;LA)(A;;KR;;;DA)(D;CIIO;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;EA)",
        "O:S-1-0x1313131313131-513G:S-1-5-32-544D:(A;;GA;;;S-1-3-4294967295-3-4)",
        "D: AI(A;;GA;;; LG) (A; ;GX;;;WD )",
        "D:(A;;-99;;;LG)(A;;0x123456789;;;SY)",
        "O:AA",
        "D:(XA;;FX;;;S-1-1-0;(@User.Title == \"PM\"))",
        "S:(RA;;;;;WD;(\"Secrecy\",TU,0,3))",
        "d:(A;;GA;;;LG)",
        "D:(A;;GA;;;S-1-5-)",
    ];

    private static Seeds Load()
    {
        bool fromConformance = ConformanceData.Directory is not null;
        var sddl = new List<string>();
        var descriptors = new List<byte[]>();
        if (fromConformance)
        {
            foreach (var (text, bytes) in ConformanceData.SddlToBytes("short-ordinary-acls.json.gz"))
            {
                sddl.Add(text);
                descriptors.Add(bytes);
            }
            foreach (var (text, bytes) in ConformanceData.SddlToBytes("conditional_aces.txt.json"))
            {
                sddl.Add(text);
                descriptors.Add(bytes);
            }
            foreach (var file in new[] { "canonical.txt", "windows_is_less_fussy.txt", "windows_is_weird.txt", "should_fail.txt", "windows_is_fussy.txt" })
            {
                foreach (var (_, input, output) in ConformanceData.ArrowLines(file))
                {
                    sddl.Add(input);
                    sddl.Add(output);
                }
            }
        }
        else
        {
            sddl.AddRange(BuiltInSddl);
            foreach (var text in BuiltInSddl)
                if (SddlParser.TryParse(text, Context, out var sd, out _)) descriptors.Add(sd!.ToBinary());
            descriptors.AddRange(HandMadeDescriptors());
        }

        var acls = new List<byte[]>();
        var aces = new List<byte[]>();
        var sids = new List<byte[]>();
        var seenAcl = new HashSet<string>();
        var seenAce = new HashSet<string>();
        var seenSid = new HashSet<string>();
        foreach (var bytes in descriptors)
        {
            if (!SecurityDescriptor.TryRead(bytes, out var sd, out _, out _)) continue;
            foreach (var sid in new[] { sd!.Owner, sd.Group })
                if (sid is { } s) AddUnique(sids, seenSid, s.BinaryForm.ToArray());
            foreach (var acl in new[] { sd.Dacl, sd.Sacl })
            {
                if (acl is null) continue;
                AddUnique(acls, seenAcl, acl.ToBinary());
                foreach (var ace in acl.Aces)
                {
                    var aceBytes = new byte[ace.GetBinaryLength()];
                    ace.TryWrite(aceBytes, out _);
                    AddUnique(aces, seenAce, aceBytes);
                    if (!ace.IsRaw) AddUnique(sids, seenSid, ace.Sid.BinaryForm.ToArray());
                }
            }
        }
        foreach (var ace in HandMadeAces())
        {
            var aceBytes = new byte[ace.GetBinaryLength()];
            ace.TryWrite(aceBytes, out _);
            AddUnique(aces, seenAce, aceBytes);
        }

        var sidStrings = new HashSet<string>(StringComparer.Ordinal)
        {
            "S-1-5-18", "s-1-5-32-544", "S-1-0x1313131313131-513", "S-0x1-20-0-579", "S- 1- 2-3", "S-1-3-4294967296-3-4",
            "S-1-5-21-0x1313131313131-513", "S-1-281474976710655-1", "S-1-0xFFFFFFFFFFFF-4294967295", "S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14",
            "S-1-5", "S-1-", "S-2-5-18", "S-1-5-18-", "S-1-4294967296-1",
        };
        foreach (var text in sddl)
            foreach (Match m in SidPattern().Matches(text))
                sidStrings.Add(m.Value);

        var aceStrings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in sddl)
            foreach (Match m in AcePattern().Matches(text))
                aceStrings.Add(m.Value);

        return new Seeds(fromConformance, [.. sddl], [.. descriptors], [.. acls], [.. aces], [.. sids], [.. sidStrings.Order(StringComparer.Ordinal)], [.. aceStrings.Order(StringComparer.Ordinal)]);
    }

    private static void AddUnique(List<byte[]> list, HashSet<string> seen, byte[] bytes)
    {
        if (seen.Add(Convert.ToHexString(bytes))) list.Add(bytes);
    }

    [GeneratedRegex(@"[Ss]-[0-9A-Fa-fxX -]+")]
    private static partial Regex SidPattern();

    // An ACE with an optional parenthesised condition or attribute after its SID.
    [GeneratedRegex(@"\([^()]*(\((?:[^()]|\([^()]*\))*\))?\)")]
    private static partial Regex AcePattern();

    /// <summary>ACEs no SDDL seed produces: unknown types, callback data, padding.</summary>
    internal static IEnumerable<Ace> HandMadeAces()
    {
        var world = WellKnownSids.World;
        yield return Ace.CreateRaw(0x04, AceFlags.None, [0xff, 0x01, 0x1f, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
        yield return Ace.CreateRaw(0x42, AceFlags.Inherited, [1, 2, 3]);
        yield return Ace.CreateRaw(0xff, AceFlags.None, []);
        yield return new Ace(AceType.AccessAllowedCallback, AceFlags.None, 0x1200a9, world, applicationData: "artx\0\0\0\0"u8);
        yield return new Ace(AceType.AccessAllowedCallbackObject, AceFlags.ContainerInherit, 0x10, world, Guid.Parse("bf967a68-0de6-11d0-a285-00aa003049e2"), null, "artx"u8);
        yield return new Ace(AceType.AccessAllowed, AceFlags.None, 0x1f01ff, world, applicationData: new byte[] { 0, 0, 0, 0 });
        yield return new Ace(AceType.SystemResourceAttribute, AceFlags.None, 0, world, applicationData: new byte[] { 0x14, 0, 0, 0, 2, 0, 0, 0 });
    }

    private static IEnumerable<byte[]> HandMadeDescriptors()
    {
        var aces = HandMadeAces().ToArray();
        yield return new SecurityDescriptor(WellKnownSids.World, null, new Acl(aces.Where(a => !a.IsSystemAce)), new Acl(aces.Where(a => a.IsSystemAce)), SecurityDescriptorControl.RmControlValid | SecurityDescriptorControl.OwnerDefaulted, rmControl: 7).ToBinary();
        yield return new SecurityDescriptor(Sid.Create(5), Sid.Create(0xFFFF_FFFF_FFFF, 1, 2), null, null, SecurityDescriptorControl.None, AclState.Null, AclState.Absent).ToBinary();
    }
}
