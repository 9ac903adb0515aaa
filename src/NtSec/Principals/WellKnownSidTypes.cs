namespace NtSec.Principals;

/// <summary>WELL_KNOWN_SID_TYPE (winnt.h): the SIDs CreateWellKnownSid makes, with Windows' names and values.</summary>
public enum WellKnownSidType
{
    /// <summary>S-1-0-0.</summary>
    WinNullSid = 0,
    /// <summary>S-1-1-0.</summary>
    WinWorldSid = 1,
    /// <summary>S-1-2-0.</summary>
    WinLocalSid = 2,
    /// <summary>S-1-3-0.</summary>
    WinCreatorOwnerSid = 3,
    /// <summary>S-1-3-1.</summary>
    WinCreatorGroupSid = 4,
    /// <summary>S-1-3-2.</summary>
    WinCreatorOwnerServerSid = 5,
    /// <summary>S-1-3-3.</summary>
    WinCreatorGroupServerSid = 6,
    /// <summary>S-1-5.</summary>
    WinNtAuthoritySid = 7,
    /// <summary>S-1-5-1.</summary>
    WinDialupSid = 8,
    /// <summary>S-1-5-2.</summary>
    WinNetworkSid = 9,
    /// <summary>S-1-5-3.</summary>
    WinBatchSid = 10,
    /// <summary>S-1-5-4.</summary>
    WinInteractiveSid = 11,
    /// <summary>S-1-5-6.</summary>
    WinServiceSid = 12,
    /// <summary>S-1-5-7.</summary>
    WinAnonymousSid = 13,
    /// <summary>S-1-5-8.</summary>
    WinProxySid = 14,
    /// <summary>S-1-5-9.</summary>
    WinEnterpriseControllersSid = 15,
    /// <summary>S-1-5-10.</summary>
    WinSelfSid = 16,
    /// <summary>S-1-5-11.</summary>
    WinAuthenticatedUserSid = 17,
    /// <summary>S-1-5-12.</summary>
    WinRestrictedCodeSid = 18,
    /// <summary>S-1-5-13.</summary>
    WinTerminalServerSid = 19,
    /// <summary>S-1-5-14.</summary>
    WinRemoteLogonIdSid = 20,
    /// <summary>not made by NtSec (CreateWellKnownSid fails with ERROR_INVALID_PARAMETER; see WellKnownSidTypes).</summary>
    WinLogonIdsSid = 21,
    /// <summary>S-1-5-18.</summary>
    WinLocalSystemSid = 22,
    /// <summary>S-1-5-19.</summary>
    WinLocalServiceSid = 23,
    /// <summary>S-1-5-20.</summary>
    WinNetworkServiceSid = 24,
    /// <summary>S-1-5-32.</summary>
    WinBuiltinDomainSid = 25,
    /// <summary>S-1-5-32-544.</summary>
    WinBuiltinAdministratorsSid = 26,
    /// <summary>S-1-5-32-545.</summary>
    WinBuiltinUsersSid = 27,
    /// <summary>S-1-5-32-546.</summary>
    WinBuiltinGuestsSid = 28,
    /// <summary>S-1-5-32-547.</summary>
    WinBuiltinPowerUsersSid = 29,
    /// <summary>S-1-5-32-548.</summary>
    WinBuiltinAccountOperatorsSid = 30,
    /// <summary>S-1-5-32-549.</summary>
    WinBuiltinSystemOperatorsSid = 31,
    /// <summary>S-1-5-32-550.</summary>
    WinBuiltinPrintOperatorsSid = 32,
    /// <summary>S-1-5-32-551.</summary>
    WinBuiltinBackupOperatorsSid = 33,
    /// <summary>S-1-5-32-552.</summary>
    WinBuiltinReplicatorSid = 34,
    /// <summary>S-1-5-32-554.</summary>
    WinBuiltinPreWindows2000CompatibleAccessSid = 35,
    /// <summary>S-1-5-32-555.</summary>
    WinBuiltinRemoteDesktopUsersSid = 36,
    /// <summary>S-1-5-32-556.</summary>
    WinBuiltinNetworkConfigurationOperatorsSid = 37,
    /// <summary>the domain SID followed by 500.</summary>
    WinAccountAdministratorSid = 38,
    /// <summary>the domain SID followed by 501.</summary>
    WinAccountGuestSid = 39,
    /// <summary>the domain SID followed by 502.</summary>
    WinAccountKrbtgtSid = 40,
    /// <summary>the domain SID followed by 512.</summary>
    WinAccountDomainAdminsSid = 41,
    /// <summary>the domain SID followed by 513.</summary>
    WinAccountDomainUsersSid = 42,
    /// <summary>the domain SID followed by 514.</summary>
    WinAccountDomainGuestsSid = 43,
    /// <summary>the domain SID followed by 515.</summary>
    WinAccountComputersSid = 44,
    /// <summary>the domain SID followed by 516.</summary>
    WinAccountControllersSid = 45,
    /// <summary>the domain SID followed by 517.</summary>
    WinAccountCertAdminsSid = 46,
    /// <summary>the domain SID followed by 518.</summary>
    WinAccountSchemaAdminsSid = 47,
    /// <summary>the domain SID followed by 519.</summary>
    WinAccountEnterpriseAdminsSid = 48,
    /// <summary>the domain SID followed by 520.</summary>
    WinAccountPolicyAdminsSid = 49,
    /// <summary>the domain SID followed by 553.</summary>
    WinAccountRasAndIasServersSid = 50,
    /// <summary>S-1-5-64-10.</summary>
    WinNTLMAuthenticationSid = 51,
    /// <summary>S-1-5-64-21.</summary>
    WinDigestAuthenticationSid = 52,
    /// <summary>S-1-5-64-14.</summary>
    WinSChannelAuthenticationSid = 53,
    /// <summary>S-1-5-15.</summary>
    WinThisOrganizationSid = 54,
    /// <summary>S-1-5-1000.</summary>
    WinOtherOrganizationSid = 55,
    /// <summary>S-1-5-32-557.</summary>
    WinBuiltinIncomingForestTrustBuildersSid = 56,
    /// <summary>S-1-5-32-558.</summary>
    WinBuiltinPerfMonitoringUsersSid = 57,
    /// <summary>S-1-5-32-559.</summary>
    WinBuiltinPerfLoggingUsersSid = 58,
    /// <summary>S-1-5-32-560.</summary>
    WinBuiltinAuthorizationAccessSid = 59,
    /// <summary>S-1-5-32-561.</summary>
    WinBuiltinTerminalServerLicenseServersSid = 60,
    /// <summary>S-1-5-32-562.</summary>
    WinBuiltinDCOMUsersSid = 61,
    /// <summary>S-1-5-32-568.</summary>
    WinBuiltinIUsersSid = 62,
    /// <summary>S-1-5-17.</summary>
    WinIUserSid = 63,
    /// <summary>S-1-5-32-569.</summary>
    WinBuiltinCryptoOperatorsSid = 64,
    /// <summary>S-1-16-0.</summary>
    WinUntrustedLabelSid = 65,
    /// <summary>S-1-16-4096.</summary>
    WinLowLabelSid = 66,
    /// <summary>S-1-16-8192.</summary>
    WinMediumLabelSid = 67,
    /// <summary>S-1-16-12288.</summary>
    WinHighLabelSid = 68,
    /// <summary>S-1-16-16384.</summary>
    WinSystemLabelSid = 69,
    /// <summary>S-1-5-33.</summary>
    WinWriteRestrictedCodeSid = 70,
    /// <summary>S-1-3-4.</summary>
    WinCreatorOwnerRightsSid = 71,
    /// <summary>the domain SID followed by 571.</summary>
    WinCacheablePrincipalsGroupSid = 72,
    /// <summary>the domain SID followed by 572.</summary>
    WinNonCacheablePrincipalsGroupSid = 73,
    /// <summary>S-1-5-22.</summary>
    WinEnterpriseReadonlyControllersSid = 74,
    /// <summary>the domain SID followed by 521.</summary>
    WinAccountReadonlyControllersSid = 75,
    /// <summary>S-1-5-32-573.</summary>
    WinBuiltinEventLogReadersGroup = 76,
    /// <summary>the domain SID followed by 498.</summary>
    WinNewEnterpriseReadonlyControllersSid = 77,
    /// <summary>S-1-5-32-574.</summary>
    WinBuiltinCertSvcDComAccessGroup = 78,
    /// <summary>S-1-16-8448.</summary>
    WinMediumPlusLabelSid = 79,
    /// <summary>not made by NtSec (CreateWellKnownSid fails with ERROR_INVALID_PARAMETER; see WellKnownSidTypes).</summary>
    WinLocalLogonSid = 80,
    /// <summary>S-1-2-1.</summary>
    WinConsoleLogonSid = 81,
    /// <summary>S-1-5-65-1.</summary>
    WinThisOrganizationCertificateSid = 82,
    /// <summary>not made by NtSec (CreateWellKnownSid fails with ERROR_INVALID_PARAMETER; see WellKnownSidTypes).</summary>
    WinApplicationPackageAuthoritySid = 83,
    /// <summary>S-1-15-2-1.</summary>
    WinBuiltinAnyPackageSid = 84,
    /// <summary>S-1-15-3-1.</summary>
    WinCapabilityInternetClientSid = 85,
    /// <summary>S-1-15-3-2.</summary>
    WinCapabilityInternetClientServerSid = 86,
    /// <summary>S-1-15-3-3.</summary>
    WinCapabilityPrivateNetworkClientServerSid = 87,
    /// <summary>S-1-15-3-4.</summary>
    WinCapabilityPicturesLibrarySid = 88,
    /// <summary>S-1-15-3-5.</summary>
    WinCapabilityVideosLibrarySid = 89,
    /// <summary>S-1-15-3-6.</summary>
    WinCapabilityMusicLibrarySid = 90,
    /// <summary>S-1-15-3-7.</summary>
    WinCapabilityDocumentsLibrarySid = 91,
    /// <summary>S-1-15-3-9.</summary>
    WinCapabilitySharedUserCertificatesSid = 92,
    /// <summary>S-1-15-3-8.</summary>
    WinCapabilityEnterpriseAuthenticationSid = 93,
    /// <summary>S-1-15-3-10.</summary>
    WinCapabilityRemovableStorageSid = 94,
    /// <summary>S-1-5-32-575.</summary>
    WinBuiltinRDSRemoteAccessServersSid = 95,
    /// <summary>S-1-5-32-576.</summary>
    WinBuiltinRDSEndpointServersSid = 96,
    /// <summary>S-1-5-32-577.</summary>
    WinBuiltinRDSManagementServersSid = 97,
    /// <summary>S-1-5-84-0-0-0-0-0.</summary>
    WinUserModeDriversSid = 98,
    /// <summary>S-1-5-32-578.</summary>
    WinBuiltinHyperVAdminsSid = 99,
    /// <summary>the domain SID followed by 522.</summary>
    WinAccountCloneableControllersSid = 100,
    /// <summary>S-1-5-32-579.</summary>
    WinBuiltinAccessControlAssistanceOperatorsSid = 101,
    /// <summary>S-1-5-32-580.</summary>
    WinBuiltinRemoteManagementUsersSid = 102,
    /// <summary>S-1-18-1.</summary>
    WinAuthenticationAuthorityAssertedSid = 103,
    /// <summary>S-1-18-2.</summary>
    WinAuthenticationServiceAssertedSid = 104,
    /// <summary>S-1-5-113.</summary>
    WinLocalAccountSid = 105,
    /// <summary>S-1-5-114.</summary>
    WinLocalAccountAndAdministratorSid = 106,
    /// <summary>the domain SID followed by 525.</summary>
    WinAccountProtectedUsersSid = 107,
    /// <summary>not made by NtSec (CreateWellKnownSid fails with ERROR_INVALID_PARAMETER; see WellKnownSidTypes).</summary>
    WinCapabilityAppointmentsSid = 108,
    /// <summary>not made by NtSec (CreateWellKnownSid fails with ERROR_INVALID_PARAMETER; see WellKnownSidTypes).</summary>
    WinCapabilityContactsSid = 109,
    /// <summary>the domain SID followed by 503.</summary>
    WinAccountDefaultSystemManagedSid = 110,
    /// <summary>S-1-5-32-581.</summary>
    WinBuiltinDefaultSystemManagedGroupSid = 111,
    /// <summary>S-1-5-32-582.</summary>
    WinBuiltinStorageReplicaAdminsSid = 112,
    /// <summary>the domain SID followed by 526.</summary>
    WinAccountKeyAdminsSid = 113,
    /// <summary>the domain SID followed by 527.</summary>
    WinAccountEnterpriseKeyAdminsSid = 114,
    /// <summary>S-1-18-4.</summary>
    WinAuthenticationKeyTrustSid = 115,
    /// <summary>S-1-18-5.</summary>
    WinAuthenticationKeyPropertyMFASid = 116,
    /// <summary>S-1-18-6.</summary>
    WinAuthenticationKeyPropertyAttestationSid = 117,
    /// <summary>S-1-18-3.</summary>
    WinAuthenticationFreshKeyAuthSid = 118,
    /// <summary>S-1-5-32-583.</summary>
    WinBuiltinDeviceOwnersSid = 119,
}

