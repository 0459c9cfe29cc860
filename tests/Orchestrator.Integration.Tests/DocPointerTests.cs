using System.Text.RegularExpressions;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>
/// Every pointer to the docs that orc prints or writes (help text, error fixes, the comments of the
/// config and rig files it generates) leads somewhere: the file exists, and a section it names is a
/// heading of that file. Found in the source, so a new pointer is checked without listing it here.
/// </summary>
public sealed partial class DocPointerTests
{
    private static string RepoRoot => CommandText.RepoRoot;

    /// <summary>A pointer in a C# string: README or docs/NAME.md, then maybe a section: ', "Section"' or ', Section)'.</summary>
    [GeneratedRegex("""(?<file>README(?:\.md)?|docs/[a-z0-9-]+\.md)(?:#(?<anchor>[a-z0-9-]+)|,\s*\\?"(?<quoted>[^"\\]+)\\?"|,\s*(?<plain>[A-Z][A-Za-z ]+)\))?""")]
    private static partial Regex Pointer();

    /// <summary>Lines of code, not documentation comments: what a user can read from orc.</summary>
    private static IEnumerable<(string File, int Line, Match Match)> Pointers()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoRoot, "src"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal)) continue;
                foreach (Match m in Pointer().Matches(code))
                    if (IsInString(code, m.Index)) yield return (Path.GetRelativePath(RepoRoot, file), i + 1, m);
            }
        }
    }

    /// <summary>True when <paramref name="at"/> sits inside a string literal of the line (an odd number of unescaped quotes before it).</summary>
    private static bool IsInString(string line, int at)
    {
        var quotes = 0;
        for (var i = 0; i < at; i++)
            if (line[i] == '"' && (i == 0 || line[i - 1] != '\\')) quotes++;
        return quotes % 2 == 1 || line.Contains("\"\"\"", StringComparison.Ordinal);
    }

    private static readonly HashSet<string> MadeByTheDemo = ["README.md", "docs/checkout.md", "docs/release-notes.md"]; // files of the demo's own rig, not ours

    [Fact]
    public void Every_pointer_to_the_docs_in_what_orc_prints_or_writes_resolves()
    {
        var found = Pointers().Where(p => !(p.File.EndsWith("DemoScenario.cs",
            StringComparison.Ordinal) && MadeByTheDemo.Contains(p.Match.Groups["file"].Value))).ToList();
        Assert.True(found.Count >= 4, $"only {found.Count} doc pointers found in src: the pattern no longer matches how they are written");
        var broken = new List<string>();
        foreach (var (file, line, m) in found)
        {
            var name = m.Groups["file"].Value;
            var target = Path.Combine(RepoRoot, name.StartsWith("README", StringComparison.Ordinal) ? "README.md" : name);
            var where = $"{file}:{line}: '{m.Value}'";
            if (!File.Exists(target)) { broken.Add($"{where}: {name} does not exist"); continue; }
            var headings = DocHeadings.Headings(File.ReadAllText(target));
            if (m.Groups["anchor"].Success && !headings.Select(DocHeadings.Slug).Contains(m.Groups["anchor"].Value))
                broken.Add($"{where}: {name} has no heading with the anchor #{m.Groups["anchor"].Value}");
            var section = m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["plain"].Success ? m.Groups["plain"].Value.Trim() : null;
            if (section is not null && !headings.Any(h => h.Contains(section, StringComparison.OrdinalIgnoreCase)))
                broken.Add($"{where}: {name} has no section '{section}' (its headings: {string.Join(", ", headings.Take(12))}…)");
        }
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact]
    public void The_pattern_reads_each_way_a_pointer_is_written()
    {
        string[] samples = ["see README, Install)", "see docs/file-formats.md, \\\"Rig settings\\\", or", "docs/configuration.md#shell-completions",
            "docs/cli.md lists"];
        var matches = samples.Select(s => Pointer().Match(s)).ToList();
        Assert.Equal("Install", matches[0].Groups["plain"].Value);
        Assert.Equal("Rig settings", matches[1].Groups["quoted"].Value);
        Assert.Equal("shell-completions", matches[2].Groups["anchor"].Value);
        Assert.Equal("docs/cli.md", matches[3].Groups["file"].Value);
    }
}

/// <summary>Headings and GitHub's anchors of a Markdown file, outside code fences.</summary>
internal static class DocHeadings
{
    public static List<string> Headings(string text)
    {
        var headings = new List<string>();
        var inFence = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inFence = !inFence; continue; }
            if (!inFence && Regex.Match(line, @"^#{1,6}\s+(.+?)\s*#*\s*$") is { Success: true } h) headings.Add(h.Groups[1].Value);
        }
        return headings;
    }

    /// <summary>GitHub's anchor for a heading: lower case, spaces to '-', punctuation other than '-' and '_' dropped.</summary>
    public static string Slug(string heading) =>
        new string(heading.ToLowerInvariant().Replace(' ', '-').Where(c => char.IsLetterOrDigit(c) || c is '-' or '_').ToArray());
}
