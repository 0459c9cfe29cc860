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

    private LedgerFile File => new(context.Paths.LedgerFile, context.Paths.QuarantineFile, context.Paths.LedgerIndex);

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
        var file = File;
        var ledger = file.Load();
        var now = context.Now;
        var ops = new ItemOperations(ledger, now, context.Actor, context.Config.Prefix);
        var transaction = new WorkspaceTransaction(ops, paths.Relative);
        var value = change(transaction);
        var ledgerChanged = ops.Changed.Count > 0 || ledger.Errors.Count > 0 || ledger.DuplicateIds.Count > 0;
        if (!ledgerChanged && transaction.Paths.Count == 0) return new Mutation<T>(value, [], null, 0);

        var quarantined = ledgerChanged ? file.Save(ledger, now) : 0;
        var subjects = ops.Changed.Concat(transaction.Subjects).Distinct().ToList();
        var message = CommitMessage(verb, subjects, ledger, quarantined);
        // The event log is appended to by processes that do not take the write lock (any service,
        // any agent): staging it while one appends fails ("failed to read file into stream"), so
        // appends wait for the commit (lock order: the write lock, then the events lock).
        string? sha;
        using (FileLock.Acquire(paths.EventsLock, LockTimeout, verb + " (event log)"))
            sha = new WorkspaceRepository(paths.Root).Commit(
                [paths.Relative(paths.LedgerFile), paths.Relative(paths.QuarantineFile), paths.Relative(paths.EventsFile), .. transaction.Paths], message, context.Actor,
                // records a killed writer wrote (or removed) but did not commit: mail, hooks, the queues, convoys
                sweep: [paths.Relative(paths.MailDir), paths.Relative(paths.AgentsDir), paths.Relative(paths.QueueDir), paths.Relative(paths.ConvoysDir)]);
        logger.LogInformation("{Verb} by {Actor}: {Ids} (commit {Commit}, quarantined {Quarantined})",
            verb, context.Actor, string.Join(",", ops.Changed), sha ?? "none", quarantined);
        return new Mutation<T>(value, ops.Changed.ToList(), sha, quarantined);
    }
    private string CommitMessage(string verb, IReadOnlyList<string> ids, LedgerDocument ledger, int quarantined)
    {
        var shown = string.Join(" ", ids.Take(5)) + (ids.Count > 5 ? $" (+{ids.Count - 5} more)" : "");
        var subject = ids.Count == 1 && ledger.Find(ids[0]) is { } item
            ? $"{verb} {item.Id}: {OneLine(item.Title, 60)}"
            : $"{verb} {shown}".TrimEnd();
        var body = $"actor: {context.Actor}";
        if (ids.Count > 1) body += $"\nitems: {string.Join(" ", ids)}";
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
