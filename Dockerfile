# BEV Chaos: the chaos API (`bev-chaos serve`) in a container.
#   docker build -t bev-chaos .                      # on the official .NET images
#   deploy/local-images.sh                           # where no registry is reachable: bev-chaos:local
# Faults on host processes need the host's PID namespace, network, cgroups and root: see
# compose.yaml and docs/container.md.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
# Not under a folder named src: Directory.Build.props tells library code by "/src/" in its path.
WORKDIR /build
# Restore first, from the project files alone, so that a source change reuses the restored layer.
COPY Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig ./
COPY src/Bev.Chaos/Bev.Chaos.csproj src/Bev.Chaos/
COPY src/Bev.Chaos.Helper/Bev.Chaos.Helper.csproj src/Bev.Chaos.Helper/
COPY src/Bev.Chaos.Proxy/Bev.Chaos.Proxy.csproj src/Bev.Chaos.Proxy/
COPY src/Bev.Chaos.Server/Bev.Chaos.Server.csproj src/Bev.Chaos.Server/
COPY src/Bev.Chaos.Cli/Bev.Chaos.Cli.csproj src/Bev.Chaos.Cli/
COPY samples/Bev.Chaos.SampleService/Bev.Chaos.SampleService.csproj samples/Bev.Chaos.SampleService/
RUN dotnet restore src/Bev.Chaos.Cli/Bev.Chaos.Cli.csproj
COPY src/ src/
COPY samples/ samples/
COPY config/ config/
# Framework-dependent, no apphosts (the runtime image has dotnet), no symbols or XML docs.
RUN dotnet publish src/Bev.Chaos.Cli/Bev.Chaos.Cli.csproj -c Release --no-restore -o /out \
      -p:UseAppHost=false -p:DebugType=none -p:GenerateDocumentationFile=false \
 && rm -rf /out/runtimes/win-* /out/runtimes/osx-* /out/runtimes/maccatalyst-* /out/runtimes/browser-* \
      /out/runtimes/linux-arm* /out/runtimes/linux-mips64 /out/runtimes/linux-ppc64le /out/runtimes/linux-riscv64 \
      /out/runtimes/linux-s390x /out/runtimes/linux-x86 /out/runtimes/linux-musl-*

FROM ${RUNTIME_IMAGE}
# nft (network faults), tc (bandwidth), nsenter (faults inside a container's network namespace).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nftables iproute2 util-linux \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out /app/bin
COPY deploy/healthcheck.sh /app/bin/healthcheck.sh
# /var/lib/bev-chaos: the store and the fault journal (a volume, so that a restarted container
# reverts what a killed one left active); /app/logs: chaos_engineering.log.
RUN mkdir -p /var/lib/bev-chaos /app/logs /app/config \
 && chmod 0755 /app/bin/healthcheck.sh \
 && chown "${APP_UID:-1654}:${APP_UID:-1654}" /var/lib/bev-chaos /app/logs
ENV BEV_CHAOS_DATA_DIR=/var/lib/bev-chaos \
    BEV_CHAOS_LOG_DIR=/app/logs \
    BEV_CHAOS_HEALTH_URL=http://127.0.0.1:8080/health \
    DOTNET_gcServer=0 \
    NO_COLOR=1
VOLUME ["/var/lib/bev-chaos"]
WORKDIR /app
# Non-root by default: the proxy's toxics, HTTP faults and the API itself need no privilege.
# Faults on host processes, cgroups and nftables need root (compose.yaml sets user: root).
USER ${APP_UID}
EXPOSE 8080 8474
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/app/bin/healthcheck.sh"]
# dotnet is PID 1: SIGTERM reaches bev-chaos, which removes the faults it holds and exits.
ENTRYPOINT ["dotnet", "/app/bin/bev-chaos.dll"]
CMD ["serve", "--urls", "http://127.0.0.1:8080"]
