"""Tests for policykg.extract.resolve: regions, units, cited documents, the component.

All names here are invented examples from many regions (no sample-corpus strings).
"""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
import spacy

from policykg.extract import resolve
from policykg.extract.model import (
    CitationRecord,
    DocumentRecord,
    Evidence,
    ResponsibilityRecord,
    TargetRecord,
)
from policykg.extract.resolve import (
    canonical_key,
    infer_level,
    normalize_doc_number,
    normalize_title,
    region_of_text,
    resolve_region,
    resolve_unit,
)

needs_divisions = pytest.mark.skipif(
    resolve._division_zip() is None, reason="jionlp's division table is not installed"
)

# --------------------------------------------------------------------------- regions


def _clear_caches() -> None:
    for cached in (
        resolve._divisions,
        resolve._scan_names,
        resolve._city_initials,
        resolve.resolve_unit,
    ):
        cached.cache_clear()


@needs_divisions
@pytest.mark.parametrize(
    ("name", "full", "code", "level"),
    [
        ("洛阳", "洛阳市", "410300", "city"),
        ("洛阳市", "洛阳市", "410300", "city"),
        ("江苏", "江苏省", "320000", "province"),
        ("江苏省", "江苏省", "320000", "province"),
        ("上海", "上海市", "310000", "province"),
        ("甘孜州", "甘孜藏族自治州", "513300", "city"),
        ("延边朝鲜族自治州", "延边朝鲜族自治州", "222400", "city"),
        ("锡林郭勒盟", "锡林郭勒盟", "152500", "city"),
        ("阿克苏地区", "阿克苏地区", "652900", "city"),
        ("广西", "广西壮族自治区", "450000", "province"),
        ("吉林", "吉林省", "220000", "province"),  # shared short name: highest level
        ("吉林市", "吉林市", "220200", "city"),
        ("仙桃市", "仙桃市", "429004", "county"),
        ("襄樊市", "襄阳市", "420600", "city"),  # former name (renamed 2010)
    ],
)
def test_resolve_region_codes(name: str, full: str, code: str, level: str) -> None:
    region = resolve_region(name)
    assert region is not None
    assert (region.name, region.code, region.level) == (full, code, level)


@needs_divisions
def test_resolve_region_province_and_ambiguity() -> None:
    city = resolve_region("遵义")
    assert city is not None and city.province == "贵州省" and city.province_code == "520000"
    assert resolve_region("朝阳区") is None  # several districts carry this name
    beijing = resolve_region("北京")
    in_beijing = resolve_region("朝阳区", within=beijing)
    assert in_beijing is not None and in_beijing.code == "110105"
    assert resolve_region("不存在的地方") is None
    assert resolve_region("") is None


@needs_divisions
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("江苏省苏州市人民政府办公室", "苏州市"),
        ("广西壮族自治区人民政府关于加快数字政府建设的意见", "广西壮族自治区"),
        ("遵义市人民政府", "遵义市"),
        ("关于印发襄阳市优化营商环境行动方案的通知", "襄阳市"),
        ("湖南长沙人才新政", "长沙市"),  # short names chain from the start
        ("关于推进长治久安的意见", None),  # short names inside running text are words
        ("国务院关于加强数字政府建设的指导意见", None),
    ],
)
def test_region_of_text(text: str, expected: str | None) -> None:
    region = region_of_text(text)
    assert (region.name if region else None) == expected


