using FluentValidation;
using FluentValidation.Results;
using KC.Application.Common.Behaviours;
using KC.Application.Common.Exceptions;
using KC.Domain.Common;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace KC.Application.UnitTests.Common.Behaviours;

[TestFixture]
public sealed class UnhandledExceptionBehaviourTests
{
    private static IEnumerable<Exception> ClientErrors()
    {
        yield return new ValidationException([new ValidationFailure("count", "is required")]);
        yield return new NotFoundException("Job 9 was not found.");
        yield return new ConflictException("Job 9 has already completed.");
        yield return new IdempotencyKeyMismatchException("Idempotency-Key 'k' was already used with a different request body");
        yield return new DomainRuleException("JobHasVisits", "A job needs at least one visit.");
    }

    [TestCaseSource(nameof(ClientErrors))]
    public void Handle_WhenTheClientIsAtFault_LogsOneInformationLineWithoutTheException(Exception error)
    {
        var logger = new FakeLogger<UnhandledExceptionBehaviour<ValidationBehaviourTests.Ping, string>>();

        var thrown = Assert.ThrowsAsync(error.GetType(), async () => await Run(logger, error));

        var record = logger.Collector.GetSnapshot().Single();
        Assert.That(thrown, Is.SameAs(error));
        Assert.That(record.Level, Is.EqualTo(LogLevel.Information));
        Assert.That(record.Exception, Is.Null);
        Assert.That(record.Message, Does.StartWith("Ping refused").And.Contain(error.Message));
        Assert.That(RequestOutcome.WasLogged(error), Is.False);
    }

    [Test]
    public void Handle_WhenTheServiceFails_LogsTheExceptionOnceAtErrorAndMarksIt()
    {
        var logger = new FakeLogger<UnhandledExceptionBehaviour<ValidationBehaviourTests.Ping, string>>();
        var error = new InvalidOperationException("the disk is full");

        Assert.ThrowsAsync<InvalidOperationException>(async () => await Run(logger, error));

        var record = logger.Collector.GetSnapshot().Single();
        Assert.That(record.Level, Is.EqualTo(LogLevel.Error));
        Assert.That(record.Exception, Is.SameAs(error));
        Assert.That(RequestOutcome.WasLogged(error), Is.True);
    }

    [Test]
    public void Handle_WhenTheRequestIsCancelled_LogsNothing()
    {
        var logger = new FakeLogger<UnhandledExceptionBehaviour<ValidationBehaviourTests.Ping, string>>();

        Assert.ThrowsAsync<OperationCanceledException>(async () => await Run(logger, new OperationCanceledException()));

        Assert.That(logger.Collector.Count, Is.Zero);
    }

    private static async Task Run(FakeLogger<UnhandledExceptionBehaviour<ValidationBehaviourTests.Ping, string>> logger, Exception error)
    {
        MessageHandlerDelegate<ValidationBehaviourTests.Ping, string> next = (_, _) => throw error;
        await new UnhandledExceptionBehaviour<ValidationBehaviourTests.Ping, string>(logger).Handle(new ValidationBehaviourTests.Ping("x", 1), next, CancellationToken.None);
    }
}
