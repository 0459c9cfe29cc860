using LibGit2Sharp;
using Orchestrator.Adapters.Processes;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Git;

/// <summary>How a push ended: pushed, refused because the remote branch moved (fetch and rebuild), or refused for another reason.</summary>
public enum PushResult { Pushed, Moved, Refused }

/// <summary>A push's result and, unless pushed, what git said (one line each, safe to print).</summary>
public sealed record PushOutcome(PushResult Result, string Message);

/// <summary>
/// The rig's origin, through the git CLI: fetch and push run as the user's own git would, with the
/// user's credential helpers, SSH agent and config (libgit2 has neither SSH nor credential helpers
/// here). Never forces; never waits for a password (no prompt, SSH in batch mode).
/// </summary>
public sealed class RigRemote(string rigDir, TimeSpan? timeout = null)
{
    public const string Origin = "origin";

    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(120);

    /// <summary>The URL of the rig's origin, or null when it has none.</summary>
    public string? OriginUrl()
    {
        using var repo = new Repository(rigDir);
        return repo.Network.Remotes[Origin]?.Url;
    }

    /// <summary>The commit origin's <paramref name="branch"/> pointed at when last fetched, or null.</summary>
    public string? TrackedTip(string branch)
    {
        using var repo = new Repository(rigDir);
        return repo.Refs[TrackingRef(branch)]?.ResolveToDirectReference()?.TargetIdentifier;
    }

    public static string TrackingRef(string branch) => $"refs/remotes/{Origin}/{branch}";

    /// <summary>Fetches origin's <paramref name="branch"/>; its tip, or null when origin has no such branch. Throws with git's words when the fetch
    /// fails.</summary>
    public string? Fetch(string branch)
    {
        var ls = Git(["ls-remote", "--heads", Origin, "refs/heads/" + branch]);
        if (!ls.Green) throw new Core.OrcException($"cannot reach {Origin}: {Said(ls)}");
        if (ls.Tail.Trim().Length == 0) return null; // origin has no such branch yet: the first push makes it
        var r = Git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", Origin, $"+refs/heads/{branch}:{TrackingRef(branch)}"]);
        if (!r.Green) throw new Core.OrcException($"cannot fetch {branch} from {Origin}: {Said(r)}");
        return TrackedTip(branch);
    }

    /// <summary>Pushes <paramref name="commit"/> as origin's <paramref name="branch"/> (a fast-forward only; never forced).</summary>
    public PushOutcome Push(string commit, string branch)
    {
        var r = Git(["push", "--porcelain", Origin, $"{commit}:refs/heads/{branch}"]);
        if (r.Green)
        {
            // Recorded as git would after a push, so the next build sees origin where it is.
            using var repo = new Repository(rigDir);
            repo.Refs.Add(TrackingRef(branch), new ObjectId(commit), allowOverwrite: true);
            return new PushOutcome(PushResult.Pushed, "");
        }
        // --porcelain: "!\tSRC:DST\t[rejected] (fetch first)" when origin has commits we lack;
        // "[remote rejected] (…)" is the remote's own refusal (protection, hooks), never a moved tip.
        var moved = r.Tail.Split('\n').Any(l => l.StartsWith('!') && l.Contains("[rejected]", StringComparison.Ordinal)
            && (l.Contains("fetch first", StringComparison.Ordinal) || l.Contains("non-fast-forward", StringComparison.Ordinal)));
        return new PushOutcome(moved ? PushResult.Moved : PushResult.Refused, Said(r));
    }

    private CommandOutcome Git(IReadOnlyList<string> args)
    {
        var env = new Dictionary<string, string?>
        {
            ["GIT_TERMINAL_PROMPT"] = "0", ["GCM_INTERACTIVE"] = "never", ["GIT_DIR"] = null, ["GIT_WORK_TREE"] = null,
            ["LC_ALL"] = "C", // the porcelain and error words read above are git's English ones
        };
        if (Environment.GetEnvironmentVariable("GIT_SSH_COMMAND") is null) env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        return CommandRunner.Run(["git", .. args], rigDir, env, _timeout, tailLines: 20);
    }

    /// <summary>What git said, as one printable line: its error lines first, else the last lines.</summary>
    private static string Said(CommandOutcome r)
    {
        if (r.TimedOut) return $"no answer after {r.Elapsed.TotalSeconds:0}s";
        var lines = r.Tail.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l != "Done" && !l.StartsWith("To ", StringComparison.Ordinal)).ToList();
        var errors = lines.Where(l => l.StartsWith("fatal:", StringComparison.Ordinal) || l.StartsWith("error:", StringComparison.Ordinal)
            || l.StartsWith("remote:", StringComparison.Ordinal) || l.StartsWith('!')).ToList();
        var text = string.Join("; ", (errors.Count > 0 ? errors : lines).Take(4));
        return TerminalText.Line(text.Length == 0 ? $"git exited with {r.ExitCode}" : text.Replace('\t', ' '));
    }
}
