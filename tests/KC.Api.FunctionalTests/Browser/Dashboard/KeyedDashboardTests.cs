using Microsoft.Playwright;

namespace KC.Api.FunctionalTests.Browser.Dashboard;

/// <summary>With <c>Api:Keys</c> set, the dashboard asks for a key once and keeps a cookie session that scripts cannot read.</summary>
public sealed class KeyedDashboardTests : DashboardBrowser
{
    private const string Key = "dashboard-key-0123456789";

    protected override IReadOnlyDictionary<string, string?> DashboardSettings => new Dictionary<string, string?>
    {
        ["Api:Keys:0"] = Key,
    };

    [Test]
    public async Task Dashboard_WhenApiKeysAreSet_AsksForAKeyOnceAndKeepsAStrictHttpOnlySession()
    {
        var page = await NewPageAsync();

        await OpenAsync(page, "/dashboard/jobs?status=failed");
        var askedAt = new Uri(page.Url);
        await ScreenshotAsync(page, "sign-in");
        await AssertAccessibleAsync(page);
        await page.Locator("#api_key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();
        var wrong = await page.Locator("[role=alert]").InnerTextAsync();
        await page.Locator("#api_key").FillAsync(Key);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/dashboard/jobs?status=failed");
        await OpenAsync(page, "/dashboard/nodes");
        var afterSignIn = new Uri(page.Url).AbsolutePath;

        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "kc_dashboard");
        var readable = await page.EvaluateAsync<string>("() => document.cookie");
        var stranger = await NewPageAsync();
        await OpenAsync(stranger, "/dashboard/nodes");
        Assert.Multiple(() =>
        {
            Assert.That(askedAt.AbsolutePath, Is.EqualTo("/dashboard/login"));
            Assert.That(Uri.UnescapeDataString(askedAt.Query), Is.EqualTo("?return_url=/dashboard/jobs?status=failed"));
            Assert.That(wrong, Is.EqualTo("api_key: the API key is not one of Api:Keys"));
            Assert.That(afterSignIn, Is.EqualTo("/dashboard/nodes"), "asked once: the next page needs no key");
            Assert.That((cookie.HttpOnly, cookie.SameSite, cookie.Path), Is.EqualTo((true, SameSiteAttribute.Strict, "/dashboard")));
            Assert.That(readable, Does.Not.Contain("kc_dashboard"));
            Assert.That(new Uri(stranger.Url).AbsolutePath, Is.EqualTo("/dashboard/login"), "another browser has no session");
        });
    }
}
