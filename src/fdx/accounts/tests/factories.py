import factory
from django.contrib.auth.models import Group

from fdx.accounts.choices import OrganisationType
from fdx.accounts.models import Organisation, User
from fdx.geo.models import Country
from fdx.testing.personas import PERSONA_PASSWORD


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"test-org-{n}")
    name_en = factory.Sequence(lambda n: f"Test laboratory {n}")
    name_ru = factory.Sequence(lambda n: f"Тестовая лаборатория {n}")
    country = factory.LazyFunction(lambda: Country.objects.get(code="KZ"))
    org_type = OrganisationType.FORENSIC_LABORATORY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.fdx.invalid")
    password = factory.PostGenerationMethodCall("set_password", PERSONA_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()
