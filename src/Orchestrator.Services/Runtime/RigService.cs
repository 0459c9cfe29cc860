using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Rigs;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>Rigs: the git repositories a workspace manages (add, list, show, remove).</summary>
public sealed class RigService(RuntimeContext runtime, LedgerService ledger)
{
    /// <param name="Gate">The <c>--gate</c> options: one command line, or (the old form) one word each.</param>
    public sealed record AddRequest(string Name, string Source, bool Link, string? Prefix, IReadOnlyList<string> Gate, string? Profile, int? MaxPolecats,
        string? Land = null);

    public Rig Add(AddRequest r)
    {
        var paths = runtime.Workspace.Paths;
        var name = Names.Validate(r.Name, "rig");
        var store = runtime.Rigs;
        if (store.Find(name) is not null) throw new OrcException($"rig '{name}' already exists (see 'orc rig show {name}')");
        var prefix = r.Prefix ?? DefaultPrefix(name);
        if (!IdGenerator.IsValidPrefix(prefix)) throw new OrcException($"--prefix: '{TerminalText.Line(prefix)}' is not a valid id prefix (lowercase letters and digits, a letter first)", ExitCodes.Usage);
        if (prefix == runtime.Workspace.Config.Prefix || store.All().Any(x => x.Prefix == prefix))
            throw new OrcException($"--prefix: '{prefix}' is already used in this workspace; choose another with --prefix", ExitCodes.Usage);
        if (r.Profile is not null) runtime.Profiles.Get(r.Profile);
        var gate = GateLine.FromOptions(r.Gate);
        if (GateLine.Problem(gate) is { } problem) throw new OrcException($"--gate: cannot be run: {problem} ({TerminalText.Line(gate)})", ExitCodes.Usage);
        var land = r.Land is null ? LandModes.Auto
            : LandModes.Parse(r.Land) ?? throw new OrcException($"--land: must be {LandModes.Choices}, got '{TerminalText.Line(r.Land)}'", ExitCodes.Usage);
        var polecats = RigSettings.Numbers["max_polecats"];
        if (r.MaxPolecats is { } max && (max < polecats.Min || max > polecats.Max))
            throw new OrcException($"--max-polecats: must be a whole number from {polecats.Min} to {polecats.Max}, got {max}", ExitCodes.Usage);

        var isUrl = r.Source.Contains("://", StringComparison.Ordinal) || r.Source.StartsWith("git@", StringComparison.Ordinal);
        var source = isUrl ? r.Source : runtime.Workspace.Resolve(r.Source);
        if (!isUrl && !RigRepository.IsRepository(source)) throw new OrcException($"{TerminalText.Line(r.Source)}: not a git repository");
        if (r.Link && isUrl) throw new OrcException("--link needs a local repository, not a URL", ExitCodes.Usage);
        var target = paths.RigDir(name);
        if (Directory.Exists(target) || File.Exists(target)) throw new OrcException($"{target} already exists; remove it or choose another name");

        Directory.CreateDirectory(paths.RigsDir);
        if (r.Link) Directory.CreateSymbolicLink(target, source);
        else RigRepository.Clone(source, target);
        try
        {
            if (land == LandModes.Pr) CheckPullRequests(target, name, "--land");
            var rig = new Rig
            {
                Name = name,
                Source = source,
                Linked = r.Link,
                Prefix = prefix,
                DefaultBranch = new RigRepository(target).CurrentBranch(),
                Gate = gate,
                Profile = r.Profile,
                MaxPolecats = r.MaxPolecats ?? 10,
                Land = land,
                CreatedAt = Core.Items.Timestamps.Format(runtime.Workspace.Now),
            };
            ledger.Transact("rig add", t =>
            {
                var file = store.PathOf(name);
                Directory.CreateDirectory(store.Directory);
                AtomicFile.Write(file, System.Text.Encoding.UTF8.GetBytes(RigStore.ToYaml(rig)));
                t.Touched(file, name);
                return 0;
            });
            return rig;
        }
        catch
        {
            RemoveCheckout(target); // nothing half-made
            throw;
        }
    }

