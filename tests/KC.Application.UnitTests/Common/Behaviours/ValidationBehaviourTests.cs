using FluentValidation;
using KC.Application.Common.Behaviours;
using Mediator;

namespace KC.Application.UnitTests.Common.Behaviours;

[TestFixture]
public sealed class ValidationBehaviourTests
{
    private static ValidationBehaviour<Ping, string> Behaviour(params IValidator<Ping>[] validators) => new(validators);

    private static InlineValidator<Ping> Validator(Action<InlineValidator<Ping>> rules)
    {
        var validator = new InlineValidator<Ping>();
        rules(validator);
        return validator;
    }

    [Test]
    public void Handle_WhenValidatorsFail_ThrowsOneValidationExceptionWithEveryFailureAndSkipsNext()
    {
        var nameRequired = Validator(v => v.RuleFor(p => p.Name).NotEmpty().WithMessage("is required").OverridePropertyName("name"));
        var countPositive = Validator(v => v.RuleFor(p => p.Count).GreaterThan(0).WithMessage("must be positive").OverridePropertyName("count"));
        var nextCalled = false;
        MessageHandlerDelegate<Ping, string> next = (_, _) =>
        {
            nextCalled = true;
            return new ValueTask<string>("handled");
        };

        Func<Task> act = async () => await Behaviour(nameRequired, countPositive).Handle(new Ping(string.Empty, 0), next, CancellationToken.None);

        var exception = Assert.ThrowsAsync<ValidationException>(act);
        Assert.That(
            exception!.Errors.Select(e => (e.PropertyName, e.ErrorMessage)),
            Is.EquivalentTo(new[] { ("name", "is required"), ("count", "must be positive") }));
        Assert.That(nextCalled, Is.False);
    }

    [Test]
    public void Handle_WhenOnlyTheSecondValidatorFails_StillThrows()
    {
        var passes = Validator(v => v.RuleFor(p => p.Name).NotEmpty());
        var fails = Validator(v => v.RuleFor(p => p.Count).GreaterThan(10).WithMessage("too small"));
        var nextCalled = false;
        MessageHandlerDelegate<Ping, string> next = (_, _) =>
        {
            nextCalled = true;
            return new ValueTask<string>("handled");
        };

        Func<Task> act = async () => await Behaviour(passes, fails).Handle(new Ping("ok", 1), next, CancellationToken.None);

        Assert.That(act, Throws.TypeOf<ValidationException>().With.Property(nameof(ValidationException.Errors)).Count.EqualTo(1));
        Assert.That(nextCalled, Is.False);
    }

    [Test]
    public async Task Handle_WhenEveryValidatorPasses_CallsNextWithTheMessageAndReturnsItsResponse()
    {
        var message = new Ping("ok", 1);
        var validator = Validator(v => v.RuleFor(p => p.Name).NotEmpty());
        Ping? received = null;
        using var cts = new CancellationTokenSource();
        CancellationToken receivedToken = default;
        MessageHandlerDelegate<Ping, string> next = (m, ct) =>
        {
            received = m;
            receivedToken = ct;
            return new ValueTask<string>("handled");
        };

        var response = await Behaviour(validator).Handle(message, next, cts.Token);

        Assert.That(response, Is.EqualTo("handled"));
        Assert.That(received, Is.SameAs(message));
        Assert.That(receivedToken, Is.EqualTo(cts.Token));
    }

    [Test]
    public async Task Handle_WhenThereAreNoValidators_CallsNext()
    {
        MessageHandlerDelegate<Ping, string> next = (_, _) => new ValueTask<string>("handled");

        var response = await Behaviour().Handle(new Ping(string.Empty, 0), next, CancellationToken.None);

        Assert.That(response, Is.EqualTo("handled"));
    }

    public sealed record Ping(string Name, int Count) : IRequest<string>;
}
