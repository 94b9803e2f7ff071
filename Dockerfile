# syntax=docker/dockerfile:1
# Build: cgo is needed for SQLite (mattn/go-sqlite3).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/archmap ./web

# Run: a small Debian with a non-root user; the database lives on the /data volume.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin archmap \
	&& mkdir -p /data && chown archmap /data \
	&& mkdir -m 0700 /var/cache/archmap && chown archmap /var/cache/archmap
COPY --from=build /out/archmap /usr/local/bin/archmap
USER archmap
VOLUME ["/data"]
# archmap keeps Graphviz's compiled WebAssembly in $XDG_CACHE_HOME/archmap
# (else $HOME/.cache, which here is the data volume) and every process that
# draws runs that code: it belongs in a directory only archmap can write,
# not in a shared /tmp, nor in the volume.
ENV ARCHMAP_ADDR=:8080 ARCHMAP_DB=/data/archmap.db XDG_CACHE_HOME=/var/cache/archmap TMPDIR=/var/cache/archmap
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/archmap", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/archmap"]
CMD ["serve"]
