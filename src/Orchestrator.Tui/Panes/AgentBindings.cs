using Orchestrator.Services.Patrol;
using Orchestrator.Tui.Views;

namespace Orchestrator.Tui.Panes;

/// <summary>The keys of panes whose rows are agents (the rig tree, the tiles).</summary>
internal static class AgentBindings
{
    private const string Needs = "select an agent";

    private static readonly PaneBinding Attach =
        PaneBinding.On<AgentSelection>("Enter", "attach", (v, s) => v.Attach(new AttachTarget(s.Agent.Rig, s.Agent.Name, s.Agent.Name)), Needs);

    private static readonly PaneBinding[] Verbs =
    [
        PaneBinding.On<AgentSelection>("n", "nudge", (v, s) =>
            v.Form($"nudge {s.Agent.Name}", [new FormField("text", "message")], f => v.Actions.Nudge(s.Agent.Name, f["text"])), Needs),
        PaneBinding.On<AgentSelection>("K", "kill", (v, s) =>
            v.Confirm($"Stop {s.Agent.Name} ({s.Agent.Hook.Item ?? "no item"})? Its worktree and hook are kept.",
                () => v.Do("stopping", () => v.Actions.Kill(s.Agent.Name))), Needs),
        PaneBinding.On<AgentSelection>("R", "resume", (v, s) => v.Do("resuming", () => v.Actions.Resume(s.Agent.Name)), Needs),
        PaneBinding.On<AgentSelection>("m", "mail", (v, s) => MailPane.Compose(v, s.Agent.Name), Needs),
    ];

    /// <summary>For a pane of agents only.</summary>
    public static readonly IReadOnlyList<PaneBinding> All = [Attach, .. Verbs];

    /// <summary>For a pane of agents and services: Enter also attaches to a running service's window.</summary>
    public static readonly IReadOnlyList<PaneBinding> WithServices =
    [
        new PaneBinding("Enter", "attach")
        {
            Run = (v, s) =>
            {
                if (s is AgentSelection) Attach.Run!(v, s);
                else if (s is ServiceSelection { Service: var svc })
                {
                    if (!svc.Alive) v.Say($"{svc.Name} is {svc.State}{(svc.Error is { } e ? ": " + e : "")} ('orc up' starts it)", error: true);
                    else v.Attach(new AttachTarget(ServiceLauncher.Session, svc.Window ?? svc.Name, svc.Name));
                }
            },
            WhyNot = s => s is AgentSelection or ServiceSelection ? null : "select an agent or a service",
        },
        .. Verbs,
    ];
}
