using Orchestrator.Testing;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Adapters.Git;
using Orchestrator.Core;

namespace Orchestrator.Integration.Tests.Seams.Refinery;

/// <summary>A commit of the model: its parent, its files (path → content) and the submissions squashed into it, oldest first.</summary>
public sealed record FakeCommit(string Id, string? Parent, IReadOnlyDictionary<string, string> Files, IReadOnlyList<string> Items);

/// <summary>The refinery was "killed" at a step of the fakes (<see cref="FakeRigGit.CrashAt"/>): nothing after it ran.</summary>
public sealed class Crash(string step) : Exception("killed at " + step);

/// <summary>
/// A rig's repository as a model: commits are sets of files with a parent and the submissions in
/// them; a squash conflicts where main changed a file the submission changed too (since their merge
/// base), or where the test says it leaves conflict markers. No git, no disk.
/// </summary>
public sealed class FakeRigGit : IRigIntegration
{
    private readonly Dictionary<string, FakeCommit> _commits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _branches = new(StringComparer.Ordinal);
    private int _next;

    public FakeRigGit(string main = "main")
    {
        Main = main;
        Base = Add(null, new Dictionary<string, string> { ["README.md"] = "base" }, []);
        _branches[main] = Base;
    }

    public string Path => "/nonexistent/rigs/app";

    /// <summary>The rig's default branch.</summary>
    public string Main { get; }

    /// <summary>The first commit of main.</summary>
    public string Base { get; }

    /// <summary>Submission commits whose squash the test says leaves conflict markers (commit → files).</summary>
    public Dictionary<string, IReadOnlyList<string>> Markers { get; } = new(StringComparer.Ordinal);

    /// <summary>Why the rig's checkout cannot follow main (a person's changes), or null; the test sets it.</summary>
    public string? Blocker { get; set; }

    /// <summary>The scratch worktree cannot be made while set (the message of the failure).</summary>
    public string? ScratchFails { get; set; }

    /// <summary>Every move of main, in order: (from, to).</summary>
    public List<(string From, string To)> Moves { get; } = [];

    /// <summary>Squashes made: (onto, submission commit, result or null).</summary>
    public List<(string Onto, string Tip, string? Result)> Squashes { get; } = [];

    /// <summary>Commits the scratch worktree was prepared on, in order.</summary>
    public List<string> Scratches { get; } = [];

    /// <summary>Every step of the fakes (git operations and gate runs), in order: what a crash can interrupt.</summary>
    public List<string> Steps { get; } = [];

    /// <summary>The step number (1-based, counted in <see cref="Steps"/>) that "kills" the refinery, and whether after its effect; 0 = none.</summary>
    public (int Step, bool After) CrashAt { get; set; }

    public FakeCommit Commit(string id) => _commits[id];

    /// <summary>A submitted branch: one commit on <paramref name="onto"/> (default: main's first commit) changing <paramref name="files"/>.</summary>
    public string Branch(string branch, IReadOnlyDictionary<string, string> files, string? onto = null)
    {
        var parent = _commits[onto ?? Base];
        var all = new Dictionary<string, string>(parent.Files, StringComparer.Ordinal);
        foreach (var (path, content) in files) all[path] = content;
        var id = Add(parent.Id, all, parent.Items);
        _branches[branch] = id;
        return id;
    }

    public void DeleteBranch(string branch) => _branches.Remove(branch);

    /// <summary>The items landed on main, oldest first.</summary>
    public IReadOnlyList<string> MainItems => _commits[_branches[Main]].Items;

    /// <summary>Main's first-parent history, oldest first.</summary>
    public List<string> MainHistory()
    {
        var list = new List<string>();
        for (var c = _branches[Main]; c is not null; c = _commits[c].Parent) list.Add(c);
        list.Reverse();
        return list;
    }

    /// <summary>Runs one step of the fakes: the crash the test asked for happens before or after its effect.</summary>
    public T Step<T>(string name, Func<T> effect)
    {
        Steps.Add(name);
        var crash = CrashAt.Step == Steps.Count;
        if (crash && !CrashAt.After) throw new Crash(name);
        var result = effect();
        if (crash) throw new Crash(name + " (after)");
        return result;
    }

    private void Step(string name, Action effect) => Step(name, () => { effect(); return 0; });

