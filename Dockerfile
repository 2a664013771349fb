# Parley server image: daphne serving Django + Channels (HTTP and WebSockets).

# The widget and console bundles, built from the lockfile; only frontend/dist reaches the image.
FROM node:22-slim AS frontend
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./
RUN npm run build -- --check

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    STATIC_ROOT=/app/var/static

WORKDIR /app
# Dependencies from the lock (hashes checked) first, so code changes reuse this layer.
COPY requirements/prod.txt ./requirements/prod.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/prod.txt
COPY pyproject.toml README.md manage.py ./
COPY server ./server
COPY --from=frontend /frontend/dist ./frontend/dist
RUN pip install --no-cache-dir --no-deps -e . \
 && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v 0 \
 && useradd --system --home /app parley \
 && chown -R parley /app/var
USER parley

EXPOSE 8000
# SIGTERM makes each socket close with 4001 (going away), so clients move to another replica at once.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "server.serve", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", \
     "--websocket-max-message-size", "1048576", "--websocket_timeout", "-1", \
     "--ping-interval", "20", "--ping-timeout", "30", "--application-close-timeout", "10", \
     "server.asgi:application"]
