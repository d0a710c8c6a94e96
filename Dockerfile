# Multi-stage build on the official Swift image: compile once, ship a slim runtime with the
# `pismo` binary and the schemas. Entrypoints: `pismo processor`, `pismo deliver`, `pismo sink`.
# No HEALTHCHECK here: the command decides the port, so docker-compose.yml and the CloudFormation
# task definitions each run `curl -fs http://localhost:<port>/healthz` (hence curl below).
# Same minor version as the toolchain the code is built and tested with (Swift 6.3).
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY bench ./bench
COPY Tests ./Tests
RUN swift build -c release --product pismo --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/pismo" /usr/local/bin/pismo

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libssl3 zlib1g ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/pismo /usr/local/bin/pismo
COPY schema /app/schema
WORKDIR /app
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/pismo"]
