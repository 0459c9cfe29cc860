using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Cli;

namespace Orchestrator.Testing;

/// <summary>One <c>orc …</c> command found in a text, and where (FILE:LINE).</summary>
public sealed record FoundCommand(string Where, string Command);

/// <summary>
/// Finds the <c>orc …</c> commands a text tells someone to run, turns their placeholders into
/// plausible values and parses them with the CLI's own parser (DocsTests, CommandTextTests).
/// <para>
/// Where a command sits in a text (prose, a prime, a mail, a help text): (1) a code span,
/// <c>`orc …`</c>, or a single-quoted span, <c>'orc …'</c>: the whole span; (2) a line of its own
/// that starts with <c>orc </c> (indented, or after a list marker "- ", "* ", "$ ", "1. "); (3) after
/// a label's colon ("Look: orc peek AGENT") or an opening parenthesis ("(orc peek AGENT)");
/// (4) after a command of forms 2-3 that ended at ", " or "; ", the next one ("Look: orc peek A, orc attach A",
/// "…, then orc resume A"). "orc" followed by an English word of <see cref="Prose"/> ("orc needs 3.2")
/// is a sentence about orc, not a command.
/// </para>
/// <para>
/// Where a command of forms 2-4 ends: the end of the line, two or more spaces, " (", ", ", "; ",
/// ": ", a sentence's full stop (". " or a final "."), an unmatched ")", a backtick, or a symbol
/// beyond ASCII (a diagram's ─ ►, a ·; "…" is a placeholder). Quoted text ("…") never ends it.
/// Every command (of any form) is then cut at a shell operator (&amp;&amp;, ||, ;, a spaced |, a
/// redirection, a trailing &amp;) and a # comment, environment assignments before it are dropped,
/// and each piece that starts with orc is a command. Not checked: "orc" alone, a command the code
/// builds at run time (<c>orc {line}</c>) and one with a shell expansion (<c>$</c>).
/// </para>
/// </summary>
public static class CommandText
{
    public static readonly string RepoRoot = OrcProcess.RepoRoot
        ?? throw new InvalidOperationException("repository root (Orchestrator.sln) not found above " + AppContext.BaseDirectory);

    /// <summary>README.md, CONTRIBUTING.md and docs/*.md.</summary>
    public static IEnumerable<string> DocFiles() =>
        new[] { Path.Combine(RepoRoot, "README.md"), Path.Combine(RepoRoot, "CONTRIBUTING.md") }.Concat(Directory.GetFiles(Path.Combine(RepoRoot, "docs"), "*.md").Order(StringComparer.Ordinal));

    public static string Relative(string path) => Path.GetRelativePath(RepoRoot, path);

    /// <summary>The CLI's command tree, as <c>orc</c> builds it (dispose the services after use).</summary>
    public static (RootCommand Root, IDisposable Services) Root()
    {
        var env = new CliEnvironment(Path.GetTempPath(), _ => null, new StringWriter(), new StringWriter(), new StringReader(""));
        var services = Composition.Build(env);
        return (OrcCli.BuildRoot(services), services);
    }

    // ---- where commands sit ------------------------------------------------------------------

    /// <summary>Words that follow "orc" in a sentence about orc: "orc needs 3.2 or newer", "orc itself".</summary>
    public static readonly HashSet<string> Prose = new(StringComparer.Ordinal)
    {
        "is", "does", "did", "needs", "will", "can", "cannot", "itself", "refuses", "runs", "understands", "knows",
        "starts", "commits", "makes", "merges", "tells", "talks", "keeps", "writes", "reads", "looks", "never", "crashed",
        "workspace", "command", "commands", "process", "settings", "verb", "session", "arguments", "ledger", "and", "or",
    };

    /// <summary>The commands of a text, each with its line index (0-based) in the text.</summary>
    public static IEnumerable<(int Line, string Command)> InText(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            foreach (var c in InLine(lines[i].TrimEnd('\r')))
                yield return (i, c);
    }