    /// <summary>What <see cref="Set"/> or <see cref="Unset"/> did: the rig before and after, and whether a commit was made.</summary>
    public sealed record Change(Rig Before, Rig After, bool Changed);

    /// <summary>
    /// Changes one setting of a rig (see <see cref="RigSettings"/>) and commits the rig's file, under
    /// the workspace write lock. The value is checked before anything is written; setting what is
    /// already there writes nothing.
    /// </summary>
    public Change Set(string name, string key, string value)
    {
        var rig = Get(name);
        var next = RigSettings.With(rig, key, value); // KEY and VALUE checked before the lock is taken
        if (key == "profile" && next.Profile is { } profile)
        {
            try { runtime.Profiles.Get(profile); }
            catch (OrcException e) { throw new OrcException("VALUE: " + e.Message, ExitCodes.Usage); }
        }
        if (key == "review_agent" && next.ReviewAgent is { } reviewer)
        {
            try { runtime.Profiles.Get(reviewer); }
            catch (OrcException e) { throw new OrcException("VALUE: " + e.Message, ExitCodes.Usage); }
        }
        if (key == "push" && next.Push && new RigRemote(runtime.Workspace.Paths.RigDir(rig.Name)).OriginUrl() is null)
            throw new OrcException($"VALUE: rigs/{rig.Name} has no remote '{RigRemote.Origin}' to push to (add one with 'git -C rigs/{rig.Name} remote add origin URL')", ExitCodes.Usage);
        if (key == "land" && next.OpensPullRequests) CheckPullRequests(runtime.Workspace.Paths.RigDir(rig.Name), rig.Name, "VALUE");
        if (key == "default_branch" && new RigIntegration(runtime.Workspace.Paths.RigDir(rig.Name)).BranchTip(next.DefaultBranch) is null)
            throw new OrcException($"VALUE: rigs/{rig.Name} has no branch '{TerminalText.Line(next.DefaultBranch)}'", ExitCodes.Usage);
        return Write(rig.Name, "rig set", current => RigSettings.With(current, key, value));
    }

    /// <summary>Puts one setting of a rig back to its default; committed like <see cref="Set"/>.</summary>
    public Change Unset(string name, string key)
    {
        var rig = Get(name);
        RigSettings.Without(rig, key); // KEY checked before the lock is taken
        return Write(rig.Name, "rig unset", current => RigSettings.Without(current, key));
    }

    private Change Write(string name, string verb, Func<Rig, Rig> change)
    {
        var store = runtime.Rigs;
        return ledger.Transact(verb, t =>
        {
            // Read again under the lock: a change made since the check is kept, not overwritten.
            var current = store.Get(name);
            var next = change(current);
            var yaml = RigStore.ToYaml(next);
            if (yaml == RigStore.ToYaml(current)) return new Change(current, next, false);
            var file = store.PathOf(name);
            AtomicFile.Write(file, System.Text.Encoding.UTF8.GetBytes(yaml));
            t.Touched(file, name);
            return new Change(current, next, true);
        }).Value;
    }

    public List<Rig> List() => runtime.Rigs.All();

    public Rig Get(string name) => runtime.Rigs.Get(name);

    /// <summary>What <see cref="Remove"/> did: the hooks it archived and the worktrees (workspace-relative) it removed.</summary>
    public sealed record Removal(Rig Rig, IReadOnlyList<string> Archived, IReadOnlyList<string> Worktrees);

