using NtSec.Authorization;
using NtSec.Descriptors;

namespace NtSec.Kernel;

/// <summary>A window station (WinSta0 is the interactive one): a securable object that contains desktops.</summary>
public sealed partial class WindowStationObject : KernelObject
{
    internal WindowStationObject(EmulatedSystem system, string name, SecurityDescriptor securityDescriptor)
        : base(system, ObjectTypes.WindowStation, name, securityDescriptor)
    {
    }
}

/// <summary>
/// A desktop in a window station. Windows live on a desktop; messages never cross from one desktop to another,
/// which is why a restricted process belongs on a desktop of its own.
/// </summary>
public sealed partial class DesktopObject : KernelObject
{
    internal DesktopObject(EmulatedSystem system, WindowStationObject windowStation, string name, SecurityDescriptor securityDescriptor)
        : base(system, ObjectTypes.Desktop, windowStation.Name + "\\" + name, securityDescriptor)
    {
        windowStation.AddReference();
        WindowStation = windowStation;
        ShortName = name;
    }

    /// <summary>The window station that contains the desktop.</summary>
    public WindowStationObject WindowStation { get; }

    /// <summary>The desktop's name within its window station (<c>Default</c>).</summary>
    public string ShortName { get; }

    private protected override void OnDelete() => WindowStation.Release();
}
