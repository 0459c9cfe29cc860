using System.Globalization;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Rigs;

/// <summary>
/// The settings of a rig by their YAML key: which can be changed after <c>rig add</c>, what values
/// each takes, and its default. The rig file's reader uses the same ranges, so a value
/// <c>orc rig set</c> accepts is one the file accepts.
/// </summary>
public static class RigSettings
{
    /// <summary>A whole-number setting: its range and its default.</summary>
    public sealed record Range(int Min, int Max, int Default);

    public static readonly IReadOnlyDictionary<string, Range> Numbers = new Dictionary<string, Range>(StringComparer.Ordinal)
    {
        ["max_polecats"] = new(1, 100, 10),
        ["gate_timeout"] = new(1, 86400, 600),
        ["batch"] = new(1, 100, 1),
        ["stuck_after"] = new(10, 86400, 300),
        ["max_restarts"] = new(0, 100, 3),
        ["grace"] = new(0, 3600, 30),
    };

    public static readonly IReadOnlyList<string> Switches = ["push", "nudge_idle", "restart_dead"];

    /// <summary>What <c>orc rig set</c> can change, in the order <c>orc rig show</c> lists them.</summary>
    public static readonly IReadOnlyList<string> Settable =
        ["default_branch", "gate", "gate_timeout", "batch", "land", "push", "review_agent", "profile", "max_polecats", "stuck_after", "max_restarts", "grace",
            "nudge_idle", "restart_dead"];

    /// <summary>Keys of the rig file that are fixed once the rig exists, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> Fixed = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["name"] = "it is the rig's file, directory and session name; add the rig again under the new name",
        ["prefix"] = "the rig's existing items carry it in their ids",
        ["source"] = "rigs/NAME was cloned or linked from it; remove the rig and add it again",
        ["linked"] = "rigs/NAME was cloned or linked when it was added; remove the rig and add it again",
        ["created_at"] = "it records when the rig was added",
    };

    /// <summary>
    /// The rig with <paramref name="key"/> set to <paramref name="value"/> as typed by a user.
    /// Checks what can be checked without I/O (a profile's or branch's existence is the caller's).
    /// Throws a usage error naming KEY or VALUE.
    /// </summary>
    public static Rig With(Rig rig, string key, string value)
    {
        CheckKey(key);
        if (Numbers.TryGetValue(key, out var range))
        {
            if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < range.Min || n > range.Max)
                throw new OrcException($"VALUE: {key} must be a whole number from {range.Min} to {range.Max}, got '{TerminalText.Line(value)}'",
                    ExitCodes.Usage);
            return WithNumber(rig, key, n);
        }
        if (Switches.Contains(key))
        {
            bool on = value.Trim().ToLowerInvariant() switch
            {
                "true" or "yes" or "on" => true,
                "false" or "no" or "off" => false,
                _ => throw new OrcException($"VALUE: {key} must be true or false, got '{TerminalText.Line(value)}'", ExitCodes.Usage),
            };
            return key switch
            {
                "push" => rig with { Push = on },
                "nudge_idle" => rig with { NudgeIdle = on },
                _ => rig with { RestartDead = on },
            };
        }
        return key switch
        {
            "land" => LandModes.Parse(value) is { } mode
                ? rig with { Land = mode }
                : throw new OrcException($"VALUE: land must be {LandModes.Choices}, got '{TerminalText.Line(value)}'", ExitCodes.Usage),
            // One command line, as 'gate: make test' in the file means; empty: no gate.
            "gate" => GateLine.Problem(value) is { } problem
                ? throw new OrcException($"VALUE: the gate cannot be run: {problem} ({TerminalText.Line(value)})", ExitCodes.Usage)
                : rig with { Gate = value.Trim() },
            "review_agent" => string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl)
                ? throw new OrcException("VALUE: review_agent must name an agent profile (use 'orc rig unset RIG review_agent' for none)", ExitCodes.Usage)
                : rig with { ReviewAgent = value.Trim() },
            "profile" => string.IsNullOrWhiteSpace(value)
                ? throw new OrcException("VALUE: profile must name an agent profile (use 'orc rig unset RIG profile' for the workspace default)",
                    ExitCodes.Usage)
                : rig with { Profile = value.Trim() },
            "default_branch" => string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl)
                ? throw new OrcException($"VALUE: default_branch must be a branch name, got '{TerminalText.Line(value)}'", ExitCodes.Usage)
                : rig with { DefaultBranch = value.Trim() },
            _ => throw new InvalidOperationException("unhandled rig setting " + key),
        };
    }

    /// <summary>The rig with <paramref name="key"/> back at its default.</summary>
    public static Rig Without(Rig rig, string key)
    {
        CheckKey(key);
        if (Numbers.TryGetValue(key, out var range)) return WithNumber(rig, key, range.Default);
        return key switch
        {
            "nudge_idle" => rig with { NudgeIdle = true },
            "restart_dead" => rig with { RestartDead = true },
            "push" => rig with { Push = false },
            "review_agent" => rig with { ReviewAgent = null },
            "gate" => rig with { Gate = "" },
            "land" => rig with { Land = LandModes.Auto },
            "profile" => rig with { Profile = null },
            "default_branch" => throw new OrcException("KEY: default_branch has no default to go back to; set it to a branch instead", ExitCodes.Usage),
            _ => throw new InvalidOperationException("unhandled rig setting " + key),
        };
    }

    /// <summary>A setting's value as <c>orc rig show</c> prints it.</summary>
    public static string Show(Rig rig, string key) => key switch
    {
        "default_branch" => rig.DefaultBranch,
        "gate" => rig.Gate.Length == 0 ? "none (merge directly)" : rig.Gate,
        "profile" => rig.Profile ?? "(workspace default)",
        "max_polecats" => Num(rig.MaxPolecats),
        "gate_timeout" => Num(rig.GateTimeoutSeconds) + "s",
        "batch" => Num(rig.Batch),
        "land" => rig.Land,
        "push" => rig.Push ? "on" : "off",
        "review_agent" => rig.ReviewAgent ?? "none",
        "stuck_after" => Num(rig.StuckAfterSeconds) + "s",
        "max_restarts" => Num(rig.MaxRestarts),
        "grace" => Num(rig.GraceSeconds) + "s",
        "nudge_idle" => rig.NudgeIdle ? "true" : "false",
        "restart_dead" => rig.RestartDead ? "true" : "false",
        _ => throw new InvalidOperationException("unhandled rig setting " + key),
    };

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static void CheckKey(string key)
    {
        if (Settable.Contains(key)) return;
        if (Fixed.TryGetValue(key, out var why))
            throw new OrcException($"KEY: {key} cannot be changed: {why}", ExitCodes.Usage);
        throw new OrcException($"KEY: '{TerminalText.Line(key)}' is not a rig setting (settable: {string.Join(", ", Settable)})", ExitCodes.Usage);
    }

    private static Rig WithNumber(Rig rig, string key, int n) => key switch
    {
        "max_polecats" => rig with { MaxPolecats = n },
        "gate_timeout" => rig with { GateTimeoutSeconds = n },
        "batch" => rig with { Batch = n },
        "stuck_after" => rig with { StuckAfterSeconds = n },
        "max_restarts" => rig with { MaxRestarts = n },
        "grace" => rig with { GraceSeconds = n },
        _ => throw new InvalidOperationException("unhandled rig setting " + key),
    };
}
