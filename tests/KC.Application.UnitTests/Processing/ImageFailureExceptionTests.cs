using KC.Application.Processing;

namespace KC.Application.UnitTests.Processing;

[TestFixture]
public sealed class ImageFailureExceptionTests
{
    [Test]
    public void Constructor_WhenAttemptsAreNotGiven_CountsOne()
    {
        var error = new ImageFailureException("HTTP 404");

        Assert.That(error.Attempts, Is.EqualTo(1));
    }

    [Test]
    public void Constructor_WhenAttemptsAreGiven_KeepsThemWithMessageAndInner()
    {
        var inner = new InvalidOperationException("boom");

        var error = new ImageFailureException("HTTP 503", attempts: 3, inner);

        Assert.That((error.Message, error.Attempts, error.InnerException), Is.EqualTo(("HTTP 503", 3, (Exception?)inner)));
    }
}
