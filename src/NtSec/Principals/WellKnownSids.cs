using static NtSec.Principals.WellKnownSidType;

namespace NtSec.Principals;

/// <summary>Where a domain-relative well-known SID takes its domain from.</summary>
public enum SidScope
{
    /// <summary>A constant SID, the same on every machine.</summary>
    Constant,
    /// <summary>Relative to the machine's own account domain (LA, LG).</summary>
    Machine,
    /// <summary>Relative to the domain the machine is joined to (DA, DU, DG ...).</summary>
    Domain,
    /// <summary>Relative to the forest root domain (SA, EA, RO, EK).</summary>
    ForestRoot,
}

/// <summary>One entry of the well-known SID catalogue.</summary>
/// <param name="Alias">The SDDL two-letter alias, or null when SDDL has none.</param>
/// <param name="Scope">Whether the SID is constant or relative to a domain.</param>
/// <param name="ConstantSid">The SID, for <see cref="SidScope.Constant"/> entries.</param>
/// <param name="Rid">The relative identifier appended to the domain, for the other scopes.</param>
/// <param name="Domain">The account's domain part as Windows prints it (<c>NT AUTHORITY</c>, <c>BUILTIN</c>, ...).</param>
/// <param name="Name">
/// The account name (English Windows), or null for a SID whose name NtSec does not know: the entry is there for
/// CreateWellKnownSid, and name lookups treat the SID as unnamed.
/// </param>
public sealed record WellKnownSid(string? Alias, SidScope Scope, Sid ConstantSid, uint Rid, string Domain, string? Name)
{
    /// <summary>
    /// The WELL_KNOWN_SID_TYPE that CreateWellKnownSid makes this SID from, or null when no type names it.
    /// </summary>
    public WellKnownSidType? Type { get; init; }

    /// <summary>
    /// <c>DOMAIN\Name</c>, or the bare name when the domain part is empty (<c>Everyone</c>); null when the name is not known.
    /// </summary>
    public string? AccountName => Name is null ? null : Domain.Length == 0 ? Name : $"{Domain}\\{Name}";

    /// <summary>The SID for a given domain context; null when the entry needs a domain that was not supplied.</summary>
    public Sid? Resolve(SidContext context) => Scope switch
    {
        SidScope.Constant => ConstantSid,
        SidScope.Machine => context.MachineDomain?.Append(Rid),
        SidScope.Domain => context.Domain?.Append(Rid),
        SidScope.ForestRoot => (context.ForestRootDomain ?? context.Domain)?.Append(Rid),
        _ => null,
    };
}

/// <summary>
/// The domains against which domain-relative aliases (DA, DU, LA, LG, EA ...) resolve and re-alias.
/// </summary>
/// <param name="Domain">The domain the machine belongs to (S-1-5-21-x-y-z); DA, DU, DG, DC, DD, CA, PA, RS, CN, AP, KA.</param>
/// <param name="MachineDomain">The machine's own account domain; LA and LG.</param>
/// <param name="ForestRootDomain">The forest root domain; SA, EA, RO, EK. Defaults to <paramref name="Domain"/>.</param>
public sealed record SidContext(Sid? Domain = null, Sid? MachineDomain = null, Sid? ForestRootDomain = null)
{
    /// <summary>No domain known: only constant aliases resolve.</summary>
    public static SidContext None { get; } = new();
}

/// <summary>
/// The catalogue of well-known SIDs: their SDDL aliases, account names and WELL_KNOWN_SID_TYPE values, and the
/// constants the rest of NtSec uses.
/// </summary>
/// <remarks>
/// One table: each SID is one row of <see cref="All"/>, which states its value, alias, account and type; the named
/// constants are bound by the rows that state them, <see cref="WellKnownSidTypes"/> is read off the rows.
/// </remarks>
public static class WellKnownSids
{
    // The named constants: each is assigned by its row of All, in the static constructor, so that the SID a row
    // states, the constant, an SDDL alias and Canonical are one instance, and the access check's SID compare is a
    // reference compare (issue 10).

