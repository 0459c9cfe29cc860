using System.Text;

namespace Orchestrator.Adapters.Tmux;

/// <summary>
/// Turns the bytes of <c>%output</c> notifications into text, one UTF-8 decoder per pane: a
/// character split between two notifications is held back until its last byte arrives, instead of
/// becoming two replacement characters. Not thread-safe; use it from the notification handler only.
/// </summary>
public sealed class PaneOutputDecoder
{
    private readonly Dictionary<string, Decoder> _panes = new(StringComparer.Ordinal);

    /// <summary>The text <paramref name="data"/> completes for <paramref name="pane"/> (a pane id such as <c>%3</c>).</summary>
    public string Decode(string pane, ReadOnlySpan<byte> data)
    {
        if (!_panes.TryGetValue(pane, out var decoder))
            _panes[pane] = decoder = new UTF8Encoding(false, false).GetDecoder();
        var chars = new char[decoder.GetCharCount(data, flush: false)];
        var n = decoder.GetChars(data, chars, flush: false);
        return new string(chars, 0, n);
    }

    /// <summary>The text of a notification, or "" for anything but <c>%output</c>.</summary>
    public string Decode(TmuxNotification n) => n.Name == "output" ? Decode(n.Arguments, n.Data) : "";

    /// <summary>Forgets a pane (it closed): bytes it left incomplete are dropped.</summary>
    public void Forget(string pane) => _panes.Remove(pane);
}
