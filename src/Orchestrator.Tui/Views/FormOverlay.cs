using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Orchestrator.Tui.Views;

/// <summary>One field of a form: its label and starting value.</summary>
internal sealed record FormField(string Name, string Label, string Value = "");

/// <summary>
/// A small form (new item, edit, comment, nudge, mail): one line per field. Tab and Shift-Tab
/// (or the arrows) move between fields, Enter submits, Esc cancels. The values are handed back
/// as typed; the action validates them, as the CLI would.
/// </summary>
internal sealed class FormOverlay : Overlay
{
    private readonly List<(FormField Field, TextField Box)> _fields = [];
    private readonly Action<IReadOnlyDictionary<string, string>> _submit;

    public FormOverlay(string title, IReadOnlyList<FormField> fields, Action<IReadOnlyDictionary<string, string>> submit, int screenWidth)
        : base(title, Math.Min(screenWidth - 4, 72), fields.Count + 3)
    {
        _submit = submit;
        var labelWidth = fields.Max(f => f.Label.Length) + 2;
        var y = 0;
        foreach (var f in fields)
        {
            Add(new Label { Text = f.Label + ":", X = 0, Y = y });
            var box = new FormBox(this) { X = labelWidth, Y = y, Width = Dim.Fill(), Text = f.Value };
            Add(box);
            _fields.Add((f, box));
            y++;
        }
        Add(new Label { Text = "Enter save · Tab next field · Esc cancel", X = 0, Y = y + 1 });
    }

    /// <summary>A text field that leaves Enter, Esc and Tab to its form (a plain field would take Enter as its own accept).</summary>
    private sealed class FormBox(FormOverlay form) : TextField
    {
        protected override bool OnKeyDown(Key key) =>
            key == Key.Enter || key == Key.Esc || key == Key.Tab || key == Key.Tab.WithShift || key == Key.CursorUp || key == Key.CursorDown
                ? form.OnKeyDown(key)
                : base.OnKeyDown(key);
    }

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.Enter)
        {
            var values = _fields.ToDictionary(f => f.Field.Name, f => f.Box.Text ?? "");
            Close();
            _submit(values);
            return true;
        }
        var at = _fields.FindIndex(f => f.Box.HasFocus);
        if (key == Key.Tab || key == Key.CursorDown) { _fields[(at + 1) % _fields.Count].Box.SetFocus(); return true; }
        if (key == Key.Tab.WithShift || key == Key.CursorUp) { _fields[(at - 1 + _fields.Count) % _fields.Count].Box.SetFocus(); return true; }
        return base.OnKeyDown(key);
    }
}
