using System.Text;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Inheritance;
using NtSec.Principals;
using NtSec.Sddl;
using NtSec.Tokens;

namespace NtSec.Tests.Audit;

/// <summary>
/// Writes a generated Active Directory domain as an LDIF export the way ldapsearch prints a paged search with the
/// SD_FLAGS control: a schema subset and the Extended-Rights entries, the domain head, OUs whose DACLs hold
/// inherited, inherit-only, object-type and deny ACEs, users, computers, GPOs, and groups nested in each other with
/// cycles. Children's descriptors come from the library's AD-flavour inheritance (CreatePrivateObjectSecurity with
/// SEF_DACL_AUTO_INHERIT and the object's class), as a DC computes them. Values are base64 (<c>::</c>) where
/// ldapsearch writes them so, lines are folded at 76 columns, and a result block ends every page.
/// </summary>
internal sealed class DirectoryFixture
{
    public const string Base = "DC=corp,DC=example";
    public static readonly Sid DomainSid = Sid.Parse("S-1-5-21-1000-2000-3000");
    public static readonly Sid OldDomainSid = Sid.Parse("S-1-5-21-9-9-9");

    // Real schemaIDGUIDs and rightsGuids (see src/NtSec.Audit/ActiveDirectory/DirectoryGuids.cs for the sources).
    public const string User = "bf967aba-0de6-11d0-a285-00aa003049e2", Group = "bf967a9c-0de6-11d0-a285-00aa003049e2",
        Computer = "bf967a86-0de6-11d0-a285-00aa003049e2", Ou = "bf967aa5-0de6-11d0-a285-00aa003049e2",
        Gpc = "f30e3bc2-9ff0-11d1-b603-0000f80367c1", DomainDns = "19195a5b-6da0-11d0-afd3-00c04fd930c9",
        Container = "bf967a8b-0de6-11d0-a285-00aa003049e2", Contact = "5cb41ed0-0e4c-11d0-a286-00aa003049e2",
        Member = "bf9679c0-0de6-11d0-a285-00aa003049e2", Telephone = "bf967a49-0de6-11d0-a285-00aa003049e2",
        Street = "bf967a4a-0de6-11d0-a285-00aa003049e2", Spn = "f3a64788-5306-11d1-a9c5-0000f80367c1",
        KeyCredential = "5b47d60f-6090-40b2-9f37-2a4de88f3063", Rbcd = "3f78c3e5-f79a-46bd-a0b8-9d18116ddc79",
        GpLink = "f30e3bbe-9ff0-11d1-b603-0000f80367c1",
        PersonalInfo = "77b5b886-944a-11d1-aebd-0000f80367c1", Membership = "bc0ac240-79a9-11d0-9020-00c04fc2d4cf",
        PublicInfo = "e48d0154-bcf8-11d1-8702-00c04fb96050", AccountRestrictions = "4c164200-20c0-11d0-a768-00aa006e0529",
        ValidatedWriteComputer = "9b026da6-0d3c-465c-8bee-5199d7165cba",
        ResetPassword = "00299570-246d-11d0-a768-00aa006e0529", ChangePassword = "ab721a53-1e2f-11d0-9819-00aa0040529b",
        GetChanges = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2", GetChangesAll = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2";

    public int Users { get; init; } = 2000;
    public int Groups { get; init; } = 200;
    public int Departments { get; init; } = 10;
    public int Computers { get; init; } = 200;

    /// <summary>Contacts (class contact, no SID) under OU=Contacts: the bulk of a large directory that holds no accounts.</summary>
    public int Contacts { get; init; }
    public int PageSize { get; init; } = 500;
    public int Seed { get; init; } = 13;
    public bool WithSchema { get; init; } = true;

    /// <summary>
    /// Adds two inheritable ACEs to OU=Dept1 after its children were created, without propagating them (as an edit
    /// of the OU's DACL that was never re-applied below): one for users, one for computers.
    /// </summary>
    public bool Unpropagated { get; init; }

