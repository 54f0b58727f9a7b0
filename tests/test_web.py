"""The web page (``api/web.py``): page, escaping, document pages with evidence, downloads."""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from graph_samples import add_second_labels, sample_results
from lxml import etree

from policykg.api.app import create_app
from policykg.api.settings import Settings
from policykg.api.web import ANALYSIS_LINKS, EXPORTS, WEB_EXAMPLES
from policykg.extract.model import (
    DocumentRecord,
    Evidence,
    ExtractionResult,
    ResponsibilityRecord,
)
from policykg.graph.store import build_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

XSD = Path(__file__).parent / "data" / "gexf-1.3" / "gexf.xsd"
EVIL_TITLE = '示例县关于<script>alert("title")</script>的方案'
EVIL_UNIT = "县<script>alert(1)</script>局"
EVIL_TEXT = f"{EVIL_TITLE}\n1.建设<img src=x onerror=alert(2)>平台。（责任单位：{EVIL_UNIT}）\n"


def evil_result() -> ExtractionResult:
    """A file whose title, department and evidence carry markup."""
    src, text = "evil.txt", EVIL_TEXT

    def ev(quote: str) -> Evidence:
        start = text.index(quote)
        return Evidence(src, start, start + len(quote), quote)

    doc = DocumentRecord(
        key="evil",
        title=EVIL_TITLE,
        doc_number=None,
        issuer=None,
        region="示例县",
        region_level="county",
        date="2020-01-02",
        evidence=ev(EVIL_TITLE),
        span_end=len(text),
    )
    task = "1.建设<img src=x onerror=alert(2)>平台"
    start = text.index(task)
    resp = ResponsibilityRecord(
        "evil",
        "1",
        "建设<img src=x onerror=alert(2)>平台",
        EVIL_UNIT,
        1,
        True,
        "lead",
        ev(f"（责任单位：{EVIL_UNIT}）"),
        start,
        start + len(task),
        rule="responsibility.inline",
    )
    digest = hashlib.sha256(text.encode()).hexdigest()
    return ExtractionResult(src, text, digest, [doc], [resp], [], [])


def web_store(path: Path) -> Path:
    """A store with the two sample files and the malicious one."""
    build_store(iter([*sample_results(), evil_result()]), path)
    return path


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = web_store(tmp_path_factory.mktemp("web") / "store")
    app = create_app(Settings(store=path, isolation="thread", max_concurrency=2))
    with TestClient(app) as c:
        yield c


def document_links(html: str) -> list[str]:
    return re.findall(r'href="(/documents/[^"#]+)"', html)


