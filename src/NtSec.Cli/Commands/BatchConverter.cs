using NtSec.Cli.Rendering;
using NtSec.Cli.Input;
using NtSec.Principals;

namespace NtSec.Cli.Commands;

/// <summary>
/// <c>ntsec sddl --batch</c>: one descriptor per input line, one result per output line, in the same order, so that
/// output line N always answers input line N.
/// </summary>
internal static class BatchConverter
{
    /// <summary>Converts every line of standard input; returns 3 when any line was rejected, else 0.</summary>
    public static int Run(Terminal terminal, InputFormat format, string to, SidContext context)
    {
        var output = terminal.Out;
        int rejected = 0;

        // LDIF folds long base64 values onto continuation lines that start with one space. In base64 mode such a line
        // belongs to the record above it: the record's result goes on the record's first line and each continuation
        // line gets an empty output line, which keeps the line correspondence.
        var record = new System.Text.StringBuilder();
        int recordLines = 0;

        void Flush()
        {
            if (recordLines == 0) return;
            if (!Convert(record.ToString())) rejected++;
            for (int i = 1; i < recordLines; i++) output.WriteLine();
            record.Clear();
            recordLines = 0;
        }

        bool Convert(string text)
        {
            if (DescriptorInput.TryDecode(text, format, context, out var decoded, out var error)
                && DescriptorInput.TryConvert(decoded!, to, context, out string converted, out error))
            {
                // SDDL has no escapes: a condition's string literal or a resource attribute's name or value may hold
                // a line break, which would make this answer two lines. Such a descriptor is a per-line error.
                int lineBreak = converted.AsSpan().IndexOfAny(LineBreaks);
                if (lineBreak < 0)
                {
                    output.WriteLine(converted);
                    return true;
                }
                error = new ParseError(ParseErrorKind.Unsupported, 0, $"its SDDL holds a line break (U+{(int)converted[lineBreak]:X4}, in a condition's string or a resource attribute's name or value), which one output line cannot carry; convert it alone, or to hex or base64", Win32Error.InvalidParameter);
            }
            output.WriteLine(OneLine(CommonOptions.FormatError(error!)));
            return false;
        }

        string? line;
        bool first = true;
        var progress = new Progress(terminal, "ntsec sddl --batch");
        while ((line = terminal.In.ReadLine()) is not null)
        {
            // A UTF-8 byte order mark (read as U+FEFF when the reader did not drop it) is not part of the first line.
            if (first && line.Length > 0 && line[0] == '\uFEFF') line = line[1..];
            first = false;
            progress.Step();
            if (format == InputFormat.Base64 && recordLines > 0 && line.Length > 1 && line[0] == ' ')
            {
                record.Append('\n').Append(line);
                recordLines++;
                continue;
            }
            Flush();
            if (string.IsNullOrWhiteSpace(line))
            {
                output.WriteLine();
                continue;
            }
            if (format == InputFormat.Base64)
            {
                record.Append(line);
                recordLines = 1;
                continue;
            }
            if (!Convert(line)) rejected++;
        }
        Flush();
        progress.Done();
        return rejected == 0 ? ExitCodes.Success : ExitCodes.BadInput;
    }

    // What a line-oriented reader may take as the end of a line: CR, LF, NEL, LINE and PARAGRAPH SEPARATOR.
    private static readonly System.Buffers.SearchValues<char> LineBreaks = System.Buffers.SearchValues.Create("\r\n\u0085\u2028\u2029");

    // An error quotes the input; whatever it quotes stays on its one line.
    private static string OneLine(string text)
    {
        if (text.AsSpan().IndexOfAny(LineBreaks) < 0) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
            sb.Append(LineBreaks.Contains(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return sb.ToString();
    }
}
