from django.core.management.base import BaseCommand

from imports.cleanup import remove_stale_uploads


class Command(BaseCommand):
    help = "Delete uploads previewed but not confirmed for a day (MEDIA_ROOT/imports)."

    def handle(self, *args, **options):
        removed = remove_stale_uploads()
        self.stdout.write(f"Removed {len(removed)} unconfirmed upload(s).")
