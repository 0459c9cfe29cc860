using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Merging;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Actions;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Panes;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Views;

internal sealed partial class FleetWindow
{
    /// <summary>
    /// Keys the focused pane did not use: moving between panes, the global keys, then the
    /// one-letter verbs of the focused pane's selection. Printable keys are matched as the
    /// character typed, so <c>K</c> (kill) and <c>k</c> (up) differ as the help says.
    /// </summary>
    protected override bool OnKeyDown(Key key)
    {
        // Esc goes back one step wherever the focus is: the box on top, else the prompt, else the
        // pane's filter or the first pane. It is always taken here, so it never quits the TUI.
        if (key == Key.Esc)
        {
            if (_overlay is not null) _overlay.Close();
            else if (Prompt.IsOpen) Prompt.Cancel();
            else Back();
            return true;
        }
        if (_overlay is not null || Prompt.IsOpen) return false;
        if (key == Key.Tab) { Cycle(1); return true; }
        if (key == Key.Tab.WithShift) { Cycle(-1); return true; }
        if (key == Key.F5 || key == Key.L.WithCtrl) { Host.Refresh(); Status.Say("refreshing"); return true; }
        var ch = Char(key);
        if (ch is >= '1' and <= '9') { FocusNumber(ch.Value - '0'); return true; }
        switch (ch)
        {
            case 'q': AskQuit(); return true;
            case 'Q': Host.Quit(); return true;
            case '?': ShowHelp(); return true;
            case '/': OpenFilter(); return true;
            case ':': OpenPalette(); return true;
            case 'L': NextLayout(); return true;
            case 'T': NextTheme(); return true;
            case 'z': ToggleZoom(); return true;
        }
        if (key == Key.Enter) return Enter();
        return ch is not null && Verb(ch.Value);
    }

    /// <summary>
    /// <c>q</c>: quits at once when nothing runs; while agents run (they go on running, out of
    /// sight) or when this is the demo's TUI (quitting ends the demo) it asks first, unless
    /// <c>tui.confirm_quit</c> is off. <c>Q</c> never asks.
    /// </summary>
    private void AskQuit()
    {
        var running = _snapshot?.Agents.Count(a => a.PaneId is not null && a.State is not (AgentStates.Dead or AgentStates.Stopped or AgentStates.Done)) ?? 0;
        if (!Host.ConfirmQuit || (running == 0 && Host.Demo is null)) { Host.Quit(); return; }
        var question = Host.Demo is { } demo
            ? "Quit? This ends the demo: its agents and its tmux server are stopped" +
              (demo == Services.Demo.DemoScenario.TuiKeeps ? " (its workspace is kept)." : " and its workspace is removed.")
            : $"Quit the TUI? {running} agent{(running == 1 ? " is" : "s are")} running; {(running == 1 ? "it keeps" : "they keep")} running ('orc down' stops them).";
        Confirm(question, Host.Quit);
    }

    /// <summary>The character a key types, if it types one (no Ctrl or Alt).</summary>
    internal static char? Char(Key key)
    {
        if (key.IsCtrl || key.IsAlt) return null;
        var rune = key.AsRune;
        return rune.Value is >= 32 and < 127 ? (char)rune.Value : null;
    }

    private void Cycle(int direction)
    {
        var visible = _panes.Where(p => p.Visible).ToList();
        if (visible.Count == 0) return;
        var at = visible.FindIndex(p => p.HasFocus);
        visible[(at + direction + visible.Count) % visible.Count].SetFocus();
        FollowSelection();
    }

    private void FocusNumber(int n)
    {
        // Zoomed, a number zooms that pane instead.
        if (_zoomed is not null && _panes.FirstOrDefault(p => p.Number == n) is { } z) { Zoom(z); z.SetFocus(); FollowSelection(); return; }
        if (_panes.FirstOrDefault(p => p.Number == n && p.Visible) is { } p) { p.SetFocus(); FollowSelection(); }
        else Status.Say($"this layout has no pane {n}", error: true);
    }

    /// <summary>
    /// <c>z</c>: the focused pane takes the whole screen (the status line stays), <c>z</c> or Esc
    /// goes back to the layout. A small terminal can still show every pane, one at a time.
    /// </summary>
    private void ToggleZoom()
    {
        if (_zoomed is not null) { Zoom(null); return; }
        if (FocusedPane is not { } pane) return;
        Zoom(pane);
        Status.Say($"{pane.BaseTitle} zoomed: z or Esc goes back, 1-9 zooms another pane");
    }

