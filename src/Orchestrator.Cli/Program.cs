using Orchestrator.Cli;

var env = CliEnvironment.FromProcess();
CrashHandler.Install(env, args);
return OrcCli.Run(args, env);
