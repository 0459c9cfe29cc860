using System.Text;
using Orchestrator.Adapters.Git;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Formulas;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Text;

namespace Orchestrator.Services.Runtime;

/// <summary>The prime of the assistive reviewer (rig setting <c>review_agent</c>).</summary>
public sealed partial class WorkService
{
    /// <summary>The formula whose steps tell a reviewer what to look for (a workspace's or rig's own of that name overrides the shipped one).</summary>
    public const string ReviewFormula = "code-review";

    /// <summary>
    /// What a reviewer reads first: the item, its candidate (the squashed diff against the main it
    /// was built on, checked out detached in its worktree), what to look for (the steps of the
    /// <see cref="ReviewFormula"/> formula, with the candidate as its branch), and how to report:
    /// comments on the item, then one verdict with <c>orc review note</c>, which never approves anything.
    /// </summary>
    private string PrimeReviewer(Hook h)
    {
        var sb = new StringBuilder();
        var id = h.Item ?? "";
        sb.AppendLine($"# You are {h.Agent}, the reviewer of {id} on rig {h.Rig}");
        sb.AppendLine();
        sb.AppendLine($"A person decides whether {id} lands ('orc review approve' or 'orc review reject'). You read its candidate first and");
        sb.AppendLine("advise them: your comments and your verdict go on the item. Your verdict never approves, lands or returns anything.");
        var item = ledger.Read().Find(id);
        if (item is not null)
        {
            sb.AppendLine();
            sb.AppendLine($"## The work item: {item.Id}  {TerminalText.Line(item.Title)}");
            if (item.Files.Count > 0) sb.AppendLine($"files it declared: {TerminalText.Line(string.Join(", ", item.Files))}");
            Section(sb, "Description", item.Description);
            Section(sb, "Acceptance criteria", item.AcceptanceCriteria);
        }
        var s = runtime.Queue(h.Rig).Find(id);
        sb.AppendLine();
        sb.AppendLine("## The candidate");
        if (s is not { State: SubmissionStates.Review, Candidate: { } candidate, Onto: { } onto } || s.CurrentReview?.Agent != h.Agent)
        {
            sb.AppendLine($"{id} no longer waits for your review ({(s is null ? "it left the merge queue" : s.State)}). Stop here: nothing to do.");
            return sb.ToString();
        }
        var main = runtime.Rigs.Find(h.Rig)?.DefaultBranch ?? "main";
        sb.AppendLine($"- {candidate[..12]}: branch {s.Branch} (by {s.Agent}) squashed onto {main} at {onto[..12]}; gate: {TerminalText.Line(s.GateVerdict ?? "green")}");
        sb.AppendLine($"- Your worktree {h.Worktree} has the candidate checked out (detached). Read it, build it, run its tests there;");
        sb.AppendLine("  commit nothing and push nothing (the worktree is removed when you are done).");
        sb.AppendLine($"- The diff: `git diff {onto[..12]} {candidate[..12]}` (or `orc review show {id}`)");
        if (s.Note is { Length: > 0 } note) sb.AppendLine($"- the worker's note: {TerminalText.Line(note)}");
        try
        {
            var changes = CandidateChanges.Of(runtime.Workspace.Paths.RigDir(h.Rig), onto, candidate);
            sb.AppendLine($"- {Plural(changes.Files.Count, "file")} changed, +{changes.Added} -{changes.Removed}:");
            foreach (var f in changes.Files.Take(50))
                sb.AppendLine($"  {TerminalText.Line(f.Path)}{(f.OldPath is { } old ? " (from " + TerminalText.Line(old) + ")" : "")} | {(f.Binary ? "binary" : $"+{f.Added} -{f.Removed}")}");
            if (changes.Files.Count > 50) sb.AppendLine($"  and {changes.Files.Count - 50} more");
        }
        catch (Exception ex) when (ex is OrcException or LibGit2Sharp.LibGit2SharpException) { sb.AppendLine($"- (the diff stat could not be read: {TerminalText.Line(ex.Message)})"); }
        sb.AppendLine();
        sb.AppendLine($"## What to look for (formula {ReviewFormula})");
        sb.AppendLine("Where a step below says to file items, mail someone or close an item, report as 'How to report' says instead.");
        try
        {
            var plan = FormulaRules.Instantiate(formulas.Get(ReviewFormula, h.Rig), [new("branch", candidate), new("base", onto)]);
            foreach (var step in plan.Steps)
            {
                sb.AppendLine($"### {step.Id}: {TerminalText.Line(step.Title)}");
                if (!string.IsNullOrWhiteSpace(step.Description)) sb.AppendLine(TerminalText.Block(step.Description).TrimEnd());
            }
        }
        catch (OrcException ex)
        {
            sb.AppendLine($"(formula {ReviewFormula} is not usable here: {TerminalText.Line(ex.Message.Split('\n')[0])})");
            sb.AppendLine("Read the diff file by file: logic errors, unhandled errors, untrusted input, concurrency, missing or weak tests, misleading names.");
        }
        sb.AppendLine();
        sb.AppendLine("## How to report");
        sb.AppendLine($"- Each finding, most serious first: `orc item comment {id} \"FILE:LINE: what is wrong, why it matters, what to do\"`");
        sb.AppendLine($"- Then, once, your verdict: `orc review note {id} --verdict approve --text \"SUMMARY\"` (it can land as it is)");
        sb.AppendLine($"  or `orc review note {id} --verdict changes --text \"SUMMARY\"` (it must be fixed first).");
        sb.AppendLine("  That ends your work: your window is closed and your worktree removed.");
        sb.AppendLine("- Never run `orc review approve`, `orc review reject`, `orc done` or `orc sling`: deciding is the person's, fixing the worker's.");
        sb.AppendLine();
        PrimeLearnings(sb, h);
        return sb.ToString();
    }
}
