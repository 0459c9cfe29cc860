using LibGit2Sharp;
using Orchestrator.Core;
using Orchestrator.Core.Items;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>
/// <c>orc sim-agent</c>: a simulated coding agent, so the whole loop runs without an AI CLI. It
/// reads its hook, writes a real change in its worktree (a line in each of the item's files, or
/// notes/ITEM.md), commits it with the item id, and runs <c>orc done</c>. Labels make it
/// misbehave on purpose: sim:slow, sim:crash, sim:hang, sim:loop, sim:ask, sim:touch=PATH.
/// </summary>
public sealed class SimAgent(WorkService work, LedgerService ledger)
{
    public int Run(TextWriter output, TextReader input, Func<TimeSpan, bool>? sleep = null)
    {
        sleep ??= t => { Thread.Sleep(t); return true; };
        var hook = work.MyHook(null);
        var item = ledger.Read().Get(hook.Item ?? throw new OrcException("sim: no item on my hook"));
        var labels = item.Labels;
        bool Has(string l) => labels.Contains(l);
        var step = Has("sim:slow") ? TimeSpan.FromSeconds(3) : TimeSpan.FromMilliseconds(100);
        output.WriteLine($"sim: working on {item.Id} (step 1 of 3)");
        sleep(step);
        if (Has("sim:crash")) { output.WriteLine("sim: crashing on purpose"); return 70; }
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
        var changed = WriteChange(hook.Worktree, hook.Agent, item, labels);
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

    private static List<string> WriteChange(string worktree, string agent, WorkItem item, List<string> labels)
    {
        var targets = item.Files.Where(f => !f.EndsWith('/')).ToList();
        targets.AddRange(labels.Where(l => l.StartsWith("sim:touch=", StringComparison.Ordinal)).Select(l => l["sim:touch=".Length..]));
        if (targets.Count == 0) targets.Add($"notes/{item.Id}.md");
        var root = Path.GetFullPath(worktree);
        var written = new List<string>();
        foreach (var rel in targets.Distinct())
        {
            var full = Path.GetFullPath(Path.Combine(root, rel));
            if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue; // never outside the worktree
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.AppendAllText(full, $"{item.Id}: {item.Title} (by {agent})\n");
            written.Add(Path.GetRelativePath(root, full).Replace('\\', '/'));
        }
        return written;
    }
}
