using System.Text;

namespace Orchestrator.Tui.Actions;

/// <summary>
/// Splits what was typed after <c>:</c> into arguments the way a user expects from a shell,
/// without a shell: spaces separate words, single or double quotes keep spaces in one word, a
/// backslash keeps the next character. Nothing is expanded: <c>$(…)</c>, <c>*</c> and <c>;</c>
/// stay plain text in an argument.
/// </summary>
internal static class CommandWords
{
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < line.Length && line[i + 1] is '"' or '\\') current.Append(line[++i]);
                else current.Append(c);
                continue;
            }
            if (c is ' ' or '\t')
            {
                if (inWord) { words.Add(current.ToString()); current.Clear(); inWord = false; }
                continue;
            }
            inWord = true;
            if (c is '"' or '\'') quote = c;
            else if (c == '\\' && i + 1 < line.Length) current.Append(line[++i]);
            else current.Append(c);
        }
        if (quote != '\0') throw new FormatException($"the {(quote == '"' ? "double" : "single")} quote is not closed");
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
