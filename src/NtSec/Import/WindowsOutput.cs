namespace NtSec.Import;

/// <summary>Which Windows tool printed a text, as far as its layout tells.</summary>
public enum WindowsOutputKind
{
    /// <summary>None of the layouts below (for example SDDL, hex, JSON).</summary>
    Unknown,
    /// <summary><c>whoami /all</c> in any of its <c>/fo</c> layouts.</summary>
    Whoami,
    /// <summary><c>icacls PATH</c>.</summary>
    Icacls,
    /// <summary><c>Get-Acl | Format-List</c>.</summary>
    GetAcl,
}

/// <summary>Tells the importable Windows outputs apart, so that a command can accept any of them without being told which.</summary>
public static class WindowsOutput
{
    /// <summary>
    /// Looks at the layout only: a <c>USER INFORMATION</c> title or a whoami CSV header; an <c>Sddl</c> field of
    /// Format-List; a first line ending in an icacls ACE (<c>NAME:(OI)(CI)(F)</c>: only letters and commas inside
    /// the parentheses, so SDDL's <c>D:(A;;FA;;;WD)</c> does not qualify). The parser still decides whether the
    /// text is valid.
    /// </summary>
    public static WindowsOutputKind Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var source = new SourceText(text);
        string? first = null;
        for (int i = 0; i < source.Count; i++)
        {
            string line = source[i].TrimEnd();
            if (line.Length == 0) continue;
            first ??= line;
            if (line == "USER INFORMATION" || line.StartsWith("\"User Name\",\"SID\"", StringComparison.Ordinal)
                || line.StartsWith("\"Group Name\",\"Type\",\"SID\"", StringComparison.Ordinal)) return WindowsOutputKind.Whoami;
            if (IsSddlField(line)) return WindowsOutputKind.GetAcl;
        }
        return first is not null && first.Contains(' ', StringComparison.Ordinal) && IcaclsParser.LooksLikeAce(first)
            ? WindowsOutputKind.Icacls
            : WindowsOutputKind.Unknown;
    }

    private static bool IsSddlField(string line)
    {
        if (!line.StartsWith("Sddl", StringComparison.Ordinal)) return false;
        var rest = line.AsSpan(4).TrimStart(' ');
        return rest.Length > 0 && rest[0] == ':';
    }
}
