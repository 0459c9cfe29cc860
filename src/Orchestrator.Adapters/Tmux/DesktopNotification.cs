using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Tmux;

/// <summary>
/// Desktop notifications a terminal shows when it reads an escape sequence: OSC 9 (iTerm2,
/// WezTerm, Windows Terminal, ghostty, kitty, foot...) or OSC 777 (urxvt's notify extension, foot,
/// ghostty, WezTerm). Terminals that know neither ignore them.
/// </summary>
public static class DesktopNotification
{
    public const string Off = "off";
    public const string Auto = "auto";
    public const string Osc9 = "osc9";
    public const string Osc777 = "osc777";

    /// <summary>With <see cref="Auto"/>: the kind the terminal named <paramref name="termName"/> (tmux's client_termname) shows, or off.</summary>
    public static string Choose(string mode, string termName)
    {
        if (mode != Auto) return mode;
        var t = termName.ToLowerInvariant();
        if (t.Length == 0 || t is "dumb" or "linux" || t.StartsWith("vt", StringComparison.Ordinal)) return Off;
        return t.StartsWith("foot", StringComparison.Ordinal) || t.Contains("rxvt", StringComparison.Ordinal) ? Osc777 : Osc9;
    }

    /// <summary>
    /// The escape sequence, or null when off. The title and text are made one safe line first
    /// (control characters shown, not sent) and ';' (OSC 777's separator) becomes ','.
    /// </summary>
    public static string? Sequence(string mode, string termName, string title, string text)
    {
        var kind = Choose(mode, termName);
        string Safe(string s, int max)
        {
            var line = TerminalText.Line(s).Replace(';', ',');
            return line.Length <= max ? line : line[..(max - 1)] + "…";
        }
        return kind switch
        {
            Osc9 => $"\u001b]9;{Safe(text, 240)}\u0007", // the text already says orc
            Osc777 => $"\u001b]777;notify;{Safe(title, 40)};{Safe(text, 240)}\u0007",
            _ => null,
        };
    }
}
