using Attribute = Terminal.Gui.Drawing.Attribute;

namespace Orchestrator.Tui.Views;

/// <summary>A piece of a row drawn in one colour (null: the pane's normal text colour).</summary>
internal readonly record struct Span(string Text, Attribute? Color = null);

/// <summary>One line of a list pane: what it stands for (<see cref="Key"/>, kept selected across refreshes) and how it looks.</summary>
internal sealed record Row(string Key, IReadOnlyList<Span> Spans, bool Selectable = true)
{
    public static Row Of(string key, params Span[] spans) => new(key, spans);

    public static Row Heading(string text, Attribute color) => new("", [new Span(text, color)], Selectable: false);

    public string Text => string.Concat(Spans.Select(s => s.Text));
}

/// <summary>One key a pane answers to, for the status bar and the help overlay.</summary>
internal sealed record KeyHelp(string Keys, string What, bool InStatusBar = true);

/// <summary>Agent state glyphs (also readable without colour).</summary>
internal static class StateGlyphs
{
    public static string State(string state) => state switch
    {
        "working" => "●",
        "idle" => "○",
        "waiting" => "?",
        "stuck" => "!",
        "looping" => "↻",
        "error" => "×",
        "dead" => "✖",
        "done" => "✔",
        "stopped" => "■",
        _ => "·",
    };

    public static string Alive(bool alive) => alive ? "●" : "✖";
}
