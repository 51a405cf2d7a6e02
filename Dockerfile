# One image, either service: psvm-listener by default,
#   docker run -v /etc/psvm:/etc/psvm:ro -v psvm-state:/var/lib/psvm IMAGE
# or psvm-api (and psvm-manage, psvm-status) from the same package:
#   docker run ... -p 9797:9797 IMAGE psvm-api --config-file /etc/psvm/psvm.conf
# The lab switch simulator (nexus_sim/) and the benchmarks are not in it.
# In a container psvm.conf sets [api] bind_host and [listener]
# metrics_address to 0.0.0.0 (both are loopback by default).

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY psvm_listener ./psvm_listener
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[services]'

FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="psvm-listener" \
      org.opencontainers.image.description="Keeps switch trunk VLANs in step with an OpenStack nova-network cloud" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /wheels /wheels
# The wheels built above, exactly: psvm-listener and the services' dependencies.
RUN pip install --no-cache-dir --no-index /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 42470 --user-group --home-dir /var/lib/psvm --create-home \
       --shell /usr/sbin/nologin psvm \
    && chmod 0700 /var/lib/psvm \
    && mkdir -p /etc/psvm
USER 42470:42470
WORKDIR /var/lib/psvm
VOLUME ["/var/lib/psvm"]
# psvm-api, psvm-listener's Prometheus metrics
EXPOSE 9797 9464
STOPSIGNAL SIGTERM
CMD ["psvm-listener", "--config-file", "/etc/psvm/psvm.conf"]
