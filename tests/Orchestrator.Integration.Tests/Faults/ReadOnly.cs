using System.Diagnostics;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Faults;

/// <summary>
/// Makes a file or folder really unwritable for orc, although the tests run as root (who ignores
/// permission bits). Tried in order, the first that works is used and named:
/// 1. <c>chattr +i</c> (immutable; ext4, xfs, btrfs; needs CAP_LINUX_IMMUTABLE),
/// 2. a read-only bind mount in a private mount namespace around orc (needs CAP_SYS_ADMIN),
/// 3. orc run as the unprivileged user nobody, on a path with its write bits removed (needs CAP_SETUID).
/// None working fails the test, naming what each attempt said.
/// </summary>
public sealed class ReadOnly : IDisposable
{
    private readonly string _root;
    private readonly Func<IEnumerable<string>, (string File, string[] Prefix)?> _wrap;
    private readonly Action _undo;
    private bool _undone;

    private ReadOnly(string path, string root, string mechanism, Func<IEnumerable<string>, (string, string[])?> wrap, Action undo)
    {
        (_root, Mechanism, _wrap, _undo) = (root, mechanism, wrap, undo);
    }

    public string Mechanism { get; }

    public static ReadOnly Make(string path, string workspaceRoot)
    {
        var tried = new List<string>();
        var recursive = Directory.Exists(path);

        // 1. The immutable attribute.
        var chattr = Tool("chattr", recursive ? ["-R", "+i", path] : ["+i", path]);
        if (chattr.Code == 0 && !RootCanWrite(path))
            return new ReadOnly(path, workspaceRoot, "chattr +i", _ => null, () => Tool("chattr", recursive ? ["-R", "-i", path] : ["-i", path]));
        Tool("chattr", recursive ? ["-R", "-i", path] : ["-i", path]);
        tried.Add($"chattr +i: exit {chattr.Code} {chattr.Err.Trim()}");

        // 2. A read-only bind mount, only in orc's own mount namespace.
        const string script = "p=$1; shift; mount --bind \"$p\" \"$p\" && mount -o remount,bind,ro \"$p\" \"$p\" && exec \"$@\"";
        string[] mountPrefix = ["--mount", "--propagation", "private", "--", "sh", "-c", script, "sh", path];
        var probe = Tool("unshare", [.. mountPrefix, "sh", "-c", recursive ? "touch \"$0/.orc-probe\"" : ": >> \"$0\"", path]);
        if (probe.Code != 0 && probe.Err.Contains("Read-only file system"))
            return new ReadOnly(path, workspaceRoot, "read-only bind mount (unshare --mount)", _ => ("unshare", mountPrefix), () => { });
        tried.Add($"read-only bind mount: exit {probe.Code} {probe.Err.Trim()}");

        // 3. An unprivileged user on a path without write permission.
        Tool("chmod", recursive ? ["-R", "a-w", path] : ["a-w", path]);
        string[] userPrefix = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"];
        var asNobody = Tool("setpriv", [.. userPrefix, .. OrcProcess.Argv, "--version"]);
        if (asNobody.Code == 0 && Tool("setpriv", [.. userPrefix, "sh", "-c", recursive ? "touch \"$0/.orc-probe\"" : ": >> \"$0\"", path]).Code != 0)
            return new ReadOnly(path, workspaceRoot, "unprivileged user nobody (setpriv) on a path without write permission", _ => ("setpriv", userPrefix),
                () => Tool("chmod", recursive ? ["-R", "u+w", path] : ["u+w", path]));
        Tool("chmod", recursive ? ["-R", "u+w", path] : ["u+w", path]);
        tried.Add($"setpriv as nobody: exit {asNobody.Code} {asNobody.Err.Trim()}");

        throw new Xunit.Sdk.XunitException("no way to make a path read-only for root works on this machine: " + string.Join(" | ", tried));
    }

    /// <summary>Runs orc (a real process) in the workspace, under whatever makes the path read-only.</summary>
    public CliResult Orc(string[] args)
    {
        var psi = OrcProcess.StartInfo(_root, args, new Dictionary<string, string> { ["HOME"] = _root });
        if (_wrap(args) is var (file, prefix))
        {
            var inner = new List<string> { psi.FileName };
            inner.AddRange(psi.ArgumentList);
            psi.FileName = file;
            psi.ArgumentList.Clear();
            foreach (var a in prefix.Concat(inner)) psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(); throw new TimeoutException($"orc {string.Join(' ', args)} did not finish"); }
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static bool RootCanWrite(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                var probe = Path.Combine(path, ".orc-probe");
                File.WriteAllText(probe, "");
                File.Delete(probe);
            }
            else
            {
                using var _ = new FileStream(path, FileMode.Append, FileAccess.Write);
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static (int Code, string Err) Tool(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(60_000)) { p.Kill(); return (-1, "timed out"); }
            return (p.ExitCode, err.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{file}: {e.Message}");
        }
    }

    public void Dispose()
    {
        if (_undone) return;
        _undone = true;
        _undo();
    }
}
