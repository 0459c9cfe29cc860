using LibGit2Sharp;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Items;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>
/// <c>orc sim-agent</c>: a simulated coding agent, so the whole loop runs without an AI CLI. It
/// reads its hook, writes a real change in its worktree (a line in each of the item's files, or
/// notes/ITEM.md), commits it with the item id, and runs <c>orc done</c>. Labels make it
/// misbehave on purpose: sim:slow, sim:crash, sim:crash-once, sim:hang, sim:loop, sim:ask, sim:touch=PATH;
/// sim:idle makes it wait at a prompt instead (after sim:busy=SECONDS of work), reading its mail when told to,
/// and running 'orc handoff --note TEXT' when told "handoff: TEXT" (its next session says what note it found in its prime).
/// A crew member or the mayor waits at its prompt between items (see <see cref="Persistent"/>).
/// Restarted on work the refinery returned for a conflict, it merges the rig's main into its
/// branch (keeping both sides of each conflicting hunk, as its one-line changes allow) and submits again.
/// </summary>
public sealed class SimAgent(WorkService work, LedgerService ledger, Mail.MailService mail, RuntimeContext runtime)
{
    /// <summary>The label that makes it write to a path of its choosing besides the item's files: sim:touch=PATH.</summary>
    public const string TouchLabel = "sim:touch=";

    /// <summary>The mark a sim:crash-once agent leaves in its worktree's git directory when it crashes.</summary>
    public const string CrashMark = "orc-sim-crashed";

    public int Run(TextWriter output, TextReader input, Func<TimeSpan, bool>? sleep = null)
    {
        sleep ??= t => { Thread.Sleep(t); return true; };
        var hook = work.MyHook(null);
        if (Core.Agents.Roles.IsPersistent(hook.Role)) return Persistent(output, input, hook, sleep);
        if (hook.Role == Core.Agents.Roles.Reviewer) return Review(output, hook, sleep);
        return Work(output, input, hook, sleep);
    }

    /// <summary>
    /// A crew member or the mayor: it outlives its work. It does the item it holds, if any, then
    /// waits at its prompt; each line typed is handled (a line that mentions mail makes it read its
    /// unread mail), and a new item on its hook (a prompt typed by 'orc sling --crew') is worked.
    /// </summary>
    private int Persistent(TextWriter output, TextReader input, Core.Agents.Hook hook, Func<TimeSpan, bool> sleep)
    {
        var log = new List<string>();
        while (true)
        {
            // Active: new work, or work the refinery gave back. Done moves the hook on, so the
            // next look (after a line is typed) does not work the same item twice.
            if (hook.State == Core.Agents.HookStates.Active && hook.Item is { } id)
            {
                var code = Work(output, input, hook, sleep);
                if (code != 0) return code;
                log.Add($"sim: finished {id}");
            }
            output.Write("\u001b[H\u001b[2J\u001b[3J");
            foreach (var l in log.TakeLast(10)) output.WriteLine(l);
            output.WriteLine($"sim: idle at the prompt ({(hook.Role == Core.Agents.Roles.Mayor ? "the mayor" : $"{hook.Role} {hook.Agent}")}; type a line)");
            output.Flush();
            var line = input.ReadLine();
            if (line is null) return 0;
            output.WriteLine($"sim: working: handling '{Core.Text.TerminalText.Line(line)}'");
            output.Flush();
            log.Add($"sim: got '{Core.Text.TerminalText.Line(line)}'");
            if (line.Contains("mail", StringComparison.OrdinalIgnoreCase))
                foreach (var m in mail.Unread(hook.Agent))
                {
                    mail.Read(hook.Agent, m.Id);
                    log.Add($"sim: read mail {m.Id} from {Core.Text.TerminalText.Line(m.From)}: {Core.Text.TerminalText.Line(m.Subject)}");
                }
            hook = work.MyHook(null);
            sleep(TimeSpan.FromMilliseconds(300));
        }
    }

    /// <summary>The label that sets the sim reviewer's verdict or misbehaviour: sim:review=approve|changes|crash|hang.</summary>
    public const string ReviewLabel = "sim:review=";