    /// <summary>The commands of one line of text, in the order they appear.</summary>
    public static List<string> InLine(string line)
    {
        var found = new List<(int At, string Command)>();
        var spans = new List<(int From, int To)>(); // code and quoted spans: the other forms never start inside them
        for (var open = line.IndexOf('`'); open >= 0;)
        {
            var close = line.IndexOf('`', open + 1);
            if (close < 0) break;
            var content = line[(open + 1)..close];
            if (IsCommandStart(content, 0)) foreach (var c in ShellPieces(content)) found.Add((open, c));
            spans.Add((open, close));
            open = line.IndexOf('`', close + 1);
        }
        // Form 1, quoted: 'orc …', possibly after environment assignments ('ORC_WORKSPACE=DIR orc up').
        foreach (Match m in Regex.Matches(line, @"(?<![\p{L}\p{N}])'((?:[A-Z_]+=\S* )*orc(?: [^']*)?)'(?![\p{L}\p{N}])"))
        {
            if (Inside(spans, m.Index)) continue;
            foreach (var c in ShellPieces(m.Groups[1].Value)) found.Add((m.Index, c));
            spans.Add((m.Index, m.Index + m.Length - 1));
        }
        var starts = new List<int>();
        if (Regex.Match(line, @"^\s*(?:[-*+$>]\s+|\d+[.)]\s+)?(?=orc(?: |$))") is { Success: true } s) starts.Add(s.Length); // form 2
        foreach (Match m in Regex.Matches(line, @"(?:[\w)]:\s+|\()(?=orc(?: |$))")) starts.Add(m.Index + m.Length); // form 3
        foreach (var start in starts.Distinct())
        {
            if (Inside(spans, start)) continue;
            for (var at = start; at >= 0;)
            {
                if (!IsCommandStart(line, at)) break;
                var (end, next) = EndOf(line, at);
                foreach (var c in ShellPieces(line[at..end])) found.Add((at, c));
                at = next;
            }
        }
        return [.. found.DistinctBy(f => (f.At, f.Command)).OrderBy(f => f.At).Select(f => f.Command.TrimEnd()).Where(IsCheckable)];
    }

    private static bool Inside(List<(int From, int To)> spans, int at) => spans.Any(s => at > s.From && at <= s.To);

    private static bool IsCommandStart(string text, int at) =>
        string.CompareOrdinal(text, at, "orc", 0, 3) == 0 && (text.Length == at + 3 || text[at + 3] == ' ');

    /// <summary>
    /// Not a command to check: "orc" alone (the program's name), a sentence about orc (a word of
    /// <see cref="Prose"/> after it), a command line the code builds at run time (<c>orc {line}</c>)
    /// and one a shell script expands (a <c>$</c>).
    /// </summary>
    private static bool IsCheckable(string command)
    {
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length > 1 && !Prose.Contains(words[1]) && !words[1].StartsWith('{') && !command.Contains('$');
    }

    /// <summary>
    /// Where a command of forms 2-4 that starts at <paramref name="start"/> ends, and where the next
    /// one starts when it is continued after ", " or "; " (optionally "and", "or", "then"), else -1.
    /// </summary>
    private static (int End, int Next) EndOf(string line, int start)
    {
        var quoted = false;
        var depth = 0;
        for (var i = start; i < line.Length; i++)
        {
            var c = line[i];
            var rest = line.AsSpan(i);
            if (c == '"') { quoted = !quoted; continue; }
            if (quoted) continue;
            if (c == '(') { if (line[i - 1] == ' ') return (i - 1, -1); depth++; continue; }
            if (c == ')') { if (depth == 0) return (i, -1); depth--; continue; }
            if (c == '`' || rest.StartsWith("  ") || rest.StartsWith(": ") || c == ':' && i == line.Length - 1) return (i, -1);
            if (c == '.' && (i + 1 == line.Length || line[i + 1] == ' ') && line[i - 1] is not ('.' or ' ')) return (i, -1);
            if (c == ' ' && i + 1 < line.Length && IsSymbol(line[i + 1])) return (i, -1);
            if (rest.StartsWith(", ") || rest.StartsWith("; "))
            {
                var next = i + 2;
                foreach (var joiner in (string[])["and ", "or ", "then "])
                    if (string.CompareOrdinal(line, next, joiner, 0, joiner.Length) == 0) { next += joiner.Length; break; }
                return (i, IsCommandStart(line, next) ? next : -1);
            }
        }
        return (line.Length, -1);
    }