    // The classes' defaultSecurityDescriptor as the fixture's schema declares them, in part; objects of a class are
    // created from its default, so explicit ACEs beyond it are the fixture's delegations.
    public const string UserDefault = $"D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(OA;;CR;{ChangePassword};;PS)(OA;;CR;{ChangePassword};;WD)(A;;RPLCLORC;;;PS)(OA;;RPWP;{PersonalInfo};;PS)";
    public const string GroupDefault = "D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;PS)(A;;RPLCLORC;;;AU)";
    public const string ComputerDefault = $"D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(OA;;SW;{Spn};;PS)(OA;;WP;{KeyCredential};;PS)(A;;RPLCLORC;;;AU)";
    public const string ContainerDefault = "D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)";
    public const string OuDefault = "D:(A;;RPLCLORC;;;AU)";
    public const string GpcDefault = "D:(A;;GA;;;DA)";
    public const string DomainDefault = $"D:(A;;RPLCLORC;;;AU)(A;;GA;;;DA)(A;CI;GA;;;EA)(A;;GA;;;SY)(OA;;CR;{GetChanges};;DD)(OA;;CR;{GetChangesAll};;DD)"
        + $"(OA;CIIO;RP;{Telephone};{User};AU)(A;CI;RPLCLORC;;;AU)(A;CI;GA;;;DA)(A;CI;GA;;;SY)";

    // Well-known accounts of the generated domain, by RID.
    public const uint Helpdesk = 1101, Interns = 1102, GroupManagers = 1103, OuAdmins = 1104, Tier1 = 1105, ServerAdmins = 1106,
        GpoEditors = 1107, Distribution = 1108, SvcBackup = 1201, SvcHalf = 1202, OldAccount = 1234;

    public static Sid Rid(uint rid) => Sid.Parse($"{DomainSid}-{rid}");

    /// <summary>The first generated user RID; users take consecutive RIDs from here.</summary>
    public const uint FirstUser = 5000, FirstGroup = 3000, FirstComputer = 20000;

    private readonly SidContext _context = new(DomainSid);
    private readonly Dictionary<SecurityDescriptor, string> _sdText = [];
    private int _records;
    private TextWriter _out = TextWriter.Null;

    public static string UserDn(int i, int departments) => $"CN=user{i},OU=Dept{i % departments},OU=Staff,{Base}";

    public static string GroupDn(int i) => $"CN=group{i},OU=Groups,{Base}";

