import pytest
from typer.testing import CliRunner

from fdx.cli import app

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spectral_index_folder")]
runner = CliRunner()


def test_setup_is_idempotent_and_prints_passwords_only_the_first_time():
    first = runner.invoke(app, ["setup", "--demo"])
    second = runner.invoke(app, ["setup", "--demo"])

    assert first.exit_code == 0, first.output
    assert "shown only this once" in first.output
    assert second.exit_code == 0
    assert "shown only this once" not in second.output
    assert "Ready" in second.output
    # the starter EI library, once, every spectrum with its record's open licence
    from fdx.demo.spectra import STARTER_NAME
    from fdx.spectra.models import SpectralLibrary, Spectrum

    library = SpectralLibrary.objects.get(name=STARTER_NAME)
    spectra = Spectrum.objects.filter(library=library)
    assert spectra.count() > 100
    assert {s.licence for s in spectra} <= {"CC BY", "CC BY-SA", "CC0"}


def test_help_lists_the_operator_commands():
    result = runner.invoke(app, ["--help"])

    for command in ("setup", "serve", "worker", "users", "orgs", "audit", "geo", "demo"):
        assert command in result.output


def test_a_served_worker_freezes_what_it_loaded():
    """``fdx serve``'s workers put the objects they load at start out of the collector's sight (a full
    collection rescanning them paused requests)."""
    import gc

    from fdx.cli.server import FdxServer

    gc.unfreeze()
    try:
        application = FdxServer({"bind": "127.0.0.1:0", "workers": 1}).load()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    assert callable(application)
