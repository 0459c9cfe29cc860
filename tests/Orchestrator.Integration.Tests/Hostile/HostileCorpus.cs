using System.Text;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>
/// The hostile-input corpus: text that tries to reach the terminal (escape sequences), the shell
/// (metacharacters) or the file system (paths), and names that try to be read as something else.
/// Every test in this folder draws from here, so a new case is one line.
/// </summary>
public static class HostileCorpus
{
    /// <summary>Text with control characters: refused where a person types it, shown escaped where it arrives as data.</summary>
    public static readonly (string Kind, string Text)[] Escapes =
    [
        ("osc52-clipboard", "copy \u001b]52;c;cm0gLXJmIH4=\u0007 me"),
        ("osc0-title", "title \u001b]0;pwned\u0007 here"),
        ("osc2-title-st", "title \u001b]2;pwned\u001b\\ here"),
        ("csi-cursor", "move \u001b[2J\u001b[H\u001b[10;10Hover"),
        ("csi-sgr", "color \u001b[31mred\u001b[0m"),
        ("c1-csi", "c1 \u009b2J clear"),
        ("c1-osc", "c1 \u009d0;pwned\u009c title"),
        ("bell", "ring \u0007\u0007"),
        ("nul", "nul \0 byte"),
        ("del", "del \u007f char"),
        ("backspace", "hide\b\b\b\bfake"),
        ("carriage-return", "real text\rfake"),
    ];

    /// <summary>Text a shell would act on: always stored and shown exactly, never run.</summary>
    public static string[] ShellSyntax(string marker) =>
    [
        $"$(touch {marker})",
        $"`touch {marker}`",
        $"x; touch {marker}",
        $"x && touch {marker} || touch {marker}",
        $"x | tee {marker}",
        $"x > {marker}",
        $"'; touch {marker}; echo '",
        $"\"; touch {marker}; echo \"",
        $"${{IFS}}touch${{IFS}}{marker}",
        $"#{{touch {marker}}} #(touch {marker})",
    ];

    /// <summary>Names of rigs, agents and crew that must be refused: paths, options, quotes, tmux targets.</summary>
    public static readonly string[] BadNames =
    [
        "", "../evil", "..", ".", "a/b", "/abs", "has space", "quo'te", "dq\"uote", "-rf", "--help",
        "sess:win", "win.1", "%1", "=exact", "back\\slash", "UPPER", "a;b", "$(x)", "`x`", "tab\there",
        "esc\u001b[2J", "nul\0", new string('a', 33), new string('b', 5000),
    ];

    /// <summary>True when <paramref name="s"/> could move the cursor, set the title or reach the clipboard: any C0 control but newline and tab, DEL, or a C1
    /// control.</summary>
    public static bool HasRawControl(string s) =>
        s.Any(c => (c < 0x20 && c is not '\n' and not '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0));

    public static void AssertSafe(string output, string what)
    {
        var i = output.ToList().FindIndex(c => (c < 0x20 && c is not '\n' and not '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0));
        Assert.True(i < 0, $"{what}: raw control character U+{(i < 0 ? 0 : (int)output[i]):X4} at {i} reached the terminal: {Escape(output)}");
    }

    private static string Escape(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.Length > 400 ? s[..400] : s) sb.Append(c < 0x20 || c is >= '\u007f' and < '\u00a0' ? $"\\x{(int)c:x2}" : c);
        return sb.ToString();
    }

    /// <summary>One JSONL ledger line for an imported item.</summary>
    public static string ItemLine(string id, string title, string? description = null, string[]? labels = null, string? comment = null, string? assignee = null)
    {
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("title", title);
            if (description is not null) w.WriteString("description", description);
            w.WriteString("status", "open");
            w.WriteNumber("priority", 2);
            w.WriteString("issue_type", "task");
            if (assignee is not null) w.WriteString("assignee", assignee);
            w.WriteString("created_at", "2026-01-01T00:00:00Z");
            w.WriteString("updated_at", "2026-01-01T00:00:00Z");
            if (labels is not null) { w.WriteStartArray("labels"); foreach (var l in labels) w.WriteStringValue(l); w.WriteEndArray(); }
            if (comment is not null)
            {
                w.WriteStartArray("comments");
                w.WriteStartObject(); w.WriteNumber("id", 1); w.WriteString("author", "x"); w.WriteString("text", comment); w.WriteString("created_at",
                    "2026-01-01T00:00:00Z"); w.WriteEndObject();
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