    /// <summary>Writes the export.</summary>
    public void Write(TextWriter output)
    {
        _out = output;
        output.Write("# extended LDIF\n#\n# LDAPv3\n# base <DC=corp,DC=example> with scope subtree\n# filter: (objectclass=*)\n# requesting: ALL\n# with paged results control: size=" + PageSize + "\n#\n\n");
        var rng = new Random(Seed);
        var admin = SecuritySubject.FromToken(new TokenBuilder(Rid(500)).AddGroup(Rid(512)).Build());
        SecurityDescriptor Child(SecurityDescriptor parent, string explicitDacl, string classGuid, bool container, Sid? owner = null)
        {
            var creator = SddlParser.Parse($"O:{owner?.ToString() ?? "DA"}G:DA{explicitDacl}", _context);
            // Every directory object is a container to inheritance (the DC passes IsDirectoryObject/TRUE): CI ACEs reach leaves too.
            var r = SecurityInheritance.CreatePrivateObjectSecurity(parent, creator, true, admin, NtSec.Authorization.ObjectTypes.DirectoryServiceObject.GenericMapping,
                [Guid.Parse(classGuid)], AutoInheritFlags.DaclAutoInherit | AutoInheritFlags.AvoidOwnerCheck | AutoInheritFlags.AvoidPrivilegeCheck);
            if (!r.IsSuccess) throw new InvalidOperationException(r.Failure.ToString());
            return r.Descriptor!;
        }

        if (WithSchema) WriteSchema(Child);

        // Domain head: replication rights for the DCs, and (the finding) for svc-backup; svc-half has only one of them.
        var domain = SddlParser.Parse(
            $"O:DAG:DAD:PAI(A;;RPLCLORC;;;AU)(A;;GA;;;DA)(A;CI;GA;;;EA)(A;;GA;;;SY)" +
            $"(OA;;CR;{GetChanges};;DD)(OA;;CR;{GetChangesAll};;DD)" +
            $"(OA;;CR;{GetChanges};;{Rid(SvcBackup)})(OA;;CR;{GetChangesAll};;{Rid(SvcBackup)})(OA;;CR;{GetChanges};;{Rid(SvcHalf)})" +
            $"(OA;CIIO;RP;{Telephone};{User};AU)(A;CI;RPLCLORC;;;AU)(A;CI;GA;;;DA)(A;CI;GA;;;SY)", _context);
        Entry(Base, ["top", "domain", "domainDNS"], domain, sid: DomainSid, extra: ["dc: corp"]);

        var users = Child(domain, "D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)", Container, true);
        Entry($"CN=Users,{Base}", ["top", "container"], users);
        var builtin = Child(domain, "D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)", Container, true);
        Entry($"CN=Builtin,{Base}", ["top", "builtinDomain"], builtin);

        // Privileged groups. Tier1 may write Domain Admins' member (a finding); Interns may add themselves to
        // Account Operators (Self-Membership, a finding); a deny for Interns on Domain Admins' member is first.
        var privileged = SddlParser.Parse($"O:DAG:DAD:PAI(OD;;WP;{Member};;{Rid(Interns)})(A;;GA;;;DA)(A;;GA;;;SY)(A;;RPLCLORC;;;AU)(OA;;WP;{Member};;{Rid(Tier1)})(OA;;WP;{Member};;{Rid(Interns)})", _context);
        AddGroup(Rid(512), "Domain Admins", $"CN=Domain Admins,CN=Users,{Base}", privileged, [$"CN=admin,CN=Users,{Base}", $"CN=user1,OU=Dept1,OU=Staff,{Base}"], 0x80000002);
        AddGroup(Rid(513), "Domain Users", $"CN=Domain Users,CN=Users,{Base}", Child(users, GroupDefault, Group, false), [], 0x80000002);
        AddGroup(Rid(515), "Domain Computers", $"CN=Domain Computers,CN=Users,{Base}", Child(users, GroupDefault, Group, false), [], 0x80000002);
        AddGroup(Rid(516), "Domain Controllers", $"CN=Domain Controllers,CN=Users,{Base}", Child(users, GroupDefault, Group, false), [], 0x80000002);
        AddGroup(Rid(519), "Enterprise Admins", $"CN=Enterprise Admins,CN=Users,{Base}", privileged, [$"CN=admin,CN=Users,{Base}"], 0x80000008);
        var accountOps = SddlParser.Parse($"O:DAG:DAD:PAI(A;;GA;;;DA)(A;;RPLCLORC;;;AU)(OA;;SW;{Member};;{Rid(Interns)})", _context);
        AddGroup(Sid.Parse("S-1-5-32-544"), "Administrators", $"CN=Administrators,CN=Builtin,{Base}", privileged, [$"CN=Domain Admins,CN=Users,{Base}", $"CN=Enterprise Admins,CN=Users,{Base}"], 0x80000005);
        AddGroup(Sid.Parse("S-1-5-32-548"), "Account Operators", $"CN=Account Operators,CN=Builtin,{Base}", accountOps, [], 0x80000005);
        AddUser(500, "admin", $"CN=admin,CN=Users,{Base}", Child(users, UserDefault, User, false), 0x200, []);

        // OUs: OU admins get full control of everything below (inherit-only: not of the OU itself); Helpdesk may
        // reset passwords and write personal information of users (object-type, inherited by users only); Interns
        // are denied writing telephoneNumber (a deny object ACE before the allows); Server admins may configure
        // RBCD on computers; GroupManagers may write member of groups; svc accounts under Dept0 get shadow-credential
        // rights through an explicit ACE on that OU.
        var staffOu = Child(domain,
            $"D:(OD;CIIO;WP;{Telephone};{User};{Rid(Interns)})(A;CIIO;GA;;;{Rid(OuAdmins)})(OA;CIIO;CR;{ResetPassword};{User};{Rid(Helpdesk)})" +
            $"(OA;CIIO;RPWP;{PersonalInfo};{User};{Rid(Helpdesk)})(OA;CIIO;RPWP;{PersonalInfo};{User};{Rid(Interns)})(OA;CIIO;WP;{Member};{Group};{Rid(GroupManagers)})" +
            $"(A;;RPLCLORC;;;AU)(A;;GA;;;DA)", Ou, true);
        Entry($"OU=Staff,{Base}", ["top", "organizationalUnit"], staffOu);
        var deptOus = new SecurityDescriptor[Departments];
        for (int d = 0; d < Departments; d++)
        {
            string extra = d == 0 ? $"(OA;CIIO;WP;{KeyCredential};{User};{Rid(Tier1)})(OD;CIIO;CR;;{User};{Rid(Helpdesk)})" : "";
            deptOus[d] = Child(staffOu, $"D:{extra}(A;;RPLCLORC;;;AU)", Ou, true);
            var written = deptOus[d];
            if (Unpropagated && d == 1)
            {
                var dacl = written.Dacl!.Aces.ToList();
                Ace Parse(string text) => SddlParser.TryParseAce(text, _context, out var ace, out var e) ? ace! : throw new InvalidOperationException(e!.ToString());
                dacl.Insert(0, Parse($"(OA;CIIO;WP;{Street};{User};{Rid(Tier1)})"));
                dacl.Insert(1, Parse($"(OA;CIIO;WP;{Rbcd};{Computer};{Rid(ServerAdmins)})"));
                written = written.WithDacl(new Acl(dacl));
            }
            Entry($"OU=Dept{d},OU=Staff,{Base}", ["top", "organizationalUnit"], written, extra: [$"gPLink: [LDAP://CN={{31B2F340-016D-11D2-945F-00C04FB984F9}},CN=Policies,CN=System,{Base};0]"]);
        }
        var groupsOu = Child(domain, $"D:(OA;CIIO;WP;{Member};{Group};{Rid(GroupManagers)})(A;;RPLCLORC;;;AU)(OA;;WP;{GpLink};;{Rid(GpoEditors)})", Ou, true);
        Entry($"OU=Groups,{Base}", ["top", "organizationalUnit"], groupsOu);
        var serversOu = Child(domain, $"D:(OA;CIIO;WP;{Rbcd};{Computer};{Rid(ServerAdmins)})(A;;RPLCLORC;;;AU)", Ou, true);
        Entry($"OU=Servers,{Base}", ["top", "organizationalUnit"], serversOu);

        // A GPO that GpoEditors may write (GPO control).
        var policies = Child(domain, "D:(A;;RPLCLORC;;;AU)", Container, true);
        Entry($"CN=Policies,CN=System,{Base}", ["top", "container"], policies);
        Entry($"CN={{31B2F340-016D-11D2-945F-00C04FB984F9}},CN=Policies,CN=System,{Base}", ["top", "container", "groupPolicyContainer"],
            Child(policies, $"D:(A;;RPWPCCDCLCLORC;;;{Rid(GpoEditors)})(A;;GA;;;DA)", Gpc, true));

        // Named groups, then generated ones with nesting: group i is a member of group (i+1) % n and of i/2, which
        // closes cycles; every 7th group is a distribution group (not in any token).
        var groupSd = Child(groupsOu, GroupDefault, Group, false);
        var helpdeskMembers = new List<string>();
        var internMembers = new List<string>();
        for (int i = 0; i < Users; i++)
        {
            if (i % 50 == 3) helpdeskMembers.Add(UserDn(i, Departments));
            if (i % 97 == 5) internMembers.Add(UserDn(i, Departments));
        }
        AddGroup(Rid(Helpdesk), "Helpdesk", $"CN=Helpdesk,OU=Groups,{Base}", groupSd, helpdeskMembers, 0x80000002);
        AddGroup(Rid(Interns), "Interns", $"CN=Interns,OU=Groups,{Base}", groupSd, internMembers, 0x80000002);
        AddGroup(Rid(GroupManagers), "GroupManagers", $"CN=GroupManagers,OU=Groups,{Base}", groupSd, [GroupDn(0)], 0x80000002);
        AddGroup(Rid(OuAdmins), "OuAdmins", $"CN=OuAdmins,OU=Groups,{Base}", groupSd, [UserDn(7, Departments)], 0x80000002);
        AddGroup(Rid(Tier1), "Tier1", $"CN=Tier1,OU=Groups,{Base}", groupSd, [GroupDn(1)], 0x80000002);
        AddGroup(Rid(ServerAdmins), "ServerAdmins", $"CN=ServerAdmins,OU=Groups,{Base}", groupSd, [UserDn(9, Departments)], 0x80000002);
        AddGroup(Rid(GpoEditors), "GpoEditors", $"CN=GpoEditors,OU=Groups,{Base}", groupSd, [UserDn(11, Departments)], 0x80000002);
        // A distribution group nested in Helpdesk would give nothing: its members must not become Helpdesk.
        AddGroup(Rid(Distribution), "AllHands", $"CN=AllHands,OU=Groups,{Base}", groupSd, [UserDn(13, Departments)], 0x00000002);
        for (int i = 0; i < Groups; i++)
        {
            var members = new List<string>();
            for (int k = 0; k < 8; k++) members.Add(UserDn(rng.Next(Users), Departments));
            if (i > 0) members.Add(GroupDn((i - 1 + Groups) % Groups));
            if (2 * i + 1 < Groups) members.Add(GroupDn(2 * i + 1));
            if (i == 0) members.Add(GroupDn(Groups - 1)); // closes the chain into a cycle
            AddGroup(Rid(FirstGroup + (uint)i), $"group{i}", GroupDn(i), groupSd, members, i % 7 == 6 ? 0x00000002 : 0x80000002);
        }

        // Users. Every 40th is disabled; every 25th was created by a Helpdesk member (its owner), so descriptors
        // differ by owner as in a real domain; user 4 carries an old domain's SID in sIDHistory, which an ACE on
        // Dept4 names; user 13 is listed in memberOf only (of Helpdesk through AllHands, a distribution group).
        Entry($"CN=oldsid,OU=Staff,{Base}", ["top", "container"], Child(staffOu, $"D:(A;;GA;;;{OldDomainSid}-{OldAccount})", Container, true));
        var userSds = new Dictionary<(int, Sid?), SecurityDescriptor>();
        for (int i = 0; i < Users; i++)
        {
            int d = i % Departments;
            Sid? owner = i % 25 == 0 ? Rid(FirstUser + 3) : null;
            if (!userSds.TryGetValue((d, owner), out var sd)) userSds[(d, owner)] = sd = Child(deptOus[d], UserDefault, User, false, owner);
            uint uac = i % 40 == 39 ? 0x202u : 0x200u;
            var history = i == 4 ? new[] { Sid.Parse($"{OldDomainSid}-{OldAccount}") } : [];
            var memberOf = i == 13 ? new[] { $"CN=AllHands,OU=Groups,{Base}" } : [];
            AddUser(FirstUser + (uint)i, $"user{i}", UserDn(i, Departments), sd, uac, history, memberOf);
        }
        AddUser(SvcBackup, "svc-backup", $"CN=svc-backup,CN=Users,{Base}", Child(users, UserDefault, User, false), 0x200, []);
        AddUser(SvcHalf, "svc-half", $"CN=svc-half,CN=Users,{Base}", Child(users, UserDefault, User, false), 0x200, []);

        var computerSd = Child(serversOu, ComputerDefault, Computer, false);
        for (int i = 0; i < Computers; i++)
            Account(FirstComputer + (uint)i, $"srv{i}$", $"CN=srv{i},OU=Servers,{Base}", ["top", "person", "organizationalPerson", "user", "computer"], computerSd, 0x1000, 515, []);

        if (Contacts > 0)
        {
            // Helpdesk may write contacts' personal information (an inherited object ACE for the contact class).
            var contactsOu = Child(domain, $"D:(OA;CIIO;WP;{PersonalInfo};{Contact};{Rid(Helpdesk)})(A;;RPLCLORC;;;AU)", Ou, true);
            Entry($"OU=Contacts,{Base}", ["top", "organizationalUnit"], contactsOu);
            var contactSd = Child(contactsOu, "D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)", Contact, false);
            for (int i = 0; i < Contacts; i++)
                Entry($"CN=contact{i},OU=Contacts,{Base}", ["top", "person", "organizationalPerson", "contact"], contactSd);
        }
        EndPage(final: true);
    }

