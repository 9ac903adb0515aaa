using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NtSec.Audit.Queries;
using NtSec.Audit.Store;
using NtSec.Authorization;

namespace NtSec.Audit.Report;

/// <summary>
/// The self-contained HTML report: one file, no network (styles and script inline), with the summary tables and a
/// per-path drill-down (descriptor, ACEs, each principal's effective rights) for up to <c>maxPaths</c> paths,
/// flagged paths first.
/// </summary>
public static class HtmlReport
{
    /// <summary>Writes the report.</summary>
    /// <returns>The number of paths the drill-down holds.</returns>
    public static int Write(EstateStore store, TextWriter output, int maxPaths = 20_000)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(output);
        var html = new StringBuilder();
        string H(string? s) => WebUtility.HtmlEncode(s ?? "");
        long Count(string sql) => Convert.ToInt64(store.Scalar(sql) ?? 0L, CultureInfo.InvariantCulture);

        long objects = Count("SELECT count(*) FROM objects");
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ntsec audit report</title>\n<style>")
            .Append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}")
            .Append("th{background:#f0f0f0}code{font:12px ui-monospace,monospace;word-break:break-all}.num{text-align:right}#paths{max-height:30em;overflow:auto;border:1px solid #ccc}")
            .Append("#paths div{cursor:pointer;padding:1px 6px}#paths div:hover{background:#eef}.flag{color:#a00}input{width:30em;padding:3px}</style></head><body>\n")
            .Append("<h1>ntsec audit report</h1>\n<table>");
        foreach (var (key, label) in new[] { ("source", "Source"), ("format", "Format"), ("started", "Scanned"), ("share_acl", "Share ACL"), ("complete", "Complete") })
            html.Append("<tr><th>").Append(label).Append("</th><td><code>").Append(H(store.GetState(key) ?? "-")).Append("</code></td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Objects</th><td>{objects:N0}</td></tr><tr><th>Distinct descriptors</th><td>{Count("SELECT count(*) FROM descriptors"):N0}</td></tr>")
            .Append(CultureInfo.InvariantCulture, $"<tr><th>Principals</th><td>{Count("SELECT count(*) FROM principals"):N0} ({Count("SELECT count(*) FROM tokens"):N0} distinct tokens)</td></tr></table>\n");

        html.Append("<h2>Objects by status</h2><table><tr><th>Status</th><th>Objects</th></tr>");
        Rows(store, "SELECT status, count(*) FROM objects GROUP BY status ORDER BY 2 DESC", r => html.Append("<tr><td>").Append(H(r.GetString(0))).Append("</td><td class=num>").Append(Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture)).Append("</td></tr>"));
        html.Append("</table>\n");

        var questions = new List<(int Id, string Name)>();
        Rows(store, "SELECT question_id, name FROM questions ORDER BY question_id", r => questions.Add((r.GetInt32(0), r.GetString(1))));
        html.Append("<h2>Principals</h2><p>Paths on which each principal holds each right (checked as requested).</p><table><tr><th>Principal</th><th>SID</th><th>Logon</th>");
        foreach (var q in questions) html.Append("<th>").Append(H(q.Name)).Append("</th>");
        html.Append("<th>any access</th></tr>");
        string cols = string.Concat(questions.Select(q => $", count(*) FILTER (WHERE ((m.answers >> {q.Id}) & 1) = 1)"));
        Rows(store, $"SELECT p.name, p.sid, p.logon{cols}, count(*) FILTER (WHERE m.effective <> 0) FROM principals p LEFT JOIN matrix m ON m.token_id = p.token_id LEFT JOIN objects o ON o.descriptor_id = m.descriptor_id GROUP BY p.principal_id, p.name, p.sid, p.logon ORDER BY p.principal_id", r =>
        {
            html.Append("<tr><td>").Append(H(r.GetString(0))).Append("</td><td><code>").Append(H(r.GetString(1))).Append("</code></td><td>").Append(H(r.GetString(2))).Append("</td>");
            for (int i = 3; i < r.FieldCount; i++) html.Append("<td class=num>").Append(Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture)).Append("</td>");
            html.Append("</tr>");
        });
        html.Append("</table>\n<h2>Drift</h2><table><tr><th>Kind</th><th>Findings</th><th>First findings</th></tr>");
        var flagged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in Enum.GetValues<DriftKind>())
        {
            var rows = DriftQueries.Find(store, [kind], null).ToList();
            foreach (var row in rows) flagged.Add(row.Path);
            html.Append("<tr><td>").Append(DriftQueries.Name(kind)).Append("</td><td class=num>").Append(rows.Count.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>");
            foreach (var row in rows.Take(10)) html.Append("<code>").Append(H(row.Path)).Append("</code>: ").Append(H(row.Detail)).Append("<br>");
            html.Append("</td></tr>");
        }
        html.Append("</table>\n<h2>Most used descriptors</h2><table><tr><th>Objects</th><th>SDDL</th></tr>");
        Rows(store, "SELECT count(*), d.sddl FROM objects o JOIN descriptors d USING (descriptor_id) GROUP BY d.descriptor_id, d.sddl ORDER BY 1 DESC LIMIT 20", r =>
            html.Append("<tr><td class=num>").Append(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td><code>").Append(H(r.IsDBNull(1) ? "" : r.GetString(1))).Append("</code></td></tr>"));
        html.Append("</table>\n");

        // The drill-down: paths (flagged first), and for their descriptors the ACEs and each principal's grant.
        var paths = new List<object[]>();
        var descriptorIds = new HashSet<int>();
        Rows(store, "SELECT path, descriptor_id, status FROM objects ORDER BY seq", r =>
        {
            string p = r.GetString(0);
            bool flag = flagged.Contains(p);
            if (paths.Count >= maxPaths && !flag) return;
            int? d = r.IsDBNull(1) ? null : r.GetInt32(1);
            if (d is int id) descriptorIds.Add(id);
            paths.Add([p, d ?? -1, r.GetString(2), flag]);
        });
        if (paths.Count > maxPaths) paths = [.. paths.OrderByDescending(p => (bool)p[3]).Take(maxPaths)];
        var principals = new List<string>();
        Rows(store, "SELECT name, token_id FROM principals ORDER BY principal_id", r => principals.Add(r.GetString(0)));
        var descriptors = new Dictionary<int, Dictionary<string, object>>();
        Rows(store, "SELECT descriptor_id, sddl FROM descriptors", r =>
        {
            int id = r.GetInt32(0);
            if (descriptorIds.Contains(id)) descriptors[id] = new() { ["sddl"] = r.IsDBNull(1) ? "" : r.GetString(1), ["grants"] = new Dictionary<string, string>() };
        });
        Rows(store, "SELECT m.descriptor_id, p.name, m.effective FROM matrix m JOIN principals p USING (token_id) WHERE m.effective <> 0", r =>
        {
            if (descriptors.TryGetValue(r.GetInt32(0), out var d))
                ((Dictionary<string, string>)d["grants"])[r.GetString(1)] = ObjectTypes.File.FormatRights((uint)r.GetValue(2));
        });
        var data = JsonSerializer.Serialize(new { paths, descriptors = descriptors.ToDictionary(k => k.Key.ToString(CultureInfo.InvariantCulture), k => k.Value), principals });
        html.Append(CultureInfo.InvariantCulture, $"<h2>Paths</h2><p>{paths.Count:N0} of {objects:N0} paths (flagged ones first); the database holds them all. Flagged paths are <span class=flag>red</span>.</p>")
            .Append("<input id=q placeholder=\"filter paths\"><div id=paths></div><div id=detail></div>\n<script type=\"application/json\" id=data>")
            .Append(data.Replace("</", "<\\/", StringComparison.Ordinal))
            .Append("</script>\n<script>\n")
            .Append("const D=JSON.parse(document.getElementById('data').textContent);const L=document.getElementById('paths'),X=document.getElementById('detail'),Q=document.getElementById('q');\n")
            .Append("function esc(s){return String(s).replace(/[&<>\"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','\"':'&quot;'}[c]));}\n")
            .Append("function show(p){const d=D.descriptors[p[1]];let h='<h3>'+esc(p[0])+'</h3><p>status: '+esc(p[2])+'</p>';")
            .Append("if(!d){h+='<p>No descriptor: nothing is granted.</p>';}else{h+='<p><code>'+esc(d.sddl)+'</code></p><table><tr><th>Principal</th><th>Effective rights</th></tr>';")
            .Append("for(const n of D.principals){const g=d.grants[n];h+='<tr><td>'+esc(n)+'</td><td>'+(g?esc(g):'<i>none</i>')+'</td></tr>';}h+='</table>';}X.innerHTML=h;}\n")
            .Append("function render(){const f=Q.value.toLowerCase();L.innerHTML='';let n=0;for(const p of D.paths){if(f&&!p[0].toLowerCase().includes(f))continue;if(++n>2000)break;")
            .Append("const e=document.createElement('div');e.textContent=p[0];if(p[3])e.className='flag';e.onclick=()=>show(p);L.appendChild(e);}}\nQ.oninput=render;render();\n</script>\n</body></html>\n");
        output.Write(html.ToString());
        return paths.Count;
    }

    private static void Rows(EstateStore store, string sql, Action<System.Data.Common.DbDataReader> row)
    {
        using var cmd = store.Command(sql);
        using var r = cmd.ExecuteReader();
        while (r.Read()) row(r);
    }
}
