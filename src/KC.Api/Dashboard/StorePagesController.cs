using KC.Api.Dashboard.Models;
using KC.Application.Stores.Commands.ImportStores;
using KC.Application.Stores.Queries.GetStore;
using KC.Application.Stores.Queries.GetStoreVisits;
using KC.Application.Stores.Queries.ListStores;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace KC.Api.Dashboard;

/// <summary>The store master: search it, see a store's recent visits, upload a new master.</summary>
[Route("dashboard/stores")]
public sealed class StorePagesController(ISender sender) : DashboardPage
{
    [HttpGet("")]
    public async Task<IActionResult> Index(
        [FromQuery(Name = "q")] string? q,
        [FromQuery(Name = "area")] string? area,
        [FromQuery(Name = "page")] long? page,
        CancellationToken cancellationToken)
    {
        var stores = await sender.Send(new ListStoresQuery(Blank(area), Blank(q), page, 50), cancellationToken);
        return View(new StoreListPage(q, area, stores));
    }

    [HttpGet("{storeId}")]
    public async Task<IActionResult> Show([FromRoute] string storeId, CancellationToken cancellationToken)
    {
        var store = await sender.Send(new GetStoreQuery(storeId), cancellationToken);
        var visits = await sender.Send(new GetStoreVisitsQuery(store.StoreId), cancellationToken);
        return View(new StorePage(store, visits));
    }

    [HttpPost("import")]
    [DashboardAction]
    public async Task<IActionResult> Import(IFormFile? file, CancellationToken cancellationToken)
    {
        await using var csv = file?.OpenReadStream();
        var summary = await sender.Send(new ImportStoresCommand(csv, file?.Length), cancellationToken);
        return View("Imported", new StoreImportPage(summary));
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
