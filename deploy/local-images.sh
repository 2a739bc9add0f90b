#!/usr/bin/env bash
# Builds bev-chaos:local where no image registry is reachable: first the two base images the
# Dockerfile's ARGs name (made here from a debootstrap'd Debian and this machine's .NET), then the
# product image from the repository's Dockerfile — the same file that builds on the official
# mcr.microsoft.com/dotnet images elsewhere.
#
#   deploy/local-images.sh            # base images only when missing (cached by tag), then bev-chaos:local
#   deploy/local-images.sh --rebuild  # base images again too
#
# Needs root (debootstrap), docker (DOCKER_HOST is honoured), debootstrap, and the .NET SDK.
# Environment: BEV_CHAOS_IMAGE (default bev-chaos:local), DEBIAN_MIRROR, DEBIAN_SUITE.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${BEV_CHAOS_IMAGE:-bev-chaos:local}"
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_IMAGE="bev-chaos-base/debian:$SUITE"
REBUILD=""
[ "${1:-}" = "--rebuild" ] && REBUILD=1

log() { echo "local-images: $*" >&2; }
have_image() { [ -z "$REBUILD" ] && docker image inspect "$1" >/dev/null 2>&1; }

DOTNET_ROOT_DIR="$(dirname "$(readlink -f "$(command -v dotnet)")")"
RUNTIME_VERSION="$(ls "$DOTNET_ROOT_DIR/shared/Microsoft.AspNetCore.App" | sort -V | tail -n1)"
SDK_VERSION="$(ls "$DOTNET_ROOT_DIR/sdk" | sort -V | tail -n1)"
MAJOR_MINOR="${RUNTIME_VERSION%.*}"
SDK_IMAGE="bev-chaos-base/sdk:$MAJOR_MINOR"
RUNTIME_IMAGE="bev-chaos-base/aspnet:$MAJOR_MINOR"

WORK="$(mktemp -d /tmp/bev-chaos-images.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

if ! have_image "$DEBIAN_IMAGE"; then
  log "debootstrap $SUITE from $MIRROR (minbase)"
  # What the official .NET images carry besides the runtime: certificates, TLS, time zones.
  debootstrap --variant=minbase --include=ca-certificates,libssl3,tzdata "$SUITE" "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log" >&2; exit 1; }
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/rootfs" -c . | docker import --change 'CMD ["/bin/bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$WORK/rootfs"
fi

# The runtime image as mcr.microsoft.com/dotnet/aspnet lays it out: /usr/share/dotnet, dotnet on
# PATH, the non-root user app (uid 1654, APP_UID), ASP.NET listening on 8080.
if ! have_image "$RUNTIME_IMAGE"; then
  log "$RUNTIME_IMAGE from $DOTNET_ROOT_DIR (runtime $RUNTIME_VERSION)"
  mkdir -p "$WORK/runtime/dotnet/shared"
  cp -a "$DOTNET_ROOT_DIR/dotnet" "$DOTNET_ROOT_DIR/host" "$DOTNET_ROOT_DIR/LICENSE.txt" "$WORK/runtime/dotnet/"
  for fx in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$WORK/runtime/dotnet/shared/$fx"
    cp -a "$DOTNET_ROOT_DIR/shared/$fx/$RUNTIME_VERSION" "$WORK/runtime/dotnet/shared/$fx/"
  done
  cat >"$WORK/runtime/Dockerfile" <<DOCKERFILE
FROM $DEBIAN_IMAGE
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --no-create-home --shell /bin/false app
ENV APP_UID=1654 ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true DOTNET_VERSION=$RUNTIME_VERSION ASPNET_VERSION=$RUNTIME_VERSION
DOCKERFILE
  docker build --force-rm -q -t "$RUNTIME_IMAGE" "$WORK/runtime" >/dev/null
  rm -rf "$WORK/runtime"
fi

# The SDK image: the runtime image plus the SDK, its packs and templates.
if ! have_image "$SDK_IMAGE"; then
  log "$SDK_IMAGE from $DOTNET_ROOT_DIR (SDK $SDK_VERSION)"
  mkdir -p "$WORK/sdk/dotnet" "$WORK/sdk/ca"
  # The build stage restores from NuGet as this machine does: with the certificate authorities this
  # machine added to its trust store (e.g. a TLS-inspecting egress proxy's).
  cp /usr/local/share/ca-certificates/*.crt "$WORK/sdk/ca/" 2>/dev/null || true
  for part in sdk sdk-manifests packs templates; do
    [ -e "$DOTNET_ROOT_DIR/$part" ] && cp -a "$DOTNET_ROOT_DIR/$part" "$WORK/sdk/dotnet/"
  done
  cat >"$WORK/sdk/Dockerfile" <<DOCKERFILE
FROM $RUNTIME_IMAGE
# The SDK's own tools need ICU (the product runs with invariant globalization, the runtime image needs none).
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libicu72 >/dev/null && rm -rf /var/lib/apt/lists/*
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null 2>&1
COPY dotnet /usr/share/dotnet
ENV DOTNET_SDK_VERSION=$SDK_VERSION DOTNET_NOLOGO=true DOTNET_CLI_TELEMETRY_OPTOUT=true DOTNET_SKIP_FIRST_TIME_EXPERIENCE=true DOTNET_GENERATE_ASPNET_CERTIFICATE=false
DOCKERFILE
  docker build --force-rm --network host -q -t "$SDK_IMAGE" "$WORK/sdk" >/dev/null
  rm -rf "$WORK/sdk"
fi

log "building $IMAGE from $ROOT/Dockerfile"
# Host network for the build: NuGet restore and apt reach their registries as the host does (the
# daemon may run with --bridge=none).
docker build --force-rm --network host -q -t "$IMAGE" \
  --build-arg "SDK_IMAGE=$SDK_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" \
  -f "$ROOT/Dockerfile" "$ROOT" >/dev/null
log "$IMAGE: $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1000000}')"
