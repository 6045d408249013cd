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

        // The importer parses synchronously, which a request body does not allow, so the upload is
        // read into memory first; the cap keeps that small, also when no length was declared.
        using var buffer = await ReadCappedAsync(command.Csv!, cancellationToken).ConfigureAwait(false);
        try
        {
            return await importer.ImportAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreMasterFormatException ex)
        {
            throw Invalid(ex.Message);
        }
    }

    private static ValidationException Invalid(string message) =>
        new([new ValidationFailure(ImportStoresCommand.FieldName, message)]);

    private async Task<MemoryStream> ReadCappedAsync(Stream csv, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        try
        {
            var chunk = new byte[ChunkBytes];
            int read;
            while ((read = await csv.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limits.MaxStoreImportBytes)
                {
                    throw Invalid(limits.TooLarge(null));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (IOException ex)
        {
            // A broken upload, such as a multipart body that ends before its closing boundary.
            await buffer.DisposeAsync().ConfigureAwait(false);
            throw Invalid($"could not be read: {ex.Message}");
        }
        catch
        {
            await buffer.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        buffer.Position = 0;
        return buffer;
    }
}
