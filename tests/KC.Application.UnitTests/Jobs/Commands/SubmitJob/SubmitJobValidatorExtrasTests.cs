using FluentValidation.Results;
using KC.Application.Jobs.Commands.SubmitJob;

namespace KC.Application.UnitTests.Jobs.Commands.SubmitJob;

/// <summary>The validator's rules for <c>callback_url</c> and the <c>Idempotency-Key</c> header.</summary>
[TestFixture]
public sealed class SubmitJobValidatorExtrasTests
{
    private const string KeyError = "must be 1 to 200 printable ASCII characters";

    private static IEnumerable<(string Property, string Message)> Validate(SubmitJobCommand command, SubmitLimits? limits = null) =>
        Errors(new SubmitJobValidator(limits ?? new SubmitLimits()).Validate(command));

    private static IEnumerable<(string Property, string Message)> Errors(ValidationResult result) =>
        result.Errors.Select(e => (e.PropertyName, e.ErrorMessage));

    [TestCase("https://hooks.example.com/kc")]
    [TestCase("http://10.0.0.5:8080/done?job=1")]
    [TestCase("  https://hooks.example.com/padded  ")]
    public void Validate_WhenCallbackUrlIsAbsoluteHttp_HasNoErrors(string url)
    {
        var errors = Validate(Commands.Valid() with { CallbackUrl = url });

        Assert.That(errors, Is.Empty);
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("/hooks/relative")]
    [TestCase("ftp://hooks.example.com/done")]
    [TestCase("mailto:ops@example.com")]
    public void Validate_WhenCallbackUrlIsNotAbsoluteHttp_NamesCallbackUrl(string url)
    {
        var errors = Validate(Commands.Valid() with { CallbackUrl = url });

        Assert.That(errors, Is.EqualTo(new[] { ("callback_url", "must be an absolute http or https URL") }));
    }

    [Test]
    public void Validate_WhenCallbackUrlIsLongerThanTheUrlLimit_NamesTheLimit()
    {
        var errors = Validate(Commands.Valid() with { CallbackUrl = "https://hooks.example.com/" + new string('a', 10) }, new SubmitLimits { MaxUrlLength = 30 });

        Assert.That(errors, Is.EqualTo(new[] { ("callback_url", "exceeds the limit of 30 characters per URL (Api:MaxUrlLength)") }));
    }

    [TestCase("a")]
    [TestCase("order-1001")]
    [TestCase("with space and ~!@#$%^&*()")]
    public void Validate_WhenIdempotencyKeyIsPrintableAscii_HasNoErrors(string key)
    {
        var errors = Validate(Commands.Valid() with { IdempotencyKey = key });

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public void Validate_WhenIdempotencyKeyIsExactlyTwoHundredCharacters_HasNoErrors()
    {
        var errors = Validate(Commands.Valid() with { IdempotencyKey = new string('k', 200) });

        Assert.That(errors, Is.Empty);
    }

    [TestCase("")]
    [TestCase("tab\tinside")]
    [TestCase("new\nline")]
    [TestCase("del\u007f")]
    [TestCase("caf\u00e9")]
    public void Validate_WhenIdempotencyKeyIsNotPrintableAscii_NamesTheHeader(string key)
    {
        var errors = Validate(Commands.Valid() with { IdempotencyKey = key });

        Assert.That(errors, Is.EqualTo(new[] { ("Idempotency-Key", KeyError) }));
    }

    [Test]
    public void Validate_WhenIdempotencyKeyIsLongerThanTwoHundredCharacters_NamesTheHeader()
    {
        var errors = Validate(Commands.Valid() with { IdempotencyKey = new string('k', 201) });

        Assert.That(errors, Is.EqualTo(new[] { ("Idempotency-Key", KeyError) }));
    }
}
