using System.Text.Json;
using NtSec.Import;
using NtSec.Principals;
using NtSec.Tokens;

namespace NtSec.Audit.Principals;

/// <summary>The logon a principal-list token is built for; it decides the logon groups Windows adds.</summary>
public enum LogonKind
{
    /// <summary>At the console: INTERACTIVE, LOCAL and CONSOLE LOGON.</summary>
    Interactive,
    /// <summary>From the network (SMB, and so every access through a share): NETWORK.</summary>
    Network,
    /// <summary>A scheduled task: BATCH.</summary>
    Batch,
    /// <summary>A service: SERVICE.</summary>
    Service,
}

/// <summary>One principal audited: a name, its user SID and the token its access is checked with.</summary>
/// <param name="Name">The name shown (the file name, whoami's user name, or the list's name).</param>
/// <param name="Sid">The token's user SID.</param>
/// <param name="Token">The token.</param>
/// <param name="Source">Where it came from (file and line).</param>
/// <param name="Logon">The logon its token stands for (<c>as given</c> for a token taken as it was).</param>
public sealed record AuditPrincipal(string Name, Sid Sid, Token Token, string Source, string Logon);

/// <summary>
/// Loads principals from a file or a directory of files, each recognised by content: token JSON (an object with
/// <c>user</c>), <c>whoami /all</c> output, or a principal list (text lines <c>NAME SID [GROUP-SID ...]</c>, or JSON
/// <c>{"principals": [{"name", "sid", "groups": [...]}]}</c>). See docs/audit.md for the logon groups.
/// </summary>
public static class PrincipalLoader
{
    private static readonly Sid[] LogonSids =
    [
        WellKnownSids.Interactive, WellKnownSids.Local, WellKnownSids.ConsoleLogon, WellKnownSids.RemoteInteractiveLogon,
        WellKnownSids.Batch, WellKnownSids.Service, WellKnownSids.Network,
    ];

    /// <summary>Loads every principal under <paramref name="path"/> (a file, or the files of a directory in name order).</summary>
    /// <param name="path">The file or directory.</param>
    /// <param name="logon">The logon principal lists are built for.</param>
    /// <param name="network">
    /// True when access is through a share: every token then carries the NETWORK logon, as the server's token for an
    /// SMB session does. Token files and whoami captures lose their interactive, batch and service logon groups and
    /// gain NETWORK.
    /// </param>
    /// <exception cref="FormatException">A file is none of the formats, or does not parse (message says where).</exception>
    public static IReadOnlyList<AuditPrincipal> Load(string path, LogonKind logon, bool network)
    {
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path).Order(StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? [path] : throw new FileNotFoundException($"{path}: no such file or directory", path);
        var result = new List<AuditPrincipal>();
        foreach (var file in files) result.AddRange(LoadFile(file, network ? LogonKind.Network : logon, network));
        if (result.Count == 0) throw new FormatException($"{path}: no principals");
        return result;
    }

    private static IEnumerable<AuditPrincipal> LoadFile(string file, LogonKind logon, bool network)
    {
        string text = File.ReadAllText(file);
        string trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        string name = Path.GetFileNameWithoutExtension(file);
        if (trimmed.StartsWith('{'))
        {
            using var doc = ParseJson(file, text);
            var root = doc.RootElement;
            if (root.TryGetProperty("principals", out var list)) return ReadJsonList(file, list, logon);
            if (!TokenJson.TryRead(root, SidContext.None, out var token, out var error)) throw new FormatException($"{file}: token JSON: {error}");
            return [Taken(name, token!, file, network)];
        }
        if (WindowsOutput.Detect(text) == WindowsOutputKind.Whoami)
        {
            if (!WhoamiParser.TryParse(text, out var who, out var error)) throw new FormatException($"{file}: whoami: {error}");
            return [Taken(who!.UserName, who.Token, file, network)];
        }
        return ReadTextList(file, text, logon);
    }

    private static JsonDocument ParseJson(string file, string text)
    {
        if (JsonText.TryParse(text, out var document, out var syntax, allowComments: true)) return document!;
        throw new FormatException($"{file}: not valid JSON: line {syntax!.Line}, column {syntax.Column}: {syntax.Reason}");
    }

    private static AuditPrincipal Taken(string name, Token token, string file, bool network)
        => new(name, token.User.Sid, network ? ToNetwork(token) : token, file, network ? "network (converted)" : "as given");

