using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Actions;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Panes;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Views;

internal sealed partial class FleetWindow
{
    /// <summary>
    /// Keys the focused pane did not use: moving between panes, the global keys, then the focused
    /// pane's bindings (<see cref="ListPane.Bindings"/>). Printable keys are matched as the
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
        return Dispatch(key, ch);
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

    /// <summary>
    /// The focused pane's binding for the key, if it has one: run with the pane's selection, or,
    /// when the selection is not what the key acts on, the reason on the status line.
    /// </summary>
    private bool Dispatch(Key key, char? typed)
    {
        if (FocusedPane is not { } pane) return false;
        var binding = pane.Bindings.FirstOrDefault(b => b.IsKey(key, typed));
        if (binding is null) return false;
        var selected = pane.Selected;
        if (binding.WhyNot(selected) is { } why) Status.Say($"{binding.Keys} ({binding.What}): {why}", error: true);
        else binding.Run!(this, selected);
        return true;
    }

    FleetSnapshot? IPaneVerbs.Snapshot => _snapshot;

    FleetActions IPaneVerbs.Actions => Host.Actions;

    void IPaneVerbs.Attach(AttachTarget target) => Host.Attach(target);

    void IPaneVerbs.Show(string title, string text, bool wrap) => ShowOverlay(new TextOverlay(title, text, Viewport.Width, Viewport.Height, wrap));

    void IPaneVerbs.Say(string message, bool error) => Status.Say(message, error);

    void IPaneVerbs.ShowItem(string id, bool inBox)
    {
        if (!inBox && Focus(PaneKinds.Details)) return;
        if (_snapshot is not { } s || s.Ledger.Find(id) is not { } item) return;
        var text = string.Join('\n', ItemText.Lines(s, item, Palette.Default, whole: true).Select(l => l.Text));
        ShowOverlay(new TextOverlay(item.Id, text, Viewport.Width, Viewport.Height, wrap: true));
    }

    void IPaneVerbs.OpenReview(string item) => OpenReview(item);

    void IPaneVerbs.AskApprove(string item) => AskApprove(item, null);

    void IPaneVerbs.AskReject(string item) => AskReject(item, null);

    public void Form(string title, IReadOnlyList<FormField> fields, Func<IReadOnlyDictionary<string, string>, string> submit) =>
        ShowOverlay(new FormOverlay(title, fields, values => Do(title, () => submit(values)), Viewport.Width));

    public void Confirm(string question, Action yes) => ShowOverlay(new ConfirmOverlay(question, yes));

    /// <summary>
    /// Runs a verb off the UI thread; its sentence (or error) goes to the status line, then the view
    /// refreshes. <paramref name="then"/> runs on the UI thread when it worked.
    /// </summary>
    public void Do(string what, Func<string> action, Action? then = null)
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
