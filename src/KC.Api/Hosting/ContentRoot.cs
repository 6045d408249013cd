namespace KC.Api.Hosting;

/// <summary>Where the service finds its settings files and other content.</summary>
internal static class ContentRoot
{
    /// <summary>
    /// The folder of the binaries, so <c>appsettings.json</c> beside <c>KC.Api.dll</c> is read
    /// wherever the process is started from (ASP.NET Core's default is the working directory, which
    /// silently drops every setting when the service is started from elsewhere). An explicit
    /// <c>--contentRoot</c> or <c>ASPNETCORE_CONTENTROOT</c>/<c>DOTNET_CONTENTROOT</c> still wins: null lets it.
    /// </summary>
    public static string? Default(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var explicitlySet = args.Any(arg => arg.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        return explicitlySet ? null : AppContext.BaseDirectory;
    }
}
