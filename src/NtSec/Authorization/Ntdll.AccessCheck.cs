using System.Runtime.CompilerServices;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Authorization;

/// <summary>
/// A PRIVILEGE_SET output buffer: the privileges an access check used. Its size in bytes is what the caller passes
/// as PrivilegeSetLength: 8 bytes of header and 12 per privilege, with room for one in the base structure (20).
/// </summary>
public sealed class PrivilegeSetBuffer
{
    /// <summary>sizeof(PRIVILEGE_SET) with its one LUID_AND_ATTRIBUTES.</summary>
    public const int MinimumLength = 20;

    /// <summary>The privileges written by the last call.</summary>
    public List<Privilege> Privileges { get; } = [];

    /// <summary>PRIVILEGE_SET.Control (PRIVILEGE_SET_ALL_NECESSARY is 1).</summary>
    public uint Control { get; set; }

    /// <summary>The length a set of <paramref name="count"/> privileges needs.</summary>
    public static int LengthFor(int count) => 8 + (12 * Math.Max(1, count));
}

/// <summary>
/// ntdll-style native calls. They return NTSTATUS and never throw for an access failure. A pointer argument that C
/// callers may pass as NULL is a nullable reference here (a <see cref="StrongBox{T}"/> for a pointer to a number).
/// </summary>
public static partial class Ntdll
{
    /// <summary>
    /// NtAccessCheck. Checks happen in Windows' order: the output pointers are probed (a NULL privilege set with a
    /// non-zero length, or a NULL length pointer, is STATUS_ACCESS_VIOLATION); a NULL token handle is
    /// STATUS_INVALID_HANDLE; then the access check's own argument checks (generic bits, token type and level);
    /// then a privilege set shorter than 20 bytes is STATUS_BUFFER_TOO_SMALL with the needed length written back;
    /// then a NULL descriptor is STATUS_INVALID_SECURITY_DESCR; then the descriptor's owner and group.
    /// </summary>
    public static NtStatus NtAccessCheck(
        SecurityDescriptor? securityDescriptor,
        Token? clientToken,
        uint desiredAccess,
        GenericMapping genericMapping,
        PrivilegeSetBuffer? privilegeSet,
        StrongBox<int>? privilegeSetLength,
        out uint grantedAccess,
        out NtStatus accessStatus)
        => NtAccessCheckByType(securityDescriptor, null, clientToken, desiredAccess, default, genericMapping, privilegeSet, privilegeSetLength, out grantedAccess, out accessStatus);

    /// <summary>NtAccessCheckByType; see <see cref="NtAccessCheck"/> for the order of checks.</summary>
    public static NtStatus NtAccessCheckByType(
        SecurityDescriptor? securityDescriptor,
        Sid? principalSelfSid,
        Token? clientToken,
        uint desiredAccess,
        ReadOnlySpan<ObjectTypeEntry> objectTypeList,
        GenericMapping genericMapping,
        PrivilegeSetBuffer? privilegeSet,
        StrongBox<int>? privilegeSetLength,
        out uint grantedAccess,
        out NtStatus accessStatus)
        => NtAccessCheckByType(securityDescriptor, principalSelfSid, clientToken, NtStatus.InvalidHandle, desiredAccess, objectTypeList, genericMapping, privilegeSet, privilegeSetLength, out grantedAccess, out accessStatus);

    /// <summary>
    /// NtAccessCheckByType with the token already looked up from its handle: <paramref name="tokenStatus"/> is what
    /// the lookup returned when <paramref name="clientToken"/> is null (STATUS_INVALID_HANDLE,
    /// STATUS_ACCESS_DENIED for a handle without TOKEN_QUERY ...), reported where Windows references the handle.
    /// </summary>
    internal static NtStatus NtAccessCheckByType(
        SecurityDescriptor? securityDescriptor,
        Sid? principalSelfSid,
        Token? clientToken,
        NtStatus tokenStatus,
        uint desiredAccess,
        ReadOnlySpan<ObjectTypeEntry> objectTypeList,
        GenericMapping genericMapping,
        PrivilegeSetBuffer? privilegeSet,
        StrongBox<int>? privilegeSetLength,
        out uint grantedAccess,
        out NtStatus accessStatus)
    {
        grantedAccess = 0;
        accessStatus = NtStatus.Success;
        var pre = Precheck(clientToken, tokenStatus, desiredAccess, objectTypeList, privilegeSet, privilegeSetLength, requireList: false);
        if (pre != NtStatus.Success) return pre;
        if (securityDescriptor is null) return NtStatus.InvalidSecurityDescriptor;
        var result = Authorization.AccessCheck.Check(securityDescriptor, clientToken!, desiredAccess, genericMapping, objectTypeList, principalSelfSid);
        return Finish(result, privilegeSet!, privilegeSetLength!, out grantedAccess, out accessStatus);
    }

    /// <summary>
    /// NtAccessCheckByTypeResultList: one granted mask and status per entry of the object type list, which must
    /// not be empty (STATUS_INVALID_PARAMETER, before the descriptor is looked at).
    /// </summary>
    public static NtStatus NtAccessCheckByTypeResultList(
        SecurityDescriptor? securityDescriptor,
        Sid? principalSelfSid,
        Token? clientToken,
        uint desiredAccess,
        ReadOnlySpan<ObjectTypeEntry> objectTypeList,
        GenericMapping genericMapping,
        PrivilegeSetBuffer? privilegeSet,
        StrongBox<int>? privilegeSetLength,
        Span<uint> grantedAccess,
        Span<NtStatus> accessStatus)
        => NtAccessCheckByTypeResultList(securityDescriptor, principalSelfSid, clientToken, NtStatus.InvalidHandle, desiredAccess, objectTypeList, genericMapping, privilegeSet, privilegeSetLength, grantedAccess, accessStatus);

