namespace NtSec.Audit.ActiveDirectory;

/// <summary>What a schema or extended-rights GUID names.</summary>
public enum DirectoryGuidKind
{
    /// <summary>A class (<c>classSchema</c> <c>schemaIDGUID</c>).</summary>
    Class,
    /// <summary>An attribute (<c>attributeSchema</c> <c>schemaIDGUID</c>).</summary>
    Property,
    /// <summary>A property set (<c>controlAccessRight</c> with <c>validAccesses</c> RP|WP; attributes point at it by <c>attributeSecurityGUID</c>).</summary>
    PropertySet,
    /// <summary>A control access right (<c>validAccesses</c> CR).</summary>
    ExtendedRight,
    /// <summary>A validated write (<c>validAccesses</c> SW (RIGHT_DS_SELF)); its GUID is the attribute's <c>schemaIDGUID</c>.</summary>
    ValidatedWrite,
}

/// <summary>A named GUID of the directory.</summary>
/// <param name="Guid">The GUID.</param>
/// <param name="Name">The <c>lDAPDisplayName</c> of a class or attribute, the <c>cn</c> of a control access right.</param>
/// <param name="Kind">What it names.</param>
/// <param name="PropertySet">For a property, the property set it belongs to (<c>attributeSecurityGUID</c>), if any.</param>
/// <param name="AppliesTo">For a right or property set, the classes it applies to (<c>appliesTo</c>); empty if unknown.</param>
public sealed record DirectoryGuid(Guid Guid, string Name, DirectoryGuidKind Kind, Guid? PropertySet = null, IReadOnlyList<Guid>? AppliesTo = null)
{
    /// <summary>The classes it applies to, never null.</summary>
    public IReadOnlyList<Guid> AppliesToClasses => AppliesTo ?? [];
}

/// <summary>
/// The built-in table of the GUIDs an audit asks about most, used when an export carries no schema or
/// Extended-Rights container (an export that does carries its own, which wins). The single declaration of these
/// values in NtSec. Each value is Microsoft's published one; the source is given beside it:
/// [ADSchema] = learn.microsoft.com/windows/win32/adschema (the class, attribute and right pages),
/// [MS-ADA1]/[MS-ADA2]/[MS-ADSC]/[MS-ADTS] = the Open Specifications of that name.
/// </summary>
public static class DirectoryGuids
{
    private static readonly Guid User = new("bf967aba-0de6-11d0-a285-00aa003049e2");
    private static readonly Guid Computer = new("bf967a86-0de6-11d0-a285-00aa003049e2");
    private static readonly Guid Group = new("bf967a9c-0de6-11d0-a285-00aa003049e2");
    private static readonly Guid InetOrgPerson = new("4828cc14-1437-45bc-9b07-ad6f015e5f28");
    private static readonly Guid DomainDns = new("19195a5b-6da0-11d0-afd3-00c04fd930c9");
    private static readonly Guid GeneralInformation = new("59ba2f42-79a2-11d0-9020-00c04fc2d3cf");
    private static readonly Guid AccountRestrictions = new("4c164200-20c0-11d0-a768-00aa006e0529");
    private static readonly Guid PublicInformation = new("e48d0154-bcf8-11d1-8702-00c04fb96050");
    private static readonly Guid Membership = new("bc0ac240-79a9-11d0-9020-00c04fc2d4cf");
    private static readonly Guid ValidatedWriteComputer = new("9b026da6-0d3c-465c-8bee-5199d7165cba");

