using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Inheritance;

namespace NtSec.Kernel;

public sealed partial class NtCalls
{
    /// <summary>
    /// Creates a named object inside a container the caller has a handle to, as NtCreateFile creates a file or
    /// directory in its directory and NtCreateKey a subkey: the handle needs the parent's create-child right
    /// (<see cref="ObjectInheritance.CreateChildRight"/>), the new object is named <c>PARENT\name</c>, and its
    /// descriptor comes from the parent's descriptor, the explicit one given and the caller's effective token
    /// (SeAssignSecurityEx without auto-inherit flags: the kernel and file-system flavour). The object is permanent, as
    /// a file on disk is; the creator gets the access it asked for.
    /// </summary>
    /// <param name="parentHandle">A handle to the parent container.</param>
    /// <param name="type">The new object's type (<see cref="ObjectTypes.File"/>, <see cref="ObjectTypes.Directory"/>, <see cref="ObjectTypes.Key"/> ...).</param>
    /// <param name="name">The name inside the parent (no backslash).</param>
    /// <param name="securityDescriptor">The explicit descriptor, or null to inherit.</param>
    /// <param name="desiredAccess">The access the creator's handle gets.</param>
    /// <param name="handle">The new handle, or NULL.</param>
    /// <param name="attributes">Handle attributes.</param>
    /// <returns>STATUS_OBJECT_NAME_COLLISION, the parent handle's
    /// STATUS_ACCESS_DENIED, STATUS_INVALID_OWNER / STATUS_INVALID_PRIMARY_GROUP / STATUS_PRIVILEGE_NOT_HELD from
    /// the descriptor.</returns>
    public NtStatus NtCreateObjectInContainer(NtHandle parentHandle, ObjectTypeInfo type, string name, SecurityDescriptor? securityDescriptor,
        uint desiredAccess, out NtHandle handle, HandleAttributes attributes = HandleAttributes.None)
    {
        handle = NtHandle.Null;
        if (type is null || string.IsNullOrEmpty(name) || name.Contains('\\', StringComparison.Ordinal)) return NtStatus.InvalidParameter;
        lock (Sys.SyncRoot)
        {
            if (Thread.IsTerminated) return NtStatus.ThreadIsTerminating;
            if (!ValidAttributes(attributes)) return NtStatus.InvalidParameter;
            if ((desiredAccess & ReservedAccessBits) != 0) return NtStatus.AccessDenied;
            if (!ResolveLocked(Thread.Process, parentHandle, out var entry, out var status)) return status;
            var parent = entry.Object;
            if (!ObjectInheritance.IsContainer(parent.Type) || parent.Name is null) return NtStatus.ObjectTypeMismatch;
            uint needed = ObjectInheritance.CreateChildRight(parent.Type, ObjectInheritance.IsContainer(type));
            if (UserMode && (needed & ~entry.GrantedAccess) != 0) return NtStatus.AccessDenied;
            string fullName = parent.Name + "\\" + name;
            if (Sys.FindObjectLocked(fullName) is not null) return NtStatus.ObjectNameCollision;
            var subject = EffectiveTokenLocked();
            if (UserMode && subject.Type == Tokens.TokenType.Impersonation && subject.ImpersonationLevel < Tokens.SecurityImpersonationLevel.Impersonation)
                return NtStatus.BadImpersonationLevel;
            var result = SecurityInheritance.CreatePrivateObjectSecurity(parent.SecurityDescriptorLocked, securityDescriptor, ObjectInheritance.IsContainer(type),
                SecuritySubject.FromToken(subject), type.GenericMapping, null,
                UserMode ? AutoInheritFlags.None : AutoInheritFlags.AvoidPrivilegeCheck | AutoInheritFlags.AvoidOwnerCheck);
            if (!result.IsSuccess) return result.Status;
            var obj = new NamedObject(Sys, type, fullName, result.Descriptor!);
            Sys.AddName(obj, permanent: true);
            handle = InsertLocked(obj, CreatorAccess(type, desiredAccess), attributes);
            obj.Release();
            return NtStatus.Success;
        }
    }
}

/// <summary>Which kernel object types hold children, and the right a handle needs to create one.</summary>
public static class ObjectInheritance
{
    /// <summary>FILE_ADD_FILE: create a file in a directory.</summary>
    public const uint FileAddFile = FileAccessRights.AddFile;
    /// <summary>FILE_ADD_SUBDIRECTORY: create a directory in a directory.</summary>
    public const uint FileAddSubdirectory = FileAccessRights.AddSubdirectory;
    /// <summary>KEY_CREATE_SUB_KEY.</summary>
    public const uint KeyCreateSubKey = KeyAccessRights.CreateSubKey;
    /// <summary>ADS_RIGHT_DS_CREATE_CHILD.</summary>
    public const uint DsCreateChild = DirectoryServiceAccessRights.CreateChild;

    /// <summary>True for the types whose objects are containers: directories, registry keys, directory-service objects.</summary>
    public static bool IsContainer(ObjectTypeInfo type)
        => ReferenceEquals(type, ObjectTypes.Directory) || ReferenceEquals(type, ObjectTypes.Key) || ReferenceEquals(type, ObjectTypes.DirectoryServiceObject);

    /// <summary>The right a handle to a container of <paramref name="parentType"/> needs to create a child in it.</summary>
    public static uint CreateChildRight(ObjectTypeInfo parentType, bool childIsContainer)
    {
        if (ReferenceEquals(parentType, ObjectTypes.Directory)) return childIsContainer ? FileAddSubdirectory : FileAddFile;
        if (ReferenceEquals(parentType, ObjectTypes.Key)) return KeyCreateSubKey;
        return DsCreateChild;
    }
}