    /// <summary>S-1-0-0 NULL SID.</summary>
    public static readonly Sid Null;
    /// <summary>S-1-1-0 Everyone (WD).</summary>
    public static readonly Sid World;
    /// <summary>S-1-2-0 LOCAL.</summary>
    public static readonly Sid Local;
    /// <summary>S-1-2-1 CONSOLE LOGON.</summary>
    public static readonly Sid ConsoleLogon;
    /// <summary>S-1-3-0 CREATOR OWNER (CO).</summary>
    public static readonly Sid CreatorOwner;
    /// <summary>S-1-3-1 CREATOR GROUP (CG).</summary>
    public static readonly Sid CreatorGroup;
    /// <summary>S-1-3-2 CREATOR OWNER SERVER.</summary>
    public static readonly Sid CreatorOwnerServer;
    /// <summary>S-1-3-3 CREATOR GROUP SERVER.</summary>
    public static readonly Sid CreatorGroupServer;
    /// <summary>S-1-3-4 OWNER RIGHTS (OW).</summary>
    public static readonly Sid OwnerRights;
    /// <summary>S-1-5-1 DIALUP.</summary>
    public static readonly Sid Dialup;
    /// <summary>S-1-5-2 NETWORK (NU).</summary>
    public static readonly Sid Network;
    /// <summary>S-1-5-3 BATCH.</summary>
    public static readonly Sid Batch;
    /// <summary>S-1-5-4 INTERACTIVE (IU).</summary>
    public static readonly Sid Interactive;
    /// <summary>S-1-5-6 SERVICE (SU).</summary>
    public static readonly Sid Service;
    /// <summary>S-1-5-7 ANONYMOUS LOGON (AN).</summary>
    public static readonly Sid Anonymous;
    /// <summary>S-1-5-8 PROXY.</summary>
    public static readonly Sid Proxy;
    /// <summary>S-1-5-9 ENTERPRISE DOMAIN CONTROLLERS (ED).</summary>
    public static readonly Sid EnterpriseControllers;
    /// <summary>S-1-5-10 SELF, the PRINCIPAL_SELF placeholder (PS).</summary>
    public static readonly Sid PrincipalSelf;
    /// <summary>S-1-5-11 Authenticated Users (AU).</summary>
    public static readonly Sid AuthenticatedUsers;
    /// <summary>S-1-5-12 RESTRICTED, the usual restricting SID (RC).</summary>
    public static readonly Sid Restricted;
    /// <summary>S-1-5-13 TERMINAL SERVER USER.</summary>
    public static readonly Sid TerminalServerUser;
    /// <summary>S-1-5-14 REMOTE INTERACTIVE LOGON.</summary>
    public static readonly Sid RemoteInteractiveLogon;
    /// <summary>S-1-5-15 This Organization.</summary>
    public static readonly Sid ThisOrganization;
    /// <summary>S-1-5-17 IUSR.</summary>
    public static readonly Sid Iusr;
    /// <summary>S-1-5-18 SYSTEM (SY).</summary>
    public static readonly Sid LocalSystem;
    /// <summary>S-1-5-19 LOCAL SERVICE (LS).</summary>
    public static readonly Sid LocalService;
    /// <summary>S-1-5-20 NETWORK SERVICE (NS).</summary>
    public static readonly Sid NetworkService;
    /// <summary>S-1-5-32-544 BUILTIN\Administrators (BA).</summary>
    public static readonly Sid BuiltinAdministrators;
    /// <summary>S-1-5-32-545 BUILTIN\Users (BU).</summary>
    public static readonly Sid BuiltinUsers;
    /// <summary>S-1-5-32-546 BUILTIN\Guests (BG).</summary>
    public static readonly Sid BuiltinGuests;
    /// <summary>S-1-5-33 WRITE RESTRICTED (WR).</summary>
    public static readonly Sid WriteRestricted;
    /// <summary>S-1-5-64-10 NTLM Authentication.</summary>
    public static readonly Sid NtlmAuthentication;
    /// <summary>S-1-5-113 Local account.</summary>
    public static readonly Sid LocalAccount;
    /// <summary>S-1-5-114 Local account and member of Administrators group.</summary>
    public static readonly Sid LocalAccountAndAdministrator;
    /// <summary>S-1-15-2-1 ALL APPLICATION PACKAGES (AC).</summary>
    public static readonly Sid AllApplicationPackages;
    /// <summary>S-1-15-2-2 ALL RESTRICTED APPLICATION PACKAGES.</summary>
    public static readonly Sid AllRestrictedApplicationPackages;
    /// <summary>S-1-16-0 Untrusted Mandatory Level.</summary>
    public static readonly Sid UntrustedIntegrity;
    /// <summary>S-1-16-4096 Low Mandatory Level (LW).</summary>
    public static readonly Sid LowIntegrity;
    /// <summary>S-1-16-8192 Medium Mandatory Level (ME).</summary>
    public static readonly Sid MediumIntegrity;
    /// <summary>S-1-16-8448 Medium Plus Mandatory Level (MP).</summary>
    public static readonly Sid MediumPlusIntegrity;
    /// <summary>S-1-16-12288 High Mandatory Level (HI).</summary>
    public static readonly Sid HighIntegrity;
    /// <summary>S-1-16-16384 System Mandatory Level (SI).</summary>
    public static readonly Sid SystemIntegrity;
    /// <summary>S-1-16-20480 Protected Process Mandatory Level.</summary>
    public static readonly Sid ProtectedProcessIntegrity;

