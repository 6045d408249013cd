using KC.TestSupport;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>One running service and one local image server per test class.</summary>
public abstract class ServiceTestBase
{
    protected TestImageServer Images { get; private set; } = null!;

    protected KcApiFactory Service { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    /// <summary>Settings this class's service runs with, over the test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Images = await TestImageServer.StartAsync();
        Service = new KcApiFactory(await TestDatabase.CreateAsync(), Settings);
        Service.StartServer();
        Client = Service.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Client.Dispose();
        await Service.DisposeAsync();
        await Images.DisposeAsync();
        await Service.Database.DisposeAsync();
    }
}
