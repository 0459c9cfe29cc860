using System.Text;

namespace Orchestrator.Core.Text;

/// <summary>
/// Makes stored text safe to print: control characters (ESC, BEL, C1 controls, NUL…) become
/// visible escapes such as <c>\e</c> or <c>\x07</c>, so a work item or message can never move the
/// cursor, set the title or write to the clipboard of whoever reads it.
/// </summary>
public static class TerminalText
{
    /// <summary>One line: newlines and tabs are escaped too.</summary>
    public static string Line(string? text) => Escape(text, keepNewlines: false);

    /// <summary>Several lines: newlines and tabs are kept, everything else escaped.</summary>
    public static string Block(string? text) => Escape(text, keepNewlines: true);

    /// <summary>True when the text holds a character that <see cref="Block"/> would escape.</summary>
    public static bool HasControl(string text, bool allowNewlines)
    {
        foreach (var c in text)
        {
            if (allowNewlines && c is '\n' or '\t' or '\r') continue;
            if (IsControl(c)) return true;
        }
        return false;
    }

    private static bool IsControl(char c) =>
        c < 0x20 || c == 0x7f || (c >= 0x80
            && c < 0xa0) || c is '\u2028' or '\u2029' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') or '\u200e' or '\u200f' or '\u061c';

    private static string Escape(string? text, bool keepNewlines)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var clean = true;
        foreach (var c in text)
        {
            if ((IsControl(c) && !(keepNewlines && c is '\n' or '\t')) || char.IsSurrogate(c)) { clean = false; break; }
        }
        if (clean) return text;
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
                continue;
            }
            if (char.IsSurrogate(c)) { sb.Append('\uFFFD'); continue; }
            if (keepNewlines && c is '\n' or '\t') { sb.Append(c); continue; }
            if (!IsControl(c)) { sb.Append(c); continue; }
            sb.Append(c switch
            {
                '\x1b' => "\\e",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ when c < 0x100 => $"\\x{(int)c:x2}",
                _ => $"\\u{(int)c:x4}",
            });
        }
        return sb.ToString();
    }
}