def test_page_is_served_with_examples_exports_and_documents(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    assert '<script src="/static/app.js"></script>' in html
    # nothing is fetched from elsewhere: every src/href is local
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#")), url
    for example in WEB_EXAMPLES:
        assert f'value="{example.name}"' in html
    names = {e.name for e in WEB_EXAMPLES}
    assert {"workload", "leads_with", "citation_chain", "targets_by_city"} <= names
    for name in EXPORTS:
        assert f'href="/export/{name}"' in html
    assert len(document_links(html)) == 3
    for asset in ("app.js", "style.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    assert client.get("/static/..%2Fweb.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


def test_sparql_browser_form_links_to_the_page(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/html"})
    assert 'href="/"' in r.text


def test_labels_are_html_escaped_everywhere(client: TestClient) -> None:
    index = client.get("/").text
    assert "<script>alert" not in index
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in index
    pages = [client.get(link).text for link in document_links(index)]
    page = next(p for p in pages if "示例县" in p)
    for html in (index, page):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        # the only script elements are our own file and JSON data blocks
        for tag in re.findall(r"<script[^>]*>", html):
            assert tag in (
                '<script src="/static/app.js">',
                '<script type="application/json" id="examples-data">',
                '<script type="application/json" id="page-data">',
            )
    assert "县&lt;script&gt;alert(1)&lt;/script&gt;局" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    # JSON data blocks cannot be closed by data either
    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', index, re.S):
        assert "<" not in block


def test_document_page_shows_facts_with_highlighted_evidence(client: TestClient) -> None:
    index = client.get("/").text
    pages = {link: client.get(link) for link in document_links(index)}
    assert all(r.status_code == 200 for r in pages.values())
    html = next(r.text for r in pages.values() if "加快建设知识产权强市的实施意见" in r.text[:2000])
    # each responsibility clause, citation and target appears highlighted with its offsets
    for quote in (
        "（责任单位：市市场监管局牵头，市科技局配合）",
        "到2020年，每万人发明专利拥有量达到10件",
        "《示例省人民政府关于知识产权强省建设的实施意见》",
    ):
        assert re.search(r"<mark>[^<]*" + re.escape(quote), html), quote
    assert "a.txt:" in html
    assert "牵头 lead" in html
    assert "示例市市场监督管理局" in html
    # context around the quote comes from the TextQuoteSelector prefix/suffix
    assert '<span class="context">' in html
    missing = client.get("/documents/no-such-document")
    assert missing.status_code == 404
    assert "no-such-document" in missing.text
    assert client.get("/documents/%3Cscript%3E").status_code == 404
    assert "<script>" not in client.get("/documents/%3Cscript%3E").text


def test_gexf_download_validates(client: TestClient) -> None:
    r = client.get("/export/full.gexf")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/gexf+xml")
    assert 'filename="full.gexf"' in r.headers["content-disposition"]
    doc = etree.fromstring(r.content)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(doc)
    labels = doc.xpath("//g:node/@label", namespaces={"g": "http://gexf.net/1.3"})
    assert EVIL_UNIT in labels  # kept verbatim in the file, escaped by the XML writer
    assert client.get("/export/gexf").content == r.content  # alias


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("co-responsibility.graphml", b"<graphml"),
        ("workload_nodes.csv", "市科技局".encode()),
        ("citation_edges.csv", b"Source,Target"),
        ("policykg.nq", b"<https://w3id.org/policykg/id/graph/"),
        ("policykg.ttl", b"@prefix"),
    ],
)
def test_other_downloads(client: TestClient, name: str, needle: bytes) -> None:
    r = client.get(f"/export/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == EXPORTS[name].media_type.split(";")[0]
    assert needle in r.content


def test_unknown_export_is_404(client: TestClient) -> None:
    assert client.get("/export/secrets.txt").status_code == 404


# ---------------------------------------------------------------- one row per fact


@pytest.fixture(scope="module")
def relabelled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    """The sample store where every label and title exists twice."""
    path = tmp_path_factory.mktemp("web2") / "store"
    build_store(iter(sample_results()), path)
    assert add_second_labels(path) > 0
    app = create_app(Settings(store=path, isolation="thread", max_concurrency=2))
    with TestClient(app) as c:
        yield c, path


def _count(client: TestClient, query: str) -> int:
    r = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


PREFIXES = (
    "PREFIX pkg: <https://w3id.org/policykg/ontology#> "
    "PREFIX eli: <http://data.europa.eu/eli/ontology#> "
)


def test_document_pages_show_each_fact_once(relabelled: tuple[TestClient, Path]) -> None:
    client, _ = relabelled
    index = client.get("/").text
    for link in document_links(index):
        html = client.get(link).text
        doc = "https://w3id.org/policykg/id/doc/" + link.removeprefix("/documents/")
        targets = _count(
            client, PREFIXES + f"SELECT (COUNT(DISTINCT ?t) AS ?n) {{ ?t pkg:setBy <{doc}> }}"
        )
        cites = _count(
            client,
            PREFIXES + f"SELECT (COUNT(DISTINCT ?c) AS ?n) {{ ?c pkg:citingDocument <{doc}> }}",
        )
        resps = _count(
            client,
            PREFIXES
            + f"SELECT (COUNT(DISTINCT ?r) AS ?n) {{ ?r pkg:forTask/eli:is_part_of <{doc}> }}",
        )
        assert f"目标 ({targets})" in html, link
        assert f"引用 ({cites})" in html, link
        # one role badge per responsibility
        assert html.count('<span class="role">') == resps, link
        assert html.count("<mark>") >= targets + cites


def test_targets_by_city_example_has_one_row_per_target(
    relabelled: tuple[TestClient, Path],
) -> None:
    client, _ = relabelled
    query = next(e.query for e in WEB_EXAMPLES if e.name == "targets_by_city")
    r = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    rows = r.json()["results"]["bindings"]
    targets = _count(
        client,
        PREFIXES
        + "PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> "
        + "SELECT (COUNT(DISTINCT ?t) AS ?n) { ?t a pkg:Target ; sdmx-dimension:refArea ?a }",
    )
    assert targets == 2 and len(rows) == targets
    # the label chosen is the same whatever the join order (MIN): the original, not the variant
    assert all("（别称）" not in row["indicator"]["value"] for row in rows)


def test_page_links_to_every_export_and_analysis(client: TestClient) -> None:
    html = client.get("/").text
    for name in EXPORTS:
        assert f'href="/export/{name}"' in html
    assert "co-responsibility-directed.gexf" in EXPORTS
    for url, _ in ANALYSIS_LINKS:
        assert f'href="{url}"'.replace("&", "&amp;") in html
        assert client.get(url).status_code == 200
    r = client.get("/export/co-responsibility-directed.gexf")
    assert r.status_code == 200 and b'defaultedgetype="directed"' in r.content
