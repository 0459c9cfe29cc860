using System.Text.Json.Serialization;
using Orchestrator.Core.Convoys;
using Orchestrator.Services.Planning;

namespace Orchestrator.Cli.Output.Json;

/// <summary>shape <c>convoy</c>: <c>orc convoy list</c> (without items and rigs) and <c>orc convoy show</c>.</summary>
internal sealed record ConvoyJson(
    string Name, string? Title, string State, string CreatedAt, string? LandedAt, string? ClosedAt,
    int Total, int Done, int InFlight, int Ready, int Blocked,
    List<ConvoyItemJson>? Items, List<ConvoyRigJson>? Rigs)
{
    public static ConvoyJson From(ConvoyProgress p, bool items)
    {
        var c = p.Convoy;
        return new(c.Name, c.Title, c.State, c.CreatedAt, c.LandedAt, c.ClosedAt,
            p.Items.Count, p.Count(ProgressStates.Done), p.Count(ProgressStates.InFlight), p.Count(ProgressStates.Ready),
            p.Count(ProgressStates.Blocked) + p.Count(ProgressStates.Missing),
            items ? p.Items.Select(i => new ConvoyItemJson(i.Id, i.Title, i.Rig, i.State, i.Status, i.Assignee, [.. i.BlockedBy])).ToList() : null,
            items ? p.Rigs.Select(r => new ConvoyRigJson(r.Rig, r.Done, r.InFlight, r.Ready, r.Blocked)).ToList() : null);
    }
}

internal sealed record ConvoyItemJson(string Id, string Title, string? Rig, string Progress, string Status, string? Assignee, List<string> BlockedBy);

internal sealed record ConvoyRigJson(string Rig, int Done, int InFlight, int Ready, int Blocked);

/// <summary>shape <c>convoy-report</c>: <c>orc convoy report</c>. Durations in seconds, to a tenth.</summary>
internal sealed record ConvoyReportJson(
    string Convoy, int Items, string? FirstSlungAt, string? LandedAt,
    double ElapsedSeconds, double AgentSeconds, double AgentWallSeconds, double QueueSeconds,
    int ConflictsPredicted, int ConflictsMet, int GateFailures, int Rework,
    List<string> PredictedPairs, List<string> MetItems,
    int ReviewItems, double ReviewSeconds, List<ReviewWaitJson> ReviewWaits)
{
    public static ConvoyReportJson From(ConvoyReport r) =>
        new(r.Convoy, r.Items, r.FirstSlungAt, r.LandedAt,
            Tenth(r.ElapsedSeconds), Tenth(r.AgentSeconds), Tenth(r.AgentWallSeconds), Tenth(r.QueueSeconds),
            r.ConflictsPredicted, r.ConflictsMet, r.GateFailures, r.Rework,
            r.PredictedPairs, r.MetItems,
            r.ReviewWaits.Count, Tenth(r.ReviewSeconds), r.ReviewWaits.Select(x => new ReviewWaitJson(x.Item, Tenth(x.Seconds), x.Rounds, x.Waiting)).ToList());

    private static double Tenth(double seconds) => Math.Round(seconds, 1);
}

internal sealed record ReviewWaitJson(string Item, double Seconds, int Rounds, bool Waiting);

/// <summary>shape <c>plan</c>: <c>orc plan</c>.</summary>
internal sealed record PlanJson(
    string? Convoy, List<PlanItemJson> Items, List<PlanConflictJson> Conflicts, List<List<string>> Waves,
    List<PlanWarningJson> Warnings, List<PlanOverlapJson> Overlaps)
{
    public static PlanJson From(PlanView p) =>
        new(p.Convoy,
            p.Rows.Select(r => new PlanItemJson(r.Id, r.Title, r.Rig, r.Branch, r.Worktree, r.Agent, [.. r.Files], [.. r.DependsOn], r.Status,
                r.Wave)).ToList(),
            p.Result.Conflicts.Select(c => new PlanConflictJson(c.A, c.B, [.. c.Shared])).ToList(),
            p.Result.Waves.Select(w => w.ToList()).ToList(),
            p.Result.Warnings.Select(x => new PlanWarningJson(x.Item, x.Pattern, x.Text)).ToList(),
            p.Live.Select(l => new PlanOverlapJson(l.A, l.B, [.. l.Files], l.Predicted)).ToList());
}

/// <param name="Wave">Null (printed as null) for an item in no wave.</param>
internal sealed record PlanItemJson(
    string Id, string Title, string? Rig, string? Branch, string? Worktree, string? Agent, List<string> Files, List<string> DependsOn, string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Wave);

internal sealed record PlanConflictJson(string A, string B, List<string> Shared);

internal sealed record PlanWarningJson(string Item, string Pattern, string Text);

internal sealed record PlanOverlapJson(string A, string B, List<string> Files, bool Predicted);
