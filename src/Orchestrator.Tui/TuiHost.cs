using Orchestrator.Tui.Actions;
using Orchestrator.Tui.Config;

namespace Orchestrator.Tui;

/// <summary>Where the user asked to go: a tmux window of the workspace's server.</summary>
public sealed record AttachTarget(string Session, string Window, string Label);

/// <summary>
/// What the window needs from the running program: the verbs, a way to run work off the UI
/// thread and come back to it, refreshing, attaching, quitting, and the layout and theme
/// catalogs. The real program and the headless tests each make their own.
/// </summary>
internal sealed class TuiHost
{
    public required FleetActions Actions { get; init; }

    /// <summary>
    /// One submission waiting for review in full (the item, the gate, the diff): what the review
    /// view shows. Called off the UI thread (it reads git); throws <see cref="Core.OrcException"/>
    /// when the item does not wait for review.
    /// </summary>
    public Func<string, Services.Refinery.ReviewDetail> Reviews { get; init; } =
        item => throw new Core.OrcException($"cannot read {item}'s review here");
    public required SelfRunner Self { get; init; }
    public required LayoutCatalog Layouts { get; init; }
    public required ThemeCatalog Themes { get; init; }

    /// <summary>Whether colours are drawn from the 16 ANSI ones only.</summary>
    public bool Sixteen { get; init; }

    /// <summary>Runs work away from the UI thread (tests: at once).</summary>
    public Action<Action> Background { get; init; } = work => work();

    /// <summary>Runs an update on the UI thread (tests: at once).</summary>
    public Action<Action> OnUi { get; init; } = update => update();

    /// <summary>Asks for a new snapshot now.</summary>
    public Action Refresh { get; init; } = () => { };

    /// <summary>Leaves the TUI for a tmux window; the TUI comes back when the user returns.</summary>
    public Action<AttachTarget> Attach { get; init; } = _ => { };

    public Action Quit { get; init; } = () => { };

    /// <summary>Whether <c>q</c> asks first while agents or the demo run (<c>tui.confirm_quit</c>).</summary>
    public bool ConfirmQuit { get; init; } = true;

    /// <summary>
    /// Set when this TUI is <c>orc demo</c>'s, where quitting ends the demo: whether its workspace is then
    /// removed (<see cref="Services.Demo.DemoScenario.TuiRemoves"/>) or kept. Null anywhere else.
    /// </summary>
    public string? Demo { get; init; }

    /// <summary>The verbs the command palette offers (name and one-line help), from the CLI's own tree.</summary>
    public IReadOnlyList<(string Name, string Help)> Verbs { get; init; } = [];
}
