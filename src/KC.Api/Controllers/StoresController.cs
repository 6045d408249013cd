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
    /// <summary>Get a store</summary>
    /// <remarks>
    /// One store by its exact id.
    /// </remarks>
    [HttpGet("{store_id}", Name = "GetStore")]
    [ProducesResponseType<StoreResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status404NotFound, ProblemResponse.ContentType)]
    public async Task<IActionResult> Get([FromRoute(Name = "store_id")] string storeId, CancellationToken cancellationToken)
    {
        var store = await sender.Send(new GetStoreQuery(storeId), cancellationToken);
        return Ok(store.ToResponse());
    }

    /// <summary>List stores</summary>
    /// <remarks>
    /// Stores by store id, optionally of one area code and with a name containing <c>q</c> (any
    /// case).
    /// </remarks>
    [HttpGet(Name = "ListStores")]
    [ProducesResponseType<PageResponse<StoreResponse>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
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

    /// <summary>Import a store master</summary>
    /// <remarks>
    /// Upserts a store-master CSV, sent as the multipart/form-data field <c>file</c> or as a
    /// text/csv body. Stores are inserted or updated, never deleted; unusable rows are reported by
    /// line.
    /// </remarks>
    [HttpPost("import", Name = "ImportStores")]
    [RequireApiKey]
    [DisableFormValueBinding]
    [ProducesResponseType<StoreImportResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status401Unauthorized, ProblemResponse.ContentType)]
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
