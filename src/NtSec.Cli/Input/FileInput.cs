namespace NtSec.Cli.Input;

/// <summary>Reads the files named on the command line, reporting failures as text instead of exceptions.</summary>
internal static class FileInput
{
    /// <summary>
    /// Reads a whole file, or standard input for <c>-</c>. A relative name resolves against the terminal's working
    /// directory. On failure <paramref name="error"/> says which file and why.
    /// </summary>
    public static bool TryReadAll(Terminal terminal, string path, out string text, out string? error)
    {
        if (path == "-")
        {
            text = terminal.In.ReadToEnd();
            error = null;
            return true;
        }
        try
        {
            text = File.ReadAllText(terminal.ResolvePath(path));
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            text = "";
            error = $"cannot read '{path}': {Reason(terminal, path, e)}";
            return false;
        }
    }

    /// <summary>
    /// Opens a file for reading line by line, or standard input for <c>-</c> or null. Lines are UTF-8 (a UTF-8 byte
    /// order mark is skipped); other byte order marks are not obeyed, since one stray FF FE would otherwise turn a
    /// whole batch into one UTF-16 line: such bytes make their line an error instead.
    /// </summary>
    public static bool TryOpen(Terminal terminal, string? path, out TextReader reader, out string? error)
    {
        if (path is null or "-")
        {
            reader = terminal.In;
            error = null;
            return true;
        }
        try
        {
            reader = new StreamReader(terminal.ResolvePath(path), System.Text.Encoding.UTF8, false, 1 << 16);
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            reader = TextReader.Null;
            error = $"cannot read '{path}': {Reason(terminal, path, e)}";
            return false;
        }
    }

    /// <summary>Writes a whole file (created or replaced). On failure <paramref name="error"/> says which file and why.</summary>
    public static bool TryWriteAll(Terminal terminal, string path, string text, out string? error)
    {
        try
        {
            File.WriteAllText(terminal.ResolvePath(path), text, new System.Text.UTF8Encoding(false));
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"cannot write '{path}': {Reason(terminal, path, e)}";
            return false;
        }
    }

    // Why a file could not be used, in the tool's words: .NET's messages ("Access to the path '...' is denied" for a
    // folder) repeat the path and hide the cause.
    private static string Reason(Terminal terminal, string path, Exception e)
    {
        string full;
        try
        {
            full = terminal.ResolvePath(path);
        }
        catch (Exception x) when (x is ArgumentException or NotSupportedException)
        {
            return "not a valid file name";
        }
        if (Directory.Exists(full)) return "it is a folder, not a file";
        return e switch
        {
            FileNotFoundException => "no such file",
            DirectoryNotFoundException => "no such folder",
            UnauthorizedAccessException => "permission denied",
            PathTooLongException => "the name is too long",
            ArgumentException or NotSupportedException => "not a valid file name",
            _ => "the file could not be read or written (an I/O error)",
        };
    }
}
