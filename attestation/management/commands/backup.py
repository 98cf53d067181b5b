from django.core.management.base import BaseCommand, CommandError

from attestation.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent backup (database + private files) into one .tar archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="path of the archive to write, e.g. attestation-2026-12-01.tar")
        parser.add_argument("--database", default="default")

    def handle(self, *args, archive, database, **options):
        try:
            path = backup(archive, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
