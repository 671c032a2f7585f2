"""SDMX-ML 2.1 messages, written with lxml: structures, generic and structure-specific
data (streamed one series at a time), and error messages."""

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby

from lxml import etree

from app.sdmx import structure as s
from app.sdmx.keys import SeriesKey, time_period
from app.sdmx.series import KeyedObservation
from app.sdmx.values import attributes_of, obs_value

MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
GEN = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
SS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STRUCTURE_ID = f"{s.AGENCY}_{s.DATAFLOW}_{s.VERSION.replace('.', '_')}"
DSD_URN = f"urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={s.AGENCY}:{s.DSD}({s.VERSION})"
CONCEPT_SCHEME = "CS_BILATERAL"


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _sub(parent: etree._Element, namespace: str, tag: str, /, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, _q(namespace, tag), attrs)


def _name(parent: etree._Element, text: str) -> None:
    _sub(parent, COM, "Name").text = text
    parent[-1].set(XML_LANG, "en")


def _header(root: etree._Element, message_id: str, prepared: datetime) -> etree._Element:
    header = _sub(root, MES, "Header")
    _sub(header, MES, "ID").text = message_id
    _sub(header, MES, "Test").text = "false"
    _sub(header, MES, "Prepared").text = prepared.astimezone(UTC).isoformat(timespec="seconds")
    _sub(header, MES, "Sender", id=s.AGENCY)
    return header


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# -- structures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Codelist:
    id: str
    name: str
    codes: Iterable[tuple[str, str]]  # (id, name)
    parents: dict[str, str] | None = None  # code -> parent code (HS tree)


def _ref(parent: etree._Element, **attrs: str) -> None:
    etree.SubElement(parent, "Ref", attrs)


def _maintainable(
    parent: etree._Element, namespace: str, tag: str, id: str, kind: str
) -> etree._Element:
    urn = f"urn:sdmx:org.sdmx.infomodel.{kind}={s.AGENCY}:{id}({s.VERSION})"
    return _sub(
        parent,
        namespace,
        tag,
        id=id,
        urn=urn,
        agencyID=s.AGENCY,
        version=s.VERSION,
        isFinal="false",
    )


def _codelists(structures: etree._Element, codelists: list[Codelist]) -> None:
    wrapper = _sub(structures, STR, "Codelists")
    for codelist in codelists:
        element = _maintainable(wrapper, STR, "Codelist", codelist.id, "codelist.Codelist")
        _name(element, codelist.name)
        for code, name in codelist.codes:
            item = _sub(element, STR, "Code", id=code)
            _name(item, name)
            parent = (codelist.parents or {}).get(code)
            if parent is not None:
                _ref(_sub(item, STR, "Parent"), id=parent)


def _concept_ref(parent: etree._Element, concept: str) -> None:
    identity = _sub(parent, STR, "ConceptIdentity")
    _ref(
        identity,
        id=concept,
        maintainableParentID=CONCEPT_SCHEME,
        maintainableParentVersion=s.VERSION,
        agencyID=s.AGENCY,
        **{"class": "Concept", "package": "conceptscheme"},
    )


def _enumeration(parent: etree._Element, codelist: str) -> None:
    representation = _sub(parent, STR, "LocalRepresentation")
    _ref(
        _sub(representation, STR, "Enumeration"),
        id=codelist,
        version=s.VERSION,
        agencyID=s.AGENCY,
        **{"class": "Codelist", "package": "codelist"},
    )


def _concepts(structures: etree._Element) -> None:
    wrapper = _sub(structures, STR, "Concepts")
    scheme = _maintainable(
        wrapper, STR, "ConceptScheme", CONCEPT_SCHEME, "conceptscheme.ConceptScheme"
    )
    _name(scheme, "Concepts of bilateral trade statistics")
    for concept, name in s.CONCEPT_NAMES.items():
        _name(_sub(scheme, STR, "Concept", id=concept), name)


