using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Rigs;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>Rigs: the git repositories a workspace manages (add, list, show, remove).</summary>
public sealed class RigService(RuntimeContext runtime, LedgerService ledger)
{
    public sealed record AddRequest(string Name, string Source, bool Link, string? Prefix, IReadOnlyList<string> Gate, string? Profile, int? MaxPolecats);

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
            var rig = new Rig
            {
                Name = name,
                Source = source,
                Linked = r.Link,
                Prefix = prefix,
                DefaultBranch = new RigRepository(target).CurrentBranch(),
                Gate = r.Gate,
                Profile = r.Profile,
                MaxPolecats = r.MaxPolecats ?? 10,
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

    public void Remove(string name)
    {
        var rig = Get(name);
        var holders = runtime.Hooks.All().Where(h => h.Rig == rig.Name && h.HoldsWork).Select(h => $"{h.Agent} ({h.Item})").ToList();
        if (holders.Count > 0)
            throw new OrcException($"rig {rig.Name} has agents holding work: {string.Join(", ", holders)}; finish or release them first");
        var crew = runtime.Hooks.All().Where(h => h.Rig == rig.Name && h.Role == Core.Agents.Roles.Crew && h.State != Core.Agents.HookStates.Archived).Select(h => h.Agent).ToList();
        if (crew.Count > 0)
            throw new OrcException($"rig {rig.Name} has crew: {string.Join(", ", crew)}; remove them first ('orc crew remove NAME': their worktrees are in worktrees/{rig.Name}/)");
        ledger.Transact("rig remove", t =>
        {
            t.Touched(runtime.Rigs.PathOf(rig.Name), rig.Name);
            File.Delete(runtime.Rigs.PathOf(rig.Name));
            return 0;
        });
        RemoveCheckout(runtime.Workspace.Paths.RigDir(rig.Name));
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
