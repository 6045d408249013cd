using KC.Application.Processing;

namespace KC.Application.UnitTests.Processing;

[TestFixture]
public sealed class NodeIdentityTests
{
    [TestCase(null, NodeRole.All)]
    [TestCase("", NodeRole.All)]
    [TestCase("all", NodeRole.All)]
    [TestCase("API", NodeRole.Api)]
    [TestCase(" worker ", NodeRole.Worker)]
    public void ParseRole_ReadsEachRoleInAnyCase(string? value, NodeRole expected) =>
        Assert.That(NodeIdentity.ParseRole(value), Is.EqualTo(expected));

    [TestCase("workers")]
    [TestCase("both")]
    public void ParseRole_WhenTheValueIsNoRole_FailsNamingTheSetting(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => NodeIdentity.ParseRole(value));
        Assert.That(error!.Message, Does.StartWith("Node:Role must be all, api or worker"));
    }

    [Test]
    public void DefaultId_IsTheHostNameAndSixHexDigitsDrawnAfreshEachTime()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => NodeIdentity.DefaultId("vm")).ToList();

        Assert.That(ids, Has.All.Match("^vm-[0-9a-f]{6}$"));
        Assert.That(ids.Distinct().Count(), Is.GreaterThan(1), "a suffix of its own per process");
    }

    [Test]
    public void LeaseOwner_WhenTwoProcessesShareAnId_DiffersBetweenThemAndNamesTheirNode()
    {
        var first = new NodeIdentity("worker-1");
        var second = new NodeIdentity("worker-1");

        Assert.That(first.LeaseOwner, Is.Not.EqualTo(second.LeaseOwner));
        Assert.That(first.LeaseOwner, Is.EqualTo($"worker-1/{first.RunId}"));
        Assert.That(first.RunId, Does.Match($"^[0-9a-f]{{{NodeIdentity.RunIdLength}}}$"));
        Assert.That((NodeIdentity.NodeIdOf(first.LeaseOwner), NodeIdentity.NodeIdOf(second.LeaseOwner)), Is.EqualTo(("worker-1", "worker-1")));
    }

    [TestCase("worker-1/0123456789abcdef", "worker-1")]
    [TestCase("site/a/worker-1/0123456789abcdef", "site/a/worker-1")]
    [TestCase("worker-1", "worker-1")]
    public void NodeIdOf_ReadsTheNodeOfALeaseOwnerAndTakesABareIdAsItsOwnNode(string owner, string node) =>
        Assert.That(NodeIdentity.NodeIdOf(owner), Is.EqualTo(node));

    [TestCase(NodeRole.All, true, true)]
    [TestCase(NodeRole.Api, true, false)]
    [TestCase(NodeRole.Worker, false, true)]
    public void Role_DecidesWhatTheNodeRuns(NodeRole role, bool servesApi, bool processesWork)
    {
        var node = new NodeIdentity("node-1", role);
        Assert.That((node.ServesApi, node.ProcessesWork), Is.EqualTo((servesApi, processesWork)));
    }
}
