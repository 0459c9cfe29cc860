using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary>Touches to the help System.CommandLine writes.</summary>
internal static class HelpText
{
    /// <summary>
    /// <paramref name="help"/> with every argument of <paramref name="command"/> that may be left out
    /// shown in brackets in its Arguments section (<c>[&lt;DIR&gt;]</c>, as the Usage line shows it), the
    /// section's second column moved over to make room.
    /// </summary>
    public static string BracketOptionalArguments(string help, Command command)
    {
        var optional = command.Arguments.Where(OrcCli.IsOptional).Select(a => "<" + (a.HelpName ?? a.Name) + ">").ToList();
        if (optional.Count == 0) return help;
        var newline = help.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = help.Split(newline);
        var start = Array.IndexOf(lines, "Arguments:");
        if (start < 0) return help;
        var end = start + 1;
        while (end < lines.Length && lines[end].Length > 0) end++;
        // Rows are "  LABEL  description"; a description's further lines are indented to its column.
        var rows = new List<(string? Label, string Text)>();
        for (var i = start + 1; i < end; i++)
        {
            var line = lines[i];
            if (line.Length > 2 && line[2] != ' ')
            {
                var gap = line.IndexOf("  ", 2, StringComparison.Ordinal);
                var label = gap < 0 ? line[2..] : line[2..gap];
                if (optional.Any(o => label.StartsWith(o, StringComparison.Ordinal))) label = "[" + label + "]";
                rows.Add((label, gap < 0 ? "" : line[gap..].TrimStart()));
            }
            else rows.Add((null, line.TrimStart()));
        }
        var width = rows.Where(r => r.Label is not null).Select(r => r.Label!.Length).DefaultIfEmpty(0).Max();
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, text) = rows[i];
            lines[start + 1 + i] = label is null
                ? new string(' ', width + 4) + text
                : ("  " + label.PadRight(width) + "  " + text).TrimEnd();
        }
        return string.Join(newline, lines);
    }
}