    private void WriteSchema(Func<SecurityDescriptor, string, string, bool, Sid?, SecurityDescriptor> child)
    {
        string schema = $"CN=Schema,CN=Configuration,{Base}";
        // Schema entries inherit everything from CN=Schema (not exported): classSchema and attributeSchema default to
        // an empty DACL ("D:S:"), Extended-Rights entries get controlAccessRight's default (the built-in table's).
        var schemaContainer = SddlParser.Parse("O:SAG:SAD:(A;CI;RPLCLORC;;;AU)(A;CI;GA;;;SA)", _context);
        var classSd = child(schemaContainer, "D:", "bf967a83-0de6-11d0-a285-00aa003049e2", true, null);
        var attributeSd = child(schemaContainer, "D:", "bf967a80-0de6-11d0-a285-00aa003049e2", true, null);
        var rightSd = child(schemaContainer, "D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)(A;;RPLCLORC;;;AU)", "8297931e-86d3-11d0-afda-00c04fd930c9", true, null);
        void Class(string name, string guid, string defaultSd) => Entry($"CN={name},{schema}", ["top", "classSchema"], classSd,
            extra: [$"lDAPDisplayName: {name}", $"defaultSecurityDescriptor: {defaultSd}"], binary: [("schemaIDGUID", Guid.Parse(guid).ToByteArray())]);
        void Attribute(string name, string guid, string? set)
            => Entry($"CN={name},{schema}", ["top", "attributeSchema"], attributeSd, extra: [$"lDAPDisplayName: {name}"],
                binary: set is null ? [("schemaIDGUID", Guid.Parse(guid).ToByteArray())] : [("schemaIDGUID", Guid.Parse(guid).ToByteArray()), ("attributeSecurityGUID", Guid.Parse(set).ToByteArray())]);
        Class("user", User, UserDefault);
        Class("group", Group, GroupDefault);
        Class("computer", Computer, ComputerDefault);
        Class("organizationalUnit", Ou, OuDefault);
        Class("groupPolicyContainer", Gpc, GpcDefault);
        Class("domainDNS", DomainDns, DomainDefault);
        Class("container", Container, ContainerDefault);
        Class("builtinDomain", "bf967a81-0de6-11d0-a285-00aa003049e2", ContainerDefault);
        if (Contacts > 0) Class("contact", Contact, "D:(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)");
        Attribute("member", Member, Membership);
        Attribute("telephoneNumber", Telephone, PersonalInfo);
        Attribute("streetAddress", Street, PersonalInfo);
        Attribute("servicePrincipalName", Spn, PublicInfo);
        Attribute("msDS-KeyCredentialLink", KeyCredential, ValidatedWriteComputer);
        Attribute("msDS-AllowedToActOnBehalfOfOtherIdentity", Rbcd, AccountRestrictions);
        Attribute("gPLink", GpLink, null);
        string rights = $"CN=Extended-Rights,CN=Configuration,{Base}";
        void Right(string cn, string guid, int valid, params string[] appliesTo)
            => Entry($"CN={cn},{rights}", ["top", "controlAccessRight"], rightSd,
                extra: [$"cn: {cn}", $"rightsGuid: {guid}", $"validAccesses: {valid}", .. appliesTo.Select(a => $"appliesTo: {a}")]);
        Right("User-Force-Change-Password", ResetPassword, 256, User, Computer);
        Right("User-Change-Password", ChangePassword, 256, User, Computer);
        Right("DS-Replication-Get-Changes", GetChanges, 256, DomainDns);
        Right("DS-Replication-Get-Changes-All", GetChangesAll, 256, DomainDns);
        Right("Personal-Information", PersonalInfo, 48, User);
        Right("Membership", Membership, 48, User);
        Right("Public-Information", PublicInfo, 48, User);
        Right("User-Account-Restrictions", AccountRestrictions, 48, User, Computer);
        Right("Self-Membership", Member, 8, Group);
        Right("Validated-SPN", Spn, 8, Computer);
        Right("DS-Validated-Write-Computer", ValidatedWriteComputer, 8, Computer);
    }

