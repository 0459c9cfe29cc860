using Terminal.Gui.Input;

namespace Orchestrator.Tui.Views;

/// <summary>
/// A key a pane answers to, declared once by the pane: the help overlay, the status bar's hints
/// and the dispatch of the key are all made from these, so they cannot disagree. A binding that
/// needs a kind of selection says why it does nothing without one (shown when the key is
/// pressed; the status bar leaves it out meanwhile).
/// </summary>
/// <param name="Keys">How the key is written in help: <c>Enter</c>, or the one character typed (<c>K</c> and <c>k</c> differ).</param>
/// <param name="What">What it does, in a few words.</param>
internal sealed record PaneBinding(string Keys, string What)
{
    /// <summary>What the key does with the pane's selection; null for a line of help only.</summary>
    public Action<IPaneVerbs, Selection?>? Run { get; init; }

    /// <summary>Why the key does nothing with this selection; null when it applies.</summary>
    public Func<Selection?, string?> WhyNot { get; init; } = _ => null;

    /// <summary>Whether the status bar may show it (help-only lines and rare keys stay in the <c>?</c> overlay).</summary>
    public bool InStatusBar { get; init; } = true;

    /// <summary>A key that applies whatever is selected.</summary>
    public static PaneBinding Always(string keys, string what, Action<IPaneVerbs> run) => new(keys, what) { Run = (v, _) => run(v) };

    /// <summary>A key that acts on a selection of type <typeparamref name="T"/>, and says <paramref name="needs"/> otherwise.</summary>
    public static PaneBinding On<T>(string keys, string what, Action<IPaneVerbs, T> run, string needs) where T : Selection =>
        new(keys, what) { Run = (v, s) => run(v, (T)s!), WhyNot = s => s is T ? null : needs };

    /// <summary>A line of help that no key of the pane's runs (e.g. the keys of a view it opens).</summary>
    public static PaneBinding Help(string keys, string what) => new(keys, what) { InStatusBar = false };

    /// <summary>Whether <paramref name="key"/> (typing <paramref name="typed"/>, if it types a character) is this binding's key.</summary>
    public bool IsKey(Key key, char? typed) =>
        Run is not null && (Keys == "Enter" ? key == Key.Enter : Keys.Length == 1 && typed == Keys[0]);
}
