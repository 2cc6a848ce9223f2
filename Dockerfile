# peekl in a container: build on Debian 12, run from a slim image.
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential pkg-config libcurl4-openssl-dev libmbedtls-dev \
        libhiredis-dev libyaml-dev libjansson-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# deps.sh would install the test packages too; the build needs none of them.
RUN mkdir -p build && touch build/.deps-ok && make peekl

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libcurl4 libmbedtls14 libhiredis0.14 libyaml-0-2 libjansson4 ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd -r -u 999 peekl
COPY --from=build /src/peekl /usr/local/bin/peekl
USER peekl
# One-shot: run it from the host's timer or a scheduler, e.g.
#   docker run --rm -v ./config.yaml:/etc/peekl/config.yaml:ro peekl
ENTRYPOINT ["/usr/local/bin/peekl", "-c", "/etc/peekl/config.yaml"]
CMD ["check"]
