namespace KC.Api.Hosting;

/// <summary>
/// Answers <c>HEAD</c> wherever <c>GET</c> answers, as HTTP asks of every server (RFC 9110, 9.1):
/// the request goes through as a <c>GET</c>, so its status and headers are the GET's, and Kestrel,
/// which parsed it as a HEAD, sends no body. Monitors and link checkers ask with HEAD.
/// </summary>
internal static class HeadRequests
{
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await next(context);
                return;
            }

            context.Request.Method = HttpMethods.Get;
            try
            {
                await next(context);
            }
            finally
            {
                // The logs and metrics after this see the method the client sent.
                context.Request.Method = HttpMethods.Head;
            }
        });
}
