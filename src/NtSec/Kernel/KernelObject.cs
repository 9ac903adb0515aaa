using NtSec.Authorization;
using NtSec.Descriptors;

namespace NtSec.Kernel;

/// <summary>
/// An object of the emulated object manager: a type (which gives its generic mapping and valid access mask), an
/// optional name, a security descriptor, and reference counts. The object lives while a handle or a pointer
/// reference holds it, as in Windows; when the last one goes it is deleted and releases what it references.
/// </summary>
/// <remarks>
/// Every mutable field is read and written under <see cref="EmulatedSystem"/>'s lock; the properties give a
/// consistent value but may be stale by the time the caller reads them if other threads are calling in.
/// </remarks>
public abstract class KernelObject
{
    private SecurityDescriptor _securityDescriptor;

    private protected KernelObject(EmulatedSystem system, ObjectTypeInfo type, string? name, SecurityDescriptor securityDescriptor)
    {
        System = system;
        Type = type;
        Name = name;
        _securityDescriptor = securityDescriptor;
        // The creation reference: whoever made the object releases it once it is stored somewhere.
        PointerCount = 1;
        system.Register(this);
    }

    /// <summary>The system the object belongs to.</summary>
    public EmulatedSystem System { get; }

    /// <summary>The object type: its name, generic mapping and valid access mask.</summary>
    public ObjectTypeInfo Type { get; }

    /// <summary>The object's name in the namespace, or null for an unnamed object.</summary>
    public string? Name { get; }

    /// <summary>The object's security descriptor.</summary>
    public SecurityDescriptor SecurityDescriptor
    {
        get { lock (System.SyncRoot) return _securityDescriptor; }
        internal set => _securityDescriptor = value;
    }

    internal SecurityDescriptor SecurityDescriptorLocked => _securityDescriptor;

    /// <summary>The number of open handles to the object.</summary>
    public int HandleCount { get; private set; }

    /// <summary>The number of references, handles included (as NtQueryObject reports PointerCount).</summary>
    public int PointerCount { get; private set; }

    /// <summary>True once the last reference is gone.</summary>
    public bool IsDeleted { get; private set; }

    internal void AddReference()
    {
        if (IsDeleted) throw new InvalidOperationException($"A deleted {Type.Name} object was referenced.");
        PointerCount++;
    }

    internal void Release()
    {
        if (PointerCount <= 0) throw new InvalidOperationException($"A {Type.Name} object was released more often than referenced.");
        if (--PointerCount == 0) Delete();
    }

    internal void AddHandle()
    {
        AddReference();
        HandleCount++;
    }

    internal void RemoveHandle()
    {
        HandleCount--;
        Release();
    }

    private void Delete()
    {
        IsDeleted = true;
        System.Unregister(this);
        OnDelete();
    }

    /// <summary>Releases what the object references; called once, under the system lock.</summary>
    private protected virtual void OnDelete()
    {
    }

    /// <summary>The type and name.</summary>
    public override string ToString() => Name is null ? Type.Name : $"{Type.Name} {Name}";
}

/// <summary>
/// A plain securable object (event, file, key, section, ...) for tests and scenarios: it has nothing but its type,
/// name and security descriptor, which is all an open needs.
/// </summary>
public sealed class NamedObject : KernelObject
{
    internal NamedObject(EmulatedSystem system, ObjectTypeInfo type, string? name, SecurityDescriptor securityDescriptor)
        : base(system, type, name, securityDescriptor)
    {
    }
}
