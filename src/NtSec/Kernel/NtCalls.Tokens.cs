using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Kernel;

public sealed partial class NtCalls
{
    /// <summary>
    /// The token a handle refers to, checked for <paramref name="access"/> (for the Win32 layer's own logic, and the
    /// access checks over handles). <paramref name="tokenPseudoHandles"/> lets the token pseudo-handles through, for a
    /// Win32 function that reads the thread's effective token itself (CheckTokenMembership with NULL).
    /// </summary>
    internal NtStatus ReferenceToken(NtHandle handle, uint access, out Token? token, bool tokenPseudoHandles = false)
    {
        token = null;
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(handle, access, ObjectTypes.Token, out var o, out _, tokenPseudoHandles);
            if (status.IsSuccess) token = ((TokenObject)o!).TokenLocked;
            return status;
        }
    }

    /// <summary>NtOpenProcessToken: <see cref="NtOpenProcessTokenEx"/> with no handle attributes.</summary>
    public NtStatus NtOpenProcessToken(NtHandle processHandle, uint desiredAccess, out NtHandle tokenHandle)
        => NtOpenProcessTokenEx(processHandle, desiredAccess, HandleAttributes.None, out tokenHandle);

    /// <summary>
    /// NtOpenProcessTokenEx: opens a process's primary token. The process handle needs
    /// PROCESS_QUERY_LIMITED_INFORMATION (what Windows checks; PROCESS_QUERY_INFORMATION implies it); the token is
    /// opened by an access check against its own descriptor with the caller's effective token.
    /// </summary>
    public NtStatus NtOpenProcessTokenEx(NtHandle processHandle, uint desiredAccess, HandleAttributes handleAttributes, out NtHandle tokenHandle)
    {
        Begin(nameof(NtOpenProcessTokenEx));
        tokenHandle = NtHandle.Null;
        lock (Sys.SyncRoot)
        {
            if (!ValidAttributes(handleAttributes)) return Done(NtStatus.InvalidParameter);
            var status = ReferenceLocked(processHandle, ProcessAccessRights.QueryLimitedInformation, ObjectTypes.Process, out var p, out _);
            if (!status.IsSuccess) return Done(status);
            var token = ((ProcessObject)p!).PrimaryTokenLocked;
            status = AccessCheckLocked(token, desiredAccess, EffectiveTokenLocked(), handleAttributes, out uint granted);
            if (!status.IsSuccess) return Done(status);
            tokenHandle = InsertLocked(token, granted, handleAttributes);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>NtOpenThreadToken: <see cref="NtOpenThreadTokenEx"/> with no handle attributes.</summary>
    public NtStatus NtOpenThreadToken(NtHandle threadHandle, uint desiredAccess, bool openAsSelf, out NtHandle tokenHandle)
        => NtOpenThreadTokenEx(threadHandle, desiredAccess, openAsSelf, HandleAttributes.None, out tokenHandle);

    /// <summary>
    /// NtOpenThreadTokenEx: opens a thread's impersonation token. In Windows' order:
    /// <list type="number">
    /// <item>the thread handle: STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH for a handle to something other
    /// than a thread, STATUS_ACCESS_DENIED when it lacks THREAD_QUERY_LIMITED_INFORMATION (the right Windows
    /// checks; the documented THREAD_QUERY_INFORMATION implies it);</item>
    /// <item>STATUS_NO_TOKEN when the thread is not impersonating, STATUS_CANT_OPEN_ANONYMOUS when its token is at
    /// SecurityAnonymous — both before any check on the token, so even a request for no access learns them;</item>
    /// <item>the access check on the token's own descriptor, with the caller's effective token, or with its
    /// process's primary token when <paramref name="openAsSelf"/> is true. A caller impersonating at
    /// SecurityIdentification cannot open objects as its client (STATUS_BAD_IMPERSONATION_LEVEL): that is what
    /// OpenAsSelf is for.</item>
    /// </list>
    /// </summary>
    public NtStatus NtOpenThreadTokenEx(NtHandle threadHandle, uint desiredAccess, bool openAsSelf, HandleAttributes handleAttributes, out NtHandle tokenHandle)
    {
        Begin(nameof(NtOpenThreadTokenEx));
        tokenHandle = NtHandle.Null;
        lock (Sys.SyncRoot)
        {
            if (!ValidAttributes(handleAttributes)) return Done(NtStatus.InvalidParameter);
            var status = ReferenceLocked(threadHandle, ThreadAccessRights.QueryLimitedInformation, ObjectTypes.Thread, out var t, out _);
            if (!status.IsSuccess) return Done(status);
            var thread = (ThreadObject)t!;
            if (thread.ImpersonationTokenLocked is not { } token) return Done(Refuse(NtStatus.NoToken, CallReason.NotImpersonating));
            if (token.TokenLocked.ImpersonationLevel == SecurityImpersonationLevel.Anonymous) return Done(Refuse(NtStatus.CantOpenAnonymous, CallReason.AnonymousLevel));
            var subject = openAsSelf ? ProcessTokenLocked() : EffectiveTokenLocked();
            status = AccessCheckLocked(token, desiredAccess, subject, handleAttributes, out uint granted, openAsSelf ? SubjectChoice.ProcessTokenOpenAsSelf : SubjectChoice.EffectiveToken);
            if (!status.IsSuccess) return Done(status);
            tokenHandle = InsertLocked(token, granted, handleAttributes);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtDuplicateToken: a new token object with the source's contents.
    /// <list type="bullet">
    /// <item>The source handle needs TOKEN_DUPLICATE.</item>
    /// <item>The impersonation level comes from the object attributes' quality of service; without one it is
    /// SecurityAnonymous.</item>
    /// <item>An impersonation token cannot be duplicated to a higher level, nor to a primary token unless it is at
    /// SecurityImpersonation or above (STATUS_BAD_IMPERSONATION_LEVEL).</item>
    /// <item><paramref name="effectiveOnly"/> drops disabled groups and privileges.</item>
    /// <item>The copy has a new TokenId and the source's ModifiedId, AuthenticationId and linked token. A primary copy
    /// still records the level asked for, which TokenStatistics reports (observed: tok-25).</item>
    /// <item>Its descriptor is the one given, or the caller's defaults.</item>
    /// <item>A desired access of 0 gives the new handle the source handle's access.</item>
    /// </list>
    /// </summary>
    public NtStatus NtDuplicateToken(NtHandle existingTokenHandle, uint desiredAccess, ObjectAttributes? objectAttributes, bool effectiveOnly, TokenType tokenType, out NtHandle newTokenHandle)
    {
        Begin(nameof(NtDuplicateToken));
        var box = new StrongBox<NtHandle>();
        var status = NtDuplicateToken(existingTokenHandle, desiredAccess, objectAttributes, effectiveOnly, tokenType, box);
        newTokenHandle = box.Value;
        return Done(status);
    }

    /// <summary>
    /// <see cref="NtDuplicateToken(NtHandle, uint, ObjectAttributes?, bool, TokenType, out NtHandle)"/> with the
    /// output pointer explicit: a null box is a NULL pointer, which Windows probes first (STATUS_ACCESS_VIOLATION).
    /// </summary>
    public NtStatus NtDuplicateToken(NtHandle existingTokenHandle, uint desiredAccess, ObjectAttributes? objectAttributes, bool effectiveOnly, TokenType tokenType, StrongBox<NtHandle>? newTokenHandle)
    {
        Begin(nameof(NtDuplicateToken));
        if (newTokenHandle is null) return Done(NtStatus.AccessViolation);
        newTokenHandle.Value = NtHandle.Null;
        lock (Sys.SyncRoot)
        {
            var attributes = objectAttributes?.Attributes ?? HandleAttributes.None;
            if (!ValidAttributes(attributes)) return Done(NtStatus.InvalidParameter);
            if (tokenType is not (TokenType.Primary or TokenType.Impersonation)) return Done(NtStatus.InvalidParameter);
            var status = ReferenceLocked(existingTokenHandle, TokenAccessRights.Duplicate, ObjectTypes.Token, out var o, out uint sourceAccess);
            if (!status.IsSuccess) return Done(status);
            var sourceObject = (TokenObject)o!;
            var source = sourceObject.TokenLocked;
            var qos = objectAttributes?.SecurityQualityOfService;
            var level = qos?.ImpersonationLevel ?? SecurityImpersonationLevel.Anonymous;
            status = TokenDuplication.Duplicate(source, tokenType, level, effectiveOnly, out var duplicate, out var refusal);
            if (!status.IsSuccess) return Done(Refuse(status, ReasonFor(refusal)));
            var copy = duplicate!;
            var subject = EffectiveTokenLocked();
            var sd = objectAttributes?.SecurityDescriptor is { } given
                ? ObjectSecurity.ForNewObject(subject, ObjectTypes.Token, given)
                : ObjectSecurity.ForNewObject(subject, ObjectTypes.Token, copy.IntegrityLevel, ObjectSecurity.NoWriteUp);
            var created = new TokenObject(Sys, copy, sd)
            {
                LinkedTokenLocked = sourceObject.LinkedTokenLocked,
                PrimaryImpersonationLevel = tokenType == TokenType.Primary ? level : SecurityImpersonationLevel.Anonymous,
            };
            uint access = desiredAccess == 0 ? sourceAccess : CreatorAccess(ObjectTypes.Token, desiredAccess);
            newTokenHandle.Value = InsertLocked(created, access, attributes);
            created.Release();
            return Done(NtStatus.Success);
        }
    }

    internal static Token Copy(Token source, TokenType type, SecurityImpersonationLevel level, bool effectiveOnly)
        => TokenDuplication.Copy(source, type, level, effectiveOnly);

    private static CallReason ReasonFor(DuplicationRefusal refusal) => refusal switch
    {
        DuplicationRefusal.LevelAboveSource => CallReason.LevelAboveSource,
        DuplicationRefusal.PrimaryBelowImpersonation => CallReason.PrimaryBelowImpersonation,
        DuplicationRefusal.UnknownLevel => CallReason.UnknownLevel,
        DuplicationRefusal.InvalidType => CallReason.InvalidParameter,
        _ => CallReason.None,
    };

    /// <summary>
    /// NtFilterToken (CreateRestrictedToken): a restricted copy of a token, by the rules of
    /// <see cref="TokenFilter.Filter"/>. The source handle needs TOKEN_DUPLICATE; the new handle has the same access
    /// as the source handle, as CreateRestrictedToken documents; the new token keeps the source's linked token.
    /// </summary>
    public NtStatus NtFilterToken(NtHandle existingTokenHandle, FilterTokenFlags flags, IEnumerable<SidAndAttributes>? sidsToDisable, IEnumerable<Luid>? privilegesToDelete, IEnumerable<SidAndAttributes>? restrictedSids, out NtHandle newTokenHandle)
    {
        Begin(nameof(NtFilterToken));
        newTokenHandle = NtHandle.Null;
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(existingTokenHandle, TokenAccessRights.Duplicate, ObjectTypes.Token, out var o, out uint sourceAccess);
            if (!status.IsSuccess) return Done(status);
            var sourceObject = (TokenObject)o!;
            status = TokenFilter.Filter(sourceObject.TokenLocked, flags, sidsToDisable, privilegesToDelete, restrictedSids, out var filtered);
            if (!status.IsSuccess) return Done(status);
            var sd = ObjectSecurity.ForNewObject(EffectiveTokenLocked(), ObjectTypes.Token, filtered!.IntegrityLevel, ObjectSecurity.NoWriteUp);
            var created = new TokenObject(Sys, filtered, sd)
            {
                LinkedTokenLocked = sourceObject.LinkedTokenLocked,
                PrimaryImpersonationLevel = sourceObject.PrimaryImpersonationLevel,
            };
            newTokenHandle = InsertLocked(created, sourceAccess, HandleAttributes.None);
            created.Release();
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtAdjustPrivilegesToken: enables, disables or removes privileges (SE_PRIVILEGE_ENABLED, 0,
    /// SE_PRIVILEGE_REMOVED), or disables them all. The handle needs TOKEN_ADJUST_PRIVILEGES, and TOKEN_QUERY too
    /// when the previous state is asked for. Privileges the token lacks are skipped and the call returns
    /// STATUS_NOT_ALL_ASSIGNED (a success code: the others are changed). A removed privilege is gone for good.
    /// </summary>
    /// <param name="tokenHandle">The token.</param>
    /// <param name="disableAllPrivileges">Disable every privilege; <paramref name="newState"/> is ignored.</param>
    /// <param name="newState">The changes; NULL (null) is STATUS_INVALID_PARAMETER unless disabling all.</param>
    /// <param name="previousState">When not null, receives the old state of each privilege that changed.</param>
    public NtStatus NtAdjustPrivilegesToken(NtHandle tokenHandle, bool disableAllPrivileges, IReadOnlyList<Privilege>? newState, List<Privilege>? previousState = null)
    {
        Begin(nameof(NtAdjustPrivilegesToken));
        lock (Sys.SyncRoot)
        {
            var status = ReferenceForAdjustLocked(tokenHandle, TokenAccessRights.AdjustPrivileges, previousState is not null,
                disableAllPrivileges || newState is not null, out var tokenObject);
            if (!status.IsSuccess) return Done(status);
            var b = tokenObject!.TokenLocked.ToBuilder();
            bool changed = false;
            var previous = new List<Privilege>();
            var missing = new List<object>();
            if (disableAllPrivileges)
            {
                for (int i = 0; i < b.PrivilegeList.Count; i++)
                {
                    var p = b.PrivilegeList[i];
                    if (!p.IsEnabled) continue;
                    previous.Add(p);
                    b.PrivilegeList[i] = p with { Attributes = p.Attributes & ~PrivilegeAttributes.Enabled };
                    changed = true;
                }
            }
            else
            {
                foreach (var request in newState!)
                {
                    int i = b.PrivilegeList.FindIndex(p => p.Luid == request.Luid);
                    if (i < 0)
                    {
                        missing.Add(request.Luid);
                        continue;
                    }
                    var p = b.PrivilegeList[i];
                    if ((request.Attributes & PrivilegeAttributes.Removed) != 0)
                    {
                        previous.Add(p);
                        b.PrivilegeList.RemoveAt(i);
                        changed = true;
                        continue;
                    }
                    bool enable = (request.Attributes & PrivilegeAttributes.Enabled) != 0;
                    if (enable == p.IsEnabled) continue;
                    previous.Add(p);
                    b.PrivilegeList[i] = p with { Attributes = enable ? p.Attributes | PrivilegeAttributes.Enabled : p.Attributes & ~PrivilegeAttributes.Enabled };
                    changed = true;
                }
            }
            return FinishAdjust(tokenObject, changed ? b : null, previous, previousState, missing);
        }
    }

    /// <summary>
    /// NtAdjustGroupsToken: enables or disables groups, or resets them to their defaults. The handle needs
    /// TOKEN_ADJUST_GROUPS (and TOKEN_QUERY for the previous state). A mandatory group cannot be disabled
    /// (STATUS_CANT_DISABLE_MANDATORY) and a deny-only group cannot be enabled (STATUS_CANT_ENABLE_DENY_ONLY); either
    /// fails the whole call with nothing changed. Groups the token lacks give STATUS_NOT_ALL_ASSIGNED.
    /// </summary>
    /// <param name="tokenHandle">The token.</param>
    /// <param name="resetToDefault">Set every group's Enabled bit to its EnabledByDefault bit; <paramref name="newState"/> is ignored.</param>
    /// <param name="newState">The groups to change (SE_GROUP_ENABLED set or clear); null is STATUS_INVALID_PARAMETER unless resetting.</param>
    /// <param name="previousState">When not null, receives the old state of each group that changed.</param>
    public NtStatus NtAdjustGroupsToken(NtHandle tokenHandle, bool resetToDefault, IReadOnlyList<SidAndAttributes>? newState, List<SidAndAttributes>? previousState = null)
    {
        Begin(nameof(NtAdjustGroupsToken));
        lock (Sys.SyncRoot)
        {
            var status = ReferenceForAdjustLocked(tokenHandle, TokenAccessRights.AdjustGroups, previousState is not null,
                resetToDefault || newState is not null, out var tokenObject);
            if (!status.IsSuccess) return Done(status);
            var b = tokenObject!.TokenLocked.ToBuilder();
            var previous = new List<SidAndAttributes>();
            var missing = new List<object>();
            var updates = new List<(int Index, GroupAttributes Attributes)>();
            if (resetToDefault)
            {
                for (int i = 0; i < b.Groups.Count; i++)
                {
                    var g = b.Groups[i];
                    if (!Adjustable(g)) continue;
                    bool enable = (g.Attributes & GroupAttributes.EnabledByDefault) != 0;
                    if (enable != ((g.Attributes & GroupAttributes.Enabled) != 0))
                        updates.Add((i, enable ? g.Attributes | GroupAttributes.Enabled : g.Attributes & ~GroupAttributes.Enabled));
                }
            }
            else
            {
                // First pass: every request is checked before anything changes.
                foreach (var request in newState!)
                {
                    int i = b.Groups.FindIndex(g => g.Sid == request.Sid && (g.Attributes & GroupAttributes.Integrity) == 0);
                    if (i < 0)
                    {
                        missing.Add(request.Sid);
                        continue;
                    }
                    var g = b.Groups[i];
                    bool enable = (request.Attributes & GroupAttributes.Enabled) != 0;
                    if (!enable && (g.Attributes & GroupAttributes.Mandatory) != 0) return Done(NtStatus.CantDisableMandatory);
                    if (enable && g.IsDenyOnly) return Done(NtStatus.CantEnableDenyOnly);
                    if (enable != ((g.Attributes & GroupAttributes.Enabled) != 0))
                        updates.Add((i, enable ? g.Attributes | GroupAttributes.Enabled : g.Attributes & ~GroupAttributes.Enabled));
                }
            }
            foreach (var (i, attributes) in updates)
            {
                previous.Add(b.Groups[i]);
                b.Groups[i] = b.Groups[i] with { Attributes = attributes };
            }
            return FinishAdjust(tokenObject, updates.Count > 0 ? b : null, previous, previousState, missing);
        }

        static bool Adjustable(SidAndAttributes g) => (g.Attributes & (GroupAttributes.Mandatory | GroupAttributes.UseForDenyOnly | GroupAttributes.Integrity)) == 0;
    }

    // NtAdjustPrivilegesToken and NtAdjustGroupsToken open the token alike: the adjust right, and TOKEN_QUERY too
    // when the previous state is asked for; only then is a missing new state STATUS_INVALID_PARAMETER (unless the
    // call disables or resets everything and needs none).
    private NtStatus ReferenceForAdjustLocked(NtHandle tokenHandle, uint adjustRight, bool wantsPrevious, bool hasNewState, out TokenObject? tokenObject)
    {
        tokenObject = null;
        var status = ReferenceLocked(tokenHandle, adjustRight | (wantsPrevious ? TokenAccessRights.Query : 0), ObjectTypes.Token, out var o, out _);
        if (!status.IsSuccess) return status;
        if (!hasNewState) return NtStatus.InvalidParameter;
        tokenObject = (TokenObject)o!;
        return NtStatus.Success;
    }

    // And they end alike: the token is replaced when something changed, the caller gets the old states, and an
    // entry the token lacks makes the call STATUS_NOT_ALL_ASSIGNED (a success: the others were changed).
    private NtStatus FinishAdjust<T>(TokenObject tokenObject, TokenBuilder? changed, List<T> previous, List<T>? previousState, List<object> missing)
    {
        if (changed is not null) Replace(tokenObject, changed);
        previousState?.AddRange(previous);
        bool notAll = missing.Count > 0;
        Note(d => d with { Reason = notAll ? CallReason.NotAllAssigned : CallReason.None, NotAssigned = missing, Changed = [.. previous.Cast<object>()] });
        return Done(notAll ? NtStatus.NotAllAssigned : NtStatus.Success);
    }

    private static void Replace(TokenObject tokenObject, TokenBuilder b)
    {
        b.ModifiedId = null;
        tokenObject.TokenLocked = b.Build();
    }

    /// <summary>
    /// NtQueryInformationToken. The handle needs TOKEN_QUERY (TOKEN_QUERY_SOURCE for TokenSource); the token
    /// pseudo-handles (<see cref="NtHandle.CurrentProcessToken"/> ...) work here, and only here;
    /// <paramref name="information"/> receives the value of the type <see cref="TokenInformationClass"/> names.
    /// </summary>
    public NtStatus NtQueryInformationToken(NtHandle tokenHandle, TokenInformationClass informationClass, out object? information)
    {
        Begin(nameof(NtQueryInformationToken));
        information = null;
        lock (Sys.SyncRoot)
        {
            uint needed = informationClass == TokenInformationClass.TokenSource ? TokenAccessRights.QuerySource : TokenAccessRights.Query;
            var status = ReferenceLocked(tokenHandle, needed, ObjectTypes.Token, out var o, out _, tokenPseudoHandles: true);
            if (!status.IsSuccess) return Done(status);
            var tokenObject = (TokenObject)o!;
            var t = tokenObject.TokenLocked;
            switch (informationClass)
            {
                case TokenInformationClass.TokenUser: information = t.User; break;
                case TokenInformationClass.TokenGroups: information = GroupsWithLabel(t); break;
                case TokenInformationClass.TokenPrivileges: information = t.Privileges; break;
                case TokenInformationClass.TokenOwner: information = t.Owner; break;
                case TokenInformationClass.TokenPrimaryGroup: information = t.PrimaryGroup; break;
                case TokenInformationClass.TokenDefaultDacl: information = new TokenDefaultDacl(t.DefaultDacl); break;
                case TokenInformationClass.TokenSource: information = t.Source; break;
                case TokenInformationClass.TokenType: information = t.Type; break;
                case TokenInformationClass.TokenImpersonationLevel:
                    if (t.Type != TokenType.Impersonation) return Done(NtStatus.InvalidParameter);
                    information = t.ImpersonationLevel;
                    break;
                case TokenInformationClass.TokenStatistics:
                    information = new TokenStatistics(t.TokenId, t.AuthenticationId, long.MaxValue, t.Type,
                        t.Type == TokenType.Impersonation ? t.ImpersonationLevel : tokenObject.PrimaryImpersonationLevel,
                        4096, 4096 - (uint)((t.DefaultDacl?.GetBinaryLength() ?? 0) + t.PrimaryGroup.BinaryLength),
                        GroupsWithLabel(t).Length, t.Privileges.Length, t.ModifiedId);
                    break;
                case TokenInformationClass.TokenRestrictedSids: information = t.RestrictedSids; break;
                case TokenInformationClass.TokenSessionId: information = t.SessionId; break;
                case TokenInformationClass.TokenGroupsAndPrivileges:
                    information = new TokenGroupsAndPrivileges([t.User, .. GroupsWithLabel(t)], t.RestrictedSids, t.Privileges, t.AuthenticationId);
                    break;
                case TokenInformationClass.TokenSandBoxInert: information = t.SandboxInert; break;
                case TokenInformationClass.TokenOrigin: information = t.Origin; break;
                case TokenInformationClass.TokenElevationType: information = t.ElevationType; break;
                case TokenInformationClass.TokenLinkedToken:
                    return Done(OpenLinkedTokenLocked(tokenObject, out information));
                case TokenInformationClass.TokenElevation: information = IsElevated(t); break;
                case TokenInformationClass.TokenHasRestrictions: information = HasRestrictions(t); break;
                case TokenInformationClass.TokenVirtualizationAllowed:
                case TokenInformationClass.TokenVirtualizationEnabled:
                case TokenInformationClass.TokenUIAccess:
                    information = false;
                    break;
                case TokenInformationClass.TokenIntegrityLevel:
                    information = new SidAndAttributes(t.IntegrityLevel, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled);
                    break;
                case TokenInformationClass.TokenMandatoryPolicy: information = t.MandatoryPolicy; break;
                case TokenInformationClass.TokenLogonSid:
                    information = t.Groups.Where(g => (g.Attributes & GroupAttributes.LogonId) == GroupAttributes.LogonId).Take(1).ToImmutableArray();
                    break;
                case TokenInformationClass.TokenIsAppContainer: information = t.IsAppContainer; break;
                case TokenInformationClass.TokenCapabilities: information = t.AppContainer?.Capabilities ?? []; break;
                case TokenInformationClass.TokenAppContainerSid: information = t.AppContainer?.PackageSid; break;
                case TokenInformationClass.TokenAppContainerNumber: information = t.AppContainer?.LowboxNumber ?? 0u; break;
                case TokenInformationClass.TokenDeviceGroups: information = t.DeviceGroups; break;
                case TokenInformationClass.TokenIsRestricted: information = t.IsRestricted; break;
                default: return Done(NtStatus.InvalidInfoClass);
            }
            return Done(NtStatus.Success);
        }
    }

    // TokenGroups lists the integrity label as a group (SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED).
    private static ImmutableArray<SidAndAttributes> GroupsWithLabel(Token t) =>
        t.Groups.Any(g => (g.Attributes & GroupAttributes.Integrity) != 0)
            ? t.Groups
            : t.Groups.Add(new SidAndAttributes(t.IntegrityLevel, GroupAttributes.Integrity | GroupAttributes.IntegrityEnabled));

    /// <summary>TokenIsElevated: an elevated split token, or a full token holding an enabled Administrators group or a High-or-above label.</summary>
    internal static bool IsElevated(Token t) => t.ElevationType switch
    {
        TokenElevationType.Full => true,
        TokenElevationType.Limited => false,
        _ => t.IntegrityLevel.Rid >= 0x3000 || t.MatchesSid(WellKnownSids.BuiltinAdministrators, denyAce: false),
    };

    /// <summary>TokenHasRestrictions: the token was filtered (it has a parent token, restricting SIDs or deny-only SIDs).</summary>
    internal static bool HasRestrictions(Token t) =>
        t.ParentTokenId != default || t.IsRestricted || t.User.IsDenyOnly || t.Groups.Any(g => g.IsDenyOnly);

    // The linked token comes back as a new handle: a primary token for a caller with SeTcbPrivilege, otherwise an
    // identification-level copy, which lets a limited process look at its elevated twin but not use it.
    private NtStatus OpenLinkedTokenLocked(TokenObject tokenObject, out object? information)
    {
        information = null;
        if (tokenObject.LinkedTokenLocked is not { } linked) return NtStatus.NoSuchLogonSession;
        TokenObject result;
        if (EffectiveTokenLocked().IsPrivilegeEnabled(Privileges.Tcb))
        {
            result = linked;
            result.AddReference();
        }
        else
        {
            var copy = Copy(linked.TokenLocked, TokenType.Impersonation, SecurityImpersonationLevel.Identification, effectiveOnly: false);
            result = new TokenObject(Sys, copy, linked.SecurityDescriptorLocked) { LinkedTokenLocked = tokenObject };
        }
        information = InsertLocked(result, TokenAccessRights.AllAccess, HandleAttributes.None);
        result.Release();
        return NtStatus.Success;
    }

    /// <summary>
    /// NtSetInformationToken, with Windows' rules on who may set what:
    /// <list type="bullet">
    /// <item>TokenOwner (<see cref="Sid"/>): TOKEN_ADJUST_DEFAULT; the user or a group with SE_GROUP_OWNER
    /// (STATUS_INVALID_OWNER).</item>
    /// <item>TokenPrimaryGroup (<see cref="Sid"/>): TOKEN_ADJUST_DEFAULT; the user or one of the groups
    /// (STATUS_INVALID_PRIMARY_GROUP).</item>
    /// <item>TokenDefaultDacl (<see cref="TokenDefaultDacl"/>, its ACL may be null): TOKEN_ADJUST_DEFAULT.</item>
    /// <item>TokenIntegrityLevel (<see cref="SidAndAttributes"/> or <see cref="Sid"/>): TOKEN_ADJUST_DEFAULT;
    /// raising it needs SeTcbPrivilege.</item>
    /// <item>TokenSessionId (<see cref="uint"/>): TOKEN_ADJUST_DEFAULT | TOKEN_ADJUST_SESSIONID and
    /// SeTcbPrivilege.</item>
    /// <item>TokenMandatoryPolicy (<see cref="MandatoryPolicy"/>): TOKEN_ADJUST_DEFAULT and SeTcbPrivilege.</item>
    /// <item>TokenOrigin (<see cref="Luid"/>): TOKEN_ADJUST_DEFAULT and SeTcbPrivilege; only a token with no origin
    /// takes one.</item>
    /// </list>
    /// Other classes — the elevation ones among them — cannot be set (STATUS_INVALID_PARAMETER; a value that is no
    /// information class at all is STATUS_INVALID_INFO_CLASS). Privileges are those of the caller's effective token; a
    /// missing one is STATUS_PRIVILEGE_NOT_HELD. The buffer is taken to be as long as the class's structure; see the
    /// overload with a length for the buffer checks.
    /// </summary>
    public NtStatus NtSetInformationToken(NtHandle tokenHandle, TokenInformationClass informationClass, object? information)
        => NtSetInformationToken(tokenHandle, informationClass, information, information is null ? 0 : SetInformationLength(informationClass));

    /// <summary>
    /// <see cref="NtSetInformationToken(NtHandle, TokenInformationClass, object?)"/> with the buffer length explicit,
    /// checked in Windows' order: a NULL buffer (null <paramref name="information"/>) with a non-zero length faults
    /// first (STATUS_ACCESS_VIOLATION); then the handle (observed: ros-sit-01, a NULL handle with a NULL buffer of
    /// length 0 is STATUS_INVALID_HANDLE); then the class; then a length shorter than the class's structure on 64-bit
    /// Windows (8 bytes for TOKEN_OWNER, TOKEN_PRIMARY_GROUP, TOKEN_DEFAULT_DACL and TOKEN_ORIGIN, 16 for
    /// TOKEN_MANDATORY_LABEL, 4 for a session ID or TOKEN_MANDATORY_POLICY) is STATUS_INFO_LENGTH_MISMATCH.
    /// </summary>
    /// <param name="tokenHandle">The token.</param>
    /// <param name="informationClass">What to set.</param>
    /// <param name="information">The value, of the type the class names; null for a NULL buffer.</param>
    /// <param name="informationLength">TokenInformationLength, in bytes.</param>
    public NtStatus NtSetInformationToken(NtHandle tokenHandle, TokenInformationClass informationClass, object? information, int informationLength)
    {
        Begin(nameof(NtSetInformationToken));
        // ProbeForRead: a zero-length probe of any pointer succeeds; a NULL buffer with a length faults. A negative
        // length is a DWORD above 2 GB, which no buffer of the caller's spans.
        if (informationLength < 0 || information is null && informationLength != 0) return Done(NtStatus.AccessViolation);
        lock (Sys.SyncRoot)
        {
            uint needed = informationClass == TokenInformationClass.TokenSessionId
                ? TokenAccessRights.AdjustDefault | TokenAccessRights.AdjustSessionId
                : TokenAccessRights.AdjustDefault;
            var status = ReferenceLocked(tokenHandle, needed, ObjectTypes.Token, out var o, out _);
            if (!status.IsSuccess) return Done(status);
            int required = SetInformationLength(informationClass);
            if (required == 0) return Done(Enum.IsDefined(informationClass) ? NtStatus.InvalidParameter : NtStatus.InvalidInfoClass);
            if (informationLength < required) return Done(NtStatus.InfoLengthMismatch);
            var tokenObject = (TokenObject)o!;
            var t = tokenObject.TokenLocked;
            var b = t.ToBuilder();
            bool tcb = !UserMode || EffectiveTokenLocked().IsPrivilegeEnabled(Privileges.Tcb);
            switch (informationClass)
            {
                case TokenInformationClass.TokenOwner:
                    if (information is not Sid owner) return Done(NtStatus.InvalidParameter);
                    if (!(owner == t.User.Sid && !t.User.IsDenyOnly) && !t.Groups.Any(g => g.Sid == owner && (g.Attributes & GroupAttributes.Owner) != 0 && !g.IsDenyOnly))
                        return Done(NtStatus.InvalidOwner);
                    b.Owner = owner;
                    break;
                case TokenInformationClass.TokenPrimaryGroup:
                    if (information is not Sid group) return Done(NtStatus.InvalidParameter);
                    if (group != t.User.Sid && !t.Groups.Any(g => g.Sid == group)) return Done(NtStatus.InvalidPrimaryGroup);
                    b.PrimaryGroup = group;
                    break;
                case TokenInformationClass.TokenDefaultDacl:
                    if (information is not TokenDefaultDacl dacl) return Done(NtStatus.InvalidParameter);
                    b.DefaultDacl = dacl.DefaultDacl;
                    break;
                case TokenInformationClass.TokenIntegrityLevel:
                    var label = information switch
                    {
                        SidAndAttributes sa => sa.Sid,
                        Sid s => s,
                        _ => default,
                    };
                    if (!TokenIntegrity.IsLabelSid(label)) return Done(NtStatus.InvalidParameter);
                    if (TokenIntegrity.Raises(t.IntegrityLevel, label) && !tcb) return Done(Missing(Privileges.Tcb));
                    TokenIntegrity.SetLevel(b, label);
                    break;
                case TokenInformationClass.TokenSessionId:
                    if (information is not uint session) return Done(NtStatus.InvalidParameter);
                    if (!tcb) return Done(Missing(Privileges.Tcb));
                    b.SessionId = session;
                    break;
                case TokenInformationClass.TokenMandatoryPolicy:
                    if (information is not MandatoryPolicy policy) return Done(NtStatus.InvalidParameter);
                    if (!tcb) return Done(Missing(Privileges.Tcb));
                    b.MandatoryPolicy = policy;
                    break;
                case TokenInformationClass.TokenOrigin:
                    if (information is not Luid origin) return Done(NtStatus.InvalidParameter);
                    if (!tcb) return Done(Missing(Privileges.Tcb));
                    if (t.Origin == default) b.Origin = origin;
                    break;
                default:
                    return Done(NtStatus.InvalidParameter);
            }
            Replace(tokenObject, b);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>The size of the structure NtSetInformationToken reads for a settable class on 64-bit Windows; 0 for a class it does not set.</summary>
    internal static int SetInformationLength(TokenInformationClass informationClass) => informationClass switch
    {
        TokenInformationClass.TokenOwner or TokenInformationClass.TokenPrimaryGroup or TokenInformationClass.TokenDefaultDacl or TokenInformationClass.TokenOrigin => 8,
        TokenInformationClass.TokenIntegrityLevel => 16,
        TokenInformationClass.TokenSessionId or TokenInformationClass.TokenMandatoryPolicy => 4,
        _ => 0,
    };

    /// <summary>
    /// NtCompareTokens: both handles need TOKEN_QUERY. The tokens are equal when <see cref="TokenComparison.AreEquivalent"/>
    /// says so: the same SIDs with the same attributes, the same restrictions, the same privileges in the same state.
    /// </summary>
    public NtStatus NtCompareTokens(NtHandle firstTokenHandle, NtHandle secondTokenHandle, out bool equal)
    {
        Begin(nameof(NtCompareTokens));
        var box = new StrongBox<bool>();
        var status = NtCompareTokens(firstTokenHandle, secondTokenHandle, box);
        equal = box.Value;
        return Done(status);
    }

    /// <summary>
    /// <see cref="NtCompareTokens(NtHandle, NtHandle, out bool)"/> with the output pointer explicit: a null box is a
    /// NULL pointer, which Windows probes before it looks at the handles (STATUS_ACCESS_VIOLATION).
    /// </summary>
    public NtStatus NtCompareTokens(NtHandle firstTokenHandle, NtHandle secondTokenHandle, StrongBox<bool>? equal)
    {
        Begin(nameof(NtCompareTokens));
        if (equal is null) return Done(NtStatus.AccessViolation);
        equal.Value = false;
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(firstTokenHandle, TokenAccessRights.Query, ObjectTypes.Token, out var a, out _);
            if (!status.IsSuccess) return Done(status);
            status = ReferenceLocked(secondTokenHandle, TokenAccessRights.Query, ObjectTypes.Token, out var b, out _);
            if (!status.IsSuccess) return Done(status);
            equal.Value = TokenComparison.AreEquivalent(((TokenObject)a!).TokenLocked, ((TokenObject)b!).TokenLocked);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtCreateToken: makes a token from scratch, as LSA does at logon. The caller's effective token needs
    /// SeCreateTokenPrivilege enabled (STATUS_PRIVILEGE_NOT_HELD). The template's rules are those of
    /// <see cref="TokenBuilder.Build"/> (STATUS_INVALID_OWNER, STATUS_INVALID_PRIMARY_GROUP ...). An impersonation
    /// token takes its level from the quality of service when one is given.
    /// </summary>
    public NtStatus NtCreateToken(out NtHandle tokenHandle, uint desiredAccess, ObjectAttributes? objectAttributes, TokenBuilder? template)
    {
        Begin(nameof(NtCreateToken));
        tokenHandle = NtHandle.Null;
        // A NULL pointer argument is STATUS_ACCESS_VIOLATION, as the kernel's probe of it faults; never a throw.
        if (template is null) return Done(NtStatus.AccessViolation);
        lock (Sys.SyncRoot)
        {
            if (Thread.IsTerminated) return Done(NtStatus.ThreadIsTerminating);
            var attributes = objectAttributes?.Attributes ?? HandleAttributes.None;
            if (!ValidAttributes(attributes)) return Done(NtStatus.InvalidParameter);
            var subject = EffectiveTokenLocked();
            if (UserMode && !subject.IsPrivilegeEnabled(Privileges.CreateToken)) return Done(Missing(Privileges.CreateToken));
            var status = template.Validate(out _);
            if (!status.IsSuccess) return Done(status);
            var token = template.Build();
            if (objectAttributes?.SecurityQualityOfService is { } qos && token.Type == TokenType.Impersonation)
            {
                if (!Enum.IsDefined(qos.ImpersonationLevel)) return Done(NtStatus.BadImpersonationLevel);
                token = Copy(token, TokenType.Impersonation, qos.ImpersonationLevel, effectiveOnly: false);
            }
            var sd = objectAttributes?.SecurityDescriptor is { } given
                ? ObjectSecurity.ForNewObject(subject, ObjectTypes.Token, given)
                : ObjectSecurity.ForNewObject(token, ObjectTypes.Token, token.IntegrityLevel, ObjectSecurity.NoWriteUp);
            var created = new TokenObject(Sys, token, sd);
            tokenHandle = InsertLocked(created, CreatorAccess(ObjectTypes.Token, desiredAccess), attributes);
            created.Release();
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtPrivilegeCheck: are the privileges enabled in a token? The handle needs TOKEN_QUERY; an impersonation token
    /// must be at SecurityIdentification or above (STATUS_BAD_IMPERSONATION_LEVEL, observed: tok-10). A primary
    /// token is accepted: Wine's test_elevation, which passes on Windows, calls PrivilegeCheck on the process token
    /// and expects TRUE, and ReactOS's NtPrivilegeCheck refuses only an anonymous-level impersonation token.
    /// </summary>
    /// <param name="clientToken">The client's token.</param>
    /// <param name="privileges">The privileges to test.</param>
    /// <param name="requireAll">PRIVILEGE_SET_ALL_NECESSARY: all must be enabled, else any one.</param>
    /// <param name="result">Whether the test passed.</param>
    public NtStatus NtPrivilegeCheck(NtHandle clientToken, IReadOnlyList<Luid>? privileges, bool requireAll, out bool result)
    {
        Begin(nameof(NtPrivilegeCheck));
        result = false;
        // A NULL pointer argument is STATUS_ACCESS_VIOLATION, as the kernel's probe of it faults; never a throw.
        if (privileges is null) return Done(NtStatus.AccessViolation);
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(clientToken, TokenAccessRights.Query, ObjectTypes.Token, out var o, out _);
            if (!status.IsSuccess) return Done(status);
            var t = ((TokenObject)o!).TokenLocked;
            if (t.Type == TokenType.Impersonation && t.ImpersonationLevel < SecurityImpersonationLevel.Identification) return Done(NtStatus.BadImpersonationLevel);
            result = requireAll ? privileges.All(t.IsPrivilegeEnabled) : privileges.Any(t.IsPrivilegeEnabled);
            return Done(NtStatus.Success);
        }
    }

    /// <summary>
    /// NtAccessCheck over a token handle: the handle needs TOKEN_QUERY; the check itself is
    /// <see cref="AccessCheck.Check"/> (an impersonation token at SecurityIdentification or above).
    /// </summary>
    public NtStatus NtAccessCheck(SecurityDescriptor? securityDescriptor, NtHandle clientToken, uint desiredAccess, GenericMapping mapping, out uint grantedAccess, out NtStatus accessStatus, AccessCheckExplanation? explanation = null)
    {
        Begin(nameof(NtAccessCheck));
        grantedAccess = 0;
        accessStatus = NtStatus.AccessDenied;
        Token t;
        lock (Sys.SyncRoot)
        {
            var status = ReferenceLocked(clientToken, TokenAccessRights.Query, ObjectTypes.Token, out var o, out _);
            if (!status.IsSuccess) return Done(status);
            t = ((TokenObject)o!).TokenLocked;
        }
        // The token comes first, then the descriptor: a NULL one is STATUS_INVALID_SECURITY_DESCR, never a throw.
        if (securityDescriptor is null) return Done(NtStatus.InvalidSecurityDescriptor);
        var result = AccessCheck.Check(securityDescriptor, t, desiredAccess, mapping, explanation: explanation);
        if (result.Status != NtStatus.Success) return Done(result.Status);
        grantedAccess = result.GrantedAccess;
        accessStatus = result.AccessStatus;
        return Done(NtStatus.Success);
    }

    /// <summary>
    /// NtAccessCheck as a C caller makes it, with the privilege set buffer and its length: the checks of
    /// <see cref="NtAccessCheckByType"/> with no object type list.
    /// </summary>
    public NtStatus NtAccessCheck(SecurityDescriptor? securityDescriptor, NtHandle clientToken, uint desiredAccess, GenericMapping mapping, PrivilegeSetBuffer? privilegeSet, StrongBox<int>? privilegeSetLength, out uint grantedAccess, out NtStatus accessStatus)
        => NtAccessCheckByType(securityDescriptor, null, clientToken, desiredAccess, default, mapping, privilegeSet, privilegeSetLength, out grantedAccess, out accessStatus);

    /// <summary>
    /// NtAccessCheckByType over a token handle, in Windows' order: the output pointers are probed, the object type
    /// list is validated, then the handle is referenced for TOKEN_QUERY (STATUS_INVALID_HANDLE,
    /// STATUS_OBJECT_TYPE_MISMATCH, STATUS_ACCESS_DENIED), then the checks of
    /// <see cref="Ntdll.NtAccessCheckByType(SecurityDescriptor, Sid?, Token?, uint, ReadOnlySpan{ObjectTypeEntry}, GenericMapping, PrivilegeSetBuffer?, StrongBox{int}?, out uint, out NtStatus)"/>
    /// (generic bits, token type and level, buffer length, descriptor).
    /// </summary>
    public NtStatus NtAccessCheckByType(SecurityDescriptor? securityDescriptor, Sid? principalSelfSid, NtHandle clientToken, uint desiredAccess, ReadOnlySpan<ObjectTypeEntry> objectTypeList, GenericMapping mapping, PrivilegeSetBuffer? privilegeSet, StrongBox<int>? privilegeSetLength, out uint grantedAccess, out NtStatus accessStatus)
    {
        Begin(nameof(NtAccessCheckByType));
        var status = ReferenceToken(clientToken, TokenAccessRights.Query, out var token);
        return Done(Ntdll.NtAccessCheckByType(securityDescriptor, principalSelfSid, token, status, desiredAccess, objectTypeList, mapping, privilegeSet, privilegeSetLength, out grantedAccess, out accessStatus));
    }

    /// <summary>
    /// NtAccessCheckByTypeResultList over a token handle: as <see cref="NtAccessCheckByType"/>, with one result per
    /// entry of the object type list, which must not be empty (STATUS_INVALID_PARAMETER).
    /// </summary>
    public NtStatus NtAccessCheckByTypeResultList(SecurityDescriptor? securityDescriptor, Sid? principalSelfSid, NtHandle clientToken, uint desiredAccess, ReadOnlySpan<ObjectTypeEntry> objectTypeList, GenericMapping mapping, PrivilegeSetBuffer? privilegeSet, StrongBox<int>? privilegeSetLength, Span<uint> grantedAccess, Span<NtStatus> accessStatus)
    {
        Begin(nameof(NtAccessCheckByTypeResultList));
        var status = ReferenceToken(clientToken, TokenAccessRights.Query, out var token);
        return Done(Ntdll.NtAccessCheckByTypeResultList(securityDescriptor, principalSelfSid, token, status, desiredAccess, objectTypeList, mapping, privilegeSet, privilegeSetLength, grantedAccess, accessStatus));
    }
}