    private string Add(string? parent, IReadOnlyDictionary<string, string> files, IReadOnlyList<string> items)
    {
        var id = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"fake commit {++_next}")));
        _commits[id] = new FakeCommit(id, parent, files, items);
        return id;
    }

    private IEnumerable<string> Ancestry(string id)
    {
        for (string? c = id; c is not null; c = _commits[c].Parent) yield return c;
    }

    public string TipOf(string branch) =>
        Step("tip " + branch, () => _branches.TryGetValue(branch, out var tip) ? tip : throw new OrcException($"{Path}: no branch '{branch}'"));

    public bool CommitExists(string sha) => Step("exists", () => _commits.ContainsKey(sha));

    public string? BranchTip(string branch) => Step("branch " + branch, () => _branches.GetValueOrDefault(branch));

    /// <summary>The submission's item is named by the landing message's first word (<c>ITEM: title</c>).</summary>
    public SquashResult Squash(string onto, string tip, string message, DateTimeOffset now) => Step("squash", () =>
    {
        var ontoCommit = _commits.GetValueOrDefault(onto) ?? throw new OrcException($"{Path}: no commit {onto}");
        if (!_commits.TryGetValue(tip, out var tipCommit))
        {
            Squashes.Add((onto, tip, null));
            return new SquashResult(null, [], [], $"the submitted commit {tip[..Math.Min(12, tip.Length)]} is not in the rig's repository");
        }
        var mergeBase = _commits[Ancestry(tip).First(c => Ancestry(onto).Contains(c))];
        var changed = tipCommit.Files.Keys.Union(mergeBase.Files.Keys)
            .Where(f => tipCommit.Files.GetValueOrDefault(f) != mergeBase.Files.GetValueOrDefault(f)).Order(StringComparer.Ordinal).ToList();
        var conflicts = changed.Where(f => ontoCommit.Files.GetValueOrDefault(f) != mergeBase.Files.GetValueOrDefault(f)
            && ontoCommit.Files.GetValueOrDefault(f) != tipCommit.Files.GetValueOrDefault(f)).ToList();
        if (conflicts.Count > 0)
        {
            Squashes.Add((onto, tip, null));
            return new SquashResult(null, conflicts, [], null);
        }
        if (Markers.TryGetValue(tip, out var markers))
        {
            Squashes.Add((onto, tip, null));
            return new SquashResult(null, [], markers, null);
        }
        var files = new Dictionary<string, string>(ontoCommit.Files, StringComparer.Ordinal);
        foreach (var f in changed)
            if (tipCommit.Files.TryGetValue(f, out var content)) files[f] = content;
            else files.Remove(f);
        var item = message.Split(':', 2)[0];
        var id = Add(onto, files, [.. ontoCommit.Items, item]);
        Squashes.Add((onto, tip, id));
        return new SquashResult(id, [], [], null);
    });

    public void PrepareScratch(string scratchPath, string scratchName, string commit) => Step("scratch", () =>
    {
        if (ScratchFails is { } why) throw new OrcException($"cannot prepare the scratch worktree {scratchPath}: {why}");
        if (!_commits.ContainsKey(commit)) throw new OrcException($"no commit {commit} for the gate");
        Scratches.Add(commit);
    });

    public void FastForward(string branch, string expected, string next, string why) => Step("move " + branch, () =>
    {
        var tip = _branches.GetValueOrDefault(branch) ?? throw new OrcException($"{Path}: no branch '{branch}'");
        if (tip != expected) throw new OrcException($"{branch} moved from {expected[..12]} to {tip[..12]} while the refinery worked; retrying on the new tip");
        if (!_commits.ContainsKey(next) || !Ancestry(next).Contains(expected))
            throw new OrcException($"{next[..12]} does not descend from {branch}; refusing to move {branch} backwards or sideways");
        if (branch == Main && Blocker is { } blocked) throw new OrcException(blocked);
        _branches[branch] = next;
        Moves.Add((expected, next));
    });

    public bool RepairInterruptedMove(string branch, IEnumerable<string> commits) => Step("repair", () => false);

    public string? CheckoutBlocker(string branch) => Step("checkout", () => branch == Main ? Blocker : null);

    public bool IsAncestor(string ancestor, string commit) =>
        Step("ancestor", () => _commits.ContainsKey(ancestor) && _commits.ContainsKey(commit) && Ancestry(commit).Contains(ancestor));

    public bool Contains(string branch, string commit) =>
        Step("contains", () => _branches.TryGetValue(branch, out var tip) && _commits.ContainsKey(commit) && Ancestry(tip).Contains(commit));
}
