"""The REDCap project XML: CDISC ODM 1.3.1 as REDCap exports and imports it.

Structure oracle: the project files REDCap itself exports (e.g. REDCapR's test projects,
OuhscBbmc/REDCapR ``inst/test-data/projects/repeating-instruments/project.xml``): ``ODM`` →
``Study`` → ``GlobalVariables`` (with ``redcap:RepeatingInstrumentsAndEvents``) and
``MetaDataVersion`` (``Protocol``, ``StudyEventDef``, ``FormDef``, ``ItemGroupDef``,
``ItemDef``, ``CodeList``); checkbox options as ``field___code`` items of type boolean; a
``{form}_complete`` status item per form.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from rvlms.interchange import redcap_fields, redcap_forms, redcap_project_xml
from rvlms.interchange.redcap.project_xml import EVENT, ODM_NS, REDCAP_NS

ODM = f"{{{ODM_NS}}}"
RC = f"{{{REDCAP_NS}}}"
WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def root() -> ET.Element:
    return ET.fromstring(redcap_project_xml(WHEN))


def _oids(metadata: ET.Element, tag: str) -> set[str]:
    found = [e.get("OID") for e in metadata.iter(f"{ODM}{tag}")]
    assert len(found) == len(set(found)), f"duplicate {tag} OID"
    return {oid for oid in found if oid}


def test_odm_header(root: ET.Element) -> None:
    assert root.tag == f"{ODM}ODM"
    assert root.get("ODMVersion") == "1.3.1"
    assert root.get("FileType") == "Snapshot"
    assert root.get("CreationDateTime") == "2026-01-02T03:04:05"
    (study,) = root.findall(f"{ODM}Study")
    assert [child.tag for child in study] == [f"{ODM}GlobalVariables", f"{ODM}MetaDataVersion"]
    glob = study.find(f"{ODM}GlobalVariables")
    assert glob is not None
    assert [c.tag for c in glob][:3] == [
        f"{ODM}StudyName",
        f"{ODM}StudyDescription",
        f"{ODM}ProtocolName",
    ]
    metadata = study.find(f"{ODM}MetaDataVersion")
    assert metadata is not None and metadata.get(f"{RC}RecordIdField") == "record_id"


def test_every_reference_resolves(root: ET.Element) -> None:
    metadata = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    assert metadata is not None
    events = _oids(metadata, "StudyEventDef")
    forms = _oids(metadata, "FormDef")
    groups = _oids(metadata, "ItemGroupDef")
    items = _oids(metadata, "ItemDef")
    code_lists = _oids(metadata, "CodeList")
    pairs = [
        ("StudyEventRef", "StudyEventOID", events),
        ("FormRef", "FormOID", forms),
        ("ItemGroupRef", "ItemGroupOID", groups),
        ("ItemRef", "ItemOID", items),
        ("CodeListRef", "CodeListOID", code_lists),
    ]
    for tag, attribute, targets in pairs:
        refs = [e.get(attribute) for e in metadata.iter(f"{ODM}{tag}")]
        assert refs, tag
        missing = {ref for ref in refs if ref not in targets}
        assert not missing, (tag, sorted(missing)[:5])
        unused = targets - set(refs)
        assert not unused, (tag, sorted(unused)[:5])


def test_forms_events_and_repeating_instruments(root: ET.Element) -> None:
    metadata = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    assert metadata is not None
    (event,) = metadata.findall(f"{ODM}StudyEventDef")
    assert event.get(f"{RC}UniqueEventName") == EVENT == "event_1_arm_1"
    expected = [form.name for form in redcap_forms()]
    assert [ref.get(f"{RC}FormName") for ref in event.findall(f"{ODM}FormRef")] == expected
    assert [f.get(f"{RC}FormName") for f in metadata.findall(f"{ODM}FormDef")] == expected
    repeating = root.findall(f".//{RC}RepeatingInstrument")
    assert {r.get(f"{RC}RepeatInstrument") for r in repeating} == {
        form.name for form in redcap_forms() if form.repeating
    }
    assert len(repeating) == 7
    assert {r.get(f"{RC}UniqueEventName") for r in repeating} == {EVENT}
    for form in metadata.findall(f"{ODM}FormDef"):
        refs = [r.get("ItemGroupOID") for r in form.findall(f"{ODM}ItemGroupRef")]
        assert refs[-1] == f"{form.get(f'{RC}FormName')}.{form.get(f'{RC}FormName')}_complete"


def test_items_match_the_data_dictionary(root: ET.Element) -> None:
    metadata = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    assert metadata is not None
    items = {e.get("OID"): e for e in metadata.iter(f"{ODM}ItemDef")}
    lists = {e.get("OID"): e for e in metadata.iter(f"{ODM}CodeList")}
    for field in redcap_fields():
        for column in field.columns:
            item = items[column]
            assert item.get(f"{RC}Variable") == field.name
            question = item.find(f"{ODM}Question/{ODM}TranslatedText")
            assert question is not None and question.text == field.label
            assert item.get(f"{RC}BranchingLogic", "") == field.branching
        if field.field_type == "checkbox":
            first = items[field.columns[0]]
            assert first.get("DataType") == "boolean"
            assert lists[f"{field.columns[0]}.choices"].get(f"{RC}CheckboxChoices") == field.choices
        elif field.field_type in ("radio", "dropdown"):
            coded = [c.get("CodedValue") for c in lists[f"{field.name}.choices"]]
            assert coded == [part.split(", ")[0] for part in field.choices.split(" | ")]
    age = items["dem_age"]
    assert (age.get("DataType"), age.get(f"{RC}TextValidationType")) == ("integer", "int")
    checks = {
        c.get("Comparator"): c.findtext(f"{ODM}CheckValue") for c in age.iter(f"{ODM}RangeCheck")
    }
    assert checks == {"GE": "0", "LE": "120"}
    assert items["op_date"].get("DataType") == "date"
    assert items["notes"].get(f"{RC}FieldType") == "textarea"
    assert items["img_vessel"].get(f"{RC}FieldType") == "select"
    assert items["id_name"].get(f"{RC}Identifier") == "y"
    assert len([i for i in items if str(i).endswith("_complete")]) == len(redcap_forms())


def test_the_file_is_deterministic_for_a_given_time() -> None:
    assert redcap_project_xml(WHEN) == redcap_project_xml(WHEN)
