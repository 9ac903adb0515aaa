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
/// <param name="Name">The account name (English Windows).</param>
public sealed record WellKnownSid(string? Alias, SidScope Scope, Sid ConstantSid, uint Rid, string Domain, string Name)
{
    /// <summary><c>DOMAIN\Name</c>, or the bare name when the domain part is empty (<c>Everyone</c>).</summary>
    public string AccountName => Domain.Length == 0 ? Name : $"{Domain}\\{Name}";

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
/// The catalogue of well-known SIDs: their SDDL aliases, account names and the constants the rest of NtSec uses.
/// </summary>
public static class WellKnownSids
{
    /// <summary>S-1-0-0 NULL SID.</summary>
    public static readonly Sid Null = Sid.Create(0, 0);
    /// <summary>S-1-1-0 Everyone (WD).</summary>
    public static readonly Sid World = Sid.Create(1, 0);
    /// <summary>S-1-2-0 LOCAL.</summary>
    public static readonly Sid Local = Sid.Create(2, 0);
    /// <summary>S-1-2-1 CONSOLE LOGON.</summary>
    public static readonly Sid ConsoleLogon = Sid.Create(2, 1);
    /// <summary>S-1-3-0 CREATOR OWNER (CO).</summary>
    public static readonly Sid CreatorOwner = Sid.Create(3, 0);
    /// <summary>S-1-3-1 CREATOR GROUP (CG).</summary>
    public static readonly Sid CreatorGroup = Sid.Create(3, 1);
    /// <summary>S-1-3-2 CREATOR OWNER SERVER.</summary>
    public static readonly Sid CreatorOwnerServer = Sid.Create(3, 2);
    /// <summary>S-1-3-3 CREATOR GROUP SERVER.</summary>
    public static readonly Sid CreatorGroupServer = Sid.Create(3, 3);
    /// <summary>S-1-3-4 OWNER RIGHTS (OW).</summary>
    public static readonly Sid OwnerRights = Sid.Create(3, 4);
    /// <summary>S-1-5-1 DIALUP.</summary>
    public static readonly Sid Dialup = Sid.Create(5, 1);
    /// <summary>S-1-5-2 NETWORK (NU).</summary>
    public static readonly Sid Network = Sid.Create(5, 2);
    /// <summary>S-1-5-3 BATCH.</summary>
    public static readonly Sid Batch = Sid.Create(5, 3);
    /// <summary>S-1-5-4 INTERACTIVE (IU).</summary>
    public static readonly Sid Interactive = Sid.Create(5, 4);
    /// <summary>S-1-5-6 SERVICE (SU).</summary>
    public static readonly Sid Service = Sid.Create(5, 6);
    /// <summary>S-1-5-7 ANONYMOUS LOGON (AN).</summary>
    public static readonly Sid Anonymous = Sid.Create(5, 7);
    /// <summary>S-1-5-8 PROXY.</summary>
    public static readonly Sid Proxy = Sid.Create(5, 8);
    /// <summary>S-1-5-9 ENTERPRISE DOMAIN CONTROLLERS (ED).</summary>
    public static readonly Sid EnterpriseControllers = Sid.Create(5, 9);
    /// <summary>S-1-5-10 SELF, the PRINCIPAL_SELF placeholder (PS).</summary>
    public static readonly Sid PrincipalSelf = Sid.Create(5, 10);
    /// <summary>S-1-5-11 Authenticated Users (AU).</summary>
    public static readonly Sid AuthenticatedUsers = Sid.Create(5, 11);
    /// <summary>S-1-5-12 RESTRICTED, the usual restricting SID (RC).</summary>
    public static readonly Sid Restricted = Sid.Create(5, 12);
    /// <summary>S-1-5-13 TERMINAL SERVER USER.</summary>
    public static readonly Sid TerminalServerUser = Sid.Create(5, 13);
    /// <summary>S-1-5-14 REMOTE INTERACTIVE LOGON.</summary>
    public static readonly Sid RemoteInteractiveLogon = Sid.Create(5, 14);
    /// <summary>S-1-5-15 This Organization.</summary>
    public static readonly Sid ThisOrganization = Sid.Create(5, 15);
    /// <summary>S-1-5-17 IUSR.</summary>
    public static readonly Sid Iusr = Sid.Create(5, 17);
    /// <summary>S-1-5-18 SYSTEM (SY).</summary>
    public static readonly Sid LocalSystem = Sid.Create(5, 18);
    /// <summary>S-1-5-19 LOCAL SERVICE (LS).</summary>
    public static readonly Sid LocalService = Sid.Create(5, 19);
    /// <summary>S-1-5-20 NETWORK SERVICE (NS).</summary>
    public static readonly Sid NetworkService = Sid.Create(5, 20);
    /// <summary>S-1-5-32-544 BUILTIN\Administrators (BA).</summary>
    public static readonly Sid BuiltinAdministrators = Sid.Create(5, 32, 544);
    /// <summary>S-1-5-32-545 BUILTIN\Users (BU).</summary>
    public static readonly Sid BuiltinUsers = Sid.Create(5, 32, 545);
    /// <summary>S-1-5-32-546 BUILTIN\Guests (BG).</summary>
    public static readonly Sid BuiltinGuests = Sid.Create(5, 32, 546);
    /// <summary>S-1-5-33 WRITE RESTRICTED (WR).</summary>
    public static readonly Sid WriteRestricted = Sid.Create(5, 33);
    /// <summary>S-1-5-64-10 NTLM Authentication.</summary>
    public static readonly Sid NtlmAuthentication = Sid.Create(5, 64, 10);
    /// <summary>S-1-5-113 Local account.</summary>
    public static readonly Sid LocalAccount = Sid.Create(5, 113);
    /// <summary>S-1-5-114 Local account and member of Administrators group.</summary>
    public static readonly Sid LocalAccountAndAdministrator = Sid.Create(5, 114);
    /// <summary>S-1-15-2-1 ALL APPLICATION PACKAGES (AC).</summary>
    public static readonly Sid AllApplicationPackages = Sid.Create(15, 2, 1);
    /// <summary>S-1-15-2-2 ALL RESTRICTED APPLICATION PACKAGES.</summary>
    public static readonly Sid AllRestrictedApplicationPackages = Sid.Create(15, 2, 2);
    /// <summary>S-1-16-0 Untrusted Mandatory Level.</summary>
    public static readonly Sid UntrustedIntegrity = Sid.Create(16, 0);
    /// <summary>S-1-16-4096 Low Mandatory Level (LW).</summary>
    public static readonly Sid LowIntegrity = Sid.Create(16, 4096);
    /// <summary>S-1-16-8192 Medium Mandatory Level (ME).</summary>
    public static readonly Sid MediumIntegrity = Sid.Create(16, 8192);
    /// <summary>S-1-16-8448 Medium Plus Mandatory Level (MP).</summary>
    public static readonly Sid MediumPlusIntegrity = Sid.Create(16, 8448);
    /// <summary>S-1-16-12288 High Mandatory Level (HI).</summary>
    public static readonly Sid HighIntegrity = Sid.Create(16, 12288);
    /// <summary>S-1-16-16384 System Mandatory Level (SI).</summary>
    public static readonly Sid SystemIntegrity = Sid.Create(16, 16384);
    /// <summary>S-1-16-20480 Protected Process Mandatory Level.</summary>
    public static readonly Sid ProtectedProcessIntegrity = Sid.Create(16, 20480);

