from django.core.management.base import BaseCommand

from projects.clock import enforce_deadlines


class Command(BaseCommand):
    help = "Run the statutory clock's sweep once (the same as the Celery beat task)."

    def handle(self, *args, **options):
        # projects does not import determinations or reviews at module level
        from determinations.verification import sweep as sweep_verifications
        from reviews.clock import sweep

        done = {**enforce_deadlines(), **sweep_verifications(), **sweep()}
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in done.items()))
