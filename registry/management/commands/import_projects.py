"""Bring in projects from earlier records (a CSV file); all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from registry.importer import COLUMNS, TRACK_COLUMNS, ImportRejected, import_projects


class Command(BaseCommand):
    help = (
        "Import projects with their history from a UTF-8 CSV file with the columns "
        f"{', '.join(COLUMNS)}, and optionally {', '.join(TRACK_COLUMNS)} (an empty track is "
        "2). Any bad row rejects the whole file; re-importing changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")

    def handle(self, *args, **options):
        try:
            f = open(options["file"], "rb")
        except OSError as err:
            raise CommandError(f"Cannot read {options['file']}: {err.strerror}.") from None
        with f:
            try:
                # the file itself: the importer reads it a chunk of rows at a time
                result = import_projects(f)
            except ImportRejected as err:
                raise CommandError(err.detail) from None
        self.stdout.write(f"Imported {options['file']}: {result}.")
