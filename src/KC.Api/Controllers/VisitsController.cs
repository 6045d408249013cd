using KC.Api.Contracts;
using KC.Application.Visits.Queries.SearchVisits;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace KC.Api.Controllers;

/// <summary>The Retail Pulse visits query: visits across jobs with their image results.</summary>
[ApiController]
[Route("api/visits")]
public sealed class VisitsController(ISender sender) : ControllerBase
{
    /// <summary>Search visits</summary>
    /// <remarks>
    /// Visits by visit time then visit id, filtered by the store's area code, the store id and a
    /// visit-time range; <c>startdate</c> and <c>enddate</c> take RFC 3339 timestamps or plain
    /// dates (a whole UTC day), both inclusive.
    /// </remarks>
    [HttpGet(Name = "SearchVisits")]
    [ProducesResponseType<PageResponse<VisitResultResponse>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    public async Task<IActionResult> Search(
        [FromQuery(Name = "area")] string? area,
        [FromQuery(Name = "storeid")] string? storeId,
        [FromQuery(Name = "startdate")] string? startDate,
        [FromQuery(Name = "enddate")] string? endDate,
        [FromQuery(Name = "page")] long? page,
        [FromQuery(Name = "page_size")] long? pageSize,
        CancellationToken cancellationToken)
    {
        var result = await sender.Send(new SearchVisitsQuery(area, storeId, startDate, endDate, page, pageSize), cancellationToken);
        return Ok(result.ToResponse());
    }
}