/// <summary>
/// What CreateWellKnownSid makes of each <see cref="WellKnownSidType"/>, read off the rows of
/// <see cref="WellKnownSids.All"/> that name the type: the catalogue is the one declaration of each SID.
/// </summary>
public static class WellKnownSidTypes
{
    /// <summary>
    /// One row per type, in the order of the enumeration: a fixed SID, or (for account-domain types) the RID appended to
    /// the domain SID; neither for the types NtSec does not make (a logon session's SID, the SIDs no observation pinned).
    /// </summary>
    public static IReadOnlyList<(WellKnownSidType Type, Sid? Fixed, uint? DomainRid)> Table { get; } = Build();

    /// <summary>The row of a type, or false for a value outside the enumeration.</summary>
    public static bool TryGet(WellKnownSidType type, out Sid? fixedSid, out uint? domainRid)
    {
        fixedSid = null;
        domainRid = null;
        int i = (int)type;
        if (i < 0 || i >= Table.Count) return false;
        (_, fixedSid, domainRid) = Table[i];
        return true;
    }

    private static (WellKnownSidType, Sid?, uint?)[] Build()
    {
        // The enumeration's values run from 0 without gaps, so a type's value is its row's index.
        var rows = new (WellKnownSidType, Sid?, uint?)[Enum.GetValues<WellKnownSidType>().Length];
        for (int i = 0; i < rows.Length; i++) rows[i] = ((WellKnownSidType)i, null, null);
        foreach (var e in WellKnownSids.All)
        {
            if (e.Type is not { } t) continue;
            rows[(int)t] = e.Scope == SidScope.Constant ? (t, e.ConstantSid, null) : (t, null, e.Rid);
        }
        // No catalogue row names, so NtSec does not make: WinLogonIdsSid (S-1-5-5-x-y names a logon session, which the
        // call is not given), WinLocalLogonSid and WinApplicationPackageAuthoritySid (Wine's test, run on Windows, pins
        // no SID for them), and the two capability SIDs whose long sub-authorities no observation here pins
        // (Appointments, Contacts).
        return rows;
    }
}