    /// <summary>
    /// Removes a rig. Refused, naming them, while its agents hold work or run, while its merge queue
    /// has work in it, and while one of its worktrees has uncommitted changes (or is no worktree).
    /// Otherwise its hooks are archived (their history stays) and its settings file deleted, in one
    /// commit; then the worktrees orc made of it go, with git's records of them, and rigs/NAME goes
    /// (a clone is deleted, a link only unlinked). In a linked rig the user's repository keeps its
    /// checkout, its branches and its own worktrees: only orc's records and orc's gate branch go.
    /// </summary>
    public Removal Remove(string name)
    {
        var rig = Get(name);
        var paths = runtime.Workspace.Paths;
        var actor = runtime.Workspace.Actor;
        Removable(rig);
        var archived = ledger.Transact("rig remove", t =>
        {
            Removable(rig); // again under the lock: work may have been slung or submitted since
            var now = Core.Items.Timestamps.Format(runtime.Workspace.Now);
            var ended = new List<string>();
            foreach (var h in RigHooks(rig).Where(h => h.State != HookStates.Archived))
            {
                t.Touched(runtime.Hooks.Write(h.Agent, h.MoveTo(HookStates.Archived, now, $"rig {rig.Name} removed by {TerminalText.Line(actor)}")), h.Agent);
                ended.Add(h.Agent);
            }
            t.Touched(runtime.Rigs.PathOf(rig.Name), rig.Name);
            File.Delete(runtime.Rigs.PathOf(rig.Name));
            runtime.Record(actor, EventKinds.Removed, rig.Name,
                $"rig {rig.Name} removed by {actor}: {Plural.Of(ended.Count, "hook")} archived, its worktrees and rigs/{rig.Name} removed" +
                (rig.Linked ? $" ({rig.Source} keeps its checkout, branches and own worktrees)" : ""));
            return ended;
        }).Value;
        var removed = RemoveWorktrees(rig);
        RemoveCheckout(paths.RigDir(rig.Name));
        return new Removal(rig, archived, removed);
    }

    private IEnumerable<Hook> RigHooks(Rig rig) => runtime.Hooks.All().Where(h => h.Rig == rig.Name && h.Role != Roles.Mayor);

    /// <summary>Why the rig cannot go now (an <see cref="OrcException"/> naming the agents, items or folders), or nothing.</summary>
    private void Removable(Rig rig)
    {
        var hooks = RigHooks(rig).ToList();
        var holders = hooks.Where(h => h.HoldsWork).Select(h => $"{h.Agent} ({h.Item})").ToList();
        if (holders.Count > 0)
            throw new OrcException($"rig {rig.Name} has agents holding work: {string.Join(", ", holders)}; finish or release them first ('orc unsling AGENT')");
        var crew = hooks.Where(h => h.Role == Roles.Crew && h.State != HookStates.Archived).Select(h => h.Agent).ToList();
        if (crew.Count > 0)
            throw new OrcException($"rig {rig.Name} has crew: {string.Join(", ", crew)}; remove them first ('orc crew remove NAME': their worktrees are in worktrees/{rig.Name}/)");
        // Windows of the rig's session are its agents (the services' session may share a name with a rig: only agents' windows count there).
        var agents = hooks.Select(h => h.Agent).ToHashSet(StringComparer.Ordinal);
        var running = runtime.Tmux.ListWindows().Where(w => w.Session == rig.Name && !w.PaneDead
            && (rig.Name != Core.Supervision.ServiceDefinition.Session || agents.Contains(w.Window)))
            .Select(w => w.Window).Distinct().Order(StringComparer.Ordinal).ToList();
        if (running.Count > 0)
            throw new OrcException($"rig {rig.Name} has agents running: {string.Join(", ", running)}; stop them first ('orc kill AGENT')");
        var queued = runtime.Queue(rig.Name).All().Where(s => s.IsOpen).Select(s => $"{s.Item} ({s.Agent}, {s.State})").ToList();
        if (queued.Count > 0)
            throw new OrcException($"rig {rig.Name} has work in its merge queue: {string.Join(", ", queued)}; let the refinery land it, or take it out ('orc mq reject ITEM --reason TEXT'; work waiting for review: 'orc review approve|reject ITEM')");
        var paths = runtime.Workspace.Paths;
        var own = Path.Combine(paths.WorktreesDir, rig.Name);
        if (!Directory.Exists(own)) return;
        foreach (var wt in Directory.EnumerateDirectories(own).Where(d => d != paths.GateWorktree(rig.Name)).Order(StringComparer.Ordinal))
        {
            if (!RigRepository.IsRepository(wt))
                throw new OrcException($"{paths.Relative(wt)} is not a git worktree (its .git file is broken or gone: see 'orc doctor'); move what is worth keeping out of it first");
            var dirty = RigRepository.Uncommitted(wt);
            if (dirty.Count > 0)
                throw new OrcException($"{paths.Relative(wt)} has uncommitted changes ({string.Join(", ", dirty.Take(5).Select(TerminalText.Line))}{(dirty.Count > 5 ? $" and {dirty.Count - 5} more" : "")}); commit them or remove them first");
        }
    }

