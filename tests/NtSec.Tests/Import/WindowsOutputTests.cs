using NtSec.Import;
using NtSec.Tests.Conformance;
using static NtSec.Tests.Import.ImportSamples;

namespace NtSec.Tests.Import;

public sealed class WindowsOutputTests
{
    [Theory]
    [InlineData("whoami-table-standard-user.txt", WindowsOutputKind.Whoami)]
    [InlineData("whoami-list-standard-user.txt", WindowsOutputKind.Whoami)]
    [InlineData("whoami-csv-standard-user.txt", WindowsOutputKind.Whoami)]
    [InlineData("icacls-projects.txt", WindowsOutputKind.Icacls)]
    [InlineData("get-acl-two-objects.txt", WindowsOutputKind.GetAcl)]
    public void OwnSamplesAreRecognised(string name, WindowsOutputKind kind) => Assert.Equal(kind, WindowsOutput.Detect(Own(name)));

    [ConformanceFact]
    public void SharedSamplesAreRecognised()
    {
        Assert.Equal(WindowsOutputKind.Whoami, WindowsOutput.Detect(Shared("whoami-all-elevated.txt")));
        Assert.Equal(WindowsOutputKind.Icacls, WindowsOutput.Detect(Shared("icacls.txt")));
        Assert.Equal(WindowsOutputKind.GetAcl, WindowsOutput.Detect(Shared("get-acl-format-list.txt")));
    }

    [Theory]
    [InlineData("O:BAG:BAD:(A;;FA;;;WD)")]
    [InlineData("D:(A;;GA;;;SY)")]
    [InlineData("D:P(A;OICI;FA;;;BA)")]
    [InlineData("010004800000000000000000000000001400000002001c00010000000000140000000010010100000000000512000000")]
    [InlineData("{\"user\": \"S-1-5-18\"}")]
    [InlineData("")]
    public void OtherTextIsNot(string text) => Assert.Equal(WindowsOutputKind.Unknown, WindowsOutput.Detect(text));
}
