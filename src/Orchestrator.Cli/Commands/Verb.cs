using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Cli.Commands;

/// <summary>What a verb's action reaches: the services, the streams, and ledger warnings printed once.</summary>
internal sealed class Verb(IServiceProvider services)
{
    public CliEnvironment Env { get; } = services.GetRequiredService<CliEnvironment>();
    public WorkspaceContext Context => services.GetRequiredService<WorkspaceContext>();
    public LedgerService Ledger => services.GetRequiredService<LedgerService>();
    public TextWriter Out => Env.Out;

    /// <summary>Prints a table to standard output, fitted to the terminal's width.</summary>
    public void Print(Output.Table table, bool noHeaders) => table.Write(Out, headers: !noHeaders, Env.TerminalWidth);

    /// <summary>Reads the ledger and warns (on stderr) about lines that could not be read.</summary>
    public LedgerDocument Read()
    {
        var doc = Ledger.Read();
        WarnAbout(doc);
        return doc;
    }

    /// <summary>Like <see cref="Read"/>, reading only what queries need (ready, blocked, stats).</summary>
    public LedgerDocument ReadSummary()
    {
        var doc = Ledger.ReadSummary();
        WarnAbout(doc);
        return doc;
    }

    public void WarnAbout(LedgerDocument doc)
    {
        foreach (var e in doc.Errors.Take(5))
            Env.Error.WriteLine($"orc: warning: ledger/issues.jsonl:{e.LineNumber}: {TerminalText.Line(e.Message)} (line kept; moved to ledger/issues.quarantine on the next change)");
        if (doc.Errors.Count > 5) Env.Error.WriteLine($"orc: warning: {doc.Errors.Count - 5} more unreadable ledger lines");
        foreach (var id in doc.DuplicateIds.Distinct().Take(5))
            Env.Error.WriteLine($"orc: warning: ledger/issues.jsonl: item {id} appears on more than one line (merged; written once on the next change)");
    }

    /// <summary>Warns (on stderr) about dependency cycles already in the ledger, e.g. left by a git merge: their items are never ready.</summary>
    public void WarnAboutCycles(Core.Graph.DependencyGraph graph)
    {
        var cycles = graph.FindCycles();
        foreach (var cycle in cycles.Take(5))
            Env.Error.WriteLine($"orc: warning: dependency cycle {Core.Graph.DependencyGraph.Describe(cycle)}: none of these can be ready until one dependency is removed ('orc item dep remove ID DEPENDS_ON')");
        if (cycles.Count > 5) Env.Error.WriteLine($"orc: warning: {cycles.Count - 5} more dependency cycles");
    }

    public Mutation<T> Mutate<T>(string verb, Func<Core.Items.ItemOperations, T> change)
    {
        var result = Ledger.Mutate(verb, change);
        if (result.Quarantined > 0)
            Env.Error.WriteLine($"orc: warning: moved {Plural.Of(result.Quarantined, "unreadable ledger line")} to ledger/issues.quarantine");
        return result;
    }
}
