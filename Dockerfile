# syntax=docker/dockerfile:1
#
# Build:  docker build -t roadmap-api .
# Run:    docker run --rm -p 8080:8080 roadmap-api
# Serve a roadmap.sh checkout instead of the bundled content:
#         docker run --rm -p 8080:8080 -v "$PWD/developer-roadmap/src/data:/app/content:ro" roadmap-api

FROM rust:1-bookworm AS builder
WORKDIR /build
COPY . .
# Cache mounts keep the registry and compiled dependencies between builds; the binary is
# copied out because the target folder is not part of the image layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/build/target \
    cargo build --release --locked \
    && cp target/release/roadmap-api /usr/local/bin/roadmap-api

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/index \
    && chown app:app /app/index
WORKDIR /app
COPY --from=builder /usr/local/bin/roadmap-api /usr/local/bin/roadmap-api
# Replaceable: mount any content folder (ours or a roadmap.sh `src/data`) over it.
COPY content /app/content
ENV ROADMAP_API_BIND=0.0.0.0:8080 \
    ROADMAP_API_CONTENT=/app/content \
    ROADMAP_API_INDEX=/app/index \
    RUST_LOG=info
USER app
EXPOSE 8080
# No curl in the slim image: bash's /dev/tcp is enough to ask /readyz.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["roadmap-api"]
CMD ["serve"]
