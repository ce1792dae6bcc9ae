# Federa: one image for the web processes, the worker and the migration (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FEDERA_ENV=production \
    FEDERA_VAR_DIR=/app/var

RUN useradd --create-home --uid 10001 --user-group federa
WORKDIR /app

# The dependencies first, in their own layer: a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .
# In place (-e): settings.ROOT finds templates/ and static/ beside the code, as in a checkout.
# The dependencies are already there, hence --no-deps.
RUN pip install --no-deps -e . \
    && mkdir -p var \
    && chown federa:federa var

USER federa
EXPOSE 8000
CMD ["federa", "serve", "--host", "0.0.0.0"]
