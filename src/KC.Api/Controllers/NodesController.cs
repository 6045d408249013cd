using KC.Api.Contracts;
using KC.Application.Nodes.Queries.ListNodes;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace KC.Api.Controllers;

/// <summary>The nodes that share this database: their roles, heartbeats and work.</summary>
[ApiController]
[Route("api/nodes")]
public sealed class NodesController(ISender sender) : ControllerBase
{
    /// <summary>List nodes</summary>
    /// <remarks>
    /// Every node that has run against this database, by id, with its state, outcomes recorded and
    /// leases held now.
    /// </remarks>
    [HttpGet(Name = "ListNodes")]
    [ProducesResponseType<NodeListResponse>(StatusCodes.Status200OK, "application/json")]
    public async Task<IActionResult> List(CancellationToken cancellationToken) =>
        Ok((await sender.Send(new ListNodesQuery(), cancellationToken)).ToResponse());
}