    /// <summary>Esc: clears the focused pane's filter, leaves the zoom, or goes back to the layout's first pane.</summary>
    private void Back()
    {
        if (FocusedPane is { Filter.Length: > 0 } p) { p.SetFilter(""); return; }
        if (_zoomed is not null) { Zoom(null); return; }
        Focus(_layout.FocusedPane);
    }

    private void OpenFilter()
    {
        if (FocusedPane is not { } pane) return;
        if (pane.FilterHelp is null) { Status.Say($"the {pane.BaseTitle} pane has no filter", error: true); return; }
        var before = pane.Filter;
        Prompt.Open("/", before,
            accept: f => { pane.SetFilter(f); pane.SetFocus(); },
            cancel: () => { pane.SetFilter(before); pane.SetFocus(); },
            changed: f => pane.SetFilter(f),
            hint: "filter: " + pane.FilterHelp);
    }

    private void NextLayout()
    {
        var names = Host.Layouts.Names().ToList();
        var next = names.Count == 0 ? LayoutSpec.DefaultName : names[(names.IndexOf(_chosen.Name) + 1) % names.Count];
        var (spec, warning) = Host.Layouts.Load(next);
        UseLayout(spec);
        Status.Say(warning ?? $"layout {spec.Name}", error: warning is not null);
    }

    private string _themeName = ThemeSpec.DefaultName;

    public string ThemeName { get => _themeName; set => _themeName = value; }

    private void NextTheme()
    {
        var names = Host.Themes.Names().ToList();
        var next = names.Count == 0 ? ThemeSpec.DefaultName : names[(names.IndexOf(_themeName) + 1) % names.Count];
        var (spec, warning) = Host.Themes.Load(next);
        _themeName = spec.Name;
        UsePalette(TuiPalette.From(spec, Host.Sixteen));
        Status.Say(warning ?? $"theme {spec.Name}", error: warning is not null);
    }

    private FleetAgent? SelectedAgent =>
        FocusedPane?.SelectedKey is { } k && k.StartsWith("agent:", StringComparison.Ordinal) ? _snapshot?.Agents.FirstOrDefault(a => a.Name == k[6..]) : null;

    private string? SelectedItem => FocusedPane switch
    {
        ItemsPane p => p.SelectedKey,
        DetailsPane d => d.ItemId,
        _ => SelectedAgent?.Hook.Item,
    };

