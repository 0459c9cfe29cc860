using LibGit2Sharp;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

public class WorkspaceTests
{
    [Fact]
    public void Init_makes_a_git_repository_with_config_ledger_and_room_for_mail_agents_and_logs()
    {
        using var ws = new TempWorkspace();
        Assert.True(Repository.IsValid(ws.Root));
        foreach (var path in new[] { ".orc/config.yaml", "ledger/issues.jsonl", ".gitattributes", ".gitignore", "mail", "agents", ".orc/logs" })
            Assert.True(File.Exists(Path.Combine(ws.Root, path)) || Directory.Exists(Path.Combine(ws.Root, path)), path);
        Assert.Contains("prefix: hq", File.ReadAllText(Path.Combine(ws.Root, ".orc/config.yaml")));
        Assert.Contains("ledger/*.jsonl merge=orc-ledger", File.ReadAllText(Path.Combine(ws.Root, ".gitattributes")));
        using var repo = new Repository(ws.Root);
        Assert.Contains("merge-driver %O %A %B %P", repo.Config.Get<string>("merge.orc-ledger.driver").Value);
        Assert.Single(repo.Commits);
        Assert.True(ws.IsClean(), "init leaves nothing uncommitted");
    }

    [Fact]
    public void Init_again_changes_nothing_and_says_so()
    {
        using var ws = new TempWorkspace();
        var before = ws.CommitCount();
        var config = File.ReadAllText(Path.Combine(ws.Root, ".orc/config.yaml"));
        var r = ws.Orc("init", ".");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("already an orc workspace; nothing changed", r.Out);
        Assert.Equal(before, ws.CommitCount());
        Assert.Equal(config, File.ReadAllText(Path.Combine(ws.Root, ".orc/config.yaml")));
    }

    [Fact]
    public void Init_in_a_code_repository_with_commits_is_refused_unless_here()
    {
        using var ws = new TempWorkspace(init: false);
        var code = Path.Combine(ws.Root, "code");
        Repository.Init(code);
        File.WriteAllText(Path.Combine(code, "main.c"), "int main(void) { return 0; }\n");
        using (var repo = new Repository(code))
        {
            Commands.Stage(repo, "main.c");
            var sig = new Signature("dev", "dev@example.com", DateTimeOffset.UtcNow);
            repo.Commit("first", sig, sig);
        }

        foreach (var args in new[] { new[] { "init", "code" }, new[] { "init" } })
        {
            var r = args.Length == 1 ? ws.Run(args, null, null, code) : ws.Orc(args);
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.Err.Trim().Split('\n'));
            Assert.Contains("already a git repository with commits of its own", r.Err);
            Assert.Contains("--here", r.Err);
            Assert.Equal("", r.Out);
            Assert.False(Directory.Exists(Path.Combine(code, ".orc")), "nothing was made");
            using var repo = new Repository(code);
            Assert.Single(repo.Commits);
            Assert.DoesNotContain(repo.RetrieveStatus(new StatusOptions()), e => e.State != FileStatus.Ignored);
        }

