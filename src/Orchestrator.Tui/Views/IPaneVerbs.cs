using Orchestrator.Services.Fleet;
using Orchestrator.Tui.Actions;

namespace Orchestrator.Tui.Views;

/// <summary>
/// What a pane's bindings may do in the window: the fleet's verbs (<see cref="Actions"/>), and the
/// boxes, questions and messages around them. <see cref="FleetWindow"/> is the one implementation.
/// </summary>
internal interface IPaneVerbs
{
    /// <summary>The fleet as last read; null before the first read.</summary>
    FleetSnapshot? Snapshot { get; }

    FleetActions Actions { get; }

    /// <summary>Takes the terminal to a tmux window (F12 comes back).</summary>
    void Attach(AttachTarget target);

    /// <summary>Asks for <paramref name="fields"/> in a box; on Enter runs <paramref name="submit"/> as <see cref="Do"/> does.</summary>
    void Form(string title, IReadOnlyList<FormField> fields, Func<IReadOnlyDictionary<string, string>, string> submit);

    /// <summary>Asks a yes/no question; <paramref name="yes"/> runs on y.</summary>
    void Confirm(string question, Action yes);

    /// <summary>
    /// Runs a verb off the UI thread; its sentence (or error) goes to the status line, and
    /// <paramref name="then"/> runs on the UI thread when it worked.
    /// </summary>
    void Do(string what, Func<string> action, Action? then = null);

    /// <summary>Shows text in a box over the panes (Esc closes it); on the UI thread only.</summary>
    void Show(string title, string text, bool wrap = true);

    /// <summary>A message on the status line.</summary>
    void Say(string message, bool error = false);

    /// <summary>Shows a work item in full: in the details pane when the layout has one, else in a box.</summary>
    void ShowItem(string id, bool inBox);

    /// <summary>Opens the diff of a submission waiting for review.</summary>
    void OpenReview(string item);

    void AskApprove(string item);

    void AskReject(string item);
}
