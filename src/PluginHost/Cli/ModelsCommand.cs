using System.CommandLine;
using Deid.Effect.Models;

namespace Deid.PluginHost.Cli;

/// <summary>`deid models`: the model catalogue, where each file was found and whether it verified.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the models Deid uses, where they were found and whether their SHA-256 matches.");
        command.SetAction(_ =>
        {
            var locator = ModelLocator.Default();
            Console.WriteLine($"search path: {string.Join(Path.PathSeparator, locator.SearchPath)}");
            var failures = 0;
            foreach (var (model, path, problem) in locator.CheckAll())
            {
                Console.WriteLine($"{model.Name,-12} {model.FileName,-36} {(problem is null ? "ok  " + path : "MISSING")}");
                Console.WriteLine($"{"",-12} sha256 {model.Sha256}  licence: {model.Licence}");
                Console.WriteLine($"{"",-12} source: {model.Source}");
                if (problem is not null) { Console.Error.WriteLine($"deid: error: {problem}"); failures++; }
            }
            return failures == 0 ? 0 : 1;
        });
        return command;
    }
}
