using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LibGit2Sharp;
using Orchestrator.Adapters.Processes;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Git;

/// <summary>What the forge says of a pull request: still open, merged (with its merge commit when it names one), or closed unmerged.</summary>
public enum PullRequestState { Open, Merged, Closed }

public sealed record PullRequestStatus(PullRequestState State, string? MergeCommit);

/// <summary>
/// The forge's own CLI, <c>gh</c> (GitHub) or <c>glab</c> (GitLab), run as the user runs it (their
/// sign-in, their hosts): opens a pull request for a branch already pushed to origin, and reads its
/// state back. Found on the PATH the caller passes (the workspace's, so tests can give their own
/// without touching the process's). Arguments are an array, never a shell line; no prompts.
/// </summary>
public sealed partial class ForgeCli
{
    public const string GitHub = "gh";
    public const string GitLab = "glab";

    private readonly string? _path;
    private readonly TimeSpan _timeout;

    private ForgeCli(string name, string program, string? pathVariable, TimeSpan timeout)
    {
        Name = name;
        Program = program;
        _path = pathVariable;
        _timeout = timeout;
    }

    /// <summary><c>gh</c> or <c>glab</c>.</summary>
    public string Name { get; }

    /// <summary>The executable found on PATH.</summary>
    public string Program { get; }

    /// <summary>"pull request" or, on GitLab, "merge request".</summary>
    public string Noun => Name == GitLab ? "merge request" : "pull request";

    /// <summary>
    /// The CLI for the rig in <paramref name="rigDir"/>: by its origin's host (<c>gitlab</c> in it:
    /// glab; <c>github</c>: gh; any other host, e.g. a forge of your own: whichever is on PATH, gh
    /// first). Throws, saying what is missing, when the rig has no origin or the CLI is not on PATH.
    /// </summary>
    public static ForgeCli Locate(string rigDir, string? pathVariable, TimeSpan? timeout = null)
    {
        var url = OriginUrl(rigDir) ?? throw new OrcException($"the rig has no remote '{RigRemote.Origin}' to push pull requests to (add one with 'git -C {TerminalText.Line(rigDir)} remote add origin URL')");
        var host = (HostOf(url) ?? "").ToLowerInvariant();
        string[] choices = host.Contains("gitlab", StringComparison.Ordinal) ? [GitLab]
            : host.Contains("github", StringComparison.Ordinal) ? [GitHub]
            : [GitHub, GitLab];
        foreach (var name in choices)
            if (Find(name, pathVariable) is { } program) return new ForgeCli(name, program, pathVariable, timeout ?? TimeSpan.FromSeconds(120));
        var wanted = choices.Length == 1
            ? $"{choices[0]} ({(choices[0] == GitHub ? "the GitHub CLI" : "the GitLab CLI")}) is not on PATH"
            : "neither gh (GitHub) nor glab (GitLab) is on PATH";
        throw new OrcException($"{wanted}; origin is {Display(url)} (install it and sign in: 'gh auth login' or 'glab auth login')");
    }

    /// <summary>origin's URL as configured (before any <c>insteadOf</c> rewriting: the host a person wrote), or null.</summary>
    public static string? OriginUrl(string rigDir)
    {
        using var repo = new Repository(rigDir);
        return repo.Config.Get<string>($"remote.{RigRemote.Origin}.url")?.Value is { Length: > 0 } url ? url : null;
    }

    /// <summary>The host of a git URL (<c>https://host/…</c>, <c>ssh://user@host:port/…</c>, <c>user@host:path</c>), or null for a local path.</summary>
    public static string? HostOf(string url)
    {
        if (url.Contains("://", StringComparison.Ordinal))
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri.Host : null;
        var colon = url.IndexOf(':');
        if (colon <= 0 || url.IndexOf('/') is var slash && slash >= 0 && slash < colon) return null; // a path
        var host = url[..colon];
        return host[(host.LastIndexOf('@') + 1)..];
    }

    /// <summary>A URL fit to show: without a user name or token, control characters made visible.</summary>
    public static string Display(string url) => TerminalText.Line(Credentials().Replace(url, "$1"));

    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@")]
    private static partial Regex Credentials();

