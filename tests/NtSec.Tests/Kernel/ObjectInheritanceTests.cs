using global::NtSec;
using global::NtSec.Acls;
using global::NtSec.Authorization;
using global::NtSec.Descriptors;
using global::NtSec.Kernel;
using global::NtSec.Principals;
using global::NtSec.Sddl;
using Xunit;

namespace NtSec.Tests.Kernel;

/// <summary>
/// NtCreateObjectInContainer: objects created inside a directory or key get their descriptor by inheritance from
/// the parent, the explicit descriptor and the creator's effective token.
/// </summary>
public class ObjectInheritanceTests
{
    private const uint FileReadData = 0x1, FileWriteData = 0x2;

    private static readonly string Alice = KernelFixtures.Alice.ToString();

    [Fact]
    public void A_file_an_agent_creates_in_its_workspace_is_its_own_through_CREATOR_OWNER()
    {
        var (system, alice, bob) = KernelFixtures.Machine();
        // A workspace folder: SYSTEM and Administrators full control, Users may add files, and whoever creates a file
        // gets full control of it (the CREATOR OWNER pattern of C:\ and shared drop folders).
        var workspace = system.CreateObject(ObjectTypes.Directory, @"\Device\HarddiskVolume1\work",
            SddlParser.Parse("O:BAG:SYD:AI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;;0x100027;;;BU)(A;OICIIO;GA;;;CO)"));
        var nt = alice.Threads[0].Nt;
        KernelFixtures.Check(nt.NtOpenObject(new ObjectAttributes(workspace.Name), FileAddFileOrSubdirectory, out var dir));
        KernelFixtures.Check(nt.NtCreateObjectInContainer(dir, ObjectTypes.File, "notes.txt", null, FileReadData | FileWriteData, out var file));
        var created = (NamedObject)system.FindObject(@"\Device\HarddiskVolume1\work\notes.txt")!;
        Assert.Equal(
            SddlParser.Parse($"O:{Alice}G:{KernelFixtures.DomainUsers}D:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;FA;;;{Alice})"),
            created.SecurityDescriptor);
        Assert.False(file.IsNull);
        // Bob (a member of Users) can add his own file but cannot open Alice's.
        var bobNt = bob.Threads[0].Nt;
        Assert.Equal(NtStatus.AccessDenied, bobNt.NtOpenObject(new ObjectAttributes(created.Name), FileReadData, out _));
    }

    private const uint FileAddFileOrSubdirectory = ObjectInheritance.FileAddFile | ObjectInheritance.FileAddSubdirectory;

