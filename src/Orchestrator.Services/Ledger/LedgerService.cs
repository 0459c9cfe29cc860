using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Services.Ledger;

/// <summary>The result of a change: what the verb returned, and what was written.</summary>
public sealed record Mutation<T>(T Value, IReadOnlyList<string> ChangedIds, string? CommitId, int Quarantined);

/// <summary>
/// Reads and changes the ledger. Reads take no lock (the file is only ever replaced whole, by
/// rename). Every change runs under the workspace write lock: load, apply, save atomically,
/// commit to the workspace repository; a change is acknowledged only after all of that.
/// </summary>
public sealed class LedgerService(WorkspaceContext context, ILogger<LedgerService> logger)
{
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The command git runs to merge ledger files (how to start this orc), registered in the
    /// workspace's .git/config by any write that finds it missing: git does not clone its config,
    /// so a fresh clone would otherwise merge the ledger line by line, with conflict markers.
    /// Null: writes do not register it.
    /// </summary>
    public string? MergeDriverCommand { get; init; }

    private LedgerFile File => new(context.Paths.LedgerFile, context.Paths.QuarantineFile, context.Paths.LedgerIndex,
        conflictBase: () => new WorkspaceRepository(context.Paths.Root).ConflictBase(context.Paths.Relative(context.Paths.LedgerFile)));

    public LedgerDocument Read() => File.Load();

    /// <summary>A read for queries: only the fields readiness and one-line output need.</summary>
    public LedgerDocument ReadSummary() => File.LoadSummary();

    /// <summary>The ledger file's bytes, for callers that stream raw lines.</summary>
    public byte[] ReadBytes() => File.ReadBytes();

    public Mutation<T> Mutate<T>(string verb, Func<ItemOperations, T> change) => Transact(verb, t => change(t.Items));

    /// <summary>
    /// One change to the workspace under its write lock: the ledger and any other files the
    /// change writes (hooks, rig settings, queue entries), saved and committed together.
    /// </summary>
    public Mutation<T> Transact<T>(string verb, Func<WorkspaceTransaction, T> change)
    {
        var paths = context.Paths;
        using var writeLock = FileLock.Acquire(paths.WriteLock, LockTimeout, verb);
        // A person's git at work in the workspace (a commit in an editor) is waited for, or reported, before anything changes.
        try { new WorkspaceRepository(paths.Root).AwaitGitLocks(); }
        catch (Core.OrcException ex) { throw new Core.OrcException(ex.Message + "; nothing was changed", ex.ExitCode); }
        EnsureMergeDriver(paths.Root);
        var file = File;
        var ledger = file.Load(out var loaded);
        var now = context.Now;
        var ops = new ItemOperations(ledger, now, context.Actor, context.Config.Prefix);
        var transaction = new WorkspaceTransaction(ops, paths.Relative);
        var value = change(transaction);
        var ledgerChanged = ops.Changed.Count > 0 || ledger.Errors.Count > 0 || ledger.DuplicateIds.Count > 0 || ledger.ResolvedConflicts > 0;
        if (!ledgerChanged && transaction.Paths.Count == 0) return new Mutation<T>(value, [], null, 0);

        // What the files were, so that a change whose commit fails is undone: an error means nothing changed.
        var ledgerBefore = ledgerChanged ? loaded : null; // read under this lock: no writer changed it since
        var quarantineBefore = ledgerChanged && System.IO.File.Exists(paths.QuarantineFile) ? System.IO.File.ReadAllBytes(paths.QuarantineFile) : null;
        var quarantined = ledgerChanged ? file.Save(ledger, now) : 0;
        var subjects = ops.Changed.Concat(transaction.Subjects).Distinct().ToList();
        var message = CommitMessage(verb, subjects, ledger, quarantined);
        // The event log is appended to by processes that do not take the write lock (any service,
        // any agent): staging it while one appends fails ("failed to read file into stream"), so
        // appends wait for the commit (lock order: the write lock, then the events lock).
        string? sha;
        try
        {
            using (FileLock.Acquire(paths.EventsLock, LockTimeout, verb + " (event log)"))
                sha = new WorkspaceRepository(paths.Root).Commit(
                    [paths.Relative(paths.LedgerFile), paths.Relative(paths.QuarantineFile), paths.Relative(paths.EventsFile), .. transaction.Paths], message,
                        context.Actor,
                    // records a killed writer wrote (or removed) but did not commit: mail, hooks, the queues, convoys
                    sweep: [paths.Relative(paths.MailDir), paths.Relative(paths.AgentsDir), paths.Relative(paths.QueueDir), paths.Relative(paths.ConvoysDir)]);
        }
        catch (Core.OrcException ex)
        {
            throw new Core.OrcException($"{ex.Message}; {Undo(paths, ledgerBefore, quarantineBefore, transaction.Paths)}", ex.ExitCode);
        }
        logger.LogInformation("{Verb} by {Actor}: {Ids} (commit {Commit}, quarantined {Quarantined})",
            verb, context.Actor, string.Join(",", ops.Changed), sha ?? "none", quarantined);
        return new Mutation<T>(value, ops.Changed.ToList(), sha, quarantined);
    }
    /// <summary>
    /// Puts back what a change wrote whose commit failed: the ledger and its quarantine as they
    /// were, and every other file it touched as the last commit has it. Says what it did.
    /// </summary>
    private string Undo(Adapters.Workspace.WorkspacePaths paths, byte[]? ledger, byte[]? quarantine, IReadOnlyCollection<string> touched)
    {
        try
        {
            if (ledger is not null)
            {
                AtomicFile.Write(paths.LedgerFile, ledger);
                if (quarantine is not null) AtomicFile.Write(paths.QuarantineFile, quarantine);
                else if (System.IO.File.Exists(paths.QuarantineFile)) System.IO.File.Delete(paths.QuarantineFile);
            }
            new WorkspaceRepository(paths.Root).RestoreFromHead(touched);
            return "the change was undone, nothing was changed";
        }
        catch (Exception e) when (e is Core.OrcException or IOException or UnauthorizedAccessException)
        {
            logger.LogError("undoing a change whose commit failed failed too: {Message}", e.Message);
            return $"undoing it failed too ({e.Message}): the change stays on disk and the next change commits it";
        }
    }