def test_region_fallback_without_division_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without jionlp installed, provinces (from our own table) still resolve."""
    monkeypatch.setattr(resolve, "_division_zip", lambda: None)
    _clear_caches()
    try:
        province = resolve_region("湖南")
        assert province is not None and province.code == "430000"
        assert resolve_region("长沙市") is None
        assert resolve_unit("省科技厅", "湖南省").canonical == "湖南省科学技术厅"
    finally:
        _clear_caches()


@needs_divisions
def test_region_lookup_makes_no_network_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access during resolution")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    _clear_caches()
    assert resolve_region("赣州") is not None
    assert resolve_unit("市科技局", "赣州市").region == "赣州市"


# --------------------------------------------------------------------------- units


@needs_divisions
@pytest.mark.parametrize(
    ("forms", "canonical"),
    [
        (
            ["市发改委", "市发展改革委", "市发展和改革委员会", "洛阳市发展和改革委员会"],
            "洛阳市发展和改革委员会",
        ),
        (
            ["市经信委", "市工信局", "市工业和信息化委员会", "市工业和信息化局"],
            "洛阳市工业和信息化局",
        ),
        (["市科技局", "市科学技术局", "科技局"], "洛阳市科学技术局"),
        (["市市场监管局", "市场监管局", "市市场监督管理局"], "洛阳市市场监督管理局"),
        (
            ["市人社局", "市人力资源社会保障局", "市人力资源和社会保障局"],
            "洛阳市人力资源和社会保障局",
        ),
        (["市卫健委", "市卫生健康委员会", "市卫计委"], "洛阳市卫生健康委员会"),
        (["市住建局", "市住房和城乡建设局", "市住房城乡建设局"], "洛阳市住房和城乡建设局"),
        (["市农委", "市农业农村局", "市农业局"], "洛阳市农业农村局"),
        (["市金融办", "市地方金融监管局", "市金融工作办公室"], "洛阳市地方金融监督管理局"),
        (["市委宣传部", "中共洛阳市委宣传部"], "中共洛阳市委宣传部"),
        (["团市委", "共青团洛阳市委"], "共青团洛阳市委员会"),
        (["市法院", "市中院", "洛阳市中级人民法院"], "洛阳市中级人民法院"),
        (["市政府", "洛阳市人民政府"], "洛阳市人民政府"),
        (["市政府办", "市政府办公室"], "洛阳市人民政府办公室"),
    ],
)
def test_abbreviations_and_full_names_unify(forms: list[str], canonical: str) -> None:
    units = [resolve_unit(f, "洛阳市", "city") for f in forms]
    assert {u.canonical for u in units} == {canonical}
    assert len({u.key for u in units}) == 1
    assert all(u.region == "洛阳市" and u.region_code == "410300" for u in units)
    assert [u.labels[0] for u in units] == forms  # surface forms kept as labels


@needs_divisions
def test_region_label_names_shared_counties_with_their_city() -> None:
    nanjing = resolve_region("鼓楼区", within=resolve_region("南京市"))
    fuzhou = resolve_region("鼓楼区", within=resolve_region("福州市"))
    assert nanjing is not None and fuzhou is not None and nanjing.code != fuzhou.code
    assert (resolve.region_label(nanjing), resolve.region_label(fuzhou)) == (
        "南京市鼓楼区",
        "福州市鼓楼区",
    )
    unique = resolve_region("长兴县")
    assert unique is not None and resolve.region_label(unique) == "长兴县"
    assert resolve.region_by_code("320106") == nanjing
    # a city without counties lists itself once more in the table: the city wins
    dongguan = resolve.region_by_code("441900")
    assert dongguan is not None and (dongguan.name, dongguan.level) == ("东莞市", "city")


@needs_divisions
def test_units_of_same_named_counties_stay_apart() -> None:
    nanjing = resolve_region("鼓楼区", within=resolve_region("南京市"))
    fuzhou = resolve_region("鼓楼区", within=resolve_region("福州市"))
    a, b = resolve_unit("区发改局", nanjing), resolve_unit("区发改局", fuzhou)
    assert (a.canonical, a.region_code) == ("南京市鼓楼区发展和改革局", "320106")
    assert (b.canonical, b.region_code) == ("福州市鼓楼区发展和改革局", "350102")
    assert a.key != b.key
    # a county named in full inside its city's document, and the county's government
    assert resolve_unit("鼓楼区民政局", resolve_region("福州市")).region_code == "350102"
    gov = resolve_unit("南京市鼓楼区人民政府", nanjing)
    assert (gov.canonical, gov.region_code) == ("南京市鼓楼区人民政府", "320106")


@needs_divisions
def test_relative_names_resolve_to_the_document_region() -> None:
    assert resolve_unit("市科技局", "赣州市").canonical == "赣州市科学技术局"
    assert resolve_unit("市科技局", "遵义市").key != resolve_unit("市科技局", "赣州市").key
    # 省… in a city document: the city's province
    prov = resolve_unit("省知识产权局", "赣州市")
    assert (prov.canonical, prov.region, prov.region_code) == (
        "江西省知识产权局",
        "江西省",
        "360000",
    )
    # 县… in a county document, 市… in a county document = the parent city
    county = resolve_unit("县人社局", "长兴县")
    assert county.canonical == "长兴县人力资源和社会保障局" and county.level == "county"
    assert resolve_unit("市财政局", "长兴县").region == "湖州市"
    # a county-level city calls itself 市
    assert resolve_unit("市财政局", "义乌市").region == "义乌市"


@needs_divisions
def test_provincial_bodies_in_a_province_document() -> None:
    forms = ["科技厅", "省科技厅", "湖南省科学技术厅", "湖南省科技厅"]
    units = [resolve_unit(f, "湖南省", "province") for f in forms]
    assert {u.canonical for u in units} == {"湖南省科学技术厅"}
    assert {u.region_code for u in units} == {"430000"}
    assert resolve_unit("教育厅", "湖南省").canonical == "湖南省教育厅"
    assert resolve_unit("人社厅", "湖南省").canonical == "湖南省人力资源和社会保障厅"
    assert resolve_unit("省发展改革委", "湖南省").canonical == "湖南省发展和改革委员会"
    assert resolve_unit("省经信委", "湖南省").canonical == "湖南省工业和信息化厅"
    org = resolve_unit("省委组织部", "湖南省")
    assert (org.canonical, org.kind) == ("中共湖南省委组织部", "party")
    assert resolve_unit("省委编办", "湖南省").body == "establishment_office"
    court = resolve_unit("省高院", "湖南省")
    assert (court.canonical, court.kind) == ("湖南省高级人民法院", "court")
    assert resolve_unit("省检察院", "湖南省").kind == "procuratorate"
    # 厅 names in a city document belong to the province
    assert resolve_unit("公安厅", "岳阳市").canonical == "湖南省公安厅"


@needs_divisions
def test_explicit_region_names_keep_their_own_region() -> None:
    gov = resolve_unit("绍兴市人民政府", "浙江省", "province")
    assert (gov.canonical, gov.region, gov.region_code) == ("绍兴市人民政府", "绍兴市", "330600")
    dept = resolve_unit("江苏省商务厅", "苏州市")
    assert (dept.canonical, dept.region) == ("江苏省商务厅", "江苏省")
    chain = resolve_unit("浙江省温岭市科技局", None)
    assert chain.region == "温岭市"
    assert resolve_unit("国家税务总局江西省税务局", None).canonical == "国家税务总局江西省税务局"


@needs_divisions
@pytest.mark.parametrize("surface", ["市科技局(市知识产权局)", "市科技局（市知识产权局）"])
def test_combined_names_resolve_to_the_first_body(surface: str) -> None:
    unit = resolve_unit(surface, "襄阳市")
    assert unit.canonical == "襄阳市科学技术局"
    assert unit.also == ("襄阳市知识产权局",)
    assert unit.key == resolve_unit("市科技局", "襄阳市").key
    assert unit.labels == (surface,)


@needs_divisions
def test_second_nameplate_resolves_like_the_plain_name() -> None:
    # the nameplate's canonical name is what a later plain 市知识产权局 resolves to
    combined = resolve_unit("市科技局（市知识产权局）", "襄阳市")
    plain = resolve_unit("市知识产权局", "襄阳市")
    assert combined.also == (plain.canonical,)
    again = resolve_unit(combined.also[0], "襄阳市")
    assert (again.canonical, again.key) == (plain.canonical, plain.key)


@needs_divisions
def test_annotation_in_brackets_is_not_a_second_body() -> None:
    unit = resolve_unit("市商务局（牵头）", "襄阳市")
    assert (unit.canonical, unit.also) == ("襄阳市商务局", ())
    assert unit.labels == ("市商务局（牵头）",)


@needs_divisions
def test_a_division_named_alone_is_its_government() -> None:
    county = resolve_unit("长兴县", "湖州市")
    assert (county.canonical, county.region_code, county.body) == (
        "长兴县人民政府",
        "330522",
        "people_government",
    )
    assert county.key == resolve_unit("长兴县人民政府", "湖州市").key


@needs_divisions
def test_collective_units() -> None:
    same = ["各县区政府", "各县（区）人民政府", "各县、区", "各县区"]
    units = [resolve_unit(s, "遵义市") for s in same]
    assert {u.kind for u in units} == {"collective"}
    assert len({u.canonical for u in units}) == 1
    assert units[0].canonical.startswith("遵义市各")
    assert resolve_unit("各区", "广州市").canonical == "广州市各区人民政府"
    assert resolve_unit("各县级市", "苏州市").canonical == "苏州市各县级市人民政府"
    pref = resolve_unit("各市（州）政府", "云南省")
    assert (pref.kind, pref.region) == ("collective", "云南省")
    assert pref.canonical == resolve_unit("各州、市人民政府", "云南省").canonical
    depts = [resolve_unit(s, "云南省") for s in ("各有关部门", "有关部门", "各相关部门")]
    assert {u.canonical for u in depts} == {"云南省各有关部门"}
    assert resolve_unit("各成员单位", "云南省").canonical == "云南省各成员单位"
    # a list of organisations is not a collective of governments
    assert resolve_unit("各高校", "云南省").kind != "collective"


@needs_divisions
@pytest.mark.parametrize(
    ("surface", "kind", "region"),
    [
        ("兰州大学", "university", "兰州市"),
        ("浙江工业大学", "university", "浙江省"),
        ("某某职业技术学院", "university", None),
        ("中国科学院", "research", None),
        ("省社会科学院", "research", "河南省"),  # a relative name: the document's province
        ("某某科技有限公司", "company", None),
        ("市知识产权保护协会", "association", "洛阳市"),
        ("知识产权法庭", "court", "洛阳市"),
    ],
)
def test_non_government_units_are_organisations(
    surface: str, kind: str, region: str | None
) -> None:
    unit = resolve_unit(surface, "洛阳市")
    assert unit.kind == kind
    assert unit.region == region


@needs_divisions
def test_names_that_state_their_region_are_not_prefixed() -> None:
    bank = resolve_unit("国家开发银行江西省分行", "赣州市")
    assert (bank.canonical, bank.region, bank.kind) == (
        "国家开发银行江西省分行",
        "江西省",
        "company",
    )
    branch = resolve_unit("中国银行赣州分行", "赣州市")
    assert (branch.canonical, branch.region) == ("中国银行赣州分行", "赣州市")
    national = resolve_unit("中国科学技术协会学会服务中心", "赣州市")
    assert national.canonical == "中国科学技术协会学会服务中心" and national.region is None
    # a relative organisation belongs to the document's region, each city its own
    a, b = resolve_unit("市城投集团", "赣州市"), resolve_unit("市城投集团", "吉安市")
    assert (a.canonical, b.canonical) == ("赣州市城投集团", "吉安市城投集团")
    school = resolve_unit("市委党校", "赣州市")
    assert (school.canonical, school.kind, school.region) == ("赣州市委党校", "research", "赣州市")
    # still unknown names of the document's region get its name once
    assert resolve_unit("市物流发展服务中心", "赣州市").canonical == "赣州市物流发展服务中心"


@needs_divisions
@pytest.mark.parametrize(
    ("surface", "body"),
    [
        ("市文旅广电局", "culture_tourism"),
        ("市资规局", "natural_resources"),
        ("市自然资源规划局", "natural_resources"),
        ("市政数局", "big_data"),
        ("市数据局", "big_data"),
        ("市市监局", "market_regulation"),
        ("市政府国资委", "state_assets"),
        ("市残联", "disabled_federation"),
        ("市侨联", "returned_overseas_chinese_federation"),
        ("市红十字会", "red_cross"),
        ("市社科联", "social_sciences_federation"),
        ("市供销社", "supply_marketing_cooperative"),
        ("市文联", "literature_art_federation"),
        ("市人社局", "human_resources"),
        ("市住建局", "housing"),
        ("市卫健委", "health"),
        ("市应急局", "emergency"),
        ("市医保局", "medical_security"),
        ("市退役军人事务局", "veterans"),
        ("市大数据局", "big_data"),
        ("市行政审批局", "administrative_approval"),
        ("市税务局", "taxation"),
        ("市公安局", "public_security"),
        ("市委网信办", "cyberspace_office"),
        ("市委编办", "establishment_office"),
        ("市委宣传部", "propaganda"),
        ("市委组织部", "organisation_department"),
        ("市委统战部", "united_front"),
        ("团市委", "youth_league"),
        ("市妇联", "women_federation"),
        ("市科协", "science_association"),
        ("市工商联", "federation_industry_commerce"),
        ("市总工会", "trade_union"),
        ("赣州海关", "customs"),
        ("人行赣州市中心支行", "central_bank"),
        ("赣州金融监管分局", "banking_regulator"),
        ("市金融监管局", "local_finance"),  # the city's own bureau, not the regulator's
        ("市纪委监委", "discipline_inspection"),
        ("市监委", "supervisory_commission"),
        ("市委党史研究室", "party_history"),
        ("市直机关工委", "organs_work_committee"),
        ("市地方志办", "local_chronicles"),
        ("市档案局", "archives"),
        ("市人防办", "civil_air_defence"),
        ("市消防救援支队", "fire_rescue"),
        ("市住房公积金管理中心", "housing_provident_fund"),
        ("市人大常委会", "people_congress"),
        ("市政协", "political_consultative"),
        ("市关工委", "next_generation_committee"),
    ],
)
def test_standard_abbreviations(surface: str, body: str) -> None:
    unit = resolve_unit(surface, "赣州市")
    assert unit.body == body, unit
    assert unit.region_code == "360700"


@needs_divisions
def test_regulators_and_vertical_bodies() -> None:
    bank = resolve_unit("江西银保监局", "赣州市")
    assert (bank.kind, bank.region, bank.body) == ("regulator", "江西省", "banking_regulator")
    assert bank.key == resolve_unit("江西银监局", "赣州市").key  # one line of offices
    branch = resolve_unit("赣州银保监分局", "赣州市")
    assert (branch.region, branch.level) == ("赣州市", "city")
    pboc = resolve_unit("人民银行南昌中心支行", "江西省")
    assert pboc.canonical == "中国人民银行南昌市中心支行" and pboc.region == "南昌市"
    assert resolve_unit("人行西安分行", "陕西省").canonical == "中国人民银行西安分行"
    customs = resolve_unit("青岛海关", "山东省")
    assert (customs.canonical, customs.region) == ("青岛海关", "青岛市")
    assert resolve_unit("证监局", "山东省").canonical == "中国证券监督管理委员会山东监管局"


@needs_divisions
def test_mergers_are_notes_not_renames() -> None:
    old = resolve_unit("市工商局", "洛阳市")
    new = resolve_unit("市市场监管局", "洛阳市")
    assert old.key != new.key
    assert old.successor == new.canonical
    assert new.note is not None and "工商行政管理局" in new.note
    assert resolve_unit("市质监局", "洛阳市").successor == new.canonical
    assert resolve_unit("市食药监局", "洛阳市").successor == new.canonical
    assert resolve_unit("市国税局", "洛阳市").successor == "国家税务总局洛阳市税务局"
    # no invented successor name where the successor is named otherwise (customs districts)
    assert resolve_unit("湖南出入境检验检疫局", "湖南省").successor is None


@needs_divisions
def test_national_bodies_and_unknown_units() -> None:
    cnipa = resolve_unit("国家知识产权局", "洛阳市")
    assert (cnipa.canonical, cnipa.level, cnipa.region) == ("国家知识产权局", "national", None)
    assert resolve_unit("科技部").key == resolve_unit("科学技术部").key
    group = resolve_unit("省数字经济发展工作领导小组办公室", "湖南省")
    assert group.canonical == "湖南省数字经济发展工作领导小组办公室"
    assert (group.kind, group.region) == ("government", "湖南省")
    assert group.key == resolve_unit("数字经济发展工作领导小组办公室", "湖南省").key
    # a truncated name still finds its body when the prefix is unambiguous
    assert resolve_unit("省知识产", "湖南省").body is None  # too short to guess
    assert resolve_unit("省市场监督", "湖南省").body == "market_regulation"
    zone = resolve_unit("高新区", "襄阳市")
    assert (zone.kind, zone.canonical) == ("zone", "襄阳市高新技术产业开发区")


@needs_divisions
def test_county_abbreviation_inside_the_document_city() -> None:
    banner = resolve_unit("克旗", "赤峰市")
    assert banner.region == "克什克腾旗" and banner.canonical == "克什克腾旗人民政府"
    assert resolve_unit("克旗", "洛阳市").region != "克什克腾旗"


def test_canonical_key_is_stable_ascii() -> None:
    key = canonical_key("市发改委", "洛阳市", "city")
    assert key == canonical_key("市发展和改革委员会", "洛阳市", "city")
    assert key.isascii()
    assert canonical_key("某某协会", "洛阳市").isascii()


def test_body_table_is_consistent() -> None:
    table = resolve._body_table()
    assert len(table.bodies) > 60
    for body in table.bodies.values():
        assert set(body.templates) >= {"province", "city", "county"}
        assert body.successor is None or body.successor in table.bodies
    # every alias resolves back to its own body when written bare
    for alias, (bid, _level) in table.aliases.items():
        if len(alias) > 1:
            assert resolve._match_body(alias) == table.aliases[alias], (alias, bid)


# --------------------------------------------------------------------------- cited documents


@pytest.mark.parametrize(
    "written",
    [
        "浙政发〔2019〕12号",
        "浙政发（2019）12号",
        "浙政发(2019)12号",
        "浙政发[2019]12号",
        "浙政发［2019］12号",
        "浙政发 〔2019〕 12 号",
        "浙政发〔2019〕第12号",
        "浙政发【2019】012号",
    ],
)
def test_normalize_doc_number_variants(written: str) -> None:
    assert normalize_doc_number(written) == "浙政发〔2019〕12号"


def test_normalize_doc_number_keeps_other_brackets_and_standards() -> None:
    assert normalize_doc_number("国科发区字（2019）88号") == "国科发区字〔2019〕88号"
    assert normalize_doc_number("GB/T 19001—2016") == normalize_doc_number("GB/T19001-2016")


def test_normalize_title() -> None:
    a = normalize_title("《湖南省“十四五”人才发展规划（2021—2025年）》")
    b = normalize_title("湖南省十四五人才发展规划(2021-2025年)")
    assert a == b
    assert normalize_title("关于 促进 外贸发展的意见。") == "关于促进外贸发展的意见"
    assert normalize_title("某某办法（试行）") != normalize_title("某某办法")


@needs_divisions
@pytest.mark.parametrize(
    ("title", "number", "context", "level"),
    [
        (None, "国发〔2016〕43号", None, "national"),
        (None, "国办发(2019)39号", None, "national"),
        (None, "国知发保字〔2019〕10号", None, "national"),
        (None, "财税〔2018〕55号", None, "national"),
        (None, "湘政发〔2018〕3号", None, "provincial"),
        (None, "粤府办（2020）11号", None, "provincial"),
        (None, "苏政发[2017]112号", "苏州市", "provincial"),
        (None, "洛政〔2018〕5号", "洛阳市", "city"),
        (None, "青政发〔2019〕7号", "济南市", "city"),  # 青岛 in 山东, not 青海
        # 宁 is 宁夏's and 南京's (and 西宁's): the citing province decides, else no guess
        (None, "宁政发〔2019〕3号", "苏州市", "city"),
        (None, "宁政发〔2019〕3号", "银川市", "provincial"),
        (None, "宁政发〔2019〕3号", "赣州市", None),
        (None, "宁政发〔2019〕3号", None, None),
        (None, "穗府办〔2020〕4号", None, "city"),  # 广州's 简称 is not its first character
        (None, "甬政发〔2020〕4号", "洛阳市", "city"),
        ("“十四五”国家知识产权保护和运用规划", None, None, "national"),
        ("2021-2025年全国科普工作纲要", None, None, "national"),
        ("“十四五”江西省人才发展规划", None, None, "provincial"),
        (None, "GB/T 19001-2016", None, "national"),
        ("国务院关于加强数字政府建设的指导意见", None, None, "national"),
        ("中华人民共和国商标法", None, None, "national"),
        ("江西省人民政府关于支持赣州发展的若干意见", None, None, "provincial"),
        ("赣州市人才引进办法", None, None, "city"),
        ("广西壮族自治区优化营商环境条例", None, None, "provincial"),
        ("关于支持我省外贸企业发展的若干措施", None, None, "provincial"),
        ("关于促进民营经济发展的若干意见", None, None, None),
    ],
)
def test_infer_level(
    title: str | None, number: str | None, context: str | None, level: str | None
) -> None:
    assert infer_level(title, number, context) == level


# --------------------------------------------------------------------------- component


def _ev(quote: str = "x") -> Evidence:
    return Evidence("test.txt", 0, len(quote), quote)


def _pipeline() -> spacy.language.Language:
    nlp = spacy.blank("zh")
    nlp.add_pipe("policykg_resolve")
    return nlp


def test_factory_is_registered_and_tolerates_missing_records() -> None:
    nlp = _pipeline()
    assert nlp.pipe_names == ["policykg_resolve"]
    doc = nlp("空文档")
    assert doc._.pkg_documents is None and doc._.pkg_responsibilities is None
    doc2 = nlp.make_doc("空文档")
    doc2._.pkg_documents = []
    doc2._.pkg_citations = []
    nlp.get_pipe("policykg_resolve")(doc2)


@needs_divisions
def test_component_fills_records_in_place() -> None:
    nlp = _pipeline()
    doc = nlp.make_doc("示例")
    city_doc = DocumentRecord(
        "plan", "关于促进人才发展的实施意见", None, "江西省赣州市人民政府", None, None, None, _ev()
    )
    prov_doc = DocumentRecord(
        "prov", "湖南省数字政府建设方案", None, None, "湖南省", "province", None, _ev()
    )
    doc._.pkg_documents = [city_doc, prov_doc]
    resp = ResponsibilityRecord(
        "plan", "（一）", "引进人才", "市人社局", 1, False, "responsible", _ev()
    )
    resp2 = ResponsibilityRecord("prov", "1", "建设平台", "科技厅", 1, True, "lead", _ev())
    doc._.pkg_responsibilities = [resp, resp2]
    cit = CitationRecord("plan", "江西省人才发展规划", "赣府发〔2017〕9号", "basis", _ev())
    cit2 = CitationRecord("prov", "某某意见", None, "mentions", _ev(), cited_level="county")
    doc._.pkg_citations = [cit, cit2]
    tgt = TargetRecord("plan", None, "人才总量", 5.0, None, "万人", ">=", 2025, _ev())
    doc._.pkg_targets = [tgt]
    doc = nlp(doc)

    assert (city_doc.region, city_doc.region_level, city_doc.region_code) == (
        "赣州市",
        "city",
        "360700",
    )
    assert prov_doc.region_code == "430000"
    assert resp.unit == "市人社局"  # surface form untouched
    assert (resp.unit_canonical, resp.unit_region) == ("赣州市人力资源和社会保障局", "赣州市")
    assert (resp2.unit_canonical, resp2.unit_region) == ("湖南省科学技术厅", "湖南省")
    assert (resp2.unit_region_code, resp2.unit_kind) == ("430000", "government")
    # 赣 is both 江西's 简称 and 赣州's first character: the province's own 简称 wins
    assert cit.cited_level == "provincial"
    assert cit2.cited_level == "county"  # already set: kept
    assert tgt.region == "赣州市"


@needs_divisions
def test_component_lends_regions_to_documents_that_name_none() -> None:
    nlp = _pipeline()
    doc = nlp.make_doc("示例")
    notice = DocumentRecord(
        "notice",
        "关于印发某某方案的通知",
        "湘政办发〔2021〕8号",
        "湖南省人民政府办公厅",
        None,
        None,
        None,
        _ev(),
    )
    attachment = DocumentRecord(
        "plan", "某某方案", None, None, None, None, None, _ev(), issued_by_notice="notice"
    )
    doc._.pkg_documents = [notice, attachment]
    doc._.pkg_responsibilities = [
        ResponsibilityRecord("plan", "1", "建设平台", "省商务厅", 1, True, "lead", _ev())
    ]
    nlp(doc)
    assert (attachment.region, attachment.region_level, attachment.region_code) == (
        "湖南省",
        "province",
        "430000",
    )
    assert doc._.pkg_responsibilities[0].unit_canonical == "湖南省商务厅"

    # two documents of different regions in one file: nothing is lent
    doc = nlp.make_doc("示例")
    a = DocumentRecord("a", "洛阳市某某办法", None, None, None, None, None, _ev())
    b = DocumentRecord("b", "赣州市某某办法", None, None, None, None, None, _ev())
    c = DocumentRecord("c", "某某通知", None, None, None, None, None, _ev())
    doc._.pkg_documents = [a, b, c]
    nlp(doc)
    assert (a.region, b.region, c.region) == ("洛阳市", "赣州市", None)


@needs_divisions
def test_component_passes_the_region_not_its_name() -> None:
    """鼓楼区 names four counties: units resolve against the document's own one."""
    nlp = _pipeline()
    doc = nlp.make_doc("示例")
    nj = DocumentRecord("nj", "南京市鼓楼区某某方案", None, None, "鼓楼区", "county", None, _ev())
    fz = DocumentRecord("fz", "福州市鼓楼区某某方案", None, None, "鼓楼区", "county", None, _ev())
    doc._.pkg_documents = [nj, fz]
    doc._.pkg_responsibilities = [
        ResponsibilityRecord(k, "1", "某任务", "区发改局", 1, False, "responsible", _ev())
        for k in ("nj", "fz")
    ]
    nlp(doc)
    assert (nj.region_code, fz.region_code) == ("320106", "350102")
    got = [(r.unit_canonical, r.unit_region_code) for r in doc._.pkg_responsibilities]
    assert got == [("南京市鼓楼区发展和改革局", "320106"), ("福州市鼓楼区发展和改革局", "350102")]


