namespace KC.Application.Processing.Stages;

/// <summary>
/// One check or step of the <see cref="ImagePipeline"/>. It returns null to pass the image on, or
/// the outcome that settles the image here (usually <see cref="ImageInFlight.Failed"/>); what it
/// learns about the image it sets on <paramref name="image"/> for the stages after it. An exception
/// other than the image's own cancellation fails the image as an unexpected error.
/// </summary>
internal interface IImageStage
{
    ValueTask<ImageOutcome?> RunAsync(ImageInFlight image, CancellationToken cancellationToken);
}
