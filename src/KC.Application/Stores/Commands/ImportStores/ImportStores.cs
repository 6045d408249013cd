using FluentValidation;
using FluentValidation.Results;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using Mediator;

namespace KC.Application.Stores.Commands.ImportStores;

/// <summary>
/// Upserts an uploaded store-master CSV. <see cref="Csv"/> is null when the request carried no file;
/// <see cref="Length"/> is its size when the client declared one.
/// </summary>
public sealed record ImportStoresCommand(Stream? Csv, long? Length = null) : ICommand<StoreImportSummary>
{
    /// <summary>The wire name of the upload in error sentences: the multipart field, or the body standing in for it.</summary>
    public const string FieldName = "file";
}

public sealed class ImportStoresValidator : AbstractValidator<ImportStoresCommand>
{
    public ImportStoresValidator(StoreImportLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        RuleFor(c => c.Csv)
            .NotNull().WithMessage("is required: send the CSV as the multipart/form-data field file, or as a text/csv body")
            .OverridePropertyName(ImportStoresCommand.FieldName);
        RuleFor(c => c.Length)
            .LessThanOrEqualTo(limits.MaxStoreImportBytes).WithMessage(c => limits.TooLarge(c.Length))
            .OverridePropertyName(ImportStoresCommand.FieldName);
    }
}

public sealed class ImportStoresHandler(IStoreImporter importer, StoreImportLimits limits) : ICommandHandler<ImportStoresCommand, StoreImportSummary>
{
    private const int ChunkBytes = 81_920;

    public async ValueTask<StoreImportSummary> Handle(ImportStoresCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);

        // The upload is copied to a temporary file, never into memory, and the cap is checked as it
        // arrives. The import runs from the copy: its transaction never waits on a slow client, and an
        // upload that breaks off or passes the cap imports nothing.
        var copy = await CopyCappedAsync(command.Csv!, cancellationToken).ConfigureAwait(false);
        await using (copy.ConfigureAwait(false))
        {
            try
            {
                return await importer.ImportAsync(copy, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreMasterFormatException ex)
            {
                throw Invalid(ex.Message);
            }
        }
    }

    private static ValidationException Invalid(string message) =>
        new([new ValidationFailure(ImportStoresCommand.FieldName, message)]);

    private async Task<FileStream> CopyCappedAsync(Stream csv, CancellationToken cancellationToken)
    {
        var copy = new FileStream(
            Path.Combine(Path.GetTempPath(), $"kc-import-{Guid.NewGuid():N}.csv"),
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.None,
            ChunkBytes,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            var chunk = new byte[ChunkBytes];
            long copied = 0;
            int read;
            while ((read = await ReadUploadAsync(csv, chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                copied += read;
                if (copied > limits.MaxStoreImportBytes)
                {
                    throw Invalid(limits.TooLarge(null));
                }

                await copy.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            await copy.FlushAsync(cancellationToken).ConfigureAwait(false);
            copy.Position = 0;
            return copy;
        }
        catch
        {
            await copy.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<int> ReadUploadAsync(Stream csv, byte[] chunk, CancellationToken cancellationToken)
    {
        try
        {
            return await csv.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // A broken upload, such as a multipart body that ends before its closing boundary. A failure
            // to write the copy is the service's, not the client's, and is not caught here.
            throw Invalid($"could not be read: {ex.Message}");
        }
    }
}