    /// <summary>
    /// A reviewer (rig setting review_agent): reads its prime and the candidate in its worktree, then
    /// reports as a real reviewer would, through the CLI: one <c>orc item comment</c> per file the
    /// candidate changes, then <c>orc review note</c> with the verdict the item's sim:review= label
    /// asks for (approve by default). sim:review=crash ends without a verdict; sim:review=hang never answers.
    /// </summary>
    private int Review(TextWriter output, Core.Agents.Hook hook, Func<TimeSpan, bool> sleep)
    {
        var item = ledger.Read().Get(hook.Item ?? throw new OrcException("sim: no item on my hook"));
        var wish = item.Labels.Where(l => l.StartsWith(ReviewLabel,
            StringComparison.Ordinal)).Select(l => l[ReviewLabel.Length..]).LastOrDefault() ?? "approve";
        var prime = work.Prime(null);
        output.WriteLine($"sim: working: reviewing {item.Id} ({prime.Split('\n').Count(l => l.StartsWith("### ", StringComparison.Ordinal))} steps to follow)");
        output.Flush();
        sleep(TimeSpan.FromMilliseconds(100));
        if (wish == "crash") { output.WriteLine("sim: crashing on purpose before my verdict"); return 70; }
        if (wish == "hang") { while (sleep(TimeSpan.FromSeconds(60))) { } return 0; }
        // What a reader sees in the detached worktree: the files the candidate changed since the main it was built on.
        var files = RigRepository.ChangedFiles(runtime.Workspace.Paths.RigDir(hook.Rig), hook.BaseCommit, RigRepository.HeadOf(hook.Worktree), null);
        string Orc(params string[] args)
        {
            var r = Adapters.Processes.CommandRunner.Run([.. runtime.SelfArgv, .. args], hook.Worktree, new Dictionary<string, string?>(),
                TimeSpan.FromSeconds(120));
            var said = Core.Text.TerminalText.Line(r.Tail.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "");
            output.WriteLine($"sim: orc {args[0]} {args[1]} (exit {r.ExitCode}): {said}");
            return said;
        }
        foreach (var f in files.Take(5)) Orc("item", "comment", item.Id, $"{f}: read by the sim reviewer; looks {(wish == "changes" ? "incomplete" : "fine")}");
        var verdict = wish == "changes" ? "changes" : "approve";
        Orc("review", "note", item.Id, "--verdict", verdict, "--text",
            $"sim review of {Core.Text.Plural.Of(files.Count, "changed file")}: {(verdict == "approve" ? "nothing to fix" : "needs a test")}");
        output.WriteLine($"sim: done reviewing {item.Id}: {verdict}");
        return 0;
    }

    /// <summary>Works the item on the hook: a change, a commit, <c>orc done</c> (or the misbehaviour its labels ask for).</summary>
    private int Work(TextWriter output, TextReader input, Core.Agents.Hook hook, Func<TimeSpan, bool> sleep)
    {
        var item = ledger.Read().Get(hook.Item ?? throw new OrcException("sim: no item on my hook"));
        var labels = item.Labels;
        bool Has(string l) => labels.Contains(l);
        var step = Has("sim:slow") ? TimeSpan.FromSeconds(3) : TimeSpan.FromMilliseconds(100);
        if (Has("sim:idle")) return Idle(output, input, hook, labels, sleep);
        output.WriteLine($"sim: working on {item.Id} (step 1 of 3)");
        sleep(step);
        if (Has("sim:crash")) { output.WriteLine("sim: crashing on purpose"); return 70; }
        if (Has("sim:crash-once") && FirstRun(hook)) { output.WriteLine("sim: crashing on purpose (only this once)"); return 70; }
        if (Returned(hook, item.Id) is { } reason)
        {
            output.WriteLine($"sim: working on {item.Id} again: the refinery returned it ({Core.Text.TerminalText.Line(reason)})");
            if (MergeMain(hook, output))
            {
                sleep(step);
                output.WriteLine($"sim: working on {item.Id} (rework): orc done");
                var again = work.Done(null, "reworked by the sim agent: merged main");
                output.WriteLine($"sim: done {item.Id} (submitted {again.Commit[..12]})");
                return 0;
            }
        }
        if (Has("sim:hang")) { while (sleep(TimeSpan.FromSeconds(60))) { } return 0; }
        if (Has("sim:loop"))
        {
            while (true)
            {
                output.WriteLine("sim: working: running the tests again\nerror: expected 2, got 3\nsim: trying the same fix");
                if (!sleep(TimeSpan.FromSeconds(1))) return 0;
            }
        }
        if (Has("sim:ask"))
        {
            output.WriteLine("sim: question: should I keep the old API? (answer and press Enter)");
            var answer = input.ReadLine();
            output.WriteLine($"sim: working with the answer '{Core.Text.TerminalText.Line(answer)}'");
        }
        output.WriteLine($"sim: working on {item.Id} (step 2 of 3)");
        var refused = new List<string>();
        var changed = WriteChange(hook.Worktree, hook.Agent, item, labels, refused);
        foreach (var why in refused) output.WriteLine($"sim: not writing: {Core.Text.TerminalText.Line(why)}");
        sleep(step);
        using (var repo = new Repository(hook.Worktree))
        {
            foreach (var path in changed) Commands.Stage(repo, path);
            var sig = new Signature(hook.Agent, $"{hook.Agent}@orc.local", DateTimeOffset.Now);
            repo.Commit($"{item.Id}: {item.Title}\n", sig, sig, new CommitOptions { PrettifyMessage = false });
        }
        output.WriteLine($"sim: working on {item.Id} (step 3 of 3): orc done");
        var submission = work.Done(null, "made by the sim agent");
        output.WriteLine($"sim: done {item.Id} (submitted {submission.Commit[..12]})");
        return 0;
    }

    /// <summary>
    /// An agent that waits at its prompt: busy first for sim:busy=SECONDS, then idle. Each line
    /// typed is handled (the screen shows it working), and a line that mentions mail makes it read
    /// its unread mail, as an agent told "run orc mail inbox" would; then it is idle again.
    /// </summary>
    private int Idle(TextWriter output, TextReader input, Core.Agents.Hook hook, List<string> labels, Func<TimeSpan, bool> sleep)
    {
        var busy = labels.Select(l => l.StartsWith("sim:busy=", StringComparison.Ordinal) && double.TryParse(l["sim:busy=".Length..],
            System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0).Max();
        if (busy > 0)
        {
            output.WriteLine($"sim: working on {hook.Item} (busy for {busy:0.#}s)");
            output.Flush();
            sleep(TimeSpan.FromSeconds(Math.Min(busy, 600)));
        }
        var log = new List<string>();
        if (HandoffNote(work.Prime(null)) is { } picked) log.Add($"sim: primed; the handoff note of my previous session says: {Core.Text.TerminalText.Line(picked)}");
        while (true)
        {
            // Redraw like an agent's TUI: the screen shows what it did, then its prompt.
            // Clear the screen and the scrollback, so the pane shows the prompt, not old work.
            output.Write("\u001b[H\u001b[2J\u001b[3J");
            foreach (var l in log.TakeLast(10)) output.WriteLine(l);
            output.WriteLine("sim: idle at the prompt (type a line)");
            output.Flush();
            var line = input.ReadLine();
            if (line is null) return 0;
            output.WriteLine($"sim: working: handling '{Core.Text.TerminalText.Line(line)}'");
            output.Flush();
            log.Add($"sim: got '{Core.Text.TerminalText.Line(line)}'");
            if (line.StartsWith("handoff", StringComparison.OrdinalIgnoreCase))
            {
                // As an agent whose context is full would: run 'orc handoff' (a process of its own), then wait to be replaced.
                var note = line["handoff".Length..].TrimStart(':', ' ');
                var outcome = Adapters.Processes.CommandRunner.Run([.. runtime.SelfArgv, "handoff", "--note", note], hook.Worktree, new Dictionary<string,
                    string?>(), TimeSpan.FromSeconds(60));
                log.Add($"sim: orc handoff (exit {outcome.ExitCode}): {Core.Text.TerminalText.Line(outcome.Tail.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "")}");
            }
            else if (line.Contains("mail", StringComparison.OrdinalIgnoreCase))
                foreach (var m in mail.Unread(hook.Agent))
                {
                    mail.Read(hook.Agent, m.Id);
                    log.Add($"sim: read mail {m.Id} from {Core.Text.TerminalText.Line(m.From)}: {Core.Text.TerminalText.Line(m.Subject)}");
                }
            sleep(TimeSpan.FromMilliseconds(300));
        }
    }

    /// <summary>The first line of the handoff note in a prime, if it has one.</summary>
    private static string? HandoffNote(string prime)
    {
        var lines = prime.Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith("## Handoff:", StringComparison.Ordinal));
        if (at < 0 || at + 2 >= lines.Length || lines[at + 1].Trim() != "Its note:") return null;
        return lines[at + 2].Trim();
    }

    /// <summary>
    /// True on a sim:crash-once agent's first run: its hook was never restarted and it left no
    /// crash mark in its worktree's git directory (a restart's count is written just after the
    /// restarted agent starts, so the mark is what a fast restart sees).
    /// </summary>
    private static bool FirstRun(Core.Agents.Hook hook)
    {
        if (hook.Restarts > 0) return false;
        using var repo = new Repository(hook.Worktree);
        var mark = Path.Combine(repo.Info.Path, CrashMark);
        if (File.Exists(mark)) return false;
        File.WriteAllText(mark, $"{hook.Agent} crashed on purpose at {DateTimeOffset.UtcNow:O}\n");
        return true;
    }

    /// <summary>Why the refinery returned this agent's submission for a conflict, if it did (null otherwise).</summary>
    private string? Returned(Core.Agents.Hook hook, string item) =>
        hook.SubmittedCommit is not null
        && runtime.Queue(hook.Rig).Find(item) is { State: Core.Merging.SubmissionStates.Rejected, Agent: var agent, Reason: { } reason } && agent == hook.Agent
        && (reason.StartsWith("conflicts with", StringComparison.Ordinal) || reason.StartsWith("leaves conflict markers", StringComparison.Ordinal))
            ? reason : null;

    /// <summary>
    /// Merges the rig's main into the worktree's branch, resolving conflicting hunks by keeping
    /// both sides (git's union merge). True when a merge commit was made; false when the branch
    /// already had main, or the merge could not be resolved (the worktree is then left as it was).
    /// </summary>
    private bool MergeMain(Core.Agents.Hook hook, TextWriter output)
    {
        var main = runtime.Rigs.Get(hook.Rig).DefaultBranch;
        switch (RigRepository.MergeUnion(hook.Worktree, main, hook.Agent))
        {
            case RigRepository.MergeOutcome.NoBranch:
                output.WriteLine($"sim: no branch {main} to merge");
                return false;
            case RigRepository.MergeOutcome.Merged:
                output.WriteLine($"sim: working: merged {main} into my branch (conflicting lines kept from both sides)");
                return true;
            case RigRepository.MergeOutcome.Conflicts or RigRepository.MergeOutcome.Dirty:
                output.WriteLine($"sim: cannot resolve the conflict with {main} by myself");
                return false;
            default:
                output.WriteLine($"sim: my branch already has {main}");
                return false;
        }
    }

    private static List<string> WriteChange(string worktree, string agent, WorkItem item, List<string> labels, List<string> refused, bool notesOnly = false)
    {
        var targets = notesOnly ? [] : item.Files.Where(f => !f.EndsWith('/')).Select(f => (Path: f, Source: "file")).ToList();
        if (!notesOnly) targets.AddRange(labels.Where(l => l.StartsWith(TouchLabel, StringComparison.Ordinal)).Select(l => (l[TouchLabel.Length..],
            TouchLabel[..^1])));
        if (targets.Count == 0) targets.Add(($"notes/{item.Id}.md", "notes"));
        var root = Path.GetFullPath(worktree);
        var written = new List<string>();
        foreach (var (rel, source) in targets.DistinctBy(t => t.Path))
        {
            string full;
            try
            {
                // The path rule every claim meets (no '..', not .git: the worktree's .git is what git needs), then
                // never outside the worktree, not even through a symlink.
                full = ConfinedPath.Resolve(root, WorkItemRules.File(rel, source));
            }
            catch (OrcException e) { refused.Add(e.Message); continue; }
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.AppendAllText(full, $"{item.Id}: {item.Title} (by {agent})\n");
            written.Add(Path.GetRelativePath(root, full).Replace('\\', '/'));
        }
        if (written.Count == 0 && refused.Count > 0) return WriteChange(worktree, agent, item, [], [], notesOnly: true);
        return written;
    }
}
