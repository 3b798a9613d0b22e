"""The AAU ledger per commitment period, and holdings as statements (issue 12; [our reading]
ji-rules §7 "Commitment periods", 13/CMP.1 annex para 29).

Every existing ledger row belongs to the first commitment period (2008–2012). Existing holding
rows were additions; each becomes the statement of the holding it left the balance at (the
running balance of its Party after it), so every balance is unchanged.
"""

from django.db import migrations, models

PERIODS = [
    (1, "First commitment period (2008–2012)"),
    (2, "Second commitment period (2013–2020, Doha Amendment)"),
]


def state_existing_holdings(apps, schema_editor):
    entry_model = apps.get_model("determinations", "AauLedgerEntry")
    balances: dict[tuple[int, int], int] = {}
    changed = []
    for entry in entry_model.objects.order_by("recorded_at", "pk").iterator():
        key = (entry.party_id, entry.commitment_period)
        balances[key] = balances.get(key, 0) + entry.quantity
        if entry.kind == "holding":
            entry.stated = balances[key]
            changed.append(entry)
    entry_model.objects.bulk_update(changed, ["stated"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("determinations", "0004_verification_supporting"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="aauledgerentry", name="aau_entry_sign"),
        migrations.AddField(
            model_name="aauledgerentry",
            name="commitment_period",
            field=models.PositiveSmallIntegerField(choices=PERIODS, default=1),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="aauledgerentry",
            name="stated",
            field=models.BigIntegerField(
                blank=True, help_text="Holdings: the AAUs the registry holds, as stated.", null=True
            ),
        ),
        migrations.RunPython(state_existing_holdings, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="aauledgerentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("holding", "Holding stated by the focal point"),
                    ("conversion", "AAUs converted to ERUs"),
                ],
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="aauledgerentry",
            name="quantity",
            field=models.BigIntegerField(
                help_text="Change to the balance: a statement's difference, a conversion's AAUs (−)."
            ),
        ),
        migrations.AlterField(
            model_name="erublock",
            name="commitment_period",
            field=models.PositiveSmallIntegerField(choices=PERIODS, default=1),
        ),
        migrations.AddIndex(
            model_name="aauledgerentry",
            index=models.Index(
                fields=["party", "commitment_period"], name="determinati_party_i_755f31_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="aauledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "holding"), ("stated__isnull", False), ("stated__gte", 0)),
                    models.Q(("kind", "conversion"), ("quantity__lt", 0), ("stated__isnull", True)),
                    _connector="OR",
                ),
                name="aau_entry_kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="aauledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("commitment_period__in", [1, 2])),
                name="aau_entry_commitment_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="erublock",
            constraint=models.CheckConstraint(
                condition=models.Q(("commitment_period__in", [1, 2])),
                name="eru_block_commitment_period",
            ),
        ),
    ]
