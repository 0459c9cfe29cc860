using System.Text.RegularExpressions;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Profiles;

/// <summary>
/// Agent profiles: the ones shipped inside orc, overridden by the user's (~/.config/orc/profiles)
/// and then the workspace's (.orc/profiles), one YAML file per profile. A broken file is an error
/// naming its path and line.
/// </summary>
public sealed class ProfileCatalog
{
    public static readonly IReadOnlyList<string> ShippedNames = ["claude", "codex", "gemini", "aider", "opencode", "shell", "sim"];

    /// <summary>The agent CLIs orc looks for on PATH, in order of preference, to pick a default profile.</summary>
    public static readonly IReadOnlyList<string> Preferred = ["claude", "codex", "gemini", "opencode", "aider"];

    private readonly Dictionary<string, AgentProfile> _profiles = new(StringComparer.Ordinal);

    public ProfileCatalog(IEnumerable<string> overrideDirectories)
    {
        var asm = typeof(ProfileCatalog).Assembly;
        foreach (var name in ShippedNames)
        {
            using var s = asm.GetManifestResourceStream($"profiles/{name}.yaml") ?? throw new InvalidOperationException($"shipped profile {name} missing");
            var text = new StreamReader(s).ReadToEnd();
            Add(Parse(YamlFile.Parse(text, $"(shipped) {name}.yaml"), name));
        }
        foreach (var dir in overrideDirectories)
        {
            if (!Directory.Exists(dir)) continue;
            foreach (var f in Directory.EnumerateFiles(dir, "*.yaml").Order(StringComparer.Ordinal))
                Add(Parse(YamlFile.Load(f), Path.GetFileNameWithoutExtension(f)));
        }
    }

    private void Add(AgentProfile p) => _profiles[p.Name] = p;

    public IReadOnlyCollection<AgentProfile> All => _profiles.Values;

    public AgentProfile Get(string name) =>
        _profiles.TryGetValue(name, out var p)
            ? p
            : throw new OrcException($"no agent profile '{TerminalText.Line(name)}' (known: {string.Join(", ", _profiles.Keys.Order())})", ExitCodes.NotFound);

    public static AgentProfile Parse(YamlFile y, string fileName)
    {
        y.OnlyKeys("name", "command", "args", "env", "prompt", "states", "volatile", "trust", "screens", "verified");
        var name = y.String("name") ?? fileName;
        if (name != fileName) throw y.Error("name", $"is '{TerminalText.Line(name)}' but the file is named {fileName}.yaml");
        Names.Validate(name, y.Path + ": name");
        var prompt = y.String("prompt") ?? PromptModes.Keys;
        if (!PromptModes.All.Contains(prompt)) throw y.Error("prompt",
            $"must be one of {string.Join(", ", PromptModes.All)}, got '{TerminalText.Line(prompt)}'");
        var states = y.Section("states");
        states?.OnlyKeys("working", "waiting", "idle", "error");
        var screens = new List<ProfileScreen>();
        // The older single 'trust:' section: any one of its patterns shows the screen.
        if (y.Section("trust") is { } trust)
        {
            trust.OnlyKeys("detect", "accept");
            screens.Add(new ProfileScreen("trust", Patterns(trust, "detect"), trust.Strings("accept"), MatchAll: false));
        }
        foreach (var screen in y.Sections("screens"))
        {
            screen.OnlyKeys("name", "detect", "keys");
            var screenName = screen.RequiredString("name");
            var detect = Patterns(screen, "detect");
            if (detect.Count == 0) throw screen.Error(screen.Root, $"'detect' of screen '{TerminalText.Line(screenName)}' needs at least one pattern");
            screens.Add(new ProfileScreen(screenName, detect, screen.Strings("keys")));
        }
        ProfileVerification? verified = null;
        if (y.Section("verified") is { } v)
        {
            v.OnlyKeys("with", "versions", "version_args");
            var with = v.RequiredString("with");
            var versions = v.Strings("versions");
            verified = new ProfileVerification(with, versions.Count > 0 ? versions : [with], v.Strings("version_args") is { Count: > 0 } a ? a : ["--version"]);
        }
        return new AgentProfile
        {
            Name = name,
            Command = y.RequiredString("command"),
            Args = y.Strings("args"),
            Env = y.Map("env"),
            Prompt = prompt,
            Working = Patterns(states, "working"),
            Waiting = Patterns(states, "waiting"),
            Idle = Patterns(states, "idle"),
            Errors = Patterns(states, "error"),
            Volatile = Patterns(y, "volatile"),
            Screens = screens,
            Verified = verified,
            Source = y.Path,
        };
    }

    private static List<Regex> Patterns(YamlFile? section, string key)
    {
        if (section is null) return [];
        var node = section.Node(key);
        var list = new List<Regex>();
        foreach (var p in section.Strings(key))
        {
            try { list.Add(new Regex(p, RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200))); }
            catch (ArgumentException ex)
            {
                throw section.Error(node!, $"'{key}' pattern '{TerminalText.Line(p)}' is not a valid regular expression: {ex.Message}");
            }
        }
        return list;
    }

    /// <summary>True when <paramref name="command"/> can be found on PATH (or is a path that exists).</summary>
    public static bool OnPath(string command, string? pathVariable)
    {
        if (command.Contains('/')) return File.Exists(command);
        foreach (var dir in (pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, command))) return true;
        return false;
    }
}
