using NtSec.Audit.Principals;
using NtSec.Principals;

namespace NtSec.Audit.ActiveDirectory;

/// <summary>What kind of security principal an account entry is.</summary>
public enum AccountKind
{
    /// <summary>A user (objectClass user, not computer).</summary>
    User,
    /// <summary>A computer (objectClass computer).</summary>
    Computer,
    /// <summary>A group (objectClass group).</summary>
    Group,
    /// <summary>Anything else with an objectSid (foreign security principals, the domain head ...).</summary>
    Other,
}

/// <summary>An entry with an objectSid, as the token builder needs it.</summary>
/// <param name="Seq">The object's sequence number in the scan.</param>
/// <param name="Dn">The DN.</param>
/// <param name="Sid">The objectSid.</param>
/// <param name="Kind">User, computer, group or other.</param>
/// <param name="SamAccountName">The sAMAccountName, if exported.</param>
/// <param name="UserAccountControl">The userAccountControl flags, if exported.</param>
/// <param name="PrimaryGroupId">The primaryGroupID, if exported.</param>
/// <param name="GroupType">The groupType, if exported.</param>
/// <param name="SidHistory">The sIDHistory values.</param>
public sealed record DirectoryAccount(long Seq, string Dn, Sid Sid, AccountKind Kind, string? SamAccountName, uint? UserAccountControl,
    uint? PrimaryGroupId, int? GroupType, IReadOnlyList<Sid> SidHistory)
{
    /// <summary>ACCOUNTDISABLE in userAccountControl (MS-ADTS 2.2.16).</summary>
    public bool IsDisabled => ((UserAccountControl ?? 0) & 0x2) != 0;

    /// <summary>
    /// Whether a group is a security group (GROUP_TYPE_SECURITY_ENABLED, MS-ADTS 2.2.12). A group whose groupType was
    /// not exported is taken as one: leaving a group out of a token could hide a deny ACE.
    /// </summary>
    public bool IsSecurityGroup => Kind == AccountKind.Group && (GroupType is not int t || (t & unchecked((int)0x80000000)) != 0);

    /// <summary>The name shown: the sAMAccountName, else the DN.</summary>
    public string Name => SamAccountName ?? Dn;
}

/// <summary>
/// Group membership read from an export, and the tokens a domain controller builds from it for a network logon:
/// the user SID; every security group reached through <c>member</c> and <c>memberOf</c>, transitively (a cycle is
/// walked once); the primary group (the domain SID with <c>primaryGroupID</c>) and its groups; the sIDHistory of
/// the user and of each group; then Everyone, Authenticated Users, This Organization and NETWORK, as
/// <see cref="PrincipalLoader.Build"/> adds them for every logon. See docs/audit-ad.md for each rule.
/// </summary>
public sealed class DirectoryMembership
{
    private readonly List<DirectoryAccount> _accounts = [];
    private readonly Dictionary<string, int> _byDn = new(StringComparer.Ordinal);
    private readonly Dictionary<Sid, int> _bySid = [];
    private readonly List<(int Account, string GroupDn)> _memberOf = [];
    private readonly List<(int Group, string MemberDn)> _members = [];
    private List<int>[]? _parents;

    /// <summary>Groups whose member list the export holds only in part (<c>member;range=</c>).</summary>
    public List<string> RangedGroups { get; } = [];

    /// <summary>The accounts, in export order.</summary>
    public IReadOnlyList<DirectoryAccount> Accounts => _accounts;

