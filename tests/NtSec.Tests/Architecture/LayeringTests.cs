using System.Text;
using System.Text.RegularExpressions;
using NtSec.Tests.Cli;

namespace NtSec.Tests.Architecture;

/// <summary>
/// The library's namespaces form a stack: code may name a namespace below its own, never one above, so no cycle
/// can come back. The stack is the one docs/architecture.md describes.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Bottom to top. A namespace below another (NtSec.Authorization.Conditions) is part of its layer.</summary>
    internal static readonly string[] Layers =
    [
        "NtSec",               // NtStatus, Win32Error, AccessMask, GenericMapping, ParseError
        "NtSec.Principals",    // Sid, well-known SIDs
        "NtSec.Claims",        // claim security attributes
        "NtSec.Acls",          // Ace, Acl, the ACE type table
        "NtSec.Descriptors",   // SecurityDescriptor, SecurityInformation
        "NtSec.Sddl",          // SDDL text and conditional expressions
        "NtSec.Tokens",        // Token and its builders, token JSON
        "NtSec.Conditions",    // conditional ACE evaluation, if it becomes its own namespace
        "NtSec.Authorization", // the access check, object types and right names
        "NtSec.Import",        // whoami, icacls, Get-Acl text
        "NtSec.Requests",      // CheckRequest: one access-check request from any input
        "NtSec.Inheritance",   // CreatePrivateObjectSecurity and propagation
        "NtSec.Kernel",        // the emulated kernel (Nt* calls)
        "NtSec.Win32",         // advapi32/kernel32/user32-style functions over the kernel
        "NtSec.Scenarios",     // the scenario engine
    ];

    private static readonly Regex FileNamespace = new(@"^\s*namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline);
    private static readonly Regex UsingDirective = new(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?:global::)?(NtSec(?:\.\w+)*)\s*;", RegexOptions.Multiline);
    private static readonly Regex QualifiedName = new(@"(?<![\w.])(?:global::)?(NtSec(?:\.[A-Z]\w*)+)");
    private static readonly Regex Comment = new(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline);
    private static readonly Regex StringLiteral = new(@"@""(?:""""|[^""])*""|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'");

    [Fact]
    public void NoNamespaceNamesOneAboveIt()
    {
        string root = Path.Combine(CliHarness.RepositoryRoot(), "src", "NtSec");
        var violations = new StringBuilder();
        int files = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (rel.StartsWith("obj/", StringComparison.Ordinal) || rel.StartsWith("bin/", StringComparison.Ordinal)) continue;
            files++;
            string text = File.ReadAllText(file);
            var ns = FileNamespace.Match(text);
            Assert.True(ns.Success, $"{rel} declares no namespace");
            int own = LayerOf(ns.Groups[1].Value, strict: true);
            if (own < 0)
            {
                violations.AppendLine($"{rel}: namespace {ns.Groups[1].Value} is in no layer: add it to LayeringTests.Layers and docs/architecture.md where it belongs");
                continue;
            }
            string code = StringLiteral.Replace(Comment.Replace(text, ""), "\"\"");
            foreach (var (reference, index) in References(code))
            {
                bool directive = reference.StartsWith("using ", StringComparison.Ordinal);
                string name = directive ? reference["using ".Length..] : reference;
                int used = LayerOf(name, strict: directive);
                if (used <= own) continue;
                int line = code.AsSpan(0, index).Count('\n') + 1;
                violations.AppendLine($"{rel}:{line}: {Layers[own]} uses {name}, which is above it ({(used < 0 ? "in no layer" : Layers[used])})");
            }
        }
        Assert.True(files > 0, "no source files found under " + root);
        Assert.True(violations.Length == 0,
            "Namespaces may use only the layers below their own (bottom to top: " + string.Join(" < ", Layers) + "; see docs/architecture.md):\n" + violations);
    }

    [Fact]
    public void TheCheckSeesAnUpwardReference()
    {
        // A using, a fully qualified name and a name relative to NtSec each count; comments and strings do not.
        string code = "using NtSec.Sddl;\nclass A { object B = NtSec.Kernel.NtCalls.X; object C = Win32.Win32Api.Y; }";
        var names = References(StringLiteral.Replace(Comment.Replace(code + "\n// NtSec.Scenarios.Z\nstring s = \"NtSec.Import.W\";", ""), "\"\""))
            .Select(r => r.Name.Replace("using ", "")).ToArray();
        Assert.Equal(["NtSec.Sddl", "NtSec.Kernel.NtCalls.X", "NtSec.Win32.Win32Api"], names);
        Assert.Equal(Array.IndexOf(Layers, "NtSec.Kernel"), LayerOf("NtSec.Kernel.NtCalls.X"));
        Assert.Equal(Array.IndexOf(Layers, "NtSec.Authorization"), LayerOf("NtSec.Authorization.Conditions"));
        Assert.Equal(-1, LayerOf("NtSec.NoSuchLayer", strict: true));
        Assert.Equal(0, LayerOf("NtSec.AccessMask.All"));
    }

    private static IEnumerable<(string Name, int Index)> References(string code)
    {
        foreach (Match m in UsingDirective.Matches(code)) yield return ("using " + m.Groups[1].Value, m.Index);
        foreach (Match m in QualifiedName.Matches(code))
            if (!IsDirective(code, m.Index)) yield return (m.Groups[1].Value, m.Index);
        // Inside namespace NtSec.X, "Sddl.SddlWriter" names NtSec.Sddl.SddlWriter.
        foreach (var layer in Layers.Skip(1))
        {
            string child = layer["NtSec.".Length..];
            foreach (Match m in new Regex(@"(?<![\w.])" + child + @"\.[A-Z]\w*").Matches(code))
                if (!IsDirective(code, m.Index)) yield return ("NtSec." + m.Value, m.Index);
        }
    }

    private static bool IsDirective(string code, int index)
    {
        int start = code.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var line = code.AsSpan(start, index - start).Trim();
        return line.StartsWith("using", StringComparison.Ordinal) || line.StartsWith("namespace", StringComparison.Ordinal);
    }

    // Strict: the name is a namespace (a file's own, or a using directive's), so NtSec.X with X no layer is in no
    // layer rather than in the root one. Not strict: a qualified name may be a root type (NtSec.AccessMask.All).
    private static int LayerOf(string name, bool strict = false)
    {
        int best = -1, bestLength = -1;
        for (int i = 0; i < Layers.Length; i++)
        {
            string l = Layers[i];
            if ((name == l || name.StartsWith(l + ".", StringComparison.Ordinal)) && l.Length > bestLength)
            {
                best = i;
                bestLength = l.Length;
            }
        }
        if (strict && best == 0 && name != Layers[0]) return -1;
        return best;
    }
}
