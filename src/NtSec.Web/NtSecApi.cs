namespace NtSec.Web;

/// <summary>
/// The answers the web API gives, computed by the front end that owns the JSON shapes (the CLI's <c>--json</c>
/// writers), so that the API and the CLI cannot drift apart: this project does HTTP, limits and errors only.
/// </summary>
public interface INtSecApi
{
    /// <summary>Answers one <c>check --batch</c> request object (the request body) with its output object plus <c>explanation</c>.</summary>
    ApiAnswer Check(string request);

    /// <summary>
    /// Answers <c>{"sd", "type", "path"}</c> (the request body): the descriptor, in any form the library reads (SDDL,
    /// hex, base64, LDIF, icacls, Get-Acl), as the <c>ntsec sddl --json</c> document; <c>type</c> names its rights,
    /// <c>path</c> chooses one object of tool output that lists several.
    /// </summary>
    ApiAnswer Sddl(string request);

    /// <summary>
    /// Answers one <c>inherit --batch</c> request object (the request body: <c>op</c> create, set or propagate) with
    /// its output object (<c>id</c>, <c>sddl</c>, <c>error</c>) plus <c>result</c>, the <c>ntsec inherit --json</c> document.
    /// </summary>
    ApiAnswer Inherit(string request);

    /// <summary>
    /// Answers <c>{"scenario"}</c> (the request body): a scenario's YAML text (the <c>ntsec run</c> format) run on the
    /// emulated system, as the <c>ntsec run --json --explain</c> document, each step with the access check the kernel
    /// made for it as data. A scenario that would read a file (<c>{file: ...}</c>, <c>{whoami: ...}</c>) is refused.
    /// </summary>
    ApiAnswer Run(string request);

    /// <summary>Answers <c>{"token"}</c> (the request body): the token, given as JSON or as a saved <c>whoami /all</c>, as token JSON.</summary>
    ApiAnswer Token(string request);
}

/// <summary>
/// The audit store's answers (<c>ntsec serve --audit FILE</c>): the reports the store can answer, their rows a page at a
/// time (the rows of <c>ntsec audit ... --format json</c>), and the explained cell. Computed by the CLI over the store,
/// opened read-only.
/// </summary>
public interface IAuditApi
{
    /// <summary>The store's kind (files or directory) and its reports, each with its parameters.</summary>
    ApiAnswer Describe();

    /// <summary>Answers <c>{"report", parameters..., "offset", "limit"}</c>: one page of the report's rows.</summary>
    ApiAnswer Query(string request);

    /// <summary>Answers <c>{"path", "principal", "right"}</c>: the cell's access check, explained (a path or a DN).</summary>
    ApiAnswer Explain(string request);
}

/// <summary>One answer: <paramref name="Ok"/> false means the input was bad (HTTP 400) and <paramref name="Json"/> says why.</summary>
/// <param name="Ok">True when the input was understood.</param>
/// <param name="Json">The JSON document to send.</param>
public readonly record struct ApiAnswer(bool Ok, string Json);