    /// <summary>Adds an entry; those without an objectSid are not accounts and are ignored.</summary>
    public void Add(DirectoryObject entry, long seq)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.ObjectSid is not Sid sid) return;
        var kind = entry.Is("computer") ? AccountKind.Computer : entry.Is("user") ? AccountKind.User : entry.Is("group") ? AccountKind.Group : AccountKind.Other;
        int index = _accounts.Count;
        _accounts.Add(new DirectoryAccount(seq, entry.Dn, sid, kind, entry.SamAccountName, entry.UserAccountControl, entry.PrimaryGroupId, entry.GroupType, entry.SidHistory));
        _byDn.TryAdd(DistinguishedName.Key(entry.Dn), index);
        _bySid.TryAdd(sid, index);
        foreach (var g in entry.MemberOf) _memberOf.Add((index, g));
        if (kind == AccountKind.Group)
            foreach (var m in entry.Member) _members.Add((index, m));
        if (entry.MemberRanged) RangedGroups.Add(entry.Dn);
        _parents = null;
    }

    /// <summary>The account with this SID, or null.</summary>
    public DirectoryAccount? Find(Sid sid) => _bySid.TryGetValue(sid, out int i) ? _accounts[i] : null;

    /// <summary>The accounts whose sAMAccountName is <paramref name="name"/> (case-insensitive), or whose DN it is.</summary>
    public IEnumerable<DirectoryAccount> FindByName(string name)
    {
        if (_byDn.TryGetValue(DistinguishedName.Key(name), out int i)) return [_accounts[i]];
        return _accounts.Where(a => string.Equals(a.SamAccountName, name, StringComparison.OrdinalIgnoreCase));
    }

    // Per account, the groups it is a direct member of: both sides of the link, since an export may hold either.
    private List<int>[] Parents()
    {
        if (_parents is not null) return _parents;
        var parents = new List<int>[_accounts.Count];
        for (int i = 0; i < parents.Length; i++) parents[i] = [];
        foreach (var (group, memberDn) in _members)
            if (_byDn.TryGetValue(DistinguishedName.Key(memberDn), out int m) && !parents[m].Contains(group)) parents[m].Add(group);
        foreach (var (account, groupDn) in _memberOf)
            if (_byDn.TryGetValue(DistinguishedName.Key(groupDn), out int g) && _accounts[g].Kind == AccountKind.Group && !parents[account].Contains(g)) parents[account].Add(g);
        return _parents = parents;
    }

    /// <summary>
    /// Every direct membership the export states, from either side (<c>member</c> of the group, <c>memberOf</c> of
    /// the member), each once: the group's and the member's sequence numbers. Links to DNs the export does not
    /// hold are left out; the primary group is not a link (it is the account's <c>primaryGroupID</c>).
    /// </summary>
    public IEnumerable<(long GroupSeq, long MemberSeq)> DirectLinks()
    {
        var parents = Parents();
        for (int m = 0; m < parents.Length; m++)
            foreach (int g in parents[m]) yield return (_accounts[g].Seq, _accounts[m].Seq);
    }

    /// <summary>
    /// The security groups in the account's token, in the order reached (direct groups first, breadth first). A
    /// distribution group is neither added nor walked through: the token holds security groups only.
    /// </summary>
    public IReadOnlyList<DirectoryAccount> GroupsOf(DirectoryAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var parents = Parents();
        if (!_bySid.TryGetValue(account.Sid, out int start)) return [];
        var result = new List<DirectoryAccount>();
        var seen = new HashSet<int> { start };
        var queue = new Queue<int>();
        void Reach(int g)
        {
            if (!_accounts[g].IsSecurityGroup || !seen.Add(g)) return;
            result.Add(_accounts[g]);
            queue.Enqueue(g);
        }
        foreach (int g in parents[start]) Reach(g);
        if (PrimaryGroupSid(account) is Sid pg && _bySid.TryGetValue(pg, out int p)) Reach(p);
        while (queue.Count > 0)
            foreach (int g in parents[queue.Dequeue()]) Reach(g);
        return result;
    }

    /// <summary>The primary group's SID: the account's domain SID with primaryGroupID as its RID.</summary>
    public static Sid? PrimaryGroupSid(DirectoryAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.PrimaryGroupId is uint rid ? DomainRid(account, rid) : null;
    }

    private static Sid? DomainRid(DirectoryAccount account, uint rid)
    {
        if (account.Sid.SubAuthorityCount < 2) return null;
        var subs = new uint[account.Sid.SubAuthorityCount];
        for (int i = 0; i < subs.Length - 1; i++) subs[i] = account.Sid.GetSubAuthority(i);
        subs[^1] = rid;
        return Sid.Create(account.Sid.IdentifierAuthority, subs);
    }

    /// <summary>
    /// The principal for a network logon of <paramref name="account"/>: its token's SIDs as described on the type,
    /// built by <see cref="PrincipalLoader.Build"/> (which adds the well-known groups of every logon).
    /// </summary>
    public AuditPrincipal Principal(DirectoryAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var sids = new List<Sid>();
        var primary = PrimaryGroupSid(account);
        bool primaryFound = false;
        foreach (var g in GroupsOf(account))
        {
            sids.Add(g.Sid);
            sids.AddRange(g.SidHistory);
            if (g.Sid == primary) primaryFound = true;
        }
        // A primary group the export does not hold still belongs in the token (the DC adds it by RID).
        if (primary is Sid p && !primaryFound) sids.Add(p);
        sids.AddRange(account.SidHistory);
        // MS-PAC 4.1.2.1: the KDC adds ENTERPRISE DOMAIN CONTROLLERS for a SERVER_TRUST_ACCOUNT, and Enterprise
        // Read-only Domain Controllers (RID 498 of the forest root: taken as the account's domain) for a
        // WORKSTATION_TRUST_ACCOUNT with PARTIAL_SECRETS_ACCOUNT.
        uint uac = account.UserAccountControl ?? 0;
        if ((uac & 0x2000) != 0) sids.Add(WellKnownSids.EnterpriseControllers);
        if ((uac & 0x1000) != 0 && (uac & 0x4000000) != 0 && DomainRid(account, 498) is Sid rodc) sids.Add(rodc);
        return PrincipalLoader.Build(account.Name, account.Sid, sids, LogonKind.Network, account.Dn);
    }
}
