# syntax=docker/dockerfile:1
# KC as a container image: `docker build -t kc .` from the repository root; docs/deployment.md says
# how to run it and what of this was verified.

# --- Build: restore, then publish. -----------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Only what restore reads comes first, so the restored packages stay a cached layer until a project
# file or a package version changes; a change to the code itself starts from the publish step below.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/KC.Domain/KC.Domain.csproj src/KC.Domain/
COPY src/KC.Application/KC.Application.csproj src/KC.Application/
COPY src/KC.Infrastructure/KC.Infrastructure.csproj src/KC.Infrastructure/
COPY src/KC.Api/KC.Api.csproj src/KC.Api/
RUN dotnet restore src/KC.Api/KC.Api.csproj

COPY src/ src/
# The same publish as docs/deployment.md without containers; no native launcher, since the image
# starts the service with `dotnet KC.Api.dll`.
RUN dotnet publish src/KC.Api -c Release -o /app --no-restore -p:UseAppHost=false

# --- Run: the ASP.NET Core runtime only. ----------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime

# The SQLite database's folder (SQLite is the default provider), owned by the non-root user the
# image provides (`app`, uid $APP_UID) and the service runs as.
RUN mkdir -p /var/lib/kc && chown "$APP_UID:$APP_UID" /var/lib/kc

WORKDIR /app
COPY --from=build /app ./

# Urls: every interface, since appsettings.json's localhost would be unreachable from outside the
# container. ASPNETCORE_HTTP_PORTS (8080 in the base image) is emptied because Urls replaces it,
# and the host would warn about the two at every start otherwise.
ENV Urls=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    ConnectionStrings__KC="Data Source=/var/lib/kc/kc.db"
VOLUME /var/lib/kc
EXPOSE 8080

USER $APP_UID

# The runtime image has neither curl nor wget: the service's own binary answers the health check
# (`probe`: one GET, exit 0 on 200 and 1 otherwise, one line of output).
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=3 \
    CMD ["dotnet", "/app/KC.Api.dll", "probe", "http://127.0.0.1:8080/health/ready", "--timeout", "5"]

# SIGTERM starts the graceful stop: images in flight get Processing:ShutdownGraceSeconds (10 s) to
# finish, so give a stop more than that (compose.yaml: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "/app/KC.Api.dll"]
