using Orchestrator.Services.Fleet;
using Terminal.Gui.Text;
using Terminal.Gui.ViewBase;

namespace Orchestrator.Tui.Views;

/// <summary>
/// The bottom line: the workspace and its counts on the left, the keys of the focused pane on the
/// right, and for a few seconds after an action, what it did (or why it could not).
/// </summary>
internal sealed class StatusLine : View
{
    private string _message = "";
    private bool _messageIsError;
    private DateTimeOffset _messageUntil;

    public StatusLine()
    {
        Height = 1;
        Width = Dim.Fill();
        CanFocus = false;
    }

    public Palette Palette { get; set; } = Palette.Default;

    public FleetSnapshot? Snapshot { get; set; }

    public IReadOnlyList<KeyHelp> Keys { get; set; } = [];

    public string Message => DateTimeOffset.UtcNow < _messageUntil ? _message : "";

    public void Say(string message, bool error = false, int seconds = 6)
    {
        _message = Core.Text.TerminalText.Line(message);
        _messageIsError = error;
        _messageUntil = DateTimeOffset.UtcNow.AddSeconds(seconds);
        SetNeedsDraw();
    }

    public string Summary()
    {
        if (Snapshot is not { } s) return "orc · reading…";
        var name = Path.GetFileName(s.Workspace.TrimEnd('/'));
        var working = s.Count("working");
        var attention = s.Count("waiting") + s.Count("stuck") + s.Count("looping") + s.Count("dead");
        var open = s.Queue.Count(q => q.IsOpen);
        var unread = s.Inbox.Count(m => m.ReadAt is null);
        var live = s.Agents.Count(a => a.State is not ("done" or "stopped"));
        return $"{name} · {live} agents · {working} working{(attention > 0 ? $" · {attention} need you" : "")} · mq {open} · ✉ {unread}" +
               (s.TmuxRunning ? "" : " · tmux off") + (s.Problems.Count > 0 ? $" · ⚠ {s.Problems[0]}" : "");
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        var width = Viewport.Width;
        Move(0, 0);
        var left = Message is { Length: > 0 } m ? m : Summary();
        SetAttribute(Message.Length > 0 ? (_messageIsError ? Palette.State("dead") : Palette.StatusKey) : Palette.StatusBar);
        // The keys of the focused pane come first; the summary gets what is left (at least a third).
        var keys = new[] { new KeyHelp("?", "help") }.Concat(Keys.Where(k => k.InStatusBar)).Append(new KeyHelp("q", "quit")).ToList();
        var parts = new List<(string Keys, string What)>();
        var keysWidth = 0;
        // A message (what a verb did, a warning) gets the whole line while it lasts.
        foreach (var k in Message.Length > 0 ? [] : keys)
        {
            var w = k.Keys.Length + k.What.Length + 3;
            if (keysWidth + w > width * 2 / 3) continue;
            parts.Add((k.Keys, k.What));
            keysWidth += w;
        }
        var leftText = ListPane.Fit(" " + left, Math.Max(1, width - keysWidth - 1));
        AddStr(leftText);
        var x = leftText.GetColumns();
        var start = Math.Max(x + 2, width - keysWidth);
        SetAttribute(Palette.StatusBar);
        if (start > x) AddStr(new string(' ', start - x));
        x = start;
        foreach (var (k, what) in parts)
        {
            if (x + k.Length + what.Length + 3 > width) break;
            SetAttribute(Palette.StatusKey);
            AddStr(" " + k);
            SetAttribute(Palette.StatusBar);
            AddStr(" " + what + " ");
            x += k.Length + what.Length + 3;
        }
        if (x < width) AddStr(new string(' ', width - x));
        return true;
    }
}
