from decimal import Decimal

import factory

from reports.models import EmissionFactor
from suppliers.models import Line, ReportingPeriod, Site, Submission, Supplier, User
from suppliers.uscc import uscc_check_character


def valid_uscc(n: int) -> str:
    first17 = f"91320500MA{n:07d}"
    return first17 + uscc_check_character(first17)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CN-{n:04d}")
    name_en = factory.Sequence(lambda n: f"Supplier {n} Co., Ltd.")
    name_zh = factory.Sequence(lambda n: f"供应商{n}有限公司")
    uscc = factory.Sequence(valid_uscc)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    supplier = factory.SubFactory(SupplierFactory)
    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"Plant {n}")
    province = "320000"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod
        django_get_or_create = ("year", "kind", "number")

    year = 2024
    kind = "year"
    number = 0


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    supplier = factory.SubFactory(SupplierFactory)
    period = factory.SubFactory(ReportingPeriodFactory)
    status = Submission.Status.APPROVED


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Line

    submission = factory.SubFactory(SubmissionFactory)
    site = factory.LazyAttribute(lambda o: SiteFactory(supplier=o.submission.supplier))
    entered_unit = "MWh"
    total_electricity_mwh = Decimal("1000")
    bmw_share_percent = Decimal("50")


class EmissionFactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmissionFactor
        django_get_or_create = ("region", "year")

    region = "NATIONAL"
    year = 2022
    tco2_per_mwh = Decimal("0.5366")
    source = "test value"
