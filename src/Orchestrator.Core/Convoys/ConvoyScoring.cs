using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Convoys;

/// <summary>
/// Scores a convoy from the event feed: for each item, agent work runs from its sling (or its
/// return by the refinery) to its submission, queue time from submission to landing or return,
/// review wait (rigs with <c>land: review</c>) from the candidate held for a person to that
/// person's approval or rejection.
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
        var reviewFrom = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var reviews = new Dictionary<string, (double Seconds, int Rounds, bool Waiting)>(StringComparer.Ordinal);
        void Reviewed(string item, DateTimeOffset at, bool waiting)
        {
            if (!reviewFrom.Remove(item, out var since) || at < since) return;
            var (seconds, rounds, _) = reviews.GetValueOrDefault(item);
            reviews[item] = (seconds + (at - since).TotalSeconds, rounds + 1, waiting);
        }
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
                case EventKinds.Review:
                    reviewFrom.TryAdd(item, at); // held for a person (a second hold without an answer keeps the first time)
                    break;
                case EventKinds.Approved:
                    Reviewed(item, at, waiting: false);
                    break;
                case EventKinds.Merged:
                    if (queuedFrom.Remove(item, out var q) && at >= q) queue += (at - q).TotalSeconds;
                    break;
                case EventKinds.Rejected:
                    if (queuedFrom.Remove(item, out var q2) && at >= q2) queue += (at - q2).TotalSeconds;
                    Reviewed(item, at, waiting: false); // rejected in review (or returned some other way while held)
                    if (e.Tag == Merging.RejectionCauses.GateTag) gateFailures++;
                    if (e.Tag == Merging.RejectionCauses.ConflictTag) met.Add(item);
                    workFrom[item] = at; // back to work
                    break;
            }
        }
        // Still waiting for a person when the report is made: counted up to now, and marked.
        foreach (var item in reviewFrom.Keys.ToList()) Reviewed(item, landedAt, waiting: true);
        var agentSeconds = work.Sum(w => (w.To - w.From).TotalSeconds);
        var waits = reviews.Select(r => new ReviewWait { Item = r.Key, Seconds = r.Value.Seconds, Rounds = r.Value.Rounds, Waiting = r.Value.Waiting })
            .OrderByDescending(r => r.Seconds).ThenBy(r => r.Item, StringComparer.Ordinal).ToList();
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
            ReviewSeconds = waits.Sum(r => r.Seconds),
            ReviewWaits = waits,
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
        if (r.ReviewWaits.Count > 0)
        {
            var longest = r.ReviewWaits[0];
            lines.Add($"  review: {r.ReviewWaits.Count} item{(r.ReviewWaits.Count == 1 ? "" : "s")}, waited {Durations.Short(r.ReviewSeconds)} in total, longest {Durations.Short(longest.Seconds)} ({longest.Item})");
            const int Shown = 10;
            foreach (var w in r.ReviewWaits.Take(Shown))
                lines.Add($"    {w.Item}: {Durations.Short(w.Seconds)}{(w.Rounds > 1 ? $" over {w.Rounds} reviews" : "")}{(w.Waiting ? ", still waiting" : "")}");
            if (r.ReviewWaits.Count > Shown) lines.Add($"    and {r.ReviewWaits.Count - Shown} more ('orc convoy report {r.Convoy} --json' lists all)");
        }
        var verdict = r.Parallelism >= 1.5
            ? "parallel work overlapped: the fan-out bought time, if review kept up"
            : r.Items > 1 ? "agents barely overlapped: doing these in order would have cost about the same" : "one item: nothing to parallelise";
        lines.Add($"  verdict: {verdict}");
        if (r.ConflictsMet > r.ConflictsPredicted) lines.Add("  more conflicts were met than predicted: declare the files items own ('orc item update ID --file PATH') before the next split");
        // Review wait is part of the queue time (a held candidate is still in the queue): when it is
        // most of it, the people reviewing are the bottleneck, not the refinery.
        if (r.QueueSeconds > r.AgentWallSeconds && r.AgentWallSeconds > 0)
            lines.Add(r.ReviewSeconds * 2 >= r.QueueSeconds
                ? "  the bottleneck was review (work waiting for a person), not the agents"
                : "  the bottleneck was the merge queue, not the agents");
        return lines;
    }
}
