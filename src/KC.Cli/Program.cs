using KC.Cli;

return await KcCommandLine.RunAsync(args, Terminal.Create());
