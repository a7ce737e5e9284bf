import pytest
from django.core.exceptions import PermissionDenied

from fdx.core.actors import system
from fdx.substances import actions
from fdx.substances.models import Substance
from fdx.substances.selectors import substances_queryset
from fdx.substances.transfer import export_rows, read_substance_file, to_csv, to_json

pytestmark = pytest.mark.django_db

GOOD = (
    "name_en,name_ru,synonyms,smiles,cas,classes,note\n"
    "3-Chloro-N-ethylhexedrone,3-хлор-N-этилгекседрон,3-Cl-NEH,CCCCC(NCC)C(=O)c1cccc(Cl)c1,,,\n"
    "Methamphetamine,метамфетамин,метамфетамин кристаллический,CNC(C)Cc1ccccc1,,,\n"
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_import_creates_and_merges(tmp_path):
    parsed = read_substance_file(write(tmp_path, "new.csv", GOOD))

    counts = actions.import_substances(system("cli:test"), parsed)

    assert counts == {"created": 1, "merged": 1, "received": 0, "skipped": 0}
    assert Substance.objects.get(name_en="3-Chloro-N-ethylhexedrone").source == "import"
    assert "метамфетамин кристаллический" in Substance.objects.get(key="methamphetamine").names.values_list(
        "name", flat=True
    )


def test_a_file_with_one_bad_record_imports_nothing(tmp_path):
    text = GOOD + "Broken,,,C1CC(,,,\nBad CAS,,,CCO,64-17-6,,\nNo class,,,CCN,,fairy,\n"
    parsed = read_substance_file(write(tmp_path, "bad.csv", text))
    count = Substance.objects.count()

    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_substances(system("cli:test"), parsed)

    assert [str(p) for p in refused.value.problems] == [
        "bad.csv, line 4, field 'smiles': 'C1CC(' is not valid SMILES",
        "bad.csv, line 5, field 'cas': 64-17-6 is not a valid CAS number",
        "bad.csv, line 6, field 'classes': unknown class 'fairy'",
    ]
    assert Substance.objects.count() == count


def test_skip_bad_imports_the_good_records_and_reports_the_rest(tmp_path):
    parsed = read_substance_file(write(tmp_path, "mixed.csv", GOOD + "Broken,,,C1CC(,,,\n"))

    counts = actions.import_substances(system("cli:test"), parsed, skip_bad=True)

    assert counts == {"created": 1, "merged": 1, "received": 0, "skipped": 1}


def test_sdf_import_names_the_bad_record(tmp_path):
    from rdkit import Chem

    good = Chem.MolFromSmiles("CCCCC(NCC)C(=O)c1ccccc1")
    good.SetProp("_Name", "N-Ethylhexedrone")
    good.SetProp("NAME_RU", "N-этилгекседрон")
    block = Chem.MolToMolBlock(good) + ">  <NAME_RU>\nN-этилгекседрон\n\n$$$$\n"
    broken = (
        "broken\n  RDKit\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\n    0.0 0.0 0.0 Xx  0  0\nM  END\n$$$$\n"
    )
    parsed = read_substance_file(write(tmp_path, "two.sdf", block + broken))

    assert [r.name_en for r in parsed.records] == ["N-Ethylhexedrone"]
    assert parsed.records[0].name_ru == "N-этилгекседрон"
    assert len(parsed.problems) == 1 and "record 2" in str(parsed.problems[0])


def test_missing_column_and_unknown_type(tmp_path):
    parsed = read_substance_file(write(tmp_path, "cols.csv", "name,structure\nX,CCO\n"))
    assert "column is missing" in str(parsed.problems[0])
    with pytest.raises(ValueError, match="unknown file type"):
        read_substance_file(write(tmp_path, "x.txt", "hello"))


def test_import_is_for_node_admins(tmp_path, persona):
    parsed = read_substance_file(write(tmp_path, "new.csv", GOOD))

    with pytest.raises(PermissionDenied):
        actions.import_substances(persona("kz_lab_head"), parsed)


def test_export_round_trips(tmp_path):
    rows = export_rows(substances_queryset().filter(key__in=["mephedrone", "heroin"]).order_by("name_en"))

    csv_text = to_csv(rows)
    assert csv_text.splitlines()[0] == "name_en,name_ru,synonyms,smiles,inchikey,cas,classes,note"
    assert "4-MMC" in csv_text and "cathinones" in csv_text
    assert '"name_ru": "героин (диацетилморфин)"' in to_json(rows)
    parsed = read_substance_file(write(tmp_path, "export.csv", csv_text))
    assert parsed.problems == [] and len(parsed.records) == 2
