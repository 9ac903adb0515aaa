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
                output.WriteLine(converted);
                return true;
            }
            output.WriteLine(CommonOptions.FormatError(error!));
            return false;
        }

        string? line;
        var progress = new Progress(terminal, "ntsec sddl --batch");
        while ((line = terminal.In.ReadLine()) is not null)
        {
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
}
