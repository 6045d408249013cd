namespace KC.Application.Common.Interfaces;

/// <summary>Wakes idle workers on this node when new work has been committed.</summary>
public interface IWorkSignal
{
    void NotifyWorkAvailable();
}
