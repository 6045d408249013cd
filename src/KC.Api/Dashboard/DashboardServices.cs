using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace KC.Api.Dashboard;

/// <summary>
/// The operator's dashboard: server-rendered Razor pages in this process that send the same
/// mediator queries and commands as the API, a stylesheet and a few lines of script served by KC
/// itself (nothing from elsewhere, so it works offline), behind the API keys when they are set.
/// </summary>
internal static class DashboardServices
{
    /// <summary>What the dashboard's pages are allowed to load and do: only this site's own files, no inline script or style.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.SectionName));
        services.AddSingleton<DashboardSession>();
        services.AddControllersWithViews();
        services.Configure<RazorViewEngineOptions>(razor =>
        {
            razor.ViewLocationFormats.Clear();
            razor.ViewLocationFormats.Add("/Dashboard/Views/{1}/{0}" + RazorViewEngine.ViewExtension);
            razor.ViewLocationFormats.Add("/Dashboard/Views/Shared/{0}" + RazorViewEngine.ViewExtension);
        });

        // Every cookie of the dashboard is its own: HttpOnly, SameSite=Strict, sent only to /dashboard.
        services.AddAuthentication().AddCookie(DashboardSession.Scheme, DashboardSession.Configure);
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "kc_antiforgery";
            antiforgery.Cookie.Path = "/dashboard";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.HttpOnly = true;
            antiforgery.FormFieldName = "__kc_form";
        });
        services.Configure<CookieTempDataProviderOptions>(tempData =>
        {
            tempData.Cookie.Name = "kc_notice";
            tempData.Cookie.Path = "/dashboard";
            tempData.Cookie.SameSite = SameSiteMode.Strict;
            tempData.Cookie.HttpOnly = true;
        });
        return builder;
    }

    /// <summary>The dashboard's files and headers, and <c>/</c> sent to it; nothing when <c>Dashboard:Enabled</c> is false.</summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled)
        {
            return app;
        }

        app.UseWhen(context => context.Request.Path.StartsWithSegments("/dashboard", StringComparison.Ordinal), dashboard => dashboard.Use(TimeAndProtectAsync));
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "Dashboard", "Assets")),
            RequestPath = "/dashboard/assets",
        });
        app.MapGet("/", () => Results.Redirect("/dashboard")).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Says how long the server took (<c>Server-Timing: app;dur=…</c>, which a browser's developer
    /// tools and the benchmark read), and fences the pages in: no framing, no sniffing, no referrer
    /// beyond this site, no script or style but KC's own files.
    /// </summary>
    private static Task TimeAndProtectAsync(HttpContext context, Func<Task> next)
    {
        var started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"app;dur={Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0}");
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next();
    }
}
