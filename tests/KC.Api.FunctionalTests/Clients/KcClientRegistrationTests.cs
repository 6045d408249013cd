using System.Net;
using KC.Api.FunctionalTests.Infrastructure;
using KC.Client;
using Microsoft.Extensions.DependencyInjection;
using static KC.Api.FunctionalTests.Clients.ClientJobs;

namespace KC.Api.FunctionalTests.Clients;

/// <summary><c>AddKcClient</c> against a service with API keys: the key goes out on every request, writes need it.</summary>
public sealed class KcClientRegistrationTests : ServiceTestBase
{
    private const string Key = "client-registration-key";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:Keys:0"] = Key,
    };

    [Test]
    public async Task AddKcClient_WithAnApiKey_SendsItSoWritesAreAccepted()
    {
        await using var provider = Provider(Key);
        var kc = provider.GetRequiredService<KcClient>();

        var submitted = await kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/slow/60000/21x21.png"))));
        var cancelled = await kc.CancelAsync(submitted.JobId);

        Assert.That(cancelled.Status, Is.EqualTo(JobState.Cancelled));
    }

    [Test]
    public async Task AddKcClient_WithoutAnApiKey_ReadsButIsRefusedWrites()
    {
        await using var provider = Provider(apiKey: null);
        var kc = provider.GetRequiredService<KcClient>();

        var jobs = await kc.ListJobsAsync();
        var refusal = Assert.ThrowsAsync<KcApiException>(() => kc.SubmitAsync(JobOf(VisitOf(KnownStore, Images.Url("/img/22x22.png")))));

        Assert.Multiple(() =>
        {
            Assert.That(jobs.Page, Is.EqualTo(1));
            Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(refusal.Error, Is.EqualTo("X-Api-Key: an API key is required for this endpoint"));
        });
    }

    [Test]
    public async Task AddKcClient_WithAWrongApiKey_IsRefusedWithTheServicesError()
    {
        await using var provider = Provider("not-the-key");
        var kc = provider.GetRequiredService<KcClient>();

        var refusal = Assert.ThrowsAsync<KcApiException>(() => kc.ImportStoresAsync(new MemoryStream("AreaCode,StoreName,StoreID\n1,A,SREG0001\n"u8.ToArray())));

        Assert.That(refusal!.Error, Is.EqualTo("X-Api-Key: the API key is not valid"));
    }

    [Test]
    public void AddKcClient_WithoutABaseAddress_FailsWhenTheClientIsMadeNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddKcClient(_ => { });
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<KcClient>());

        Assert.That(failure!.Message, Does.StartWith("KcClientOptions.BaseAddress must be an absolute http or https URL"));
    }

    private ServiceProvider Provider(string? apiKey)
    {
        var services = new ServiceCollection();
        var builder = services.AddKcClient(o =>
        {
            o.BaseAddress = Client.BaseAddress;
            o.ApiKey = apiKey;
        });
        builder.ConfigureHttpClient(http => http.Timeout = TimeSpan.FromSeconds(30));
        return services.BuildServiceProvider();
    }
}
