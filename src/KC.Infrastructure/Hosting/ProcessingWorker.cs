using KC.Application.Processing;
using Microsoft.Extensions.Hosting;

namespace KC.Infrastructure.Hosting;

/// <summary>Runs this node's processing engine for the life of the host.</summary>
internal sealed class ProcessingWorker(ProcessingEngine engine) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => engine.RunAsync(stoppingToken);
}