        var here = ws.Orc("init", "code", "--here");
        Assert.Equal(0, here.ExitCode);
        Assert.Contains("initialised orc workspace", here.Out);
        Assert.True(File.Exists(Path.Combine(code, ".orc", "config.yaml")));
        using (var repo = new Repository(code)) Assert.Equal(2, repo.Commits.Count());
        // Once it is a workspace, init again is the usual no-op, with or without --here.
        var again = ws.Orc("init", "code");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already an orc workspace; nothing changed", again.Out);
    }

    [Fact]
    public void Init_in_a_git_repository_without_commits_makes_the_workspace_there()
    {
        using var ws = new TempWorkspace(init: false);
        var empty = Path.Combine(ws.Root, "empty");
        Repository.Init(empty);
        var r = ws.Orc("init", "empty");
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(Path.Combine(empty, ".orc", "config.yaml")));
        using var repo = new Repository(empty);
        Assert.Single(repo.Commits);
    }

    [Fact]
    public void Init_with_a_profile_makes_it_the_default_and_an_unknown_one_is_refused()
    {
        using var ws = new TempWorkspace(init: false);
        var bad = ws.Orc("init", "a", "--profile", "nope");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--profile: no shipped agent profile 'nope'", bad.Err);
        Assert.False(Directory.Exists(Path.Combine(ws.Root, "a")));
        var r = ws.Orc("init", "b", "--profile", "codex");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("default agent profile: codex (--profile)", r.Out);
        Assert.Contains("profile: codex", File.ReadAllText(Path.Combine(ws.Root, "b", ".orc", "config.yaml")));
    }

    [Fact]
    public void Init_with_a_bad_prefix_is_a_usage_error_and_makes_nothing()
    {
        using var ws = new TempWorkspace(init: false);
        var r = ws.Orc("init", "sub", "--prefix", "../x");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--prefix", r.Err);
        Assert.False(Directory.Exists(Path.Combine(ws.Root, "sub")));
    }

    [Fact]
    public void Commands_find_the_workspace_from_a_subdirectory()
    {
        using var ws = new TempWorkspace();
        var sub = Directory.CreateDirectory(Path.Combine(ws.Root, "mail", "deep", "er")).FullName;
        var r = ws.Run(["item", "create", "from below"], null, null, sub);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("from below", ws.LedgerText());
    }

    [Fact]
    public void Commands_find_the_workspace_from_ORC_WORKSPACE()
    {
        using var ws = new TempWorkspace();
        using var elsewhere = new TempWorkspace(init: false);
        var r = ws.Run(["item", "create", "via env"], new() { ["ORC_WORKSPACE"] = ws.Root }, null, elsewhere.Root);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("via env", ws.LedgerText());
    }

    [Fact]
    public void Outside_a_workspace_the_error_says_how_to_make_one()
    {
        using var dir = new TempWorkspace(init: false);
        var r = dir.Orc("ready");
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("not inside an orc workspace", r.Err);
        Assert.Contains("orc init", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
    }

    [Fact]
    public void An_ORC_WORKSPACE_that_is_not_a_workspace_is_named_in_the_error()
    {
        using var dir = new TempWorkspace(init: false);
        var r = dir.Run(["ready"], new() { ["ORC_WORKSPACE"] = dir.Root }, null);
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("ORC_WORKSPACE=" + dir.Root, r.Err);
    }

    [Fact]
    public void A_broken_config_names_the_file_and_line()
    {
        using var ws = new TempWorkspace();
        File.WriteAllText(Path.Combine(ws.Root, ".orc/config.yaml"), "version: 1\nprefix: [unclosed\n");
        var r = ws.Orc("item", "create", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Matches(@"config\.yaml:\d+: invalid YAML", r.Err);
    }

    [Fact]
    public void Logs_go_to_the_workspace_and_not_to_the_terminal()
    {
        using var ws = new TempWorkspace();
        var r = ws.Orc("item", "create", "logged");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Err);
        var logs = Directory.GetFiles(Path.Combine(ws.Root, ".orc", "logs"), "orc-*.log");
        Assert.NotEmpty(logs);
        using var s = new FileStream(logs[0], FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Assert.Contains("create", new StreamReader(s).ReadToEnd());
    }

    [Fact]
    public void Help_and_version_work_for_every_verb()
    {
        using var ws = new TempWorkspace(init: false);
        Assert.Matches(@"^\d+\.\d+\.\d+", ws.Orc("--version").Out);
        var verbs = new[]
        {
            "init", "item", "item create", "item list", "item show", "item update", "item close", "item reopen", "item comment",
            "item label add", "item label remove", "item dep add", "item dep remove", "item dep tree", "ready", "blocked", "stats", "import", "export",
        };
        foreach (var verb in verbs)
        {
            var r = ws.Orc([.. verb.Split(' '), "--help"]);
            Assert.True(r.ExitCode == 0, verb + ": " + r);
            Assert.Contains("Usage:", r.Out);
            Assert.Contains("Description:", r.Out);
        }
    }

    [Fact]
    public void Help_shows_an_argument_that_may_be_left_out_in_brackets_and_a_required_one_without()
    {
        using var ws = new TempWorkspace(init: false);
        Assert.Contains("  [<DIR>]  ", ws.Orc("init", "--help").Out);
        Assert.Contains(" init [<DIR>] [options]", ws.Orc("init", "--help").Out);
        Assert.Contains("  [<FILE>]  ", ws.Orc("export", "--help").Out);

        var (root, services) = CommandText.Root();
        using var _ = services;
        var stack = new Stack<(System.CommandLine.Command Command, string[] Path)>([(root, [])]);
        var optionalSeen = 0;
        while (stack.TryPop(out var at))
        {
            foreach (var sub in at.Command.Subcommands.Where(c => !c.Hidden)) stack.Push((sub, [.. at.Path, sub.Name]));
            if (at.Path.Length == 0 || at.Command.Arguments.Count == 0) continue;
            var help = ws.Orc([.. at.Path, "--help"]).Out;
            var section = help[(help.IndexOf("Arguments:", StringComparison.Ordinal) + 1)..];
            section = section[..section.IndexOf("\n\n", StringComparison.Ordinal)];
            foreach (var a in at.Command.Arguments.Where(a => !a.Hidden))
            {
                var label = "<" + (a.HelpName ?? a.Name) + ">";
                var optional = a.Arity.MinimumNumberOfValues == 0 || a.HasDefaultValue;
                if (optional) optionalSeen++;
                Assert.True(optional == section.Contains("  [" + label, StringComparison.Ordinal),
                    $"orc {string.Join(' ', at.Path)} --help: {label} is {(optional ? "optional but not" : "required but")} shown in brackets:\n{help}");
            }
        }
        Assert.True(optionalSeen >= 3, $"only {optionalSeen} optional arguments found");
    }

    [Fact]
    public void An_unknown_verb_is_a_usage_error()
    {
        using var ws = new TempWorkspace();
        var r = ws.Orc("frobnicate");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("frobnicate", r.Err);
    }
}