def _data_structure(structures: etree._Element) -> None:
    wrapper = _sub(structures, STR, "DataStructures")
    dsd = _maintainable(wrapper, STR, "DataStructure", s.DSD, "datastructure.DataStructure")
    _name(dsd, "Bilateral trade in goods, every figure with its provenance")
    components = _sub(dsd, STR, "DataStructureComponents")
    dimensions = _sub(components, STR, "DimensionList", id="DimensionDescriptor")
    for position, dimension in enumerate(s.DIMENSIONS, start=1):
        element = _sub(dimensions, STR, "Dimension", id=dimension, position=str(position))
        _concept_ref(element, dimension)
        _enumeration(element, s.DIMENSION_CODELISTS[dimension])
    time = _sub(
        dimensions, STR, "TimeDimension", id=s.TIME_DIMENSION, position=str(len(s.DIMENSIONS) + 1)
    )
    _concept_ref(time, s.TIME_DIMENSION)
    _sub(
        _sub(time, STR, "LocalRepresentation"),
        STR,
        "TextFormat",
        textType="ObservationalTimePeriod",
    )
    attributes = _sub(components, STR, "AttributeList", id="AttributeDescriptor")
    for attribute in s.ATTRIBUTES:
        element = _sub(
            attributes, STR, "Attribute", id=attribute.id, assignmentStatus="Conditional"
        )
        _concept_ref(element, attribute.id)
        if attribute.codelist is not None:
            _enumeration(element, attribute.codelist)
        relationship = _sub(element, STR, "AttributeRelationship")
        _ref(_sub(relationship, STR, "PrimaryMeasure"), id=s.PRIMARY_MEASURE)
    measures = _sub(components, STR, "MeasureList", id="MeasureDescriptor")
    _concept_ref(_sub(measures, STR, "PrimaryMeasure", id=s.PRIMARY_MEASURE), s.PRIMARY_MEASURE)


def _dataflow(structures: etree._Element) -> None:
    wrapper = _sub(structures, STR, "Dataflows")
    flow = _maintainable(wrapper, STR, "Dataflow", s.DATAFLOW, "datastructure.Dataflow")
    _name(flow, "Bilateral trade in goods (tradestats)")
    _ref(
        _sub(flow, STR, "Structure"),
        id=s.DSD,
        version=s.VERSION,
        agencyID=s.AGENCY,
        **{"class": "DataStructure", "package": "datastructure"},
    )


def structure_message(
    *,
    dataflow: bool,
    data_structure: bool,
    concepts: bool,
    codelists: list[Codelist],
    prepared: datetime,
) -> bytes:
    """A structure message holding what was asked for, in the order the schema sets."""
    root = etree.Element(_q(MES, "Structure"), nsmap={"mes": MES, "str": STR, "com": COM})
    _header(root, "STRUCTURE", prepared)
    structures = _sub(root, MES, "Structures")
    if dataflow:
        _dataflow(structures)
    if codelists:
        _codelists(structures, codelists)
    if concepts:
        _concepts(structures)
    if data_structure:
        _data_structure(structures)
    return _bytes(root)


# -- data ------------------------------------------------------------------------------


def _series(
    observations: list[KeyedObservation],
) -> Iterator[tuple[SeriesKey, list[KeyedObservation]]]:
    for key, group in groupby(observations, key=lambda observation: observation.key):
        yield key, list(group)


def _data_header(
    root: etree._Element, prepared: datetime, dimension_at_observation: str, namespace: str | None
) -> None:
    header = _header(root, "DATA", prepared)
    attrs = {"structureID": STRUCTURE_ID, "dimensionAtObservation": dimension_at_observation}
    if namespace is not None:
        attrs["namespace"] = namespace
    used = _sub(header, MES, "Structure", **attrs)
    _ref(_sub(used, COM, "Structure"), agencyID=s.AGENCY, id=s.DSD, version=s.VERSION)


class _Chunks:
    """A file object whose writes a generator hands on as they come."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def write(self, data: bytes) -> None:
        self.buffer.write(data)

    def take(self) -> bytes:
        data = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


def _generic_series(
    key: SeriesKey, observations: list[KeyedObservation], detail: str
) -> etree._Element:
    series = etree.Element(_q(GEN, "Series"), nsmap={"gen": GEN})
    series_key = _sub(series, GEN, "SeriesKey")
    for dimension, value in zip(s.DIMENSIONS, key.values(), strict=True):
        _sub(series_key, GEN, "Value", id=dimension, value=value)
    if detail in ("serieskeysonly", "nodata"):
        return series
    for observation in observations:
        obs = _sub(series, GEN, "Obs")
        _sub(obs, GEN, "ObsDimension", value=time_period(observation.fact.period))
        _generic_value(obs, observation, detail)
    return series


def _generic_value(obs: etree._Element, observation: KeyedObservation, detail: str) -> None:
    """An observation's value and, unless the query asked for data only, attributes."""
    _sub(obs, GEN, "ObsValue", value=obs_value(observation.fact))
    if detail != "dataonly":
        attributes = _sub(obs, GEN, "Attributes")
        for name, value in attributes_of(observation):
            _sub(attributes, GEN, "Value", id=name, value=value)