    /// <summary>The table, in no particular order.</summary>
    public static IReadOnlyList<DirectoryGuid> All { get; } =
    [
        // Classes. user, computer, group: the object types of the CCDC ACEs in organizationalUnit's
        // defaultSecurityDescriptor [ADSchema c-organizationalunit]; inetOrgPerson: Allowed-To-Authenticate's
        // appliesTo [MS-ADTS 6.1.1.2.7.41].
        new(User, "user", DirectoryGuidKind.Class),
        new(Computer, "computer", DirectoryGuidKind.Class),
        new(Group, "group", DirectoryGuidKind.Class),
        new(InetOrgPerson, "inetOrgPerson", DirectoryGuidKind.Class),
        new(new("bf967aa5-0de6-11d0-a285-00aa003049e2"), "organizationalUnit", DirectoryGuidKind.Class), // [ADSchema c-organizationalunit]
        new(new("f30e3bc2-9ff0-11d1-b603-0000f80367c1"), "groupPolicyContainer", DirectoryGuidKind.Class), // [ADSchema c-grouppolicycontainer]
        new(DomainDns, "domainDNS", DirectoryGuidKind.Class), // [MS-ADSC 2.44 Class domainDNS]

        // Property sets [ADSchema r-personal-information, r-public-information, r-general-information,
        // r-user-account-restrictions, r-user-logon, r-membership].
        new(new("77b5b886-944a-11d1-aebd-0000f80367c1"), "Personal-Information", DirectoryGuidKind.PropertySet, AppliesTo: [User, Computer, InetOrgPerson]),
        new(PublicInformation, "Public-Information", DirectoryGuidKind.PropertySet, AppliesTo: [User, Computer, InetOrgPerson]),
        new(GeneralInformation, "General-Information", DirectoryGuidKind.PropertySet, AppliesTo: [User, InetOrgPerson]),
        new(AccountRestrictions, "User-Account-Restrictions", DirectoryGuidKind.PropertySet, AppliesTo: [User, Computer, InetOrgPerson]),
        new(new("5f202010-79a5-11d0-9020-00c04fc2d4cf"), "User-Logon", DirectoryGuidKind.PropertySet, AppliesTo: [User, InetOrgPerson]),
        new(Membership, "Membership", DirectoryGuidKind.PropertySet, AppliesTo: [User, InetOrgPerson]),

        // Properties, with the property set their attributeSecurityGUID names: member [MS-ADA2 2.43: Membership],
        // servicePrincipalName [MS-ADA3 2.253: Public-Information], msDS-KeyCredentialLink [MS-ADA2 2.358:
        // 9b026da6..., the DS-Validated-Write-Computer right], msDS-AllowedToActOnBehalfOfOtherIdentity [MS-ADA2
        // 2.218: User-Account-Restrictions], gPLink [MS-ADA1 gPLink; no attributeSecurityGUID found, so none here:
        // an export's schema says otherwise if it differs]. member and servicePrincipalName are also the GUIDs of the
        // validated writes Self-Membership and Validated-SPN [MS-ADTS 5.1.3.2.2]: the same GUID in two roles.
        new(new("bf9679c0-0de6-11d0-a285-00aa003049e2"), "member", DirectoryGuidKind.Property, PropertySet: Membership),
        new(new("f3a64788-5306-11d1-a9c5-0000f80367c1"), "servicePrincipalName", DirectoryGuidKind.Property, PropertySet: PublicInformation),
        new(new("5b47d60f-6090-40b2-9f37-2a4de88f3063"), "msDS-KeyCredentialLink", DirectoryGuidKind.Property, PropertySet: ValidatedWriteComputer),
        new(new("3f78c3e5-f79a-46bd-a0b8-9d18116ddc79"), "msDS-AllowedToActOnBehalfOfOtherIdentity", DirectoryGuidKind.Property, PropertySet: AccountRestrictions),
        new(new("f30e3bbe-9ff0-11d1-b603-0000f80367c1"), "gPLink", DirectoryGuidKind.Property),

        // Extended rights [ADSchema r-user-change-password, r-user-force-change-password,
        // r-ds-replication-get-changes, r-ds-replication-get-changes-all, r-ds-replication-get-changes-in-filtered-set].
        new(new("ab721a53-1e2f-11d0-9819-00aa0040529b"), "User-Change-Password", DirectoryGuidKind.ExtendedRight, AppliesTo: [User, Computer, InetOrgPerson]),
        new(new("00299570-246d-11d0-a768-00aa006e0529"), "User-Force-Change-Password", DirectoryGuidKind.ExtendedRight, AppliesTo: [User, Computer, InetOrgPerson]),
        new(new("1131f6aa-9c07-11d1-f79f-00c04fc2dcd2"), "DS-Replication-Get-Changes", DirectoryGuidKind.ExtendedRight, AppliesTo: [DomainDns]),
        new(new("1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"), "DS-Replication-Get-Changes-All", DirectoryGuidKind.ExtendedRight, AppliesTo: [DomainDns]),
        new(new("89e95b76-444d-4c62-991a-0facbeda640c"), "DS-Replication-Get-Changes-In-Filtered-Set", DirectoryGuidKind.ExtendedRight, AppliesTo: [DomainDns]),

        // Validated writes [ADSchema r-self-membership, r-validated-spn].
        new(new("bf9679c0-0de6-11d0-a285-00aa003049e2"), "Self-Membership", DirectoryGuidKind.ValidatedWrite, AppliesTo: [Group]),
        new(new("f3a64788-5306-11d1-a9c5-0000f80367c1"), "Validated-SPN", DirectoryGuidKind.ValidatedWrite, AppliesTo: [Computer]),
        // The attributeSecurityGUID of msDS-KeyCredentialLink [MS-ADA2 2.358]; MS-ADTS 3.1.1.5.3.1.1.x names it
        // DS-Validated-Write-Computer.
        new(ValidatedWriteComputer, "DS-Validated-Write-Computer", DirectoryGuidKind.ValidatedWrite, AppliesTo: [Computer]),
    ];

    /// <summary>Other names auditors use for the same entries (the display names of the rights pages).</summary>
    public static IReadOnlyList<(string Alias, string Name)> Aliases { get; } =
    [
        ("Reset-Password", "User-Force-Change-Password"),
        ("Change-Password", "User-Change-Password"),
        ("Account-Restrictions", "User-Account-Restrictions"),
        ("Logon-Information", "User-Logon"),
    ];
}
