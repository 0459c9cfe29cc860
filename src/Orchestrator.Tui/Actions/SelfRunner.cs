using System.Text;
using CliWrap;

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
            var result = await Cli.Wrap(selfArgv[0])
                .WithArguments([.. selfArgv.Skip(1), .. args])
                .WithWorkingDirectory(workspace)
                .WithEnvironmentVariables(e =>
                {
                    foreach (var (k, v) in environment) e.Set(k, v);
                    e.Set("ORC_WORKSPACE", workspace);
                })
                .WithStandardInputPipe(PipeSource.Null)
                .WithStandardOutputPipe(PipeTarget.ToDelegate(Take))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(Take))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(cts.Token);
            return new Outcome(result.ExitCode, output.ToString());
        }
        catch (OperationCanceledException)
        {
            var why = cancel.IsCancellationRequested ? "(stopped)" : $"(stopped after {timeout?.TotalSeconds:0}s)";
            lock (output) return new Outcome(cancel.IsCancellationRequested ? 130 : 124, output + "\n" + why, Stopped: true);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new Outcome(127, $"cannot start orc ({selfArgv[0]}): {ex.Message}");
        }
    }
}