    private static WellKnownSid C(string? alias, Sid sid, string domain, string name) => new(alias, SidScope.Constant, sid, 0, domain, name);
    private static WellKnownSid B(string? alias, uint rid, string name) => new(alias, SidScope.Constant, Shared(Sid.Create(5, 32, rid)), 0, "BUILTIN", name);
    private static WellKnownSid Na(string? alias, uint rid, string name) => new(alias, SidScope.Constant, Shared(Sid.Create(5, rid)), 0, "NT AUTHORITY", name);

    // The catalogue entries share the named fields' instances, so that a SID read through an alias, a field or
    // Canonical is one object and the access check's SID compare is a reference compare (issue 10).
    private static readonly Sid[] Named = [Null, World, Local, ConsoleLogon, CreatorOwner, CreatorGroup, CreatorOwnerServer, CreatorGroupServer, OwnerRights, Dialup, Network, Batch, Interactive, Service, Anonymous, Proxy, EnterpriseControllers, PrincipalSelf, AuthenticatedUsers, Restricted, TerminalServerUser, RemoteInteractiveLogon, ThisOrganization, Iusr, LocalSystem, LocalService, NetworkService, BuiltinAdministrators, BuiltinUsers, BuiltinGuests, WriteRestricted, NtlmAuthentication, LocalAccount, LocalAccountAndAdministrator, AllApplicationPackages, AllRestrictedApplicationPackages, UntrustedIntegrity, LowIntegrity, MediumIntegrity, MediumPlusIntegrity, HighIntegrity, SystemIntegrity, ProtectedProcessIntegrity];

    private static Sid Shared(Sid sid)
    {
        foreach (var n in Named)
            if (n == sid) return n;
        return sid;
    }

