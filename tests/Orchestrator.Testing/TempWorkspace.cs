using System.Text;
using LibGit2Sharp;
using Orchestrator.Cli;

namespace Orchestrator.Testing;

/// <summary>
/// A fresh temp directory for one test, removed afterwards. Runs orc in-process (fast, isolated
/// streams and environment) or as a real child process (<see cref="OrcProcess"/>).
/// </summary>
public sealed class TempWorkspace : IDisposable
{
    /// <param name="suffix">Appended to the folder's name (e.g. hostile characters a user's path may hold).</param>
    public TempWorkspace(bool init = true, string prefix = "hq", string suffix = "")
    {
        Root = Path.Combine(Path.GetTempPath(), "orc-test-" + Guid.NewGuid().ToString("N")[..12] + suffix);
        Directory.CreateDirectory(Root);
        if (init)
        {
            // Nearly every integration test makes a workspace. Under the JIT a child orc costs about
            // 0.3 s of CPU, so init runs in-process there (WorkspaceTests cover 'orc init' itself);
            // with ORC_TEST_BINARY (milliseconds a process) it stays the shipped binary, as a child.
            string[] args = ["init", ".", "--prefix", prefix, "--profile", "sim"];
            var r = OrcProcess.Native is null ? Orc(args) : OrcProcess.Run(Root, args);
            Assert.True(r.ExitCode == 0, r.ToString());
        }
    }

    public string Root { get; }

    /// <summary>Environment every in-process run sees (e.g. a private tmux socket for the test).</summary>
    public Dictionary<string, string> Env { get; } = [];
    public string LedgerPath => Path.Combine(Root, "ledger", "issues.jsonl");
    public string QuarantinePath => Path.Combine(Root, "ledger", "issues.quarantine");

    /// <summary>Runs orc in this process, in <paramref name="cwd"/> (default: the workspace root).</summary>
    public CliResult Orc(params string[] args) => Run(args, null, null);

    public CliResult OrcAs(string agent, params string[] args) => Run(args, new() { ["ORC_AGENT"] = agent }, null);

    public CliResult OrcWithInput(string stdin, params string[] args) => Run(args, null, stdin);

    public CliResult Run(string[] args, Dictionary<string, string>? env, string? stdin, string? cwd = null)
    {
        var vars = new Dictionary<string, string>(Env);
        foreach (var (k, v) in env ?? []) vars[k] = v;
        vars.TryAdd("USER", "tester");
        vars.TryAdd("PATH", Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin");
        vars.TryAdd("HOME", Root);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = OrcCli.Run(args, new CliEnvironment(cwd ?? Root, k => vars.GetValueOrDefault(k), output, error, new StringReader(stdin ?? ""))
        {
            SelfArgv = OrcProcess.Argv,
        });
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Creates an item and returns its id.</summary>
    public string Create(string title, params string[] extra)
    {
        var r = Orc(["item", "create", title, .. extra, "--json"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return System.Text.Json.JsonDocument.Parse(r.Out).RootElement.GetProperty("id").GetString()!;
    }

    public byte[] LedgerBytes() => File.ReadAllBytes(LedgerPath);

    public string LedgerText() => Encoding.UTF8.GetString(LedgerBytes());

    public int CommitCount()
    {
        using var repo = new Repository(Root);
        return repo.Commits.Count();
    }

    public CommitInfo Head()
    {
        using var repo = new Repository(Root);
        var tip = repo.Head.Tip;
        return new CommitInfo(tip.MessageShort, tip.Message, tip.Author.Name);
    }

    public string HeadMessage()
    {
        using var repo = new Repository(Root);
        return repo.Head.Tip.Message;
    }

    public bool IsClean()
    {
        using var repo = new Repository(Root);
        return !repo.RetrieveStatus(new StatusOptions()).IsDirty;
    }

    /// <summary>What is not committed in the workspace (for failure messages).</summary>
    public string Dirty()
    {
        using var repo = new Repository(Root);
        return string.Join(", ",
            repo.RetrieveStatus(new StatusOptions()).Where(e => e.State != FileStatus.Unaltered
            && e.State != FileStatus.Ignored).Select(e => $"{e.FilePath} ({e.State})"));
    }

    public void Dispose()
    {
        Delete();
        // An orc process the test stopped (a service or an agent in a tmux window that just got
        // SIGHUP) may still write its last heartbeat or log line: once none is left, delete again.
        // One still there after a while (a service that started the server again) is ended.
        if (!Env.TryGetValue("ORC_TMUX_SOCKET", out var socket)) return;
        if (!PrivateTmux.WaitForNone(socket, Root, seconds: 2))
        {
            using var tmux = new Orchestrator.Adapters.Tmux.TmuxServer(socket, Path.Combine(Root, "tmux.conf"), Path.Combine(Root, "locks"));
            PrivateTmux.Stop(tmux, Root);
        }
        Delete();
    }

    private void Delete()
    {
        try
        {
            if (!Directory.Exists(Root)) return;
            foreach (var f in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
                File.SetAttributes(f, FileAttributes.Normal);
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

public sealed record CommitInfo(string MessageShort, string Message, string AuthorName);

public sealed record CliResult(int ExitCode, string Out, string Err)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Out}\nstderr: {Err}";
}