    /// <summary>
    /// Every entry, in the order Windows' SDDL writer searches its alias table (first match wins).
    /// </summary>
    public static IReadOnlyList<WellKnownSid> All { get; }

    private static readonly Dictionary<Sid, WellKnownSid> ConstantBySid;
    private static readonly WellKnownSid[] Relative;
    private static readonly Dictionary<string, WellKnownSid> ByAccountName;

    private const string NtAuthority = "NT AUTHORITY";
    private const string PackageAuthority = "APPLICATION PACKAGE AUTHORITY";
    private const string MandatoryLabel = "Mandatory Label";

    // A static constructor rather than initialisers: the rows assign the named constants (out arguments), which only
    // a constructor may do, and the lookups below are built from All after it, in this order.
    static WellKnownSids()
    {
        // A row: alias (null: none), the SID (constant, or scope and RID for a domain-relative one), the account's
        // domain and name (null: not known), the WELL_KNOWN_SID_TYPE (null: none), and the named constant it assigns.
        All =
        [
            C("WD", S(1, 0), "", "Everyone", WinWorldSid, out World),
            C("CO", S(3, 0), "", "CREATOR OWNER", WinCreatorOwnerSid, out CreatorOwner),
            C("CG", S(3, 1), "", "CREATOR GROUP", WinCreatorGroupSid, out CreatorGroup),
            C("OW", S(3, 4), "", "OWNER RIGHTS", WinCreatorOwnerRightsSid, out OwnerRights),
            C(null, S(3, 2), "", "CREATOR OWNER SERVER", WinCreatorOwnerServerSid, out CreatorOwnerServer),
            C(null, S(3, 3), "", "CREATOR GROUP SERVER", WinCreatorGroupServerSid, out CreatorGroupServer),
            C(null, S(0, 0), "", "NULL SID", WinNullSid, out Null),
            C(null, S(2, 0), "", "LOCAL", WinLocalSid, out Local),
            C(null, S(2, 1), "", "CONSOLE LOGON", WinConsoleLogonSid, out ConsoleLogon),
            // The authority itself, a domain to LookupAccountSid ([MS-LSAT] 3.1.1.1.1).
            C(null, S(5), "NT Pseudo Domain", "NT Pseudo Domain", WinNtAuthoritySid),
            Na(null, 1, "DIALUP", WinDialupSid, out Dialup),
            Na("NU", 2, "NETWORK", WinNetworkSid, out Network),
            Na(null, 3, "BATCH", WinBatchSid, out Batch),
            Na("IU", 4, "INTERACTIVE", WinInteractiveSid, out Interactive),
            Na("SU", 6, "SERVICE", WinServiceSid, out Service),
            Na("AN", 7, "ANONYMOUS LOGON", WinAnonymousSid, out Anonymous),
            Na(null, 8, "PROXY", WinProxySid, out Proxy),
            Na("ED", 9, "ENTERPRISE DOMAIN CONTROLLERS", WinEnterpriseControllersSid, out EnterpriseControllers),
            Na("PS", 10, "SELF", WinSelfSid, out PrincipalSelf),
            Na("AU", 11, "Authenticated Users", WinAuthenticatedUserSid, out AuthenticatedUsers),
            Na("RC", 12, "RESTRICTED", WinRestrictedCodeSid, out Restricted),
            Na(null, 13, "TERMINAL SERVER USER", WinTerminalServerSid, out TerminalServerUser),
            Na(null, 14, "REMOTE INTERACTIVE LOGON", WinRemoteLogonIdSid, out RemoteInteractiveLogon),
            Na(null, 15, "This Organization", WinThisOrganizationSid, out ThisOrganization),
            Na(null, 17, "IUSR", WinIUserSid, out Iusr),
            Na("SY", 18, "SYSTEM", WinLocalSystemSid, out LocalSystem),
            Na("LS", 19, "LOCAL SERVICE", WinLocalServiceSid, out LocalService),
            Na("NS", 20, "NETWORK SERVICE", WinNetworkServiceSid, out NetworkService),
            // The name Windows' LookupAccountSid gives (observed, PsGetSid among others): the "BETA" is Windows' own.
            Na(null, 22, "ENTERPRISE READ-ONLY DOMAIN CONTROLLERS BETA", WinEnterpriseReadonlyControllersSid),
            Na("WR", 33, "WRITE RESTRICTED", WinWriteRestrictedCodeSid, out WriteRestricted),
            C(null, S(5, 64, 10), NtAuthority, "NTLM Authentication", WinNTLMAuthenticationSid, out NtlmAuthentication),
            C(null, S(5, 64, 14), NtAuthority, "SChannel Authentication", WinSChannelAuthenticationSid),
            C(null, S(5, 64, 21), NtAuthority, "Digest Authentication", WinDigestAuthenticationSid),
            C(null, S(5, 65, 1), NtAuthority, "This Organization Certificate", WinThisOrganizationCertificateSid),
            Na(null, 113, "Local account", WinLocalAccountSid, out LocalAccount),
            Na(null, 114, "Local account and member of Administrators group", WinLocalAccountAndAdministratorSid, out LocalAccountAndAdministrator),
            Na(null, 1000, "Other Organization", WinOtherOrganizationSid),
            // BUILTIN itself, a domain to LookupAccountSid: BUILTIN\BUILTIN ([MS-LSAT] 3.1.1.1.1).
            C(null, S(5, 32), "BUILTIN", "BUILTIN", WinBuiltinDomainSid),
            B("BA", 544, "Administrators", WinBuiltinAdministratorsSid, out BuiltinAdministrators),
            B("BU", 545, "Users", WinBuiltinUsersSid, out BuiltinUsers),
            B("BG", 546, "Guests", WinBuiltinGuestsSid, out BuiltinGuests),
            B("PU", 547, "Power Users", WinBuiltinPowerUsersSid),
            B("AO", 548, "Account Operators", WinBuiltinAccountOperatorsSid),
            B("SO", 549, "Server Operators", WinBuiltinSystemOperatorsSid),
            B("PO", 550, "Print Operators", WinBuiltinPrintOperatorsSid),
            B("BO", 551, "Backup Operators", WinBuiltinBackupOperatorsSid),
            B("RE", 552, "Replicator", WinBuiltinReplicatorSid),
            B("RU", 554, "Pre-Windows 2000 Compatible Access", WinBuiltinPreWindows2000CompatibleAccessSid),
            B("RD", 555, "Remote Desktop Users", WinBuiltinRemoteDesktopUsersSid),
            B("NO", 556, "Network Configuration Operators", WinBuiltinNetworkConfigurationOperatorsSid),
            B(null, 557, "Incoming Forest Trust Builders", WinBuiltinIncomingForestTrustBuildersSid),
            B("MU", 558, "Performance Monitor Users", WinBuiltinPerfMonitoringUsersSid),
            B("LU", 559, "Performance Log Users", WinBuiltinPerfLoggingUsersSid),
            B(null, 560, "Windows Authorization Access Group", WinBuiltinAuthorizationAccessSid),
            B(null, 561, "Terminal Server License Servers", WinBuiltinTerminalServerLicenseServersSid),
            B(null, 562, "Distributed COM Users", WinBuiltinDCOMUsersSid),
            B("IS", 568, "IIS_IUSRS", WinBuiltinIUsersSid),
            B("CY", 569, "Cryptographic Operators", WinBuiltinCryptoOperatorsSid),
            B("ER", 573, "Event Log Readers", WinBuiltinEventLogReadersGroup),
            B("CD", 574, "Certificate Service DCOM Access", WinBuiltinCertSvcDComAccessGroup),
            B("RA", 575, "RDS Remote Access Servers", WinBuiltinRDSRemoteAccessServersSid),
            B("ES", 576, "RDS Endpoint Servers", WinBuiltinRDSEndpointServersSid),
            B("MS", 577, "RDS Management Servers", WinBuiltinRDSManagementServersSid),
            B("HA", 578, "Hyper-V Administrators", WinBuiltinHyperVAdminsSid),
            B("AA", 579, "Access Control Assistance Operators", WinBuiltinAccessControlAssistanceOperatorsSid),
            B("RM", 580, "Remote Management Users", WinBuiltinRemoteManagementUsersSid),
            B(null, 581, "System Managed Accounts Group", WinBuiltinDefaultSystemManagedGroupSid),
            B(null, 582, "Storage Replica Administrators", WinBuiltinStorageReplicaAdminsSid),
            B(null, 583, "Device Owners", WinBuiltinDeviceOwnersSid),
            C("UD", S(5, 84, 0, 0, 0, 0, 0), NtAuthority, "USER MODE DRIVERS", WinUserModeDriversSid),
            C("AC", S(15, 2, 1), PackageAuthority, "ALL APPLICATION PACKAGES", WinBuiltinAnyPackageSid, out AllApplicationPackages),
            C(null, S(15, 2, 2), PackageAuthority, "ALL RESTRICTED APPLICATION PACKAGES", null, out AllRestrictedApplicationPackages),
            C(null, S(15, 3, 1), PackageAuthority, "Your Internet connection", WinCapabilityInternetClientSid),
            C(null, S(15, 3, 2), PackageAuthority, "Your Internet connection, including incoming connections from the Internet", WinCapabilityInternetClientServerSid),
            C(null, S(15, 3, 3), PackageAuthority, "Your home or work networks", WinCapabilityPrivateNetworkClientServerSid),
            C(null, S(15, 3, 4), PackageAuthority, "Your pictures library", WinCapabilityPicturesLibrarySid),
            C(null, S(15, 3, 5), PackageAuthority, "Your videos library", WinCapabilityVideosLibrarySid),
            C(null, S(15, 3, 6), PackageAuthority, "Your music library", WinCapabilityMusicLibrarySid),
            C(null, S(15, 3, 7), PackageAuthority, "Your documents library", WinCapabilityDocumentsLibrarySid),
            // The capability RIDs follow the capabilities (enterpriseAuthentication 8, sharedUserCertificates 9), but
            // WELL_KNOWN_SID_TYPE lists sharedUserCertificates (92) before enterpriseAuthentication (93).
            C(null, S(15, 3, 8), PackageAuthority, "Your Windows credentials", WinCapabilityEnterpriseAuthenticationSid),
            C(null, S(15, 3, 9), PackageAuthority, "Software and hardware certificates or a smart card", WinCapabilitySharedUserCertificatesSid),
            C(null, S(15, 3, 10), PackageAuthority, "Removable storage", WinCapabilityRemovableStorageSid),
            C("AS", S(18, 1), "", "Authentication authority asserted identity", WinAuthenticationAuthorityAssertedSid),
            C("SS", S(18, 2), "", "Service asserted identity", WinAuthenticationServiceAssertedSid),
            // The key-trust identities: Microsoft's pages describe them, but no source pins the names LookupAccountSid
            // gives, so they stay unnamed.
            C(null, S(18, 3), "", null, WinAuthenticationFreshKeyAuthSid),
            C(null, S(18, 4), "", null, WinAuthenticationKeyTrustSid),
            C(null, S(18, 5), "", null, WinAuthenticationKeyPropertyMFASid),
            C(null, S(18, 6), "", null, WinAuthenticationKeyPropertyAttestationSid),
            C(null, S(16, 0), MandatoryLabel, "Untrusted Mandatory Level", WinUntrustedLabelSid, out UntrustedIntegrity),
            C("LW", S(16, 4096), MandatoryLabel, "Low Mandatory Level", WinLowLabelSid, out LowIntegrity),
            C("ME", S(16, 8192), MandatoryLabel, "Medium Mandatory Level", WinMediumLabelSid, out MediumIntegrity),
            C("MP", S(16, 8448), MandatoryLabel, "Medium Plus Mandatory Level", WinMediumPlusLabelSid, out MediumPlusIntegrity),
            C("HI", S(16, 12288), MandatoryLabel, "High Mandatory Level", WinHighLabelSid, out HighIntegrity),
            C("SI", S(16, 16384), MandatoryLabel, "System Mandatory Level", WinSystemLabelSid, out SystemIntegrity),
            C(null, S(16, 20480), MandatoryLabel, "Protected Process Mandatory Level", null, out ProtectedProcessIntegrity),
            R("LA", SidScope.Machine, 500, "Administrator", WinAccountAdministratorSid),
            R("LG", SidScope.Machine, 501, "Guest", WinAccountGuestSid),
            R(null, SidScope.Domain, 502, "krbtgt", WinAccountKrbtgtSid),
            // Like Administrator and Guest, an account of every machine's own account database (Windows 10 on).
            R(null, SidScope.Machine, 503, "DefaultAccount", WinAccountDefaultSystemManagedSid),
            R("DA", SidScope.Domain, 512, "Domain Admins", WinAccountDomainAdminsSid),
            R("DU", SidScope.Domain, 513, "Domain Users", WinAccountDomainUsersSid),
            R("DG", SidScope.Domain, 514, "Domain Guests", WinAccountDomainGuestsSid),
            R("DC", SidScope.Domain, 515, "Domain Computers", WinAccountComputersSid),
            R("DD", SidScope.Domain, 516, "Domain Controllers", WinAccountControllersSid),
            R("CA", SidScope.Domain, 517, "Cert Publishers", WinAccountCertAdminsSid),
            R("SA", SidScope.ForestRoot, 518, "Schema Admins", WinAccountSchemaAdminsSid),
            R("EA", SidScope.ForestRoot, 519, "Enterprise Admins", WinAccountEnterpriseAdminsSid),
            R("PA", SidScope.Domain, 520, "Group Policy Creator Owners", WinAccountPolicyAdminsSid),
            R("RO", SidScope.ForestRoot, 498, "Enterprise Read-only Domain Controllers", WinNewEnterpriseReadonlyControllersSid),
            R(null, SidScope.Domain, 521, "Read-only Domain Controllers", WinAccountReadonlyControllersSid),
            R("CN", SidScope.Domain, 522, "Cloneable Domain Controllers", WinAccountCloneableControllersSid),
            R("AP", SidScope.Domain, 525, "Protected Users", WinAccountProtectedUsersSid),
            R("KA", SidScope.Domain, 526, "Key Admins", WinAccountKeyAdminsSid),
            R("EK", SidScope.ForestRoot, 527, "Enterprise Key Admins", WinAccountEnterpriseKeyAdminsSid),
            R("RS", SidScope.Domain, 553, "RAS and IAS Servers", WinAccountRasAndIasServersSid),
            R(null, SidScope.Domain, 571, "Allowed RODC Password Replication Group", WinCacheablePrincipalsGroupSid),
            R(null, SidScope.Domain, 572, "Denied RODC Password Replication Group", WinNonCacheablePrincipalsGroupSid),
        ];
        ConstantBySid = BuildBySid();
        Relative = [.. All.Where(e => e.Scope != SidScope.Constant)];
        ByAccountName = BuildByName();
    }