    /// <summary>
    /// The catalogue's own instance of a constant well-known SID equal to <paramref name="sid"/>, or
    /// <paramref name="sid"/> itself: equal SIDs then share one object and compare by reference.
    /// </summary>
    internal static Sid Canonical(Sid sid) => !sid.IsDefault && ConstantBySid.TryGetValue(sid, out var e) ? e.ConstantSid : sid;
    private static WellKnownSid R(string? alias, SidScope scope, uint rid, string name) => new(alias, scope, default, rid, "", name);

    /// <summary>
    /// Every entry, in the order Windows' SDDL writer searches its alias table (first match wins).
    /// </summary>
    public static IReadOnlyList<WellKnownSid> All { get; } =
    [
        C("WD", World, "", "Everyone"),
        C("CO", CreatorOwner, "", "CREATOR OWNER"),
        C("CG", CreatorGroup, "", "CREATOR GROUP"),
        C("OW", OwnerRights, "", "OWNER RIGHTS"),
        C(null, CreatorOwnerServer, "", "CREATOR OWNER SERVER"),
        C(null, CreatorGroupServer, "", "CREATOR GROUP SERVER"),
        C(null, Null, "", "NULL SID"),
        C(null, Local, "", "LOCAL"),
        C(null, ConsoleLogon, "", "CONSOLE LOGON"),
        Na(null, 1, "DIALUP"),
        Na("NU", 2, "NETWORK"),
        Na(null, 3, "BATCH"),
        Na("IU", 4, "INTERACTIVE"),
        Na("SU", 6, "SERVICE"),
        Na("AN", 7, "ANONYMOUS LOGON"),
        Na(null, 8, "PROXY"),
        Na("ED", 9, "ENTERPRISE DOMAIN CONTROLLERS"),
        Na("PS", 10, "SELF"),
        Na("AU", 11, "Authenticated Users"),
        Na("RC", 12, "RESTRICTED"),
        Na(null, 13, "TERMINAL SERVER USER"),
        Na(null, 14, "REMOTE INTERACTIVE LOGON"),
        Na(null, 15, "This Organization"),
        Na(null, 17, "IUSR"),
        Na("SY", 18, "SYSTEM"),
        Na("LS", 19, "LOCAL SERVICE"),
        Na("NS", 20, "NETWORK SERVICE"),
        Na("WR", 33, "WRITE RESTRICTED"),
        C(null, NtlmAuthentication, "NT AUTHORITY", "NTLM Authentication"),
        C(null, Sid.Create(5, 64, 14), "NT AUTHORITY", "SChannel Authentication"),
        C(null, Sid.Create(5, 64, 21), "NT AUTHORITY", "Digest Authentication"),
        C(null, Sid.Create(5, 65, 1), "NT AUTHORITY", "This Organization Certificate"),
        C(null, LocalAccount, "NT AUTHORITY", "Local account"),
        C(null, LocalAccountAndAdministrator, "NT AUTHORITY", "Local account and member of Administrators group"),
        C(null, Sid.Create(5, 1000), "NT AUTHORITY", "Other Organization"),
        B("BA", 544, "Administrators"),
        B("BU", 545, "Users"),
        B("BG", 546, "Guests"),
        B("PU", 547, "Power Users"),
        B("AO", 548, "Account Operators"),
        B("SO", 549, "Server Operators"),
        B("PO", 550, "Print Operators"),
        B("BO", 551, "Backup Operators"),
        B("RE", 552, "Replicator"),
        B("RU", 554, "Pre-Windows 2000 Compatible Access"),
        B("RD", 555, "Remote Desktop Users"),
        B("NO", 556, "Network Configuration Operators"),
        B(null, 557, "Incoming Forest Trust Builders"),
        B("MU", 558, "Performance Monitor Users"),
        B("LU", 559, "Performance Log Users"),
        B(null, 560, "Windows Authorization Access Group"),
        B(null, 561, "Terminal Server License Servers"),
        B(null, 562, "Distributed COM Users"),
        B("IS", 568, "IIS_IUSRS"),
        B("CY", 569, "Cryptographic Operators"),
        B("ER", 573, "Event Log Readers"),
        B("CD", 574, "Certificate Service DCOM Access"),
        B("RA", 575, "RDS Remote Access Servers"),
        B("ES", 576, "RDS Endpoint Servers"),
        B("MS", 577, "RDS Management Servers"),
        B("HA", 578, "Hyper-V Administrators"),
        B("AA", 579, "Access Control Assistance Operators"),
        B("RM", 580, "Remote Management Users"),
        B(null, 583, "Device Owners"),
        C("UD", Sid.Create(5, 84, 0, 0, 0, 0, 0), "NT AUTHORITY", "USER MODE DRIVERS"),
        C("AC", AllApplicationPackages, "APPLICATION PACKAGE AUTHORITY", "ALL APPLICATION PACKAGES"),
        C(null, AllRestrictedApplicationPackages, "APPLICATION PACKAGE AUTHORITY", "ALL RESTRICTED APPLICATION PACKAGES"),
        C(null, Sid.Create(15, 3, 1), "APPLICATION PACKAGE AUTHORITY", "Your Internet connection"),
        C(null, Sid.Create(15, 3, 2), "APPLICATION PACKAGE AUTHORITY", "Your Internet connection, including incoming connections from the Internet"),
        C(null, Sid.Create(15, 3, 3), "APPLICATION PACKAGE AUTHORITY", "Your home or work networks"),
        C(null, Sid.Create(15, 3, 4), "APPLICATION PACKAGE AUTHORITY", "Your pictures library"),
        C(null, Sid.Create(15, 3, 5), "APPLICATION PACKAGE AUTHORITY", "Your videos library"),
        C(null, Sid.Create(15, 3, 6), "APPLICATION PACKAGE AUTHORITY", "Your music library"),
        C(null, Sid.Create(15, 3, 7), "APPLICATION PACKAGE AUTHORITY", "Your documents library"),
        C(null, Sid.Create(15, 3, 8), "APPLICATION PACKAGE AUTHORITY", "Your Windows credentials"),
        C(null, Sid.Create(15, 3, 9), "APPLICATION PACKAGE AUTHORITY", "Software and hardware certificates or a smart card"),
        C(null, Sid.Create(15, 3, 10), "APPLICATION PACKAGE AUTHORITY", "Removable storage"),
        C("AS", Sid.Create(18, 1), "", "Authentication authority asserted identity"),
        C("SS", Sid.Create(18, 2), "", "Service asserted identity"),
        C(null, UntrustedIntegrity, "Mandatory Label", "Untrusted Mandatory Level"),
        C("LW", LowIntegrity, "Mandatory Label", "Low Mandatory Level"),
        C("ME", MediumIntegrity, "Mandatory Label", "Medium Mandatory Level"),
        C("MP", MediumPlusIntegrity, "Mandatory Label", "Medium Plus Mandatory Level"),
        C("HI", HighIntegrity, "Mandatory Label", "High Mandatory Level"),
        C("SI", SystemIntegrity, "Mandatory Label", "System Mandatory Level"),
        C(null, ProtectedProcessIntegrity, "Mandatory Label", "Protected Process Mandatory Level"),
        R("LA", SidScope.Machine, 500, "Administrator"),
        R("LG", SidScope.Machine, 501, "Guest"),
        R("DA", SidScope.Domain, 512, "Domain Admins"),
        R("DU", SidScope.Domain, 513, "Domain Users"),
        R("DG", SidScope.Domain, 514, "Domain Guests"),
        R("DC", SidScope.Domain, 515, "Domain Computers"),
        R("DD", SidScope.Domain, 516, "Domain Controllers"),
        R("CA", SidScope.Domain, 517, "Cert Publishers"),
        R("SA", SidScope.ForestRoot, 518, "Schema Admins"),
        R("EA", SidScope.ForestRoot, 519, "Enterprise Admins"),
        R("PA", SidScope.Domain, 520, "Group Policy Creator Owners"),
        R("RO", SidScope.ForestRoot, 498, "Enterprise Read-only Domain Controllers"),
        R("CN", SidScope.Domain, 522, "Cloneable Domain Controllers"),
        R("AP", SidScope.Domain, 525, "Protected Users"),
        R("KA", SidScope.Domain, 526, "Key Admins"),
        R("EK", SidScope.ForestRoot, 527, "Enterprise Key Admins"),
        R("RS", SidScope.Domain, 553, "RAS and IAS Servers"),
    ];

    private static readonly Dictionary<Sid, WellKnownSid> ConstantBySid = BuildBySid();
    private static readonly WellKnownSid[] Relative = [.. All.Where(e => e.Scope != SidScope.Constant)];
    private static readonly Dictionary<string, WellKnownSid> ByAccountName = BuildByName();

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
            if (e.Scope != SidScope.Constant) continue;
            map.TryAdd(e.AccountName, e);
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
        var entry = Lookup(sid, context);
        if (entry is not null) return entry.AccountName;
        // Logon session SIDs and capability SIDs have families rather than single entries.
        if (sid.IdentifierAuthority == 5 && sid.SubAuthorityCount == 3 && sid.GetSubAuthority(0) == 5) return "NT AUTHORITY\\LogonSessionId_" + sid.GetSubAuthority(1) + "_" + sid.GetSubAuthority(2);
        return null;
    }
}
