using System.Diagnostics;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using KC.Infrastructure.Persistence;

namespace KC.Api.FunctionalTests.Platform;

/// <summary>
/// The served document passes an established OpenAPI linter, Redocly's recommended rules, with no
/// error. Redocly comes from npm when npm is there; without it the test says it was skipped.
/// </summary>
[NonParallelizable]
public sealed class OpenApiLintTests : ServiceTestBase
{
    private const string RedoclyVersion = "2.77.0";

    [Test]
    public async Task Document_WhenLintedWithRedoclysRecommendedRules_HasNoErrors()
    {
        if (TestDatabase.Provider != DatabaseProvider.Sqlite)
        {
            Assert.Ignore("skipped: the document does not depend on the database; it is linted in the SQLite run");
        }

        var redocly = await InstallRedoclyAsync();
        var document = Path.Combine(Path.GetTempPath(), $"kc-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(document, (await Client.GetJsonAsync("/openapi/v1.json")).ToJsonString());
        try
        {
            var (exit, output, errors) = await RunAsync(redocly, ["lint", document, "--format=json"], TimeSpan.FromMinutes(2));

            var report = JsonNode.Parse(output);
            Assert.That(report?["totals"]?["errors"]?.GetValue<int>(), Is.Zero, output);
            Assert.That(exit, Is.Zero, errors);
        }
        finally
        {
            File.Delete(document);
        }
    }

    /// <summary>The pinned Redocly CLI in a folder of its own, installed once per machine; skips the test where npm cannot provide it.</summary>
    private static async Task<string> InstallRedoclyAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"kc-redocly-{RedoclyVersion}");
        var cli = Path.Combine(folder, "node_modules", ".bin", "redocly");
        if (File.Exists(cli))
        {
            return cli;
        }

        var npm = FindOnPath("npm");
        if (npm is null)
        {
            Assert.Ignore("skipped: npm not found; the document is linted with @redocly/cli where npm is installed");
            return string.Empty;
        }

        Directory.CreateDirectory(folder);
        var (exit, output, errors) = await RunAsync(
            npm,
            ["install", "--prefix", folder, "--no-audit", "--no-fund", $"@redocly/cli@{RedoclyVersion}"],
            TimeSpan.FromMinutes(5));
        if (exit != 0 || !File.Exists(cli))
        {
            Assert.Ignore($"skipped: npm could not install @redocly/cli@{RedoclyVersion}: {output}{errors}");
        }

        return cli;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["NO_UPDATE_NOTIFIER"] = "1";
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        return (process.ExitCode, await stdout, await stderr);
    }
}
