using Orchestrator.Core.Items;
using Orchestrator.Core.Mail;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>The overseer's inbox (the user's), newest first; unread messages marked. Row keys are message ids.</summary>
internal sealed class MailPane() : ListPane("mail", "Mail")
{
    public override IReadOnlyList<PaneBinding> Bindings { get; } =
    [
        PaneBinding.On<MailSelection>("Enter", "read", (v, s) =>
        {
            Message? read = null;
            v.Do("reading", () => { read = v.Actions.Read(s.Message.Id); return ""; }, then: () =>
            {
                if (read is not { } m) return;
                v.Show(m.Subject, $"from: {m.From}\nto: {m.To}\nsent: {m.SentAt}" + (m.Item is { } it ? $"\nitem: {it}" : "") + "\n\n" + (m.Body ?? ""));
            });
        }, "select a message"),
        PaneBinding.On<MailSelection>("r", "reply", (v, s) => v.Form("reply", [new FormField("body", "reply")], f => v.Actions.Reply(s.Message.Id, f["body"])),
            "select a message"),
        PaneBinding.On<MailSelection>("a", "archive", (v, s) => v.Do("archiving", () => v.Actions.Archive(s.Message.Id)), "select a message"),
        PaneBinding.Always("m", "new mail", v => Compose(v, "")),
    ];

    /// <summary>A box for a new message to <paramref name="to"/> (empty: the user names the box).</summary>
    public static void Compose(IPaneVerbs v, string to) =>
        v.Form("new mail", [new FormField("to", "to", to), new FormField("subject", "subject"), new FormField("body", "body")],
            f => v.Actions.Send(f["to"], f["subject"], f["body"]));

    protected override bool NewestFirst => true;

    public override string? FilterHelp => "sender, subject or item";

    protected override string TitleDetail => Snapshot is { } s && s.Inbox.Count(m => m.ReadAt is null) is var n and > 0 ? $"({n} unread)" : "";

    protected override List<Row> BuildRows(FleetSnapshot s, string filter)
    {
        var rows = new List<Row>();
        foreach (var m in s.Inbox.OrderByDescending(m => m.SentAt, StringComparer.Ordinal))
        {
            if (filter.Length > 0 && !$"{m.From} {m.Subject} {m.Item}".Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var unread = m.ReadAt is null;
            rows.Add(Row.Of(m.Id, new MailSelection(m),
                new Span(unread ? "● " : "  ", Palette.State("waiting")),
                new Span(Pad(Age(m.SentAt, s.TakenAt), 4) + " ", Palette.Dim),
                new Span(Pad(m.From, 12) + " ", unread ? Palette.Title : Palette.Normal),
                new Span(m.Subject, unread ? Palette.Title : Palette.Normal)));
        }
        return rows;
    }

    protected override string EmptyText => "no mail";

    /// <summary>How long ago, in the largest whole unit: 12s, 5m, 3h, 2d.</summary>
    public static string Age(string? at, DateTimeOffset now)
    {
        if (!Timestamps.TryParse(at, out var t)) return "";
        var d = now - t;
        if (d.TotalSeconds < 60) return $"{Math.Max(0, (int)d.TotalSeconds)}s";
        if (d.TotalMinutes < 60) return $"{(int)d.TotalMinutes}m";
        if (d.TotalHours < 48) return $"{(int)d.TotalHours}h";
        return $"{(int)d.TotalDays}d";
    }
}
