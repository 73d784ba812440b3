# nbaprops: one image for the daily Cloud Run Jobs and the read API (docs/deploy.md).
#   docker build -t nbaprops .
#   docker run --rm nbaprops --help
#   docker run --rm -v "$PWD/../shared/data/nba:/data/nba:ro" -e NBAPROPS_DATA_DIR=/data/nba nbaprops demo
# Dependencies come from uv.lock exactly (--frozen); the final stage has no compiler, no uv, no pip.

# --- build: resolve nothing, install the locked wheels into /opt/venv ---------------------------
FROM python:3.11-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /src
# the locked dependencies first (a layer that survives source edits), then the package itself
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra gcp --no-install-project
COPY src ./src
RUN uv sync --frozen --no-dev --extra gcp --no-editable --compile-bytecode

# --- runtime: the virtualenv, the OpenMP runtime LightGBM links against, a non-root user -------
FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin nbaprops \
    && mkdir -p /var/lib/nbaprops && chown nbaprops /var/lib/nbaprops
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NBAPROPS_HOME=/var/lib/nbaprops
USER nbaprops
WORKDIR /var/lib/nbaprops
ENTRYPOINT ["nbaprops"]
CMD ["--help"]
