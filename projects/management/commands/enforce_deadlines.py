from django.core.management.base import BaseCommand

from projects.clock import enforce_deadlines


class Command(BaseCommand):
    help = "Run the statutory clock's sweep once (the same as the Celery beat task)."

    def handle(self, *args, **options):
        from reviews.clock import sweep  # projects does not import reviews at module level

        done = {**enforce_deadlines(), **sweep()}
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in done.items()))
