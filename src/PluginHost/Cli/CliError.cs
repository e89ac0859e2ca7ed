namespace Deid.PluginHost.Cli;

/// <summary>A failure the user must fix (bad option, bad file); printed as one line, exit code 1.</summary>
public sealed class CliError(string message) : Exception(message);
