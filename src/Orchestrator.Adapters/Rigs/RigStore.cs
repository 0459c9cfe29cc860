using System.Text;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Rigs;

/// <summary>Rig settings, one YAML file per rig in the workspace (.orc/rigs/NAME.yaml), committed with it.</summary>
public sealed class RigStore(string directory)
{
    public string Directory { get; } = directory;

    public string PathOf(string name) => System.IO.Path.Combine(Directory, name + ".yaml");

    /// <summary>True when the rig has a settings file (without reading it: a file that does not parse still says the rig exists).</summary>
    public bool Exists(string name) => Names.IsValid(name) && File.Exists(PathOf(name));

    public Rig? Find(string name)
    {
        var path = PathOf(name);
        return File.Exists(path) ? Parse(YamlFile.Load(path), name) : null;
    }

    public Rig Get(string name) =>
        Find(Names.Validate(name, "rig")) ?? throw new OrcException($"no rig '{name}' (see 'orc rig list'; add one with 'orc rig add NAME SOURCE')",
            ExitCodes.NotFound);

    public List<Rig> All()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return System.IO.Directory.EnumerateFiles(Directory, "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => Parse(YamlFile.Load(f), System.IO.Path.GetFileNameWithoutExtension(f))).ToList();
    }

    public static Rig Parse(YamlFile y, string fileName)
    {
        y.OnlyKeys("name", "source", "linked", "prefix", "default_branch", "gate", "profile", "max_polecats", "created_at", "gate_timeout", "batch",
            "stuck_after", "max_restarts", "grace", "nudge_idle", "restart_dead", "land", "push", "review_agent");
        var name = y.String("name") ?? fileName;
        if (name != fileName) throw y.Error("name", $"is '{TerminalText.Line(name)}' but the file is named {fileName}.yaml");
        var prefix = y.RequiredString("prefix");
        if (!IdGenerator.IsValidPrefix(prefix)) throw y.Error("prefix", "must be lowercase letters and digits, a letter first");
        // One command line; a list of words is the form before one syntax, still read.
        var gate = y.Node("gate") is YamlDotNet.RepresentationModel.YamlScalarNode gs ? (gs.Value ?? "").Trim() : GateLine.FromWords(y.Strings("gate"));
        if (GateLine.Problem(gate) is { } problem) throw y.Error("gate", $"cannot be run: {problem}");
        // Files written before the setting existed have no key: auto, as they behaved.
        var land = y.String("land") is { } l ? LandModes.Parse(l) ?? throw y.Error("land",
            $"must be {LandModes.Choices}, got '{TerminalText.Line(l)}'") : LandModes.Auto;
        return new Rig
        {
            Name = Names.Validate(name, y.Path + ": name"),
            Source = y.RequiredString("source"),
            Linked = y.Bool("linked") ?? false,
            Prefix = prefix,
            DefaultBranch = y.RequiredString("default_branch"),
            Gate = gate,
            Profile = y.String("profile"),
            MaxPolecats = Number(y, "max_polecats"),
            GateTimeoutSeconds = Number(y, "gate_timeout"),
            Batch = Number(y, "batch"),
            Land = land,
            Push = y.Bool("push") ?? false,
            ReviewAgent = y.String("review_agent") is { Length: > 0 } ra ? ra : null,
            StuckAfterSeconds = Number(y, "stuck_after"),
            MaxRestarts = Number(y, "max_restarts"),
            GraceSeconds = Number(y, "grace"),
            NudgeIdle = y.Bool("nudge_idle") ?? true,
            RestartDead = y.Bool("restart_dead") ?? true,
            CreatedAt = y.String("created_at"),
        };
    }

    private static int Number(YamlFile y, string key)
    {
        var range = RigSettings.Numbers[key];
        return y.Int(key, range.Min, range.Max) ?? range.Default;
    }

    public static string ToYaml(Rig rig)
    {
        var sb = new StringBuilder();
        sb.Append("# rig settings (see docs/file-formats.md, \"Rig settings\", or run orc rig set --help)\n");
        sb.Append("name: ").Append(rig.Name).Append('\n');
        sb.Append("source: ").Append(Quote(rig.Source)).Append('\n');
        sb.Append("linked: ").Append(rig.Linked ? "true" : "false").Append('\n');
        sb.Append("prefix: ").Append(rig.Prefix).Append('\n');
        sb.Append("default_branch: ").Append(Quote(rig.DefaultBranch)).Append('\n');
        sb.Append("# the command line the refinery runs before merging, e.g. gate: dotnet test (\"\" for none);\n");
        sb.Append("# run without a shell unless it uses shell syntax (&&, |, $VAR, cd…)\n");
        sb.Append("gate: ").Append(Quote(rig.Gate)).Append('\n');
        sb.Append(rig.Profile is null ? "# profile: claude\n" : $"profile: {Quote(rig.Profile)}\n");
        sb.Append("max_polecats: ").Append(rig.MaxPolecats).Append('\n');
        sb.Append("# seconds before a gate run is stopped and counted as failed\n");
        sb.Append("gate_timeout: ").Append(rig.GateTimeoutSeconds).Append('\n');
        sb.Append("# submissions the refinery stacks under one gate run (1 = one at a time); a red batch is bisected\n");
        sb.Append("batch: ").Append(rig.Batch).Append('\n');
        sb.Append("# what a green gate does: auto lands it on the default branch; review holds it until a person runs orc review approve;\n");
        sb.Append("# pr pushes it as a branch and opens a pull request with gh or glab\n");
        sb.Append("land: ").Append(rig.Land).Append('\n');
        sb.Append("# push each landing to the rig's origin (never forced; when origin moved: rebuild, gate, push again)\n");
        sb.Append("push: ").Append(rig.Push ? "true" : "false").Append('\n');
        sb.Append(rig.ReviewAgent is null ? "# review_agent: claude\n" : $"review_agent: {Quote(rig.ReviewAgent)}\n");
        sb.Append("# the witness: seconds without a screen change before a working agent is stuck; restarts before it gives up;\n");
        sb.Append("# seconds after a start when it leaves an agent alone; whether it nudges idle agents and restarts dead ones\n");
        sb.Append("stuck_after: ").Append(rig.StuckAfterSeconds).Append('\n');
        sb.Append("max_restarts: ").Append(rig.MaxRestarts).Append('\n');
        sb.Append("grace: ").Append(rig.GraceSeconds).Append('\n');
        sb.Append("nudge_idle: ").Append(rig.NudgeIdle ? "true" : "false").Append('\n');
        sb.Append("restart_dead: ").Append(rig.RestartDead ? "true" : "false").Append('\n');
        if (rig.CreatedAt is not null) sb.Append("created_at: ").Append(Quote(rig.CreatedAt)).Append('\n');
        return sb.ToString();
    }

    /// <summary>A YAML double-quoted scalar.</summary>
    public static string Quote(string s) =>
        "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\t", "\\t") + "\"";
}
