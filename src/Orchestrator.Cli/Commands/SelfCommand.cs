namespace Orchestrator.Cli.Commands;

/// <summary>How to start this same orc again from another program (git's merge driver, tmux windows).</summary>
internal static class SelfCommand
{
    /// <summary>The argv prefix that starts this orc: its native binary, or dotnet and its dll.</summary>
    public static IReadOnlyList<string> Argv()
    {
        var process = Environment.ProcessPath ?? "orc";
        var name = Path.GetFileNameWithoutExtension(process);
        if (name.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "orc.dll");
            return [process, dll];
        }
        return [process];
    }

    /// <summary>The merge driver command for an orc started by <paramref name="argv"/> (git runs it through sh: each word is single-quoted).</summary>
    public static string MergeDriver(IEnumerable<string> argv) =>
        string.Join(' ', argv.Select(ShellQuote)) + " merge-driver %O %A %B %P";

    public static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