    /// <summary>A symbol or punctuation beyond ASCII (a diagram's "──►", a "·"), never part of a command; "…" is a placeholder.</summary>
    private static bool IsSymbol(char c) => c > '\u007f' && c != '…' && !char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c);

    /// <summary>A command cut at shell operators and a # comment: the pieces that start with "orc".</summary>
    public static IEnumerable<string> ShellPieces(string command)
    {
        var text = StripComment(command);
        var pieces = new List<string>();
        var cur = new StringBuilder();
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; cur.Append(c); continue; }
            if (c is '"' or '\'') { quote = c; cur.Append(c); continue; }
            var rest = text.AsSpan(i);
            var spaced = i > 0 && text[i - 1] == ' ';
            var op = rest.StartsWith("&&") || rest.StartsWith("||") ? 2
                : c == ';' ? 1
                : c == '|' && spaced ? 1
                : c == '&' && spaced && i == text.TrimEnd().Length - 1 ? 1
                // a redirection: the rest is not the command's
                : spaced && (c is '>' || c == '<' && !IsPlaceholder(rest) || rest.StartsWith("2>")) ? text.Length - i
                : 0;
            if (op == 0) { cur.Append(c); continue; }
            pieces.Add(cur.ToString());
            cur.Clear();
            i += op - 1;
        }
        pieces.Add(cur.ToString());
        // Environment assignments before a command ("ORC_WORKSPACE=DIR orc up") are not its words.
        return pieces.Select(p => Regex.Replace(p.Trim(), @"^(?:[A-Z_][A-Z0-9_]*=\S* )+", "")).Where(p => IsCommandStart(p, 0));
    }

    /// <summary>A usage line's &lt;PLACEHOLDER&gt;, not an input redirection.</summary>
    private static bool IsPlaceholder(ReadOnlySpan<char> text) => text.Length > 2 && text[0] == '<' && text.IndexOf('>') is > 1 and var close
        && !text[1..close].ContainsAny(" <");

    public static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            if (c is '"' or '\'') quote = c;
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i].TrimEnd();
        }
        return line;
    }

    // ---- Markdown ------------------------------------------------------------------------------

    /// <summary>
    /// The commands of a Markdown file: each line of a fenced code block that starts with orc
    /// (after a "$ " prompt; cut at shell operators and where a command of forms 2-4 ends, such as a
    /// diagram's arrow), and, unless <paramref name="shellBlocksOnly"/>, every inline code span that
    /// starts with orc. With <paramref name="shellBlocksOnly"/>, only ```sh / ```bash / ```shell blocks.
    /// </summary>
    public static List<FoundCommand> InMarkdown(string file, bool shellBlocksOnly = false)
    {
        var list = new List<FoundCommand>();
        var lines = File.ReadAllLines(file);
        var where = Relative(file);
        string? fence = null; // the open block's info string ("sh", ""), null outside a block
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i].Trim();
            if (l.StartsWith("```", StringComparison.Ordinal)) { fence = fence is null ? l[3..].Trim() : null; continue; }
            IEnumerable<string> commands;
            if (fence is not null)
            {
                if (shellBlocksOnly && fence is not ("sh" or "bash" or "shell")) continue;
                var line = l.StartsWith("$ ", StringComparison.Ordinal) ? l[2..] : l;
                commands = ShellPieces(line).Select(c => c[..EndOf(c, 0).End].TrimEnd());
            }
            else if (shellBlocksOnly) continue;
            else commands = InlineSpans(lines[i]);
            list.AddRange(commands.Select(c => new FoundCommand($"{where}:{i + 1}", c)));
        }
        return list;
    }

    /// <summary>The inline code spans of a line that start with orc (a table's escaped "\|" read as "|").</summary>
    private static IEnumerable<string> InlineSpans(string line)
    {
        foreach (Match m in Regex.Matches(line, "(?<!`)`([^`]+)`(?!`)"))
            foreach (var c in ShellPieces(m.Groups[1].Value.Replace("\\|", "|", StringComparison.Ordinal)))
                yield return c;
    }

    // ---- placeholders and parsing ------------------------------------------------------------

    /// <summary>Splits like sh does for simple words and quotes; a word with a quote in it is data, never a placeholder.</summary>
    public static List<(string Text, bool Quoted)> Words(string command)
    {
        var words = new List<(string, bool)>();
        var cur = new StringBuilder();
        var quote = '\0';
        var any = false;
        foreach (var c in command)
        {
            if (quote != '\0') { if (c == quote) quote = '\0'; else cur.Append(c); continue; }
            if (c is '"' or '\'') { quote = c; any = true; continue; }
            if (char.IsWhiteSpace(c)) { if (any || cur.Length > 0) words.Add((cur.ToString(), any)); cur.Clear(); any = false; continue; }
            cur.Append(c);
        }
        if (any || cur.Length > 0) words.Add((cur.ToString(), any));
        return words;
    }

    private static readonly HashSet<string> Numbers = new(StringComparer.Ordinal) { "N", "S", "COUNT", "SECONDS", "MAX", "PID", "MINUTES", "LIMIT", "SESSION" };

    /// <summary>A placeholder (ITEM, RIG, N…) becomes a plausible value; numbers where numbers go.</summary>
    public static string Substitute(string word) =>
        Regex.IsMatch(word, "^[A-Z][A-Z0-9_-]*$") ? word switch
        {
            _ when Numbers.Contains(word) => "3",
            "VERB" => "ready",
            "SHELL" => "bash",
            _ => word.ToLowerInvariant() + "-x",
        } : word;

    /// <summary>
    /// A command as the argument list it stands for (without "orc"): sh words; <c>[options]</c> and
    /// <c>[command]</c> dropped, other <c>[…]</c> unwrapped; <c>&lt;X&gt;</c> and UPPERCASE words are
    /// placeholders (<see cref="Substitute"/>), so is <c>{Name}</c> (an interpolation hole); a|b takes a;
    /// a trailing "…" or "..." glued to a word is dropped; a "…" word is one value, except a last one
    /// after a positional word ("ID1 ID2 …": and so on), which is dropped.
    /// </summary>
    public static string[] Args(string command)
    {
        var words = Words(command).Skip(1).ToList();
        var args = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var (w, quoted) = words[i];
            if (quoted) { args.Add(w); continue; }
            if (w is "[options]" or "[command]") continue;
            w = w.TrimStart('[').TrimEnd(']');
            if (w is "…" or "...")
            {
                if (i == words.Count - 1 && (i == 0 || !words[i - 1].Text.StartsWith('-'))) continue;
                args.Add("x");
                continue;
            }
            if (w.EndsWith('…')) w = w[..^1];
            else if (w.EndsWith("...", StringComparison.Ordinal)) w = w[..^3];
            if (w.Length > 1 && w.Contains('|')) w = w[..w.IndexOf('|')];
            if (w.StartsWith('<') && w.EndsWith('>')) w = w[1..^1];
            if (w.StartsWith('{') && w.EndsWith('}') && w.IndexOf('}') == w.Length - 1) w = w[1..^1].ToUpperInvariant();
            args.Add(Substitute(w));
        }
        return [.. args];
    }

    /// <summary>
    /// The commands the parser refuses, as "WHERE: COMMAND: ERRORS". A verb named alone (<c>orc sling</c>,
    /// <c>orc mail</c>: every word a verb of the tree) is a name, not a command line: its missing
    /// arguments are no error. Neither is a missing required option in a usage line, whose
    /// <c>[options]</c> stands for them (<c>orc crew add &lt;NAME&gt; [options]</c>).
    /// </summary>
    public static List<string> Unparsable(RootCommand root, IEnumerable<FoundCommand> commands)
    {
        var bad = new List<string>();
        foreach (var (where, command) in commands)
        {
            var parse = root.Parse(Args(command), OrcCli.Parser);
            if (parse.Tokens.All(t => t.Type == TokenType.Command)) continue;
            var errors = parse.Errors.Select(e => e.Message)
                .Where(m => !(command.Contains("[options]", StringComparison.Ordinal) && Regex.IsMatch(m, @"^Option '[^']+' is required\.$"))).ToList();
            if (errors.Count > 0) bad.Add($"{where}: {command}: {string.Join("; ", errors)}");
        }
        return bad;
    }
}
