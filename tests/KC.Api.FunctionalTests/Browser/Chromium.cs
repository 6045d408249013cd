using Microsoft.Playwright;

namespace KC.Api.FunctionalTests.Browser;

/// <summary>
/// A real headless Chromium, driven by Playwright: the machine's own (Debian's <c>chromium</c>
/// package, or <c>KC_CHROMIUM</c>), since Playwright cannot download one here. Where there is none,
/// the test is reported skipped, saying so, rather than failed.
/// </summary>
internal static class Chromium
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    /// <summary>The browser's path, or null when none is installed.</summary>
    public static string? Executable =>
        Environment.GetEnvironmentVariable("KC_CHROMIUM") is { Length: > 0 } configured && File.Exists(configured)
            ? configured
            : Candidates.FirstOrDefault(File.Exists);

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var executable = Executable;
        if (executable is null)
        {
            Assert.Ignore("skipped: Chromium not found (install Debian's chromium package, or set KC_CHROMIUM)");
            return default;
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            // Background networking off: this machine refuses outside connections, and the browser's
            // own would only be noise beside the page's.
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
