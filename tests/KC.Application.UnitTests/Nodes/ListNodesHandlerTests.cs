using KC.Application.Common.Interfaces;
using KC.Application.Nodes.Queries.ListNodes;
using KC.Application.Processing;
using Moq;
using KC.TestSupport;

namespace KC.Application.UnitTests.Nodes;

[TestFixture]
public sealed class ListNodesHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly ProcessingOptions Options = new() { LeaseSeconds = 30 };

    [Test]
    public async Task Handle_WhenAHeartbeatIsWithinALeasePeriod_ReportsTheNodeAlive()
    {
        var nodes = await ListAsync(Node("a", heartbeatSecondsAgo: 29));
        Assert.That(nodes.Single().State, Is.EqualTo(NodeState.Alive));
    }

    [Test]
    public async Task Handle_WhenTheHeartbeatIsOlderThanALeasePeriod_ReportsTheNodeLostBeforeAnyNodeMarkedIt()
    {
        var nodes = await ListAsync(Node("a", heartbeatSecondsAgo: 31));
        Assert.That(nodes.Single().State, Is.EqualTo(NodeState.Lost));
    }

    [Test]
    public async Task Handle_WhenAnotherNodeMarkedItLost_ReportsItLostEvenWithARecentHeartbeatRow()
    {
        var nodes = await ListAsync(Node("a", heartbeatSecondsAgo: 1) with { LostAt = Now });
        Assert.That(nodes.Single().State, Is.EqualTo(NodeState.Lost));
    }

    [Test]
    public async Task Handle_WhenTheNodeStoppedGracefully_ReportsItStoppedWhateverItsHeartbeat()
    {
        var nodes = await ListAsync(Node("a", heartbeatSecondsAgo: 600) with { StoppedAt = Now.AddMinutes(-10) });
        Assert.That(nodes.Single().State, Is.EqualTo(NodeState.Stopped));
    }

    [Test]
    public async Task Handle_KeepsEachNodesWorkAndOrder()
    {
        var nodes = await ListAsync(Node("a", 1) with { ImagesSettled = 120, LeasesHeld = 3 }, Node("b", 2) with { Role = "worker", HostName = null, ProcessId = null });
        Assert.That(
            nodes.Select(n => (n.NodeId, n.Role, n.HostName, n.ProcessId, n.ImagesSettled, n.LeasesHeld)),
            Is.EqualTo(new[] { ("a", "all", (string?)"vm", (int?)4242, 120L, 3), ("b", "worker", null, null, 0L, 0) }));
    }

    private static NodeRecordView Node(string id, int heartbeatSecondsAgo) =>
        new(id, "all", "vm", 4242, Now.AddHours(-1), Now.AddSeconds(-heartbeatSecondsAgo), StoppedAt: null, LostAt: null, ImagesSettled: 0, LeasesHeld: 0);

    private static async Task<IReadOnlyList<NodeView>> ListAsync(params NodeRecordView[] rows)
    {
        var readModel = new Mock<INodeReadModel>();
        readModel.Setup(r => r.ListAsync(It.IsAny<CancellationToken>())).ReturnsAsync(rows);
        var handler = new ListNodesHandler(readModel.Object, Options, new FakeTimeProvider(Now));
        return await handler.Handle(new ListNodesQuery(), CancellationToken.None);
    }
}