    private bool Enter()
    {
        var pane = FocusedPane;
        var key = pane?.SelectedKey;
        switch (pane)
        {
            case RigsPane or TilesPane when SelectedAgent is { } a:
                Host.Attach(new AttachTarget(a.Rig, a.Name, a.Name));
                return true;
            case RigsPane when key?.StartsWith("service:", StringComparison.Ordinal) == true:
                var svc = _snapshot?.Services.FirstOrDefault(s => "service:" + s.Name == key);
                if (svc is null) return true;
                var window = svc.Window ?? svc.Name;
                if (!svc.Alive) { Status.Say($"{svc.Name} is {svc.State}{(svc.Error is { } e ? ": " + e : "")} ('orc up' starts it)", error: true); return true; }
                Host.Attach(new AttachTarget(Orchestrator.Services.Patrol.ServiceLauncher.Session, window, svc.Name));
                return true;
            case ItemsPane when key is not null:
                if (!Focus(PaneKinds.Details)) ShowItemText(key);
                return true;
            case DetailsPane { ItemId: { } shown }:
                ShowItemText(shown); // all of it: every description line and comment
                return true;
            case MailPane when key is not null:
                Do("reading", () =>
                {
                    var m = Host.Actions.Read(key);
                    Host.OnUi(() => ShowOverlay(new TextOverlay($"{m.Subject}",
                        $"from: {m.From}\nto: {m.To}\nsent: {m.SentAt}" + (m.Item is { } it ? $"\nitem: {it}" : "") + "\n\n" + (m.Body ?? ""), Viewport.Width, Viewport.Height, wrap: true)));
                    return "";
                });
                return true;
            case ConvoysPane when key is not null && _snapshot?.Convoys.FirstOrDefault(c => c.Convoy.Name == key) is { } c:
                ShowOverlay(new TextOverlay($"convoy {c.Convoy.Name}", ConvoyText(c), Viewport.Width, Viewport.Height));
                return true;
            case ReviewPane when key is not null:
                OpenReview(key);
                return true;
            case QueuePane when key is not null && _snapshot?.Queue.FirstOrDefault(q => "mq:" + q.Rig + "/" + q.Item == key && q.State == SubmissionStates.Review) is { } waiting:
                OpenReview(waiting.Item);
                return true;
            case QueuePane when key is not null && _snapshot?.Queue.FirstOrDefault(q => "mq:" + q.Rig + "/" + q.Item == key) is { } q:
                ShowOverlay(new TextOverlay($"submission {q.Item}",
                    $"item: {q.Item}\nrig: {q.Rig}\nagent: {q.Agent}\nbranch: {q.Branch}\nstate: {q.State}\nsubmitted: {q.SubmittedAt}\ncommits: {string.Join(", ", q.Commits.Select(x => x.Length > 10 ? x[..10] : x))}" +
                    (q.Landed is { } l ? $"\nlanded: {l}" : "") + (q.Reason is { } r ? $"\nreason: {r}" : "") + (q.Details is { } d ? $"\n\n{d}" : ""), Viewport.Width, Viewport.Height, wrap: true));
                return true;
            case FeedPane when key is not null:
                var idx = int.Parse(key.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (_snapshot is { } s && idx < s.Events.Count)
                {
                    var e = s.Events[idx];
                    ShowOverlay(new TextOverlay($"event {e.Kind}", $"at: {e.At}\nsource: {e.Source}\nkind: {e.Kind}\nsubject: {e.Subject}\n" + (e.Tag is { } tag ? $"tag: {tag}\n" : "") + $"\n{e.Text}", Viewport.Width, Viewport.Height, wrap: true));
                }
                return true;
        }
        return false;
    }

    private static string ConvoyText(FleetConvoy c)
    {
        var p = c.Progress;
        var lines = new List<string>
        {
            $"{c.Convoy.Name}{(c.Convoy.Title is { } t ? " — " + t : "")}   {c.Convoy.State}",
            $"{ConvoyRules.Bar(p, 30)}  {p.Count(ProgressStates.Done)}/{p.Items.Count} done, {p.Count(ProgressStates.InFlight)} in flight, {p.Count(ProgressStates.Ready)} ready, {p.Count(ProgressStates.Blocked)} blocked",
            "",
        };
        foreach (var i in p.Items)
            lines.Add($"  {i.State,-9} {i.Id,-12} {i.Rig ?? "-",-8} {i.Title}" + (i.BlockedBy.Count > 0 ? $"  (after {string.Join(", ", i.BlockedBy)})" : ""));
        if (p.Rigs.Count > 0)
        {
            lines.Add("");
            foreach (var r in p.Rigs) lines.Add($"  {r.Rig}: {r.Done} done, {r.InFlight} in flight, {r.Ready} ready, {r.Blocked} blocked");
        }
        if (c.Convoy.LandedAt is { } landed) lines.Add($"\nlanded {landed}");
        return string.Join('\n', lines);
    }

    private void ShowItemText(string id)
    {
        if (_snapshot is not { } s || s.Ledger.Find(id) is not { } item) return;
        var text = string.Join('\n', ItemText.Lines(s, item, Palette.Default, whole: true).Select(l => l.Text));
        ShowOverlay(new TextOverlay(item.Id, text, Viewport.Width, Viewport.Height, wrap: true));
    }

    /// <summary>The one-letter verbs of the focused pane.</summary>
    private bool Verb(char ch)
    {
        var pane = FocusedPane;
        var agent = SelectedAgent;
        var item = SelectedItem;
        switch (pane, ch)
        {
            case (RigsPane or TilesPane, 'n') when agent is not null:
                Form($"nudge {agent.Name}", [new FormField("text", "message")], f => Host.Actions.Nudge(agent.Name, f["text"]));
                return true;
            case (RigsPane or TilesPane, 'K') when agent is not null:
                Confirm($"Stop {agent.Name} ({agent.Hook.Item ?? "no item"})? Its worktree and hook are kept.", () => Do("stopping", () => Host.Actions.Kill(agent.Name)));
                return true;
            case (RigsPane or TilesPane, 'R') when agent is not null:
                Do("resuming", () => Host.Actions.Resume(agent.Name));
                return true;
            case (RigsPane or TilesPane, 'm') when agent is not null:
                Compose(agent.Name);
                return true;
            case (ItemsPane or DetailsPane, 'n'):
                Form("new item", [new FormField("title", "title"), new FormField("type", "type", "task"), new FormField("priority", "priority", "2"),
                    new FormField("labels", "labels"), new FormField("depends", "depends on"), new FormField("files", "owns files"),
                    new FormField("parent", "parent"), new FormField("description", "description")],
                    f => Host.Actions.Create(f));
                return true;
            case (ItemsPane or DetailsPane, 'e') when item is not null && _snapshot?.Ledger.Find(item) is { } it:
                Form($"edit {it.Id}", [new FormField("title", "title", it.Title), new FormField("status", "status", it.Status),
                    new FormField("priority", "priority", "P" + it.Priority), new FormField("assignee", "assignee", it.Assignee ?? ""),
                    new FormField("labels", "labels", string.Join(", ", it.Labels)), new FormField("description", "description", (it.Description ?? "").Replace("\n", " "))],
                    f => Host.Actions.Edit(it.Id, f));
                return true;
            case (ItemsPane or DetailsPane, 'c') when item is not null:
                Form($"comment on {item}", [new FormField("text", "comment")], f => Host.Actions.Comment(item, f["text"]));
                return true;
            case (ItemsPane or DetailsPane, 'x') when item is not null:
                Confirm($"Close {item}?", () => Do("closing", () => Host.Actions.Close(item, "closed from the TUI")));
                return true;
            case (ItemsPane or DetailsPane, 'o') when item is not null:
                Do("reopening", () => Host.Actions.Reopen(item));
                return true;
            case (ItemsPane or DetailsPane, 's') when item is not null:
                Form($"sling {item}", [new FormField("rig", "rig (empty: from the id)")], f => Host.Actions.Sling(item, f["rig"]));
                return true;
            case (MailPane, 'r') when pane.SelectedKey is { } id:
                Form("reply", [new FormField("body", "reply")], f => Host.Actions.Reply(id, f["body"]));
                return true;
            case (MailPane, 'a') when pane.SelectedKey is { } id:
                Do("archiving", () => Host.Actions.Archive(id));
                return true;
            case (MailPane, 'm'):
                Compose("");
                return true;
            case (ReviewPane, 'a') when pane.SelectedKey is { } waiting:
                AskApprove(waiting, null);
                return true;
            case (ReviewPane, 'r') when pane.SelectedKey is { } waiting:
                AskReject(waiting, null);
                return true;
        }
        return false;
    }

    private void Compose(string to) =>
        Form("new mail", [new FormField("to", "to", to), new FormField("subject", "subject"), new FormField("body", "body")],
            f => Host.Actions.Send(f["to"], f["subject"], f["body"]));

    private void Form(string title, IReadOnlyList<FormField> fields, Func<IReadOnlyDictionary<string, string>, string> submit) =>
        ShowOverlay(new FormOverlay(title, fields, values => Do(title, () => submit(values)), Viewport.Width));

    private void Confirm(string question, Action yes) => ShowOverlay(new ConfirmOverlay(question, yes));

    /// <summary>
    /// Runs a verb off the UI thread; its sentence (or error) goes to the status line, then the view
    /// refreshes. <paramref name="then"/> runs on the UI thread when it worked.
    /// </summary>
    private void Do(string what, Func<string> action, Action? then = null)
    {
        Status.Say(what + "…", seconds: 60);
        Host.Background(() =>
        {
            string message;
            var error = false;
            try { message = action(); }
            catch (OrcException ex) { message = ex.Message; error = true; }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                message = $"{what} failed: {ex.Message}";
                error = true;
            }
            Host.OnUi(() =>
            {
                if (message.Length > 0) Status.Say(message, error); else Status.Say("", seconds: 0);
                if (!error) then?.Invoke();
                Host.Refresh();
            });
        });
    }
}
