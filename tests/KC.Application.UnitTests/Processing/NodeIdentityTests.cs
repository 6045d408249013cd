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

    [TestCase(NodeRole.All, true, true)]
    [TestCase(NodeRole.Api, true, false)]
    [TestCase(NodeRole.Worker, false, true)]
    public void Role_DecidesWhatTheNodeRuns(NodeRole role, bool servesApi, bool processesWork)
    {
        var node = new NodeIdentity("node-1", role);
        Assert.That((node.ServesApi, node.ProcessesWork), Is.EqualTo((servesApi, processesWork)));
    }
}
