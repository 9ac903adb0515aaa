using NtSec.Authorization;
using NtSec.Cli.Rendering;
using NtSec.Principals;
using NtSec.Requests;
using NtSec.Sddl;

namespace NtSec.Tests.Authorization;

/// <summary>
/// An object type NtSec does not know, defined with the public API only, named by a request, mapped and checked,
/// and rendered by the same code that renders the built-in types.
/// </summary>
public sealed class CustomObjectTypeTests
{
    private const string Token = """{"user": "S-1-5-21-1-2-3-1001", "groups": [{"sid": "WD", "attributes": ["Enabled"]}]}""";

    // A made-up type with the shape of a winnt.h one: three specific rights, a mapping, a composite.
    private static readonly ObjectTypeInfo Widget = new("Widget", ["widget", "gadget"],
        new GenericMapping(0x20001, 0x20002, 0x20004, 0xF0007), 0xF0007,
        [("WIDGET_READ", 0x1), ("WIDGET_WRITE", 0x2), ("WIDGET_SPIN", 0x4)],
        [("WIDGET_ALL_ACCESS", 0xF0007)]);

    private static readonly ObjectTypeCatalog Types = ObjectTypes.Catalog.With(Widget);

    [Fact]
    public void TheCatalogueNamesItAndListsIt()
    {
        Assert.Same(Widget, Types.Find("GADGET"));
        Assert.Same(Widget, Types.Find("widget"));
        Assert.Null(ObjectTypes.Find("widget"));
        Assert.Equal([.. ObjectTypes.Keys, "widget"], Types.Keys);
        Assert.Same(ObjectTypes.File, Types.Find("file"));
    }

    [Fact]
    public void ARequestNamingItIsMappedAndChecked()
    {
        var reader = new CheckRequestReader(new SidContext(Sid.Parse("S-1-5-21-1-2-3")), name => name == "t.json" ? (Token, null) : (null, "no"), types: Types);
        // GR in the ACE maps through the widget's mapping to READ_CONTROL | WIDGET_READ.
        var text = new CheckRequestText { Descriptor = "O:SYG:SYD:(A;;GR;;;WD)", TokenFile = "t.json", Desired = "WIDGET_READ|READ_CONTROL", Type = "widget" };
        Assert.True(reader.TryRead(text, out var request, out var error), error?.Reason);
        Assert.Same(Widget, request!.Type);
        Assert.Equal(0x20001u, request.Desired);
        var explanation = new AccessCheckExplanation();
        Assert.True(request.Run([], [], explanation).IsGranted);
        Assert.Contains("WIDGET_READ", explanation.ToText(Widget));

        Assert.True(reader.TryRead(text with { Desired = "WIDGET_SPIN" }, out request, out error), error?.Reason);
        Assert.False(request!.Run([], []).IsGranted);

        // GENERIC_ALL in the request maps to the whole widget mapping.
        Assert.True(reader.TryRead(text with { Desired = "GENERIC_ALL" }, out request, out _));
        Assert.Equal(0xF0007u, request!.Desired);

        // The built-in catalogue does not know it, and says which types it does know.
        var plain = new CheckRequestReader(new SidContext(), name => (Token, null));
        Assert.False(plain.TryRead(text, out _, out error));
        Assert.Equal("type", error!.Field);
        Assert.Contains("unknown object type 'widget' (known: file, directory,", error.Reason);
    }

    [Fact]
    public void ItsRightsParseAndRenderLikeABuiltInTypes()
    {
        Assert.True(AccessRightNames.TryParse("widget_spin | WIDGET_ALL_ACCESS", Widget, out uint mask, out _));
        Assert.Equal(0xF0007u, mask);
        Assert.False(AccessRightNames.TryParse("WIDGET_SPIN", ObjectTypes.File, out _, out var error));
        Assert.Equal("unknown right 'WIDGET_SPIN' for type File", error);
        Assert.Equal("WIDGET_READ | WIDGET_SPIN | SYNCHRONIZE | 0x8", Widget.FormatRights(0x10000D));

        // The descriptor decoder (sddl --json) names an ACE's rights with the type it is given.
        var sd = SddlParser.Parse("O:SYG:SYD:(A;;0xF0007;;;WD)(D;;0x5;;;BG)");
        var output = new StringWriter();
        DescriptorJson.Write(output, sd, new RenderOptions { ObjectType = Widget });
        string json = output.ToString();
        Assert.Contains("\"WIDGET_ALL_ACCESS\"", json);
        Assert.Contains("\"WIDGET_SPIN\"", json);
    }

    [Fact]
    public void ADefinitionWindowsCouldNotHaveIsRefused()
    {
        var mapping = new GenericMapping(1, 2, 4, 7);
        Assert.Throws<ArgumentException>(() => new ObjectTypeInfo("Bad", ["bad"], mapping, 7, [("TWO_BITS", 0x3)]));
        Assert.Throws<ArgumentException>(() => new ObjectTypeInfo("Bad", ["bad"], mapping, 7, [("HIGH", 0x10000)]));
        Assert.Throws<ArgumentException>(() => new ObjectTypeInfo("Bad", ["bad"], mapping, 7, [("A", 0x1), ("B", 0x1)]));
        Assert.Throws<ArgumentException>(() => new ObjectTypeInfo("Bad", [""], mapping, 7, []));
        // A key another type already has cannot be added: a name must resolve to one type.
        var clash = new ObjectTypeInfo("MyFile", ["file"], mapping, 7, []);
        Assert.Throws<ArgumentException>(() => ObjectTypes.Catalog.With(clash));
    }
}
