using System.Net;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Api.FunctionalTests.Platform;

/// <summary>The served OpenAPI document describes every endpoint the service has, with every response it declares.</summary>
public sealed class OpenApiDocumentTests : ServiceTestBase
{
    [Test]
    public async Task OpenApi_ListsEveryEndpointWithEveryDeclaredResponseAndASummary()
    {
        var endpoints = Service.Services.GetRequiredService<IApiDescriptionGroupCollectionProvider>()
            .ApiDescriptionGroups.Items.SelectMany(g => g.Items).ToList();

        var document = await Client.GetJsonAsync("/openapi/v1.json");

        var paths = document["paths"]!.AsObject();
        var missing = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = "/" + endpoint.RelativePath!.TrimEnd('/');
            var method = endpoint.HttpMethod!.ToLowerInvariant();
            if (paths[path]?[method] is not JsonObject operation)
            {
                missing.Add($"{method.ToUpperInvariant()} {path}");
                continue;
            }

            if (string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()) && string.IsNullOrWhiteSpace(operation["description"]?.GetValue<string>()))
            {
                missing.Add($"{method.ToUpperInvariant()} {path}: summary");
            }

            foreach (var code in endpoint.SupportedResponseTypes.Select(r => r.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                if (operation["responses"]?[code] is null)
                {
                    missing.Add($"{method.ToUpperInvariant()} {path}: {code}");
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(endpoints, Has.Count.GreaterThanOrEqualTo(4));
            Assert.That(missing, Is.Empty);
            Assert.That(paths["/api/submit"]?["post"]?["requestBody"]?["content"]?["application/json"]?["example"]?["count"]?.GetValue<int>(), Is.EqualTo(2));
            Assert.That(paths["/api/status"]?["get"]?["responses"]?["400"], Is.Not.Null);
        });
    }

    [Test]
    public async Task Docs_ServesTheApiReferencePageWithItsScriptsLocally()
    {
        using var page = await Client.GetAsync(new Uri("/docs", UriKind.Relative));
        using var script = await Client.GetAsync(new Uri("/docs/scalar.js", UriKind.Relative));

        var html = await page.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain("\"url\":\"openapi/v1.json\""));
            Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the page works with no internet access");
        });
    }
}
