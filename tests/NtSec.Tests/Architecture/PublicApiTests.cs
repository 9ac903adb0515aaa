using System.Reflection;
using System.Text;
using NtSec.Tests.Cli;

namespace NtSec.Tests.Architecture;

/// <summary>
/// The public surface of NtSec.dll, as a reflection snapshot committed beside this test (PublicApi.NtSec.txt), so
/// that a change to it is deliberate and visible in review.
/// </summary>
/// <remarks>
/// After an intended change, regenerate the snapshot with
/// <c>NTSEC_UPDATE_API_BASELINE=1 dotnet test tests/NtSec.Tests --filter FullyQualifiedName~PublicApiTests</c>
/// and commit the file with the change.
/// </remarks>
public sealed class PublicApiTests
{
    internal const string RegenerateCommand = "NTSEC_UPDATE_API_BASELINE=1 dotnet test tests/NtSec.Tests --filter FullyQualifiedName~PublicApiTests";

    [Fact]
    public void ThePublicSurfaceIsTheBaseline()
    {
        string path = Path.Combine(CliHarness.RepositoryRoot(), "tests", "NtSec.Tests", "Architecture", "PublicApi.NtSec.txt");
        string actual = Describe(typeof(NtStatus).Assembly);
        if (Environment.GetEnvironmentVariable("NTSEC_UPDATE_API_BASELINE") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        string expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (expected == actual) return;
        var was = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var now = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var diff = new StringBuilder();
        foreach (var line in was.Where(l => !now.Contains(l)).Order(StringComparer.Ordinal)) diff.Append("- ").AppendLine(line);
        foreach (var line in now.Where(l => !was.Contains(l)).Order(StringComparer.Ordinal)) diff.Append("+ ").AppendLine(line);
        Assert.Fail($"The public API of NtSec.dll differs from {Path.GetRelativePath(CliHarness.RepositoryRoot(), path)} " +
                    $"(- removed, + added). If the change is intended, regenerate the file with\n  {RegenerateCommand}\n" +
                    $"and commit it with the change.\n{diff}");
    }

    [Fact]
    public void TheSnapshotNamesEveryKindOfMember()
    {
        string text = Describe(typeof(NtStatus).Assembly);
        Assert.Contains("struct NtSec.Principals.Sid", text);
        Assert.Contains("NtSec.Principals.Sid: method static bool TryParse(", text);
        Assert.Contains("NtSec.NtStatus: field static readonly NtSec.NtStatus AccessDenied", text);
        Assert.Contains("enum NtSec.Acls.AceType : byte", text);
        Assert.Contains("NtSec.Acls.AceType: AccessAllowed = 0", text);
        Assert.DoesNotContain("SddlDisplay", text); // internal
    }

    /// <summary>One line a public type or member, sorted: stable across builds and readable in a diff.</summary>
    internal static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            if (type.Name.StartsWith('<')) continue; // compiler-generated extension grouping types
            string name = TypeName(type);
            lines.Add(TypeHeader(type));
            if (type.IsEnum)
            {
                foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.Static))
                    lines.Add($"{name}: {f.Name} = {Convert.ToUInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}");
                continue;
            }
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var accessors = new HashSet<MethodInfo>();
            foreach (var p in type.GetProperties(all))
            {
                var get = p.GetMethod is { } g && Visible(g) ? g : null;
                var set = p.SetMethod is { } s && Visible(s) ? s : null;
                if (p.GetMethod is not null) accessors.Add(p.GetMethod);
                if (p.SetMethod is not null) accessors.Add(p.SetMethod);
                if (get is null && set is null) continue;
                var indexer = p.GetIndexParameters();
                string args = indexer.Length == 0 ? "" : "[" + string.Join(", ", indexer.Select(Parameter)) + "]";
                string init = set is not null && set.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit") ? "init" : "set";
                lines.Add($"{name}: property {Modifiers(get ?? set!)}{TypeName(p.PropertyType)} {p.Name}{args} {{ {(get is null ? "" : "get; ")}{(set is null ? "" : init + "; ")}}}");
            }
            foreach (var e in type.GetEvents(all))
            {
                if (e.AddMethod is not null) accessors.Add(e.AddMethod);
                if (e.RemoveMethod is not null) accessors.Add(e.RemoveMethod);
                if (e.AddMethod is { } add && Visible(add)) lines.Add($"{name}: event {TypeName(e.EventHandlerType!)} {e.Name}");
            }
            foreach (var f in type.GetFields(all))
            {
                if (!(f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly)) continue;
                string value = f.IsLiteral ? " = " + Literal(f.GetRawConstantValue()) : "";
                lines.Add($"{name}: field {(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{TypeName(f.FieldType)} {f.Name}{value}");
            }
            foreach (var c in type.GetConstructors(all))
                if (Visible(c)) lines.Add($"{name}: constructor ({string.Join(", ", c.GetParameters().Select(Parameter))})");
            foreach (var m in type.GetMethods(all))
            {
                if (!Visible(m) || accessors.Contains(m)) continue;
                string generic = m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";
                lines.Add($"{name}: method {Modifiers(m)}{TypeName(m.ReturnType)} {m.Name}{generic}({string.Join(", ", m.GetParameters().Select(Parameter))})");
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines) + "\n";
    }

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    private static string Modifiers(MethodInfo m)
        => (m.IsFamily || m.IsFamilyOrAssembly ? "protected " : "") + (m.IsStatic ? "static " : "")
           + (m.IsAbstract ? "abstract " : m.IsVirtual && !m.IsFinal && m.GetBaseDefinition() == m ? "virtual " : "")
           + (m.GetBaseDefinition() != m ? "override " : "");

    private static string TypeHeader(Type t)
    {
        string kind = t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : typeof(Delegate).IsAssignableFrom(t) ? "delegate" : "class";
        string mods = t.IsClass && t.IsAbstract && t.IsSealed ? "static " : t.IsClass && t.IsSealed && kind == "class" ? "sealed " : t.IsClass && t.IsAbstract ? "abstract " : "";
        var bases = new List<string>();
        if (t.IsEnum) bases.Add(TypeName(Enum.GetUnderlyingType(t)));
        else if (t.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && kind != "delegate") bases.Add(TypeName(b));
        if (!t.IsEnum && kind != "delegate")
            bases.AddRange(t.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(TypeName).Order(StringComparer.Ordinal));
        return $"{mods}{kind} {TypeName(t)}{(bases.Count == 0 ? "" : " : " + string.Join(", ", bases))}";
    }

    private static string Parameter(ParameterInfo p)
    {
        var type = p.ParameterType;
        string prefix = "";
        if (type.IsByRef)
        {
            prefix = p.IsOut ? "out " : p.IsIn ? "in " : "ref ";
            type = type.GetElementType()!;
        }
        string dflt = p.HasDefaultValue ? " = " + Literal(p.RawDefaultValue) : "";
        return $"{prefix}{TypeName(type)} {p.Name}{dflt}";
    }

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint",
        [typeof(long)] = "long", [typeof(ulong)] = "ulong", [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
        [typeof(char)] = "char", [typeof(string)] = "string", [typeof(object)] = "object", [typeof(double)] = "double",
        [typeof(float)] = "float", [typeof(decimal)] = "decimal",
    };

    internal static string TypeName(Type t)
    {
        if (Keywords.TryGetValue(t, out var k)) return k;
        if (t.IsByRef) return TypeName(t.GetElementType()!) + "&";
        if (t.IsPointer) return TypeName(t.GetElementType()!) + "*";
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        if (t.IsGenericParameter) return t.Name;
        if (Nullable.GetUnderlyingType(t) is { } u) return TypeName(u) + "?";
        string name = t.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        string prefix = t.IsNested ? TypeName(t.DeclaringType!) + "." : t.Namespace is { Length: > 0 } ns ? ns + "." : "";
        if (t.IsGenericType)
        {
            var args = t.GetGenericArguments();
            int inherited = t.IsNested ? t.DeclaringType!.GetGenericArguments().Length : 0;
            var own = args.Skip(inherited).ToArray();
            if (own.Length > 0) name += "<" + string.Join(", ", own.Select(TypeName)) + ">";
        }
        return prefix + name;
    }
}