@needs_divisions
def test_component_takes_the_level_from_the_division_table() -> None:
    nlp = _pipeline()
    doc = nlp.make_doc("示例")
    record = DocumentRecord("d", "义乌市某某意见", None, None, "义乌市", "city", None, _ev())
    doc._.pkg_documents = [record]
    nlp(doc)
    assert (record.region_code, record.region_level) == ("330782", "county")


def test_component_config_overwrite() -> None:
    nlp = spacy.blank("zh")
    nlp.add_pipe("policykg_resolve", config={"overwrite": True, "fill_target_region": False})
    comp = nlp.get_pipe("policykg_resolve")
    assert isinstance(comp, resolve.ResolveEntities)
    assert comp.overwrite is True and comp.fill_target_region is False


def test_import_is_light() -> None:
    """Importing the module must not load the tables (they load on first use)."""
    code = (
        "import policykg.extract.resolve as r;"
        "assert r._divisions.cache_info().currsize == 0;"
        "assert r._body_table.cache_info().currsize == 0"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- round 2


@needs_divisions
@pytest.mark.parametrize(
    ("surface", "context", "region", "canonical"),
    [
        ("四川省各市(州)人民政府", "泉州市", "四川省", "四川省各市、州人民政府"),
        ("阜新市各县、区人民政府", "泉州市", "阜新市", "阜新市各县、区人民政府"),
        ("各设区市人民政府", "江西省", "江西省", "江西省各设区市人民政府"),
        ("各县（市、区）人民政府", "泉州市", "泉州市", "泉州市各市、县、区人民政府"),
        ("各地级以上市人民政府", "广东省", "广东省", "广东省各地级以上市人民政府"),
        ("市直各行政执法部门", "泉州市", "泉州市", "泉州市各行政执法部门"),
    ],
)
def test_collectives_with_a_region_or_a_level_word(
    surface: str, context: str, region: str, canonical: str
) -> None:
    unit = resolve_unit(surface, context)
    assert (unit.kind, unit.region, unit.canonical) == ("collective", region, canonical)


@needs_divisions
def test_a_document_region_is_its_official_name() -> None:
    nlp = _pipeline()
    doc = nlp.make_doc("示例")
    short = DocumentRecord(
        "a", "黔东南州林下经济发展规划", None, None, "黔东南州", "city", None, _ev()
    )
    same = DocumentRecord("b", "泉州市人才新政", None, None, "泉州市", "city", None, _ev())
    former = DocumentRecord("c", "襄樊市发展规划", None, None, "襄樊市", "city", None, _ev())
    # a name outside the table that only the suffix rule maps to a county: kept as written
    unknown = DocumentRecord("d", "南江市人才规划", None, None, "南江市", "city", None, _ev())
    doc._.pkg_documents = [short, same, former, unknown]
    nlp.get_pipe("policykg_resolve")(doc)
    assert (short.region, short.region_code) == ("黔东南苗族侗族自治州", "522600")
    assert same.region == "泉州市"
    assert former.region == "襄樊市"  # a former name is a name, not a short form: kept
    assert unknown.region == "南江市"


@needs_divisions
def test_a_bare_autonomous_region_is_read_from_the_doc_number_or_the_text() -> None:
    nlp = _pipeline()
    text = "自治区人民政府关于促进民营经济发展的若干措施\n广西壮族自治区各地要抓好落实。\n"
    doc = nlp.make_doc(text)
    by_number = DocumentRecord(
        "a", "自治区人民政府关于促进民营经济发展的若干措施", "内政发〔2024〕3号",
        "自治区人民政府", "自治区", "province", None, _ev(),
    )  # fmt: skip
    by_text = DocumentRecord(
        "b", "自治区人民政府关于促进民营经济发展的若干措施", None, "自治区人民政府",
        "自治区", "province", None, _ev(), span_start=0, span_end=len(text),
    )  # fmt: skip
    doc._.pkg_documents = [by_number]
    nlp.get_pipe("policykg_resolve")(doc)
    assert (by_number.region, by_number.region_code) == ("内蒙古自治区", "150000")
    doc._.pkg_documents = [by_text]
    nlp.get_pipe("policykg_resolve")(doc)
    assert (by_text.region, by_text.region_level) == ("广西壮族自治区", "province")


@needs_divisions
def test_division_names_are_confirmed_by_the_table() -> None:
    assert resolve.is_division_name("城关区") and resolve.is_division_name("晋江市")
    assert not resolve.is_division_name("城市区") and not resolve.is_division_name("加强区")