    /// <summary>The token with its logon-type groups replaced by NETWORK: the token a server builds for an SMB session of the same account.</summary>
    public static Token ToNetwork(Token token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var b = token.ToBuilder();
        b.Groups.RemoveAll(g => Array.IndexOf(LogonSids, g.Sid) >= 0);
        b.AddGroup(WellKnownSids.Network);
        return b.Build();
    }

    private static IEnumerable<AuditPrincipal> ReadJsonList(string file, JsonElement list, LogonKind logon)
    {
        if (list.ValueKind != JsonValueKind.Array) throw new FormatException($"{file}: \"principals\" must be an array");
        int i = 0;
        foreach (var p in list.EnumerateArray())
        {
            string where = $"{file}: principals[{i++}]";
            if (!p.TryGetProperty("sid", out var s) || s.ValueKind != JsonValueKind.String) throw new FormatException($"{where}: no \"sid\"");
            var user = ParseSid(s.GetString()!, where);
            string name = p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : user.ToString();
            var groups = new List<Sid>();
            if (p.TryGetProperty("groups", out var g) && g.ValueKind == JsonValueKind.Array)
                foreach (var x in g.EnumerateArray()) groups.Add(ParseSid(x.GetString() ?? "", where));
            yield return Build(name, user, groups, logon, where);
        }
    }

    private static IEnumerable<AuditPrincipal> ReadTextList(string file, string text, LogonKind logon)
    {
        int line = 0;
        var result = new List<AuditPrincipal>();
        foreach (var raw in text.Split('\n'))
        {
            line++;
            var l = raw.Trim().TrimStart('\uFEFF');
            if (l.Length == 0 || l[0] == '#') continue;
            var parts = l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            string where = $"{file}: line {line}";
            if (parts.Length < 2) throw new FormatException($"{where}: expected NAME SID [GROUP-SID ...] (a principal list), a token JSON file or whoami /all output");
            var user = ParseSid(parts[1], where);
            result.Add(Build(parts[0], user, parts.Skip(2).Select(x => ParseSid(x, where)).ToList(), logon, where));
        }
        return result;
    }

    private static Sid ParseSid(string text, string where)
    {
        if (Sid.TryParse(text, out var sid)) return sid;
        if (AccountNames.TryResolve(text, null, out sid)) return sid;
        throw new FormatException($"{where}: '{text}' is neither a SID nor a well-known account name");
    }

    /// <summary>
    /// A token for a user SID and its groups as a logon of <paramref name="logon"/> makes it: the groups given, then
    /// Everyone, Authenticated Users and This Organization, then the logon type's groups (INTERACTIVE, LOCAL and
    /// CONSOLE LOGON; NETWORK; BATCH; SERVICE), Medium integrity, no privileges. The anonymous logon gets neither
    /// Everyone nor Authenticated Users (Windows' default: Everyone does not include anonymous); a guest account
    /// (RID 501) is not authenticated. BUILTIN groups are machine-local memberships: list them if they apply.
    /// </summary>
    public static AuditPrincipal Build(string name, Sid user, IReadOnlyList<Sid> groups, LogonKind logon, string source)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var b = new TokenBuilder(user);
        var seen = new HashSet<Sid> { user };
        void Add(Sid sid)
        {
            if (seen.Add(sid)) b.AddGroup(sid);
        }
        foreach (var g in groups) Add(g);
        bool anonymous = user == WellKnownSids.Anonymous;
        bool guest = user.IdentifierAuthority == 5 && user.SubAuthorityCount == 5 && user.GetSubAuthority(0) == 21 && user.Rid == 501;
        if (!anonymous)
        {
            Add(WellKnownSids.World);
            if (!guest) Add(WellKnownSids.AuthenticatedUsers);
            Add(WellKnownSids.ThisOrganization);
        }
        switch (logon)
        {
            case LogonKind.Interactive:
                Add(WellKnownSids.Interactive);
                Add(WellKnownSids.Local);
                Add(WellKnownSids.ConsoleLogon);
                break;
            case LogonKind.Network: Add(WellKnownSids.Network); break;
            case LogonKind.Batch: Add(WellKnownSids.Batch); break;
            default: Add(WellKnownSids.Service); break;
        }
        return new AuditPrincipal(name, user, b.Build(), source, logon.ToString().ToLowerInvariant());
    }
}
