# guardlint in a container: docker build -t guardlint . && docker run --rm -v "$PWD:/src" guardlint check .
# The wheel is built from this repository's files (the same ones tests/integration/test_ci_files.py builds).
FROM python:3.12-slim AS build
WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
COPY rules ./rules
COPY schemas ./schemas
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.12-slim
# Installed with the helm extra: Helm charts are rendered in-process (helm-python-sdk), no helm binary needed.
# kustomize overlays need kustomize or kubectl, which this image does not include: without them an overlay is
# reported as renderer-unavailable (see docs/rendering.md).
COPY --from=build /dist /dist
RUN python -m pip install --no-cache-dir "$(ls /dist/guardlint-*.whl)[helm]" && rm -rf /dist \
    && useradd --create-home --uid 10001 guardlint
USER guardlint
ENV GUARDLINT_CACHE_DIR=/tmp/guardlint-cache
WORKDIR /src
ENTRYPOINT ["guardlint"]
CMD ["check", "."]
