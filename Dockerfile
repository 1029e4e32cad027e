# The `eventide` data-plane image: one binary, every role
# (`run --roles ingestion|processor|query|all`).
# The dashboard's front end (served by the query role), built where npm is.
FROM node:20-bookworm-slim AS dashboard
WORKDIR /web
COPY src/Eventide.Query/Dashboard/web/package.json src/Eventide.Query/Dashboard/web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY src/Eventide.Query/Dashboard/web/ ./
RUN npm run build

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
# The gRPC contract the ingestion project compiles (Grpc.Tools).
COPY proto/ proto/
# Embedded as built above: the SDK image has no npm.
COPY --from=dashboard /web/dist/ src/Eventide.Query/Dashboard/web/dist/
RUN dotnet publish src/Eventide.Server/Eventide.Server.csproj -c Release -o /out --nologo -p:EventideDashboardPrebuilt=true

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out ./
# Runs as the image's non-root `app` user (uid 1654) and writes nothing to
# its root filesystem, so `readOnlyRootFilesystem: true` works; /tmp is the
# only scratch space .NET may use (mount an emptyDir there).
ENV ASPNETCORE_URLS= \
    DOTNET_EnableDiagnostics=0 \
    DOTNET_gcServer=0 \
    Eventide__Database__Timescale=Required
USER 1654
EXPOSE 8080 8081
# Kubernetes probes /healthz (liveness) and /readyz (readiness) on 8080;
# 8081 is the ingestion role's gRPC listener when Eventide__Ingestion__GrpcListen names it.
ENTRYPOINT ["dotnet", "/app/eventide.dll"]
CMD ["run", "--roles", "all", "--listen", "http://0.0.0.0:8080"]
