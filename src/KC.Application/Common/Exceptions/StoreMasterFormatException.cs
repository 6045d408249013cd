namespace KC.Application.Common.Exceptions;

/// <summary>
/// The store-master file as a whole cannot be read: it is empty, or its header lacks a required column
/// or is itself malformed. Problems confined to single rows are reported as rejected rows instead.
/// </summary>
public sealed class StoreMasterFormatException : Exception
{
    public StoreMasterFormatException()
        : base("The store master file is not in the expected format.")
    {
    }

    public StoreMasterFormatException(string message)
        : base(message)
    {
    }

    public StoreMasterFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
