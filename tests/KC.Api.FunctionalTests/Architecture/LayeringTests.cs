using System.Reflection;
using NetArchTest.Rules;

namespace KC.Api.FunctionalTests.Architecture;

/// <summary>Dependencies point inward: each test loads the assembly its name says and checks what it references.</summary>
public sealed class LayeringTests
{
    private static readonly Assembly Domain = typeof(KC.Domain.Jobs.Job).Assembly;
    private static readonly Assembly Application = typeof(KC.Application.DependencyInjection).Assembly;
    private static readonly Assembly Infrastructure = typeof(KC.Infrastructure.DependencyInjection).Assembly;

    [Test]
    public void Domain_ReferencesNoOtherProjectOfOurs()
    {
        var ours = Domain.GetReferencedAssemblies().Select(a => a.Name).Where(n => n!.StartsWith("KC.", StringComparison.Ordinal));

        var result = Types.InAssembly(Domain).ShouldNot().HaveDependencyOnAny("KC.Application", "KC.Infrastructure", "KC.Api").GetResult();

        Assert.Multiple(() =>
        {
            Assert.That(Domain.GetName().Name, Is.EqualTo("KC.Domain"));
            Assert.That(ours, Is.Empty);
            Assert.That(result.IsSuccessful, Is.True, string.Join(", ", result.FailingTypeNames ?? []));
        });
    }

    [Test]
    public void Application_ReferencesNeitherInfrastructureNorApi()
    {
        var ours = Application.GetReferencedAssemblies().Select(a => a.Name).Where(n => n!.StartsWith("KC.", StringComparison.Ordinal));

        var result = Types.InAssembly(Application).ShouldNot().HaveDependencyOnAny("KC.Infrastructure", "KC.Api").GetResult();

        Assert.Multiple(() =>
        {
            Assert.That(Application.GetName().Name, Is.EqualTo("KC.Application"));
            Assert.That(ours, Is.EqualTo(new[] { "KC.Domain" }));
            Assert.That(result.IsSuccessful, Is.True, string.Join(", ", result.FailingTypeNames ?? []));
        });
    }

    [Test]
    public void Infrastructure_DoesNotReferenceApi()
    {
        var ours = Infrastructure.GetReferencedAssemblies().Select(a => a.Name).Where(n => n!.StartsWith("KC.", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(Infrastructure.GetName().Name, Is.EqualTo("KC.Infrastructure"));
            Assert.That(ours, Is.EquivalentTo(new[] { "KC.Domain", "KC.Application" }));
        });
    }

    [Test]
    public void Controllers_DoNotUseTheDbContextOrInfrastructure()
    {
        var result = Types.InAssembly(typeof(Program).Assembly)
            .That().ResideInNamespace("KC.Api.Controllers")
            .ShouldNot().HaveDependencyOnAny("KC.Infrastructure", "Microsoft.EntityFrameworkCore")
            .GetResult();

        Assert.That(result.IsSuccessful, Is.True, string.Join(", ", result.FailingTypeNames ?? []));
    }
}
