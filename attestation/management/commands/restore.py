from django.core.management.base import BaseCommand, CommandError

from attestation.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database and the private files with a backup archive's content."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="an archive written by `manage.py backup`")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive, database, yes, **options):
        if not yes:
            answer = input("This replaces ALL current data with the archive's. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            manifest = restore(archive, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {manifest['created_at']}"))
