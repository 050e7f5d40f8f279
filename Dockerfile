# One image for every process of the registry; docker-compose.yml picks the command. Every
# documented command runs in it, `registry bench` included (its extras are installed and its
# results directory is writable).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    REGISTRY_DATA_DIR=/srv/data
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY domain ./domain
COPY projections ./projections
COPY web ./web
COPY workers ./workers
COPY schema ./schema
COPY registry ./registry
COPY bench ./bench
# Writable by the registry user: logos (compose mounts a volume), local state (heartbeats, the
# mail outbox: a volume too), the benchmark's results.
RUN pip install -c constraints.txt '.[bench]' \
    && useradd --system --uid 10001 registry \
    && results="$(python -I -c 'import bench.plan; print(bench.plan.RESULTS)')" \
    && mkdir -p /srv/media /srv/data/outbox "$results" \
    && chown registry /srv/media /srv/data /srv/data/outbox "$results"
USER registry
EXPOSE 8000
ENTRYPOINT ["registry"]
CMD ["serve"]
