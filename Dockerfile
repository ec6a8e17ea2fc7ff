# syntax=docker/dockerfile:1
#
# The tree-counter app image: app-server serving /treecounter, /metrics and the
# playground. docker-compose.yaml builds it as the `app` service:
#
#   docker compose up --build        # or on its own:  docker build -t treecounter-app .
#
# The build stage runs the same scripts as the README's commands, so what this
# image contains is what `./scripts/run.sh` runs on your machine.

# ---- build: the playground (wasm) and the server ---------------------------
# Same Debian release and Rust version as the development machines.
FROM rust:1.95.0-bookworm AS build

SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src

# Trunk and wasm-bindgen-cli are compiled once (a few minutes, in parallel).
# Installing them outside CARGO_HOME lets a BuildKit cache mount keep them
# between builds; scripts/setup.sh finds them on PATH and skips them.
ENV CARGO_INSTALL_ROOT=/opt/build-tools \
    PATH=/opt/build-tools/bin:$PATH

COPY . .

# Cache mounts are not part of the image: the server and the playground are
# copied out to /out before the RUN ends. As in scripts/run.sh, the server
# compiles in the background while the wasm tools are installed and the
# playground is built.
RUN --mount=type=cache,id=treecounter-tools,target=/opt/build-tools \
    --mount=type=cache,id=treecounter-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=treecounter-target,target=/src/target \
    --mount=type=cache,id=treecounter-npm,target=/root/.npm \
    { cargo build --release --locked -p app-server >/tmp/app-server-build.log 2>&1 & } \
 && server_build=$! \
 && ./scripts/setup.sh --run \
 && ./scripts/build-playground.sh \
 && { wait "$server_build" || { tail -n 30 /tmp/app-server-build.log; exit 1; }; } \
 && install -D --mode=0755 target/release/app-server /out/bin/app-server \
 && cp -R dist /out/dist

# ---- runtime: the server binary, the built playground, nothing else --------
FROM debian:12.15-slim

# A fixed, unprivileged uid; the files it serves belong to root and are read-only to it.
RUN groupadd --system --gid 10001 treecounter \
 && useradd --system --uid 10001 --gid treecounter --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin treecounter

COPY --from=build /out/bin/app-server /usr/local/bin/app-server
COPY --from=build /out/dist /usr/share/treecounter/dist

# Every flag of app-server is also an environment variable (app-server --help).
ENV APP_LISTEN=0.0.0.0:8001 \
    APP_STATIC_DIR=/usr/share/treecounter/dist \
    RUST_LOG=info

USER 10001:10001
EXPOSE 8001

# The image has no curl: app-server itself asks http://127.0.0.1:8001/healthz
# (the port from APP_LISTEN) and exits 0 on a 200.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
  CMD ["app-server", "--healthcheck"]

ENTRYPOINT ["app-server"]