    [Fact]
    public void Creating_needs_the_parents_create_child_right_on_the_handle()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Directory, @"\d", SddlParser.Parse("O:BAG:SYD:(A;OICI;FA;;;WD)"));
        var nt = alice.Threads[0].Nt;
        KernelFixtures.Check(nt.NtOpenObject(new ObjectAttributes(@"\d"), FileReadData, out var readOnly));
        Assert.Equal(NtStatus.AccessDenied, nt.NtCreateObjectInContainer(readOnly, ObjectTypes.File, "f", null, FileReadData, out _));
        KernelFixtures.Check(nt.NtOpenObject(new ObjectAttributes(@"\d"), ObjectInheritance.FileAddFile, out var addFile));
        KernelFixtures.Check(nt.NtCreateObjectInContainer(addFile, ObjectTypes.File, "f", null, FileReadData, out _));
        // FILE_ADD_FILE does not allow a subdirectory; a second file of the same name collides.
        Assert.Equal(NtStatus.AccessDenied, nt.NtCreateObjectInContainer(addFile, ObjectTypes.Directory, "sub", null, FileReadData, out _));
        Assert.Equal(NtStatus.ObjectNameCollision, nt.NtCreateObjectInContainer(addFile, ObjectTypes.File, "f", null, FileReadData, out _));
        Assert.Equal(NtStatus.InvalidParameter, nt.NtCreateObjectInContainer(addFile, ObjectTypes.File, @"a\b", null, FileReadData, out _));
    }

    [Fact]
    public void An_owner_the_creator_may_not_assign_fails_with_STATUS_INVALID_OWNER()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Directory, @"\d", SddlParser.Parse("O:BAG:SYD:(A;OICI;FA;;;WD)"));
        var nt = alice.Threads[0].Nt;
        KernelFixtures.Check(nt.NtOpenObject(new ObjectAttributes(@"\d"), ObjectInheritance.FileAddFile, out var d));
        Assert.Equal(NtStatus.InvalidOwner, nt.NtCreateObjectInContainer(d, ObjectTypes.File, "f", SddlParser.Parse("O:BA"), FileReadData, out _));
        Assert.Equal(NtStatus.PrivilegeNotHeld, nt.NtCreateObjectInContainer(d, ObjectTypes.File, "g", SddlParser.Parse("S:(AU;SA;FA;;;WD)"), FileReadData, out _));
        Assert.Null(system.FindObject(@"\d\f"));
    }

    /// <summary>
    /// Changing a parent's DACL with NtSetSecurityObject does not re-propagate: the existing child keeps what it
    /// inherited. Source: smbtorture test_inheritance_dynamic (samba-team/samba source4/torture/smb2/acls.c), run
    /// against Windows file servers: after the parent's OI ACE gains FILE_EXECUTE, the child still opens for
    /// FILE_WRITE_DATA and is denied FILE_WRITE_DATA|FILE_EXECUTE.
    /// </summary>
    [Fact]
    public void The_kernel_never_repropagates_a_parents_change()
    {
        var (system, alice, _) = KernelFixtures.Machine();
        system.CreateObject(ObjectTypes.Directory, @"\share", SddlParser.Parse($"O:{Alice}G:{KernelFixtures.DomainUsers}D:AI(A;OI;0x10082;;;{Alice})(A;;FA;;;{Alice})"));
        var nt = alice.Threads[0].Nt;
        KernelFixtures.Check(nt.NtOpenObject(new ObjectAttributes(@"\share"), ObjectInheritance.FileAddFile | AccessMask.WriteDac, out var dir));
        KernelFixtures.Check(nt.NtCreateObjectInContainer(dir, ObjectTypes.File, "child", null, 0x10000, out _));
        KernelFixtures.Check(nt.NtSetSecurityObject(dir, SecurityInformation.Dacl, SddlParser.Parse($"D:AI(A;OI;0x100a2;;;{Alice})(A;;FA;;;{Alice})")));
        Assert.Equal(NtStatus.Success, nt.NtOpenObject(new ObjectAttributes(@"\share\child"), FileWriteData, out _));
        Assert.Equal(NtStatus.AccessDenied, nt.NtOpenObject(new ObjectAttributes(@"\share\child"), FileWriteData | 0x20, out _));
    }

    [Fact]
    public void A_low_integrity_creator_labels_what_it_creates()
    {
        var system = new EmulatedSystem();
        var b = KernelFixtures.UserBuilder(KernelFixtures.Alice, KernelFixtures.AliceLogon, 0x1001);
        b.IntegrityLevel = WellKnownSids.LowIntegrity;
        var low = system.CreateProcess(b.Build(), "low.exe");
        system.CreateObject(ObjectTypes.Directory, @"\low", SddlParser.Parse("O:BAG:SYD:(A;OICI;FA;;;WD)S:(ML;OICI;NW;;;LW)"));
        var nt = low.Threads[0].Nt;
        KernelFixtures.Check(nt.NtOpenObject(new ObjectAttributes(@"\low"), ObjectInheritance.FileAddFile, out var d));
        KernelFixtures.Check(nt.NtCreateObjectInContainer(d, ObjectTypes.File, "f", null, FileReadData, out _));
        var sacl = system.FindObject(@"\low\f")!.SecurityDescriptor.Sacl!;
        Assert.Equal(new Ace(AceType.SystemMandatoryLabel, AceFlags.None, 1, WellKnownSids.LowIntegrity), Assert.Single(sacl.Aces));
    }
}
