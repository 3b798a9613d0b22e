"""Write every published project in the import format, so an export imports again unchanged."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from projects.models import Organisation
from registry.importer import SEPARATOR, export_rows, to_csv


class Command(BaseCommand):
    help = "Export every project with a reference as CSV (the columns of import_projects)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")

    def handle(self, *args, **options):
        text = to_csv(rows := export_rows())
        # A name with the separator in it reads back as several names.
        split = (
            Organisation.objects.filter(name__contains=SEPARATOR)
            .filter(Q(projects__reference__isnull=False) | Q(aie_projects__reference__isnull=False))
            .distinct()
            .values_list("name", flat=True)
        )
        for name in split:
            self.stderr.write(f"warning: {name!r} contains '{SEPARATOR}' and will not import back")
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as f:
                f.write(text)
            self.stdout.write(f"Exported {len(rows)} project(s) to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
