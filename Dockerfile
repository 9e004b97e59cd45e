# The fagui application image: the `fagui` command, gunicorn for the portal, the worker for sync and crawls.
# Everything is installed at build time; nothing is downloaded when a container starts.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FAGUI_DATA_DIR=/data FAGUI_HOST=0.0.0.0 FAGUI_PORT=8000
WORKDIR /app
COPY pyproject.toml README.md wsgi.py ./
COPY fagui fagui
COPY indexer indexer
COPY crawlers crawlers
COPY clearance clearance
COPY portal portal
COPY es_mappings es_mappings
RUN pip install --no-cache-dir . \
    && useradd --system --home /data fagui && mkdir -p /data && chown fagui /data
USER fagui
VOLUME ["/data"]
EXPOSE 8000
# The portal answers /readyz with 200 only when the database and the search engine both answer.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1
ENTRYPOINT ["fagui"]
CMD ["serve"]
