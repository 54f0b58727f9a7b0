"""The curated indicator scheme (extract/data/indicators.json) as SKOS reference data."""

from __future__ import annotations

from collections import Counter

from policykg.extract.indicators import load_scheme, match_indicator


def test_every_concept_has_one_label_per_language_and_labels_name_one_concept() -> None:
    scheme = load_scheme()
    for c in scheme.concepts:
        assert set(c.pref_label) == {"zh", "en"}, c.id
        assert c.pref_label["zh"] not in c.alt_labels, c.id  # SKOS S13
    labels = Counter(
        label for c in scheme.concepts for label in {c.pref_label["zh"], *c.alt_labels}
    )
    assert [label for label, n in labels.items() if n > 1] == []


def test_groups_are_concepts_of_their_own() -> None:
    scheme = load_scheme()
    ids = {c.id for c in scheme.concepts}
    assert not ids & set(scheme.groups)  # one IRI space: a group id is no concept id
    assert all(set(g) == {"zh", "en"} for g in scheme.groups.values())
    assert {c.broader for c in scheme.concepts if c.broader} <= set(scheme.groups)


def test_different_metrics_are_different_concepts() -> None:
    closure = match_indicator("专利行政执法案件结案率", "%")
    mediation = match_indicator("知识产权纠纷调解撤诉率", "%")
    complaints = match_indicator("举报投诉答复办理率", "%")
    assert (closure, mediation, complaints) == (
        "ip-case-closure-rate",
        "ip-mediation-rate",
        "ip-complaint-handling-rate",
    )
    assert match_indicator("省级重点实验室", "个") == "key-laboratories"
    assert match_indicator("市级工程技术研究中心", "个") == "engineering-research-centres"
    assert match_indicator("国家级企业技术中心", "家") == "enterprise-technology-centres"
    # a list of several kinds stays with the general concept
    assert match_indicator("重点实验室和工程技术研究中心", "个") == "innovation-platforms"
    assert match_indicator("执业专利代理师", "名") == "patent-attorneys"
    assert match_indicator("知识产权管理人员和专利代理师", "名") == "ip-professionals"
    # establishing an IP management system is certification, not a platform or a title
    assert match_indicator("企业技术中心建立知识产权管理体系", "家") == (
        "ip-standard-certified-enterprises"
    )
