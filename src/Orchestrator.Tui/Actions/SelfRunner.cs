using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace Orchestrator.Tui.Actions;

/// <summary>
/// Runs this orc as a child process on the same workspace (the command palette's <c>:VERB …</c>):
/// arguments as an array, no shell, standard input closed, output captured and capped, a time
/// limit, so nothing a verb prints can reach the terminal except through the TUI's own drawing.
/// </summary>
internal sealed class SelfRunner(IReadOnlyList<string> selfArgv, string workspace, IReadOnlyDictionary<string, string?> environment)
{
    public const int MaxOutput = 512 * 1024;

    public sealed record Outcome(int ExitCode, string Output);

    public async Task<Outcome> RunAsync(IReadOnlyList<string> args, TimeSpan timeout)
    {
        var output = new StringBuilder();
        void Take(string line)
        {
            lock (output) { if (output.Length < MaxOutput) output.AppendLine(line); }
        }
        using var cts = new CancellationTokenSource(timeout);
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
            return new Outcome(124, output + $"\n(stopped after {timeout.TotalSeconds:0}s)");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new Outcome(127, $"cannot start orc ({selfArgv[0]}): {ex.Message}");
        }
    }
}