def _generic_flat(observation: KeyedObservation, detail: str) -> etree._Element:
    obs = etree.Element(_q(GEN, "Obs"), nsmap={"gen": GEN})
    obs_key = _sub(obs, GEN, "ObsKey")
    values = (*observation.key.values(), time_period(observation.fact.period))
    for dimension, value in zip((*s.DIMENSIONS, s.TIME_DIMENSION), values, strict=True):
        _sub(obs_key, GEN, "Value", id=dimension, value=value)
    _generic_value(obs, observation, detail)
    return obs


def generic_data(
    observations: list[KeyedObservation], *, prepared: datetime, detail: str, flat: bool
) -> Iterator[bytes]:
    """SDMX-ML 2.1 generic data, one series (or observation) per chunk."""
    chunks = _Chunks()
    dimension = "AllDimensions" if flat else s.TIME_DIMENSION
    with etree.xmlfile(chunks, encoding="UTF-8") as document:
        document.write_declaration()
        with document.element(_q(MES, "GenericData"), nsmap={"mes": MES, "gen": GEN, "com": COM}):
            root = etree.Element("scratch", nsmap={"mes": MES, "com": COM})
            _data_header(root, prepared, dimension, None)
            document.write(root[0])
            with document.element(_q(MES, "DataSet"), structureRef=STRUCTURE_ID):
                if flat:
                    for observation in observations:
                        document.write(_generic_flat(observation, detail))
                        yield chunks.take()
                else:
                    for key, group in _series(observations):
                        document.write(_generic_series(key, group, detail))
                        yield chunks.take()
    yield chunks.take()


def _ss_namespace(flat: bool) -> str:
    level = "AllDimensions" if flat else f"ObsLevelDim:{s.TIME_DIMENSION}"
    return f"{DSD_URN}:{level}"


def structure_specific_data(
    observations: list[KeyedObservation], *, prepared: datetime, detail: str, flat: bool
) -> Iterator[bytes]:
    """SDMX-ML 2.1 structure-specific data, one series (or observation) per chunk."""
    chunks = _Chunks()
    namespace = _ss_namespace(flat)
    nsmap = {"mes": MES, "ss": SS, "com": COM, "xsi": XSI, "ns1": namespace}
    with etree.xmlfile(chunks, encoding="UTF-8") as document:
        document.write_declaration()
        with document.element(_q(MES, "StructureSpecificData"), nsmap=nsmap):
            root = etree.Element("scratch", nsmap={"mes": MES, "com": COM})
            _data_header(root, prepared, "AllDimensions" if flat else s.TIME_DIMENSION, namespace)
            document.write(root[0])
            dataset_attrs = {
                _q(SS, "structureRef"): STRUCTURE_ID,
                _q(XSI, "type"): "ns1:DataSetType",
                _q(SS, "dataScope"): "DataStructure",
            }
            with document.element(_q(MES, "DataSet"), dataset_attrs):
                if flat:
                    for observation in observations:
                        attrs = dict(zip(s.DIMENSIONS, observation.key.values(), strict=True))
                        document.write(etree.Element("Obs", _ss_obs(observation, detail, attrs)))
                        yield chunks.take()
                else:
                    for key, group in _series(observations):
                        series = etree.Element(
                            "Series", dict(zip(s.DIMENSIONS, key.values(), strict=True))
                        )
                        if detail not in ("serieskeysonly", "nodata"):
                            for observation in group:
                                series.append(
                                    etree.Element("Obs", _ss_obs(observation, detail, {}))
                                )
                        document.write(series)
                        yield chunks.take()
    yield chunks.take()


def _ss_obs(observation: KeyedObservation, detail: str, attrs: dict[str, str]) -> dict[str, str]:
    attrs = {**attrs, s.TIME_DIMENSION: time_period(observation.fact.period)}
    attrs[s.PRIMARY_MEASURE] = obs_value(observation.fact)
    if detail != "dataonly":
        attrs.update(attributes_of(observation))
    return attrs


# -- errors ----------------------------------------------------------------------------


# What XML 1.0 cannot hold; a client's input echoed in an error may contain it.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def error_message(code: int, text: str) -> bytes:
    """An SDMX-ML 2.1 error message (SDMX-REST's codes: 100 no results, 140 syntax
    error, 150 semantic error, 406 not acceptable, 501 not implemented)."""
    root = etree.Element(_q(MES, "Error"), nsmap={"mes": MES, "com": COM})
    error = _sub(root, MES, "ErrorMessage", code=str(code))
    _sub(error, COM, "Text").text = _NOT_XML.sub("?", text)
    return _bytes(root)
