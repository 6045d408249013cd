namespace KC.Infrastructure.Hosting;

/// <summary>A node was started with a <c>Node:Id</c> that a live node holds; the service does not start.</summary>
public sealed class NodeIdInUseException : Exception
{
    public NodeIdInUseException()
    {
    }

    public NodeIdInUseException(string message)
        : base(message)
    {
    }

    public NodeIdInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
