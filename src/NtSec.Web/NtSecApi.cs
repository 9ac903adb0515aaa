namespace NtSec.Web;

/// <summary>
/// The answers the web API gives, computed by the front end that owns the JSON shapes (the CLI's <c>--json</c>
/// writers), so that the API and the CLI cannot drift apart: this project does HTTP, limits and errors only.
/// </summary>
public interface INtSecApi
{
    /// <summary>Answers one <c>check --batch</c> request object (the request body) with its output object plus <c>explanation</c>.</summary>
    ApiAnswer Check(string request);

    /// <summary>Decodes a descriptor (<paramref name="type"/> names its rights, or null) into the <c>ntsec sddl --json</c> document.</summary>
    ApiAnswer Sddl(string descriptor, string? type);
}

/// <summary>One answer: <paramref name="Ok"/> false means the input was bad (HTTP 400) and <paramref name="Json"/> says why.</summary>
/// <param name="Ok">True when the input was understood.</param>
/// <param name="Json">The JSON document to send.</param>
public readonly record struct ApiAnswer(bool Ok, string Json);
