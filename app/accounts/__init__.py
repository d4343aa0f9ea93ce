"""Users, roles, sign-in, password reset and the one module of permission checks."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.accounts import models  # noqa: F401  (tables for migrations)
    from app.accounts.cli import users_cli
    from app.accounts.services import user_for_login_token
    from app.accounts.views import bp
    from app.extensions import login_manager

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.user_loader(user_for_login_token)
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
