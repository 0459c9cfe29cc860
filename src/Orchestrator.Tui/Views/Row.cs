using Attribute = Terminal.Gui.Drawing.Attribute;

namespace Orchestrator.Tui.Views;

/// <summary>A piece of a row drawn in one colour (null: the pane's normal text colour).</summary>
internal readonly record struct Span(string Text, Attribute? Color = null);

/// <summary>
/// One line of a list pane: its identity (<see cref="Key"/>, kept selected across refreshes),
/// what it stands for (<see cref="Value"/>, what the pane's bindings act on) and how it looks.
/// </summary>
internal sealed record Row(string Key, IReadOnlyList<Span> Spans, bool Selectable = true)
{
    public static Row Of(string key, params Span[] spans) => new(key, spans);

    public static Row Of(string key, Selection value, params Span[] spans) => new(key, spans) { Value = value };

    public Selection? Value { get; init; }

    public static Row Heading(string text, Attribute color) => new("", [new Span(text, color)], Selectable: false);

    public string Text => string.Concat(Spans.Select(s => s.Text));
}

/// <summary>A key and what it does, as the status bar shows it (made from <see cref="PaneBinding"/>s).</summary>
internal sealed record KeyHelp(string Keys, string What);

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
