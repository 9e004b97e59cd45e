# The fagui application image: the `fagui` command, gunicorn for the portal. Nothing is downloaded at start.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FAGUI_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md wsgi.py ./
COPY fagui fagui
COPY indexer indexer
COPY crawlers crawlers
COPY portal portal
COPY es_mappings es_mappings
RUN pip install --no-cache-dir .
VOLUME ["/data"]
ENTRYPOINT ["fagui"]
CMD ["stats"]