    private void EnsureMergeDriver(string root)
    {
        if (MergeDriverCommand is null) return;
        string config;
        try { config = System.IO.File.ReadAllText(Path.Combine(root, ".git", "config")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; } // not a plain repository: doctor says so
        if (config.Contains($"[merge \"{WorkspaceInitializer.MergeDriverName}\"]", StringComparison.Ordinal)) return;
        var repo = new WorkspaceRepository(root);
        repo.SetConfig($"merge.{WorkspaceInitializer.MergeDriverName}.name", WorkspaceInitializer.MergeDriverDescription);
        repo.SetConfig($"merge.{WorkspaceInitializer.MergeDriverName}.driver", MergeDriverCommand);
        logger.LogWarning("registered the ledger's merge driver in {Root}/.git/config (it was missing: a fresh clone?)", root);
    }

    private string CommitMessage(string verb, IReadOnlyList<string> ids, LedgerDocument ledger, int quarantined)
    {
        var shown = string.Join(" ", ids.Take(5)) + (ids.Count > 5 ? $" (+{ids.Count - 5} more)" : "");
        var subject = ids.Count == 1 && ledger.Find(ids[0]) is { } item
            ? $"{verb} {item.Id}: {OneLine(item.Title, 60)}"
            : $"{verb} {shown}".TrimEnd();
        var body = $"actor: {context.Actor}";
        if (ids.Count > 1) body += $"\nitems: {string.Join(" ", ids)}";
        if (ledger.ResolvedConflicts > 0)
            body += $"\nmerged {ledger.ResolvedConflicts} conflict block(s) a merge left in ledger/issues.jsonl, by item id " +
                    (ledger.ResolvedWithBase
                        ? "against their merge base" : "without a base (no merge base found: where both sides changed a field, the later change won)");
        if (quarantined > 0) body += $"\nquarantined {quarantined} unreadable line(s) to ledger/issues.quarantine";
        return $"orc: {subject}\n\n{body}";
    }

    private static string OneLine(string text, int max)
    {
        var s = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return s.Length <= max ? s : s[..(max - 1)] + "…";
    }
}


/// <summary>What one locked change does: ledger operations, plus files it wrote (committed with it).</summary>
public sealed class WorkspaceTransaction(ItemOperations items, Func<string, string> relative)
{
    public ItemOperations Items { get; } = items;

    /// <summary>Workspace-relative paths written or deleted by the change.</summary>
    public List<string> Paths { get; } = [];

    /// <summary>Names for the commit message besides changed items (agents, rigs).</summary>
    public List<string> Subjects { get; } = [];

    /// <summary>Records that <paramref name="absolutePath"/> was written or deleted.</summary>
    public void Touched(string absolutePath, string? subject = null)
    {
        Paths.Add(relative(absolutePath));
        if (subject is not null && !Subjects.Contains(subject)) Subjects.Add(subject);
    }
}
