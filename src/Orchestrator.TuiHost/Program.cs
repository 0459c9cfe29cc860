using Orchestrator.Cli;

// The same orc, with the TUI in this process (Orchestrator.Cli.TuiInProcess is on by default).
var env = CliEnvironment.FromProcess();
CrashHandler.Install(env, args);
return OrcCli.Run(args, env);
