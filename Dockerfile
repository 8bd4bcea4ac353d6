# kindstep's image for server mode: the web app, the worker and `kindstep migrate` all run
# from it (compose.yaml; docs/deploy.md). Debian 12 with Python 3.11, as kindstep is tested.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 kindstep
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kindstep ./kindstep
RUN pip install .

USER kindstep
# Server mode keeps nothing here (records, sessions, tasks and uploads live in PostgreSQL);
# the folder only has to exist.
ENV KINDSTEP_DATA_DIR=/home/kindstep/data
EXPOSE 8000
CMD ["kindstep", "serve", "--host", "0.0.0.0", "--port", "8000"]
