"""``manage.py import_college <entity> <file> [--dry-run] [--user NAME] [--language kk|ru|en]``.

The import for scripts, synchronously, with the pages' words: its messages are the same translated
sentences the preview shows, with columns named by their headers in ``--language`` (the college's
default language unless given). Without ``--user`` it runs as the server's operator (whoever can
run manage.py can do anything); with ``--user`` that user must hold the import right — the access
policy's ``can_import_college_data`` — and the audit log names them.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from access.models import User
from access.policy import access_for
from imports.entities import ENTITIES
from imports.tables import import_file


class Command(BaseCommand):
    help = "Import college data from a CSV or XLSX file (all rows or none; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=sorted(ENTITIES))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and count, save nothing")
        parser.add_argument("--user", help="the user who imports (must hold the import right); audited")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the messages and column names",
        )

    def handle(self, *args, entity, file, dry_run, user, language, **options):
        with translation.override(language):
            self._import(entity, file, dry_run, user)

    def _import(self, kind, file, dry_run, username):
        if not file.exists():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        actor = None
        if username:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(_("No such user: %(user)s") % {"user": username})
            if not access_for(actor).can_import_college_data:
                raise CommandError(
                    _("%(user)s does not hold the right to import the college's data.") % {"user": username}
                )
        outcome = import_file(ENTITIES[kind], file, actor=actor, dry_run=dry_run)
        if not outcome.ok:
            for error in outcome.errors:
                shown = error.as_dict(kind)
                self.stderr.write(
                    _("Row %(row)s, column “%(column)s”: %(message)s")
                    % {
                        "row": shown["row"] or "—",
                        "column": shown["column"] or "—",
                        "message": shown["message"],
                    }
                )
            raise CommandError(_("%(n)s error(s); nothing was imported.") % {"n": len(outcome.errors)})
        counts = {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged}
        if dry_run:
            message = _("Would import: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        else:
            message = _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        self.stdout.write(message % counts)
        for change in outcome.memberships:
            self.stdout.write(
                _("Stream %(stream)s: %(joined)s joined, %(left)s left, %(kept)s stay (decide for them).")
                % {**change, "kept": len(change["kept"])}
            )
