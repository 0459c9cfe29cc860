using System.Diagnostics;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>Running orc and git for the hostile-input tests, and the refusal check they share.</summary>
public static class HostileRun
{
    public static readonly byte[] BadUtf8 = [(byte)'b', (byte)'a', (byte)'d', 0xff, 0xfe, (byte)' ', 0xc3, (byte)'x'];

    public static CliResult RunWithStdin(string cwd, byte[] stdin, params string[] args)
    {
        using var p = Process.Start(OrcProcess.StartInfo(cwd, args))!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        Assert.True(p.WaitForExit(60_000), "orc did not finish");
        return new CliResult(p.ExitCode, o.Result, e.Result);
    }

    public static void AssertRefused(TempWorkspace ws, byte[] ledger, int commits, CliResult r, string expected)
    {
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains(expected, r.Err);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
        HostileCorpus.AssertSafe(r.Err, "the error");
        Assert.Equal(ledger, ws.LedgerBytes());
        Assert.Equal(commits, ws.CommitCount());
    }

    public static string Git(string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GIT_AUTHOR_NAME"] = psi.Environment["GIT_COMMITTER_NAME"] = "test";
        psi.Environment["GIT_AUTHOR_EMAIL"] = psi.Environment["GIT_COMMITTER_EMAIL"] = "test@example.com";
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {e.Result}");
        return o.Result;
    }
}

/// <summary>One workspace the refused cases share: nothing they try may change it.</summary>
public sealed class RefusalWorkspace : IDisposable
{
    public RefusalWorkspace()
    {
        Item = Ws.Create("existing");
        Assert.Equal(0, Ws.Orc("mail", "send", "mayor", "hello", "--body", "plain").ExitCode);
    }

    public TempWorkspace Ws { get; } = new();
    public string Item { get; }

    public void Dispose() => Ws.Dispose();
}

/// <summary>One workspace the data cases share: each adds its own items and messages.</summary>
public sealed class DataWorkspace : IDisposable
{
    public TempWorkspace Ws { get; } = new();

    public void Dispose() => Ws.Dispose();
}
