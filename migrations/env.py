"""Alembic environment: runs against the application's own engine and metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    # Only when run as a command: inside tests the application's logging stays as it is.
    fileConfig(config.config_file_name, disable_existing_loggers=False)

db = current_app.extensions["migrate"].db


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=db.metadata,
        # SQLite can't ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=db.engine.url.render_as_string(hide_password=False), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a column by copying the table (batch mode), and dropping the old
            # copy of a table others point at fails while foreign keys are enforced. Off for the
            # migration (outside its transaction, where SQLite honours it), checked after it.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # ends the transaction SQLAlchemy began, so Alembic owns its own
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
