from django.core.management.base import BaseCommand

from registry.clock import enforce_deadlines


class Command(BaseCommand):
    help = "Run every sweep of the statutory clock once (what the Celery beat tasks do)."

    def handle(self, *args, **options):
        done = enforce_deadlines()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in done.items()))
