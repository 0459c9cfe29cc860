using Terminal.Gui.Drivers;
using Terminal.Gui.ViewBase;

namespace Orchestrator.Tui.Hosting;

/// <summary>
/// Terminal.Gui's ANSI output, quiet when nothing changed. Terminal.Gui 2.5 sets the cursor on every
/// main-loop iteration, and a hidden cursor has no position to compare, so each iteration wrote
/// "hide cursor" and "go to 1,1" to the terminal: about 200 writes a second over SSH with nothing on
/// screen changing. This output writes a cursor only when it differs from the last one written, or
/// when a frame was written since (drawing moves the terminal's cursor).
/// </summary>
/// <remarks>
/// <see cref="AnsiOutput.SetCursor"/> is not virtual; the driver calls it through <see cref="IOutput"/>,
/// which this class implements again so that call comes here (as <see cref="WakingInput"/> does for input).
/// </remarks>
internal sealed class CalmOutput : AnsiOutput, IOutput
{
    private Cursor? _written;

    /// <summary>Cursor writes skipped because nothing had changed (for tests and the bench).</summary>
    public long Skipped { get; private set; }

    void IOutput.SetCursor(Cursor cursor)
    {
        if (_written is { } last && last.Equals(cursor)) { Skipped++; return; }
        _written = cursor;
        SetCursor(cursor);
    }

    public override void Write(IOutputBuffer buffer)
    {
        _written = null;
        base.Write(buffer);
    }
}
