"""``manage.py import_college <entity> <file> [--dry-run] [--user NAME]``: the import for scripts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from access.models import User
from imports.entities import ENTITIES
from imports.tables import import_file


class Command(BaseCommand):
    help = "Import college data from a CSV or XLSX file (all rows or none; idempotent by external ID)."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=sorted(ENTITIES))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and count, save nothing")
        parser.add_argument("--user", help="username recorded as the actor in the audit log")

    def handle(self, *args, entity, file, dry_run, user, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No such user: {user}")
        outcome = import_file(ENTITIES[entity], file, actor=actor, dry_run=dry_run)
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(f"row {error.row}, column {error.column or '-'}: {error.message}")
            raise CommandError(f"{len(outcome.errors)} error(s); nothing was imported.")
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{entity}: {outcome.created} {verb} created, {outcome.updated} {verb} updated, "
            f"{outcome.unchanged} unchanged."
        )