    private static Sid S(ulong authority, params ReadOnlySpan<uint> subAuthorities) => Sid.Create(authority, subAuthorities);

    private static WellKnownSid C(string? alias, Sid sid, string domain, string? name, WellKnownSidType? type)
        => new(alias, SidScope.Constant, sid, 0, domain, name) { Type = type };

    // A row that also assigns the named constant standing for its SID.
    private static WellKnownSid C(string? alias, Sid sid, string domain, string? name, WellKnownSidType? type, out Sid constant)
    {
        constant = sid;
        return C(alias, sid, domain, name, type);
    }

    private static WellKnownSid Na(string? alias, uint rid, string? name, WellKnownSidType? type) => C(alias, S(5, rid), NtAuthority, name, type);
    private static WellKnownSid Na(string? alias, uint rid, string? name, WellKnownSidType? type, out Sid constant) => C(alias, S(5, rid), NtAuthority, name, type, out constant);
    private static WellKnownSid B(string? alias, uint rid, string? name, WellKnownSidType? type) => C(alias, S(5, 32, rid), "BUILTIN", name, type);
    private static WellKnownSid B(string? alias, uint rid, string? name, WellKnownSidType? type, out Sid constant) => C(alias, S(5, 32, rid), "BUILTIN", name, type, out constant);
    private static WellKnownSid R(string? alias, SidScope scope, uint rid, string? name, WellKnownSidType? type) => new(alias, scope, default, rid, "", name) { Type = type };

