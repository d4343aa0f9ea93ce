"""Unbound extensions, bound to an application in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.models import Base


class HelpCenterSQLAlchemy(SQLAlchemy):
    def paginate(self, select, *, page=None, per_page=None, **options):
        """Flask-SQLAlchemy's ``paginate``, except that a page past the end of a non-empty list
        gives the last page: a stale or edited ``?page=`` then shows the list's end, not an
        empty state that says there is nothing at all."""
        result = super().paginate(select, page=page, per_page=per_page, **options)
        if not result.items and result.page > 1 and result.total and result.pages:
            result = super().paginate(select, page=result.pages, per_page=per_page, **options)
        return result


db = HelpCenterSQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
#: No default limits: each route that needs one names it, so nothing is limited by accident.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
