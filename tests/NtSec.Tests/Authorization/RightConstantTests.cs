using NtSec.Authorization;
using NtSec.Authorization.FastPath;
using NtSec.Acls;
using NtSec.Sddl;

namespace NtSec.Tests.Authorization;

/// <summary>
/// The right constants are the one declaration the object types, the SDDL and icacls codes and the kernel read;
/// their values are winnt.h's and iads.h's, written out here as numbers so that a wrong expression cannot pass.
/// </summary>
public sealed class RightConstantTests
{
    [Fact]
    public void FileKeyAndDirectoryCompositesHaveTheSdkValues()
    {
        Assert.Equal(0x1F01FFu, FileAccessRights.AllAccess);
        Assert.Equal(0x120089u, FileAccessRights.GenericRead);
        Assert.Equal(0x120116u, FileAccessRights.GenericWrite);
        Assert.Equal(0x1200A0u, FileAccessRights.GenericExecute);
        Assert.Equal(0xF003Fu, KeyAccessRights.AllAccess);
        Assert.Equal(0x20019u, KeyAccessRights.Read);
        Assert.Equal(0x20006u, KeyAccessRights.Write);
        Assert.Equal(0x20019u, KeyAccessRights.Execute);
        Assert.Equal(0xF01FFu, DirectoryServiceAccessRights.AllAccess);
        Assert.Equal(new GenericMapping(0x20094, 0x20028, 0x20004, 0xF01FF), ObjectTypes.DirectoryServiceObject.GenericMapping);
        Assert.Equal(new GenericMapping(0x120089, 0x120116, 0x1200A0, 0x1F01FF), ObjectTypes.File.GenericMapping);
        Assert.Equal(0xF033Fu, ObjectTypes.Key.ValidAccessMask);
    }

    [Theory]
    [InlineData("FA", 0x1F01FFu)]
    [InlineData("FR", 0x120089u)]
    [InlineData("FW", 0x120116u)]
    [InlineData("FX", 0x1200A0u)]
    [InlineData("KA", 0xF003Fu)]
    [InlineData("KR", 0x20019u)]
    [InlineData("KW", 0x20006u)]
    [InlineData("KX", 0x20019u)]
    [InlineData("CC", 0x1u)]
    [InlineData("DC", 0x2u)]
    [InlineData("LC", 0x4u)]
    [InlineData("SW", 0x8u)]
    [InlineData("RP", 0x10u)]
    [InlineData("WP", 0x20u)]
    [InlineData("DT", 0x40u)]
    [InlineData("LO", 0x80u)]
    [InlineData("CR", 0x100u)]
    public void SddlCodesReadTheConstants(string code, uint mask)
    {
        Assert.True(SddlRights.TryLookup(code, out uint value));
        Assert.Equal(mask, value);
    }

    [Theory]
    [InlineData(LabelPolicies.NoWriteUp, 0x1200A9u)]
    [InlineData(LabelPolicies.NoWriteUp | LabelPolicies.NoReadUp, 0x1200A0u)]
    [InlineData(LabelPolicies.NoWriteUp | LabelPolicies.NoExecuteUp, 0x120089u)]
    [InlineData(LabelPolicies.NoWriteUp | LabelPolicies.NoReadUp | LabelPolicies.NoExecuteUp, 0u)]
    public void BelowTheLabelOnlyReadAndExecuteThePolicyAllowsRemain(uint policy, uint kept)
        => Assert.Equal(kept, IntegrityRule.BelowLabel(policy, ObjectTypes.File.GenericMapping));
}
