"""Application factory: `flask --app app ...` is the entry point for the server and every CLI command."""

from __future__ import annotations

from flask import Flask

from processor import config, errors, extensions, security_headers


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
    return app


def _register_domains(app: Flask) -> None:
    """Register each domain's views and CLI; contracts may import processor, never the reverse."""
    from contracts import api as contracts_api
    from contracts import cli as contracts_cli
    from contracts import views as contracts_views
    from processor import api, keys, web
    from processor.accounts import cli as accounts_cli
    from processor.accounts import security_views as account_security_views
    from processor.accounts import views as accounts_views
    from processor.audit import api as audit_api
    from processor.audit import cli as audit_cli
    from processor.audit import views as audit_views
    from processor.clients import cli as clients_cli
    from processor.clients import views as clients_views
    from processor.csv_import import cli as import_cli
    from processor.csv_import import views as import_views
    from processor.keys import cli as keys_cli
    from processor.marketing import api as marketing_api
    from processor.marketing import views as marketing_views
    from processor.messaging import api as messaging_api
    from processor.messaging import views as messaging_views
    from processor.registries import cli as registries_cli
    from processor.registries import views as registries_views
    from processor.retention import cli as retention_cli
    from processor.service_api import auth as service_api_auth
    from processor.service_api import views as service_api_views
    from processor.support import cli as support_cli
    from processor.transfers import api as transfers_api
    from processor.transfers import cli as transfers_cli
    from processor.transfers import views as transfers_views

    app.register_blueprint(web.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(account_security_views.bp)
    app.register_blueprint(transfers_views.bp)
    app.cli.add_command(accounts_cli.accounts)
    app.cli.add_command(transfers_cli.transfers)
    app.cli.add_command(transfers_cli.subprocessors)
    app.register_blueprint(audit_views.bp)
    app.cli.add_command(audit_cli.audit)
    app.register_blueprint(clients_views.bp)
    app.cli.add_command(clients_cli.clients)
    app.register_blueprint(marketing_views.bp)
    app.register_blueprint(contracts_views.bp)
    app.cli.add_command(contracts_cli.contracts)
    extensions.api_for(app).register_blueprint(contracts_api.bp)
    app.register_blueprint(import_views.bp)
    app.register_blueprint(messaging_views.bp)
    app.cli.add_command(support_cli.support)
    extensions.api_for(app).register_blueprint(api.bp)
    extensions.api_for(app).register_blueprint(transfers_api.bp)
    service_api_auth.document_security(app)
    extensions.api_for(app).register_blueprint(audit_api.bp)
    extensions.api_for(app).register_blueprint(marketing_api.bp)
    app.register_blueprint(registries_views.bp)
    app.cli.add_command(registries_cli.registries)
    app.cli.add_command(registries_cli.participants)
    registries_cli.participants.add_command(import_cli.import_participants)
    app.cli.add_command(keys_cli.keys)
    accounts_cli.accounts.add_command(retention_cli.remove_account)
    accounts_cli.accounts.add_command(retention_cli.reactivate_account)
    app.cli.add_command(retention_cli.retention)
    keys.init_app(app)
    extensions.api_for(app).register_blueprint(service_api_views.bp)
    extensions.api_for(app).register_blueprint(messaging_api.bp)
