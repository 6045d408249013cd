using KC.Api.Contracts;
using KC.Api.Infrastructure;
using KC.Application.Stores.Commands.ImportStores;
using KC.Application.Stores.Queries.GetStore;
using KC.Application.Stores.Queries.ListStores;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace KC.Api.Controllers;

/// <summary>The store master: read it, and upload a new version of it.</summary>
[ApiController]
[Route("api/stores")]
public sealed class StoresController(ISender sender) : ControllerBase
{
    /// <summary>One store by its exact id.</summary>
    [HttpGet("{store_id}")]
    [ProducesResponseType<StoreResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IActionResult> Get([FromRoute(Name = "store_id")] string storeId, CancellationToken cancellationToken)
    {
        var store = await sender.Send(new GetStoreQuery(storeId), cancellationToken);
        return Ok(store.ToResponse());
    }

    /// <summary>Stores by store id, optionally of one area code and with a name containing <c>q</c> (any case).</summary>
    [HttpGet]
    [ProducesResponseType<PageResponse<StoreResponse>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IActionResult> List(
        [FromQuery(Name = "area")] string? area,
        [FromQuery(Name = "q")] string? q,
        [FromQuery(Name = "page")] long? page,
        [FromQuery(Name = "page_size")] long? pageSize,
        CancellationToken cancellationToken)
    {
        var result = await sender.Send(new ListStoresQuery(area, q, page, pageSize), cancellationToken);
        return Ok(result.ToResponse());
    }

    /// <summary>
    /// Upserts a store-master CSV, sent as the multipart/form-data field <c>file</c> or as a
    /// text/csv body. Stores are inserted or updated, never deleted; unusable rows are reported by line.
    /// </summary>
    [HttpPost("import")]
    [RequireApiKey]
    [DisableFormValueBinding]
    [ProducesResponseType<StoreImportResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized)]
    public async Task<IActionResult> Import(CancellationToken cancellationToken)
    {
        var upload = await CsvUpload.OpenAsync(Request, cancellationToken);
        if (upload.Error is not null)
        {
            return BadRequest(ErrorBodies.BadRequest(upload.Error));
        }

        var summary = await sender.Send(new ImportStoresCommand(upload.Content, upload.Length), cancellationToken);
        return Ok(summary.ToResponse());
    }
}
