using System.Runtime.CompilerServices;
using NtSec.Acls;
using NtSec.Descriptors;
using NtSec.Principals;

namespace NtSec.Sddl;

/// <summary>SDDL conversions on <see cref="SecurityDescriptor"/> itself, kept in the SDDL layer that implements them.</summary>
public static class SddlDescriptorExtensions
{
    extension(SecurityDescriptor)
    {
        /// <summary>Parses SDDL (constant aliases only); see <see cref="SddlParser"/> for a domain context.</summary>
        /// <exception cref="NtSecFormatException">The string is not valid SDDL.</exception>
        public static SecurityDescriptor FromSddl(string sddl, SidContext? context = null) => SddlParser.Parse(sddl, context);
    }

    extension(SecurityDescriptor descriptor)
    {
        /// <summary>The SDDL form, as <c>ConvertSecurityDescriptorToStringSecurityDescriptor</c> writes it.</summary>
        /// <exception cref="InvalidOperationException">An ACE has a type without an SDDL code, or undecodable application data.</exception>
        public string ToSddl(SidContext? context = null) => SddlWriter.Format(descriptor, context);
    }
}

/// <summary>Gives the model types (one layer down) their SDDL <c>ToString</c> without their naming this layer.</summary>
internal static class SddlDisplay
{
#pragma warning disable CA2255 // A module initializer in a library: it only wires this assembly's own layers together.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        Ace.Display = static ace => SddlWriter.FormatAce(ace, null);
        SecurityDescriptor.Display = static sd
            => SddlWriter.TryFormat(sd, null, SecurityInformation.All, out string? text, out string? error) ? text! : $"<{error}>";
    }
}
