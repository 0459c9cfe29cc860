using System.Text;
using Orchestrator.Adapters.Processes;

namespace Orchestrator.Tui.Actions;

/// <summary>
/// Runs this orc as a child process on the same workspace (the command palette's <c>:VERB …</c>):
/// arguments as an array, no shell, standard input closed, output captured and capped, so nothing
/// a verb prints can reach the terminal except through the TUI's own drawing. Each line is also
/// handed over as it comes; cancelling (or the time limit) kills the child and what it started.
/// </summary>
internal sealed class SelfRunner(IReadOnlyList<string> selfArgv, string workspace, IReadOnlyDictionary<string, string?> environment)
{
    public const int MaxOutput = 512 * 1024;

    /// <param name="Stopped">Ended by the cancellation or the time limit, not by itself.</param>
    public sealed record Outcome(int ExitCode, string Output, bool Stopped = false);

    public async Task<Outcome> RunAsync(IReadOnlyList<string> args, TimeSpan? timeout = null, Action<string>? line = null, CancellationToken cancel = default)
    {
        var output = new StringBuilder();
        void Take(string text)
        {
            lock (output) { if (output.Length < MaxOutput) output.AppendLine(text); }
            line?.Invoke(text);
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (timeout is { } limit) cts.CancelAfter(limit);
        try
        {
            var env = new Dictionary<string, string?>(environment) { ["ORC_WORKSPACE"] = workspace };
            var exit = await ChildProcess.StreamAsync([.. selfArgv, .. args], Take, workspace, env, cts.Token);
            lock (output) return new Outcome(exit, output.ToString());
        }
        catch (OperationCanceledException)
        {
            var why = cancel.IsCancellationRequested ? "(stopped)" : $"(stopped after {timeout?.TotalSeconds:0}s)";
            lock (output) return new Outcome(cancel.IsCancellationRequested ? 130 : 124, output + "\n" + why, Stopped: true);
        }
        catch (ProgramNotFoundException ex)
        {
            return new Outcome(127, $"cannot start orc: {ex.Message}");
        }
    }
}