    private void AddGroup(Sid sid, string name, string dn, SecurityDescriptor sd, IReadOnlyList<string> members, uint groupType)
        => Entry(dn, ["top", "group"], sd, sid, [$"sAMAccountName: {name}", $"groupType: {unchecked((int)groupType)}", .. members.Select(m => $"member: {m}")]);

    private void AddUser(uint rid, string name, string dn, SecurityDescriptor sd, uint uac, Sid[] history, string[]? memberOf = null)
        => Account(rid, name, dn, ["top", "person", "organizationalPerson", "user"], sd, uac, 513, history, memberOf);

    private void Account(uint rid, string name, string dn, string[] classes, SecurityDescriptor sd, uint uac, uint primaryGroup, Sid[] history, string[]? memberOf = null)
    {
        var extra = new List<string> { $"sAMAccountName: {name}", $"userAccountControl: {uac}", $"primaryGroupID: {primaryGroup}" };
        if (memberOf is not null) extra.AddRange(memberOf.Select(m => $"memberOf: {m}"));
        Entry(dn, classes, sd, Rid(rid), extra, history.Select(h => ("sIDHistory", h.BinaryForm.ToArray())).ToArray());
    }

    private void Entry(string dn, string[] classes, SecurityDescriptor sd, Sid? sid = null, IEnumerable<string>? extra = null, (string, byte[])[]? binary = null)
    {
        var sb = new StringBuilder();
        // A DN that is not plain ASCII is written base64 (dn::), as RFC 2849 requires.
        if (dn.Any(c => c > 126)) Line(sb, "dn:: " + Convert.ToBase64String(Encoding.UTF8.GetBytes(dn)));
        else Line(sb, "dn: " + dn);
        foreach (var c in classes) Line(sb, "objectClass: " + c);
        foreach (var e in extra ?? []) Line(sb, e);
        if (sid is Sid s) Line(sb, "objectSid:: " + Convert.ToBase64String(s.BinaryForm));
        Line(sb, "objectGUID:: " + Convert.ToBase64String(DeterministicGuid(dn).ToByteArray()));
        foreach (var (name, bytes) in binary ?? []) Line(sb, $"{name}:: " + Convert.ToBase64String(bytes));
        if (!_sdText.TryGetValue(sd, out var b64)) _sdText[sd] = b64 = Convert.ToBase64String(sd.ToBinary());
        Line(sb, "nTSecurityDescriptor:: " + b64);
        sb.Append('\n');
        _out.Write(sb);
        if (++_records % PageSize == 0) EndPage(final: false);
    }

    // ldapsearch's page trailer: a result block and the paged-results control, then the next page's records.
    private void EndPage(bool final)
    {
        _out.Write($"# search result\nsearch: {_records / PageSize + 2}\nresult: 0 Success\ncontrol: 1.2.840.113556.1.4.319 false MAQCAQAEAA==\n\n");
        if (final) _out.Write($"# numResponses: {_records + 1}\n# numEntries: {_records}\n");
    }

    private static Guid DeterministicGuid(string dn)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(dn));
        return new Guid(hash.AsSpan(0, 16));
    }

    // RFC 2849 folding at 76 columns, wherever the cut falls (inside a name or a base64 value too).
    private static void Line(StringBuilder sb, string line)
    {
        const int width = 76;
        if (line.Length <= width)
        {
            sb.Append(line).Append('\n');
            return;
        }
        sb.Append(line, 0, width).Append('\n');
        for (int i = width; i < line.Length; i += width - 1)
            sb.Append(' ').Append(line, i, Math.Min(width - 1, line.Length - i)).Append('\n');
    }
}
