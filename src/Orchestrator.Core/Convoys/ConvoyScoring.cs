using Orchestrator.Core.Events;
using Orchestrator.Core.Items;

namespace Orchestrator.Core.Convoys;

/// <summary>
/// Scores a convoy from the event feed: for each item, agent work runs from its sling (or its
/// return by the refinery) to its submission, queue time from submission to landing or return.
/// </summary>
public static class ConvoyScoring
{
    public static ConvoyReport Score(Convoy convoy, IEnumerable<OrcEvent> events, IReadOnlyList<string> predictedPairs, DateTimeOffset landedAt)
    {
        var items = convoy.Items.ToHashSet(StringComparer.Ordinal);
        var work = new List<(DateTimeOffset From, DateTimeOffset To)>();
        double queue = 0;
        int gateFailures = 0, rework = 0;
        var met = new SortedSet<string>(StringComparer.Ordinal);
        var workFrom = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var queuedFrom = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var submissions = new Dictionary<string, int>(StringComparer.Ordinal);
        DateTimeOffset? first = null;
        foreach (var e in events)
        {
            if (e.Subject is not { } item || !items.Contains(item)) continue;
            if (!Timestamps.TryParse(e.At, out var at)) continue;
            switch (e.Kind)
            {
                case EventKinds.Slung:
                    workFrom[item] = at;
                    if (first is null || at < first) first = at;
                    break;
                case EventKinds.Submitted:
                    if (workFrom.Remove(item, out var from) && at >= from) work.Add((from, at));
                    queuedFrom[item] = at;
                    submissions[item] = submissions.GetValueOrDefault(item) + 1;
                    if (submissions[item] > 1) rework++;
                    break;
                case EventKinds.Merged:
                    if (queuedFrom.Remove(item, out var q) && at >= q) queue += (at - q).TotalSeconds;
                    break;
                case EventKinds.Rejected:
                    if (queuedFrom.Remove(item, out var q2) && at >= q2) queue += (at - q2).TotalSeconds;
                    if (e.Tag == "gate") gateFailures++;
                    if (e.Tag == "conflict") met.Add(item);
                    workFrom[item] = at; // back to work
                    break;
            }
        }
        var agentSeconds = work.Sum(w => (w.To - w.From).TotalSeconds);
        return new ConvoyReport
        {
            Convoy = convoy.Name,
            Items = convoy.Items.Count,
            FirstSlungAt = first is { } f ? Timestamps.Format(f) : null,
            LandedAt = Timestamps.Format(landedAt),
            ElapsedSeconds = first is { } s ? Math.Max(0, (landedAt - s).TotalSeconds) : 0,
            AgentSeconds = agentSeconds,
            AgentWallSeconds = Union(work),
            QueueSeconds = queue,
            ConflictsPredicted = predictedPairs.Count,
            ConflictsMet = met.Count,
            GateFailures = gateFailures,
            Rework = rework,
            PredictedPairs = [.. predictedPairs],
            MetItems = [.. met],
        };
    }

    /// <summary>The length of the union of intervals, in seconds.</summary>
    public static double Union(IEnumerable<(DateTimeOffset From, DateTimeOffset To)> intervals)
    {
        double total = 0;
        DateTimeOffset? start = null, end = null;
        foreach (var (from, to) in intervals.OrderBy(i => i.From))
        {
            if (start is null) { start = from; end = to; continue; }
            if (from <= end) { if (to > end) end = to; continue; }
            total += (end!.Value - start.Value).TotalSeconds;
            start = from; end = to;
        }
        if (start is not null) total += (end!.Value - start.Value).TotalSeconds;
        return total;
    }

    /// <summary>The report as lines a person reads, ending with the plain questions of seed 001's Part D.</summary>
    public static List<string> Describe(ConvoyReport r)
    {
        static string D(double s) => s < 90 ? $"{s:0}s" : s < 5400 ? $"{s / 60:0.0}m" : $"{s / 3600:0.0}h";
        var lines = new List<string>
        {
            $"convoy {r.Convoy}: {r.Items} item{(r.Items == 1 ? "" : "s")}, landed {r.LandedAt ?? "-"}",
            $"  elapsed (first sling to landing): {D(r.ElapsedSeconds)}",
            $"  agent time: {D(r.AgentSeconds)} summed, {D(r.AgentWallSeconds)} of wall time with an agent at work (about {r.Parallelism:0.0} at once)",
            $"  merge queue: {D(r.QueueSeconds)} waiting, summed over submissions",
            $"  conflicts: {r.ConflictsPredicted} predicted{(r.PredictedPairs.Count > 0 ? " (" + string.Join(", ", r.PredictedPairs) + ")" : "")}, {r.ConflictsMet} met{(r.MetItems.Count > 0 ? " (" + string.Join(", ", r.MetItems) + ")" : "")}",
            $"  gate failures: {r.GateFailures}; rework (resubmissions): {r.Rework}",
        };
        var verdict = r.Parallelism >= 1.5
            ? "parallel work overlapped: the fan-out bought time, if review kept up"
            : r.Items > 1 ? "agents barely overlapped: doing these in order would have cost about the same" : "one item: nothing to parallelise";
        lines.Add($"  verdict: {verdict}");
        if (r.ConflictsMet > r.ConflictsPredicted) lines.Add("  more conflicts were met than predicted: declare the files items own ('orc item update ID --file PATH') before the next split");
        if (r.QueueSeconds > r.AgentWallSeconds && r.AgentWallSeconds > 0) lines.Add("  the bottleneck was the merge queue, not the agents");
        return lines;
    }
}
