using System.Collections.Immutable;
using NtSec.Acls;
using NtSec.Authorization;
using NtSec.Descriptors;

namespace NtSec.Inheritance;

/// <summary>
/// One object of a tree whose descriptors propagate: a folder and its files, a registry key and its subkeys, an
/// OU and its objects. Immutable; <see cref="Propagation.Propagate"/> returns a new tree.
/// </summary>
/// <param name="Name">The object's name (its path element).</param>
/// <param name="IsContainer">It can hold children.</param>
/// <param name="Descriptor">Its stored descriptor.</param>
/// <param name="Children">Its children.</param>
/// <param name="ObjectTypes">Its classes (directory-service objects), or null.</param>
public sealed record SecurityTreeNode(string Name, bool IsContainer, SecurityDescriptor Descriptor, ImmutableArray<SecurityTreeNode> Children, IReadOnlyList<Guid>? ObjectTypes = null)
{
    /// <summary>A leaf (a file, or an empty folder).</summary>
    public static SecurityTreeNode Leaf(string name, bool isContainer, SecurityDescriptor descriptor, IReadOnlyList<Guid>? objectTypes = null)
        => new(name, isContainer, descriptor, [], objectTypes);
}

/// <summary>What propagation did to one object.</summary>
/// <param name="Path">The object's path from the root, elements joined with a backslash.</param>
/// <param name="Before">Its descriptor before.</param>
/// <param name="After">Its descriptor after.</param>
/// <param name="Protected">Its DACL is protected, so propagation left it (and, since it did not change, its subtree) alone.</param>
public sealed record PropagationChange(string Path, SecurityDescriptor Before, SecurityDescriptor After, bool Protected)
{
    /// <summary>The descriptor changed.</summary>
    public bool Changed => !Before.Equals(After);
}

/// <summary>
/// Re-applies a container's inheritable ACEs to everything below it, as SetNamedSecurityInfo, Explorer, icacls and
/// Active Directory do after a parent's DACL or SACL changes. The kernel and the file system never do this on
/// their own: NtSetSecurityObject on a folder leaves its existing children as they were.
/// </summary>
/// <remarks>
/// Each child keeps its explicit ACEs (those without INHERITED_ACE) and gets the parent's inheritable ACEs afresh,
/// marked INHERITED_ACE, after them; its ACL is marked auto-inherited. A child whose DACL (or SACL) is protected
/// keeps that ACL unchanged. The walk is iterative, so a deep tree does not exhaust the stack.
/// </remarks>
public static class Propagation
{
    /// <summary>
    /// Propagates from <paramref name="root"/> (whose descriptor is already the new one) down the whole tree.
    /// </summary>
    /// <param name="root">The root of the tree.</param>
    /// <param name="mapping">The generic mapping of the tree's objects.</param>
    /// <param name="changes">Every object below the root, in depth-first order, with its descriptor before and after.</param>
    public static SecurityTreeNode Propagate(SecurityTreeNode root, GenericMapping mapping, out IReadOnlyList<PropagationChange> changes)
    {
        ArgumentNullException.ThrowIfNull(root);
        var list = new List<PropagationChange>();
        // Post-order rebuild with an explicit stack: children are recomputed from their new parent descriptor first,
        // and each node is rebuilt once all its children are.
        var result = Rebuild(root, root.Name, mapping, list);
        changes = list;
        return result;
    }

    private sealed class Frame(SecurityTreeNode node, SecurityDescriptor descriptor, string path)
    {
        public SecurityTreeNode Node { get; } = node;
        public SecurityDescriptor Descriptor { get; } = descriptor;
        public string Path { get; } = path;
        public int Next { get; set; }
        public ImmutableArray<SecurityTreeNode>.Builder Built { get; } = ImmutableArray.CreateBuilder<SecurityTreeNode>(node.Children.Length);
    }

    private static SecurityTreeNode Rebuild(SecurityTreeNode root, string rootPath, GenericMapping mapping, List<PropagationChange> changes)
    {
        var stack = new Stack<Frame>();
        stack.Push(new Frame(root, root.Descriptor, rootPath));
        SecurityTreeNode? done = null;
        while (stack.Count > 0)
        {
            var f = stack.Peek();
            if (f.Next < f.Node.Children.Length)
            {
                var child = f.Node.Children[f.Next++];
                var path = f.Path + "\\" + child.Name;
                var after = Inherit(f.Descriptor, child, mapping, out bool isProtected);
                changes.Add(new PropagationChange(path, child.Descriptor, after, isProtected));
                stack.Push(new Frame(child, after, path));
                continue;
            }
            stack.Pop();
            var rebuilt = f.Node with { Descriptor = f.Descriptor, Children = f.Built.MoveToImmutable() };
            if (stack.Count == 0) done = rebuilt;
            else stack.Peek().Built.Add(rebuilt);
        }
        return done!;
    }

    /// <summary>
    /// A child's descriptor re-inherited from its parent's: its explicit ACEs, then what the parent gives it now.
    /// </summary>
    public static SecurityDescriptor Inherit(SecurityDescriptor parent, SecurityTreeNode child, GenericMapping mapping, out bool daclProtected)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(child);
        var sd = child.Descriptor;
        var owner = sd.Owner ?? Principals.WellKnownSids.CreatorOwner;
        var group = sd.Group ?? Principals.WellKnownSids.CreatorGroup;
        daclProtected = (sd.Control & SecurityDescriptorControl.DaclProtected) != 0;
        var control = sd.Control;
        var dacl = sd.Dacl;
        var daclState = sd.DaclState;
        if (!daclProtected && sd.DaclState != AclState.Null)
        {
            dacl = Reinherit(sd.Dacl, parent.Dacl, child, owner, group, mapping);
            daclState = AclState.Present;
            control |= SecurityDescriptorControl.DaclAutoInherited;
        }
        var sacl = sd.Sacl;
        var saclState = sd.SaclState;
        if ((sd.Control & SecurityDescriptorControl.SaclProtected) == 0 && sd.SaclState != AclState.Null && (parent.Sacl is not null || sd.Sacl is not null))
        {
            sacl = Reinherit(sd.Sacl, parent.Sacl, child, owner, group, mapping);
            saclState = AclState.Present;
            control |= SecurityDescriptorControl.SaclAutoInherited;
        }
        return new SecurityDescriptor(sd.Owner, sd.Group, dacl, sacl, control, daclState, saclState, sd.RmControl);
    }

    private static Acl Reinherit(Acl? own, Acl? parentAcl, SecurityTreeNode child, Principals.Sid owner, Principals.Sid group, GenericMapping mapping)
    {
        var aces = new List<Ace>();
        if (own is not null)
            foreach (var a in own.Aces)
                if (!a.IsInherited) aces.Add(a);
        if (parentAcl is not null) AceInheritance.Inherit(parentAcl, child.IsContainer, child.ObjectTypes, owner, group, mapping, true, null, aces);
        return new Acl(aces);
    }
}
