using System.Text;

namespace Orchestrator.Core.Text;

/// <summary>
/// A command line typed by a person (the TUI's <c>:</c> palette, a rig's gate) split into arguments
/// the way a user expects from a shell, without a shell: spaces separate words, single or double
/// quotes keep spaces in one word, a backslash keeps the next character. Nothing is expanded:
/// <c>$(…)</c>, <c>*</c> and <c>;</c> stay plain text in an argument. <see cref="UsesShell"/> says
/// when a line needs a shell after all, and <see cref="Join"/> writes words back as a line.
/// </summary>
public static class CommandWords
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

    /// <summary>Characters that mean something to sh outside quotes: operators, expansions, globs.</summary>
    private const string ShellCharacters = ";&|<>()$`*?\n";

    /// <summary>First words sh runs itself (keywords and builtins with no program of that name), so a line starting with one needs sh.</summary>
    private static readonly HashSet<string> ShellWords = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "for", "while", "until", "case", "esac", "do", "done", "{", "}", "!", "[[",
        "cd", ".", "source", "export", "exit", "set", "unset", "eval", "exec", "alias", "ulimit", "umask", "trap", "read", "wait", "shift", "return", "local",
    };

    /// <summary>
    /// True when <paramref name="line"/> uses what only a shell does: an operator or expansion outside
    /// single quotes (<c>&amp;&amp; || ; | &lt; &gt; $ ` ( ) * ?</c>, a newline, <c>~</c> or <c>#</c> starting
    /// a word), a shell keyword or builtin as its first word (<c>cd</c>, <c>if</c>, <c>export</c>…), or
    /// a variable assignment before it (<c>CI=1 make test</c>). Such a line is run with <c>sh -c LINE</c>;
    /// any other is split by <see cref="Split"/> and run directly.
    /// </summary>
    public static bool UsesShell(string line)
    {
        char quote = '\0';
        var atWordStart = true;
        var words = 0;
        var first = new StringBuilder();
        var firstQuoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote == '\'') { if (c == quote) quote = '\0'; continue; }
            if (quote == '"')
            {
                if (c == '"') quote = '\0';
                else if (c is '$' or '`') return true;
                else if (c == '\\') { if (i + 1 < line.Length && line[i + 1] is '"' or '\\') i++; else return true; } // sh reads \$ \` \newline here too
                continue;
            }
            if (c is ' ' or '\t') { atWordStart = true; continue; }
            if (atWordStart)
            {
                words++;
                if (c is '#' or '~') return true;
                atWordStart = false;
            }
            if (ShellCharacters.Contains(c)) return true;
            if (c is '"' or '\'') { quote = c; if (words == 1) firstQuoted = true; continue; }
            if (c == '\\') { i++; if (words == 1) firstQuoted = true; continue; }
            if (words == 1)
            {
                if (c == '=' && !firstQuoted && first.Length > 0 && (char.IsAsciiLetter(first[0]) || first[0] == '_')
                    && first.ToString().All(x => char.IsAsciiLetterOrDigit(x) || x == '_')) return true;
                first.Append(c);
            }
        }
        return !firstQuoted && ShellWords.Contains(first.ToString());
    }

    /// <summary>One word as a line holds it: as it is when that is safe, else in single quotes (a <c>'</c> in it as <c>'\''</c>).</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "_-./=:@%+,".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''") + "'";

    /// <summary>Words written back as one line that <see cref="Split"/> turns into the same words.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
