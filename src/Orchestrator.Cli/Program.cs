using Orchestrator.Cli;

return OrcCli.Run(args, CliEnvironment.FromProcess());
