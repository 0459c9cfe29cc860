using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Orchestrator.Tui.Views;

/// <summary>
/// The line where <c>/</c> (filter) and <c>:</c> (command) are typed, over the status line.
/// Every change is reported (a filter applies as it is typed); Enter accepts, Esc cancels, Tab
/// asks for a completion. A hint (what the filter matches, the verbs that fit what is typed) is
/// shown on the line above it while it is open, and goes with it.
/// </summary>
internal sealed class PromptLine : View
{
    private readonly Label _hint = new() { X = 0, Y = 0, Width = Dim.Fill(), Visible = false };
    private readonly Label _label = new() { X = 0, Y = 0 };
    private readonly PromptField _field;
    private Action<string>? _changed;
    private Action<string>? _accept;
    private Action? _cancel;
    private Func<string, string?>? _complete;

    public PromptLine()
    {
        Height = 1;
        Width = Dim.Fill();
        CanFocus = true;
        Visible = false;
        _field = new PromptField(this) { X = Pos.Right(_label), Y = 0, Width = Dim.Fill() };
        _field.TextChanged += (_, _) => _changed?.Invoke(_field.Text ?? "");
        Add(_hint, _label, _field);
    }

    /// <summary>The hint shown above the prompt ("" when none).</summary>
    public string Hint => _hint.Visible ? _hint.Text : "";

    /// <summary>Shows <paramref name="text"/> on the line above the prompt (the prompt grows a line upwards); "" takes it away.</summary>
    public void SetHint(string text)
    {
        text = Core.Text.TerminalText.Line(text);
        var show = text.Length > 0 && IsOpen;
        _hint.Text = text;
        _hint.Visible = show;
        _label.Y = _field.Y = show ? 1 : 0;
        Height = show ? 2 : 1;
        Y = Pos.AnchorEnd(show ? 2 : 1);
        SetNeedsLayout();
    }

    public bool IsOpen => Visible;

    public string Value => _field.Text ?? "";

    public void Open(string prompt, string text, Action<string> accept, Action? cancel = null, Action<string>? changed = null, Func<string,
        string?>? complete = null, string hint = "")
    {
        _label.Text = prompt;
        _accept = accept;
        _cancel = cancel;
        _changed = null;
        _complete = complete;
        _field.Text = text;
        _field.MoveEnd();
        _changed = changed;
        Visible = true;
        SuperView?.MoveSubViewToEnd(this); // drawn over the panes, so its hint line is not hidden under them
        SetHint(hint);
        _field.SetFocus();
        SetNeedsLayout();
    }

    /// <summary>Closes the prompt as Esc in it would (its cancel runs).</summary>
    public void Cancel()
    {
        if (IsOpen) Finish(false);
    }

    private void Finish(bool accepted)
    {
        var text = Value;
        var accept = _accept;
        var cancel = _cancel;
        SetHint("");
        Visible = false;
        _accept = null;
        _cancel = null;
        _changed = null;
        if (accepted) accept?.Invoke(text); else cancel?.Invoke();
    }

    /// <summary>A text field that gives Enter, Esc and Tab to its prompt line.</summary>
    private sealed class PromptField(PromptLine owner) : TextField
    {
        protected override bool OnKeyDown(Key key)
        {
            if (key == Key.Enter) { owner.Finish(true); return true; }
            if (key == Key.Esc) { owner.Finish(false); return true; }
            if (key == Key.Tab)
            {
                if (owner._complete?.Invoke(Text ?? "") is { } completed) { Text = completed; MoveEnd(); }
                return true;
            }
            return base.OnKeyDown(key);
        }
    }
}