    /// <summary>NtAccessCheckByTypeResultList with the token already looked up from its handle (see <see cref="NtAccessCheckByType(SecurityDescriptor, Sid?, Token?, NtStatus, uint, ReadOnlySpan{ObjectTypeEntry}, GenericMapping, PrivilegeSetBuffer?, StrongBox{int}?, out uint, out NtStatus)"/>).</summary>
    internal static NtStatus NtAccessCheckByTypeResultList(
        SecurityDescriptor? securityDescriptor,
        Sid? principalSelfSid,
        Token? clientToken,
        NtStatus tokenStatus,
        uint desiredAccess,
        ReadOnlySpan<ObjectTypeEntry> objectTypeList,
        GenericMapping genericMapping,
        PrivilegeSetBuffer? privilegeSet,
        StrongBox<int>? privilegeSetLength,
        Span<uint> grantedAccess,
        Span<NtStatus> accessStatus)
    {
        var pre = Precheck(clientToken, tokenStatus, desiredAccess, objectTypeList, privilegeSet, privilegeSetLength, requireList: true);
        if (pre != NtStatus.Success) return pre;
        if (grantedAccess.Length < objectTypeList.Length || accessStatus.Length < objectTypeList.Length) return NtStatus.AccessViolation;
        if (securityDescriptor is null) return NtStatus.InvalidSecurityDescriptor;
        var result = Authorization.AccessCheck.CheckResultList(securityDescriptor, clientToken!, desiredAccess, genericMapping, objectTypeList, grantedAccess, accessStatus, principalSelfSid);
        return Finish(result, privilegeSet!, privilegeSetLength!, out _, out _);
    }

    private static NtStatus Precheck(Token? token, NtStatus tokenStatus, uint desired, ReadOnlySpan<ObjectTypeEntry> list, PrivilegeSetBuffer? privilegeSet, StrongBox<int>? length, bool requireList)
    {
        // Probing: a zero-length probe of a NULL buffer succeeds; anything else faults.
        if (length is null) return NtStatus.AccessViolation;
        if (privilegeSet is null && length.Value != 0) return NtStatus.AccessViolation;
        if (requireList && list.IsEmpty) return NtStatus.InvalidParameter;
        var listStatus = Authorization.AccessCheck.ValidateObjectTypeList(list);
        if (listStatus != NtStatus.Success) return listStatus;
        if (token is null) return tokenStatus.IsSuccess ? NtStatus.InvalidHandle : tokenStatus;
        if ((desired & AccessMask.GenericMask) != 0) return NtStatus.GenericNotMapped;
        if (token.Type != TokenType.Impersonation) return NtStatus.NoImpersonationToken;
        if (token.ImpersonationLevel < SecurityImpersonationLevel.Identification) return NtStatus.BadImpersonationLevel;
        if (length.Value < PrivilegeSetBuffer.MinimumLength)
        {
            length.Value = PrivilegeSetBuffer.MinimumLength;
            return NtStatus.BufferTooSmall;
        }
        // With a length of 20 or more the buffer is probed for that length: a NULL buffer faults.
        if (privilegeSet is null) return NtStatus.AccessViolation;
        return NtStatus.Success;
    }

    private static NtStatus Finish(AccessCheckResult result, PrivilegeSetBuffer privilegeSet, StrongBox<int> length, out uint granted, out NtStatus accessStatus)
    {
        granted = 0;
        accessStatus = NtStatus.Success;
        if (result.Status != NtStatus.Success) return result.Status;
        var used = new List<Privilege>(2);
        if ((result.PrivilegesUsed & PrivilegesUsed.Security) != 0) used.Add(new Privilege(Privileges.Security, PrivilegeAttributes.UsedForAccess));
        if ((result.PrivilegesUsed & PrivilegesUsed.TakeOwnership) != 0) used.Add(new Privilege(Privileges.TakeOwnership, PrivilegeAttributes.UsedForAccess));
        if ((result.PrivilegesUsed & PrivilegesUsed.Relabel) != 0) used.Add(new Privilege(Privileges.Relabel, PrivilegeAttributes.UsedForAccess));
        int needed = PrivilegeSetBuffer.LengthFor(used.Count);
        if (length.Value < needed)
        {
            length.Value = needed;
            return NtStatus.BufferTooSmall;
        }
        privilegeSet.Privileges.Clear();
        privilegeSet.Privileges.AddRange(used);
        privilegeSet.Control = 0;
        granted = result.GrantedAccess;
        accessStatus = result.AccessStatus;
        return NtStatus.Success;
    }

    /// <summary>
    /// RtlAddAccessAllowedObjectAce: appends an object ACE. Object ACEs need ACL_REVISION_DS: an ACE revision or an
    /// ACL revision below 4 is STATUS_REVISION_MISMATCH (observed: ros-bt-pv-13).
    /// </summary>
    public static NtStatus RtlAddAccessAllowedObjectAce(ref Acl acl, uint aceRevision, AceFlags aceFlags, uint accessMask, Guid? objectType, Guid? inheritedObjectType, Sid sid)
    {
        if (aceRevision < Acl.RevisionDs || acl.Revision < Acl.RevisionDs) return NtStatus.RevisionMismatch;
        if (sid.IsDefault) return NtStatus.InvalidSid;
        var ace = new Ace(AceType.AccessAllowedObject, aceFlags, accessMask, sid, objectType, inheritedObjectType);
        if (acl.GetBinaryLength() + ace.GetBinaryLength() > ushort.MaxValue) return NtStatus.AllottedSpaceExceeded;
        acl = new Acl([.. acl.Aces, ace], acl.Revision);
        return NtStatus.Success;
    }
}
