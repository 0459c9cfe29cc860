using Orchestrator.Testing;
using Orchestrator.Adapters.Processes;
using Orchestrator.Services.Refinery;

namespace Orchestrator.Integration.Tests.Seams.Refinery;

/// <summary>One run of the fake gate: the candidate, the items the refinery said it stacks, every item in the candidate, and the verdict.</summary>
public sealed record FakeGateRun(string Commit, IReadOnlyList<string> Stacked, IReadOnlyList<string> Contains, bool Green);

/// <summary>
/// A gate that answers by which submissions the candidate holds (all of them: landed and stacked),
/// read from <see cref="FakeRigGit"/>'s model of the commit: e.g. red whenever S3 is in it, red
/// when S2 and S5 both are, red once then green. No process; each run is one step of the model.
/// </summary>
public sealed class FakeGate(FakeRigGit git, Func<IReadOnlyList<string>, bool> green) : IGateRunner
{
    public List<FakeGateRun> Runs { get; } = [];

    public CommandOutcome Run(GateRun run) => git.Step("gate", () =>
    {
        var contains = git.Commit(run.Commit).Items;
        var ok = green(contains);
        Runs.Add(new FakeGateRun(run.Commit, run.Items, contains, ok));
        return new CommandOutcome(ok ? 0 : 1, false, TimeSpan.FromMilliseconds(1), ok ? "all passed" : $"FAILED with {string.Join(' ', contains)}");
    });

    /// <summary>Red whenever one of <paramref name="culprits"/> is in the candidate.</summary>
    public static Func<IReadOnlyList<string>, bool> RedWith(params IReadOnlyCollection<string> culprits) => items => !items.Any(culprits.Contains);

    /// <summary>Red when all of <paramref name="together"/> are in the candidate (an interaction of submissions each green alone).</summary>
    public static Func<IReadOnlyList<string>, bool> RedWhenAll(params IReadOnlyCollection<string> together) => items => !together.All(items.Contains);

    /// <summary>Red on the first run only, whatever is in it (a flaky test); green after.</summary>
    public static Func<IReadOnlyList<string>, bool> FlakyOnce()
    {
        var first = true;
        return _ =>
        {
            if (!first) return true;
            first = false;
            return false;
        };
    }
}