    /// <summary>
    /// The catalogue's own instance of a constant well-known SID equal to <paramref name="sid"/>, or
    /// <paramref name="sid"/> itself: equal SIDs then share one object and compare by reference.
    /// </summary>
    internal static Sid Canonical(Sid sid) => !sid.IsDefault && ConstantBySid.TryGetValue(sid, out var e) ? e.ConstantSid : sid;

    private static Dictionary<Sid, WellKnownSid> BuildBySid()
    {
        var map = new Dictionary<Sid, WellKnownSid>();
        foreach (var e in All)
            if (e.Scope == SidScope.Constant) map.TryAdd(e.ConstantSid, e);
        return map;
    }

    private static Dictionary<string, WellKnownSid> BuildByName()
    {
        var map = new Dictionary<string, WellKnownSid>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in All)
        {
            if (e.Scope != SidScope.Constant || e.Name is null) continue;
            map.TryAdd(e.AccountName!, e);
            map.TryAdd(e.Name, e);
        }
        return map;
    }

    /// <summary>Finds the catalogue entry of a SID, domain-relative entries included when the context supplies the domain.</summary>
    public static WellKnownSid? Lookup(Sid sid, SidContext? context = null)
    {
        if (sid.IsDefault) return null;
        if (ConstantBySid.TryGetValue(sid, out var entry)) return entry;
        context ??= SidContext.None;
        if (sid.SubAuthorityCount == 0 || (context.Domain is null && context.MachineDomain is null && context.ForestRootDomain is null)) return null;
        uint rid = sid.Rid;
        foreach (var e in Relative)
        {
            if (e.Rid != rid) continue;
            var domain = e.Scope switch
            {
                SidScope.Machine => context.MachineDomain,
                SidScope.Domain => context.Domain,
                _ => context.ForestRootDomain ?? context.Domain,
            };
            if (domain is { } d && sid.IsInDomain(d)) return e;
        }
        return null;
    }

    /// <summary>
    /// Resolves an account name (<c>NT AUTHORITY\SYSTEM</c>, <c>BUILTIN\Administrators</c>, <c>Everyone</c>),
    /// case-insensitively, for the constant well-known accounts.
    /// </summary>
    public static bool TryLookupName(string accountName, out Sid sid)
    {
        if (ByAccountName.TryGetValue(accountName.Trim(), out var e))
        {
            sid = e.ConstantSid;
            return true;
        }
        sid = default;
        return false;
    }

    /// <summary>The <c>DOMAIN\Name</c> of a well-known SID, or null when the catalogue does not know it.</summary>
    public static string? GetAccountName(Sid sid, SidContext? context = null)
    {
        // An entry without a name (a SID that is there for CreateWellKnownSid) is as unnamed as a SID with no entry.
        if (Lookup(sid, context)?.AccountName is { } name) return name;
        // Logon session SIDs and capability SIDs have families rather than single entries.
        if (sid.IdentifierAuthority == 5 && sid.SubAuthorityCount == 3 && sid.GetSubAuthority(0) == 5) return "NT AUTHORITY\\LogonSessionId_" + sid.GetSubAuthority(1) + "_" + sid.GetSubAuthority(2);
        return null;
    }
}
