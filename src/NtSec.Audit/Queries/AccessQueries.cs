using NtSec.Audit.Store;

namespace NtSec.Audit.Queries;

/// <summary>One cell of the access matrix fanned out to a path.</summary>
/// <param name="Path">The object's path.</param>
/// <param name="Principal">The principal's name.</param>
/// <param name="Sid">The principal's user SID.</param>
/// <param name="Granted">The effective MAXIMUM_ALLOWED grant (through the share when the scan had one).</param>
public sealed record AccessRow(string Path, string Principal, string Sid, uint Granted);

/// <summary>How a right was asked about.</summary>
/// <param name="Mask">The rights.</param>
/// <param name="Question">The stored question with exactly these rights, answered by a check for them; null when the answer is read from the MAXIMUM_ALLOWED grant.</param>
public sealed record RightQuery(uint Mask, string? Question);

/// <summary>The queries behind <c>who-can</c> and <c>where</c>.</summary>
public static class AccessQueries
{
    /// <summary>The stored question asking exactly <paramref name="mask"/>, if any.</summary>
    public static RightQuery Resolve(EstateStore store, uint mask, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var cmd = name is null
            ? store.Command("SELECT name FROM questions WHERE mask = $1 ORDER BY question_id LIMIT 1", mask)
            : store.Command("SELECT name FROM questions WHERE lower(name) = lower($1) LIMIT 1", name);
        return new RightQuery(mask, cmd.ExecuteScalar() as string);
    }

    /// <summary>The stored question called <paramref name="name"/> and its rights, if any.</summary>
    public static bool TryQuestion(EstateStore store, string name, out RightQuery query)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var cmd = store.Command("SELECT name, mask FROM questions WHERE lower(name) = lower($1) LIMIT 1", name);
        using var r = cmd.ExecuteReader();
        if (r.Read())
        {
            query = new RightQuery((uint)r.GetValue(1), r.GetString(0));
            return true;
        }
        query = new RightQuery(0, null);
        return false;
    }

    private static string Condition(EstateStore store, RightQuery right, List<object?> parameters)
    {
        if (right.Question is not null)
        {
            var id = store.Scalar("SELECT question_id FROM questions WHERE name = $1", right.Question);
            parameters.Add(Convert.ToInt32(id, System.Globalization.CultureInfo.InvariantCulture));
            return $"((m.answers >> ${parameters.Count}) & 1) = 1";
        }
        parameters.Add(right.Mask);
        return $"(m.effective & ${parameters.Count}) = ${parameters.Count} AND m.effective <> 0";
    }

    /// <summary>The SQL condition matching a path against a glob, case-insensitive and with either separator.</summary>
    internal static string PathGlob(List<object?> parameters, string glob)
    {
        parameters.Add(glob.Replace('\\', '/').ToLowerInvariant());
        return $"replace(lower(o.path), '\\', '/') GLOB ${parameters.Count}";
    }

    /// <summary>Who holds <paramref name="right"/> where: one row per path and principal, by path then principal.</summary>
    public static IEnumerable<AccessRow> WhoCan(EstateStore store, RightQuery right, string? pathGlob)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(right);
        var ps = new List<object?>();
        string where = Condition(store, right, ps);
        if (pathGlob is not null) where += " AND " + PathGlob(ps, pathGlob);
        string sql = "SELECT o.path, p.name, p.sid, m.effective FROM objects o JOIN matrix m ON m.descriptor_id = o.descriptor_id "
            + $"JOIN principals p ON p.token_id = m.token_id WHERE {where} ORDER BY o.path, p.name";
        return Rows(store, sql, ps);
    }

    /// <summary>The principals matching a name (case-insensitive) or a user SID.</summary>
    public static IReadOnlyList<(int Id, string Name, string Sid)> FindPrincipals(EstateStore store, string nameOrSid)
    {
        ArgumentNullException.ThrowIfNull(store);
        var list = new List<(int, string, string)>();
        using var cmd = store.Command("SELECT principal_id, name, sid FROM principals WHERE lower(name) = lower($1) OR upper(sid) = upper($1) ORDER BY principal_id", nameOrSid);
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add((r.GetInt32(0), r.GetString(1), r.GetString(2)));
        return list;
    }

    /// <summary>Where a principal has any access (or <paramref name="right"/> when given): one row per path.</summary>
    public static IEnumerable<AccessRow> Where(EstateStore store, int principalId, RightQuery? right, string? pathGlob)
    {
        ArgumentNullException.ThrowIfNull(store);
        var ps = new List<object?> { principalId };
        string where = "p.principal_id = $1 AND " + (right is null ? "m.effective <> 0" : Condition(store, right, ps));
        if (pathGlob is not null) where += " AND " + PathGlob(ps, pathGlob);
        string sql = "SELECT o.path, p.name, p.sid, m.effective FROM objects o JOIN matrix m ON m.descriptor_id = o.descriptor_id "
            + $"JOIN principals p ON p.token_id = m.token_id WHERE {where} ORDER BY o.path";
        return Rows(store, sql, ps);
    }

    private static IEnumerable<AccessRow> Rows(EstateStore store, string sql, List<object?> ps)
    {
        using var cmd = store.Command(sql, [.. ps]);
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return new AccessRow(r.GetString(0), r.GetString(1), r.GetString(2), (uint)r.GetValue(3));
    }
}
