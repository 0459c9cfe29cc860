using Orchestrator.Core.Events;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Merging;
using Orchestrator.Services.Fleet;

namespace Orchestrator.Tui.Views;

/// <summary>
/// What the selected row of a pane stands for, typed: a pane's bindings act on it
/// (<see cref="PaneBinding"/>), so no binding parses a row key back into what it meant.
/// </summary>
internal abstract record Selection
{
    /// <summary>The work item this selection is about, if any (an item, or the item an agent holds).</summary>
    public virtual string? Item => null;
}

internal sealed record AgentSelection(FleetAgent Agent) : Selection
{
    public override string? Item => Agent.Hook.Item;
}

internal sealed record ServiceSelection(ServiceStatus Service) : Selection;

internal sealed record ItemSelection(string Id) : Selection
{
    public override string? Item => Id;
}

internal sealed record MailSelection(Message Message) : Selection;

internal sealed record SubmissionSelection(Submission Submission) : Selection
{
    public override string? Item => Submission.Item;
}

internal sealed record ConvoySelection(FleetConvoy Convoy) : Selection;

internal sealed record EventSelection(OrcEvent Event) : Selection;
