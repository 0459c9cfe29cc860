using Orchestrator.Core.Items;

namespace Orchestrator.Core.Ledger;

/// <summary>
/// What <see cref="Graph.DependencyGraph"/> answers about a ledger from its content alone, not the
/// clock: its dependency cycles, and the items that are ready but for a defer date (open, nothing
/// blocking them; most urgent first, then oldest). Worked out once when the index cache is built
/// and kept in it, so a query of an unchanged ledger does not walk the whole graph again.
/// </summary>
public sealed class LedgerAnswers
{
    private readonly Func<IReadOnlyList<WorkItem>> _readyCandidates;
    private IReadOnlyList<WorkItem>? _ready;

    public LedgerAnswers(IReadOnlyList<IReadOnlyList<string>> cycles, IReadOnlyList<WorkItem> readyCandidates)
        : this(cycles, () => readyCandidates) { }

    /// <param name="readyCandidates">Made on first use (an index reader makes only those items).</param>
    public LedgerAnswers(IReadOnlyList<IReadOnlyList<string>> cycles, Func<IReadOnlyList<WorkItem>> readyCandidates)
    {
        Cycles = cycles;
        _readyCandidates = readyCandidates;
    }

    /// <summary>Every cycle <see cref="Graph.DependencyGraph.FindCycles"/> finds, in its order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles { get; }

    /// <summary>Open items with nothing blocking them (nor their ancestors), sorted as <see cref="Graph.DependencyGraph.Ready"/> sorts; deferred ones
    /// included.</summary>
    public IReadOnlyList<WorkItem> ReadyCandidates => _ready ??= _readyCandidates();
}
