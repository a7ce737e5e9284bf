import pytest

from fdx.legal.transfer import StructureFileError, read_structures


def test_smi_lines_with_labels_comments_and_blanks(tmp_path):
    path = tmp_path / "seized.smi"
    path.write_text(
        "# exhibit 1\nCNC(C)Cc1ccccc1 meth sample A\n\nCC(N)Cc1ccccc1\tamph\nC1CC(\n", encoding="utf-8"
    )

    items = read_structures(path)

    assert [(i.structure, i.label, i.line) for i in items] == [
        ("CNC(C)Cc1ccccc1", "meth sample A", 2),
        ("CC(N)Cc1ccccc1", "amph", 4),
        ("C1CC(", "", 5),
    ]


def test_csv_with_structures_and_names(tmp_path):
    path = tmp_path / "seized.csv"
    path.write_text("id,SMILES,name\nA1,CNC(C)Cc1ccccc1,\nA2,,heroin\n", encoding="utf-8")

    items = read_structures(path)

    assert [(i.label, i.structure, i.name) for i in items] == [
        ("A1", "CNC(C)Cc1ccccc1", ""),
        ("A2", "", "heroin"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.csv", "id,weight\n1,2\n", "x.csv, line 1, field 'header'"),
        ("x.csv", "smiles,name\n,\n", "x.csv, line 2, field 'smiles'"),
        ("x.sdf", "", "x.sdf, line 0, field 'file'"),
    ],
)
def test_bad_files_name_the_line_and_field(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(StructureFileError) as error:
        read_structures(path)

    assert str(error.value).startswith(message)


def test_a_csv_row_with_an_unquoted_comma_is_refused_by_line(tmp_path):
    path = tmp_path / "seized.csv"
    path.write_text("smiles,label\nCNC(C)Cc1ccccc1,seizure 1, bag A\n", encoding="utf-8")

    with pytest.raises(StructureFileError, match="line 2"):
        read_structures(path)
