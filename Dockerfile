# One image for every process of the registry; docker-compose.yml picks the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY domain ./domain
COPY projections ./projections
COPY web ./web
COPY workers ./workers
COPY schema ./schema
COPY registry ./registry
RUN pip install -c constraints.txt . && useradd --system --uid 10001 registry \
    && mkdir -p /srv/media && chown registry /srv/media  # logos: compose mounts a volume here
USER registry
EXPOSE 8000
ENTRYPOINT ["registry"]
CMD ["serve"]
