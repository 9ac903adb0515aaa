namespace NtSec.Import;

/// <summary>
/// Why and where text pasted from a Windows tool (<c>whoami /all</c>, <c>icacls</c>, <c>Get-Acl | Format-List</c>)
/// was rejected.
/// </summary>
/// <remarks>
/// These inputs are several lines long, so the position is a line and a column rather than the character index
/// <see cref="ParseError"/> carries for one-line inputs such as SDDL.
/// </remarks>
/// <param name="Line">One-based line number in the text as given.</param>
/// <param name="Column">One-based column (UTF-16 code units) in that line.</param>
/// <param name="Reason">A short English explanation.</param>
public sealed record ImportError(int Line, int Column, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"line {Line}, column {Column}: {Reason}";
}

/// <summary>The exception the non-<c>Try</c> import methods throw; it carries the <see cref="ImportError"/>.</summary>
public sealed class ImportFormatException : FormatException
{
    /// <summary>Creates the exception for an error.</summary>
    public ImportFormatException(ImportError error) : base(error?.ToString()) => Error = error ?? throw new ArgumentNullException(nameof(error));

    /// <summary>The line, column and reason of the failure.</summary>
    public ImportError Error { get; }
}
