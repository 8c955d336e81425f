"""Application factory: `flask --app app ...` is the entry point for the server and every CLI command."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import contracts
from processor import (
    accounts,
    api,
    audit,
    clients,
    config,
    csv_import,
    errors,
    extensions,
    jobs,
    keys,
    marketing,
    messaging,
    registries,
    retention,
    security_headers,
    service_api,
    subject_requests,
    support,
    transfers,
    web,
)

# registries before csv_import and accounts before retention: each adds a command to the other's group.
DOMAINS = (
    web,
    api,
    jobs,
    keys,
    accounts,
    transfers,
    audit,
    clients,
    marketing,
    registries,
    csv_import,
    messaging,
    support,
    retention,
    subject_requests,
    service_api,
    contracts,
)


def create_app(test_config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    """Create the app: defaults, then instance/config.py, then the environment, then test config."""
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="templates",
        static_folder="static",
    )
    config.load(app, test_config)
    extensions.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)
    _register_domains(app)
    config.check_secrets(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    return app


def _register_domains(app: Flask) -> None:
    """Register each domain's views, API and CLI in order; contracts last: it may import processor, never back."""
    for domain in DOMAINS:
        domain.init_app(app)
