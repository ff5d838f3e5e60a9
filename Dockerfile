# Newsdigest: the bot in a container.
#   docker build -t newsdigest .
#   docker run --env-file .env -v newsdigest-data:/app/data newsdigest
#   docker run --rm newsdigest python -m bot demo      the offline demo, no token needed
# (or `docker compose up -d`, see docker-compose.yml)

# ---- build: install the package and its pinned dependencies into a virtualenv
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir -p bot handlers services \
    && touch bot/__init__.py handlers/__init__.py services/__init__.py \
    && pip install -c constraints.txt . \
    && pip uninstall -y newsdigest
COPY bot/ bot/
COPY handlers/ handlers/
COPY services/ services/
RUN pip install --no-deps -c constraints.txt . \
    && python -m compileall -q /opt/venv

# ---- runtime: the virtualenv, the shipped configuration, a non-root user
FROM python:3.11-slim AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_PATH=/app/data/newsdigest.db \
    SOURCES_FILE=/app/config/sources.toml \
    TOPICS_FILE=/app/config/topics.toml \
    WEBHOOK_HOST=0.0.0.0 \
    WEBHOOK_PORT=8080

RUN groupadd --system --gid 10001 newsdigest \
    && useradd --system --uid 10001 --gid newsdigest --home-dir /app --shell /usr/sbin/nologin newsdigest

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# The package (the offline demo and its data included) is in the virtualenv; config/ is the rest.
COPY config/ config/
RUN mkdir -p /app/data && chown -R newsdigest:newsdigest /app/data

USER newsdigest
VOLUME ["/app/data"]
# /healthz (and, when WEBHOOK_URL is set, the webhook) listen here; publish it only for webhooks.
EXPOSE 8080

HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEBHOOK_PORT', '8080'), timeout=8)"]

# SIGTERM (docker stop) ends polling and closes the database cleanly.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
