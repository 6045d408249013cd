using System.Text.Json;
using KC.Application.Common.Interfaces;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KC.Api.Contracts;

/// <summary>The status body through the same mapper and the same JSON settings as the endpoint that serves it.</summary>
internal sealed class JobStatusBody(IOptions<JsonOptions> json) : IJobStatusBody
{
    private readonly JsonSerializerOptions _options = json.Value.JsonSerializerOptions;

    public byte[] Write(JobStatusView status) => JsonSerializer.SerializeToUtf8Bytes(status.ToResponse(), _options);
}
