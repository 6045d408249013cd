using KC.Application.Common;
using KC.Application.Common.Interfaces;
using KC.Application.Nodes.Queries.ListNodes;
using KC.Domain.Jobs;

namespace KC.Api.Contracts;

/// <summary>The sets of words a string member of the wire holds.</summary>
internal enum WireWords
{
    JobStatus,
    ImageStatus,
    CallbackStatus,
    NodeState,
}

/// <summary>
/// A string member that holds one of a fixed set of words; the OpenAPI document lists them as the
/// member's <c>enum</c>, spelled by the same code that writes them.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class WordsAttribute(WireWords words) : Attribute
{
    public WireWords Words { get; } = words;

    public IReadOnlyList<string> List() => Words switch
    {
        WireWords.JobStatus => StatusWords.JobStatuses.Select(StatusWords.Of).ToList(),
        WireWords.ImageStatus => Enum.GetValues<ImageState>().Select(StatusWords.Of).ToList(),
        WireWords.CallbackStatus => Enum.GetValues<CallbackStatus>().Select(StatusWords.Of).ToList(),
        WireWords.NodeState => Enum.GetValues<NodeState>().Select(ResponseMapper.NodeStateToWord).ToList(),
        _ => throw new ArgumentOutOfRangeException(nameof(Words), Words, null),
    };
}

/// <summary>
/// A member a request must have, and not null. The request type keeps it nullable so that the
/// validator, not the JSON binder, names what is missing; the OpenAPI document says it is required.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RequiredOnTheWireAttribute : Attribute;