    /// <summary>
    /// The worktrees orc made of a rig (the agents' and the refinery's gate worktree, all under
    /// worktrees/RIG/), each with git's record of it; the gate's scratch branch and the branches
    /// whose work landed too. Records of folders elsewhere (the user's own worktrees of a linked
    /// repository) are not touched.
    /// </summary>
    private List<string> RemoveWorktrees(Rig rig)
    {
        var paths = runtime.Workspace.Paths;
        var own = Path.Combine(paths.WorktreesDir, rig.Name);
        var removed = new List<string>();
        var dir = paths.RigDir(rig.Name);
        if (RigRepository.IsRepository(dir))
        {
            var repo = new RigRepository(dir);
            foreach (var r in repo.WorktreeRecords().Where(r => r.Folder is { } f && ConfinedPath.IsWithin(f, own)))
            {
                var gate = r.Name == RigIntegration.ScratchName(rig.Name);
                repo.RemoveWorktree(r.Name, r.Folder!, deleteBranch: gate ? RigIntegration.ScratchBranch : null);
                removed.Add(paths.Relative(r.Folder!));
            }
            // A branch whose work landed (its squash is on main) goes too, as 'orc cleanup' deletes it, unless
            // something was committed on it since; every other branch keeps its work.
            var git = new RigIntegration(dir);
            foreach (var s in runtime.Queue(rig.Name).All().Where(s => s.State == Core.Merging.SubmissionStates.Merged))
                if (git.BranchTip(s.Branch) == s.Commit) repo.DeleteBranch(s.Branch);
        }
        // What is left there was checked above (clean worktrees) or is the gate's scratch checkout: no one's work.
        if (Directory.Exists(own))
        {
            removed.AddRange(Directory.EnumerateDirectories(own).Select(paths.Relative));
            RemoveCheckout(own);
        }
        return removed;
    }

    /// <summary>
    /// <c>land: pr</c> needs what the refinery will use: a remote <c>origin</c> to push branches to,
    /// and the forge's CLI (gh or glab) on the workspace's PATH. Refused in one line otherwise.
    /// </summary>
    private void CheckPullRequests(string dir, string rig, string what)
    {
        if (ForgeCli.OriginUrl(dir) is null)
            throw new OrcException($"{what}: land pr pushes to the rig's remote '{RigRemote.Origin}', and rigs/{rig} has none (add one with 'git -C rigs/{rig} remote add origin URL')", ExitCodes.Usage);
        try { ForgeCli.Locate(dir, runtime.Workspace.Environment("PATH")); }
        catch (OrcException e) { throw new OrcException($"{what}: land pr opens pull requests with gh or glab, but {e.Message}", ExitCodes.Usage); }
    }

    private static void RemoveCheckout(string target)
    {
        var info = new DirectoryInfo(target);
        if (info.LinkTarget is not null) { info.Delete(); return; }
        if (!info.Exists) return;
        foreach (var f in info.EnumerateFiles("*", SearchOption.AllDirectories)) f.Attributes = FileAttributes.Normal;
        info.Delete(recursive: true);
    }

    /// <summary>A prefix from the rig name: its letters and digits, at most 8, a letter first.</summary>
    public static string DefaultPrefix(string name)
    {
        var s = new string(name.Where(char.IsAsciiLetterOrDigit).Take(8).ToArray());
        return s.Length > 0 && char.IsAsciiLetterLower(s[0]) ? s : "r" + s;
    }
}
