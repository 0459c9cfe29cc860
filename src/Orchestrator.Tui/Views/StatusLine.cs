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

    /// <summary>
    /// The shortest time a message stays (tests raise it: on a loaded machine a test may read the
    /// line later than a person would, and must not find it already gone).
    /// </summary>
    internal TimeSpan MinimumHold { get; set; } = TimeSpan.Zero;

    public void Say(string message, bool error = false, int seconds = 6)
    {
        _message = Core.Text.TerminalText.Line(message);
        _messageIsError = error;
        var hold = TimeSpan.FromSeconds(seconds);
        _messageUntil = DateTimeOffset.UtcNow + (hold > MinimumHold ? hold : MinimumHold);
        SetNeedsDraw();
    }

    public string Summary() => Summary(int.MaxValue);

    /// <summary>
    /// The counts in at most <paramref name="columns"/> columns: when they do not all fit, the
    /// least urgent go first (the workspace name, then the agent total, …); what needs a person
    /// and a reading problem stay to the last.
    /// </summary>
    public string Summary(int columns)
    {
        if (Snapshot is not { } s) return "orc · reading…";
        var attention = NeedYou(s);
        var unread = s.Inbox.Count(m => m.ReadAt is null);
        var review = ToReview(s);
        // (text, keep rank: higher stays longer), in the order shown.
        var parts = new List<(string Text, int Keep)>
        {
            (Path.GetFileName(s.Workspace.TrimEnd('/')), 0),
            (Core.Text.Plural.Of(s.Agents.Count(a => a.State is not ("done" or "stopped")), "agent"), 1),
            ($"{s.Count("working")} working", 4),
        };
        if (attention > 0) parts.Add(($"{attention} need you", 8));
        if (review > 0) parts.Add(($"{review} to review", 5));
        parts.Add(($"mq {s.Queue.Count(q => q.IsOpen)}", 3));
        parts.Add(($"✉ {unread}", 2));
        if (!s.TmuxRunning) parts.Add(("tmux off", 6));
        if (s.Problems.Count > 0) parts.Add(($"⚠ {s.Problems[0]}", 7));
        string Join() => string.Join(" · ", parts.Select(p => p.Text));
        while (parts.Count > 1 && Join().GetColumns() > columns)
            parts.Remove(parts.MinBy(p => p.Keep));
        return Join();
    }

    /// <summary>Agents waiting, stuck, looping, failing on model errors or dead: each wants a person.</summary>
    /// <summary>Submissions waiting for a person's review (<c>land: review</c>).</summary>
    private static int ToReview(FleetSnapshot s) => s.Queue.Count(q => q.State == Core.Merging.SubmissionStates.Review);

    private static int NeedYou(FleetSnapshot s) => s.Count("waiting") + s.Count("stuck") + s.Count("looping") + s.Count("error") + s.Count("dead");

    protected override bool OnDrawingContent(DrawContext? context)
    {
        var width = Viewport.Width;
        Move(0, 0);
        SetAttribute(Message.Length > 0 ? (_messageIsError ? Palette.State("dead") : Palette.StatusKey) : Palette.StatusBar);
        // The keys of the focused pane come first; the summary gets what is left (at least a third,
        // half when something needs a person or waits for review, so that count is never cut off at 80 columns).
        var urgent = Snapshot is { } snap && (NeedYou(snap) > 0 || ToReview(snap) > 0 || snap.Problems.Count > 0);
        var keysBudget = urgent ? width / 2 : width * 2 / 3;
        // "? help" and "q quit" always show; the pane's keys get the room between them, in order.
        static int Width(KeyHelp k) => k.Keys.Length + k.What.Length + 3;
        KeyHelp help = new("?", "help"), quit = new("q", "quit");
        var chosen = new List<KeyHelp>();
        var keysWidth = 0;
        // A message (what a verb did, a warning) gets the whole line while it lasts.
        if (Message.Length == 0)
        {
            keysWidth = Width(help) + Width(quit);
            foreach (var k in Keys)
            {
                if (keysWidth + Width(k) > keysBudget) continue;
                chosen.Add(k);
                keysWidth += Width(k);
            }
            chosen.Insert(0, help);
            chosen.Add(quit);
        }
        var parts = chosen.Select(k => (k.Keys, k.What)).ToList();
        var room = Math.Max(1, width - keysWidth - 1);
        var left = Message is { Length: > 0 } m ? m : Summary(room - 1);
        var leftText = ListPane.Fit(" " + left, room);
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