    /// <summary>The executable file <paramref name="command"/> names on <paramref name="pathVariable"/>, or null.</summary>
    public static string? Find(string command, string? pathVariable)
    {
        foreach (var dir in (pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var file = Path.Combine(dir, command);
            if (File.Exists(file)
                && (OperatingSystem.IsWindows()
                || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                return file;
        }
        return null;
    }

    /// <summary>
    /// Opens a pull request from <paramref name="head"/> (pushed to origin already) into
    /// <paramref name="baseBranch"/>; returns its URL. Throws with the CLI's words when it fails.
    /// </summary>
    public string Create(string rigDir, string baseBranch, string head, string title, string body)
    {
        // gh pr create --base B --head H --title T --body B (GitHub CLI manual); glab mr create
        // --source-branch H --target-branch B --title T --description D --yes (glab's own docs).
        string[] args = Name == GitHub
            ? ["pr", "create", "--base", baseBranch, "--head", head, "--title", title, "--body", body]
            : ["mr", "create", "--source-branch", head, "--target-branch", baseBranch, "--title", title, "--description", body, "--yes"];
        var r = Run(args, rigDir);
        if (!r.Ok) throw new OrcException($"{Name} {args[0]} {args[1]} failed: {r.Said}");
        // gh prints the URL; glab prints a few lines, the URL among them: the last URL printed.
        return Urls().Matches(r.Out).Select(m => m.Value).LastOrDefault(IsUrl)
            ?? throw new OrcException($"{Name} {args[0]} {args[1]} printed no URL: {r.Said}");
    }

    /// <summary>The state of the pull request at <paramref name="url"/> (opened from <paramref name="head"/>). Throws with the CLI's words when it cannot
    /// tell.</summary>
    public PullRequestStatus View(string rigDir, string url, string? head)
    {
        // gh pr view URL --json state,mergeCommit: {"state":"OPEN|CLOSED|MERGED","mergeCommit":{"oid":…}|null}.
        // glab mr view IID --repo PROJECT --output json: the GitLab API's merge request,
        // {"state":"opened|closed|locked|merged","merge_commit_sha":…,"squash_commit_sha":…}.
        string[] args;
        if (Name == GitHub) args = ["pr", "view", url, "--json", "state,mergeCommit"];
        else if (MergeRequestUrl().Match(url) is { Success: true } m) args = ["mr", "view", m.Groups["iid"].Value, "--repo", m.Groups["project"].Value,
            "--output", "json"];
        else args = ["mr", "view", head ?? url, "--output", "json"];
        var r = Run(args, rigDir);
        if (!r.Ok) throw new OrcException($"{Name} {args[0]} view failed: {r.Said}");
        try
        {
            using var doc = JsonDocument.Parse(r.Out);
            var root = doc.RootElement;
            var state = (root.TryGetProperty("state", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null)?.ToLowerInvariant();
            string? Sha(JsonElement e) => e.ValueKind switch
            {
                JsonValueKind.String => e.GetString(),
                JsonValueKind.Object when e.TryGetProperty("oid", out var oid) && oid.ValueKind == JsonValueKind.String => oid.GetString(),
                _ => null,
            };
            string? commit = null;
            foreach (var key in new[] { "mergeCommit", "merge_commit_sha", "squash_commit_sha" })
                if (commit is null && root.TryGetProperty(key, out var v) && Sha(v) is { } sha && Hex().IsMatch(sha)) commit = sha.ToLowerInvariant();
            return state switch
            {
                "merged" => new PullRequestStatus(PullRequestState.Merged, commit),
                "closed" => new PullRequestStatus(PullRequestState.Closed, null),
                "open" or "opened" or "locked" or "reopened" => new PullRequestStatus(PullRequestState.Open, null),
                _ => throw new OrcException($"{Name} said the state of {Display(url)} is '{TerminalText.Line(state ?? "(none)")}'"),
            };
        }
        catch (JsonException e) { throw new OrcException($"{Name} printed no JSON for {Display(url)}: {TerminalText.Line(e.Message)}"); }
    }

    /// <summary>
    /// The URL of the pull request opened from <paramref name="head"/>, or null when the forge
    /// says there is none (a refinery stopped between pushing a branch and recording its pull
    /// request asks this before opening another). Throws when the CLI cannot tell.
    /// </summary>
    public string? OpenedFrom(string rigDir, string head)
    {
        // gh pr view BRANCH --json url (the pull request whose head is BRANCH); glab mr view BRANCH
        // --output json (the merge request whose source branch is BRANCH; its URL is web_url).
        string[] args = Name == GitHub ? ["pr", "view", head, "--json", "url"] : ["mr", "view", head, "--output", "json"];
        var r = Run(args, rigDir);
        if (!r.Ok)
        {
            // "no pull requests found for branch", "no open merge request available": none.
            if (r.Said.Contains("no pull requests found", StringComparison.OrdinalIgnoreCase) || r.Said.Contains("no open merge request",
                StringComparison.OrdinalIgnoreCase)
                || r.Said.Contains("not found", StringComparison.OrdinalIgnoreCase))
                return null;
            throw new OrcException($"{Name} {args[0]} view {TerminalText.Line(head)} failed: {r.Said}");
        }
        try
        {
            using var doc = JsonDocument.Parse(r.Out);
            foreach (var key in new[] { "url", "web_url" })
                if (doc.RootElement.TryGetProperty(key, out var u) && u.ValueKind == JsonValueKind.String && u.GetString() is { } url && IsUrl(url)) return url;
            return null;
        }
        catch (JsonException e) { throw new OrcException($"{Name} printed no JSON for {TerminalText.Line(head)}: {TerminalText.Line(e.Message)}"); }
    }

    /// <summary>A URL as a forge prints one: http(s), nothing but printable characters without spaces.</summary>
    public static bool IsUrl(string s) =>
        s.Length is > 8 and <= 2048 && (s.StartsWith("https://", StringComparison.Ordinal) || s.StartsWith("http://", StringComparison.Ordinal))
        && s.All(c => c > ' ' && c != '\u007f' && !char.IsControl(c));

    [GeneratedRegex(@"https?://[^\s\u0000-\u001f\u007f]+")]
    private static partial Regex Urls();

    [GeneratedRegex(@"^(?<project>https?://.+?)/-/merge_requests/(?<iid>\d+)/?$")]
    private static partial Regex MergeRequestUrl();

    [GeneratedRegex("^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$")]
    private static partial Regex Hex();

    private sealed record Result(bool Ok, string Out, string Said);

    private Result Run(IReadOnlyList<string> args, string cwd)
    {
        var env = new Dictionary<string, string?>
        {
            // No question may wait for a person: a refinery has no one to answer it.
            ["GH_PROMPT_DISABLED"] = "1", ["GLAB_NO_PROMPT"] = "true", ["GIT_TERMINAL_PROMPT"] = "0",
            ["GH_NO_UPDATE_NOTIFIER"] = "1", ["NO_COLOR"] = "1", ["GIT_DIR"] = null, ["GIT_WORK_TREE"] = null,
        };
        if (_path is not null) env["PATH"] = _path;
        ProcessResult result;
        try { result = ChildProcess.Run([Program, .. args], cwd, env, _timeout); }
        catch (ProgramNotFoundException) { return new Result(false, "", $"cannot run {TerminalText.Line(Program)}: not found or not executable"); }
        if (result.TimedOut) return new Result(false, "", $"no answer after {_timeout.TotalSeconds:0}s");
        return new Result(result.ExitCode == 0, result.Out, Said(result));
    }

    /// <summary>What the CLI said, as one printable line: its last error lines, else its output, else its exit code.</summary>
    private static string Said(ProcessResult r)
    {
        static List<string> Lines(string text) => text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var lines = Lines(r.Err);
        if (lines.Count == 0) lines = Lines(r.Out);
        var text = string.Join("; ", lines.TakeLast(3));
        if (text.Length > 400) text = text[..399] + "…";
        return text.Length == 0 ? $"exited with {r.ExitCode}" : TerminalText.Line(text);
    }
}
