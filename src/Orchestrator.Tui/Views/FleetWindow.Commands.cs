using System.Text;
using Orchestrator.Core.Text;
using Orchestrator.Tui.Actions;

namespace Orchestrator.Tui.Views;

internal sealed partial class FleetWindow
{
    /// <summary>Every key, for the <c>?</c> overlay: the global ones, then each pane's.</summary>
    public string HelpText()
    {
        var sb = new StringBuilder();
        sb.AppendLine("Everywhere");
        foreach (var (k, what) in new[]
        {
            ("Tab / Shift-Tab", "next / previous pane"), ("1-9", "go to pane N (numbered in its title)"),
            ("j k / ↓ ↑", "move"), ("PgDn PgUp, Ctrl-D Ctrl-U", "page"), ("g G / Home End", "first / last"),
            ("Enter", "open: attach to an agent, show an item, read mail"), ("Esc", "back: close the box on top, clear the filter (never quits)"),
            ("/", "filter the focused pane (as you type; Enter keeps it, Esc drops it)"),
            (":", "command palette: any orc verb, e.g. :ready or :convoy show NAME"),
            ("  in its output box", "Ctrl-C stops the command, Esc stops it and closes; h l / ← → scroll sideways"),
            ("?", "this help"), ("z", "zoom: the focused pane alone on the screen (z or Esc: back)"), ("L", "next layout"), ("T", "next theme"), ("F5, Ctrl-L",
                "refresh now"),
            ("q", "quit (asks first while agents or the demo run)"), ("Q", "quit without asking"),
            ("F12 (in an agent's window)", "come back to the TUI"),
        })
            sb.AppendLine($"  {k,-26} {what}");
        foreach (var pane in _panes)
        {
            sb.AppendLine();
            sb.AppendLine($"{pane.Number} {pane.BaseTitle}" + (pane.FilterHelp is { } f ? $"   (/ filters: {f})" : ""));
            if (pane.Bindings.Count == 0) sb.AppendLine("  (moving and filtering only)");
            foreach (var k in pane.Bindings) sb.AppendLine($"  {k.Keys,-26} {k.What}");
        }
        sb.AppendLine();
        sb.AppendLine("Destructive verbs (K kill, x close) ask first: y confirms, n or Esc cancels.");
        sb.AppendLine("So do the : commands that stop or remove things:");
        foreach (var line in ConfirmOverlay.Wrap(string.Join(", ", RiskyCommands.Verbs) + ".", 72)) sb.AppendLine("  " + line);
        return sb.ToString();
    }

    private void ShowHelp() => ShowOverlay(new TextOverlay("keys (Esc closes)", HelpText(), Viewport.Width, Viewport.Height));

    /// <summary>
    /// <c>:</c> opens the command palette: the rest of the line is an orc command line (without
    /// <c>orc</c>), split like a shell would but never given to one. Tab completes the verb. It
    /// runs as a child orc on this workspace, its output shown in a box as it comes; verbs that
    /// stop or remove things ask first (<see cref="RiskyCommands"/>).
    /// </summary>
    private void OpenPalette()
    {
        var pane = FocusedPane;
        Prompt.Open(":", "",
            accept: line => { pane?.SetFocus(); RunCommand(line); },
            cancel: () => pane?.SetFocus(),
            changed: text => Prompt.SetHint(VerbHint(text)),
            hint: VerbHint(""),
            complete: text =>
            {
                var first = text.TrimStart().Split(' ')[0];
                if (text.TrimStart().Contains(' ')) return null;
                var matches = Host.Verbs.Where(v => v.Name.StartsWith(first, StringComparison.Ordinal)).Select(v => v.Name).ToList();
                if (matches.Count == 0) return null;
                var common = matches.Aggregate((a, b) => new string(a.Zip(b).TakeWhile(p => p.First == p.Second).Select(p => p.First).ToArray()));
                return matches.Count == 1 ? common + " " : common;
            });
    }

    /// <summary>The verbs that fit what is typed, or the one verb's help once only one does.</summary>
    private string VerbHint(string text)
    {
        var first = text.TrimStart().Split(' ')[0];
        var matches = Host.Verbs.Where(v => v.Name.StartsWith(first, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            0 when first.Length > 0 && "quit".StartsWith(first, StringComparison.Ordinal) => "quit: leave the TUI (asks as q does)",
            0 => $"no verb starts with '{first}'",
            1 => $"{matches[0].Name}: {matches[0].Help}",
            _ => "command: " + string.Join(" ", matches.Select(v => v.Name)),
        };
    }

    private void RunCommand(string line)
    {
        List<string> args;
        try { args = CommandWords.Split(line); }
        catch (FormatException ex) { Status.Say(": " + ex.Message, error: true); return; }
        if (args.Count == 0) { Status.Say("", seconds: 0); return; }
        if (args[0] is "q" or "quit") { AskQuit(); return; }
        if (args[0] == "attach" && args.Count == 2 && _snapshot?.Agents.FirstOrDefault(a => a.Name == args[1]) is { } agent)
        {
            Host.Attach(new AttachTarget(agent.Rig, agent.Name, agent.Name));
            return;
        }
        if (args[0] is "tui" or "demo")
        {
            Status.Say($"'{args[0]}' takes over the terminal; run it outside the TUI", error: true);
            return;
        }
        // What stops or removes things asks first, as its key does (K, x).
        if (RiskyCommands.Does(args) is { } does)
        {
            Confirm($"Run 'orc {line.Trim()}'? It {does}.", () => Start(line, args));
            return;
        }
        Start(line, args);
    }

    /// <summary>
    /// Runs the command as a child orc, its output going into a box as it comes (batched: the UI
    /// takes what arrived since it last looked). The box says how to stop it; closing the box
    /// stops it too. A command that printed nothing and succeeded closes its box by itself.
    /// </summary>
    private void Start(string line, List<string> args)
    {
        line = line.Trim();
        var box = new CommandOverlay(line, Viewport.Width, Viewport.Height);
        ShowOverlay(box);
        var pending = new List<string>();
        var flushing = false;
        void Arrived(string text)
        {
            lock (pending)
            {
                pending.Add(text);
                if (flushing) return;
                flushing = true;
            }
            Host.OnUi(Flush);
        }
        void Flush()
        {
            List<string> lines;
            lock (pending) { lines = [.. pending]; pending.Clear(); flushing = false; }
            if (lines.Count > 0) box.Append(lines);
        }
        Host.Background(() =>
        {
            var outcome = Host.Self.RunAsync(args, line: Arrived, cancel: box.Stopping).GetAwaiter().GetResult();
            Host.OnUi(() =>
            {
                Flush();
                box.Finished(outcome.ExitCode, outcome.Stopped);
                if (outcome.Stopped) box.Append(["", "(stopped)"]);
                var open = _overlay == box;
                if (open && box.Lines.Count == 0 && outcome.ExitCode == 0) box.Close();
                Status.Say(outcome.Stopped ? $"orc {line}: stopped" : outcome.ExitCode == 0 ? $"orc {line}: ok" : $"orc {line}: exit {outcome.ExitCode}",
                    error: !outcome.Stopped && outcome.ExitCode != 0);
                Host.Refresh();
            });
        });
    }
}
